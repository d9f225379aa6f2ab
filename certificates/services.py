"""Every write to certificates goes through here: issue, delete, reissue, templates, settings.

Each action is atomic and refuses with CertificateError, whose message the user sees.
Rendering and emails are queued after commit, so a rolled-back issue leaves no trace.
"""

import secrets
from base64 import b32encode
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import ProhibitNullCharactersValidator
from django.db import IntegrityError, transaction
from django.db.models import F, FilteredRelation, Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from contacts.models import Contact
from courses.models import Access, Course

from . import defaults, events, rendering, signing
from .models import (
    DEFAULT_NUMBER_FORMAT,
    Certificate,
    CertificateEvent,
    CertificateTemplate,
    CourseCertificate,
    TemplateRevision,
)
from .numbering import format_number, next_sequence, validate_number_format
from .rendering import RenderError
from .selectors import (
    CertificateStatus,
    Product,
    State,
    completion_facts,
    contact_progress,
    evaluate_contact,
)


class CertificateError(Exception):
    """A refused certificate action; the message is shown to the user as it is."""


def _reason(reason: str) -> str:
    """A staff reason as stored: trimmed, at most 500 characters; a NUL (which PostgreSQL
    cannot store) is refused with Django's own message."""
    try:
        ProhibitNullCharactersValidator()(reason)
    except ValidationError as error:
        raise CertificateError(error.messages[0]) from error
    return reason.strip()[:500]


def new_code() -> str:
    # 80 random bits, base32: 16 characters that survive being read aloud or typed.
    return b32encode(secrets.token_bytes(10)).decode()


def verification_url(code: str) -> str:
    return settings.SITE_URL + reverse("public:verify", args=[code])


def printing_language(revision: TemplateRevision, school) -> str:
    """What a certificate is printed in: its template's language, else the school's."""
    return revision.language or school.language


def printed_date(day, language: str) -> str:
    """A date as certificates print it, in the printing language (e.g. "31 січня 2027")."""
    with translation.override(language):
        return formats.date_format(day, "j E Y")


def _snapshot(
    *, contact, course_certificate, number, code, issued_at, evaluation, revision, loaded
):
    school = course_certificate.project
    local_date = timezone.localtime(issued_at, school.tzinfo).date()
    language = printing_language(revision, school)
    facts = completion_facts(loaded)
    completion_date = ""
    if evaluation.met and facts.completed_at:
        # When the conditions were met: the last lesson completed. Not printed for a
        # certificate issued before completion, whose date would claim too much.
        completed_on = timezone.localtime(facts.completed_at, school.tzinfo).date()
        completion_date = printed_date(completed_on, language)
    course = course_certificate.course
    expires_on = course_certificate.expiry_for(local_date)
    return {
        "language": language,
        "participant_name": contact.name_to_print,
        "course_title": course.title,
        "certificate_title": course_certificate.title,
        "certificate_number": number,
        "issue_date": printed_date(local_date, language),
        "issued_on": local_date.isoformat(),
        # Empty when the certificate never expires; Certificate.expires_at is the live value.
        "expiry_date": printed_date(expires_on, language) if expires_on else "",
        "expires_on": expires_on.isoformat() if expires_on else None,
        "verification_url": verification_url(code),
        "school_name": course_certificate.project.name,
        "template_version": revision.version,
        "progress": evaluation.as_snapshot(),
        # Richer certificates: copied here, so a later change of the settings, the course or
        # the signature upload never alters what an issued certificate prints.
        "completed": evaluation.met,
        "completion_date": completion_date,
        "final_test_score": (
            f"{facts.final_test_score}%" if facts.final_test_score is not None else ""
        ),
        "course_hours": str(course.hours) if course.hours is not None else "",
        "signer_name": course_certificate.signer_name,
        "signer_title": course_certificate.signer_title,
        "signature_image": course_certificate.signature.name or "",
        **custom_field_values(course_certificate.custom_fields),
    }


