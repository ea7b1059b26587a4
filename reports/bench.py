"""Benchmark of the dashboards and the annual report: the demo union, then the same union with
N synthetic worker members added (default one million), inside a transaction that is rolled
back, so the database is left as it was. Run with `make bench-reports` (BENCH_MEMBERS=N).

The synthetic people are inserted by one INSERT … SELECT from generate_series (no history
rows: this measures reads), spread over CWC's centers, with joins from 1990 to 2016, one in six
having left, birth dates from 1940 to 1998.
"""

import os
import statistics
import time


def main():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jwcu.settings")
    from jwcu.embedded_db import use_embedded_database_if_unconfigured

    use_embedded_database_if_unconfigured()
    django.setup()
    run(int(os.environ.get("BENCH_MEMBERS", "1000000")))


def _timed(function, repeat=3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure() -> dict[str, float]:
    from django.contrib.auth.models import User
    from django.test import Client

    from members.models import Union
    from reports import annual_report

    user = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser("bench-reports")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    union = Union.objects.get(code="jwcu")
    timings = {}
    for name in ("", "membership/", "turnover/", "inclusion/", "sdgs/", "act/"):
        url = f"/dashboards/{name}?fiscal_year=2015"

        def get(url=url):
            assert client.get(url).status_code == 200

        timings[f"dashboard {name.strip('/') or 'overview'}"] = _timed(get)
    for fmt in ("csv", "xlsx", "pdf"):

        def export(fmt=fmt):
            report = annual_report.build(union=union, fiscal_year=2015, public=True)
            annual_report.render(report, fmt)

        timings[f"annual report {fmt}"] = _timed(export, repeat=1 if fmt == "pdf" else 3)
    return timings


INSERT = """
INSERT INTO members_workermember (
    created_at, updated_at, version, member_number, family_name, given_name, family_name_kana,
    given_name_kana, family_name_latin, given_name_latin, birth_date, gender, relationship,
    joined_on, left_on, leave_reason, capital_contribution_yen, contract_type, weekly_hours,
    business_center_id, society_id)
SELECT now(), now(), 1, 'B' || lpad(i::text, 9, '0'), '山田', '花子', 'ヤマダ', 'ハナコ', 'Yamada', 'Hanako',
    date '1940-01-01' + mod(i::bigint * 7919, 21000)::int, '', 'worker_member',
    date '1990-01-01' + mod(i::bigint * 104729, 9600)::int AS joined_on,
    CASE WHEN mod(i, 6) = 0 THEN date '1990-01-01' + mod(i::bigint * 104729, 9600)::int + 30 + mod(i, 2000) END,
    CASE WHEN mod(i, 6) = 0 THEN 'resignation' ELSE '' END,
    100000, 'part_time', 30, centers.ids[1 + mod(i, array_length(centers.ids, 1))], %s
FROM generate_series(1, %s) AS i,
     (SELECT array_agg(id ORDER BY id) AS ids FROM businesses_businesscenter WHERE society_id = %s) AS centers
"""


def run(members: int):
    from django.core.management import call_command
    from django.db import connection, transaction

    from members.models import MemberSociety, Union

    with transaction.atomic():
        if not Union.objects.filter(code="jwcu").exists():
            call_command("load_demo")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        demo = measure()
        cwc = MemberSociety.objects.get(code="cwc")
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(INSERT, [cwc.pk, members, cwc.pk])
            cursor.execute("ANALYZE members_workermember")
        inserted = time.perf_counter() - start
        scaled = measure()
        transaction.set_rollback(True)
    print(f"{members:,} synthetic worker members inserted in {inserted:.1f} s (rolled back afterwards)")
    print(f"{'':<28}{'demo':>10}{f'+{members:,}':>14}{'ratio':>8}")
    for name in demo:
        print(f"{name:<28}{demo[name]:>9.3f}s{scaled[name]:>13.3f}s{scaled[name] / demo[name]:>8.1f}")


if __name__ == "__main__":
    main()
