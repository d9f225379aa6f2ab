import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from certificates import report
from certificates.services import template_save
from tests.factories import (
    CertificateFactory,
    ContactFactory,
    CourseCertificateFactory,
    MembershipFactory,
    ProjectFactory,
)

NOW = timezone.now().replace(microsecond=0)


def report_url(project, **params):
    url = reverse("staff:certificates_report", args=[project.slug])
    return url, params


def numbers_on(response):
    return re.findall(r'class="cert-number[^"]*">([^<]+)<', response.content.decode())


@pytest.fixture
def design_cc(project):
    return CourseCertificateFactory(
        project=project, course__project=project, course__title="Design", title="Design cert"
    )


def certificate(cc, **fields):
    return CertificateFactory(course_certificate=cc, **fields)


def get(client, project, **params):
    url, params = report_url(project, **params)
    response = client.get(url, params)
    assert response.status_code == 200
    return response


def test_it_shows_every_column(staff_client, project, python_cc, contact, alice):
    cert = certificate(
        python_cc,
        contact=contact,
        number="PY-2026-000123",
        method="manual",
        forced=True,
        issued_by=alice,
        issued_at=NOW,
    )
    html = get(staff_client, project).content.decode()
    card = reverse("staff:contact", args=[project.slug, contact.public_id])
    assert f'href="{card}"' in html
    for text in (
        "PY-2026-000123",
        "Олена Коваленко",
        "olena@example.com",
        "Python",
        "Python cert",
        "manual",
        "alice@example.com",
        "forced",
        "v1",
    ):
        assert text in html
    assert cert.template_revision.version == 1
    assert "outdated" not in html.split("<tbody>")[1]


def test_outdated_template_is_badged_and_filtered(staff_client, project, python_cc):
    old = certificate(python_cc, number="PY-OLD")
    template = python_cc.template
    template.html += "<p>v2</p>"
    template_save(template=template)
    current = certificate(python_cc, number="PY-NEW")
    assert (old.template_revision.version, current.template_revision.version) == (1, 2)

    body = get(staff_client, project).content.decode().split("<tbody>")[1]
    old_row = next(row for row in body.split("<tr") if "PY-OLD" in row)
    new_row = next(row for row in body.split("<tr") if "PY-NEW" in row)
    assert "outdated" in old_row
    assert "outdated" not in new_row
    assert numbers_on(get(staff_client, project, outdated="on")) == ["PY-OLD"]


def test_foreign_project_answers_404(client, charlie, project, python_cc):
    certificate(python_cc)
    client.force_login(charlie)
    assert client.get(reverse("staff:certificates_report", args=[project.slug])).status_code == 404