def custom_field_values(rows) -> dict:
    """custom_1_label, custom_1, ... custom_5: every key present, empty when unused."""
    rows = list(rows or [])[: rendering.CUSTOM_FIELDS]
    values = {}
    for n in range(1, rendering.CUSTOM_FIELDS + 1):
        row = rows[n - 1] if n <= len(rows) and isinstance(rows[n - 1], dict) else {}
        values[f"custom_{n}_label"] = str(row.get("label", ""))
        values[f"custom_{n}"] = str(row.get("value", ""))
    return values


def certificate_issue(
    *,
    contact: Contact,
    course: Course,
    actor=None,
    force: bool = False,
    reason: str = "",
    notify: bool = True,
) -> tuple[Certificate, bool]:
    """Issue the course's certificate to the contact; returns (certificate, created).

    `actor=None` means automatic issuance. Issuing what is already issued returns the live
    certificate. `force` lets staff issue before the conditions are met ("Issue now").
    """
    certificate, created, _product = certificate_issue_with_product(
        contact=contact,
        course=course,
        actor=actor,
        force=force,
        reason=reason,
        notify=notify,
    )
    return certificate, created


TEMPLATE_SOURCE = ("course__certificate__template__html", "course__certificate__template__css")


def _issue_with_product(
    *,
    contact: Contact,
    course: Course,
    actor=None,
    force: bool = False,
    reason: str = "",
    notify: bool = True,
) -> tuple[Certificate, bool, Product | None]:
    """certificate_issue, and for a new certificate also the contact card's Products line
    built from the rows the issuance loaded (what contact_products would read again: Issue
    now redraws that line). None when nothing new was issued."""
    reason = _reason(reason)
    # One query: the access row, locked, with the course's certificate, its template and school
    # and the template's current revision. Locking the access row serialises issuers of this
    # contact and course: the second of a double click waits here, then finds the first one's
    # certificate below.
    access = (
        Access.objects.select_for_update(of=("self",))
        .annotate(current_revision=current_revision_join("course__certificate__template"))
        .select_related(
            "course__certificate__template", "course__certificate__project", "current_revision"
        )
        # Not the template's HTML and CSS (up to 200,000 characters): issuing reads the
        # template's current revision, joined here, never the template's own source.
        .defer(*TEMPLATE_SOURCE)
        .filter(contact=contact, course=course)
        .first()
    )
    if access is None:
        course_certificate = CourseCertificate.objects.filter(course=course).first()
    else:
        course_certificate = getattr(access.course, "certificate", None)
    if course_certificate is None or course_certificate.project_id != contact.project_id:
        raise CertificateError(
            _("The course “%(course)s” has no certificate configured.") % {"course": course.title}
        )
    if access is None or not access.is_active():
        state = access.status().label if access else _("no access")
        raise CertificateError(
            _("%(name)s has no active access to “%(course)s” (%(state)s).")
            % {"name": contact.name, "course": course.title, "state": state}
        )
    # Every certificate of the contact and course, newest first, each with the id of the one
    # that replaces it: the live one, or else the latest withdrawn one no certificate
    # replaces yet (the new one will), and the Products line's history, in one query.
    earlier = list(
        Certificate.objects.filter(contact=contact, course_certificate=course_certificate)
        .annotate(replaced_by_pk=F("replaced_by__id"))
        .order_by("-issued_at", "-id")
    )
    existing = next((c for c in earlier if c.deleted_at is None), None)
    if existing:
        return existing, False, None
    withdrawn = [c for c in earlier if c.replaced_by_pk is None]
    # The latest withdrawal; on equal times the first in the list, as before.
    replaces = max(withdrawn, key=lambda c: c.deleted_at, default=None)

    loaded = contact_progress(contact=contact, course_certificate=course_certificate)
    evaluation = evaluate_contact(
        contact=contact, course_certificate=course_certificate, loaded=loaded
    )
    if not evaluation.met and not (force and actor is not None):
        raise CertificateError(
            _("%(name)s has not met the conditions yet: %(missing)s.")
            % {"name": contact.name, "missing": "; ".join(evaluation.missing)}
        )

    # Django sets the joined revision only when it exists (a template saved before revisions
    # were kept has none yet: made here).
    revision = getattr(access, "current_revision", None) or template_current_revision(
        course_certificate.template
    )
    now = timezone.now()
    sequence = next_sequence(contact.project_id)
    number = format_number(
        course_certificate.number_format,
        prefix=course_certificate.number_prefix,
        year=timezone.localtime(now, course_certificate.project.tzinfo).year,
        seq=sequence,
    )
    code = new_code()
    snapshot = _snapshot(
        contact=contact,
        course_certificate=course_certificate,
        number=number,
        code=code,
        issued_at=now,
        evaluation=evaluation,
        revision=revision,
        loaded=loaded,
    )
    certificate = Certificate(
        # The school's sequence is locked and never reused: it is also the certificate's
        # bit in the school's status list.
        status_index=sequence,
        project_id=contact.project_id,
        contact=contact,
        course_certificate=course_certificate,
        template_revision=revision,
        number=number,
        sequence=sequence,
        code=code,
        issued_at=now,
        issued_by=actor,
        method=Certificate.Method.MANUAL if actor else Certificate.Method.AUTOMATIC,
        forced=not evaluation.met,
        issue_reason=reason,
        printed_name=contact.name_to_print,
        snapshot=snapshot,
        expires_at=date.fromisoformat(snapshot["expires_on"]) if snapshot["expires_on"] else None,
        replaces=replaces,
    )
    try:
        with transaction.atomic():
            certificate.save()
    except IntegrityError:
        # The database refused a second live certificate: someone else just issued it.
        existing = (
            Certificate.objects.live()
            .filter(contact=contact, course_certificate=course_certificate)
            .first()
        )
        if existing is None:
            raise
        return existing, False, None

    CertificateEvent.objects.create(
        project_id=certificate.project_id,
        contact=contact,
        certificate=certificate,
        kind=CertificateEvent.Kind.ISSUED,
        actor=actor,
        at=now,
        reason=certificate.issue_reason,
        data={
            "number": number,
            "method": certificate.method,
            "forced": certificate.forced,
            "replaces": replaces.number if replaces else None,
        },
    )
    # The render and the email follow in a worker; a missing PDF is rendered on download.
    # `notify`: the student's email; a bulk reissue that prints the same data may skip it.
    events.send_after_commit(
        events.certificate_issued,
        certificate_id=certificate.id,
        project_id=certificate.project_id,
        notify=notify,
    )
    # The Products line from what is loaded: the same objects contact_products would read.
    certificate.project = course_certificate.project
    for row in earlier:
        row.contact, row.course_certificate = contact, course_certificate
    access.contact, access.course = contact, course_certificate.course
    product = Product(
        access=access,
        status=CertificateStatus(State.ISSUED, course_certificate, certificate, evaluation),
        evaluation=evaluation,
        history=[certificate, *earlier],
    )
    return certificate, True, product


