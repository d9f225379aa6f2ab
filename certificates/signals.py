"""Progress and access changes dispatch an evaluation after commit; nothing else happens here."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from courses.models import Access, LessonProgress


def _evaluate_after_commit(contact_id: int, course_id: int) -> None:
    from .tasks import certificate_evaluate

    # robust: the progress is saved whatever happens next; a failure is logged, not raised
    # into the student's request.
    transaction.on_commit(lambda: certificate_evaluate.delay(contact_id, course_id), robust=True)


@receiver(post_save, sender=LessonProgress, dispatch_uid="certificates_progress")
def progress_changed(sender, instance: LessonProgress, **kwargs):
    if instance.completed_at is not None:
        _evaluate_after_commit(instance.contact_id, instance.lesson.course_id)


@receiver(post_save, sender=Access, dispatch_uid="certificates_access")
def access_changed(sender, instance: Access, **kwargs):
    _evaluate_after_commit(instance.contact_id, instance.course_id)
