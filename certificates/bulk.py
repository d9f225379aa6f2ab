"""Long-running jobs on many certificates at once, with progress staff can watch.

- reissue: every live certificate of a course printed from an older template (or another
  template than the course uses now) is deleted and issued again — the article's "reissue
  after the template has been updated", for a whole course in one go;
- issue: everyone with active access who meets the conditions but has no certificate yet
  (e.g. after the conditions were relaxed or automatic issuance was turned on).

Each certificate is its own transaction, so a failure stops nothing but that one.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Access

from . import events
from .models import BulkJob, Certificate, CourseCertificate
from .selectors import evaluate_contact
from .services import CertificateError, certificate_issue, certificate_reissue


def outdated_certificates(course_certificate: CourseCertificate):
    """Live certificates of the course not printed from its current template version."""
    return Certificate.objects.live().filter(course_certificate=course_certificate).outdated()


def waiting_accesses(course_certificate: CourseCertificate):
    """Active accesses without a live certificate; the job checks their conditions."""
    return (
        Access.objects.active()
        .filter(course_id=course_certificate.course_id)
        .exclude(
            contact__certificates__in=Certificate.objects.live().filter(
                course_certificate=course_certificate
            )
        )
        .order_by("id")
    )


def bulk_job_start(*, course_certificate: CourseCertificate, kind: str, actor) -> BulkJob:
    """Queue a job; refused while the same job for the same course is still queued or running."""
    if kind == BulkJob.Kind.REISSUE:
        total = outdated_certificates(course_certificate).count()
        nothing = _("No certificate of this course was printed from an older template.")
    else:
        total = waiting_accesses(course_certificate).count()
        nothing = _("Nobody with active access is waiting for this certificate.")
    if total == 0:
        raise CertificateError(nothing)
    _close_stale_jobs(course_certificate)
    try:
        with transaction.atomic():
            job = BulkJob.objects.create(
                project_id=course_certificate.project_id,
                course_certificate=course_certificate,
                kind=kind,
                total=total,
                created_by=actor,
            )
            events.send_after_commit(events.bulk_job_queued, job_id=job.id)
    except IntegrityError as exc:
        raise CertificateError(
            _("The same job for this course is already running; wait for it to finish.")
        ) from exc
    return job


def bulk_job_run(*, job_id: int) -> BulkJob:
    claimed = BulkJob.objects.filter(pk=job_id, status=BulkJob.Status.QUEUED).update(
        status=BulkJob.Status.RUNNING, started_at=timezone.now()
    )
    job = BulkJob.objects.select_related("course_certificate__template", "created_by").get(
        pk=job_id
    )
    if not claimed:
        return job  # another worker took it, or it already ran
    course_certificate = job.course_certificate
    if job.kind == BulkJob.Kind.REISSUE:
        targets = list(outdated_certificates(course_certificate).select_related("contact"))
    else:
        targets = [
            a.contact for a in waiting_accesses(course_certificate).select_related("contact")
        ]
    BulkJob.objects.filter(pk=job.pk).update(total=len(targets))
    errors = []
    for target in targets:
        # One small UPDATE per item is the progress the page polls for.
        try:
            counter = "done" if _run_one(job, target) else "skipped"
        except CertificateError as error:
            errors.append(str(error))
            counter = "failed"
        BulkJob.objects.filter(pk=job.pk).update(**{counter: F(counter) + 1})
    BulkJob.objects.filter(pk=job.pk).update(
        status=BulkJob.Status.FINISHED, finished_at=timezone.now(), errors=errors[:50]
    )
    job.refresh_from_db()
    return job


def _run_one(job: BulkJob, target) -> bool:
    """Do one item; False when there was nothing to do for it (skipped)."""
    if job.kind == BulkJob.Kind.REISSUE:
        certificate_reissue(certificate=target, actor=job.created_by, reason=_("Template updated"))
        return True
    if not evaluate_contact(contact=target, course_certificate=job.course_certificate).met:
        return False
    _certificate, created = certificate_issue(
        contact=target, course=job.course_certificate.course, actor=job.created_by
    )
    return created


# A job whose worker died never finishes; after this long it no longer blocks a new one.
STALE_AFTER = timezone.timedelta(hours=2)


def _close_stale_jobs(course_certificate: CourseCertificate) -> None:
    BulkJob.objects.filter(
        course_certificate=course_certificate,
        status__in=[BulkJob.Status.QUEUED, BulkJob.Status.RUNNING],
        created_at__lt=timezone.now() - STALE_AFTER,
    ).update(
        status=BulkJob.Status.FINISHED,
        finished_at=timezone.now(),
        errors=[_("Interrupted: the job stopped before it finished.")],
    )


def bulk_summary(course_certificate: CourseCertificate) -> dict:
    """What the course page offers: how many are outdated or waiting, and the latest jobs."""
    return {
        "outdated": outdated_certificates(course_certificate).count(),
        "waiting": waiting_accesses(course_certificate).count(),
        "jobs": list(
            BulkJob.objects.filter(course_certificate=course_certificate).select_related(
                "created_by"
            )[:5]
        ),
    }
