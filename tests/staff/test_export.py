import csv
import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import CertificateFactory, ContactFactory, CourseCertificateFactory

KYIV = ZoneInfo("Europe/Kyiv")
ISSUED = datetime.datetime(2026, 3, 10, 9, 30, tzinfo=datetime.UTC)  # 11:30 in Kyiv


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://lms.example.org"


@pytest.fixture
def issued(python_cc, contact, alice):
    """Олена's forced manual certificate (printed in Latin letters, expiring), and an
    automatic one for Bohdan that never expires."""
    bohdan = ContactFactory(project=python_cc.project, name="Bohdan", email="b@example.com")
    CertificateFactory(
        course_certificate=python_cc,
        contact=bohdan,
        number="PY-2026-000001",
        code="BOHDANCODE234567",
        issued_at=ISSUED,
    )
    return CertificateFactory(
        course_certificate=python_cc,
        contact=contact,
        number="PY-2026-000002",
        code="OLENACODE2345672",
        printed_name="Olena Kovalenko",
        issued_at=ISSUED + datetime.timedelta(days=1),
        expires_at=datetime.date(2027, 3, 11),
        method="manual",
        issued_by=alice,
        forced=True,
    )


HEADINGS = [
    "Number",
    "Participant",
    "Printed name",
    "Email",
    "Course",
    "Certificate",
    "Issue date",
    "Expires",
    "Method",
    "Issued by",
    "Issued before completion",
    "Template version",
    "Outdated template",
    "Deleted",
    "Deleted by",
    "Deletion reason",
    "Replaced by",
    "Verification URL",
]


def export(client, project, **params):
    return client.get(reverse("staff:certificates_export", args=[project.slug]), params)


def read_csv(response):
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_lists_the_filtered_certificates_with_cyrillic_intact(
    staff_client, project, issued, time_machine
):
    # 00:30 on 20 March in Kyiv, still the 19th in UTC: the file is named after Kyiv's day.
    time_machine.move_to(datetime.datetime(2026, 3, 20, 0, 30, tzinfo=KYIV), tick=False)
    response = export(staff_client, project, format="csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="certificates-2026-03-20.csv"'
    header, *rows = read_csv(response)
    assert header == HEADINGS
    assert rows == [
        [
            "PY-2026-000002",
            "Олена Коваленко",
            "Olena Kovalenko",
            "olena@example.com",
            "Python",
            "Python cert",
            "2026-03-11 11:30:00",
            "2027-03-11",
            "manual",
            "alice@example.com",
            "yes",
            "1",
            "",
            "",
            "",
            "",
            "",
            "https://lms.example.org/verify/OLENACODE2345672/",
        ],
        [
            "PY-2026-000001",
            "Bohdan",
            "Bohdan",
            "b@example.com",
            "Python",
            "Python cert",
            "2026-03-10 11:30:00",
            "",
            "automatic",
            "",
            "",
            "1",
            "",
            "",
            "",
            "",
            "",
            "https://lms.example.org/verify/BOHDANCODE234567/",
        ],
    ]


def test_csv_follows_the_filters_and_sort(staff_client, project, issued):
    _header, *rows = read_csv(export(staff_client, project, format="csv", method="manual"))
    assert [row[0] for row in rows] == ["PY-2026-000002"]
    _header, *rows = read_csv(export(staff_client, project, format="csv", sort="name"))
    assert [row[1] for row in rows] == ["Bohdan", "Олена Коваленко"]
    _header, *rows = read_csv(export(staff_client, project, format="csv", q="nobody"))
    assert rows == []


def test_csv_includes_deleted_only_when_asked_with_date_by_whom_why_and_the_replacement(
    staff_client, project, issued, python_cc, alice
):
    old = CertificateFactory(
        course_certificate=python_cc,
        number="PY-2026-000003",
        code="OLDCODE234567ABC",
        issued_at=ISSUED,
        deleted_at=ISSUED + datetime.timedelta(hours=2),
        deleted_by=alice,
        delete_reason="=Name corrected",
    )
    CertificateFactory(
        course_certificate=python_cc, contact=old.contact, number="PY-2026-000004", replaces=old
    )
    _header, *rows = read_csv(export(staff_client, project, format="csv"))
    assert "PY-2026-000003" not in [row[0] for row in rows]
    _header, *rows = read_csv(export(staff_client, project, format="csv", deleted="on"))
    deleted = next(row for row in rows if row[0] == "PY-2026-000003")
    assert deleted[13:] == [
        "2026-03-10 13:30:00",
        "alice@example.com",
        "'=Name corrected",  # typed by staff, still never a formula
        "PY-2026-000004",
        "https://lms.example.org/verify/OLDCODE234567ABC/",
    ]
    replacement = next(row for row in rows if row[0] == "PY-2026-000004")
    assert replacement[13:17] == ["", "", "", ""]


def test_replaced_by_costs_no_query_per_row(
    staff_client, project, python_cc, alice, django_assert_num_queries
):
    for n in range(1, 11):
        old = CertificateFactory(
            course_certificate=python_cc,
            number=f"OLD-{n}",
            deleted_at=ISSUED,
            deleted_by=alice,
            delete_reason="reissued",
        )
        CertificateFactory(course_certificate=python_cc, number=f"NEW-{n}", replaces=old)
    # session, user, membership, the course certificates of the filter bar, the rows
    with django_assert_num_queries(5):
        rows = read_csv(export(staff_client, project, format="csv", deleted="on"))[1:]
    replaced = {row[0]: row[16] for row in rows if row[0].startswith("OLD-")}
    assert replaced == {f"OLD-{n}": f"NEW-{n}" for n in range(1, 11)}
    # XLSX counts the rows first (a big list becomes a job), then the same one query of rows.
    with django_assert_num_queries(6):
        response = export(staff_client, project, format="xlsx", deleted="on")
        body = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(body)).active
    replaced = {row[0]: row[16] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert {k: v for k, v in replaced.items() if k.startswith("OLD-")} == {
        f"OLD-{n}": f"NEW-{n}" for n in range(1, 11)
    }


def test_xlsx_opens_in_openpyxl_with_the_same_rows(staff_client, project, issued, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 20, 0, 30, tzinfo=KYIV), tick=False)
    response = export(staff_client, project, format="xlsx")
    assert response.status_code == 200
    assert 'filename="certificates-2026-03-20.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert list(rows[0]) == HEADINGS
    assert rows[1] == (
        "PY-2026-000002",
        "Олена Коваленко",
        "Olena Kovalenko",
        "olena@example.com",
        "Python",
        "Python cert",
        datetime.datetime(2026, 3, 11, 11, 30),
        datetime.datetime(2027, 3, 11, 0, 0),  # a date cell (openpyxl reads dates back so)
        "manual",
        "alice@example.com",
        "yes",
        1,
        None,
        None,
        None,
        None,
        None,
        "https://lms.example.org/verify/OLENACODE2345672/",
    )
    assert rows[2][:8] == (
        "PY-2026-000001",
        "Bohdan",
        "Bohdan",
        "b@example.com",
        "Python",
        "Python cert",
        datetime.datetime(2026, 3, 10, 11, 30),
        None,  # never expires
    )
    assert len(rows) == 3