# certificate_reissue calls the bodies of issue and delete inside its own transaction, so a
# reissue opens one savepoint in a caller's transaction (a bulk job's chunk), not three.
certificate_issue_with_product = transaction.atomic(_issue_with_product)


@transaction.atomic
def certificate_issue_if_earned(*, contact_id: int, course_id: int) -> Certificate | None:
    """Automatic issuance, evaluated after a progress or access change.

    A certificate staff deleted is not issued again on its own: after a deletion only
    **Issue now** brings it back, so a withdrawal is not undone by the next lesson.
    """
    contact = Contact.objects.filter(pk=contact_id).first()
    course_certificate = (
        CourseCertificate.objects.filter(course_id=course_id, auto_issue=True)
        .select_related("course")
        .first()
    )
    if contact is None or course_certificate is None:
        return None
    if course_certificate.project_id != contact.project_id:
        return None
    # Lock the access row (as certificate_issue does) before looking for earlier certificates,
    # so a deletion committed while this runs is seen and not undone by a fresh issue.
    access = Access.objects.select_for_update().filter(contact=contact, course_id=course_id).first()
    if access is None or not access.is_active():
        return None
    if Certificate.objects.filter(contact=contact, course_certificate=course_certificate).exists():
        return None
    if not evaluate_contact(contact=contact, course_certificate=course_certificate).met:
        return None
    try:
        certificate, _created = certificate_issue(contact=contact, course=course_certificate.course)
    except CertificateError:
        return None  # the situation changed between the checks above and the lock
    return certificate


