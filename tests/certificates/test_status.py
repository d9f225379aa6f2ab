"""Status of a contact's certificate for a course, as the Products tab shows it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from certificates.models import CourseCertificate
from certificates.selectors import State, certificate_status, contact_products
from certificates.services import certificate_delete, certificate_issue
from courses.models import LessonProgress
from tests.factories import AccessFactory, CourseFactory, LessonFactory, course_with_certificate
from tests.helpers import count_queries


def complete(contact, lessons, score=None):
    now = timezone.now()
    for lesson in lessons:
        LessonProgress.objects.create(contact=contact, lesson=lesson, completed_at=now, score=score)


def test_course_without_a_certificate_configured(contact):
    course = CourseFactory(project=contact.project)
    LessonFactory(course=course, position=1)
    AccessFactory(contact=contact, course=course)
    status = certificate_status(contact=contact, course=course)
    assert status.state == State.NOT_CONFIGURED
    assert not status.can_issue


def test_course_without_a_certificate_and_without_access(contact):
    course = CourseFactory(project=contact.project)
    assert certificate_status(contact=contact, course=course).state == State.NOT_CONFIGURED


def test_no_access_at_all(contact, course):
    status = certificate_status(contact=contact, course=course)
    assert status.state == State.NO_ACCESS
    assert status.course_certificate == course.certificate
    assert not status.can_issue


@pytest.mark.parametrize(
    ("change", "label"),
    [
        ({"ends_at": -1}, "expired"),
        ({"paused_at": -1}, "paused"),
        ({"revoked_at": -1}, "revoked"),
        ({"starts_at": +2, "ends_at": +5}, "not started yet"),
    ],
)
def test_inactive_access_is_no_active_access(access, contact, course, change, label):
    now = timezone.now()
    access.starts_at = now - timedelta(days=3)
    for name, days in change.items():
        setattr(access, name, now + timedelta(days=days))
    access.save()
    complete(contact, course.lessons.all())  # even a finished course needs active access
    status = certificate_status(contact=contact, course=course)
    assert status.state == State.NO_ACCESS
    assert not status.can_issue
    assert access.status().label == label


def test_pending_lists_what_is_missing(access, contact, course):
    lessons = list(course.lessons.order_by("position"))
    complete(contact, lessons[:2])
    status = certificate_status(contact=contact, course=course)
    assert status.state == State.PENDING
    assert status.can_issue
    assert status.evaluation.missing == ("1 of 3 lessons left",)
    assert (status.evaluation.completed, status.evaluation.total) == (2, 3)


def test_pending_on_a_test_score(access, contact, project):
    course = course_with_certificate(project, lessons=2, test=True, min_test_score=80)
    AccessFactory(contact=contact, course=course)
    complete(contact, course.lessons.all(), score=70)
    status = certificate_status(contact=contact, course=course)
    assert status.state == State.PENDING
    assert any("score 70 of 80" in m for m in status.evaluation.missing)


def test_earned_but_not_issued_when_automatic_issuance_is_off(access, contact, course):
    CourseCertificate.objects.filter(course=course).update(auto_issue=False)
    complete(contact, course.lessons.all())
    status = certificate_status(contact=contact, course=course)
    assert status.state == State.EARNED
    assert status.can_issue


def test_issued_shows_the_certificate(access, contact, course, alice):
    certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    status = certificate_status(contact=contact, course=course)
    assert status.state == State.ISSUED
    assert status.certificate == certificate
    assert not status.can_issue
    # An issued certificate stays issued when the access later ends.
    access.revoked_at = timezone.now()
    access.save()
    assert certificate_status(contact=contact, course=course).state == State.ISSUED


def test_after_deletion_the_course_is_back_to_its_conditions(access, contact, course, alice):
    certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    certificate_delete(certificate=certificate, actor=alice, reason="wrong")
    status = certificate_status(contact=contact, course=course)
    assert status.state == State.PENDING
    assert status.certificate is None


def test_contact_products_lists_each_access_with_history(access, contact, course, alice):
    other = CourseFactory(project=contact.project, title="AAA first by title")
    AccessFactory(contact=contact, course=other)
    first, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    certificate_delete(certificate=first, actor=alice, reason="template fixed")
    second, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)

    products = contact_products(contact=contact)
    assert [p.course for p in products] == [other, course]
    assert products[0].status.state == State.NOT_CONFIGURED
    assert products[1].status.state == State.ISSUED
    assert products[1].status.certificate == second
    assert products[1].history == [second, first]


def test_contact_products_queries_do_not_grow_with_products(contact, project):
    def products():
        return len(contact_products(contact=contact))

    AccessFactory(contact=contact, course=course_with_certificate(project))
    queries, rows = count_queries(products)
    assert rows == 1
    for _ in range(5):
        AccessFactory(contact=contact, course=course_with_certificate(project))
    assert count_queries(products) == (queries, 6)
