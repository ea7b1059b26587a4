from django.core.management.base import BaseCommand

from jwcu.import_jobs import import_jobs_purge


class Command(BaseCommand):
    help = (
        "Delete import jobs finished more than IMPORT_JOB_RETENTION_DAYS ago and the files of checks "
        "whose confirmation has expired (also done at each upload; run it daily from cron)."
    )

    def handle(self, *args, **options):
        deleted = import_jobs_purge()
        self.stdout.write(f"{deleted} import job(s) deleted.")
