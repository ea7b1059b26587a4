import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from jwcu.tooling.demo.loader import load_demo


class Command(BaseCommand):
    help = (
        "Load the demo union as the seed document describes it (organisations, centers, programmes, "
        "partners, FY2015 turnover, membership as of 2015-03-31, the five cases). Idempotent: a second "
        "run changes nothing."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            report = load_demo()
        except DatabaseError as error:
            raise CommandError(f"Nothing was loaded: the database refused the demo data ({error}).") from error
        for model_name, counts in sorted(report.counts.items()):
            parts = ", ".join(f"{outcome} {n}" for outcome, n in sorted(counts.items()) if n)
            self.stdout.write(f"{model_name}: {parts or 'unchanged'}")
        verdict = f"{report.changed} records written" if report.changed else "nothing changed"
        self.stdout.write(self.style.SUCCESS(f"Demo union loaded in {time.perf_counter() - started:.1f} s: {verdict}."))
