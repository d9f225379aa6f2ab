import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from certificates import report
from certificates.models import Certificate
from tests.factories import CertificateFactory, ContactFactory, CourseCertificateFactory

NOW = timezone.now().replace(microsecond=0)


@pytest.fixture
def many(project):
    """23 certificates in two courses whose issue times and names collide in groups."""
    courses = [
        CourseCertificateFactory(project=project, course__project=project, course__title=title)
        for title in ("Python", "Design")
    ]
    rows = []
    for n in range(23):
        contact = ContactFactory(project=project, name=f"Name {n % 4}")
        rows.append(
            CertificateFactory(
                contact=contact,
                course_certificate=courses[n % 2],
                issued_at=NOW - datetime.timedelta(minutes=n // 5),  # groups of 5 equal times
            )
        )
    return rows


def walk(project, sort, size):
    qs = report.with_columns(report.filtered(project=project, filters=report.Filters()))
    pages, cursor = [], None
    while True:
        page = report.page(qs, project=project, sort=sort, cursor=cursor, size=size)
        pages.append(page)
        cursor = page.next_cursor
        if cursor is None:
            return qs, pages


@pytest.mark.parametrize("sort", [s for s, _ in report.SORT_CHOICES])
@pytest.mark.parametrize("size", [1, 4, 5, 23])
def test_walking_next_then_previous_visits_every_row_once(project, many, sort, size):
    qs, pages = walk(project, sort, size)
    seen = [row.id for page in pages for row in page.rows]
    expected = list(report.ordered(qs, sort, project=project).values_list("id", flat=True))
    assert seen == expected  # no duplicates, no gaps, same order as one big query
    assert [page.number for page in pages] == list(range(1, len(pages) + 1))
    assert pages[0].previous_cursor is None
    assert all(page.previous_cursor for page in pages[1:])

    back = [pages[-1]]
    while back[-1].previous_cursor:
        back.append(
            report.page(qs, project=project, sort=sort, cursor=back[-1].previous_cursor, size=size)
        )
    assert [[r.id for r in p.rows] for p in reversed(back)] == [
        [r.id for r in p.rows] for p in pages
    ]
    assert back[-1].number == 1


def test_equal_issue_times_still_page_exactly(project):
    cc = CourseCertificateFactory(project=project, course__project=project)
    same = [CertificateFactory(course_certificate=cc, issued_at=NOW) for _ in range(7)]
    _qs, pages = walk(project, "-issued", 3)
    assert [len(p.rows) for p in pages] == [3, 3, 1]
    assert [r.id for p in pages for r in p.rows] == sorted((c.id for c in same), reverse=True)


def test_a_damaged_cursor_or_one_from_another_sort_starts_over(project, many):
    qs = report.with_columns(report.filtered(project=project, filters=report.Filters()))
    first = report.page(qs, project=project, sort="-issued", size=5)
    assert (
        report.page(qs, project=project, sort="-issued", cursor="garbage", size=5).rows
        == first.rows
    )
    assert (
        report.page(qs, project=project, sort="name", cursor=first.next_cursor, size=5).number == 1
    )
    tampered = first.next_cursor[:-3] + "abc"
    assert (
        report.page(qs, project=project, sort="-issued", cursor=tampered, size=5).rows == first.rows
    )


def test_paging_through_the_view_follows_next_links(client, alice, project, many):
    extra = CourseCertificateFactory(project=project, course__project=project)
    for _ in range(report.PAGE_SIZE):
        CertificateFactory(course_certificate=extra, issued_at=NOW)
    client.force_login(alice)
    url = reverse("staff:certificates_report", args=[project.slug])
    seen, query, pages = [], "?method=automatic&sort=-issued", 0
    while query:
        content = client.get(url + query).content.decode()
        pages += 1
        seen += re.findall(r'class="cert-number[^"]*">([^<]+)<', content)
        link = re.search(r'rel="next" href="([^"]+)"', content)
        query = html.unescape(link.group(1)) if link else None
        if link:
            assert "method=automatic" in query  # the filter survives paging
    assert pages == 2
    assert "Page 2" in content
    assert len(seen) == len(set(seen)) == Certificate.objects.count() == 73