def certificates_issue_for_started_accesses(*, since, until=None) -> int:
    """Automatic issuance for accesses whose scheduled start arrived between `since` and `until`.

    A start date arriving saves nothing, so no signal fires; a periodic task calls this with an
    overlapping window (issuing is idempotent). Returns how many certificates were issued.
    """
    until = until or timezone.now()
    started = (
        Access.objects.active(until)
        .filter(starts_at__gt=since, starts_at__lte=until)
        .values_list("contact_id", "course_id")
    )
    return sum(
        1
        for contact_id, course_id in started
        if certificate_issue_if_earned(contact_id=contact_id, course_id=course_id)
    )


def _withdraw(
    *,
    certificate: Certificate,
    actor,
    reason: str = "",
    category: str = Certificate.DeleteCategory.OTHER,
) -> Certificate:
    """Withdraw a certificate. The row stays, with who deleted it, when and why.

    `category` is the public reason the verify page shows; `reason` stays among staff.
    """
    if category not in Certificate.DeleteCategory.values:
        raise CertificateError(_("Choose why the certificate is withdrawn."))
    reason = _reason(reason)
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.deleted_at is not None:
        return certificate
    certificate.deleted_at = timezone.now()
    certificate.deleted_by = actor
    certificate.delete_reason = reason
    certificate.delete_category = category
    certificate.save(update_fields=["deleted_at", "deleted_by", "delete_reason", "delete_category"])
    CertificateEvent.objects.create(
        project_id=certificate.project_id,
        contact_id=certificate.contact_id,
        certificate=certificate,
        kind=CertificateEvent.Kind.DELETED,
        actor=actor,
        at=certificate.deleted_at,
        reason=certificate.delete_reason,
        data={"number": certificate.number, "category": category},
    )
    events.send_after_commit(
        events.certificate_deleted,
        certificate_id=certificate.id,
        project_id=certificate.project_id,
    )
    return certificate


certificate_delete = transaction.atomic(_withdraw)


@transaction.atomic
def certificate_reissue(
    *,
    certificate: Certificate,
    actor,
    reason: str = "",
    category: str | None = None,
    notify: bool = True,
) -> Certificate:
    """Delete and issue again with today's data and template, in one step.

    Without a `category`, a certificate whose printed name changed is withdrawn for a name
    correction, any other for "other".
    """
    if actor is None:
        raise CertificateError(_("Only a staff member can reissue a certificate."))
    if category is None:
        category = (
            Certificate.DeleteCategory.NAME_CORRECTION
            if certificate.name_changed
            else Certificate.DeleteCategory.OTHER
        )
    _withdraw(
        certificate=certificate, actor=actor, reason=reason or _("Reissued"), category=category
    )
    new, _created, _product = _issue_with_product(
        contact=certificate.contact,
        course=certificate.course_certificate.course,
        actor=actor,
        force=True,
        reason=reason,
        notify=notify,
    )
    events.send_after_commit(
        events.certificate_reissued,
        certificate_id=new.id,
        project_id=new.project_id,
        replaces_id=certificate.id,
    )
    return new


def certificate_renew(*, certificate: Certificate, actor, reason: str = "") -> Certificate:
    """Renew an expired or expiring certificate: a reissue whose new expiry counts from today.

    The new certificate replaces the old one and its verify page links to it.
    """
    return certificate_reissue(
        certificate=certificate,
        actor=actor,
        reason=reason.strip() or _("Renewed"),
        category=Certificate.DeleteCategory.RENEWED,
    )


