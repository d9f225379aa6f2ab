"""Courses → All reports → Certificates, its CSV / XLSX export and the big-export job page."""

import csv
import tempfile
from urllib.parse import urlencode

from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access import project_object, staff_view
from accounts.services import membership_report_columns_save
from certificates import archives, exports, report
from certificates.models import ExportJob

# (sort name, column heading) of the sortable columns, in table order.
SORTABLE = {
    "number": gettext_lazy("Number"),
    "name": gettext_lazy("Participant"),
    "course": gettext_lazy("Course"),
    "issued": gettext_lazy("Issue date"),
}


def _sort_headers(current: str) -> dict:
    """Per sortable column: its label, aria-sort state and the sort a click asks for."""
    headers = {}
    for name, label in SORTABLE.items():
        active = current.removeprefix("-") == name
        descending = current.startswith("-")
        headers[name] = {
            "label": label,
            "aria": ("descending" if descending else "ascending") if active else "",
            # Dates start newest first; text columns A to Z. A second click flips.
            "next": (name if descending else f"-{name}")
            if active
            else (f"-{name}" if name == "issued" else name),
        }
    return headers


@staff_view
def certificates_report(request):
    form = report.ReportForm(request.GET, project=request.project)
    filters = form.filters()
    page, totals = report.report(
        project=request.project, filters=filters, cursor=request.GET.get("cursor")
    )
    partial = request.htmx and not request.htmx.history_restore_request
    context = {
        "section": "reports",
        "form": form,
        "filters": filters,
        "page": page,
        "totals": totals,
        "headers": _sort_headers(filters.sort),
        "columns": report.visible_columns(request.membership.report_columns),
        "optional_columns": report.OPTIONAL_COLUMNS,
        # Over the limit the XLSX button becomes a POST form: it starts a background job.
        "export_params": exports.filter_params(request.GET),
        "export_inline_max": exports.EXPORT_INLINE_MAX_ROWS,
        "partial": partial,
    }
    template = (
        "staff/reports/_certificates_results.html" if partial else "staff/reports/certificates.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_POST
@staff_view
def report_columns(request):
    """Remember the columns this person wants, then back to the report as it was."""
    chosen = [name for name in request.POST.getlist("columns") if name in report.OPTIONAL_COLUMNS]
    membership_report_columns_save(membership=request.membership, columns=chosen)
    query = urlencode(exports.filter_params(request.POST))
    url = reverse("staff:certificates_report", args=[request.project.slug])
    return redirect(f"{url}?{query}" if query else url)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view
def certificates_export(request):
    data = request.POST if request.method == "POST" else request.GET
    fmt = data.get("format", "csv")
    if fmt not in ("csv", "xlsx", "zip", "pdf"):
        raise Http404("Unknown export format")
    filters = report.ReportForm(data, project=request.project).filters()
    if fmt in ("zip", "pdf"):
        return _pdfs_download(request, data, fmt, filters)
    filename = f"certificates-{timezone.localdate().isoformat()}"
    if fmt == "csv":
        return _csv_response(
            report.export_table(project=request.project, filters=filters), filename
        )
    rows = report.filtered(project=request.project, filters=filters)
    # Counting stops past the limit: a 100,000-row list costs no more to size than a 5,001 one.
    if rows[: exports.EXPORT_INLINE_MAX_ROWS + 1].count() <= exports.EXPORT_INLINE_MAX_ROWS:
        return _xlsx_response(request.project, filters, filename)
    if request.method != "POST":
        # Starting a job writes a row; a GET (a bookmarked link) only offers the button.
        params = exports.filter_params(data)
        context = {"section": "reports", "total": rows.count(), "params": params}
        return render(request, "staff/reports/export_large.html", context)
    job = exports.export_job_start(project=request.project, actor=request.user, data=data)
    return redirect("staff:export_job", request.project.slug, job.public_id)


def _pdfs_download(request, data, fmt, filters):
    """The PDFs as a ZIP or one merged PDF: always a background job, and a GET asks first."""
    total = report.filtered(project=request.project, filters=filters).count()
    too_many = fmt == ExportJob.Format.PDF and total > archives.MERGED_PDF_MAX
    if request.method != "POST" or too_many or not total:
        context = {
            "section": "reports",
            "total": total,
            "params": exports.filter_params(data),
            "export_format": fmt,
            "format_label": ExportJob.Format(fmt).label,
            "too_many": too_many,
            "merged_max": archives.MERGED_PDF_MAX,
        }
        return render(request, "staff/reports/download_pdfs.html", context)
    job = exports.export_job_start(project=request.project, actor=request.user, data=data, fmt=fmt)
    return redirect("staff:export_job", request.project.slug, job.public_id)


@require_safe
@staff_view
def export_job(request, job_id):
    job = project_object(ExportJob.objects.select_related("created_by"), request, public_id=job_id)
    template = (
        "staff/reports/_export_progress.html" if request.htmx else "staff/reports/export_job.html"
    )
    response = render(request, template, {"section": "reports", "job": job})
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_safe
@staff_view
def export_download(request, job_id):
    job = project_object(
        ExportJob.objects.exclude(file=""),
        request,
        public_id=job_id,
        status=ExportJob.Status.FINISHED,
    )
    try:
        handle = job.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("The file was cleaned up") from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=job.filename,
        content_type=exports.CONTENT_TYPES[job.format],
    )
    response["Cache-Control"] = "private, no-store"
    return response


class _Echo:
    """csv.writer wants a file; this one hands each formatted line straight back."""

    def write(self, value):
        return value


def _csv_response(rows, filename):
    writer = csv.writer(_Echo())

    def lines():
        # The BOM tells Excel the file is UTF-8, or Cyrillic names come out garbled.
        yield "\ufeff" + writer.writerow(report.export_headings())
        for cells in rows:
            yield writer.writerow(["" if cell is None else cell for cell in cells])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _xlsx_response(project, filters, filename):
    output = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes it when sent
    exports.write_xlsx(output, project=project, filters=filters)
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type=exports.XLSX_CONTENT_TYPE,
    )
