from django.urls import reverse
from django.utils import timezone

from certificates.models import Certificate, CertificateEvent
from certificates.services import certificate_delete, certificate_issue
from courses.services import lesson_complete
from tests.factories import (
    AccessFactory,
    ContactFactory,
    CourseFactory,
    LessonFactory,
    ProjectFactory,
    course_with_certificate,
)
from tests.helpers import messages_of, products_url

HTMX = {"HX-Request": "true"}


def issue_url(contact, course, slug="demo"):
    return reverse("staff:certificate_issue", args=[slug, contact.public_id, course.public_id])


def confirm_url(contact, course):
    return reverse(
        "staff:certificate_issue_confirm", args=["demo", contact.public_id, course.public_id]
    )


def test_it_rejects_get(staff_client, access, contact, course):
    assert staff_client.get(issue_url(contact, course)).status_code == 405
    assert not Certificate.objects.exists()


def test_the_confirm_page_asks_before_issuing_early(staff_client, access, contact, course):
    response = staff_client.get(confirm_url(contact, course))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Issue the certificate before the course is completed?" in body
    assert f'action="{issue_url(contact, course)}"' in body
    assert 'name="reason"' in body
    assert "3 of 3 lessons left" in body
    assert not Certificate.objects.exists()


def test_the_confirm_form_comes_inline_with_htmx(staff_client, access, contact, course):
    response = staff_client.get(confirm_url(contact, course), headers=HTMX)
    body = response.content.decode()
    assert "<html" not in body
    assert body.strip().startswith(
        f'<section class="card shadow-sm mb-3 product" id="product-{course.public_id}"'
    )
    assert f'hx-post="{issue_url(contact, course)}"' in body
    assert "Issue the certificate before the course is completed?" in body


def test_issue_now_before_completion_is_forced_and_keeps_the_reason(
    staff_client, access, contact, course, alice
):
    response = staff_client.post(issue_url(contact, course), {"reason": "Finished offline"})
    assert response.status_code == 302
    assert response["Location"] == f"{products_url(contact)}#product-{course.public_id}"
    certificate = Certificate.objects.get()
    assert (certificate.forced, certificate.issued_by, certificate.method) == (
        True,
        alice,
        "manual",
    )
    assert certificate.issue_reason == "Finished offline"
    assert messages_of(response) == [f"Certificate {certificate.number} issued to Олена Коваленко."]


def test_after_the_redirect_the_number_is_on_the_card(staff_client, access, contact, course):
    response = staff_client.post(issue_url(contact, course), follow=True)
    certificate = Certificate.objects.get()
    body = response.content.decode()
    assert f"Certificate {certificate.number} issued to Олена Коваленко." in body
    assert f'aria-label="Delete certificate {certificate.number}"' in body


def test_issue_now_when_earned_is_not_forced(staff_client, project, contact):
    course = course_with_certificate(project, lessons=1, auto_issue=False)
    AccessFactory(contact=contact, course=course)
    lesson_complete(contact=contact, lesson=course.lessons.get())
    staff_client.post(issue_url(contact, course))
    assert Certificate.objects.get().forced is False


def test_with_htmx_it_answers_with_the_row_and_its_message(staff_client, access, contact, course):
    response = staff_client.post(issue_url(contact, course), headers=HTMX)
    body = response.content.decode()
    certificate = Certificate.objects.get()
    assert response.status_code == 200
    assert "<html" not in body
    assert f'id="product-{course.public_id}"' in body
    assert f"Certificate {certificate.number} issued to Олена Коваленко." in body
    assert f'aria-label="Delete certificate {certificate.number}"' in body
    assert "Issue now" not in body


def test_a_double_click_issues_one_certificate(staff_client, access, contact, course):
    staff_client.post(issue_url(contact, course), headers=HTMX)
    second = staff_client.post(issue_url(contact, course), headers=HTMX)
    certificate = Certificate.objects.get()
    assert CertificateEvent.objects.count() == 1
    assert (
        f"Олена Коваленко already has certificate {certificate.number}; nothing new was issued."
        in second.content.decode()
    )


def test_refused_without_active_access(staff_client, access, contact, course):
    access.starts_at = timezone.now() - timezone.timedelta(days=30)
    access.ends_at = timezone.now() - timezone.timedelta(days=1)
    access.save()
    response = staff_client.post(issue_url(contact, course))
    assert response.status_code == 302
    assert not Certificate.objects.exists()
    (message,) = messages_of(response)
    assert "has no active access" in message and "expired" in message


def test_refused_without_a_certificate_configured(staff_client, contact):
    course = CourseFactory(project=contact.project, title="English Club")
    LessonFactory(course=course, position=1)
    AccessFactory(contact=contact, course=course)
    response = staff_client.post(issue_url(contact, course), headers=HTMX)
    assert not Certificate.objects.exists()
    body = response.content.decode()
    assert "The course “English Club” has no certificate configured." in body
    assert "No certificate configured for this course" in body


def test_refused_without_any_access(staff_client, contact, course):
    """No access row: the contact and the course are read one by one, and the service says why."""
    response = staff_client.post(issue_url(contact, course))
    assert response.status_code == 302
    assert not Certificate.objects.exists()
    (message,) = messages_of(response)
    assert message == f"{contact.name} has no active access to “{course.title}” (no access)."


def test_another_schools_contact_with_an_access_to_this_course_is_404(staff_client, course):
    """The contact and course read through their access belong to the school, both of them."""
    stranger = ContactFactory(project=ProjectFactory())
    AccessFactory(contact=stranger, course=course)
    assert staff_client.post(issue_url(stranger, course)).status_code == 404
    assert not Certificate.objects.exists()


def test_a_contact_of_another_project_is_404(staff_client, course):
    stranger = ContactFactory(project=ProjectFactory())
    assert staff_client.post(issue_url(stranger, course)).status_code == 404
    assert not Certificate.objects.exists()


def test_a_course_of_another_project_is_404(staff_client, contact):
    foreign = course_with_certificate(ProjectFactory(), lessons=1)
    assert staff_client.post(issue_url(contact, foreign)).status_code == 404
    assert staff_client.get(confirm_url(contact, foreign)).status_code == 404
    assert not Certificate.objects.exists()


def test_staff_of_another_school_gets_404(client, charlie, access, contact, course):
    client.force_login(charlie)
    assert client.post(issue_url(contact, course)).status_code == 404
    assert client.get(confirm_url(contact, course)).status_code == 404
    assert not Certificate.objects.exists()


def test_reissue_is_delete_then_issue_now_with_a_new_number(
    staff_client, access, contact, course, alice
):
    old, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    certificate_delete(certificate=old, actor=alice, reason="Template updated")
    staff_client.post(issue_url(contact, course))
    new = Certificate.objects.live().get()
    assert new.number != old.number
    assert new.replaces == old
