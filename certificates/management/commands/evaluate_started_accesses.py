from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from certificates.services import certificates_issue_for_started_accesses


class Command(BaseCommand):
    help = (
        "Issue certificates automatically for accesses whose scheduled start arrived in the "
        "last HOURS hours (for cron when no Celery beat runs)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=2)

    def handle(self, *args, hours, **options):
        since = timezone.now() - timedelta(hours=hours)
        issued = certificates_issue_for_started_accesses(since=since)
        self.stdout.write(f"{issued} certificate(s) issued.")
