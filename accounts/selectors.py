"""Reads of schools and memberships."""

from .models import Membership


def staff_memberships(*, user) -> list[Membership]:
    """The schools the user works in, by name: the staff home and the school switch."""
    return list(user.memberships.select_related("project").order_by("project__name"))
