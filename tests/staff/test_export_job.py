import datetime
import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from certificates import exports
from certificates.exports import export_job_run, export_job_start, export_jobs_cleanup
from certificates.models import ExportJob
from tests.factories import CertificateFactory, ContactFactory

ISSUED = datetime.datetime(2026, 3, 10, 9, 30, tzinfo=datetime.UTC)  # 11:30 in Kyiv


@pytest.fixture
def limit(monkeypatch):
    """Lists of more than 2 rows count as big."""
    monkeypatch.setattr(exports, "EXPORT_INLINE_MAX_ROWS", 2)
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 2)


@pytest.fixture
def issued(python_cc, contact, alice):
    """Four certificates of `python_cc`: Олена's is manual and forced, one is deleted."""
    made = [
        CertificateFactory(
            course_certificate=python_cc,
            contact=ContactFactory(project=python_cc.project, name=name, email=f"{name}@x.org"),
            number=f"PY-2026-00000{i}",
            issued_at=ISSUED + datetime.timedelta(days=i),
        )
        for i, name in enumerate(["bohdan", "iryna"], start=1)
    ]
    made.append(
        CertificateFactory(
            course_certificate=python_cc,
            contact=contact,
            number="PY-2026-000003",
            issued_at=ISSUED + datetime.timedelta(days=3),
            method="manual",
            issued_by=alice,
            forced=True,
        )
    )
    made.append(
        CertificateFactory(
            course_certificate=python_cc,
            contact=ContactFactory(project=python_cc.project, name="yurii", email="yurii@x.org"),
            number="PY-2026-000004",
            issued_at=ISSUED,
            deleted_at=ISSUED + datetime.timedelta(hours=1),
        )
    )
    return made


def export_url(project):
    return reverse("staff:certificates_export", args=[project.slug])


def job_url(job, name="staff:export_job"):
    return reverse(name, args=[job.project.slug, job.public_id])


def xlsx_rows(content: bytes) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return list(workbook.active.iter_rows(values_only=True))


def inline_rows(client, project, **params) -> list[tuple]:
    response = client.get(export_url(project), {"format": "xlsx", **params})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    return xlsx_rows(b"".join(response.streaming_content))


def start(client, project, django_capture_on_commit_callbacks, *, run=True, **params):
    with django_capture_on_commit_callbacks(execute=run):
        return client.post(export_url(project), {"format": "xlsx", **params})


def test_a_small_xlsx_is_still_built_in_the_request(staff_client, project, issued):
    rows = inline_rows(staff_client, project)
    assert [row[0] for row in rows[1:]] == ["PY-2026-000003", "PY-2026-000002", "PY-2026-000001"]
    assert not ExportJob.objects.exists()


