"""Receivers that only dispatch: certificate events (after commit) become webhook tasks."""

from django.dispatch import receiver

from certificates import events

from . import tasks, webhooks
from .models import WebhookEvent


def _queue(event: str, certificate_id: int, **extra) -> None:
    # Most schools have no endpoint: one query here instead of a task that would find none
    # (a bulk job sends three events per certificate, and each task costs a worker far more).
    if webhooks.subscribed(event, certificate_id=certificate_id):
        tasks.webhook_event.delay(event, certificate_id, **extra)


@receiver(events.certificate_issued, dispatch_uid="api_webhooks_issued")
def certificate_issued(sender, certificate_id: int, **kwargs):
    _queue(WebhookEvent.ISSUED.value, certificate_id)


@receiver(events.certificate_deleted, dispatch_uid="api_webhooks_deleted")
def certificate_deleted(sender, certificate_id: int, **kwargs):
    _queue(WebhookEvent.DELETED.value, certificate_id)


@receiver(events.certificate_reissued, dispatch_uid="api_webhooks_reissued")
def certificate_reissued(sender, certificate_id: int, replaces_id: int, **kwargs):
    _queue(WebhookEvent.REISSUED.value, certificate_id, replaces_id=replaces_id)
