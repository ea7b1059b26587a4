"""Load benchmark: ``python -m jwcu.bench [--members N] [--centers M]`` (``make bench``).

Runs generate_synthetic at scale, times union_summary on the result and, as a baseline in the
same run, PostgreSQL's own COPY of the same member rows from a file into a temporary table of
the same shape. Everything happens in one transaction that is rolled back: the database is left
as it was.
"""

import argparse
import datetime
import os
import resource
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass

AS_OF = datetime.date(2025, 3, 31)
FISCAL_YEAR = 2024


@dataclass(frozen=True)
class Measurement:
    step: str
    rows: int
    seconds: float
    peak_rss_mb: float | None = None

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else float("inf")


class _RollBack(Exception):
    pass


def setup_django() -> None:
    import django
    from django.apps import apps

    if apps.ready:
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jwcu.settings")
    os.environ.setdefault("DEBUG", "true")
    from jwcu.embedded_db import use_embedded_database_if_unconfigured

    use_embedded_database_if_unconfigured()
    django.setup()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main(argv: list[str] | None = None) -> list[Measurement]:
    parser = argparse.ArgumentParser(prog="python -m jwcu.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--centers", type=int, default=3_000)
    args = parser.parse_args(argv)
    setup_django()

    from django.core.management import call_command
    from django.db import connection, transaction

    from members.models import Union
    from reports.selectors import union_summary

    union_code = f"bench-{uuid.uuid4().hex[:12]}"
    try:
        with transaction.atomic():
            started = time.perf_counter()
            call_command("generate_synthetic", members=args.members, centers=args.centers, union_code=union_code)
            load = Measurement("generate_synthetic", args.members, time.perf_counter() - started, peak_rss_mb())

            union = Union.objects.get(code=union_code)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE members_workermember, businesses_businesscenter, businesses_annualfigures")
            started = time.perf_counter()
            union_summary(union=union, as_of=AS_OF, fiscal_year=FISCAL_YEAR)
            summary = Measurement("union_summary", args.members, time.perf_counter() - started)

            baseline = _copy_baseline(connection, union)
            raise _RollBack
    except _RollBack:
        pass
    measurements = [load, baseline, summary]
    _print_table(measurements, ratio=load.seconds / baseline.seconds)
    return measurements


def _copy_baseline(connection, union) -> Measurement:
    """PostgreSQL's COPY of the union's member rows, from a file, into a temporary table with the
    same columns, indexes and checks (no foreign keys, no Python generating rows)."""
    from jwcu.synthetic import MEMBER_COLUMNS

    select = (
        f"SELECT {MEMBER_COLUMNS} FROM members_workermember "
        f"WHERE society_id IN (SELECT id FROM members_membersociety WHERE union_id = {int(union.pk)})"
    )
    with tempfile.TemporaryFile() as rows, connection.cursor() as cursor:
        raw = cursor.cursor
        raw.copy_expert(f"COPY ({select}) TO STDOUT", rows)
        rows.seek(0)
        raw.execute("CREATE TEMP TABLE bench_members (LIKE members_workermember INCLUDING ALL) ON COMMIT DROP")
        started = time.perf_counter()
        raw.copy_expert(f"COPY bench_members ({MEMBER_COLUMNS}) FROM STDIN", rows, size=1 << 16)
        return Measurement("COPY baseline (temp table)", raw.rowcount, time.perf_counter() - started)


def _print_table(measurements: list[Measurement], *, ratio: float) -> None:
    print(f"{'step':<28}{'rows':>12}{'seconds':>10}{'rows/s':>12}{'peak RSS MB':>13}")
    for m in measurements:
        rss = f"{m.peak_rss_mb:.0f}" if m.peak_rss_mb is not None else "-"
        print(f"{m.step:<28}{m.rows:>12,}{m.seconds:>10.2f}{m.rows_per_second:>12,.0f}{rss:>13}")
    print(f"generate_synthetic takes {ratio:.1f}× as long as PostgreSQL's COPY of the same member rows.")


if __name__ == "__main__":
    main(sys.argv[1:])
