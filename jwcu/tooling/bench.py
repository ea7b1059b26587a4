"""The registry at the demo size and at one million members: ``make bench``
(``python -m jwcu.tooling.bench [--sizes 13000,1000000] [--centers 340] [--import-rows 100000]``).

For each size it builds a synthetic union with generate_synthetic (the same number of centers at
every size, as a union grows by people before it grows by workplaces), brings the membership
rollup up to date, and measures, through the whole stack (Django's test client, in-process):

- the overview and inclusion dashboards and the membership statistics endpoint, each beside the
  same aggregates written as raw SQL over the member rows (what a scan costs);
- a full member sync through /api/v1/members/ (the largest pages the API serves, as a sync client
  asks for), beside the same rows fetched with psycopg and written as JSON;
- an import of new members from a CSV file (import_members' code, the rollup brought up to date
  included), beside PostgreSQL's COPY of the same rows into a table of the same shape;
- the fiscal year's annual report (built and rendered to XLSX), beside the raw SQL of the
  dashboards above.

Everything happens in one transaction per size that is rolled back: the database is left as it
was. Prints one table, and the ratios the targets are about.
"""

import argparse
import csv
import datetime
import json
import os
import resource
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from jwcu.embedded_db import database_url

AS_OF = datetime.date(2025, 3, 31)
FISCAL_YEAR = 2024


@dataclass
class Result:
    """One measurement at one size: seconds, the rows it handled, and its baseline's seconds."""

    seconds: float
    baseline: float
    rows: int = 0

    @property
    def over_baseline(self) -> float:
        return self.seconds / self.baseline if self.baseline else float("inf")


@dataclass
class SizeRun:
    members: int
    generate_seconds: float
    rollup_seconds: float
    peak_rss_mb: float
    results: dict[str, Result] = field(default_factory=dict)
    import_rollup_seconds: float = 0.0  # of the import's time: the rollup brought up to date


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


def _timed(function, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _sql(*statements):
    """A callable running raw SQL statements (each with its parameters) and fetching all rows."""
    from django.db import connection

    def run():
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    return run


# The aggregates of each dashboard as plain SQL over the people: what they cost without a rollup.
_ACTIVE = "m.joined_on <= %(day)s AND (m.left_on IS NULL OR m.left_on > %(day)s)"
_PEOPLE = (
    "members_workermember m JOIN members_membersociety s ON s.id = m.society_id "
    "LEFT JOIN businesses_businesscenter c ON c.id = m.business_center_id"
)
OVERVIEW_SQL = [
    f"SELECT count(*) FROM {_PEOPLE} WHERE s.union_id = %(union)s AND m.relationship = 'worker_member' AND {_ACTIVE}",
]
MEMBERSHIP_SQL = [
    f"SELECT {key}, count(*) FROM {_PEOPLE} WHERE s.union_id = %(union)s AND m.relationship = 'worker_member' "
    f"AND {_ACTIVE} GROUP BY 1"
    for key in ("s.code", "c.head_office_id", "coalesce(nullif(c.prefecture, ''), s.prefecture)")
]
INCLUSION_SQL = [
    f"SELECT c.code, count(*), count(*) FILTER (WHERE m.birth_date + interval '60 years' <= %(day)s), "
    f"count(*) FILTER (WHERE m.birth_date + interval '35 years' > %(day)s) FROM {_PEOPLE} "
    f"WHERE s.union_id = %(union)s AND m.relationship = 'worker_member' AND {_ACTIVE} GROUP BY 1",
    f"SELECT c.code, i.category_id, count(*) FROM {_PEOPLE} JOIN members_memberinclusion i ON i.member_id = m.id "
    f"WHERE s.union_id = %(union)s AND m.relationship = 'worker_member' AND {_ACTIVE} "
    f"AND (i.since IS NULL OR i.since <= %(day)s) AND (i.ended_on IS NULL OR i.ended_on > %(day)s) GROUP BY 1, 2",
]

MEMBER_SYNC_SQL = """
SELECT s.code AS society, m.member_number, m.family_name, m.given_name, m.family_name_kana, m.given_name_kana,
       m.family_name_latin, m.given_name_latin, m.birth_date, m.gender, c.code AS business_center, m.relationship,
       m.joined_on, m.left_on, m.leave_reason, m.capital_contribution_yen, m.contract_type, m.weekly_hours,
       m.anonymised_on, m.created_at, m.updated_at, m.version
FROM members_workermember m JOIN members_membersociety s ON s.id = m.society_id
LEFT JOIN businesses_businesscenter c ON c.id = m.business_center_id
WHERE s.union_id = %s ORDER BY m.updated_at, m.id
"""


def _fetch_as_json(union_id: int) -> int:
    """The baseline of a full sync: the same people fetched with psycopg (a server-side cursor,
    1,000 rows at a time) and written as JSON."""
    from django.db import connection

    connection.ensure_connection()
    rows = 0
    with connection.connection.cursor(name=f"bench_{uuid.uuid4().hex[:8]}") as cursor:
        cursor.itersize = 1000
        cursor.execute(MEMBER_SYNC_SQL, [union_id])
        while batch := cursor.fetchmany(1000):
            columns = [column.name for column in cursor.description]
            json.dumps([dict(zip(columns, row, strict=True)) for row in batch], default=str)
            rows += len(batch)
    return rows


def _api_sync(http) -> int:
    from jwcu.api.pagination import KeysetPagination

    url, rows = f"/api/v1/members/?page_size={KeysetPagination.max_page_size}&ordering=updated_at", 0
    while url:
        response = http.get(url)
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        rows += len(body["results"])
        url = body["next"]
    return rows


def _import_file(society_code: str, centers: list[str], rows: int, directory: str) -> Path:
    """A member file of ``rows`` new people of a society, in import_members' layout."""
    path = Path(directory) / "members.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["society", "member_number", "family_name", "given_name", "birth_date", "business_center", "joined_on"]
        )
        for n in range(rows):
            writer.writerow(
                [
                    society_code,
                    f"IMP{n:08d}",
                    "山田",
                    "花子",
                    datetime.date(1950, 1, 1) + datetime.timedelta(days=n % 18_000),
                    centers[n % len(centers)],
                    datetime.date(2000, 4, 1) + datetime.timedelta(days=n % 9_000),
                ]
            )
    return path