@transaction.atomic
def certificate_extend_expiry(
    *, certificate: Certificate, actor, new_date: date, reason: str
) -> Certificate:
    """Move a live, not yet expired certificate's expiry date later, recorded with a reason in
    History.

    The PDF keeps the date it printed; the verify page shows the new one.
    """
    reason = (reason or "").strip()[:500]
    certificate = (
        Certificate.objects.select_for_update().select_related("project").get(pk=certificate.pk)
    )
    if certificate.deleted_at is not None:
        raise CertificateError(_("A deleted certificate cannot be extended."))
    if certificate.expires_at is None:
        raise CertificateError(_("This certificate never expires; there is nothing to extend."))
    if certificate.is_expired:
        # Expiry is final: the Open Badge's status bit is set for good (a "revocation" bit is
        # never cleared), so an expired certificate is renewed, not brought back.
        raise CertificateError(_("This certificate has expired; renew it instead."))
    if not reason:
        raise CertificateError(_("Say why the expiry is extended."))
    if new_date <= certificate.expires_at or new_date <= certificate.local_today():
        raise CertificateError(
            _("The new expiry date must be later than the current one and than today.")
        )
    before = certificate.expires_at
    certificate.expires_at = new_date
    certificate.save(update_fields=["expires_at"])
    CertificateEvent.objects.create(
        project_id=certificate.project_id,
        contact_id=certificate.contact_id,
        certificate=certificate,
        kind=CertificateEvent.Kind.EXTENDED,
        actor=actor,
        at=timezone.now(),
        reason=reason,
        data={
            "number": certificate.number,
            "before": before.isoformat(),
            "after": new_date.isoformat(),
        },
    )
    return certificate


def certificate_store_pdf(*, certificate: Certificate) -> bytes:
    """Render from the frozen snapshot, sign with the school's key, and store under an
    unguessable private name.

    Raises RenderError (its message is for the user) when the PDF cannot be drawn within the
    limits; nothing is stored then.
    """
    pdf = signing.sign_pdf(
        rendering.render_certificate(certificate),
        project=certificate.project,
        reason=certificate.number,
    )
    # Relative to the field's upload_to ("certificates/"), which the storage prepends.
    name = f"{certificate.project_id}/{secrets.token_urlsafe(24)}.pdf"
    old_name = certificate.pdf.name
    certificate.pdf.save(name, ContentFile(pdf), save=False)
    try:
        Certificate.objects.filter(pk=certificate.pk).update(pdf=certificate.pdf.name)
    except BaseException:
        certificate.pdf.storage.delete(certificate.pdf.name)  # the row never named it: no orphan
        raise
    if old_name and old_name != certificate.pdf.name:
        certificate.pdf.storage.delete(old_name)
    return pdf


class CertificatePdfNotReady(Exception):
    """The PDF is not in storage and cannot be stored now (storage failing): try again later."""


def certificate_pdf_ready(certificate: Certificate) -> bool:
    """Whether the certificate's PDF is in storage."""
    return bool(certificate.pdf) and certificate.pdf.storage.exists(certificate.pdf.name)


def certificate_render_once(*, certificate_id: int) -> Certificate:
    """Render and store the PDF unless it is stored already; one renderer at a time.

    Concurrent callers (ten downloads at once, the render task, the email) queue on the
    certificate's row lock (PostgreSQL; SQLite has one writer anyway) and look again once they
    hold it, so all but the first find the file the first one wrote. Raises OSError when the
    storage fails; a file written for a row update that then fails is deleted again.
    """
    written = ""
    try:
        with transaction.atomic():
            certificate = (
                Certificate.objects.select_for_update(of=("self",))
                .select_related("template_revision")
                .get(pk=certificate_id)
            )
            if not certificate_pdf_ready(certificate):
                certificate_store_pdf(certificate=certificate)
                written = certificate.pdf.name
    except BaseException:
        if written:
            certificate.pdf.storage.delete(written)  # rolled back: the row does not name it
        raise
    return certificate


