"""Webhooks: endpoints, signed deliveries with retries, and the rule that disables a dead one.

Signatures follow Standard Webhooks (standardwebhooks.com): the headers webhook-id,
webhook-timestamp and webhook-signature, "v1," and the base64 HMAC-SHA256 of
"<id>.<timestamp>.<body>" keyed with the endpoint's secret ("whsec_" + base64 key bytes).

A delivery's state lives in its row. Each attempt first claims the row by pushing its
next_attempt_at a lease ahead, so two workers never send it at once; a failed attempt sets
the next time from RETRY_DELAYS, the worker queues itself for then, and the periodic
`webhook_deliveries_due` sweep picks up any retry whose message was lost.
"""

import base64
import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from cryptography.fernet import InvalidToken
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership
from lms.encryption import fernet
from lms.mail import templated_email

from .models import WebhookDelivery, WebhookEndpoint, WebhookEvent

logger = logging.getLogger(__name__)

# Seconds to wait before each retry: about 4.5 days from the first attempt to the last.
RETRY_DELAYS = (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 24 * 3600, 48 * 3600)
MAX_ATTEMPTS = 1 + len(RETRY_DELAYS)
# An endpoint whose deliveries have failed for this long, with no success between, is
# disabled and the school's owners are emailed.
DISABLE_AFTER = timedelta(days=3)
CONNECT_TIMEOUT, READ_TIMEOUT = 3, 10
# A claimed attempt may take this long (timeouts included) before the sweep may try again.
LEASE = timedelta(seconds=60)
USER_AGENT = "lms-certificates-webhooks/1"
MAX_ENDPOINTS = 20
# How long the previous secret still signs after a rotation: a day for the receiver's owner
# to put the new one in place.
ROTATION_OVERLAP = timedelta(hours=24)


class WebhookError(Exception):
    """A refused webhook action; the message is shown to the user as it is."""


# --- Signing ---------------------------------------------------------------------------------


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def _fernet():
    return fernet("lms-webhook-secrets")


def encrypt_secret(secret: str) -> bytes:
    return _fernet().encrypt(secret.encode())


def decrypt_secret(token) -> str:
    try:
        return _fernet().decrypt(bytes(token)).decode()
    except InvalidToken as exc:
        raise WebhookError(
            _(
                "The signing secret cannot be decrypted: SIGNING_KEY_ENCRYPTION_KEY is not the "
                "key it was stored with."
            )
        ) from exc


def secret_of(endpoint: WebhookEndpoint) -> str:
    """The endpoint's current signing secret, decrypted; raises WebhookError."""
    return decrypt_secret(endpoint.encrypted_secret)


def signing_secrets(endpoint: WebhookEndpoint, *, now=None) -> list[str]:
    """The secrets a message is signed with now: the current one, and for a while after a
    rotation the previous one too."""
    now = now or timezone.now()
    found = [secret_of(endpoint)]
    until = endpoint.previous_secret_until
    if endpoint.previous_encrypted_secret and until and now < until:
        found.append(decrypt_secret(endpoint.previous_encrypted_secret))
    return found


