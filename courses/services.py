"""Writes to courses: progress and access. Certificates react to these through signals."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Contact

from .models import Access, Course, Lesson, LessonProgress


class CourseError(Exception):
    """A refused action; the message is shown to the user."""


@transaction.atomic
def lesson_complete(
    *, contact: Contact, lesson: Lesson, score: int | None = None
) -> LessonProgress:
    """Record a finished lesson, or a test attempt (a test counts as completed once passed).

    A test keeps its best score, so a weaker retake never takes a pass away.
    """
    if lesson.course.project_id != contact.project_id:
        raise CourseError(_("This lesson belongs to another school."))
    if not Access.objects.active().filter(contact=contact, course=lesson.course_id).exists():
        raise CourseError(_("You have no active access to this course."))
    if lesson.is_test and score is None:
        raise CourseError(_("A test needs a score."))
    if score is not None and not 0 <= score <= 100:
        raise CourseError(_("A score is a percent from 0 to 100."))

    progress, _created = LessonProgress.objects.select_for_update().get_or_create(
        contact=contact, lesson=lesson
    )
    if lesson.is_test:
        progress.score = max(score, progress.score or 0)
        passed = progress.score >= (lesson.pass_score or 0)
    else:
        passed = True
    if passed and progress.completed_at is None:
        progress.completed_at = timezone.now()
    progress.save()
    return progress


@transaction.atomic
def access_grant(
    *,
    contact: Contact,
    course: Course,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> Access:
    """Give or renew access: an existing access is reopened with the new dates."""
    if course.project_id != contact.project_id:
        raise CourseError(_("This course belongs to another school."))
    starts_at = starts_at or timezone.now()
    if ends_at is not None and ends_at <= starts_at:
        raise CourseError(_("Access must end after it starts."))
    access, created = Access.objects.select_for_update().get_or_create(
        contact=contact,
        course=course,
        defaults={"starts_at": starts_at, "ends_at": ends_at},
    )
    if not created:
        access.starts_at = min(access.starts_at, starts_at)
        access.ends_at = ends_at
        access.paused_at = None
        access.revoked_at = None
        access.save(update_fields=["starts_at", "ends_at", "paused_at", "revoked_at"])
    return access


@transaction.atomic
def access_revoke(*, access: Access) -> Access:
    if access.revoked_at is None:
        access.revoked_at = timezone.now()
        access.save(update_fields=["revoked_at"])
    return access