def test_anonymous_is_sent_to_login(client, project):
    response = client.get(reverse("staff:certificates_report", args=[project.slug]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_never_shows_another_projects_certificates(staff_client, project, python_cc, alice):
    other = ProjectFactory()
    MembershipFactory(project=other, user=alice)  # alice works for both schools
    other_cc = CourseCertificateFactory(project=other, course__project=other)
    certificate(python_cc, number="MINE-1")
    certificate(other_cc, number="THEIRS-1")

    assert numbers_on(get(staff_client, project)) == ["MINE-1"]
    assert numbers_on(get(staff_client, other)) == ["THEIRS-1"]
    # Another school's course in the filter is not a choice here: refused, nothing leaks.
    response = get(staff_client, project, course=str(other_cc.course.public_id))
    assert "THEIRS-1" not in response.content.decode()
    assert numbers_on(get(staff_client, project, q="THEIRS")) == []


def test_filter_by_course(staff_client, project, python_cc, design_cc):
    certificate(python_cc, number="PY-1")
    certificate(design_cc, number="DS-1")
    response = get(staff_client, project, course=str(design_cc.course.public_id))
    assert numbers_on(response) == ["DS-1"]


def test_filter_by_certificate(staff_client, project, python_cc, design_cc):
    certificate(python_cc, number="PY-1")
    certificate(design_cc, number="DS-1")
    assert numbers_on(get(staff_client, project, certificate=str(python_cc.public_id))) == ["PY-1"]
    # With a course chosen only its certificates are offered: another course's certificate is
    # refused with a message and the course filter alone applies.
    response = get(
        staff_client,
        project,
        course=str(design_cc.course.public_id),
        certificate=str(python_cc.public_id),
    )
    assert numbers_on(response) == ["DS-1"]
    assert "This filter was not applied." in response.content.decode()


def test_filter_by_date_range_in_local_days(staff_client, project, python_cc):
    kyiv = timezone.get_current_timezone()
    day = datetime.date(2026, 3, 10)

    def at(d, hour, minute=0):
        return datetime.datetime.combine(d, datetime.time(hour, minute), tzinfo=kyiv)

    certificate(python_cc, number="BEFORE", issued_at=at(day, 0) - datetime.timedelta(seconds=1))
    certificate(python_cc, number="FIRST", issued_at=at(day, 0))
    certificate(python_cc, number="LAST", issued_at=at(day + datetime.timedelta(days=1), 23, 59))
    certificate(python_cc, number="AFTER", issued_at=at(day + datetime.timedelta(days=2), 0))

    response = get(staff_client, project, issued_from="2026-03-10", issued_to="2026-03-11")
    assert numbers_on(response) == ["LAST", "FIRST"]
    assert numbers_on(get(staff_client, project, issued_from="2026-03-12")) == ["AFTER"]
    assert numbers_on(get(staff_client, project, issued_to="2026-03-09")) == ["BEFORE"]


def test_reversed_date_range_is_explained(staff_client, project, python_cc):
    certificate(
        python_cc, number="PY-1", issued_at=datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC)
    )
    response = get(staff_client, project, issued_from="2026-03-12", issued_to="2026-03-01")
    assert "The end date is before the start date." in response.content.decode()
    assert numbers_on(response) == []  # the valid start date still applies

    url, _ = report_url(project)
    response = staff_client.get(url, {"issued_from": "10.03.2026"}, headers={"HX-Request": "true"})
    assert "Enter a valid date." in response.content.decode()  # shown in the htmx update too
    assert numbers_on(response) == ["PY-1"]


def test_filter_by_method_and_forced(staff_client, project, python_cc, alice):
    certificate(python_cc, number="AUTO")
    certificate(python_cc, number="MANUAL", method="manual", issued_by=alice)
    certificate(python_cc, number="FORCED", method="manual", issued_by=alice, forced=True)

    assert numbers_on(get(staff_client, project, method="automatic")) == ["AUTO"]
    assert sorted(numbers_on(get(staff_client, project, method="manual"))) == ["FORCED", "MANUAL"]
    assert numbers_on(get(staff_client, project, forced="yes")) == ["FORCED"]
    assert sorted(numbers_on(get(staff_client, project, forced="no"))) == ["AUTO", "MANUAL"]


def test_deleted_are_hidden_unless_included_and_then_marked(
    staff_client, project, python_cc, alice
):
    certificate(python_cc, number="LIVE")
    certificate(
        python_cc,
        number="GONE",
        deleted_at=datetime.datetime(2026, 4, 2, 9, tzinfo=datetime.UTC),
        deleted_by=alice,
    )

    assert numbers_on(get(staff_client, project)) == ["LIVE"]
    response = get(staff_client, project, deleted="on")
    assert sorted(numbers_on(response)) == ["GONE", "LIVE"]
    body = response.content.decode().split("<tbody>")[1]
    gone_row = next(row for row in body.split("<tr") if "GONE" in row)
    assert "text-decoration-line-through" in gone_row
    assert "deleted" in gone_row
    assert "2 Apr 2026" in gone_row
    assert "alice@example.com" in gone_row
    live_row = next(row for row in body.split("<tr") if "LIVE" in row)
    assert "deleted" not in live_row


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("Коваленко", ["PY-2026-000777"]),
        ("olena@", ["PY-2026-000777"]),
        ("000777", ["PY-2026-000777"]),
        ("bohdan", ["PY-2026-000001"]),
        ("nobody", []),
    ],
)
def test_search_by_name_email_or_number(staff_client, project, python_cc, contact, term, expected):
    certificate(python_cc, contact=contact, number="PY-2026-000777")
    bohdan = ContactFactory(project=project, name="Bohdan Sydorenko", email="b@example.com")
    certificate(python_cc, contact=bohdan, number="PY-2026-000001")
    assert numbers_on(get(staff_client, project, q=term)) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-issued", ["C", "B", "A"]),
        ("issued", ["A", "B", "C"]),
        ("number", ["A", "B", "C"]),
        ("-number", ["C", "B", "A"]),
        ("name", ["B", "C", "A"]),
        ("-name", ["A", "C", "B"]),
        ("course", ["C", "B", "A"]),  # within a course, newest first
        ("-course", ["B", "A", "C"]),
    ],
)
def test_sorting(staff_client, project, python_cc, design_cc, sort, expected):
    zorro = ContactFactory(project=project, name="Zorro")
    anna = ContactFactory(project=project, name="Anna")
    maria = ContactFactory(project=project, name="Maria")
    certificate(python_cc, number="A", contact=zorro, issued_at=NOW - datetime.timedelta(days=3))
    certificate(python_cc, number="B", contact=anna, issued_at=NOW - datetime.timedelta(days=2))
    # "Design" sorts before "Python": by course, C comes first.
    certificate(design_cc, number="C", contact=maria, issued_at=NOW - datetime.timedelta(days=1))
    assert numbers_on(get(staff_client, project, sort=sort)) == expected


