"""Emails built from a template trio: <name>_subject.txt, <name>.txt and <name>.html."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation


def templated_email(name: str, context: dict, to: str, *, school=None) -> EmailMultiAlternatives:
    """The email, plain text with an HTML alternative, in the school's language and time zone.

    Emails leave after commit or in a worker, where no request language is active; whoever
    caused them, the recipient reads the school's language.
    """
    language = school.language if school else settings.LANGUAGE_CODE
    time_zone = school.tzinfo if school else settings.TIME_ZONE
    with translation.override(language), timezone.override(time_zone):
        subject = render_to_string(f"{name}_subject.txt", context).strip()
        text = render_to_string(f"{name}.txt", context)
        html = render_to_string(f"{name}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    return message
