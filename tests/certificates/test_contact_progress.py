"""contact_progress: the lessons, this contact's progress and the required lessons in one
query, and evaluate_contact's verdict from it (the rule itself is certificates.conditions)."""

from django.utils import timezone

from certificates.selectors import contact_progress, evaluate_contact
from courses.models import LessonProgress
from tests.factories import ContactFactory, course_with_certificate


def test_one_query_reads_this_contacts_progress_and_the_required_lessons(
    project, django_assert_num_queries
):
    course = course_with_certificate(project, lessons=3, completion="percent", min_percent=30)
    first, second, third = course.lessons.order_by("position")
    course.certificate.required_lessons.set([second])
    contact, other = ContactFactory(project=project), ContactFactory(project=project)
    now = timezone.now()
    LessonProgress.objects.create(contact=contact, lesson=first, completed_at=now)
    # Another contact's progress on the required lesson counts for nobody else.
    LessonProgress.objects.create(contact=other, lesson=second, completed_at=now)
    LessonProgress.objects.create(contact=other, lesson=third, completed_at=now)

    with django_assert_num_queries(1):
        loaded = contact_progress(contact=contact, course_certificate=course.certificate)

    assert [lesson.position for lesson in loaded.lessons] == [1, 2, 3]
    assert list(loaded.progress) == [first.id]
    assert loaded.progress[first.id].contact_id == contact.id
    assert loaded.required_lesson_ids == frozenset({second.id})
    evaluation = evaluate_contact(
        contact=contact, course_certificate=course.certificate, loaded=loaded
    )
    assert (evaluation.met, evaluation.completed, evaluation.total) == (False, 1, 3)
    assert evaluation.missing == (f"required lesson “{second.title}” not completed",)
    # The other contact met the 30 % and the required lesson.
    assert evaluate_contact(contact=other, course_certificate=course.certificate).met


def test_no_required_lessons_and_no_progress(project):
    course = course_with_certificate(project, lessons=2)
    contact = ContactFactory(project=project)
    loaded = contact_progress(contact=contact, course_certificate=course.certificate)
    assert (loaded.progress, loaded.required_lesson_ids) == ({}, frozenset())
    evaluation = evaluate_contact(contact=contact, course_certificate=course.certificate)
    assert (evaluation.met, evaluation.completed, evaluation.total) == (False, 0, 2)