def test_sort_headers_flip_and_say_which_is_active(staff_client, project, python_cc):
    certificate(python_cc)
    html = get(staff_client, project, sort="name").content.decode()
    assert re.search(r'aria-sort="ascending">\s*<a[^>]*href="\?sort=-name"', html)
    html = get(staff_client, project).content.decode()
    assert re.search(r'aria-sort="descending">\s*<a[^>]*href="\?sort=issued"', html)


def test_unknown_sort_falls_back_to_newest_first(staff_client, project, python_cc):
    certificate(python_cc, number="OLD", issued_at=NOW - datetime.timedelta(days=1))
    certificate(python_cc, number="NEW", issued_at=NOW)
    assert numbers_on(get(staff_client, project, sort="password")) == ["NEW", "OLD"]


def test_totals_count_the_whole_filter_not_the_page(staff_client, project, python_cc, alice):
    for _ in range(report.PAGE_SIZE + 3):
        certificate(python_cc)
    certificate(python_cc, method="manual", issued_by=alice, forced=True)
    certificate(python_cc, method="manual", issued_by=alice)
    certificate(python_cc, deleted_at=NOW, deleted_by=alice)

    qs = report.filtered(project=project, filters=report.Filters())
    assert report.totals(qs) == {
        "total": 55,
        "automatic": 53,
        "manual": 2,
        "forced": 1,
        "deleted": 0,
    }
    # The filter leaves deleted rows out: not counting them gives the same totals.
    assert report.totals(qs, count_deleted=False) == report.totals(qs)
    qs = report.filtered(project=project, filters=report.Filters(include_deleted=True))
    assert report.totals(qs) == {
        "total": 56,
        "automatic": 54,
        "manual": 2,
        "forced": 1,
        "deleted": 1,
    }
    html = get(staff_client, project).content.decode()
    assert "<strong>55</strong> certificates" in html
    assert len(numbers_on(get(staff_client, project))) == report.PAGE_SIZE
    html = get(staff_client, project, method="manual").content.decode()
    assert "<strong>2</strong> certificates" in html


def test_htmx_request_gets_only_the_results(staff_client, project, python_cc):
    certificate(python_cc, number="PY-1")
    url, _ = report_url(project)
    response = staff_client.get(url, {"q": "PY"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="report-results"')
    assert "<html" not in html
    assert "PY-1" in html
    assert "HX-Request" in response["Vary"]
    full = staff_client.get(url, {"q": "PY"})
    assert "<html" in full.content.decode()
    assert 'id="report-filters"' in full.content.decode()


def test_filter_form_works_without_javascript(staff_client, project, python_cc):
    html = get(staff_client, project).content.decode()
    form = re.search(r'<form id="report-filters" method="get" action="([^"]+)"', html)
    assert form and form.group(1) == reverse("staff:certificates_report", args=[project.slug])
    assert 'type="submit"' in html