def certificates_render_many(*, certificate_ids) -> int:
    """certificate_render_once for many certificates at once; how many PDFs it stored.

    Drawn in batches across the renderer pool's children (rendering.render_many) and signed
    here as each batch comes back (a child draws staff's templates and never holds a
    school's key), with no lock held meanwhile: seconds of drawing would hold up every
    writer (SQLite has one). Then, in one short transaction with the rows locked, each PDF
    is stored unless the certificate got one meanwhile (a download drew it), so each stored
    once and a repeated call does nothing; if that transaction fails, the files it wrote are
    deleted again. A certificate that cannot be drawn within the limits is left without a
    PDF (its download tries again and says why).
    """
    certificates = [
        certificate
        for certificate in Certificate.objects.select_related("template_revision", "project")
        .filter(pk__in=list(certificate_ids))
        .order_by("pk")
        if not certificate_pdf_ready(certificate)
    ]
    jobs = {}
    for certificate in certificates:
        try:
            job = rendering.certificate_job(certificate)
        except RenderError:
            continue  # too big to draw: stays without a PDF, its download says why
        jobs[certificate.pk] = job
    by_pk = {certificate.pk: certificate for certificate in certificates}
    order = list(jobs)
    signed = {}
    for index, pdf in rendering.render_many(list(jobs.values())):
        if isinstance(pdf, RenderError):
            continue  # logged by render_many
        certificate = by_pk[order[index]]
        signed[certificate.pk] = signing.sign_pdf(
            pdf, project=certificate.project, reason=certificate.number
        )
    if not signed:
        return 0
    written, replaced = [], []
    try:
        with transaction.atomic():
            stored = []
            # In id order, so two such calls over the same certificates never deadlock.
            for certificate in (
                Certificate.objects.select_for_update(of=("self",))
                .filter(pk__in=list(signed))
                .order_by("pk")
            ):
                if certificate_pdf_ready(certificate):
                    continue  # stored meanwhile: ours is dropped
                replaced.append(certificate.pdf.name)
                name = f"{certificate.project_id}/{secrets.token_urlsafe(24)}.pdf"
                certificate.pdf.save(name, ContentFile(signed[certificate.pk]), save=False)
                written.append((certificate.pdf.storage, certificate.pdf.name))
                stored.append(certificate)
            Certificate.objects.bulk_update(stored, ["pdf"])
    except BaseException:
        for storage, name in written:
            storage.delete(name)  # rolled back: no row names it
        raise
    for (storage, _name), old_name in zip(written, replaced, strict=True):
        if old_name:
            storage.delete(old_name)  # a name whose file was missing
    return len(written)


def certificate_pdf_open(*, certificate: Certificate):
    """The stored PDF opened for reading (the caller closes it); rendered once if missing.

    Downloads stream it (FileResponse) instead of holding it in memory; from a bucket the
    object is read from the network as the response is sent (lms/storage.py).
    Raises CertificatePdfNotReady when storage cannot give or take the file right now, and
    RenderError when it has to be rendered and cannot be drawn within the limits.
    """
    try:
        if certificate.pdf:
            # Opened straight away, not asked whether it exists first: that would be one more
            # stat, or one more request to a bucket, on every download.
            try:
                return certificate.pdf.storage.open(certificate.pdf.name, "rb")
            except FileNotFoundError:
                pass  # named but gone from storage: drawn again, as one never drawn
        certificate = certificate_render_once(certificate_id=certificate.pk)
        return certificate.pdf.storage.open(certificate.pdf.name, "rb")
    except OSError as error:
        raise CertificatePdfNotReady(str(error)) from error


def certificate_pdf(*, certificate: Certificate) -> bytes:
    """The stored PDF's bytes (email attachments, tests); see certificate_pdf_open."""
    handle = certificate_pdf_open(certificate=certificate)
    try:
        with handle:
            return handle.read()
    except OSError as error:
        raise CertificatePdfNotReady(str(error)) from error


def certificate_mark_notified(*, certificate_id: int) -> bool:
    """Claim the one issue email of a certificate; False if it was already claimed."""
    return bool(
        Certificate.objects.filter(pk=certificate_id, notified_at__isnull=True).update(
            notified_at=timezone.now()
        )
    )


# Templates and course settings ----------------------------------------------------------


def template_current_revision(template: CertificateTemplate) -> TemplateRevision:
    revision, _created = TemplateRevision.objects.get_or_create(
        template=template,
        version=template.version,
        defaults=_revision_fields(template),
    )
    return revision


def current_revision_join(template_path: str) -> FilteredRelation:
    """A join, for a query that reaches a template at `template_path`, to that template's
    current revision (select_related it by the name it is annotated as)."""
    revisions = f"{template_path}__revisions"
    return FilteredRelation(
        revisions, condition=Q(**{f"{revisions}__version": F(f"{template_path}__version")})
    )


