"""API tokens, webhook endpoints and their deliveries, and the API's idempotency keys.

Nothing here is hard-deleted: a token is revoked, an endpoint removed or disabled, each with
the time it happened; their history (last use, delivery log) stays readable.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A school's key to the API. Only a SHA-256 of the token is stored, never the token."""

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        WRITE = "write", _("Read and write")

    project = models.ForeignKey("accounts.Project", on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    # The token's first characters, shown in lists so people can tell their tokens apart.
    prefix = models.CharField(max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.WRITE


class IdempotencyKey(models.Model):
    """The response to an API write sent with an Idempotency-Key, replayed on a retry."""

    project = models.ForeignKey("accounts.Project", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "key"], name="idempotency_unique_key"),
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]

    def __str__(self):
        return self.key


class WebhookEvent(models.TextChoices):
    ISSUED = "certificate.issued", _("Certificate issued")
    DELETED = "certificate.deleted", _("Certificate deleted")
    REISSUED = "certificate.reissued", _("Certificate reissued")
    EXPIRING = "certificate.expiring", _("Certificate expiring")


class WebhookEndpoint(models.Model):
    """An HTTPS address of the school's that receives the events it chose, signed."""

    project = models.ForeignKey("accounts.Project", on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # The signing secret ("whsec_" and base64 of 24 random bytes: the Standard Webhooks
    # format), encrypted at rest (lms/encryption.py); read it with api.webhooks.secret_of.
    encrypted_secret = models.BinaryField()
    # After a rotation the old secret signs too, beside the new one, until this moment, so
    # the receiver can switch without losing a message (Standard Webhooks: several signatures).
    previous_encrypted_secret = models.BinaryField(null=True, blank=True)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The first failed attempt since the last success; failing for days disables the endpoint.
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self):
        return self.url

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None and self.removed_at is None


class WebhookDelivery(models.Model):
    """One event sent to one endpoint, with its attempts: the endpoint's delivery log."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.PROTECT, related_name="deliveries"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The webhook-id header: the same for every attempt, so receivers can drop duplicates.
    message_id = models.CharField(max_length=40, unique=True)
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    # What the event is about (a certificate's id): one delivery per endpoint, event and
    # subject, however often the event's task runs.
    subject_id = models.PositiveBigIntegerField()
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event", "subject_id"], name="webhook_delivery_once"
            ),
        ]
        indexes = [models.Index(fields=["endpoint", "-created_at"], name="webhook_log")]

    def __str__(self):
        return f"{self.event} → {self.endpoint} ({self.status})"
