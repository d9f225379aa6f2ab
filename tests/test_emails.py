import pytest
from django.core import mail
from django.urls import reverse

from certificates import notifications, tasks
from certificates.models import Certificate
from certificates.services import certificate_delete, certificate_issue
from courses.services import lesson_complete
from tests.factories import UserFactory


@pytest.fixture
def issue_now(contact, course, access, alice, django_capture_on_commit_callbacks):
    def issue():
        with django_capture_on_commit_callbacks(execute=True):
            certificate, created = certificate_issue(
                contact=contact, course=course, actor=alice, force=True
            )
        return certificate, created

    return issue


def test_staff_issuance_sends_one_email(issue_now, contact, settings):
    contact.user = UserFactory(email=contact.email)
    contact.save()

    certificate, _ = issue_now()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [contact.email]
    assert message.subject == "Your certificate “Certificate of Completion”"
    assert certificate.number in message.body
    assert settings.SITE_URL + reverse("portal:certificates") in message.body
    assert certificate.snapshot["verification_url"] in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert certificate.number in html
    certificate.refresh_from_db()
    assert certificate.notified_at is not None


def test_automatic_issuance_sends_the_email(
    contact, course, access, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for lesson in course.lessons.all():
            lesson_complete(contact=contact, lesson=lesson)

    certificate = Certificate.objects.get(contact=contact)
    assert certificate.method == Certificate.Method.AUTOMATIC
    assert len(mail.outbox) == 1
    assert certificate.number in mail.outbox[0].body


def test_issuing_twice_sends_one_email(issue_now):
    first, created = issue_now()
    again, created_again = issue_now()

    assert (created, created_again) == (True, False)
    assert again == first
    assert len(mail.outbox) == 1


def test_running_the_task_twice_sends_one_email(issue_now):
    certificate, _ = issue_now()

    tasks.certificate_issued(certificate.id)
    tasks.certificate_issued.delay(certificate.id)

    assert len(mail.outbox) == 1


def test_a_student_with_a_login_gets_a_link_not_an_attachment(issue_now, contact):
    contact.user = UserFactory(email=contact.email)
    contact.save()

    issue_now()

    message = mail.outbox[0]
    assert message.attachments == []
    assert "My certificates" in message.body
    assert "attached" not in message.body


def test_a_contact_without_a_login_gets_the_pdf_attached(issue_now, contact):
    certificate, _ = issue_now()

    message = mail.outbox[0]
    assert "attached to this email" in message.body
    assert reverse("portal:certificates") not in message.body
    [(filename, content, mimetype)] = message.attachments
    assert filename == f"{certificate.number}.pdf"
    assert mimetype == "application/pdf"
    assert content.startswith(b"%PDF")


def test_no_email_for_a_certificate_deleted_before_sending(contact, course, access, alice):
    certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    certificate_delete(certificate=certificate, actor=alice)

    assert notifications.certificate_issued_email(certificate_id=certificate.id) is False
    assert mail.outbox == []


def test_no_email_without_an_address(contact, course, access, alice):
    contact.email = ""
    contact.save()
    certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)

    assert notifications.certificate_issued_email(certificate_id=certificate.id) is False
    assert mail.outbox == []
    certificate.refresh_from_db()
    assert certificate.notified_at is None


def test_a_failed_send_is_retried_later(contact, course, access, alice, monkeypatch):
    certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)

    def broken_send(self, fail_silently=False):
        raise ConnectionRefusedError("SMTP server down")

    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.EmailMultiAlternatives.send", broken_send)
        with pytest.raises(ConnectionRefusedError):
            notifications.certificate_issued_email(certificate_id=certificate.id)
    certificate.refresh_from_db()
    assert certificate.notified_at is None

    assert notifications.certificate_issued_email(certificate_id=certificate.id) is True
    assert len(mail.outbox) == 1
