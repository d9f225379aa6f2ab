"""Progress and access: the writes that feed automatic issuance."""

from datetime import timedelta

import pytest
from django.utils import timezone

from courses.models import Access, LessonProgress
from courses.services import CourseError, access_grant, access_revoke, lesson_complete
from tests.factories import AccessFactory, ContactFactory, LessonFactory, course_with_certificate


@pytest.fixture
def quiz(project):
    """A course of a lesson and a test (pass score 60)."""
    return course_with_certificate(project, lessons=2, test=True)


def test_completing_a_lesson_records_when(access, contact, course):
    lesson = course.lessons.first()
    progress = lesson_complete(contact=contact, lesson=lesson)
    assert progress.completed_at is not None
    again = lesson_complete(contact=contact, lesson=lesson)
    assert again.completed_at == progress.completed_at  # the first completion counts
    assert LessonProgress.objects.count() == 1


def test_a_test_counts_once_passed_and_keeps_the_best_score(contact, quiz):
    AccessFactory(contact=contact, course=quiz)
    test = quiz.lessons.get(is_test=True)
    failed = lesson_complete(contact=contact, lesson=test, score=40)
    assert (failed.completed_at, failed.score) == (None, 40)
    passed = lesson_complete(contact=contact, lesson=test, score=75)
    assert passed.completed_at is not None and passed.score == 75
    weaker = lesson_complete(contact=contact, lesson=test, score=10)
    assert weaker.score == 75 and weaker.completed_at == passed.completed_at


@pytest.mark.parametrize(
    ("score", "message"),
    [(None, "A test needs a score."), (101, "A score is a percent from 0 to 100.")],
)
def test_bad_test_scores_are_refused(contact, quiz, score, message):
    AccessFactory(contact=contact, course=quiz)
    with pytest.raises(CourseError, match=message):
        lesson_complete(contact=contact, lesson=quiz.lessons.get(is_test=True), score=score)
    assert not LessonProgress.objects.exists()


def test_progress_needs_active_access(access, contact, course):
    access.paused_at = timezone.now()
    access.save()
    with pytest.raises(CourseError, match="no active access"):
        lesson_complete(contact=contact, lesson=course.lessons.first())
    assert not LessonProgress.objects.exists()


def test_progress_in_another_school_is_refused(contact, charlie):
    foreign = course_with_certificate(charlie.memberships.get().project)
    with pytest.raises(CourseError, match="another school"):
        lesson_complete(contact=contact, lesson=foreign.lessons.first())


def test_granting_access_creates_it_active(contact, course):
    access = access_grant(contact=contact, course=course)
    assert access.is_active()
    assert Access.objects.active().filter(pk=access.pk).exists()


def test_renewing_reopens_an_expired_paused_or_revoked_access(access, contact, course):
    now = timezone.now()
    access.starts_at = now - timedelta(days=60)
    access.ends_at = now - timedelta(days=1)
    access.paused_at = now - timedelta(days=2)
    access.save()
    access_revoke(access=access)
    assert access.status() == Access.Status.REVOKED

    renewed = access_grant(contact=contact, course=course, ends_at=now + timedelta(days=30))
    assert renewed.pk == access.pk
    assert renewed.is_active()
    assert renewed.starts_at == now - timedelta(days=60)  # history kept: the earliest start
    assert Access.objects.count() == 1


def test_access_must_end_after_it_starts(contact, course):
    now = timezone.now()
    with pytest.raises(CourseError, match="end after it starts"):
        access_grant(contact=contact, course=course, starts_at=now, ends_at=now)
    assert not Access.objects.exists()


def test_access_to_another_schools_course_is_refused(contact, charlie):
    foreign = course_with_certificate(charlie.memberships.get().project)
    with pytest.raises(CourseError, match="another school"):
        access_grant(contact=contact, course=foreign)


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({}, Access.Status.ACTIVE),
        ({"ends_at": +1}, Access.Status.ACTIVE),
        ({"ends_at": 0}, Access.Status.EXPIRED),  # ends exactly now: over
        ({"ends_at": -1}, Access.Status.EXPIRED),
        ({"starts_at": +1, "ends_at": +2}, Access.Status.SCHEDULED),
        ({"paused_at": -1}, Access.Status.PAUSED),
        ({"revoked_at": -1, "paused_at": -1}, Access.Status.REVOKED),
    ],
)
def test_active_access_is_defined_once_and_query_and_instance_agree(project, fields, status):
    now = timezone.now()
    course = course_with_certificate(project, lessons=1)
    access = AccessFactory(
        contact=ContactFactory(project=project), course=course, starts_at=now - timedelta(days=5)
    )
    for name, days in fields.items():
        setattr(access, name, now + timedelta(days=days))
    access.save()
    assert access.status(at=now) == status
    in_query = Access.objects.active(at=now).filter(pk=access.pk).exists()
    assert in_query is access.is_active(at=now) is (status == Access.Status.ACTIVE)


def test_lessons_keep_their_order(project):
    course = course_with_certificate(project, lessons=0)
    LessonFactory(course=course, position=2, title="Second")
    LessonFactory(course=course, position=1, title="First")
    assert [lesson.title for lesson in course.lessons.all()] == ["First", "Second"]
