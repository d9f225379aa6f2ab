"""Expiry reminders: the student is emailed before a certificate expires, once per window.

The windows are settings.CERTIFICATE_EXPIRY_REMINDER_DAYS (e.g. 30 and 7 days before). The
daily task `tasks.send_expiry_reminders` (or `manage.py send_expiry_reminders`) calls
`send_expiry_reminders`; running it twice, or on two workers at once, sends nothing twice:
a CertificateReminder row is claimed (unique per certificate, expiry date and window) before
the email leaves.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from lms.mail import templated_email

from . import events
from .models import Certificate, CertificateReminder
from .notifications import _recipient

logger = logging.getLogger(__name__)


def due_windows(days_left: int, windows) -> list[int]:
    """The reminder windows (days before expiry) that a certificate `days_left` away is in.

    Expired (0 or fewer days left) is in none: reminders are for what can still be renewed.
    """
    return sorted(days for days in windows if 0 < days_left <= days)


def send_expiry_reminders(*, now=None) -> int:
    """Send the reminders that are due; returns how many emails were sent."""
    now = now or timezone.now()
    windows = settings.CERTIFICATE_EXPIRY_REMINDER_DAYS
    if not windows:
        return 0
    # Schools' "today" lies within a day of the server's; a day of margin either side finds
    # every candidate, and each is then measured in its own school's time zone.
    server_today = timezone.localdate(now)
    candidates = (
        Certificate.objects.live()
        .filter(
            expires_at__gte=server_today,
            expires_at__lte=server_today + timedelta(days=max(windows) + 1),
        )
        .select_related("project", "contact", "contact__user")
        .order_by("id")
    )
    sent = 0
    for certificate in candidates.iterator(chunk_size=500):
        today = timezone.localdate(now, timezone=certificate.project.tzinfo)
        days_left = (certificate.expires_at - today).days
        due = due_windows(days_left, windows)
        if due and _send(certificate, days_left, due, now):
            sent += 1
    return sent


def _claim(certificate: Certificate, due: list[int], now) -> bool:
    """Claim the narrowest due window; False if someone already did.

    Wider windows that are due too (a certificate issued 10 days before expiry, or a task that
    did not run for a while) are claimed with it, so the student gets one email, not two.
    """
    narrowest, *wider = due
    try:
        with transaction.atomic():
            CertificateReminder.objects.create(
                certificate=certificate,
                expires_at=certificate.expires_at,
                days=narrowest,
                sent_at=now,
            )
    except IntegrityError:
        return False
    CertificateReminder.objects.bulk_create(
        [
            CertificateReminder(
                certificate=certificate, expires_at=certificate.expires_at, days=days, sent_at=now
            )
            for days in wider
        ],
        ignore_conflicts=True,
    )
    return True


def _send(certificate: Certificate, days_left: int, due: list[int], now) -> bool:
    recipient = _recipient(certificate.contact)
    if not recipient or not _claim(certificate, due, now):
        return False
    try:
        _message(certificate, recipient, days_left).send()
    except Exception:
        # Hand the claim back, so the next run tries again; the others still go out.
        CertificateReminder.objects.filter(
            certificate=certificate, expires_at=certificate.expires_at, days=due[0]
        ).delete()
        logger.exception("Expiry reminder for certificate %s was not sent", certificate.pk)
        return False
    events.send_after_commit(events.certificate_expiring, certificate_id=certificate.id)
    return True


def _message(certificate: Certificate, recipient: str, days_left: int) -> EmailMultiAlternatives:
    snapshot = certificate.snapshot
    context = {
        "certificate": certificate,
        "participant_name": snapshot.get("participant_name", certificate.contact.name),
        "certificate_title": snapshot.get("certificate_title", ""),
        "course_title": snapshot.get("course_title", ""),
        "school": certificate.project.name,
        "expires_at": certificate.expires_at,
        "days_left": days_left,
        "has_login": certificate.contact.user_id is not None,
        "my_certificates_url": settings.SITE_URL + reverse("portal:certificates"),
        "verification_url": snapshot.get("verification_url", ""),
    }
    return templated_email(
        "emails/certificate_expiring", context, recipient, school=certificate.project
    )
