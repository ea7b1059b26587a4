import time

from django.core.management.base import BaseCommand
from django.db import transaction

from reports import rollup


class Command(BaseCommand):
    help = (
        "Recompute the whole membership rollup from the people, their periods and inclusion records, and move "
        "its horizon to two years from today. The database keeps the rollup up to date by itself; run this when "
        "the horizon comes near (figures after it stay right but get slower)."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        with transaction.atomic():
            rollup.rebuild()
        self.stdout.write(
            f"Membership rollup rebuilt in {time.perf_counter() - started:.1f} s; horizon {rollup.horizon()}."
        )
