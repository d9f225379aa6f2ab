"""The Certificates report: an Expires column and the filters "expired" and "expires within"."""

import datetime

import pytest
from django.urls import reverse

from certificates.report import Filters, ReportForm, filtered
from tests.factories import CertificateFactory

D = datetime.date


@pytest.fixture
def certificates(project, course, clock):
    """Today is 1 Mar 2026 in the school; four certificates expiring at different dates."""
    clock(2026, 3, 1, 12)
    cc = course.certificate
    return {
        "never": CertificateFactory(course_certificate=cc, number="N-1"),
        "expired": CertificateFactory(
            course_certificate=cc, number="E-1", expires_at=D(2026, 2, 1)
        ),
        "today": CertificateFactory(course_certificate=cc, number="T-1", expires_at=D(2026, 3, 1)),
        "in_5": CertificateFactory(course_certificate=cc, number="S-5", expires_at=D(2026, 3, 6)),
        "in_40": CertificateFactory(
            course_certificate=cc, number="L-40", expires_at=D(2026, 4, 10)
        ),
    }


def _numbers(project, **filters):
    return sorted(
        filtered(project=project, filters=Filters(**filters)).values_list("number", flat=True)
    )


def test_expired_filter(project, certificates):
    assert _numbers(project, expired=True) == ["E-1", "T-1"]


def test_expires_within_filter(project, certificates):
    assert _numbers(project, expires_within=5) == ["S-5"]
    assert _numbers(project, expires_within=4) == []
    assert _numbers(project, expires_within=40) == ["L-40", "S-5"]


def test_deleted_certificates_are_not_expired(project, certificates):
    certificates["expired"].deleted_at = datetime.datetime(2026, 2, 15, tzinfo=datetime.UTC)
    certificates["expired"].save()
    assert _numbers(project, expired=True, include_deleted=True) == ["T-1"]


def test_the_form_reads_the_filters(project):
    form = ReportForm({"expired": "on", "expires_within": "30"}, project=project)
    filters = form.filters()
    assert (filters.expired, filters.expires_within) == (True, 30)


@pytest.mark.parametrize("value", ["0", "-3", "abc", "99999"])
def test_a_bad_number_of_days_is_reported_and_ignored(project, value):
    form = ReportForm({"expires_within": value}, project=project)
    assert form.filters().expires_within is None
    assert "expires_within" in form.errors


def test_the_report_page_filters_and_shows_the_column(staff_client, project, certificates):
    url = reverse("staff:certificates_report", args=[project.slug])

    page = staff_client.get(url, {"expires_within": "5"}).content.decode()

    assert "S-5" in page
    assert "L-40" not in page and "E-1" not in page
    assert "6 Mar 2026" in page
    assert "expires soon" in page

    page = staff_client.get(url, {"expired": "on"}).content.decode()
    assert "E-1" in page and "T-1" in page and "S-5" not in page
