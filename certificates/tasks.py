"""Background work. Tasks take ids and call services; no logic lives here.

Every task may run twice (acks late: a worker that dies mid-task gets its message delivered
again), so each one is safe to repeat: claims, locks and per-item outcomes in the services.
"""

from datetime import timedelta

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.utils import timezone

from . import bulk, exports, notifications, reminders, services
from .models import Certificate

# A failing storage or mail server is retried 25 times with backoff (at random up to 1 s,
# 2 s, 4 s … then 10 minutes: one to three hours in all); meanwhile a download says "being
# prepared" and renders it when it can.
MAX_RETRIES = 25
RETRY_BACKOFF_MAX = 600  # below the broker's visibility timeout (settings), or it duplicates


def _retry_later(task, error: Exception):
    if task.request.is_eager:
        # No broker (the embedded setup): a retry would run at once, in the same request, and
        # fail the same way. The download renders the PDF when the storage is back.
        raise error
    countdown = get_exponential_backoff_interval(
        factor=1, retries=task.request.retries, maximum=RETRY_BACKOFF_MAX, full_jitter=True
    )
    raise task.retry(exc=error, countdown=countdown, max_retries=MAX_RETRIES)


@shared_task
def certificate_issued(certificate_id: int, notify: bool = True) -> None:
    # Two tasks, so a storage fault that holds back the PDF never holds back the email of a
    # student with a login (a student without one gets the PDF attached: that email waits).
    if notify:
        certificate_email.delay(certificate_id)
    certificate_render.delay(certificate_id)


@shared_task(bind=True)
def certificate_render(self, certificate_id: int) -> None:
    try:
        # A PDF already stored (the email of a student without a login drew it first) is
        # seen here, without taking the row's lock; certificate_render_once looks again under it.
        certificate = Certificate.objects.filter(pk=certificate_id).only("pk", "pdf").first()
        if certificate is not None and not services.certificate_pdf_ready(certificate):
            services.certificate_render_once(certificate_id=certificate_id)
    except OSError as error:  # the storage failed
        _retry_later(self, error)


@shared_task(bind=True)
def certificates_render(self, certificate_ids: list[int]) -> None:
    """Many certificates drawn in batches (a bulk job's chunk); those stored already are skipped."""
    try:
        services.certificates_render_many(certificate_ids=certificate_ids)
    except OSError as error:  # the storage failed
        _retry_later(self, error)


@shared_task(bind=True)
def certificate_email(self, certificate_id: int) -> None:
    try:
        notifications.certificate_issued_email(certificate_id=certificate_id)
    except (OSError, services.CertificatePdfNotReady) as error:  # mail server, or no PDF yet
        _retry_later(self, error)


@shared_task
def certificate_evaluate(contact_id: int, course_id: int) -> None:
    services.certificate_issue_if_earned(contact_id=contact_id, course_id=course_id)


def _look_again_later(task, job) -> None:
    """A job someone else is running: come back when its heartbeat would be stale.

    The other runner may be a worker that died a moment ago; its message could come back
    only after the broker's visibility timeout, so this delivery keeps watch instead of
    being acknowledged and lost. Once the job is finished it simply ends.
    """
    if job is not None and job.status in ("queued", "running") and not task.request.is_eager:
        raise task.retry(countdown=settings.JOB_STALE_AFTER, max_retries=None)


@shared_task(bind=True)
def bulk_job_run(self, job_id: int) -> None:
    _look_again_later(self, bulk.bulk_job_run(job_id=job_id))


@shared_task
def bulk_jobs_resume() -> int:
    """Run every minute by Celery beat: queue again the bulk and export jobs whose worker died."""
    return bulk.bulk_jobs_resume() + exports.export_jobs_resume()


@shared_task
def evaluate_started_accesses(hours: int = 2) -> int:
    """Run hourly by Celery beat (see CELERY_BEAT_SCHEDULE); the window overlaps on purpose."""
    since = timezone.now() - timedelta(hours=hours)
    return services.certificates_issue_for_started_accesses(since=since)


@shared_task(bind=True)
def export_job_run(self, job_id: int) -> None:
    _look_again_later(self, exports.export_job_run(job_id=job_id))


@shared_task
def send_expiry_reminders() -> int:
    """Run daily by Celery beat (see CELERY_BEAT_SCHEDULE); each reminder is sent once."""
    return reminders.send_expiry_reminders()