def test_xlsx_has_a_bold_frozen_filtered_header_and_fitted_widths(staff_client, project, issued):
    response = export(staff_client, project, format="xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [cell.font.b for cell in sheet[1]] == [True] * 18
    assert {cell.font.b for cell in sheet[2]} == {False}
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:R3"
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCDGHPR"}
    assert widths == {
        "A": 16,  # "PY-2026-000002" (14) + 2
        "B": 17,  # "Олена Коваленко" (15) + 2
        "C": 17,  # "Olena Kovalenko" (15) + 2 > "Printed name" (12) + the filter button + 1
        "D": 19,  # "olena@example.com" (17) + 2
        "G": 21,  # a date and time, "2026-03-11 11:30:00" (19) + 2
        "H": 12,  # "2027-03-11" (10) + 2 > "Expires" (7) + 4
        "P": 19,  # "Deletion reason" (15) + 4, the column being empty
        "R": 50,  # "https://lms.example.org/verify/OLENACODE2345672/" (48) + 2
    }


def test_xlsx_widths_are_capped_and_measured_on_the_first_rows_only(
    staff_client, project, python_cc, monkeypatch
):
    from certificates import exports

    monkeypatch.setattr(exports, "WIDTH_SAMPLE_ROWS", 2)
    python_cc.course.title = "A course whose title goes on " + "and on " * 20
    python_cc.course.save()
    for n, name in enumerate(["Ann", "Bo", "A participant named at great length"], 1):
        CertificateFactory(
            course_certificate=python_cc,
            contact=ContactFactory(project=project, name=name),
            number=f"N-{n}",
            issued_at=ISSUED - datetime.timedelta(days=n),
        )
    response = export(staff_client, project, format="xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.column_dimensions["E"].width == exports.MAX_COLUMN_WIDTH == 60
    # the long name is the third row, past the sample: it is written, not measured
    assert sheet["B4"].value == "A participant named at great length"
    assert sheet.column_dimensions["B"].width == len("Participant") + 4
    assert sheet.auto_filter.ref == "A1:R4"


def test_outdated_template_is_flagged_in_the_export(staff_client, project, issued, python_cc):
    from certificates.services import template_save

    template = python_cc.template
    template.html += "<p>v2</p>"
    template_save(template=template)
    CertificateFactory(course_certificate=python_cc, number="PY-2026-000009")
    _header, *rows = read_csv(export(staff_client, project, format="csv"))
    flags = {row[0]: (row[11], row[12]) for row in rows}
    assert flags == {
        "PY-2026-000009": ("2", ""),
        "PY-2026-000002": ("1", "yes"),
        "PY-2026-000001": ("1", "yes"),
    }
    _header, *rows = read_csv(export(staff_client, project, format="csv", outdated="on"))
    assert sorted(row[0] for row in rows) == ["PY-2026-000001", "PY-2026-000002"]


def test_unknown_format_is_404(staff_client, project, issued):
    assert export(staff_client, project, format="docx").status_code == 404


def test_foreign_project_answers_404(client, charlie, project, issued):
    client.force_login(charlie)
    assert export(client, project, format="csv").status_code == 404


def test_export_never_includes_another_projects_certificates(staff_client, project, issued):
    other_cc = CourseCertificateFactory()
    CertificateFactory(course_certificate=other_cc, number="THEIRS-1")
    _header, *rows = read_csv(export(staff_client, project, format="csv"))
    assert sorted(row[0] for row in rows) == ["PY-2026-000001", "PY-2026-000002"]
