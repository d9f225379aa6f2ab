"""The email a student gets when a certificate is issued, sent once per certificate."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import Certificate
from .services import certificate_mark_notified


def certificate_issued_email(*, certificate_id: int) -> bool:
    certificate = (
        Certificate.objects.select_related("contact", "project", "course_certificate")
        .filter(pk=certificate_id, deleted_at__isnull=True)
        .first()
    )
    if certificate is None or not certificate.contact.email:
        return False
    if not certificate_mark_notified(certificate_id=certificate.id):
        return False
    context = {
        "certificate": certificate,
        "contact": certificate.contact,
        "school": certificate.project.name,
        "my_certificates_url": settings.SITE_URL + reverse("portal:certificates"),
        "verification_url": certificate.snapshot.get("verification_url", ""),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("emails/certificate_issued_subject.txt", context).strip()
        body = render_to_string("emails/certificate_issued.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [certificate.contact.email])
    return True