def sign(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """One signature of a message ("v1," and the base64 HMAC-SHA256)."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.{body}".encode()
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(secrets_: list[str], message_id: str, timestamp: int, body: str) -> str:
    """The webhook-signature header: one signature per secret, separated by spaces; a receiver
    accepts the message when any of them matches its secret."""
    return " ".join(sign(secret, message_id, timestamp, body) for secret in secrets_)


# --- Endpoints -------------------------------------------------------------------------------


def _loopback_http_allowed() -> bool:
    # A local receiver for development and tests; never in production.
    return settings.DEBUG or getattr(settings, "WEBHOOKS_ALLOW_LOOPBACK_HTTP", False)


def validate_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    loopback_http = parts.scheme == "http" and parts.hostname == "127.0.0.1"
    if loopback_http and _loopback_http_allowed():
        return url
    if parts.scheme != "https" or not parts.hostname:
        raise WebhookError(_("The address must start with https://."))
    if parts.username or parts.password:
        raise WebhookError(_("The address must not contain a user name or password."))
    return url


def endpoint_create(*, project, actor, url: str, events, description: str = "") -> WebhookEndpoint:
    url = validate_url(url)
    events = sorted(set(events))
    if not events or not set(events) <= set(WebhookEvent.values):
        raise WebhookError(_("Choose at least one event."))
    live = WebhookEndpoint.objects.filter(project=project, removed_at__isnull=True)
    if live.count() >= MAX_ENDPOINTS:
        raise WebhookError(
            _("A school can have at most %(count)d endpoints.") % {"count": MAX_ENDPOINTS}
        )
    return WebhookEndpoint.objects.create(
        project=project,
        url=url,
        events=events,
        description=description.strip()[:200],
        encrypted_secret=encrypt_secret(new_secret()),
        created_by=actor,
    )


def endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new signing secret; the old one keeps signing beside it for ROTATION_OVERLAP.

    Rotating again within the overlap drops the oldest secret: only the one being replaced
    stays valid, so a leaked secret is gone after two rotations at most.
    """
    now = timezone.now()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        secret_of(endpoint)  # refuse (WebhookError) rather than keep a secret nobody can read
        endpoint.previous_encrypted_secret = endpoint.encrypted_secret
        endpoint.previous_secret_until = now + ROTATION_OVERLAP
        endpoint.encrypted_secret = encrypt_secret(new_secret())
        endpoint.secret_rotated_at = now
        endpoint.save(
            update_fields=[
                "previous_encrypted_secret",
                "previous_secret_until",
                "encrypted_secret",
                "secret_rotated_at",
            ]
        )
    return endpoint


def endpoint_remove(*, endpoint: WebhookEndpoint) -> None:
    """Stop sending to the endpoint; its row and delivery log stay."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk, removed_at__isnull=True).update(
        removed_at=timezone.now()
    )


def endpoint_enable(*, endpoint: WebhookEndpoint) -> None:
    """Turn a disabled endpoint back on, with a clean failure record."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(disabled_at=None, failing_since=None)


# --- Events and their payloads ----------------------------------------------------------------


def payload(event: str, data: dict) -> str:
    """The body of a message: {type, timestamp, data}, as Standard Webhooks suggests."""
    body = {"type": event, "timestamp": timezone.now().isoformat(), "data": data}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str)


def _live_endpoints(**school):
    return WebhookEndpoint.objects.filter(
        **school, disabled_at__isnull=True, removed_at__isnull=True
    )


def chosen_events(*, project_id: int) -> frozenset[str]:
    """Every event some live endpoint of the school chose: one query."""
    return frozenset(
        event
        for events in _live_endpoints(project_id=project_id).values_list("events", flat=True)
        for event in events
    )


def deliveries_create(*, project_id: int, event: str, subject_id: int, body: str) -> list[int]:
    """One delivery per active endpoint of the school that chose `event`; ids of new ones.

    Running twice for the same event and subject creates nothing new (a unique constraint).
    """
    created = []
    for endpoint in _live_endpoints(project_id=project_id):
        if event not in endpoint.events:
            continue
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    endpoint=endpoint,
                    message_id=f"msg_{uuid.uuid4().hex}",
                    event=event,
                    subject_id=subject_id,
                    body=body,
                    next_attempt_at=timezone.now(),
                )
        except IntegrityError:
            continue  # already created by an earlier run of the same event
        created.append(delivery.id)
    return created


# --- Attempts --------------------------------------------------------------------------------


@dataclass
class Outcome:
    delivered: bool
    retry_in: int | None = None  # seconds until the next attempt, if there is one


