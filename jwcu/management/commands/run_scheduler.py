import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from jwcu.queue import SCHEDULE, enqueue_due, recover_abandoned


class Command(BaseCommand):
    help = (
        "Enqueue the periodic tasks (purges, anonymisation, the rollup's horizon) when they are due, "
        "and recover the runs whose worker stopped, every --interval seconds. Any number may run at "
        "once: each run is enqueued once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=30.0, help="Seconds between checks (30).")
        parser.add_argument("--once", action="store_true", help="Check once and stop.")

    def handle(self, *args, interval, once, **options):
        self.stdout.write(f"Scheduling {len(SCHEDULE)} periodic task(s): " + ", ".join(p.name for p in SCHEDULE))
        while True:
            for name in enqueue_due():
                self.stdout.write(f"Enqueued {name}")
            if lost := recover_abandoned():
                self.stdout.write(f"{lost} run(s) whose worker stopped: failed, and tried again where attempts remain")
            if once:
                return
            time.sleep(interval)
            close_old_connections()
