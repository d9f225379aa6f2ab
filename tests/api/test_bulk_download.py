"""Bulk download from the Certificates report: a ZIP of the PDFs, or one merged PDF."""

import io
import os
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from certificates import archives, exports
from certificates.models import Certificate, ExportJob
from certificates.services import template_current_revision
from contacts.models import Contact


def _pdf(pad: int = 0) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=100)
    if pad:  # incompressible bulk, so a file held in memory would show in the process's RSS
        writer.add_attachment("pad.bin", os.urandom(pad))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _certificates(course, count, *, pdf=b"", names=None):
    """`count` certificates sharing one stored PDF file (their files are already rendered)."""
    cc = course.certificate
    stored = Certificate._meta.get_field("pdf").storage.save(
        "certificates/shared.pdf", ContentFile(pdf)
    )
    contacts = Contact.objects.bulk_create(
        Contact(project=cc.project, name=(names[n] if names else f"Student {n:04}"))
        for n in range(count)
    )
    revision = template_current_revision(cc.template)
    now = timezone.now()
    return Certificate.objects.bulk_create(
        Certificate(
            project=cc.project,
            contact=contact,
            course_certificate=cc,
            template_revision=revision,
            number=f"PY-{n:06}",
            sequence=n + 1,
            code=f"CODE{n:012}",
            issued_at=now - timezone.timedelta(seconds=n),
            method="automatic",
            snapshot={},
            pdf=stored,
        )
        for n, contact in enumerate(contacts)
    )


def _rss_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def test_safe_file_names():
    assert archives.safe_filename("PY-2026-000001", "Олена Коваленко") == (
        "PY-2026-000001-Олена Коваленко.pdf"
    )
    assert archives.safe_filename("A/1", '..\\evil:"name"*?<>|\n') == "A_1-.._evil_name_.pdf"
    assert archives.safe_filename("", "...") == "-.pdf"
    assert len(archives.safe_filename("N", "x" * 500)) == 154


def test_a_zip_of_1000_certificates_keeps_memory_flat(project, course, tmp_path):
    pdf = _pdf(pad=100_000)
    _certificates(course, 1000, pdf=pdf)
    filters = exports.report.Filters()
    samples = []
    baseline = _rss_bytes()
    with open(tmp_path / "out.zip", "w+b") as output:
        count = archives.write_zip(
            output,
            project=project,
            filters=filters,
            progress=lambda n: samples.append(_rss_bytes()),
        )
        size = output.tell()
    growth = max(samples) - baseline
    print(f"ZIP of 1,000 PDFs ({size / 1e6:.0f} MB): RSS growth {growth / 1e6:.1f} MB")
    assert count == 1000
    assert len(samples) == 20  # every 50 certificates
    assert size > 100_000_000  # 1,000 × ~100 kB: far more than the bound below
    assert growth < 50_000_000
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        names = archive.namelist()
        assert names[:2] == ["PY-000000-Student 0000.pdf", "PY-000001-Student 0001.pdf"]
        assert len(set(names)) == 1000
        info = archive.getinfo(names[0])
        assert info.compress_type == zipfile.ZIP_STORED
        assert archive.read(names[999]) == pdf


def test_the_report_starts_a_zip_job_after_asking(
    staff_client, project, course, django_capture_on_commit_callbacks
):
    _certificates(course, 3, pdf=_pdf(), names=["Анна", "Boris", "Chen"])
    confirm = staff_client.get("/staff/demo/reports/certificates/export/?format=zip&q=Boris")
    assert "Download <strong>1</strong> certificate of the filtered list?" in confirm.text
    assert not ExportJob.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        started = staff_client.post(
            "/staff/demo/reports/certificates/export/", {"format": "zip", "q": "Boris"}
        )
    job = ExportJob.objects.get()
    assert started.url == f"/staff/demo/exports/{job.public_id}/"
    job.refresh_from_db()  # tasks run in-process in tests: the job is done after commit
    assert (job.format, job.status, job.total, job.done) == ("zip", "finished", 1, 1)
    download = staff_client.get(f"/staff/demo/exports/{job.public_id}/download/")
    assert download["Content-Type"] == "application/zip"
    assert download["Content-Disposition"].endswith('.zip"')
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
        assert archive.namelist() == ["PY-000001-Boris.pdf"]


def test_one_merged_pdf_in_the_reports_order(
    staff_client, project, course, django_capture_on_commit_callbacks
):
    _certificates(course, 3, pdf=_pdf())
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            "/staff/demo/reports/certificates/export/", {"format": "pdf", "sort": "-number"}
        )
    job = ExportJob.objects.get()
    assert (job.format, job.status) == ("pdf", "finished")
    download = staff_client.get(f"/staff/demo/exports/{job.public_id}/download/")
    assert download["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    assert len(reader.pages) == 3
    assert [item.title for item in reader.outline] == ["PY-000002", "PY-000001", "PY-000000"]


def test_a_merged_pdf_over_the_limit_offers_the_zip(staff_client, project, course, monkeypatch):
    monkeypatch.setattr(archives, "MERGED_PDF_MAX", 2)
    _certificates(course, 3, pdf=_pdf())
    response = staff_client.post("/staff/demo/reports/certificates/export/", {"format": "pdf"})
    assert response.status_code == 200
    assert "one merged PDF holds at most 2" in response.text
    assert not ExportJob.objects.exists()


@pytest.fixture
def staff_client(client, alice):
    client.force_login(alice)
    return client
