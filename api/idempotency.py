"""Idempotency-Key on API writes: a retried request gets the first one's response again.

The same key with the same body replays the stored response (status and body); the same key
with a different body is refused with 422. Keys are per school and kept for a day.
"""

import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from .http import ApiError
from .models import IdempotencyKey

KEEP_FOR = timedelta(days=1)


def _fingerprint(method: str, path: str, body: dict) -> str:
    canonical = json.dumps([method, path, body], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(existing: IdempotencyKey, fingerprint: str) -> tuple[int, dict, bool]:
    if existing.request_hash != fingerprint:
        raise ApiError(
            422,
            "This Idempotency-Key was used with a different request. Use a new key for a new "
            "request.",
        )
    return existing.status, existing.response, True


def run_once(*, project, key: str | None, request, body: dict, run) -> tuple[int, dict, bool]:
    """`run()` -> (status, JSON-ready data), at most once per key; returns (…, replayed)."""
    if not key:
        status, data = run()
        return status, data, False
    fingerprint = _fingerprint(request.method, request.path, body)
    fresh = IdempotencyKey.objects.filter(
        project=project, key=key, created_at__gte=timezone.now() - KEEP_FOR
    )
    existing = fresh.first()
    if existing is not None:
        return _replay(existing, fingerprint)
    try:
        with transaction.atomic():
            # An expired key of the same name makes way for the new request.
            IdempotencyKey.objects.filter(project=project, key=key).delete()
            status, data = run()
            IdempotencyKey.objects.create(
                project=project,
                key=key,
                request_hash=fingerprint,
                status=status,
                response=data,
            )
    except IntegrityError:
        # A twin request with the same key committed first: its response is the answer, and
        # this one's work was rolled back with the failed insert.
        existing = fresh.first()
        if existing is None:
            raise
        return _replay(existing, fingerprint)
    return status, data, False


def keys_clear(*, now=None) -> int:
    """Delete keys past KEEP_FOR (run daily by beat); how many.

    They are a replay cache, not a record: a key older than a day is never replayed (run_once
    looks only at fresh ones), so keeping it would only grow the table with every API write.
    """
    now = now or timezone.now()
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=now - KEEP_FOR).delete()
    return deleted