def _copy_baseline(society_id: int, member_numbers_like: str) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        return _copy_into_like(cursor.cursor, society_id, member_numbers_like)


def _copy_into_like(raw, society_id: int, member_numbers_like: str) -> float:
    """Seconds of PostgreSQL's COPY of the imported rows, from a file, into a temporary table
    with the members' columns, indexes and checks (no foreign keys, no Python)."""
    from jwcu.tooling.synthetic import MEMBER_COLUMNS

    select = (
        f"SELECT {MEMBER_COLUMNS} FROM members_workermember "
        f"WHERE society_id = {int(society_id)} AND member_number LIKE '{member_numbers_like}'"
    )
    with tempfile.TemporaryFile() as rows:
        raw.copy_expert(f"COPY ({select}) TO STDOUT", rows)
        rows.seek(0)
        raw.execute("CREATE TEMP TABLE bench_members (LIKE members_workermember INCLUDING ALL) ON COMMIT DROP")
        started = time.perf_counter()
        raw.copy_expert(f"COPY bench_members ({MEMBER_COLUMNS}) FROM STDIN", rows, size=1 << 16)
        seconds = time.perf_counter() - started
        raw.execute("DROP TABLE bench_members")
    return seconds


def measure_size(*, members: int, centers: int, import_rows: int) -> SizeRun:
    """Build a synthetic union of ``members`` people and measure it; everything rolled back."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client

    from jwcu.api.auth import ClientRateThrottle
    from jwcu.imports import import_file
    from jwcu.models import Role
    from jwcu.services import api_client_create, role_assign
    from members.imports import member_layout
    from members.models import MemberSociety, Union
    from reports import annual_report, rollup

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    ClientRateThrottle.THROTTLE_RATES = {"api_client": None}
    union_code = f"bench-{uuid.uuid4().hex[:12]}"
    run = None
    try:
        with transaction.atomic():
            started = time.perf_counter()
            call_command("generate_synthetic", members=members, centers=centers, union_code=union_code)
            generated = time.perf_counter() - started
            started = time.perf_counter()
            rollup.ensure_current()
            rolled_up = time.perf_counter() - started
            with connection.cursor() as cursor:
                # the registry's tables only: a database-wide ANALYZE would also lock the catalogs
                # every database of the server shares, until this transaction ends
                cursor.execute(
                    "ANALYZE members_workermember, members_placement, members_memberinclusion, "
                    "members_membersociety, businesses_businesscenter, businesses_annualfigures, reports_memberrollup"
                )
            run = SizeRun(members, generated, rolled_up, peak_rss_mb())
            union = Union.objects.get(code=union_code)
            params = {"union": union.pk, "day": AS_OF}

            user = get_user_model().objects.create(username=f"{union_code}-admin")
            role_assign(user=user, role=Role.UNION_ADMIN, union=union, sensitive=True)
            browser = Client()
            browser.force_login(user)
            _api_client, token = api_client_create(name=union_code, union=union, sensitive=False)
            http = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

            def page(url):
                def get():
                    response = browser.get(url)
                    assert response.status_code == 200, (url, response.status_code)

                return get

            def endpoint():
                assert http.get("/api/v1/stats/membership/", {"as_of": AS_OF}).status_code == 200

            dashboards = f"fiscal_year={FISCAL_YEAR}&as_of={AS_OF}"
            raw = {
                "overview": _timed(_sql(*[(sql, params) for sql in OVERVIEW_SQL])),
                "membership": _timed(_sql(*[(sql, params) for sql in OVERVIEW_SQL + MEMBERSHIP_SQL])),
                "inclusion": _timed(_sql(*[(sql, params) for sql in INCLUSION_SQL])),
            }
            run.results["dashboard overview"] = Result(_timed(page(f"/dashboards/?{dashboards}")), raw["overview"])
            run.results["dashboard inclusion"] = Result(
                _timed(page(f"/dashboards/inclusion/?{dashboards}")), raw["inclusion"]
            )
            run.results["membership statistics endpoint"] = Result(_timed(endpoint), raw["membership"])

            started = time.perf_counter()
            synced = _api_sync(http)
            api_seconds = time.perf_counter() - started
            started = time.perf_counter()
            fetched = _fetch_as_json(union.pk)
            run.results["API full member sync"] = Result(api_seconds, time.perf_counter() - started, synced)
            assert synced == fetched, (synced, fetched)

            society = MemberSociety.objects.filter(union=union, registers_individuals=True).order_by("code").first()
            codes = list(society.business_centers.values_list("code", flat=True)) or [""]
            with tempfile.TemporaryDirectory() as directory:
                path = _import_file(society.code, codes, import_rows, directory)
                started = time.perf_counter()
                outcome = import_file(path, member_layout(society=society))
                written = time.perf_counter()
                rollup.ensure_current()
                imported = time.perf_counter() - started
                run.import_rollup_seconds = time.perf_counter() - written
            assert outcome.created == import_rows, outcome
            copied = _copy_baseline(society.pk, "IMP%")
            run.results[f"import of {import_rows:,} members"] = Result(imported, copied, import_rows)
            run.peak_rss_mb = peak_rss_mb()

            def report():
                built = annual_report.build(union=union, fiscal_year=FISCAL_YEAR, public=True)
                annual_report.render(built, "xlsx")

            run.results[f"annual report FY{FISCAL_YEAR} (XLSX)"] = Result(
                _timed(report), raw["overview"] + raw["membership"] + raw["inclusion"]
            )
            raise _RollBack
    except _RollBack:
        pass
    return run


@dataclass
class LargeImport:
    rows: int
    seconds: float
    peak_rss_mb: float
    copy_seconds: float


# Runs the command given after it with this Python, and prints the command's peak resident memory
# in kilobytes (it fails as the command fails).
_PEAK_RSS_OF_CHILD = """
import os, subprocess, sys
child = subprocess.Popen([sys.executable, *sys.argv[1:]], stdout=subprocess.DEVNULL)
_pid, status, usage = os.wait4(child.pid, 0)
print(usage.ru_maxrss)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def measure_large_import(rows: int) -> LargeImport:
    """``manage.py import_members`` of ``rows`` new members in a process of its own (its peak
    resident memory is the command's alone), into a scratch database that is dropped afterwards,
    beside COPY of the same rows into a table of the same shape."""
    import subprocess

    from django.conf import settings
    from django.db import connection

    database = settings.DATABASES["default"]
    scratch = f"{database['NAME']}_bench_import"
    admin = connection.get_new_connection({**connection.get_connection_params(), "dbname": "postgres"})
    admin.autocommit = True
    url = database_url(database, scratch)
    manage_py = str(Path(settings.BASE_DIR) / "manage.py")
    environment = {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "SECRET_KEY": "bench", "ALLOWED_HOSTS": "*"}

    def connect_scratch():
        return connection.get_new_connection({**connection.get_connection_params(), "dbname": scratch})

    def manage(*arguments):
        subprocess.run([sys.executable, manage_py, *arguments], env=environment, check=True, stdout=subprocess.DEVNULL)

    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        cursor.execute(f'CREATE DATABASE "{scratch}"')
    try:
        manage("migrate", "--noinput")
        manage("generate_synthetic", "--members", "13000", "--centers", "340", "--union-code", "bench-import")
        with closing(connect_scratch()) as scratch_connection, scratch_connection.cursor() as cursor:
            cursor.execute(
                "SELECT s.id, s.code, array_agg(c.code ORDER BY c.code) FROM members_membersociety s "
                "JOIN businesses_businesscenter c ON c.society_id = s.id "
                "WHERE s.registers_individuals GROUP BY s.id ORDER BY s.code LIMIT 1"
            )
            society_id, society_code, centers = cursor.fetchone()
        with tempfile.TemporaryDirectory() as directory:
            path = _import_file(society_code, centers, rows, directory)
            started = time.perf_counter()
            # Started by a small process of its own: a child forked from this one, however soon it
            # execs, would report this process's peak as its own.
            measured = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    _PEAK_RSS_OF_CHILD,
                    manage_py,
                    "import_members",
                    str(path),
                    "--society",
                    society_code,
                ],
                env=environment,
                capture_output=True,
                text=True,
            )
            seconds = time.perf_counter() - started
            if measured.returncode:
                raise RuntimeError(f"import_members failed: {measured.stderr[-2000:]}")
            peak_kilobytes = int(measured.stdout.split()[-1])
        with closing(connect_scratch()) as scratch_connection, scratch_connection.cursor() as cursor:
            copied = _copy_into_like(cursor, society_id, "IMP%")
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        admin.close()
    return LargeImport(rows, seconds, peak_kilobytes / 1024, copied)


