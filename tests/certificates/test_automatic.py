"""Automatic issuance: progress and access changes are evaluated after commit."""

from datetime import timedelta

import pytest
from django.utils import timezone

from certificates.models import Certificate, CourseCertificate
from certificates.services import certificate_delete, certificate_issue
from courses.models import LessonProgress
from courses.services import access_grant, lesson_complete
from tests.factories import AccessFactory, course_with_certificate


def lessons_of(course):
    return list(course.lessons.order_by("position"))


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what a real commit would run: the evaluation and then the render."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def finish_quietly(contact, course, upto=None):
    """Progress rows without running after-commit work (as if written before this feature)."""
    now = timezone.now()
    for lesson in lessons_of(course)[:upto]:
        LessonProgress.objects.create(
            contact=contact, lesson=lesson, completed_at=now, score=100 if lesson.is_test else None
        )


def test_completing_the_last_lesson_issues_automatically(access, contact, course, on_commit):
    *first, last = lessons_of(course)
    for lesson in first:
        with on_commit():
            lesson_complete(contact=contact, lesson=lesson)
    assert not Certificate.objects.exists()

    with on_commit():
        lesson_complete(contact=contact, lesson=last)
    certificate = Certificate.objects.get()
    assert certificate.contact == contact
    assert certificate.method == Certificate.Method.AUTOMATIC
    assert certificate.issued_by is None
    assert certificate.forced is False
    assert certificate.snapshot["progress"]["conditions_met"] is True
    assert certificate.pdf.name  # rendered after the issue committed


def test_the_evaluation_waits_for_the_commit(
    access, contact, course, django_capture_on_commit_callbacks
):
    finish_quietly(contact, course, upto=2)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        lesson_complete(contact=contact, lesson=lessons_of(course)[-1])
    # Nothing happens inside the transaction; one evaluation is queued for after it.
    assert not Certificate.objects.exists()
    assert len(callbacks) == 1
    callbacks[0]()
    assert Certificate.objects.filter(method="automatic").count() == 1


@pytest.fixture
def test_course(project, contact):
    """Two lessons, the last a test with pass score 60."""
    course = course_with_certificate(project, lessons=2, test=True)
    AccessFactory(contact=contact, course=course)
    return course


def test_passing_the_final_test_issues(contact, test_course, on_commit):
    lesson, test = lessons_of(test_course)
    with on_commit():
        lesson_complete(contact=contact, lesson=lesson)
        lesson_complete(contact=contact, lesson=test, score=60)
    certificate = Certificate.objects.get()
    assert certificate.snapshot["progress"]["tests"] == [
        {"title": test.title, "score": 60, "needed": 60}
    ]


def test_a_failed_test_does_not_issue_and_a_passing_retake_does(contact, test_course, on_commit):
    lesson, test = lessons_of(test_course)
    with on_commit():
        lesson_complete(contact=contact, lesson=lesson)
        lesson_complete(contact=contact, lesson=test, score=59)
    assert not Certificate.objects.exists()
    assert LessonProgress.objects.get(lesson=test).completed_at is None

    with on_commit():
        lesson_complete(contact=contact, lesson=test, score=85)
    assert Certificate.objects.get().snapshot["progress"]["tests"][0]["score"] == 85


def test_minimum_test_score_holds_back_a_pass_until_a_better_retake(
    contact, test_course, on_commit
):
    CourseCertificate.objects.filter(course=test_course).update(min_test_score=80)
    lesson, test = lessons_of(test_course)
    with on_commit():
        lesson_complete(contact=contact, lesson=lesson)
        lesson_complete(contact=contact, lesson=test, score=70)  # passes the test, not the bar
    assert LessonProgress.objects.get(lesson=test).completed_at is not None
    assert not Certificate.objects.exists()
    with on_commit():
        lesson_complete(contact=contact, lesson=test, score=50)  # a weaker retake keeps 70
    assert LessonProgress.objects.get(lesson=test).score == 70
    assert not Certificate.objects.exists()
    with on_commit():
        lesson_complete(contact=contact, lesson=test, score=90)
    assert Certificate.objects.count() == 1


def test_renewing_an_expired_access_issues_for_a_finished_course(
    access, contact, course, on_commit
):
    finish_quietly(contact, course)
    access.ends_at = timezone.now() - timedelta(days=1)
    access.starts_at = timezone.now() - timedelta(days=30)
    access.save()
    assert not Certificate.objects.exists()

    with on_commit():
        access_grant(contact=contact, course=course, ends_at=timezone.now() + timedelta(days=30))
    assert Certificate.objects.get().method == Certificate.Method.AUTOMATIC


def test_granting_access_issues_for_progress_made_earlier(contact, course, on_commit):
    finish_quietly(contact, course)  # e.g. progress kept from an earlier enrolment
    with on_commit():
        access_grant(contact=contact, course=course)
    assert Certificate.objects.count() == 1


def test_never_without_active_access(access, contact, course, on_commit):
    finish_quietly(contact, course)
    access.paused_at = timezone.now()
    access.save()
    with on_commit():
        # A progress change and an access change, both while the access is paused.
        LessonProgress.objects.filter(contact=contact).first().save()
        access.save()
    assert not Certificate.objects.exists()


def test_access_granted_for_later_does_not_issue_yet(contact, course, on_commit):
    finish_quietly(contact, course)
    with on_commit():
        access_grant(
            contact=contact,
            course=course,
            starts_at=timezone.now() + timedelta(days=3),
        )
    assert not Certificate.objects.exists()


def test_never_twice(access, contact, course, on_commit):
    finish_quietly(contact, course, upto=2)
    last = lessons_of(course)[-1]
    with on_commit():
        lesson_complete(contact=contact, lesson=last)
        lesson_complete(contact=contact, lesson=last)  # a double submit: two evaluations
    with on_commit():
        access_grant(contact=contact, course=course)  # and a renewal afterwards
    assert Certificate.objects.count() == 1


def test_automatic_issuance_off_does_not_issue(access, contact, course, on_commit):
    CourseCertificate.objects.filter(course=course).update(auto_issue=False)
    finish_quietly(contact, course, upto=2)
    with on_commit():
        lesson_complete(contact=contact, lesson=lessons_of(course)[-1])
    assert not Certificate.objects.exists()


def test_a_deletion_does_not_bring_a_new_certificate(access, contact, course, alice, on_commit):
    finish_quietly(contact, course, upto=2)
    with on_commit():
        lesson_complete(contact=contact, lesson=lessons_of(course)[-1])
    certificate = Certificate.objects.get()

    with on_commit():
        certificate_delete(certificate=certificate, actor=alice, reason="withdrawn")
    assert not Certificate.objects.live().exists()

    # Later progress and access changes do not undo the withdrawal either (documented design:
    # after a deletion only Issue now brings the certificate back).
    with on_commit():
        lesson_complete(contact=contact, lesson=lessons_of(course)[0])
        access_grant(contact=contact, course=course)
    assert not Certificate.objects.live().exists()

    new, created = certificate_issue(contact=contact, course=course, actor=alice)
    assert created and new.replaces == certificate and new.forced is False


def test_progress_of_another_course_does_not_issue_this_one(
    access, contact, course, project, on_commit
):
    finish_quietly(contact, course)
    other = course_with_certificate(project, lessons=1)
    AccessFactory(contact=contact, course=other)
    with on_commit():
        lesson_complete(contact=contact, lesson=lessons_of(other)[0])
    # Only the course whose progress changed is evaluated.
    assert [c.course_certificate.course for c in Certificate.objects.all()] == [other]
