"""When a certificate expires: never, a fixed date, or N months after issue (school's date)."""

import datetime
import io

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from pypdf import PdfReader

from certificates.models import CourseCertificate, add_months
from certificates.rendering import fill_placeholders, validate_template_html
from certificates.services import (
    CertificateError,
    certificate_issue,
    certificate_pdf,
    course_certificate_save,
)
from tests.factories import TemplateFactory

from .conftest import set_expiry

D = datetime.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),  # February is shorter: its last day
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # leap year
        (D(2026, 3, 31), 1, D(2026, 4, 30)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),  # across the year end
        (D(2026, 12, 15), 1, D(2027, 1, 15)),
        (D(2026, 2, 28), 12, D(2027, 2, 28)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2026, 5, 10), 24, D(2028, 5, 10)),
    ],
)
def test_months_after_a_day(day, months, expected):
    assert add_months(day, months) == expected


def test_a_certificate_that_never_expires(contact, course, access, alice):
    certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)

    assert certificate.expires_at is None
    assert certificate.snapshot["expires_on"] is None
    assert certificate.snapshot["expiry_date"] == ""
    assert certificate.state == "valid"


def test_one_month_after_31_january_is_28_february(contact, course, access, alice, clock):
    set_expiry(course, expiry="months", expiry_months=1)
    clock(2026, 1, 31, 12)

    certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)

    certificate.refresh_from_db()
    assert certificate.expires_at == D(2026, 2, 28)
    assert certificate.snapshot["issued_on"] == "2026-01-31"
    assert certificate.snapshot["expires_on"] == "2026-02-28"
    assert certificate.snapshot["expiry_date"] == "28 February 2026"


def test_months_count_from_the_schools_date_not_utc(contact, course, access, alice, clock):
    # 00:30 on 1 March in Kyiv is still 28 February in UTC.
    set_expiry(course, expiry="months", expiry_months=12)
    clock(2026, 3, 1, 0, 30)

    certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)

    assert certificate.snapshot["issued_on"] == "2026-03-01"
    assert certificate.expires_at == D(2027, 3, 1)


def test_a_school_in_another_time_zone(project, contact, course, access, alice, clock):
    project.time_zone = "America/New_York"
    project.save()
    set_expiry(course, expiry="months", expiry_months=1)
    clock(2026, 2, 1, 5)  # 22:00 on 31 January in New York

    certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)

    assert certificate.snapshot["issued_on"] == "2026-01-31"
    assert certificate.expires_at == D(2026, 2, 28)


def test_a_fixed_date(contact, course, access, alice, clock):
    set_expiry(course, expiry="date", expiry_date=D(2026, 12, 31))
    clock(2026, 1, 31, 12)

    certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)

    assert certificate.expires_at == D(2026, 12, 31)
    assert certificate.snapshot["expires_on"] == "2026-12-31"
    assert certificate.snapshot["expiry_date"] == "31 December 2026"


def test_the_expiry_date_prints_in_the_schools_language(
    project, contact, course, access, alice, clock
):
    project.language = "uk"
    project.save()
    set_expiry(course, expiry="months", expiry_months=1)
    clock(2026, 1, 31, 12)

    certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)

    assert certificate.snapshot["expiry_date"] == "28 лютого 2026"


# The placeholder -------------------------------------------------------------------------------


def test_expiry_date_is_a_known_placeholder():
    assert validate_template_html("<p>Valid until {{ expiry_date }}</p>") == []


def test_the_placeholder_fills_from_the_snapshot():
    html = fill_placeholders("<p>Until {{ expiry_date }}</p>", {"expiry_date": "28 February 2026"})
    assert html == "<p>Until 28 February 2026</p>"