def _print(runs: list[SizeRun]) -> None:
    first, *others = runs
    print("Synthetic unions (rolled back afterwards):")
    for run in runs:
        print(
            f"  {run.members:>11,} members: generate_synthetic {run.generate_seconds:.1f} s, "
            f"membership rollup built in {run.rollup_seconds:.1f} s, peak RSS {run.peak_rss_mb:.0f} MB"
        )
    header = f"{'':<34}" + "".join(f"{f'{run.members:,} members':>34}" for run in runs)
    if others:
        header += f"{'× smallest':>12}"
    print(header)
    print(f"{'':<34}" + f"{'seconds':>12}{'baseline':>11}{'× base':>11}" * len(runs))
    for name in first.results:
        line = f"{name:<34}"
        for run in runs:
            result = run.results[name]
            line += f"{result.seconds:>11.3f}s{result.baseline:>10.3f}s{result.over_baseline:>11.2f}"
        if others:
            line += f"{runs[-1].results[name].seconds / first.results[name].seconds:>12.2f}"
        print(line)
    print(
        "Baselines: dashboards, endpoint and report: the same aggregates as raw SQL over the member rows; "
        "API sync: psycopg fetch + JSON of the same rows; import: COPY of the same rows."
    )
    for run in runs:
        sync = run.results["API full member sync"]
        imported = next(result for name, result in run.results.items() if name.startswith("import"))
        print(
            f"{run.members:,} members: API sync {sync.rows / sync.seconds:,.0f} rows/s = "
            f"{sync.baseline / sync.seconds:.2f} of fetch+JSON ({sync.rows / sync.baseline:,.0f} rows/s); "
            f"import {imported.rows / imported.seconds:,.0f} rows/s = {imported.baseline / imported.seconds:.2f} "
            f"of COPY ({imported.rows / imported.baseline:,.0f} rows/s); of the import's {imported.seconds:.1f} s, "
            f"{run.import_rollup_seconds:.1f} s bring the rollup up to date"
        )


