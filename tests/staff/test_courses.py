from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from certificates.services import certificate_delete, certificate_issue
from tests.factories import (
    AccessFactory,
    ContactFactory,
    CourseFactory,
    LessonFactory,
    MembershipFactory,
    course_with_certificate,
)
from tests.helpers import page_queries


def list_url(project):
    return reverse("staff:courses", args=[project.slug])


def test_list_shows_counts_and_certificate(staff_client, project, course, alice):
    course.title = "Python for Data Analysis"
    course.save()
    active = [ContactFactory(project=project) for _ in range(3)]
    for contact in active:
        AccessFactory(contact=contact, course=course)
    expired = AccessFactory(contact=ContactFactory(project=project), course=course)
    expired.starts_at = timezone.now() - timezone.timedelta(days=10)
    expired.ends_at = timezone.now() - timezone.timedelta(days=1)
    expired.save()
    first, _ = certificate_issue(contact=active[0], course=course, actor=alice, force=True)
    certificate_issue(contact=active[1], course=course, actor=alice, force=True)
    certificate_delete(certificate=first, actor=alice)
    CourseFactory(project=project, title="English Club")

    response = staff_client.get(list_url(project))

    assert response.status_code == 200
    rows = {row.title: row for row in response.context["courses"]}
    python = rows["Python for Data Analysis"]
    # 3 lessons; 3 active accesses (the expired one does not count); 1 live certificate
    assert (python.lesson_count, python.participant_count, python.issued_count) == (3, 3, 1)
    english = rows["English Club"]
    assert (english.lesson_count, english.participant_count, english.issued_count) == (0, 0, 0)
    html = response.content.decode()
    assert "Certificate of Completion" in html and "Classic" in html
    assert "No certificate configured" in html


def test_list_makes_the_same_queries_for_one_and_many_courses(staff_client, project, course):
    queries, rows = page_queries(staff_client, list_url(project), "courses")
    assert rows == 1
    for _ in range(20):
        extra = course_with_certificate(project, lessons=2)
        AccessFactory(contact=ContactFactory(project=project), course=extra)
    assert page_queries(staff_client, list_url(project), "courses") == (queries, 21)


def test_list_shows_only_this_projects_courses(staff_client, project, course):
    other = course_with_certificate(MembershipFactory().project)
    other.title = "Someone else's course"
    other.save()
    response = staff_client.get(list_url(project))
    assert "Someone else&#x27;s course" not in response.content.decode()
    assert [c.pk for c in response.context["courses"]] == [course.pk]


def test_foreign_project_is_404(client, charlie, project, course):
    client.force_login(charlie)
    assert client.get(list_url(project)).status_code == 404
    url = reverse("staff:course", args=[project.slug, course.public_id])
    assert client.get(url).status_code == 404


def test_course_of_another_project_is_404_even_for_a_member(staff_client, project):
    other = course_with_certificate(MembershipFactory().project)
    url = reverse("staff:course", args=[project.slug, other.public_id])
    assert staff_client.get(url).status_code == 404


def test_course_page_lists_lessons_in_order_and_settings(staff_client, project):
    course = CourseFactory(project=project, title="Ordered")
    LessonFactory(course=course, position=2, title="Second lesson")
    LessonFactory(course=course, position=1, title="First lesson")
    LessonFactory(course=course, position=3, title="Final test", is_test=True, pass_score=60)

    response = staff_client.get(reverse("staff:course", args=[project.slug, course.public_id]))

    html = response.content.decode()
    assert html.index("First lesson") < html.index("Second lesson") < html.index("Final test")
    assert "No certificate configured for this course." in html
    assert "Set up a certificate" in html


def test_manager_sees_the_course_but_not_the_settings_button(client, project, course):
    manager = MembershipFactory(project=project, role=Membership.Role.MANAGER).user
    client.force_login(manager)
    response = client.get(reverse("staff:course", args=[project.slug, course.public_id]))
    assert response.status_code == 200
    assert "Certificate of Completion" in response.content.decode()
    settings_url = reverse("staff:course_certificate", args=[project.slug, course.public_id])
    assert settings_url not in response.content.decode()
