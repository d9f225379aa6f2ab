import datetime
import html
import re

import pytest
from django.urls import reverse

from certificates import report
from certificates.models import Certificate
from tests.factories import CertificateFactory, ContactFactory, CourseCertificateFactory

NOW = datetime.datetime(2026, 3, 10, 9, 30, tzinfo=datetime.UTC)

# Made in this order (so ids and contact ids follow it); names and times collide in groups.
MANY = [
    # number, participant, course, minutes before NOW
    ("PY-00", "Name 0", "Python", 0),
    ("PY-07", "Name 1", "Design", 0),
    ("PY-03", "Name 2", "Python", 0),
    ("PY-10", "Name 3", "Design", 1),
    ("PY-06", "Name 0", "Python", 1),
    ("PY-02", "Name 1", "Design", 1),
    ("PY-09", "Name 2", "Python", 2),
    ("PY-05", "Name 3", "Design", 2),
    ("PY-01", "Name 0", "Python", 2),
    ("PY-08", "Name 1", "Design", 3),
    ("PY-04", "Name 2", "Python", 3),
]
# Each sort's order of MANY, by number; equal values fall back to the order they were made in
# (newest first where the sort is newest first).
ORDER = {
    "-issued": ["03", "07", "00", "02", "06", "10", "01", "05", "09", "04", "08"],
    "issued": ["08", "04", "09", "05", "01", "10", "06", "02", "00", "07", "03"],
    "-number": ["10", "09", "08", "07", "06", "05", "04", "03", "02", "01", "00"],
    "number": ["00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10"],
    "name": ["00", "06", "01", "07", "02", "08", "03", "09", "04", "10", "05"],
    "-name": ["05", "10", "04", "09", "03", "08", "02", "07", "01", "06", "00"],
    # Design before Python, each course newest first
    "course": ["07", "02", "10", "05", "08", "03", "00", "06", "01", "09", "04"],
    "-course": ["03", "00", "06", "01", "09", "04", "07", "02", "10", "05", "08"],
}


@pytest.fixture
def many(project):
    courses = {
        title: CourseCertificateFactory(
            project=project, course__project=project, course__title=title
        )
        for title in ("Python", "Design")
    }
    return [
        CertificateFactory(
            number=number,
            contact=ContactFactory(project=project, name=name),
            course_certificate=courses[course],
            issued_at=NOW - datetime.timedelta(minutes=minutes),
        )
        for number, name, course, minutes in MANY
    ]


def walk(project, sort, size):
    qs = report.with_columns(report.filtered(project=project, filters=report.Filters()))
    pages, cursor = [], None
    while True:
        page = report.page(qs, project=project, sort=sort, cursor=cursor, size=size)
        pages.append(page)
        cursor = page.next_cursor
        if cursor is None:
            return qs, pages


def numbers(rows):
    return [row.number.removeprefix("PY-") for row in rows]


def test_every_sort_has_its_order_written_here():
    assert set(ORDER) == set(report.SORTS)


@pytest.mark.parametrize("sort", list(ORDER))
@pytest.mark.parametrize("size", [1, 3, 4, 11])
def test_walking_next_then_previous_visits_every_row_once(project, many, sort, size):
    qs, pages = walk(project, sort, size)
    # no duplicates, no gaps, in the sort's order
    assert [number for page in pages for number in numbers(page.rows)] == ORDER[sort]
    assert [page.number for page in pages] == list(range(1, len(pages) + 1))
    assert len(pages) == {1: 11, 3: 4, 4: 3, 11: 1}[size]
    assert pages[0].previous_cursor is None
    assert all(page.previous_cursor for page in pages[1:])

    back = [pages[-1]]
    while back[-1].previous_cursor:
        back.append(
            report.page(qs, project=project, sort=sort, cursor=back[-1].previous_cursor, size=size)
        )
    assert [numbers(p.rows) for p in reversed(back)] == [numbers(p.rows) for p in pages]
    assert back[-1].number == 1


def test_equal_issue_times_still_page_exactly(project):
    cc = CourseCertificateFactory(project=project, course__project=project)
    for n in range(1, 8):
        CertificateFactory(course_certificate=cc, issued_at=NOW, number=f"PY-{n:02}")
    _qs, pages = walk(project, "-issued", 3)
    # the same time everywhere: the newest made comes first
    assert [numbers(p.rows) for p in pages] == [["07", "06", "05"], ["04", "03", "02"], ["01"]]


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
    for _ in range(50):  # a page holds 50: 61 rows make two pages
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
    assert len(seen) == len(set(seen)) == Certificate.objects.count() == 61
