"""Benchmark of a regional office's full sync: every member of the demo union read through
/api/v1/members/ page by page, then an incremental sync that finds nothing new.

    make bench-api            (python -m jwcu.tooling.bench_api [--page-size N] [--sensitive])

Runs in-process through Django's test client (the whole API stack, without a network), against
the database of DATABASE_URL or the embedded one; loads the demo union if it is missing. The
temporary API client it creates is deleted at the end.
"""

import argparse
import os
import statistics
import time


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jwcu.settings")
    from jwcu.embedded_db import use_embedded_database_if_unconfigured

    use_embedded_database_if_unconfigured()
    import django

    django.setup()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--sensitive", action="store_true", help="sync with inclusion records")
    options = parser.parse_args()
    run(page_size=options.page_size, sensitive=options.sensitive)


def run(*, page_size: int, sensitive: bool):
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from jwcu.api.auth import ClientRateThrottle
    from jwcu.services import api_client_create
    from jwcu.tooling.demo.loader import load_demo
    from members.models import Union, WorkerMember

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    ClientRateThrottle.THROTTLE_RATES = {"api_client": None}
    union = Union.objects.filter(code="jwcu").first()
    if union is None:
        load_demo()
        union = Union.objects.get(code="jwcu")
    expected = WorkerMember.objects.filter(society__union=union).count()
    api_client, token = api_client_create(name="bench-api", union=union, sensitive=sensitive)
    http = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    try:
        started_at = timezone.now()
        url = f"/api/v1/members/?page_size={page_size}&ordering=updated_at"
        rows, page_times, page_queries, payload = 0, [], [], 0
        clock = time.perf_counter()
        while url:
            page_clock = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = http.get(url)
            page_times.append(time.perf_counter() - page_clock)
            page_queries.append(len(queries))
            assert response.status_code == 200, response.content[:500]
            payload += len(response.content)
            body = response.json()
            rows += len(body["results"])
            url = body["next"]
        elapsed = time.perf_counter() - clock
        assert rows == expected, f"synced {rows} members, the union has {expected}"
        clock = time.perf_counter()
        nothing_new = http.get("/api/v1/members/", {"updated_since": started_at.isoformat()}).json()
        incremental = time.perf_counter() - clock
    finally:
        api_client.delete()
    print(
        f"Full sync of the demo union's people through /api/v1/members/ (page_size={page_size}, "
        f"{'sensitive' if sensitive else 'not sensitive'}):"
    )
    print(f"  members            {rows:>10,}")
    print(f"  pages              {len(page_times):>10,}")
    print(f"  total time         {elapsed:>10.2f} s   ({rows / elapsed:,.0f} members/s)")
    print(
        f"  per page           {statistics.median(page_times) * 1000:>10.0f} ms median, "
        f"{max(page_times) * 1000:.0f} ms max"
    )
    print(f"  queries per page   {min(page_queries)}-{max(page_queries)}")
    print(f"  JSON               {payload / 1e6:>10.1f} MB")
    print(f"Incremental sync with nothing new: {len(nothing_new['results'])} members in {incremental * 1000:.0f} ms")


if __name__ == "__main__":
    main()
