"""Certificate numbers: a race-free per-project sequence and the course's number format."""

import re
import string

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from .models import Certificate, CourseCertificate, NumberSequence

FORMAT_FIELDS = frozenset({"prefix", "year", "seq"})
NUMBER_MAX = Certificate._meta.get_field("number").max_length
PREFIX_MAX = CourseCertificate._meta.get_field("number_prefix").max_length


def validate_number_format(number_format: str) -> None:
    try:
        parsed = list(string.Formatter().parse(number_format))
    except ValueError as exc:
        raise ValidationError(
            _("The number format is not valid: %(error)s") % {"error": exc}
        ) from exc
    # Refused before the sample formatting below would build it: `{seq:0999999999}` is a
    # gigabyte per number, and `{seq:{seq}}` grows with every certificate.
    if any("{" in (spec or "") or re.search(r"\d{3}", spec or "") for _t, _n, spec, _c in parsed):
        raise ValidationError(
            _("The number format is not valid: a width of at most 99 characters, such as {seq:06}.")
        )
    fields = {name for _text, name, _spec, _conv in parsed if name is not None}
    unknown = fields - FORMAT_FIELDS
    if unknown:
        raise ValidationError(
            _("Unknown field in the number format: %(fields)s. Use {prefix}, {year} and {seq}.")
            % {"fields": ", ".join(f"{{{name}}}" for name in sorted(unknown))}
        )
    if "seq" not in fields:
        raise ValidationError(_("The number format must contain {seq}, or numbers would repeat."))
    try:
        # The longest prefix and a far-off sequence: the number must still fit its column,
        # or issuing would fail on PostgreSQL long after the format was accepted.
        longest = format_number(number_format, prefix="X" * PREFIX_MAX, year=2026, seq=10**9)
    except OverflowError as exc:
        # {seq:c} prints the number as a character, and there are no characters that far.
        raise ValidationError(
            _("The number format is not valid: {seq} must print as digits, such as {seq:06}.")
        ) from exc
    except (ValueError, KeyError, IndexError) as exc:
        raise ValidationError(
            _("The number format is not valid: %(error)s") % {"error": exc}
        ) from exc
    if len(longest) > NUMBER_MAX:
        raise ValidationError(
            _("The number format makes numbers longer than %(max)d characters.")
            % {"max": NUMBER_MAX}
        )


def format_number(number_format: str, *, prefix: str, year: int, seq: int) -> str:
    if prefix:
        return number_format.format(prefix=prefix, year=year, seq=seq)
    # An empty prefix takes one separator with it, wherever it stands: "{prefix}-{year}-{seq}"
    # gives "2026-000001" and "{year}-{prefix}-{seq}" gives "2026-000001", never "2026--000001".
    marked = number_format.format(prefix="\0", year=year, seq=seq)
    return re.sub(r"\0[-_/ ]?|[-_/ ]\0", "", marked, count=1).replace("\0", "")


def next_sequence(project_id: int) -> int:
    """Take the project's next number. Must run inside the issuing transaction.

    The UPDATE locks the counter row until commit, so concurrent issuers queue; a rolled-back
    issue gives its number back, and a committed one is never handed out again.
    """
    assert transaction.get_connection().in_atomic_block, "next_sequence needs a transaction"
    taken = _take_next(project_id)
    if taken is None:
        try:
            with transaction.atomic():
                NumberSequence.objects.create(project_id=project_id, last_value=1)
                return 1
        except IntegrityError:
            # Another issuer created the counter first; take the next value from it.
            taken = _take_next(project_id)
    return taken


def _take_next(project_id: int) -> int | None:
    """Add one to the counter and read it in one statement (UPDATE … RETURNING, which
    PostgreSQL and SQLite 3.35+ both know); None when the project has no counter yet."""
    table = connection.ops.quote_name(NumberSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_value = last_value + 1 WHERE project_id = %s "
            "RETURNING last_value",
            [project_id],
        )
        row = cursor.fetchone()
    return row[0] if row else None
