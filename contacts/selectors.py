"""Reads of contacts: the staff Contacts list and its search."""

import re

from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Replace

from .models import Contact, ContactEvent

# Typed phone numbers vary in spacing and punctuation: "+380 67 123 4567", "067-123-45-67".
PHONE_PUNCTUATION = (" ", "-", "(", ")", ".")
PHONE_QUERY = re.compile(r"^\+?[\d\s\-().]+$")


def _phone_digits(expression):
    for char in PHONE_PUNCTUATION:
        expression = Replace(expression, Value(char), Value(""))
    return expression


def contact_list(*, project, query: str = "") -> QuerySet[Contact]:
    """The project's contacts with their live certificate count, filtered by `query`.

    The query matches a part of the name, the email or the phone; a phone is also found when
    typed with other spacing or punctuation.
    """
    contacts = Contact.objects.filter(project=project).annotate(
        certificates_count=Count("certificates", filter=Q(certificates__deleted_at__isnull=True))
    )
    query = query.strip()
    if "\x00" in query:
        # No stored text holds a NUL (PostgreSQL refuses it, even in a search pattern).
        return contacts.none()
    if query:
        # Any alphabet, any case, on SQLite too (lms/sqlite.py).
        matches = Q(name__icontains=query) | Q(email__icontains=query) | Q(phone__icontains=query)
        digits = re.sub(r"[^\d+]", "", query)
        if PHONE_QUERY.match(query) and len(digits) >= 3:
            contacts = contacts.alias(phone_digits=_phone_digits("phone"))
            matches |= Q(phone_digits__contains=digits)
        contacts = contacts.filter(matches)
    return contacts.order_by("name", "id")


def student_contacts(user) -> list[Contact]:
    """The user's contacts, one per school, for the name printed on certificates."""
    return list(Contact.objects.filter(user=user).select_related("project").order_by("id"))


def print_name_card(contacts: list[Contact], *, editing: bool, dismissed: bool) -> Contact | None:
    """The contact whose name to print the portal asks about, if any.

    An unconfirmed name is asked about until the student confirms it or says "later";
    `editing` (the student's own "change") opens the card whatever the state.
    """
    unconfirmed = [c for c in contacts if c.print_name_confirmed_at is None]
    if editing and contacts:
        return unconfirmed[0] if unconfirmed else contacts[0]
    if unconfirmed and not dismissed:
        return unconfirmed[0]
    return None


def contact_events(*, contact: Contact) -> list[ContactEvent]:
    """Changes to the contact (names), newest first, for the card's History tab."""
    return list(ContactEvent.objects.filter(contact=contact).select_related("actor"))