def _refuse_private_address(url: str) -> None:
    """Never post to this machine's or the private network's services (SSRF)."""
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror as error:
        raise OSError(f"cannot resolve {host}") from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if address.is_loopback and _loopback_http_allowed():
            continue
        if not address.is_global:
            raise OSError(f"{host} resolves to a non-public address")


def _post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> int:
    _refuse_private_address(endpoint.url)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(
            signing_secrets(endpoint), delivery.message_id, timestamp, delivery.body
        ),
    }
    with requests.post(
        endpoint.url,
        data=delivery.body.encode(),
        headers=headers,
        timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
        allow_redirects=False,
        stream=True,  # the status is all we need; the body is never read
    ) as response:
        return response.status_code


def attempt(delivery_id: int, *, retry: bool = True, now=None) -> Outcome:
    """Send one delivery once, if it is due and not claimed; record what happened."""
    now = now or timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id,
        status=WebhookDelivery.Status.PENDING,
        next_attempt_at__lte=now,
    ).update(next_attempt_at=now + LEASE, attempts=F("attempts") + 1, last_attempt_at=now)
    if not claimed:
        return Outcome(delivered=False)
    delivery = WebhookDelivery.objects.select_related("endpoint__project").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        _record(delivery, status=WebhookDelivery.Status.FAILED, error="endpoint disabled")
        return Outcome(delivered=False)
    code, error = None, ""
    try:
        code = _post(endpoint, delivery)
    except (requests.RequestException, OSError) as exc:
        error = f"{exc.__class__.__name__}: {exc}"[:500]
    except WebhookError as exc:  # the secret cannot be decrypted: retried once the key is fixed
        error = str(exc)[:500]
    if code is not None and 200 <= code < 300:
        _record(delivery, status=WebhookDelivery.Status.SUCCEEDED, code=code)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
        return Outcome(delivered=True)
    if code is not None:
        error = f"HTTP {code}"
    _endpoint_failed(endpoint, now)
    if retry and delivery.attempts < MAX_ATTEMPTS:
        delay = RETRY_DELAYS[delivery.attempts - 1]
        _record(delivery, code=code, error=error, next_at=now + timedelta(seconds=delay))
        return Outcome(delivered=False, retry_in=delay)
    _record(delivery, status=WebhookDelivery.Status.FAILED, code=code, error=error)
    return Outcome(delivered=False)


def _record(delivery, *, status=None, code=None, error="", next_at=None) -> None:
    fields = {"response_status": code, "error": error, "next_attempt_at": next_at}
    if status:
        fields["status"] = status
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)


def _endpoint_failed(endpoint: WebhookEndpoint, now) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(
        failing_since=now
    )
    disabled = WebhookEndpoint.objects.filter(
        pk=endpoint.pk, disabled_at__isnull=True, failing_since__lte=now - DISABLE_AFTER
    ).update(disabled_at=now)
    if disabled:
        _email_owners_disabled(endpoint)


def _email_owners_disabled(endpoint: WebhookEndpoint) -> None:
    owners = Membership.objects.filter(
        project_id=endpoint.project_id, role=Membership.Role.OWNER
    ).select_related("user")
    url = settings.SITE_URL + reverse("staff:webhooks", args=[endpoint.project.slug])
    for membership in owners:
        context = {"endpoint": endpoint, "school": endpoint.project.name, "webhooks_url": url}
        try:
            templated_email("emails/webhook_disabled", context, membership.user.email).send()
        except OSError:
            logger.exception("Could not email %s about a disabled webhook", membership.user)


def deliveries_due(*, now=None) -> list[int]:
    """Pending deliveries whose time has come (their retry message may have been lost)."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
        ).values_list("id", flat=True)[:1000]
    )


def delivery_resend(*, delivery: WebhookDelivery) -> None:
    """Staff's Resend: the same message (same webhook-id) once more, now."""
    if not delivery.endpoint.is_active:
        raise WebhookError(_("This endpoint is disabled. Enable it first."))
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.PENDING, next_attempt_at=timezone.now()
    )
