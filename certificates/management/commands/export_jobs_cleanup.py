from django.core.management.base import BaseCommand

from certificates.exports import export_jobs_cleanup


class Command(BaseCommand):
    help = (
        "Delete Certificates report export jobs older than a day, with their files "
        "(run daily from cron); jobs whose worker died are marked failed."
    )

    def handle(self, *args, **options):
        deleted = export_jobs_cleanup()
        self.stdout.write(f"{deleted} export job(s) deleted.")
