"""API tokens: create (the token is returned once), revoke, and find the token of a request.

A token is `lmsk_` and 43 URL-safe characters (256 random bits). Only its SHA-256 is stored:
a token is high-entropy, so a fast hash is enough, and a lookup is one indexed query.
"""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import EDITOR_ROLES
from accounts.models import Membership

from .models import ApiToken

TOKEN_PREFIX = "lmsk_"
VISIBLE_CHARS = 12  # "lmsk_" and 7 characters: enough to tell tokens apart, nothing to guess with
# Last-used time is written at most this often, so a busy integration costs no write per call.
LAST_USED_EVERY = timedelta(minutes=1)


class TokenError(Exception):
    """A refused token action; the message is shown to the user as it is."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_create(*, project, actor, name: str, scope: str) -> tuple[ApiToken, str]:
    """A new token of the project; returns (row, the token itself, which is not kept)."""
    name = name.strip()
    if not name:
        raise TokenError(_("Give the token a name."))
    if scope not in ApiToken.Scope.values:
        raise TokenError(_("Choose the token's scope: read, or read and write."))
    if not Membership.objects.filter(project=project, user=actor, role__in=EDITOR_ROLES).exists():
        raise TokenError(_("Only owners and admins of the school can create API tokens."))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(
        project=project,
        name=name[:100],
        scope=scope,
        prefix=token[:VISIBLE_CHARS],
        token_hash=hash_token(token),
        created_by=actor,
    )
    return row, token


@transaction.atomic
def token_revoke(*, token: ApiToken, actor) -> ApiToken:
    """Revoke for good; the row stays, with who revoked it and when."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = actor
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


def token_authenticate(raw: str) -> ApiToken | None:
    """The live token `raw` is, or None.

    A token stops working when it is revoked and when the person who created it is no longer
    a member of its school: an integration never outlives the access of whoever set it up.
    """
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    member = Membership.objects.filter(project=OuterRef("project"), user=OuterRef("created_by"))
    token = (
        ApiToken.objects.select_related("project", "created_by")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True)
        .filter(Exists(member))
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