def test_get_on_a_big_xlsx_offers_the_post_button_and_creates_nothing(
    staff_client, project, issued, limit
):
    response = staff_client.get(export_url(project), {"format": "xlsx", "sort": "name"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Prepare the XLSX file" in html
    assert 'method="post"' in html and "csrfmiddlewaretoken" in html
    assert '<input type="hidden" name="sort" value="name">' in html
    assert not ExportJob.objects.exists()


def test_the_report_turns_the_xlsx_button_into_a_post_form_only_when_big(
    staff_client, project, issued, limit
):
    report = reverse("staff:certificates_report", args=[project.slug])
    big = staff_client.get(report, {"sort": "name"}).content.decode()
    assert 'form="report-export-xlsx"' in big
    assert '<input type="hidden" name="sort" value="name">' in big
    small = staff_client.get(report, {"method": "manual"}).content.decode()
    assert 'form="report-export-xlsx"' not in small
    assert "format=xlsx" in small


def test_post_starts_one_job_whose_file_matches_the_filtered_list(
    staff_client, project, issued, alice, limit, django_capture_on_commit_callbacks, monkeypatch
):
    params = {"sort": "name", "deleted": "on", "cursor": "ignored"}
    with monkeypatch.context() as raised:
        raised.setattr(exports, "EXPORT_INLINE_MAX_ROWS", 100)
        inline = inline_rows(staff_client, project, **params)  # the same list, built inline

    response = start(staff_client, project, django_capture_on_commit_callbacks, **params)

    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == job_url(job)
    assert (job.project, job.created_by, job.query) == (project, alice, "deleted=on&sort=name")
    assert (job.status, job.total, job.done) == ("finished", 4, 4)
    assert job.file.name.startswith("exports/")
    page = staff_client.get(job_url(job)).content.decode()
    assert "4 of 4 rows" in page and 'aria-valuenow="100"' in page
    assert job_url(job, "staff:export_download") in page

    download = staff_client.get(job_url(job, "staff:export_download"))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="certificates-')
    rows = xlsx_rows(b"".join(download.streaming_content))
    assert rows == inline
    assert rows[0][:2] == ("Number", "Participant")
    # all four, the deleted one included, in name order
    assert [row[:2] for row in rows[1:]] == [
        ("PY-2026-000001", "bohdan"),
        ("PY-2026-000002", "iryna"),
        ("PY-2026-000004", "yurii"),
        ("PY-2026-000003", "Олена Коваленко"),
    ]
    olena = next(row for row in rows if row[1] == "Олена Коваленко")
    assert olena[6:11] == (
        datetime.datetime(2026, 3, 13, 11, 30),
        None,  # never expires
        "manual",
        "alice@example.com",
        "yes",
    )
    # The worker's file has the same header treatment as the inline one.
    with job.file.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    assert [cell.font.b for cell in sheet[1]] == [True] * 18
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("A2", "A1:R5")
    assert sheet.column_dimensions["B"].width == len("Олена Коваленко") + 2


def test_a_running_job_shows_a_polling_progress_bar(
    staff_client, project, issued, alice, limit, django_capture_on_commit_callbacks, monkeypatch
):
    start(staff_client, project, django_capture_on_commit_callbacks, run=False)
    job = ExportJob.objects.get()
    assert (job.status, job.total) == ("queued", 3)

    page = staff_client.get(job_url(job)).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page  # without JavaScript
    assert "Download</a>" not in page
    partial = staff_client.get(job_url(job), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in partial and "<html" not in partial
    assert "0 of 3 rows" in partial

    # Watch the counter from inside the build: the bar moves every PROGRESS_EVERY rows.
    seen, real_table = [], exports.report.export_table

    def watched_table(**kwargs):
        for cells in real_table(**kwargs):
            seen.append(ExportJob.objects.get(pk=job.pk).done)
            yield cells

    monkeypatch.setattr(exports.report, "export_table", watched_table)
    export_job_run(job_id=job.id)
    assert seen == [0, 0, 2]
    job.refresh_from_db()
    assert (job.status, job.done) == ("finished", 3)
    partial = staff_client.get(job_url(job), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' not in partial and "Download</a>" in partial


def test_a_second_click_while_the_file_is_built_leads_to_the_same_job(
    staff_client, project, issued, limit, django_capture_on_commit_callbacks
):
    first = start(staff_client, project, django_capture_on_commit_callbacks, run=False)
    second = start(staff_client, project, django_capture_on_commit_callbacks, run=False)
    assert first.url == second.url
    assert ExportJob.objects.count() == 1
    other_filters = start(
        staff_client, project, django_capture_on_commit_callbacks, run=False, deleted="on"
    )
    assert other_filters.url != first.url and ExportJob.objects.count() == 2


def test_starting_needs_the_csrf_token(project, issued, alice, limit):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(alice)
    response = csrf_client.post(export_url(project), {"format": "xlsx"})
    assert response.status_code == 403
    assert not ExportJob.objects.exists()


def test_another_school_gets_404_on_the_job_page_and_the_download(
    client, project, issued, alice, charlie, limit
):
    job = export_job_run(job_id=export_job_start(project=project, actor=alice, data={}).id)
    assert job.status == "finished"
    client.force_login(charlie)
    assert client.get(job_url(job)).status_code == 404
    assert client.get(job_url(job, "staff:export_download")).status_code == 404
    other_slug = charlie.memberships.get().project.slug
    for name in ("staff:export_job", "staff:export_download"):
        assert client.get(reverse(name, args=[other_slug, job.public_id])).status_code == 404
    # and their POST cannot start a job in a school that is not theirs
    assert client.post(export_url(project), {"format": "xlsx"}).status_code == 404
    assert ExportJob.objects.count() == 1


def test_download_waits_for_the_file(staff_client, project, issued, alice, limit):
    job = export_job_start(project=project, actor=alice, data={})
    assert staff_client.get(job_url(job, "staff:export_download")).status_code == 404


def test_a_failed_build_records_the_error_and_the_page_says_so(
    staff_client, project, issued, alice, limit, monkeypatch
):
    def broken(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(exports, "write_xlsx", broken)
    started = export_job_start(project=project, actor=alice, data={"sort": "name"})
    job = export_job_run(job_id=started.id)

    assert (job.status, job.error, bool(job.file)) == ("failed", "No space left on device", False)
    assert job.finished_at is not None
    page = staff_client.get(job_url(job)).content.decode()
    assert "The export failed" in page and "No space left on device" in page
    assert 'hx-trigger="every 1s"' not in page and "http-equiv" not in page
    # Try again posts the same filters
    assert 'form="export-retry"' in page
    assert '<input type="hidden" name="sort" value="name">' in page
    assert staff_client.get(job_url(job, "staff:export_download")).status_code == 404


def test_the_job_writes_headings_in_the_language_it_was_asked_in(project, issued, alice, limit):
    with translation.override("uk"):
        job = export_job_start(project=project, actor=alice, data={})
    assert job.language == "uk"
    job = export_job_run(job_id=job.id)  # the worker's language is English
    with job.file.open("rb") as handle:
        headings, olena, *_rest = xlsx_rows(handle.read())
    assert headings == (
        "Номер",
        "Учасник",
        "Надруковане ім'я",
        "Ел. пошта",
        "Курс",
        "Сертифікат",
        "Дата видачі",
        "Діє до",
        "Спосіб",
        "Хто видав",
        "Видано до завершення курсу",
        "Версія шаблону",
        "Застарілий шаблон",
        "Видалено",
        "Хто видалив",
        "Причина видалення",
        "Замінено на",
        "Посилання для перевірки",
    )
    assert (olena[0], olena[8], olena[10]) == ("PY-2026-000003", "вручну", "так")


def test_cleanup_deletes_day_old_jobs_with_their_files(project, issued, alice, limit):
    from django.utils import timezone

    old = export_job_run(job_id=export_job_start(project=project, actor=alice, data={}).id)
    storage, name = old.file.storage, old.file.name
    ExportJob.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    stuck = export_job_start(project=project, actor=alice, data={"deleted": "on"})
    ExportJob.objects.filter(pk=stuck.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=3)
    )
    fresh = export_job_run(job_id=export_job_start(project=project, actor=alice, data={}).id)

    assert export_jobs_cleanup() == 1
    assert not storage.exists(name) and storage.exists(fresh.file.name)
    # A job whose worker died is left to `export_jobs_resume` (tests/faults), not failed here.
    assert set(ExportJob.objects.values_list("pk", "status")) == {
        (stuck.pk, "queued"),
        (fresh.pk, "finished"),
    }
