import calendar
import datetime
import secrets
import uuid
from pathlib import PurePath
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import name_to_print_expression

from .rendering import school_folder

DEFAULT_NUMBER_FORMAT = "{prefix}-{year}-{seq:06}"


def private_storage():
    return storages["private"]


def background_upload_to(template, filename: str) -> str:
    """A folder per school and a name nobody can guess; a template reads only its own folder."""
    suffix = PurePath(filename).suffix.lower()
    if suffix not in (".png", ".jpg", ".jpeg"):
        suffix = ".png"  # the form accepts PNG and JPEG only, whatever the file was called
    return f"{school_folder(template.project_id)}/{secrets.token_urlsafe(24)}{suffix}"


def signature_upload_to(course_certificate, filename: str) -> str:
    """Beside the school's backgrounds, under a new unguessable name each upload: a replaced
    signature stays on disk for the certificates that printed it."""
    return background_upload_to(course_certificate, filename)


class CertificateTemplate(models.Model):
    """A project's certificate design. Each change is kept as a new TemplateRevision."""

    class PageSize(models.TextChoices):
        A4 = "A4", "A4"
        LETTER = "letter", _("Letter")

    class Orientation(models.TextChoices):
        LANDSCAPE = "landscape", _("Landscape")
        PORTRAIT = "portrait", _("Portrait")

    project = models.ForeignKey(
        "accounts.Project", on_delete=models.CASCADE, related_name="certificate_templates"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    html = models.TextField(_("HTML"))
    css = models.TextField(_("CSS"), blank=True)
    page_size = models.CharField(
        _("page size"), max_length=10, choices=PageSize.choices, default=PageSize.A4
    )
    orientation = models.CharField(
        _("orientation"), max_length=10, choices=Orientation.choices, default=Orientation.LANDSCAPE
    )
    background = models.ImageField(
        _("background image"), upload_to=background_upload_to, blank=True
    )
    # Empty: the school's language. A school printing for two audiences keeps a design per
    # language instead.
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The language of dates on the certificate; empty means the school's."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("certificate template")
        verbose_name_plural = _("certificate templates")

    def __str__(self):
        return self.name


class TemplateRevision(models.Model):
    """An immutable copy of a template as it was at one version; certificates print from it."""

    template = models.ForeignKey(
        CertificateTemplate, on_delete=models.CASCADE, related_name="revisions"
    )
    version = models.PositiveIntegerField()
    html = models.TextField()
    css = models.TextField(blank=True)
    page_size = models.CharField(max_length=10)
    orientation = models.CharField(max_length=10)
    background = models.CharField(max_length=255, blank=True)
    language = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["template", "version"], name="revision_unique_version"),
        ]

    def __str__(self):
        return f"{self.template} v{self.version}"


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later; a day the month lacks becomes its last (31 Jan + 1 = 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


class CourseCertificate(models.Model):
    """A course's certificate configuration: what is printed, and when it is earned."""

    class Completion(models.TextChoices):
        ALL_LESSONS = "all", _("All lessons completed")
        PERCENT = "percent", _("A minimum share of lessons completed")

    class Expiry(models.TextChoices):
        NEVER = "never", _("Never expires")
        DATE = "date", _("Expires on a fixed date")
        MONTHS = "months", _("Expires a number of months after issue")

    project = models.ForeignKey(
        "accounts.Project", on_delete=models.CASCADE, related_name="course_certificates"
    )
    course = models.OneToOneField(
        "courses.Course", on_delete=models.CASCADE, related_name="certificate"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("certificate name"), max_length=200)
    template = models.ForeignKey(
        CertificateTemplate, on_delete=models.PROTECT, related_name="course_certificates"
    )
    number_prefix = models.CharField(_("number prefix"), max_length=20, blank=True)
    number_format = models.CharField(
        _("number format"), max_length=60, default=DEFAULT_NUMBER_FORMAT
    )
    auto_issue = models.BooleanField(_("issue automatically"), default=True)
    completion = models.CharField(
        _("condition"), max_length=10, choices=Completion.choices, default=Completion.ALL_LESSONS
    )
    min_percent = models.PositiveSmallIntegerField(_("minimum lessons, %"), default=100)
    required_lessons = models.ManyToManyField(
        "courses.Lesson", blank=True, related_name="+", verbose_name=_("required lessons")
    )
    # Applies to every test lesson of the course; empty means each test's own pass score.
    min_test_score = models.PositiveSmallIntegerField(
        _("minimum test score, %"), null=True, blank=True
    )
    signer_name = models.CharField(_("signer's name"), max_length=120, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=120, blank=True)
    signature = models.ImageField(_("signature"), upload_to=signature_upload_to, blank=True)
    # Up to rendering.CUSTOM_FIELDS rows of {"label": ..., "value": ...}, printed as custom_1...
    custom_fields = models.JSONField(_("custom fields"), default=list, blank=True)
    expiry = models.CharField(
        _("expiry"), max_length=10, choices=Expiry.choices, default=Expiry.NEVER
    )
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    expiry_months = models.PositiveSmallIntegerField(_("months of validity"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("course certificate")
        verbose_name_plural = _("course certificates")
        constraints = [
            models.CheckConstraint(condition=Q(min_percent__lte=100), name="cc_min_percent"),
            models.CheckConstraint(
                condition=Q(min_test_score__isnull=True) | Q(min_test_score__lte=100),
                name="cc_min_test_score",
            ),
            # Each expiry mode carries exactly what it needs.
            models.CheckConstraint(
                condition=Q(expiry="never")
                | Q(expiry="date", expiry_date__isnull=False)
                # isnull too: a CHECK passes when its comparison is NULL.
                | Q(
                    expiry="months",
                    expiry_months__isnull=False,
                    expiry_months__gte=1,
                    expiry_months__lte=1200,
                ),
                name="cc_expiry_complete",
            ),
        ]

    def __str__(self):
        return self.title

    def expiry_for(self, issued_on: datetime.date) -> datetime.date | None:
        """The expiry date of a certificate issued on `issued_on` (the school's local date)."""
        if self.expiry == self.Expiry.DATE:
            return self.expiry_date
        if self.expiry == self.Expiry.MONTHS and self.expiry_months:
            return add_months(issued_on, self.expiry_months)
        return None


class NumberSequence(models.Model):
    """The project's last used certificate sequence number; locked while a number is taken."""

    project = models.OneToOneField(
        "accounts.Project", on_delete=models.CASCADE, related_name="certificate_sequence"
    )
    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.project_id}: {self.last_value}"


# Outdated: not printed from the current version of the template the course uses now, either
# because the template was edited since or because the course switched to another template.
# The report's filter and column, its exports and the bulk reissue all use this one rule.
OUTDATED = ~Q(
    template_revision__template_id=F("course_certificate__template_id"),
    template_revision__version=F("course_certificate__template__version"),
)


# A live certificate printed with another name than the contact's name to print today: the
# article's main reason to reissue. Certificate.name_changed says the same for a loaded row.
NAME_CHANGED = Q(deleted_at__isnull=True) & ~Q(printed_name=name_to_print_expression("contact__"))


def expired_q(today: datetime.date) -> Q:
    """Live and past its expiry date: from the expiry date on, a certificate is expired."""
    return Q(deleted_at__isnull=True, expires_at__lte=today)


def expiring_q(today: datetime.date, days: int) -> Q:
    """Live, not expired yet, and expiring within `days` days of `today`."""
    return Q(
        deleted_at__isnull=True,
        expires_at__gt=today,
        expires_at__lte=today + datetime.timedelta(days=days),
    )


class CertificateQuerySet(models.QuerySet):
    def live(self):
        """Certificates in force: not deleted (withdrawn or replaced)."""
        return self.filter(deleted_at__isnull=True)

    def expired(self, today: datetime.date):
        return self.filter(expired_q(today))

    def expiring(self, today: datetime.date, days: int):
        return self.filter(expiring_q(today, days))

    def outdated(self):
        return self.filter(OUTDATED)

    def name_changed(self):
        return self.filter(NAME_CHANGED)

    def with_outdated(self):
        """Each row's `outdated` flag, computed in the query."""
        return self.annotate(outdated=ExpressionWrapper(OUTDATED, output_field=BooleanField()))


class Certificate(models.Model):
    """An issued certificate. Never hard-deleted: deletion records who, when and why."""

    class Method(models.TextChoices):
        AUTOMATIC = "automatic", _("automatic")
        MANUAL = "manual", _("manual")

    class State(models.TextChoices):
        """What the certificate is worth today: the verify page, its JSON and lists say this."""

        VALID = "valid", _("valid")
        WITHDRAWN = "withdrawn", _("withdrawn")
        REPLACED = "replaced", _("replaced")
        EXPIRED = "expired", _("expired")

    class DeleteCategory(models.TextChoices):
        """Why a certificate was withdrawn, in words the public may read (the verify page)."""

        ISSUED_IN_ERROR = "issued_in_error", _("issued in error")
        NAME_CORRECTION = "name_correction", _("name correction")
        TEMPLATE_UPDATE = "template_update", _("template update")
        MISCONDUCT = "misconduct", _("misconduct")
        OTHER = "other", _("other")
        # Set by a renewal only; staff do not choose it when deleting.
        RENEWED = "renewed", _("renewed")

    project = models.ForeignKey(
        "accounts.Project", on_delete=models.PROTECT, related_name="certificates"
    )
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.PROTECT, related_name="certificates"
    )
    course_certificate = models.ForeignKey(
        CourseCertificate, on_delete=models.PROTECT, related_name="certificates"
    )
    template_revision = models.ForeignKey(
        TemplateRevision, on_delete=models.PROTECT, related_name="certificates"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("number"), max_length=80)
    sequence = models.PositiveBigIntegerField()
    code = models.CharField(_("verification code"), max_length=32, unique=True)
    issued_at = models.DateTimeField(_("issued"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    forced = models.BooleanField(_("issued before completion"), default=False)
    issue_reason = models.CharField(_("reason"), max_length=500, blank=True)
    # Everything printed, frozen at issue: a later rename or template edit never changes it.
    snapshot = models.JSONField()
    # The school's local date from which the certificate is expired; None: it never expires.
    # Set at issue (also frozen in the snapshot as printed); staff may extend it later.
    expires_at = models.DateField(_("expires"), null=True, blank=True)
    # The participant's name as printed (also in the snapshot): lists show and search it, and
    # it tells a certificate whose printed name no longer matches the contact's name to print.
    printed_name = models.CharField(_("printed name"), max_length=200)
    pdf = models.FileField(storage=private_storage, upload_to="certificates/", blank=True)
    # Set once when the issue email is claimed, so a retried task never sends it twice.
    notified_at = models.DateTimeField(null=True, blank=True)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    delete_reason = models.CharField(_("reason for deletion"), max_length=500, blank=True)
    # The certificate's bit in its school's Bitstring Status List (the Open Badge's
    # credentialStatus); taken from the school's number sequence at issue, so never reused.
    status_index = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    # The public reason (the verify page shows it); delete_reason stays among staff.
    delete_category = models.CharField(
        _("reason category"), max_length=20, choices=DeleteCategory.choices, blank=True
    )

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "course_certificate"],
                condition=Q(deleted_at__isnull=True),
                name="certificate_one_live_per_contact",
            ),
            models.UniqueConstraint(fields=["project", "number"], name="certificate_unique_number"),
            models.UniqueConstraint(
                fields=["project", "sequence"], name="certificate_unique_sequence"
            ),
            models.UniqueConstraint(
                fields=["project", "status_index"], name="certificate_unique_status_index"
            ),
            models.CheckConstraint(
                condition=Q(method="automatic", issued_by__isnull=True, forced=False)
                | Q(method="manual"),
                name="certificate_automatic_has_no_issuer",
            ),
        ]
        # The Certificates report pages by (sort key, id) and filters by project first; each
        # filter and sort has an index ending in the same keys, so a page is an index seek.
        indexes = [
            models.Index(fields=["project", "-issued_at", "-id"], name="cert_report_issued"),
            models.Index(
                fields=["project", "course_certificate", "-issued_at", "-id"],
                name="cert_report_cc",
            ),
            models.Index(
                fields=["project", "method", "-issued_at", "-id"], name="cert_report_method"
            ),
            models.Index(
                fields=["project", "forced", "-issued_at", "-id"], name="cert_report_forced"
            ),
            models.Index(
                fields=["project", "template_revision", "-issued_at", "-id"],
                name="cert_report_revision",
            ),
            # The report's totals are counted from this index alone. Partial, because a full
            # (project, deleted_at, …) index looks so selective to SQLite's planner that it
            # picks it for every page and sorts, instead of walking the ordered indexes above.
            models.Index(
                fields=["project", "method", "forced", "deleted_at"],
                condition=Q(deleted_at__isnull=True),
                name="cert_report_totals",
            ),
            models.Index(fields=["contact", "-issued_at"], name="cert_contact"),
            # The report's expiry filters and the daily reminder run look live rows up by date.
            models.Index(
                fields=["project", "expires_at"],
                condition=Q(deleted_at__isnull=True, expires_at__isnull=False),
                name="cert_expires",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def name_changed(self) -> bool:
        """Live, and the contact's name to print is no longer the printed one (NAME_CHANGED)."""
        return self.deleted_at is None and self.printed_name != self.contact.name_to_print

    @property
    def delete_categories(self) -> list[tuple[str, str]]:
        """What staff choose from when deleting or reissuing (a renewal sets its own)."""
        renewed = self.DeleteCategory.RENEWED
        return [choice for choice in self.DeleteCategory.choices if choice[0] != renewed]

    def local_today(self) -> datetime.date:
        """Today in the school's time zone: the day expiry is counted against."""
        return timezone.localdate(timezone=self.project.tzinfo)

    @property
    def is_expired(self) -> bool:
        """Live and its expiry date has come (expired_q says the same in a query)."""
        return (
            self.deleted_at is None
            and self.expires_at is not None
            and self.expires_at <= self.local_today()
        )

    @property
    def valid_until(self) -> datetime.datetime | None:
        """The moment the certificate expires: the start of its expiry date in the school's
        time zone, the same rule as is_expired (the Open Badge's validUntil and JWT exp)."""
        if self.expires_at is None:
            return None
        return datetime.datetime.combine(self.expires_at, datetime.time(), self.project.tzinfo)

    @property
    def days_to_expiry(self) -> int | None:
        """Days from the school's today to the expiry date (0 or less: expired); None: never."""
        if self.expires_at is None:
            return None
        return (self.expires_at - self.local_today()).days

    @property
    def expires_soon(self) -> bool:
        """Live, not expired, and within the first reminder's window: time to renew."""
        days = self.days_to_expiry
        window = max(settings.CERTIFICATE_EXPIRY_REMINDER_DAYS, default=0)
        return self.deleted_at is None and days is not None and 0 < days <= window

    @property
    def state(self) -> "Certificate.State":
        """Valid until deleted or expired; a deleted one is replaced when a reissue points back
        at it. Deletion comes first: a withdrawn certificate is withdrawn whatever its date.

        Lists that show the state select_related("replaced_by", "project") to read it without
        a query.
        """
        if self.deleted_at is None:
            return self.State.EXPIRED if self.is_expired else self.State.VALID
        try:
            self.replaced_by  # noqa: B018 -- the reverse one-to-one raises when there is none
        except Certificate.DoesNotExist:
            return self.State.WITHDRAWN
        return self.State.REPLACED


class CertificateEvent(models.Model):
    """The certificate history shown on the contact card: issued, deleted, by whom, why."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("issued")
        DELETED = "deleted", _("deleted")
        EXTENDED = "extended", _("expiry extended")

    project = models.ForeignKey("accounts.Project", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="certificate_events"
    )
    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    reason = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["contact", "-at"], name="cert_event_contact")]

    def __str__(self):
        return f"{self.certificate} {self.kind}"


class CertificateReminder(models.Model):
    """An expiry reminder claimed for sending: one per certificate, expiry date and window.

    The row is written before the email leaves, and the unique constraint lets only one
    writer win, so a task run twice (or two beat workers) never sends a reminder twice. The
    expiry date is part of the key: after an extension the new date gets its own reminders.
    """

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="reminders")
    expires_at = models.DateField()
    days = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "expires_at", "days"], name="certificate_reminder_once"
            ),
        ]

    def __str__(self):
        return f"{self.certificate} {self.days}d"


class BulkJob(models.Model):
    """A background job over a course's certificates, with the progress staff watch."""

    class Kind(models.TextChoices):
        REISSUE = "reissue", _("Reissue certificates printed from an older template")
        ISSUE = "issue", _("Issue to everyone who meets the conditions")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        FINISHED = "finished", _("finished")

    project = models.ForeignKey("accounts.Project", on_delete=models.CASCADE, related_name="+")
    course_certificate = models.ForeignKey(
        CourseCertificate, on_delete=models.CASCADE, related_name="bulk_jobs"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Whether students get the issue email: asked on the confirmation page before the job.
    notify = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Written with every item: a running job whose heartbeat is older than JOB_STALE_AFTER lost
    # its worker and is taken over. The value is also the runner's claim (compare-and-set).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # How many times a runner claimed the job; a job that keeps killing its worker gives up.
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One unfinished job of a kind per course: a second click cannot start a twin.
            models.UniqueConstraint(
                fields=["course_certificate", "kind"],
                condition=Q(status__in=["queued", "running"]),
                name="bulk_job_one_unfinished",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.status})"

    @property
    def processed(self) -> int:
        return self.done + self.skipped + self.failed

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.processed / self.total))

    @property
    def is_finished(self) -> bool:
        return self.status == self.Status.FINISHED

    @property
    def is_stalled(self) -> bool:
        """Running without a heartbeat for a while: its worker died and it waits to resume."""
        stale = timezone.now() - timezone.timedelta(seconds=settings.JOB_STALE_AFTER)
        return self.status == self.Status.RUNNING and (self.heartbeat_at or self.created_at) < stale


