"""Telling a student on the next portal page that a certificate has just been issued.

Issuance runs after commit (in a worker when there is a broker), so the lesson that completes
a course cannot say it; the course's certificate is remembered in the session and announced
by the next portal page that finds it issued.
"""

from django.contrib import messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from .models import Certificate, CourseCertificate

AWAITING = "portal_awaiting_certificates"


def await_certificate(request, *, contact, course) -> None:
    """Remember the course's certificate if this contact has none yet."""
    course_certificate = CourseCertificate.objects.filter(course=course).first()
    if course_certificate is None:
        return
    if (
        Certificate.objects.live()
        .filter(contact=contact, course_certificate=course_certificate)
        .exists()
    ):
        return
    awaiting = set(request.session.get(AWAITING, []))
    if course_certificate.pk not in awaiting:
        request.session[AWAITING] = sorted(awaiting | {course_certificate.pk})


def announce_certificates(request) -> None:
    """A message for each awaited certificate that has been issued since."""
    awaiting = request.session.get(AWAITING)
    if not awaiting:
        return
    issued = list(
        Certificate.objects.live().filter(
            contact__user=request.user, course_certificate_id__in=awaiting
        )
    )
    link = format_html(
        '<a class="alert-link" href="{}">{}</a>',
        reverse("portal:certificates"),
        _("My certificates"),
    )
    for certificate in issued:
        messages.success(
            request,
            format_html(
                _("Your certificate “{title}” ({number}) has been issued. Find it in {link}."),
                title=certificate.snapshot.get("certificate_title", ""),
                number=certificate.number,
                link=link,
            ),
        )
    request.session[AWAITING] = sorted(set(awaiting) - {c.course_certificate_id for c in issued})
