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


@pytest.fixture
def issued(python_cc, contact, alice):
    """Олена's forced manual certificate, and an automatic one for Bohdan."""
    bohdan = ContactFactory(project=python_cc.project, name="Bohdan", email="b@example.com")
    CertificateFactory(
        course_certificate=python_cc, contact=bohdan, number="PY-2026-000001", issued_at=ISSUED
    )
    return CertificateFactory(
        course_certificate=python_cc,
        contact=contact,
        number="PY-2026-000002",
        issued_at=ISSUED + datetime.timedelta(days=1),
        method="manual",
        issued_by=alice,
        forced=True,
    )


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
    assert header[:6] == ["Number", "Participant", "Email", "Course", "Certificate", "Issue date"]
    assert rows == [
        [
            "PY-2026-000002",
            "Олена Коваленко",
            "olena@example.com",
            "Python",
            "Python cert",
            "2026-03-11 11:30:00",
            "manual",
            "alice@example.com",
            "yes",
            "1",
            "",
            "",
            "",
        ],
        [
            "PY-2026-000001",
            "Bohdan",
            "b@example.com",
            "Python",
            "Python cert",
            "2026-03-10 11:30:00",
            "automatic",
            "",
            "",
            "1",
            "",
            "",
            "",
        ],
    ]


def test_csv_follows_the_filters_and_sort(staff_client, project, issued):
    _header, *rows = read_csv(export(staff_client, project, format="csv", method="manual"))
    assert [row[0] for row in rows] == ["PY-2026-000002"]
    _header, *rows = read_csv(export(staff_client, project, format="csv", sort="name"))
    assert [row[1] for row in rows] == ["Bohdan", "Олена Коваленко"]
    _header, *rows = read_csv(export(staff_client, project, format="csv", q="nobody"))
    assert rows == []


def test_csv_includes_deleted_only_when_asked_with_date_and_by_whom(
    staff_client, project, issued, python_cc, alice
):
    CertificateFactory(
        course_certificate=python_cc,
        number="PY-2026-000003",
        issued_at=ISSUED,
        deleted_at=ISSUED + datetime.timedelta(hours=2),
        deleted_by=alice,
    )
    _header, *rows = read_csv(export(staff_client, project, format="csv"))
    assert "PY-2026-000003" not in [row[0] for row in rows]
    _header, *rows = read_csv(export(staff_client, project, format="csv", deleted="on"))
    deleted = next(row for row in rows if row[0] == "PY-2026-000003")
    assert deleted[-2:] == ["2026-03-10 13:30:00", "alice@example.com"]


def test_xlsx_opens_in_openpyxl_with_the_same_rows(staff_client, project, issued, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 20, 0, 30, tzinfo=KYIV), tick=False)
    response = export(staff_client, project, format="xlsx")
    assert response.status_code == 200
    assert 'filename="certificates-2026-03-20.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:2] == ("Number", "Participant")
    assert rows[1][:6] == (
        "PY-2026-000002",
        "Олена Коваленко",
        "olena@example.com",
        "Python",
        "Python cert",
        datetime.datetime(2026, 3, 11, 11, 30),
    )
    assert rows[1][6:10] == ("manual", "alice@example.com", "yes", 1)
    assert rows[2][0] == "PY-2026-000001"
    assert len(rows) == 3


def test_outdated_template_is_flagged_in_the_export(staff_client, project, issued, python_cc):
    from certificates.services import template_save

    template = python_cc.template
    template.html += "<p>v2</p>"
    template_save(template=template)
    CertificateFactory(course_certificate=python_cc, number="PY-2026-000009")
    _header, *rows = read_csv(export(staff_client, project, format="csv"))
    flags = {row[0]: (row[9], row[10]) for row in rows}
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
