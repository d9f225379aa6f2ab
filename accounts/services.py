"""Writes to schools. Each refuses with AccountError, whose message the user sees."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Membership, Project, validate_time_zone


class AccountError(Exception):
    """A refused action; the message is shown to the user as it is."""


@transaction.atomic
def school_update(*, project: Project, language: str, time_zone: str) -> Project:
    """Set the language and time zone the school prints and sends in (from the next issue)."""
    if language not in dict(settings.LANGUAGES):
        raise AccountError(_("Choose one of the languages offered."))
    try:
        validate_time_zone(time_zone)
    except ValidationError as error:
        raise AccountError(" ".join(error.messages)) from error
    project = Project.objects.select_for_update().get(pk=project.pk)
    project.language, project.time_zone = language, time_zone
    project.save(update_fields=["language", "time_zone"])
    return project


def membership_report_columns_save(*, membership: Membership, columns: list[str]) -> Membership:
    """Remember which of the report's optional columns this person wants to see."""
    membership.report_columns = list(dict.fromkeys(columns))
    membership.save(update_fields=["report_columns"])
    return membership
