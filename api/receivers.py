"""Receivers that only dispatch: certificate events (after commit) become webhook tasks."""

from django.dispatch import receiver

from certificates import events

from . import tasks, webhooks
from .models import WebhookEvent


def _chosen(project_id: int) -> frozenset[str]:
    """The events the school's endpoints chose; once per bulk chunk, not once per event."""
    lookups = events.collected_lookups()
    if lookups is None:
        return webhooks.chosen_events(project_id=project_id)
    key = ("webhook events", project_id)
    if key not in lookups:
        lookups[key] = webhooks.chosen_events(project_id=project_id)
    return lookups[key]


def _queue(event: str, certificate_id: int, project_id: int, **extra) -> None:
    # Most schools have no endpoint: one query here instead of a task that would find none
    # (a bulk job sends three events per certificate, and each task costs a worker far more).
    if event in _chosen(project_id):
        tasks.webhook_event.delay(event, certificate_id, **extra)


@receiver(events.certificate_issued, dispatch_uid="api_webhooks_issued")
def certificate_issued(sender, certificate_id: int, project_id: int, **kwargs):
    _queue(WebhookEvent.ISSUED.value, certificate_id, project_id)


@receiver(events.certificate_deleted, dispatch_uid="api_webhooks_deleted")
def certificate_deleted(sender, certificate_id: int, project_id: int, **kwargs):
    _queue(WebhookEvent.DELETED.value, certificate_id, project_id)


@receiver(events.certificate_reissued, dispatch_uid="api_webhooks_reissued")
def certificate_reissued(sender, certificate_id: int, project_id: int, replaces_id: int, **kwargs):
    _queue(WebhookEvent.REISSUED.value, certificate_id, project_id, replaces_id=replaces_id)
