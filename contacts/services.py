"""Writes to contacts: portal invitations and the name printed on certificates."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from lms.mail import templated_email
from lms.text import strip_bidi_controls

from .models import Contact, ContactEvent

PRINT_NAME_MAX = Contact._meta.get_field("print_name").max_length
NAME_MAX = Contact._meta.get_field("name").max_length


class ContactError(Exception):
    """A refused contact action; the message is shown to the user as it is."""


def set_password_url(user) -> str:
    """A one-time link to choose a password: Django's password-reset token and view.

    The token is tied to the password hash and last login, so the link dies once used.
    """
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return settings.SITE_URL + path


@transaction.atomic
def contact_invite(*, contact: Contact, actor):
    """Give the contact a portal login (new or existing) and email a set-password link.

    Returns the user. The email leaves after commit, so a refused invitation sends nothing.
    """
    User = get_user_model()
    # of=self: PostgreSQL refuses FOR UPDATE on the nullable side of the join to `user`.
    contact = (
        Contact.objects.select_for_update(of=("self",))
        .select_related("project", "user")
        .get(pk=contact.pk)
    )
    user = contact.user
    if user is None:
        email = contact.email.strip().lower()
        if not email:
            raise ContactError(
                _("%(name)s has no email address, so there is nowhere to send an invitation.")
                % {"name": contact.name}
            )
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            # A random password nobody knows rather than an unusable one: Django's "Forgot
            # your password?" ignores users without a usable password, and an invited
            # student who lost the email must still be able to get in.
            user = User.objects.create_user(email, secrets.token_urlsafe(32))
    other = (
        Contact.objects.filter(project_id=contact.project_id, user=user)
        .exclude(pk=contact.pk)
        .first()
    )
    if other is not None:
        raise ContactError(
            _("The login %(email)s already belongs to another contact of this school, %(other)s.")
            % {"email": user.email, "other": other.name}
        )
    if not user.is_active:
        raise ContactError(_("The login %(email)s is disabled.") % {"email": user.email})
    if contact.user_id != user.pk:
        contact.user = user
        contact.save(update_fields=["user"])

    context = {
        "contact": contact,
        "school": contact.project.name,
        "email": user.email,
        "set_password_url": set_password_url(user),
        "login_url": settings.SITE_URL + reverse("login"),
        "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        "invited_by": actor.get_full_name() if actor else "",
    }
    transaction.on_commit(lambda: _send_invitation(user.email, context, contact.project))
    return user


def _send_invitation(to: str, context: dict, school) -> None:
    templated_email("emails/invitation", context, to, school=school).send()


@transaction.atomic
def contact_confirm_print_name(*, contact: Contact, print_name: str) -> Contact:
    """Record the exact spelling the student wants on certificates issued from now on."""
    try:
        ProhibitNullCharactersValidator()(print_name)  # PostgreSQL cannot store a NUL
    except ValidationError as error:
        raise ContactError(error.messages[0]) from error
    print_name = _clean_name(print_name)
    if not print_name:
        raise ContactError(_("Enter your name as it should be printed on certificates."))
    if len(print_name) > PRINT_NAME_MAX:
        raise ContactError(
            _("A name on a certificate can be at most %(max)d characters long.")
            % {"max": PRINT_NAME_MAX}
        )
    contact.print_name = print_name
    contact.print_name_confirmed_at = timezone.now()
    contact.save(update_fields=["print_name", "print_name_confirmed_at"])
    return contact


def _clean_name(value: str) -> str:
    # One space between words, none around: "Olena  Kovalenko " is the same name. Bidirectional
    # controls are dropped: they would show and print the name reversed ("evil" as "live").
    return " ".join(strip_bidi_controls(value).split())


@transaction.atomic
def contact_rename(*, contact: Contact, actor, name: str, print_name: str) -> list[ContactEvent]:
    """Staff correct the contact's name and the name printed on certificates.

    Each change is kept in the card's History (who, when, from what, to what). A new name to
    print is no longer the one the participant confirmed, so the portal asks them again.
    Certificates already issued keep their printed name until they are reissued.
    """
    name, print_name = _clean_name(name), _clean_name(print_name)
    if not name:
        raise ContactError(_("Enter the contact's name."))
    if len(name) > NAME_MAX or len(print_name) > PRINT_NAME_MAX:
        raise ContactError(_("A name can be at most %(max)d characters long.") % {"max": NAME_MAX})
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    now = timezone.now()
    changes = [
        (ContactEvent.Kind.NAME_CHANGED, "name", contact.name, name),
        (ContactEvent.Kind.PRINT_NAME_CHANGED, "print_name", contact.print_name, print_name),
    ]
    events = []
    for kind, field, before, after in changes:
        if before == after:
            continue
        setattr(contact, field, after)
        events.append(
            ContactEvent(
                project_id=contact.project_id,
                contact=contact,
                kind=kind,
                actor=actor,
                at=now,
                before=before,
                after=after,
            )
        )
    if not events:
        return []
    if any(event.kind == ContactEvent.Kind.PRINT_NAME_CHANGED for event in events):
        contact.print_name_confirmed_at = None
    contact.save(update_fields=["name", "print_name", "print_name_confirmed_at"])
    return ContactEvent.objects.bulk_create(events)
