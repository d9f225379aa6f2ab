"""Receivers that only dispatch: certificate events (after commit) become webhook tasks."""

from django.dispatch import receiver

from certificates import events

from . import tasks
from .models import WebhookEvent


@receiver(events.certificate_issued, dispatch_uid="api_webhooks_issued")
def certificate_issued(sender, certificate_id: int, **kwargs):
    tasks.webhook_event.delay(WebhookEvent.ISSUED.value, certificate_id)


@receiver(events.certificate_deleted, dispatch_uid="api_webhooks_deleted")
def certificate_deleted(sender, certificate_id: int, **kwargs):
    tasks.webhook_event.delay(WebhookEvent.DELETED.value, certificate_id)


@receiver(events.certificate_reissued, dispatch_uid="api_webhooks_reissued")
def certificate_reissued(sender, certificate_id: int, replaces_id: int, **kwargs):
    tasks.webhook_event.delay(WebhookEvent.REISSUED.value, certificate_id, replaces_id=replaces_id)
