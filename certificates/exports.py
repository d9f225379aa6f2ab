"""XLSX exports and PDF bulk downloads (ZIP, merged PDF) of the Certificates report.

Up to EXPORT_INLINE_MAX_ROWS rows the file is built in the request (a second or so). A bigger
list takes long enough (about 14 s at 100,000 rows) that it becomes an ExportJob: a worker
builds the file into private storage and the job page shows a progress bar, then Download.
CSV is streamed as it is written, so it never needs a job.

A ZIP of the PDFs or one merged PDF (archives.py) is always such a job.

Finished files are kept for a day: `manage.py export_jobs_cleanup` (run it daily from cron)
deletes older jobs with their files.
"""

import datetime
import logging
import tempfile
from datetime import timedelta
from urllib.parse import urlencode

from django.core.files import File
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from . import archives, events, heartbeat, report
from .models import ExportJob

logger = logging.getLogger(__name__)

EXPORT_INLINE_MAX_ROWS = 5_000
# One small UPDATE per this many rows: a steady bar without a write per row.
PROGRESS_EVERY = 1_000
KEEP_FOR = timedelta(days=1)
# A second click within this long joins the unfinished job instead of starting another.
STALE_AFTER = timedelta(hours=2)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {
    ExportJob.Format.XLSX: XLSX_CONTENT_TYPE,
    ExportJob.Format.ZIP: archives.ZIP_CONTENT_TYPE,
    ExportJob.Format.PDF: archives.PDF_CONTENT_TYPE,
}
UNFINISHED = (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)


def filter_params(data) -> list[tuple[str, str]]:
    """The report's filter and sort parameters in `data`; paging and format are left out."""
    if not isinstance(data, QueryDict):
        data = QueryDict(urlencode(data, doseq=True))
    return [
        (name, value)
        for name in report.ReportForm.base_fields
        for value in data.getlist(name)
        if value
    ]


def job_filters(job: ExportJob) -> report.Filters:
    return report.ReportForm(QueryDict(job.query), project=job.project).filters()


# Column widths are fitted to the headings and the first WIDTH_SAMPLE_ROWS rows. A write-only
# sheet must have its widths before the first row goes out, and reading the list twice (or
# holding 100,000 rows) to measure it would cost more than a slightly narrow column does; the
# first rows are held back, measured, then written, and the rest stream as before.
WIDTH_SAMPLE_ROWS = 500
# Characters: wide enough for a verification URL, narrow enough that one long course title
# or reason does not push the rest of the sheet off the screen (the cell still holds it all).
MAX_COLUMN_WIDTH = 60
# A heading's filter button covers about two characters of it.
FILTER_BUTTON_WIDTH = 3
# What openpyxl's default number formats show: "2026-03-11 11:30:00" and "2026-03-11".
DATETIME_WIDTH, DATE_WIDTH = 19, 10


def _display_width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        return DATETIME_WIDTH
    if isinstance(value, datetime.date):
        return DATE_WIDTH
    return max(len(line) for line in str(value).splitlines() or [""])


def column_widths(headings, rows) -> list[int]:
    """Each column's width in characters: its longest heading or cell, plus a little air."""
    widths = [len(heading) + FILTER_BUTTON_WIDTH for heading in headings]
    for cells in rows:
        for index, cell in enumerate(cells):
            widths[index] = max(widths[index], _display_width(cell) + 1)
    return [min(width + 1, MAX_COLUMN_WIDTH) for width in widths]