def test_the_placeholder_prints_in_the_pdf(project, contact, course, access, alice, clock):
    template = TemplateFactory(
        project=project, html="<p>Valid until {{ expiry_date }}</p><p>{{ certificate_number }}</p>"
    )
    set_expiry(course, expiry="months", expiry_months=1, template=template)
    clock(2026, 1, 31, 12)
    certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)

    reader = PdfReader(io.BytesIO(certificate_pdf(certificate=certificate)))
    text = "\n".join(page.extract_text() for page in reader.pages)

    assert "Valid until 28 February 2026" in text


# Settings ----------------------------------------------------------------------------------------


def _save(course, **expiry):
    return course_certificate_save(
        course=course, template=course.certificate.template, title="Certificate", **expiry
    )


def test_settings_keep_only_what_the_mode_needs(course, clock):
    clock(2026, 1, 31, 12)

    saved = _save(course, expiry="months", expiry_months=24, expiry_date=D(2027, 1, 1))
    assert (saved.expiry, saved.expiry_months, saved.expiry_date) == ("months", 24, None)

    saved = _save(course, expiry="date", expiry_date=D(2027, 1, 1), expiry_months=24)
    assert (saved.expiry, saved.expiry_months, saved.expiry_date) == ("date", None, D(2027, 1, 1))

    saved = _save(course, expiry="never", expiry_date=D(2027, 1, 1))
    assert (saved.expiry, saved.expiry_months, saved.expiry_date) == ("never", None, None)


@pytest.mark.parametrize(
    ("expiry", "message"),
    [
        ({"expiry": "date"}, "Enter the date the certificates expire."),
        (
            {"expiry": "date", "expiry_date": D(2026, 1, 31)},
            "The expiry date must be in the future.",
        ),
        ({"expiry": "months"}, "The validity is a number of months from 1 to 1200."),
        (
            {"expiry": "months", "expiry_months": 0},
            "The validity is a number of months from 1 to 1200.",
        ),
        ({"expiry": "weeks"}, "Choose when the certificate expires."),
    ],
)
def test_settings_refuse_incomplete_expiry(course, clock, expiry, message):
    clock(2026, 1, 31, 12)
    with pytest.raises(CertificateError, match=message):
        _save(course, **expiry)


def test_a_saved_date_that_has_passed_does_not_block_other_changes(course, clock):
    clock(2026, 1, 1, 12)
    _save(course, expiry="date", expiry_date=D(2026, 1, 15))
    clock(2026, 2, 1, 12)

    saved = _save(course, expiry="date", expiry_date=D(2026, 1, 15))

    assert saved.expiry_date == D(2026, 1, 15)


def test_the_database_refuses_a_mode_without_its_value(course):
    with pytest.raises(IntegrityError), transaction.atomic():
        CourseCertificate.objects.filter(course=course).update(expiry="months", expiry_months=None)


def test_the_settings_page_saves_expiry(staff_client, project, course):
    url = reverse("staff:course_certificate", args=[project.slug, course.public_id])
    page = staff_client.get(url)
    assert "Expires a number of months after issue" in page.content.decode()
    data = {
        "template": course.certificate.template_id,
        "title": "Certificate",
        "number_format": "{prefix}-{year}-{seq:06}",
        "completion": "all",
        "expiry": "months",
        "expiry_months": "18",
    }

    response = staff_client.post(url, data)

    assert response.status_code == 302
    course.certificate.refresh_from_db()
    assert (course.certificate.expiry, course.certificate.expiry_months) == ("months", 18)


def test_the_settings_page_asks_for_the_months(staff_client, project, course):
    url = reverse("staff:course_certificate", args=[project.slug, course.public_id])
    data = {
        "template": course.certificate.template_id,
        "title": "Certificate",
        "number_format": "{prefix}-{year}-{seq:06}",
        "completion": "all",
        "expiry": "months",
    }

    response = staff_client.post(url, data)

    assert response.status_code == 200
    assert "Enter the number of months." in response.content.decode()
    course.certificate.refresh_from_db()
    assert course.certificate.expiry == "never"
