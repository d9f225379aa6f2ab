"""Receivers that only dispatch: progress, access and certificate events queue tasks.

Model saves in courses (progress, access) and the events certificates' services send
(events.py) arrive here after commit and become background tasks; nothing else happens here,
except that a Celery worker starts the renderer's children when it is ready.
"""

from celery.signals import worker_ready
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from courses.models import Access, LessonProgress

from . import events, rendering, tasks


@worker_ready.connect(dispatch_uid="certificates_start_renderers")
def start_renderers(**kwargs):
    # The renderer's children start with the worker, not with its first certificate: a bulk
    # job's first batches (and the first download after a deploy) do not wait for them.
    rendering.renderer_pool().start()


def _evaluate_after_commit(contact_id: int, course_id: int) -> None:
    # robust: the progress is saved whatever happens next; a failure is logged, not raised
    # into the student's request.
    transaction.on_commit(
        lambda: tasks.certificate_evaluate.delay(contact_id, course_id), robust=True
    )


@receiver(post_save, sender=LessonProgress, dispatch_uid="certificates_progress")
def progress_changed(sender, instance: LessonProgress, **kwargs):
    if instance.completed_at is not None:
        _evaluate_after_commit(instance.contact_id, instance.lesson.course_id)


@receiver(post_save, sender=Access, dispatch_uid="certificates_access")
def access_changed(sender, instance: Access, **kwargs):
    _evaluate_after_commit(instance.contact_id, instance.course_id)


@receiver(events.certificate_issued, dispatch_uid="certificates_issued")
def queue_issued_work(sender, certificate_id: int, notify: bool = True, **kwargs):
    collected = events.issued_collector()
    if collected is not None:
        collected.append((certificate_id, notify))  # its bulk job has it drawn in a batch
        return
    tasks.certificate_issued.delay(certificate_id, notify=notify)


@receiver(events.certificates_issued_together, dispatch_uid="certificates_issued_together")
def queue_batch_work(sender, certificate_ids: list[int], notify_ids: list[int], **kwargs):
    # The render first: without a broker it runs here and now, and an email that attaches
    # the PDF then finds it stored.
    tasks.certificates_render.delay(certificate_ids)
    for certificate_id in notify_ids:
        tasks.certificate_email.delay(certificate_id)


@receiver(events.bulk_job_queued, dispatch_uid="certificates_bulk_job")
def queue_bulk_job(sender, job_id: int, **kwargs):
    tasks.bulk_job_run.delay(job_id)


@receiver(events.export_job_queued, dispatch_uid="certificates_export_job")
def queue_export_job(sender, job_id: int, **kwargs):
    tasks.export_job_run.delay(job_id)