def write_xlsx(output, *, project, filters: report.Filters, progress=None) -> int:
    """Write the filtered list to `output` as XLSX; return the number of rows.

    The header row is bold and frozen with an autofilter over the data; column widths come
    from the headings and the first rows (WIDTH_SAMPLE_ROWS). `progress(rows)` is called every
    PROGRESS_EVERY rows read. write_only keeps rows out of memory.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Certificates"))
    headings = report.export_headings()
    lines = iter(report.export_table(project=project, filters=filters))
    rows, sample = 0, []
    for cells in lines:
        rows += 1
        sample.append(cells)
        if progress is not None and rows % PROGRESS_EVERY == 0:
            progress(rows)
        if rows == WIDTH_SAMPLE_ROWS:
            break
    # Widths and the frozen pane are written before the rows: set them first.
    for index, width in enumerate(column_widths(headings, sample), 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_text_cell(sheet, heading, font=bold) for heading in headings])
    for cells in sample:
        sheet.append([_text_cell(sheet, cell) for cell in cells])
    for cells in lines:
        rows += 1
        sheet.append([_text_cell(sheet, cell) for cell in cells])
        if progress is not None and rows % PROGRESS_EVERY == 0:
            progress(rows)
    # The filter goes after the rows in the file, so it can span however many there were.
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headings))}{rows + 1}"
    workbook.save(output)
    return rows


def _text_cell(sheet, value, *, font=None):
    """A cell openpyxl would not store as the text it is, as an explicit text cell.

    openpyxl makes any string starting with "=" a formula and "#N/A" and friends error values.
    The report's cells are already neutralised (report.spreadsheet_text), so this is the
    second lock: whatever slips past it is still written as text. Other values pass as they
    are, and numbers and dates stay typed.
    """
    text = isinstance(value, str) and (value.startswith("=") or value in ERROR_CODES)
    if not text and font is None:
        return value
    cell = WriteOnlyCell(sheet, value)
    if text:
        cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell


def export_job_start(*, project, actor, data, fmt: str = ExportJob.Format.XLSX) -> ExportJob:
    """Queue an export (XLSX, ZIP or merged PDF) of the report filtered by `data`.

    A second click on the same export (same person, same filters) while the first is still
    being built leads to that first job instead of building the file twice.
    """
    query = urlencode(filter_params(data))
    filters = report.ReportForm(QueryDict(query), project=project).filters()
    existing = ExportJob.objects.filter(
        project=project,
        created_by=actor,
        format=fmt,
        query=query,
        status__in=UNFINISHED,
        created_at__gte=timezone.now() - STALE_AFTER,
    ).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        job = ExportJob.objects.create(
            project=project,
            created_by=actor,
            format=fmt,
            query=query,
            language=translation.get_language() or "",
            total=report.filtered(project=project, filters=filters).count(),
        )
        events.send_after_commit(events.export_job_queued, job_id=job.id)
    return job


def _writer(fmt: str):
    """The function that writes a job's file of this format."""
    return {
        ExportJob.Format.XLSX: write_xlsx,
        ExportJob.Format.ZIP: archives.write_zip,
        ExportJob.Format.PDF: archives.write_merged_pdf,
    }[fmt]


class _TakenOver(Exception):
    """Another runner claimed the job (this one was thought dead); stop without a trace."""


# An export claimed this many times died with its worker every time; the next claim fails it.
MAX_ATTEMPTS = 3


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Build the file, or build it again from the start when the last runner died."""
    claim, _first = heartbeat.job_claim(ExportJob, job_id)
    job = ExportJob.objects.select_related("project").filter(pk=job_id).first()
    if claim is None:
        return job  # finished, or another worker is on it
    jobs = ExportJob.objects.filter(pk=job.pk)
    if job.attempts > MAX_ATTEMPTS:
        heartbeat.job_beat(
            ExportJob,
            job.pk,
            claim,
            status=ExportJob.Status.FAILED,
            error=_("Interrupted: the export stopped before it finished."),
            finished_at=timezone.now(),
        )
        job.refresh_from_db()
        return job
    state = {"claim": claim}

    def progress(rows):
        state["claim"] = heartbeat.job_beat(ExportJob, job.pk, state["claim"], done=rows)
        if state["claim"] is None:
            raise _TakenOver

    try:
        with translation.override(job.language or None):
            filters = job_filters(job)
            # The list may have changed since the click; count what will really be written.
            jobs.update(total=report.filtered(project=job.project, filters=filters).count())
            write = _writer(job.format)
            with tempfile.TemporaryFile() as output:
                rows = write(output, project=job.project, filters=filters, progress=progress)
                output.seek(0)
                job.file.save(f"{job.public_id}.{job.format}", File(output), save=False)
    except _TakenOver:
        return job
    except Exception as error:
        logger.exception("Export job %s failed", job.pk)
        heartbeat.job_beat(
            ExportJob,
            job.pk,
            state["claim"],
            status=ExportJob.Status.FAILED,
            error=str(error) or error.__class__.__name__,
            finished_at=timezone.now(),
        )
    else:
        finished = heartbeat.job_beat(
            ExportJob,
            job.pk,
            state["claim"],
            status=ExportJob.Status.FINISHED,
            file=job.file.name,
            total=rows,
            done=rows,
            finished_at=timezone.now(),
        )
        if finished is None:
            job.file.delete(save=False)  # another runner owns the job now: leave no orphan
    job.refresh_from_db()
    return job


def export_jobs_resume() -> int:
    """Queue again every export nobody works on (run every minute by beat); how many."""
    ids = list(heartbeat.stale_jobs(ExportJob).values_list("pk", flat=True))
    for job_id in ids:
        events.export_job_queued.send(sender=None, job_id=job_id)
    return len(ids)


def export_jobs_cleanup(*, now=None) -> int:
    """Delete jobs older than KEEP_FOR with their files (one whose worker died is resumed by
    `export_jobs_resume`, not failed here)."""
    now = now or timezone.now()
    old = list(ExportJob.objects.filter(created_at__lt=now - KEEP_FOR))
    for job in old:
        if job.file:
            job.file.delete(save=False)
        job.delete()
    return len(old)
