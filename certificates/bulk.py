"""Long-running jobs on many certificates at once, with progress staff can watch.

- reissue: every live certificate of a course printed from an older template (or another
  template than the course uses now) is deleted and issued again — the article's "reissue
  after the template has been updated", for a whole course in one go;
- issue: everyone with active access who meets the conditions but has no certificate yet
  (e.g. after the conditions were relaxed or automatic issuance was turned on).

Items are done in chunks, each chunk one transaction committed with its items' outcomes
(BulkJobItem) and each certificate in a savepoint of its own, so a failure stops nothing but
that one, and a job whose worker died resumes where it stopped (see heartbeat.py): "finished"
means every item is done, skipped or failed with its reason. A chunk's new certificates are
drawn together, in batches, after its commit.
"""

import logging
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Access

from . import events, heartbeat
from .models import BulkJob, BulkJobItem, Certificate, CourseCertificate
from .selectors import evaluate_contact
from .services import CertificateError, certificate_issue, certificate_reissue

logger = logging.getLogger(__name__)


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


SAMPLE_SIZE = 5


@dataclass
class BulkPreview:
    """What a bulk job would do, shown for confirmation before it starts."""

    kind: str
    total: int
    sample: list[str]  # a few names, so staff see who is concerned
    notify_default: bool

    @property
    def more(self) -> int:
        return max(self.total - len(self.sample), 0)


def bulk_preview(*, course_certificate: CourseCertificate, kind: str) -> BulkPreview:
    """How many and who; refused (CertificateError) when there is nothing to do.

    Students are emailed by default on first issues; a reissue from a newer template prints
    the same data, so by default it does not email them again.
    """
    if kind == BulkJob.Kind.REISSUE:
        targets = outdated_certificates(course_certificate).order_by("id")
        names = targets.values_list("printed_name", flat=True)
        nothing = _("No certificate of this course was printed from an older template.")
    else:
        targets = waiting_accesses(course_certificate)
        names = targets.values_list("contact__name", flat=True)
        nothing = _("Nobody with active access is waiting for this certificate.")
    total = targets.count()
    if total == 0:
        raise CertificateError(nothing)
    return BulkPreview(
        kind=kind,
        total=total,
        sample=list(names[:SAMPLE_SIZE]),
        notify_default=kind == BulkJob.Kind.ISSUE,
    )


def bulk_job_start(
    *, course_certificate: CourseCertificate, kind: str, actor, notify: bool | None = None
) -> BulkJob:
    """Queue a job; refused while the same job for the same course is still queued or running.

    `notify`: whether students are emailed; None takes the preview's default for the kind.
    """
    preview = bulk_preview(course_certificate=course_certificate, kind=kind)
    total = preview.total
    notify = preview.notify_default if notify is None else notify
    try:
        with transaction.atomic():
            job = BulkJob.objects.create(
                project_id=course_certificate.project_id,
                course_certificate=course_certificate,
                kind=kind,
                total=total,
                created_by=actor,
                notify=notify,
            )
            events.send_after_commit(events.bulk_job_queued, job_id=job.id)
    except IntegrityError as exc:
        raise CertificateError(
            _("The same job for this course is already running; wait for it to finish.")
        ) from exc
    return job


