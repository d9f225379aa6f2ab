import pytest
from django.urls import reverse

from certificates.models import Certificate
from courses.models import Choice, LessonProgress, Question
from courses.services import lesson_complete
from tests.factories import course_with_certificate
from tests.helpers import messages_of


def complete_url(lesson):
    return reverse("portal:lesson_complete", args=[lesson.public_id])


def test_it_rejects_get(student_client, course, access):
    lesson = course.lessons.first()
    assert student_client.get(complete_url(lesson)).status_code == 405
    assert not LessonProgress.objects.exists()


def test_it_marks_the_lesson_complete_and_goes_to_the_next(student_client, contact, course, access):
    first, second = course.lessons.order_by("position")[:2]

    response = student_client.post(complete_url(first))

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:lesson", args=[second.public_id])
    assert LessonProgress.objects.get(contact=contact, lesson=first).completed_at is not None
    assert not Certificate.objects.exists()


def test_it_is_404_for_another_students_lesson(student_client, project):
    other_course = course_with_certificate(project, lessons=1)
    response = student_client.post(complete_url(other_course.lessons.get()))
    assert response.status_code == 404
    assert not LessonProgress.objects.exists()


def test_completing_the_last_lesson_issues_the_certificate(
    student_client, contact, course, access, django_capture_on_commit_callbacks
):
    lessons = list(course.lessons.order_by("position"))
    for lesson in lessons[:-1]:
        lesson_complete(contact=contact, lesson=lesson)

    with django_capture_on_commit_callbacks(execute=True):
        response = student_client.post(complete_url(lessons[-1]))
    assert response["Location"].startswith(reverse("portal:courses"))

    certificate = Certificate.objects.live().get(contact=contact)
    assert certificate.method == Certificate.Method.AUTOMATIC
    page = student_client.get(response["Location"])
    notices = [str(m) for m in page.context["messages"]]
    assert any("has been issued" in notice and certificate.number in notice for notice in notices)
    assert reverse("portal:certificates") in page.content.decode()

    listing = student_client.get(reverse("portal:certificates")).content.decode()
    assert certificate.number in listing
    assert reverse("portal:download", args=[certificate.public_id]) in listing


def test_the_issue_notice_is_shown_once(
    student_client, contact, course, access, django_capture_on_commit_callbacks
):
    lessons = list(course.lessons.order_by("position"))
    for lesson in lessons[:-1]:
        lesson_complete(contact=contact, lesson=lesson)
    with django_capture_on_commit_callbacks(execute=True):
        student_client.post(complete_url(lessons[-1]))

    student_client.get(reverse("portal:courses"))
    again = student_client.get(reverse("portal:courses"))

    assert not [m for m in again.context["messages"] if "has been issued" in str(m)]


# Test lessons ---------------------------------------------------------------------------


@pytest.fixture
def test_course(project, contact):
    """Two lessons, the second a test of 3 questions with pass score 60; first one done."""
    from tests.factories import AccessFactory

    course = course_with_certificate(project, lessons=2, test=True)
    AccessFactory(contact=contact, course=course)
    test = course.lessons.get(position=2)
    for position in (1, 2, 3):
        question = Question.objects.create(lesson=test, position=position, text=f"Q{position}?")
        Choice.objects.create(question=question, text="right", is_correct=True)
        Choice.objects.create(question=question, text="wrong", is_correct=False)
    lesson_complete(contact=contact, lesson=course.lessons.get(position=1))
    return course


def answers(test, right: int) -> dict:
    data = {}
    for index, question in enumerate(test.questions.order_by("position")):
        choice = question.choices.get(is_correct=index < right)
        data[f"question-{question.pk}"] = str(choice.pk)
    return data


def test_a_test_lesson_shows_its_questions(student_client, test_course):
    test = test_course.lessons.get(position=2)
    html = student_client.get(reverse("portal:lesson", args=[test.public_id])).content.decode()
    assert "Q1?" in html and "Q3?" in html
    assert "Submit answers" in html
    assert "Mark as complete" not in html


def test_a_passing_score_completes_the_test_and_issues(
    student_client, contact, test_course, django_capture_on_commit_callbacks
):
    test = test_course.lessons.get(position=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = student_client.post(
            reverse("portal:test_submit", args=[test.public_id]), answers(test, right=2)
        )

    assert response.status_code == 302
    progress = LessonProgress.objects.get(contact=contact, lesson=test)
    assert progress.score == 66  # 2 of 3, rounded down
    assert progress.completed_at is not None
    assert Certificate.objects.live().filter(contact=contact).count() == 1
    notices = messages_of(response)
    assert "You scored 66%. Test passed." in notices


def test_a_score_below_the_pass_mark_does_not_issue(
    student_client, contact, test_course, django_capture_on_commit_callbacks
):
    test = test_course.lessons.get(position=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = student_client.post(
            reverse("portal:test_submit", args=[test.public_id]), answers(test, right=1)
        )

    progress = LessonProgress.objects.get(contact=contact, lesson=test)
    assert (progress.score, progress.completed_at) == (33, None)
    assert not Certificate.objects.exists()
    notices = messages_of(response)
    assert "You scored 33%; 60% is needed to pass. Try again." in notices


def test_unanswered_questions_are_sent_back(student_client, contact, test_course):
    test = test_course.lessons.get(position=2)
    data = answers(test, right=3)
    data.pop(next(iter(data)))

    response = student_client.post(reverse("portal:test_submit", args=[test.public_id]), data)

    assert response.status_code == 200
    assert "Choose an answer." in response.content.decode()
    assert not LessonProgress.objects.filter(lesson=test).exists()