def _revision_fields(template: CertificateTemplate) -> dict:
    return {
        "html": template.html,
        "css": template.css,
        "page_size": template.page_size,
        "orientation": template.orientation,
        "background": template.background.name if template.background else "",
        "language": template.language,
    }


def template_save(*, template: CertificateTemplate) -> CertificateTemplate:
    """Create or change a template; every change is a new version with its own revision.

    A changed design is drawn once with sample values first, so what cannot be rendered
    within the limits (time, memory, pages) is refused here and never reaches a certificate.
    """
    errors = rendering.validate_template_size(
        html=template.html, css=template.css
    ) + rendering.validate_template_html(template.html)
    if errors:
        raise CertificateError(" ".join(errors))
    current = CertificateTemplate.objects.filter(pk=template.pk).first() if template.pk else None
    if current is None or _revision_fields(current) != _revision_fields(template):
        # Outside the transaction: a render may take seconds and must hold no lock meanwhile.
        template_check_renders(template=template)
    return _template_store(template=template)


def template_check_renders(*, template: CertificateTemplate) -> None:
    """Draw the template once with sample values; CertificateError with the reason if not."""
    background = template.background
    if background and not background._committed:
        background = background.file  # a new upload, not stored yet: drawn from memory
    else:
        background = background.name if background else ""
    try:
        rendering.render_pdf(
            school_id=template.project_id,
            html=template.html,
            css=template.css,
            page_size=template.page_size,
            orientation=template.orientation,
            background=background,
            values=defaults.sample_values(template.project.name),
        )
    except RenderError as exc:
        raise CertificateError(str(exc)) from exc


@transaction.atomic
def _template_store(*, template: CertificateTemplate) -> CertificateTemplate:
    if template.pk:
        current = CertificateTemplate.objects.select_for_update().get(pk=template.pk)
        if (
            _revision_fields(current) == _revision_fields(template)
            and current.name == template.name
        ):
            return current
        template.version = current.version + (
            _revision_fields(current) != _revision_fields(template)
        )
    template.save()
    template_current_revision(template)
    return template


@transaction.atomic
def course_certificate_save(
    *,
    course: Course,
    template: CertificateTemplate,
    title: str,
    number_prefix: str = "",
    number_format: str = DEFAULT_NUMBER_FORMAT,
    auto_issue: bool = True,
    completion: str = CourseCertificate.Completion.ALL_LESSONS,
    min_percent: int = 100,
    required_lessons=(),
    min_test_score: int | None = None,
    signer_name: str = "",
    signer_title: str = "",
    signature=None,
    custom_fields=(),
    expiry: str = CourseCertificate.Expiry.NEVER,
    expiry_date: date | None = None,
    expiry_months: int | None = None,
) -> CourseCertificate:
    """Configure the course's certificate, or change its configuration.

    Certificates already issued keep what they printed (their snapshot and template
    revision); the new settings apply to the next issue. `signature`: None keeps the current
    one, False removes it, a checked image file (forms.py) replaces it.
    """
    title = title.strip()
    number_prefix = number_prefix.strip()
    if not title:
        raise CertificateError(_("Give the certificate a name."))
    if template.project_id != course.project_id:
        raise CertificateError(_("This template belongs to another school."))
    try:
        validate_number_format(number_format)
    except ValidationError as exc:
        raise CertificateError(" ".join(exc.messages)) from exc
    if completion not in CourseCertificate.Completion.values:
        raise CertificateError(_("Choose when the certificate is earned."))
    if completion == CourseCertificate.Completion.ALL_LESSONS:
        min_percent = 100
    elif not 1 <= min_percent <= 100:
        raise CertificateError(_("The minimum share of lessons is a percent from 1 to 100."))
    if min_test_score is not None and not 0 <= min_test_score <= 100:
        raise CertificateError(_("The minimum test score is a percent from 0 to 100."))
    required_lessons = list(required_lessons)
    if any(lesson.course_id != course.id for lesson in required_lessons):
        raise CertificateError(_("Required lessons must be lessons of this course."))
    signer_name, signer_title = signer_name.strip()[:120], signer_title.strip()[:120]
    custom_fields = _clean_custom_fields(custom_fields)
    expiry_date, expiry_months = _checked_expiry(course, expiry, expiry_date, expiry_months)

    course_certificate, _created = CourseCertificate.objects.select_for_update().update_or_create(
        course=course,
        defaults={
            "project_id": course.project_id,
            "template": template,
            "title": title,
            "number_prefix": number_prefix,
            "number_format": number_format,
            "auto_issue": auto_issue,
            "completion": completion,
            "min_percent": min_percent,
            "min_test_score": min_test_score,
            "signer_name": signer_name,
            "signer_title": signer_title,
            "custom_fields": custom_fields,
            "expiry": expiry,
            "expiry_date": expiry_date,
            "expiry_months": expiry_months,
        },
    )
    course_certificate.required_lessons.set(required_lessons)
    if signature is False and course_certificate.signature:
        # Only forgotten here: certificates issued with it still print it from the file.
        course_certificate.signature = ""
        course_certificate.save(update_fields=["signature"])
    elif signature:
        course_certificate.signature.save(signature.name, signature, save=True)
    return course_certificate