def bulk_job_run(*, job_id: int) -> BulkJob | None:
    """Run the job, or resume it where a dead worker left it; a no-op if someone alive runs it.

    The targets are listed as BulkJobItems when the job is first claimed, in the same
    transaction as the claim. A chunk of items' work, their outcomes and the job's counters
    and heartbeat then commit together, so a worker killed at any point leaves every item
    either done (with its outcome) or untouched, and the next runner does the untouched ones.
    """
    with transaction.atomic():
        claim, _first = heartbeat.job_claim(BulkJob, job_id)
        job = (
            BulkJob.objects.select_related("course_certificate__template", "created_by")
            .filter(pk=job_id)
            .first()
        )
        if claim is None:
            return job  # finished, or another worker is on it
        if not job.items.exists():  # first claim (or one that died before committing its list)
            _list_items(job)
    if job.attempts > MAX_ATTEMPTS:
        claim = _give_up(job, claim)
    pending = list(
        job.items.filter(outcome=BulkJobItem.Outcome.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    with _drawn_alongside() as draw:
        for start in range(0, len(pending), CHUNK_SIZE):
            claim = _run_chunk(job, pending[start : start + CHUNK_SIZE], claim, draw)
            if claim is None:
                return _fresh(job)  # taken over by another runner, which carries on
    with transaction.atomic():
        if heartbeat.job_beat(BulkJob, job.pk, claim) is None:
            return _fresh(job)
        if not job.items.filter(outcome=BulkJobItem.Outcome.PENDING).exists():
            reasons = job.items.filter(outcome=BulkJobItem.Outcome.FAILED).values_list(
                "contact__name", "reason"
            )
            BulkJob.objects.filter(pk=job.pk).update(
                status=BulkJob.Status.FINISHED,
                finished_at=timezone.now(),
                errors=[f"{name}: {reason}" for name, reason in reasons[:50]],
            )
    return _fresh(job)


# A job claimed this many times died with its worker every time (one item that kills the
# worker, say); the next claim fails what is left instead of looping for ever.
MAX_ATTEMPTS = 5


def _list_items(job: BulkJob) -> None:
    course_certificate = job.course_certificate
    if job.kind == BulkJob.Kind.REISSUE:
        items = [
            BulkJobItem(job=job, contact_id=contact_id, certificate_id=certificate_id)
            for certificate_id, contact_id in outdated_certificates(course_certificate)
            .order_by("id")
            .values_list("id", "contact_id")
        ]
    else:
        items = [
            BulkJobItem(job=job, contact_id=contact_id)
            for contact_id in waiting_accesses(course_certificate).values_list(
                "contact_id", flat=True
            )
        ]
    BulkJobItem.objects.bulk_create(items, batch_size=1000, ignore_conflicts=True)
    BulkJob.objects.filter(pk=job.pk).update(total=job.items.count())


# Items done in one transaction. Their certificates are drawn together after its commit (in
# batches, across the renderer's children), and the job's row, progress and counters are
# written once per chunk instead of once per item; the page that polls sees progress by chunks.
CHUNK_SIZE = 12


def _run_chunk(job: BulkJob, item_ids: list[int], claim, draw):
    """Do a chunk of items in one transaction with their outcomes; the new claim, or None.

    Each item's work is in a savepoint of its own, so one that fails is undone alone and
    recorded as failed; the chunk commits with every outcome, so a worker killed mid-chunk
    leaves the whole chunk untouched for the next runner. The certificates it issued are
    drawn in batches after commit (events.issued_collected), not one render task each.
    """
    with events.issued_collected() as issued, transaction.atomic():
        # The compare-and-set also locks the job row until commit: one chunk at a time.
        claim = heartbeat.job_beat(BulkJob, job.pk, claim)
        if claim is None:
            return None
        items = list(
            BulkJobItem.objects.select_for_update(of=("self",))
            .select_related("contact")
            .filter(pk__in=item_ids, outcome=BulkJobItem.Outcome.PENDING)
            .order_by("pk")
        )
        targets = _reissue_targets(job, items)
        counts = Counter()
        now = timezone.now()
        for item in items:
            outcome, reason = _run_item(job, item, targets)
            item.outcome, item.reason, item.processed_at = outcome, reason[:500], now
            counts[outcome] += 1
        BulkJobItem.objects.bulk_update(items, ["outcome", "reason", "processed_at"])
        if counts:
            BulkJob.objects.filter(pk=job.pk).update(
                **{outcome: F(outcome) + count for outcome, count in counts.items()}
            )
    if issued:
        draw(
            [certificate_id for certificate_id, _notify in issued],
            [certificate_id for certificate_id, notify in issued if notify],
        )
    return claim


# Chunks drawn at once: while one chunk's PDFs are signed and stored, the next is already
# with the renderer's children, so they never wait between chunks.
DRAWN_AHEAD = 2


@contextmanager
def _drawn_alongside():
    """`draw(certificate_ids, notify_ids)`: a chunk's certificates, drawn while the next
    chunk is done.

    Sends `certificates_issued_together`. With a broker that only queues the render task
    (other worker threads draw it), so it is sent right here. Without one the render runs
    in-process, so it is sent from a thread of its own, which draws across the renderer's
    children while this thread does the next chunk's queries: up to DRAWN_AHEAD chunks at
    once, and the job ends only when the last one is drawn. Like an event after commit, a
    failure is logged and never undoes the job (a download draws a missing PDF).

    An in-memory SQLite database (the tests') refuses a second connection's write at once
    instead of waiting for the first: there each chunk is drawn in this thread too.
    """
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
    if not settings.CELERY_TASK_ALWAYS_EAGER or in_memory:
        yield _send_drawn
        return
    threads = ThreadPoolExecutor(max_workers=DRAWN_AHEAD, thread_name_prefix="bulk-render")
    ahead = []

    def draw(certificate_ids: list[int], notify_ids: list[int]) -> None:
        while len(ahead) >= DRAWN_AHEAD:
            ahead.pop(0).result()
        ahead.append(threads.submit(_in_own_thread, certificate_ids, notify_ids))

    try:
        yield draw
    finally:
        while ahead:
            ahead.pop().result()
        threads.shutdown()


def _send_drawn(certificate_ids: list[int], notify_ids: list[int]) -> None:
    try:
        events.certificates_issued_together.send(
            sender=None, certificate_ids=certificate_ids, notify_ids=notify_ids
        )
    except Exception:
        logger.exception("Drawing %d certificates of a bulk job failed", len(certificate_ids))


def _in_own_thread(certificate_ids: list[int], notify_ids: list[int]) -> None:
    try:
        _send_drawn(certificate_ids, notify_ids)
    finally:
        connections.close_all()  # this thread's own connection; the thread ends with the job


def _reissue_targets(job: BulkJob, items: list[BulkJobItem]):
    """A reissue chunk's certificates by id, and the ids of those still outdated.

    Locked (in id order) until the chunk commits, so a deletion by staff at this moment is
    seen and not undone by a reissue; with what the reissue reads of each, in one query.
    """
    if job.kind != BulkJob.Kind.REISSUE:
        return {}, set()
    ids = [item.certificate_id for item in items]
    certificates = {
        certificate.pk: certificate
        for certificate in Certificate.objects.select_for_update(of=("self",))
        .select_related("contact", "course_certificate__course")
        .filter(pk__in=ids)
        .order_by("pk")
    }
    outdated = outdated_certificates(job.course_certificate).filter(pk__in=ids)
    return certificates, set(outdated.values_list("pk", flat=True))


def _run_item(job: BulkJob, item: BulkJobItem, targets) -> tuple[str, str]:
    """One item's outcome and reason; its work is undone if it failed.

    An item writes through exactly one service call (reissue or issue), which is atomic: in
    the chunk's transaction it has a savepoint of its own, so a refusal or a failure inside
    it is undone alone. A savepoint here as well would cost two more statements an item.
    """
    try:
        return _run_one(job, item, targets)
    except CertificateError as error:
        return BulkJobItem.Outcome.FAILED, str(error)
    except DatabaseError:
        raise  # the connection or the transaction is gone: the next runner retries the chunk
    except Exception:
        logger.exception("Bulk job %s: item %s failed", job.pk, item.pk)
        return BulkJobItem.Outcome.FAILED, _("Unexpected error; see the log.")


def _run_one(job: BulkJob, item: BulkJobItem, targets) -> tuple[str, str]:
    """Do one item: its outcome and, when not done, why."""
    if job.kind == BulkJob.Kind.REISSUE:
        certificates, outdated = targets  # locked: see _reissue_targets
        certificate = certificates[item.certificate_id]
        if certificate.deleted_at is not None:
            return BulkJobItem.Outcome.SKIPPED, _("Deleted or reissued meanwhile.")
        if certificate.pk not in outdated:
            return BulkJobItem.Outcome.SKIPPED, _("Already printed from the current template.")
        certificate_reissue(
            certificate=certificate,
            actor=job.created_by,
            reason=_("Template updated"),
            category=Certificate.DeleteCategory.TEMPLATE_UPDATE,
            notify=job.notify,
        )
        return BulkJobItem.Outcome.DONE, ""
    if not evaluate_contact(contact=item.contact, course_certificate=job.course_certificate).met:
        return BulkJobItem.Outcome.SKIPPED, _("The conditions are not met.")
    _certificate, created = certificate_issue(
        contact=item.contact,
        course=job.course_certificate.course,
        actor=job.created_by,
        notify=job.notify,
    )
    if not created:
        return BulkJobItem.Outcome.SKIPPED, _("Already has the certificate.")
    return BulkJobItem.Outcome.DONE, ""


def _give_up(job: BulkJob, claim):
    """Fail what is left of a job that lost its worker MAX_ATTEMPTS times, saying so."""
    with transaction.atomic():
        claim = heartbeat.job_beat(BulkJob, job.pk, claim)
        if claim is None:
            return None
        pending = job.items.filter(outcome=BulkJobItem.Outcome.PENDING)
        failed = pending.update(
            outcome=BulkJobItem.Outcome.FAILED,
            reason=_("Interrupted: the worker stopped %(count)s times during this job.")
            % {"count": MAX_ATTEMPTS},
            processed_at=timezone.now(),
        )
        BulkJob.objects.filter(pk=job.pk).update(failed=F("failed") + failed)
    return claim


def _fresh(job: BulkJob) -> BulkJob:
    job.refresh_from_db()
    return job


def bulk_jobs_resume() -> int:
    """Queue again every job nobody works on (run every minute by beat); how many."""
    ids = list(heartbeat.stale_jobs(BulkJob).values_list("pk", flat=True))
    for job_id in ids:
        events.bulk_job_queued.send(sender=None, job_id=job_id)
    return len(ids)


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
