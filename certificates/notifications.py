"""The email a student gets when a certificate is issued, sent once per certificate.

Both automatic and staff issuance reach here through `tasks.certificate_email`, queued by
`tasks.certificate_issued` after commit beside the render, never behind it: a student with a
portal login is told at once, whatever the storage does. A student without one gets the PDF
attached, so that email waits for the PDF (CertificatePdfNotReady; the task retries).
`Certificate.notified_at` is the claim: whoever sets it sends, so a retried or duplicated
task never sends a second email.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from lms.mail import templated_email

from .models import Certificate
from .services import certificate_mark_notified, certificate_pdf


def _recipient(contact) -> str:
    if contact.email:
        return contact.email
    return contact.user.email if contact.user_id else ""


def certificate_issued_email(*, certificate_id: int) -> bool:
    """Send the issue email unless it was sent already; True if this call sent it."""
    certificate = (
        Certificate.objects.select_related(
            "contact", "contact__user", "template_revision", "project"
        )
        .filter(pk=certificate_id, deleted_at__isnull=True)
        .first()
    )
    if certificate is None:
        return False
    recipient = _recipient(certificate.contact)
    if not recipient or not certificate_mark_notified(certificate_id=certificate.id):
        return False
    try:
        _message(certificate, recipient).send()
    except Exception:
        # Hand the claim back, or the task's retry would find it taken and the student would
        # never hear of the certificate.
        Certificate.objects.filter(pk=certificate.id).update(notified_at=None)
        raise
    return True


def _message(certificate: Certificate, recipient: str) -> EmailMultiAlternatives:
    snapshot = certificate.snapshot
    has_login = certificate.contact.user_id is not None
    context = {
        "certificate": certificate,
        "participant_name": snapshot.get("participant_name", certificate.contact.name),
        "certificate_title": snapshot.get("certificate_title", ""),
        "course_title": snapshot.get("course_title", ""),
        "school": snapshot.get("school_name", ""),
        "has_login": has_login,
        "my_certificates_url": settings.SITE_URL + reverse("portal:certificates"),
        "verification_url": snapshot.get("verification_url", ""),
    }
    message = templated_email(
        "emails/certificate_issued", context, recipient, school=certificate.project
    )
    if not has_login:
        # Without a portal login the student could not download it, so it travels along.
        message.attach(
            f"{certificate.number}.pdf", certificate_pdf(certificate=certificate), "application/pdf"
        )
    return message