CUSTOM_LABEL_MAX, CUSTOM_VALUE_MAX = 60, 200


def _clean_custom_fields(rows) -> list[dict]:
    """Up to five rows of label and value. Each row keeps its place (row 2 prints as
    custom_2 even when row 1 is empty); empty rows at the end are dropped."""
    cleaned = []
    for row in rows:
        label = str(row.get("label", "")).strip()
        value = str(row.get("value", "")).strip()
        if len(label) > CUSTOM_LABEL_MAX or len(value) > CUSTOM_VALUE_MAX:
            raise CertificateError(
                _("A custom field's label has at most %(label)d characters, its value %(value)d.")
                % {"label": CUSTOM_LABEL_MAX, "value": CUSTOM_VALUE_MAX}
            )
        cleaned.append({"label": label, "value": value})
    while cleaned and not (cleaned[-1]["label"] or cleaned[-1]["value"]):
        cleaned.pop()
    if len(cleaned) > rendering.CUSTOM_FIELDS:
        raise CertificateError(
            _("A certificate has at most %(max)d custom fields.") % {"max": rendering.CUSTOM_FIELDS}
        )
    return cleaned


MAX_EXPIRY_MONTHS = 1200


def _checked_expiry(course, expiry, expiry_date, expiry_months):
    """(expiry_date, expiry_months) kept for the chosen mode, the other cleared; or refused."""
    if expiry not in CourseCertificate.Expiry.values:
        raise CertificateError(_("Choose when the certificate expires."))
    if expiry == CourseCertificate.Expiry.DATE:
        if expiry_date is None:
            raise CertificateError(_("Enter the date the certificates expire."))
        unchanged = CourseCertificate.objects.filter(
            course=course, expiry=expiry, expiry_date=expiry_date
        ).exists()
        # A date already past would issue certificates that are expired at once; one saved
        # earlier may stay (the other settings can still be changed after it passed).
        if not unchanged and expiry_date <= timezone.localdate(timezone=course.project.tzinfo):
            raise CertificateError(_("The expiry date must be in the future."))
        return expiry_date, None
    if expiry == CourseCertificate.Expiry.MONTHS:
        if expiry_months is None or not 1 <= expiry_months <= MAX_EXPIRY_MONTHS:
            raise CertificateError(
                _("The validity is a number of months from 1 to %(max)d.")
                % {"max": MAX_EXPIRY_MONTHS}
            )
        return None, expiry_months
    return None, None


@transaction.atomic
def course_certificate_remove(*, course_certificate: CourseCertificate) -> None:
    """Remove a configuration that never issued anything.

    Once a certificate was issued (even if deleted since) the configuration is part of its
    record: the report, the history and the verification page point at it. Then it can only
    be switched to manual issuance, never removed.
    """
    course_certificate = CourseCertificate.objects.select_for_update().get(pk=course_certificate.pk)
    if Certificate.objects.filter(course_certificate=course_certificate).exists():
        raise CertificateError(
            _(
                "“%(title)s” cannot be removed: certificates were already issued with it. "
                "Turn automatic issuance off instead."
            )
            % {"title": course_certificate.title}
        )
    course_certificate.delete()
