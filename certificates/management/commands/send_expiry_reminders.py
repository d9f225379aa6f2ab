from django.core.management.base import BaseCommand

from certificates.reminders import send_expiry_reminders


class Command(BaseCommand):
    help = (
        "Email students whose certificates expire soon (CERTIFICATE_EXPIRY_REMINDER_DAYS), "
        "each reminder once; for cron when no Celery beat runs. Safe to run more than daily."
    )

    def handle(self, *args, **options):
        sent = send_expiry_reminders()
        self.stdout.write(f"{sent} reminder(s) sent.")
