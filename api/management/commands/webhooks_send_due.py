"""Send the webhook retries that are due: cron's job when no Celery beat runs (every minute)."""

from django.core.management.base import BaseCommand

from api import webhooks


class Command(BaseCommand):
    help = "Attempt every pending webhook delivery whose time has come."

    def handle(self, *args, **options):
        due = webhooks.deliveries_due()
        delivered = sum(webhooks.attempt(pk).delivered for pk in due)
        self.stdout.write(f"{len(due)} due, {delivered} delivered.")