class BulkJobItem(models.Model):
    """One participant of a bulk job and what happened to them, written with the work itself.

    Listed when the job starts; each item's work and its outcome commit together, so a job
    resumed after its worker died does the pending items only: every item exactly once.
    """

    class Outcome(models.TextChoices):
        PENDING = "pending", _("pending")
        DONE = "done", _("done")
        SKIPPED = "skipped", _("skipped")
        FAILED = "failed", _("failed")

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="items")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    # Reissue: the certificate to replace. Issue: none, the contact is the target.
    certificate = models.ForeignKey(
        Certificate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    reason = models.CharField(max_length=500, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            # A course has one live certificate per contact, so one item per contact and job.
            models.UniqueConstraint(fields=["job", "contact"], name="bulk_job_item_once"),
        ]

    def __str__(self):
        return f"{self.job_id}/{self.contact_id} {self.outcome}"


class ExportJob(models.Model):
    """A big Certificates report export built in the background, with the progress staff watch.

    The filters are kept as the report's query string, so the job builds exactly the list the
    report showed when it was started (and "Back to the report" can reopen that list).
    """

    class Format(models.TextChoices):
        XLSX = "xlsx", "XLSX"
        ZIP = "zip", _("ZIP of PDFs")
        PDF = "pdf", _("One merged PDF")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        FINISHED = "finished", _("finished")
        FAILED = "failed", _("failed")

    project = models.ForeignKey("accounts.Project", on_delete=models.CASCADE, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.XLSX)
    query = models.TextField(blank=True)
    # Headings and Yes/No cells are written in the language of whoever asked, not the worker's.
    language = models.CharField(max_length=10, default=settings.LANGUAGE_CODE)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(storage=private_storage, upload_to="exports/", blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # As on BulkJob: progress writes it; a stale one is restarted from the first row.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_at"], name="export_job_created")]

    def __str__(self):
        return f"{self.format} export ({self.status})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.done / self.total))

    @property
    def is_over(self) -> bool:
        return self.status in (self.Status.FINISHED, self.Status.FAILED)

    @property
    def params(self) -> list[tuple[str, str]]:
        """The report's filters the job was started with, as (name, value) pairs."""
        return parse_qsl(self.query)

    @property
    def filename(self) -> str:
        return f"certificates-{timezone.localdate(self.created_at).isoformat()}.{self.format}"


class SigningKey(models.Model):
    """A key and X.509 certificate that signs PDFs and Open Badges.

    The installation has one root (project empty) that certifies each school's keys. Keys are
    never deleted: a rotated key is retired but kept, with its certificate and validity
    period, so PDFs and credentials it signed still verify. The private key is stored
    encrypted with SIGNING_KEY_ENCRYPTION_KEY (see certificates/signing.py).
    """

    class Kind(models.TextChoices):
        ROOT = "root", _("installation root")
        SCHOOL = "school", _("school signing key")

    class Source(models.TextChoices):
        GENERATED = "generated", _("created by the application")
        UPLOADED = "uploaded", _("uploaded (PKCS#12)")

    project = models.ForeignKey(
        "accounts.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signing_keys",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.GENERATED)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    certificate_pem = models.TextField()
    # Certificates between this one and its root, for keys uploaded with their own chain.
    chain_pem = models.TextField(blank=True)
    encrypted_private_key = models.BinaryField()
    fingerprint = models.CharField(max_length=64, unique=True)  # SHA-256 of the DER, hex
    subject = models.CharField(max_length=500)
    not_before = models.DateTimeField()
    not_after = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="root", project__isnull=True)
                | Q(kind="school", project__isnull=False),
                name="signing_key_root_has_no_project",
            ),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(retired_at__isnull=True, kind="school"),
                name="signing_key_one_current_per_school",
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(retired_at__isnull=True, kind="root"),
                name="signing_key_one_current_root",
            ),
        ]

    def __str__(self):
        return self.subject

    @property
    def is_current(self) -> bool:
        return self.retired_at is None
