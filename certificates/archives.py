"""Bulk download of the Certificates report's PDFs: one ZIP, or one merged PDF.

Both are built by an ExportJob in the worker (exports.export_job_run) into a temporary file,
one certificate at a time, so memory stays flat however many there are: the ZIP stores each
PDF as it is read from storage (ZIP_STORED: PDFs are compressed already), in chunks. A
certificate whose file is missing is rendered again, as a download would.

A merged PDF keeps every page object until it is written, so its memory grows with the list;
it is offered up to MERGED_PDF_MAX certificates, and the ZIP for more.
"""

import io
import re
import shutil
import unicodedata
import zipfile

from pypdf import PdfReader, PdfWriter

from . import report, services
from .models import Certificate

ZIP_CONTENT_TYPE = "application/zip"
PDF_CONTENT_TYPE = "application/pdf"
MERGED_PDF_MAX = 1_000
# One small UPDATE of the job's progress per this many certificates.
PROGRESS_EVERY = 50
CHUNK = 64 * 1024
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def safe_filename(number: str, name: str, *, extension: str = "pdf") -> str:
    """`<number>-<name>.pdf`, safe on every system: no path separators, reserved or control
    characters, no leading dots, at most 150 characters. Letters of any alphabet stay."""
    text = unicodedata.normalize("NFC", f"{number}-{name}")
    text = _UNSAFE.sub("_", text)
    text = re.sub(r"\s+", " ", text).strip(" .")[:150] or "certificate"
    return f"{text}.{extension}"


def certificates(*, project, filters: report.Filters):
    """The filtered certificates in the report's order, streamed: only what a file needs."""
    qs = report.filtered(project=project, filters=filters)
    qs = report.ordered(qs, filters.sort, project=project)
    return (
        qs.select_related("contact", "template_revision")
        .only(
            "number", "pdf", "project_id", "snapshot", "code", "contact__name", "template_revision"
        )
        .iterator(chunk_size=200)
    )


def _stored(certificate: Certificate) -> bool:
    return bool(certificate.pdf) and certificate.pdf.storage.exists(certificate.pdf.name)


def _copy_pdf(certificate: Certificate, out) -> None:
    if _stored(certificate):
        with certificate.pdf.open("rb") as handle:
            shutil.copyfileobj(handle, out, CHUNK)
    else:
        out.write(services.certificate_store_pdf(certificate=certificate))


def _pdf_bytes(certificate: Certificate) -> bytes:
    if _stored(certificate):
        with certificate.pdf.open("rb") as handle:
            return handle.read()
    return services.certificate_store_pdf(certificate=certificate)


def write_zip(output, *, project, filters: report.Filters, progress=None) -> int:
    """Write the filtered certificates' PDFs into a ZIP on `output`; return how many."""
    count = 0
    used = set()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for count, certificate in enumerate(certificates(project=project, filters=filters), 1):
            name = safe_filename(certificate.number, certificate.contact.name)
            if name in used:  # two numbers that differ only in unsafe characters
                name = safe_filename(f"{certificate.number}-{count}", certificate.contact.name)
            used.add(name)
            with archive.open(name, "w") as entry:
                _copy_pdf(certificate, entry)
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(count)
    return count


def write_merged_pdf(output, *, project, filters: report.Filters, progress=None) -> int:
    """Write the filtered certificates' pages, in the report's order, as one PDF."""
    writer = PdfWriter()
    count = 0
    for count, certificate in enumerate(certificates(project=project, filters=filters), 1):
        if count > MERGED_PDF_MAX:
            raise ValueError(f"More than {MERGED_PDF_MAX} certificates: download a ZIP instead.")
        writer.append(
            PdfReader(io.BytesIO(_pdf_bytes(certificate))), outline_item=certificate.number
        )
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    writer.write(output)
    return count
