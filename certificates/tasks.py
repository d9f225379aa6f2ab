"""Background work. Tasks take ids and call services; no logic lives here."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from . import bulk, exports, notifications, services
from .models import Certificate


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def certificate_issued(certificate_id: int) -> None:
    certificate_render(certificate_id)
    notifications.certificate_issued_email(certificate_id=certificate_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def certificate_render(certificate_id: int) -> None:
    certificate = (
        Certificate.objects.select_related("template_revision").filter(pk=certificate_id).first()
    )
    if certificate is not None and not certificate.pdf:
        services.certificate_store_pdf(certificate=certificate)


@shared_task
def certificate_evaluate(contact_id: int, course_id: int) -> None:
    services.certificate_issue_if_earned(contact_id=contact_id, course_id=course_id)


@shared_task
def bulk_job_run(job_id: int) -> None:
    bulk.bulk_job_run(job_id=job_id)


@shared_task
def evaluate_started_accesses(hours: int = 2) -> int:
    """Run hourly by Celery beat (see CELERY_BEAT_SCHEDULE); the window overlaps on purpose."""
    since = timezone.now() - timedelta(hours=hours)
    return services.certificates_issue_for_started_accesses(since=since)


@shared_task
def export_job_run(job_id: int) -> None:
    exports.export_job_run(job_id=job_id)