def main(argv: list[str] | None = None) -> list[SizeRun]:
    parser = argparse.ArgumentParser(prog="python -m jwcu.tooling.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="13000,1000000", help="comma-separated numbers of people")
    parser.add_argument("--centers", type=int, default=340)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument(
        "--large-import",
        type=int,
        default=1_000_000,
        metavar="ROWS",
        help="rows of the import_members run in a process of its own, for its peak memory (0: none)",
    )
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    setup_django()
    runs = []
    for size in sizes:
        runs.append(measure_size(members=size, centers=args.centers, import_rows=args.import_rows))
        if len(sizes) > 1:  # each size's figures as soon as they are known: a large size takes a while
            _print(runs[-1:])
            print(flush=True)
    _print(runs)
    if args.large_import:
        large = measure_large_import(args.large_import)
        print(
            f"import_members of {large.rows:,} new members in its own process: {large.seconds:.1f} s "
            f"({large.rows / large.seconds:,.0f} rows/s), peak RSS {large.peak_rss_mb:.0f} MB; COPY of the same rows "
            f"{large.copy_seconds:.1f} s ({large.rows / large.copy_seconds:,.0f} rows/s): "
            f"{large.copy_seconds / large.seconds:.2f} of COPY's rate",
            flush=True,
        )
    return runs


if __name__ == "__main__":
    main(sys.argv[1:])
