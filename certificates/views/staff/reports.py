"""Courses → All reports → Certificates, and its CSV / XLSX export."""

import csv
import tempfile

from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from certificates import report
from certificates.models import Certificate

from .scoping import staff_view

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
    }
    template = (
        "staff/reports/_certificates_results.html" if partial else "staff/reports/certificates.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@staff_view
def certificates_export(request):
    export = {"csv": _csv_response, "xlsx": _xlsx_response}.get(request.GET.get("format", "csv"))
    if export is None:
        raise Http404("Unknown export format")
    filters = report.ReportForm(request.GET, project=request.project).filters()
    rows = map(_cells, report.export_rows(project=request.project, filters=filters))
    filename = f"certificates-{timezone.localdate().isoformat()}"
    return export(rows, filename)


def _headings() -> list[str]:
    return [
        _("Number"),
        _("Participant"),
        _("Email"),
        _("Course"),
        _("Certificate"),
        _("Issue date"),
        _("Method"),
        _("Issued by"),
        _("Issued before completion"),
        _("Template version"),
        _("Outdated template"),
        _("Deleted"),
        _("Deleted by"),
    ]


def _local(moment):
    # Spreadsheets have no time zones: write the school's local wall-clock time.
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0) if moment else None


def _cells(row) -> list:
    (number, name, email, course, title, issued_at, method, by_name, by_email, forced,
     version, outdated, deleted_at, del_name, del_email) = row  # fmt: skip
    return [
        number,
        name,
        email,
        course,
        title,
        _local(issued_at),
        str(Certificate.Method(method).label),
        by_name or by_email or "",
        _("yes") if forced else "",
        version,
        _("yes") if outdated else "",
        _local(deleted_at),
        del_name or del_email or "",
    ]


class _Echo:
    """csv.writer wants a file; this one hands each formatted line straight back."""

    def write(self, value):
        return value


def _csv_response(rows, filename):
    writer = csv.writer(_Echo())

    def lines():
        # The BOM tells Excel the file is UTF-8, or Cyrillic names come out garbled.
        yield "\ufeff" + writer.writerow(_headings())
        for cells in rows:
            yield writer.writerow(["" if cell is None else cell for cell in cells])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _xlsx_response(rows, filename):
    # write_only keeps rows out of memory; the finished zip is spooled to a temporary file.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Certificates"))
    sheet.append(_headings())
    for cells in rows:
        sheet.append(cells)
    output = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes it when sent
    workbook.save(output)
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
