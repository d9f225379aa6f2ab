from django.urls import reverse
from django.utils import timezone

from courses.services import lesson_complete
from tests.factories import AccessFactory, ContactFactory, CourseFactory, LessonFactory


def test_it_requires_login(client):
    response = client.get(reverse("portal:courses"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_lists_courses_with_active_access_and_progress(student_client, contact, course, access):
    lesson_complete(contact=contact, lesson=course.lessons.get(position=1))
    expired = CourseFactory(project=contact.project, title="Old Course")
    AccessFactory(
        contact=contact,
        course=expired,
        starts_at=timezone.now() - timezone.timedelta(days=10),
        ends_at=timezone.now() - timezone.timedelta(days=1),
    )

    response = student_client.get(reverse("portal:courses"))

    html = response.content.decode()
    assert course.title in html
    assert "Old Course" not in html
    assert 'aria-valuenow="33"' in html
    assert "1 of 3 lessons" in html
    titles = [lesson.title for lesson in course.lessons.order_by("position")]
    positions = [html.index(title) for title in titles]
    assert positions == sorted(positions)


def test_it_shows_no_course_of_another_student(student_client, project, course):
    other = ContactFactory(project=project)
    AccessFactory(contact=other, course=course)

    response = student_client.get(reverse("portal:courses"))

    assert course.title not in response.content.decode()
    assert "no courses with active access" in response.content.decode()


def test_lesson_page_shows_the_lesson_and_the_button(student_client, course, access):
    lesson = course.lessons.get(position=2)
    lesson.body = "Read chapter two."
    lesson.save()

    response = student_client.get(reverse("portal:lesson", args=[lesson.public_id]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Read chapter two." in html
    assert "Mark as complete" in html


def test_lesson_of_another_students_course_is_404(student_client, project):
    course = CourseFactory(project=project)
    lesson = LessonFactory(course=course, position=1)
    AccessFactory(contact=ContactFactory(project=project), course=course)

    response = student_client.get(reverse("portal:lesson", args=[lesson.public_id]))

    assert response.status_code == 404


def test_lesson_after_access_ended_is_404(student_client, course, access):
    access.ends_at = timezone.now() - timezone.timedelta(minutes=1)
    access.starts_at = timezone.now() - timezone.timedelta(days=3)
    access.save()
    lesson = course.lessons.first()

    response = student_client.get(reverse("portal:lesson", args=[lesson.public_id]))

    assert response.status_code == 404
