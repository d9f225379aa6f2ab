"""Webhook work in the worker. Tasks take ids and call api.events / api.webhooks."""

from celery import shared_task
from django.conf import settings

from . import events, idempotency, webhooks


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def webhook_event(event: str, certificate_id: int, **extra) -> None:
    for delivery_id in events.event_deliveries_create(event, certificate_id, **extra):
        webhook_deliver.delay(delivery_id)


@shared_task
def webhook_deliver(delivery_id: int, retry: bool = True) -> None:
    outcome = webhooks.attempt(delivery_id, retry=retry)
    # Without a broker (tasks run in-process) a retry would wait inside a web request; the
    # periodic sweep below sends it instead.
    if outcome.retry_in is not None and not settings.CELERY_TASK_ALWAYS_EAGER:
        webhook_deliver.apply_async((delivery_id,), countdown=outcome.retry_in)


@shared_task
def webhook_deliveries_due() -> int:
    """Run every minute by Celery beat: retries whose queued message was lost, or never sent."""
    due = webhooks.deliveries_due()
    for delivery_id in due:
        webhook_deliver.delay(delivery_id)
    return len(due)


@shared_task
def idempotency_keys_clear() -> int:
    """Run daily by Celery beat (see CELERY_BEAT_SCHEDULE)."""
    return idempotency.keys_clear()
