"""Load test (``make load``): gunicorn on a loopback port, concurrent clients on the API and the
dashboards, bounded in time and in requests; prints throughput, p50/p95 latency and errors.

    python -m jwcu.tooling.load [--seconds 20] [--clients 8] [--max-requests 4000] [--workers 3]

It runs against the configured database (the embedded one by default), which must hold a union
(``make run`` or ``manage.py load_demo``). It creates a throw-away API client and staff session,
and removes them afterwards. Traffic goes only to 127.0.0.1.
"""

import argparse
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
AS_OF, FISCAL_YEAR = "2015-03-31", 2015


def setup_django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jwcu.settings")
    os.environ.setdefault("DEBUG", "true")
    from jwcu.embedded_db import use_embedded_database_if_unconfigured

    use_embedded_database_if_unconfigured()
    django.setup()


def paths() -> list[tuple[str, str]]:
    """(kind, path) of the requests the clients cycle through."""
    return [
        ("api", "/api/v1/members/?page_size=100"),
        ("api", f"/api/v1/stats/membership/?as_of={AS_OF}"),
        ("api", f"/api/v1/stats/inclusion/?as_of={AS_OF}&group_by=society"),
        ("api", "/api/v1/business-centers/?page_size=100"),
        ("page", f"/en/dashboards/?fiscal_year={FISCAL_YEAR}&as_of={AS_OF}"),
        ("page", f"/en/dashboards/inclusion/?fiscal_year={FISCAL_YEAR}&as_of={AS_OF}"),
        ("page", "/en/members/?q=%E3%83%A4%E3%83%9E%E3%83%80"),
    ]


def credentials():
    """A throw-away API client token and a signed-in staff session cookie."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore

    from jwcu.services import api_client_create
    from members.models import Union

    union = Union.objects.order_by("created_at", "pk").first()
    if union is None:
        raise SystemExit("The database holds no union: run `make run` or `manage.py load_demo` first.")
    client, token = api_client_create(name=f"load test {secrets.token_hex(3)}", union=union, sensitive=True)
    user = User.objects.create_superuser(f"load-{secrets.token_hex(4)}", password=secrets.token_urlsafe(16))
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return client, token, user, session.session_key


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url_of(settings_dict: dict) -> str:
    """The URL of a Django database's settings (a socket directory in place of a host name)."""
    host = settings_dict["HOST"] or ""
    where = f"/{host}" if host.startswith("/") else f"{host}:{settings_dict['PORT'] or 5432}"
    password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    return f"postgres://{settings_dict['USER']}{password}@{where}/{settings_dict['NAME']}"


def start_server(port: int, workers: int) -> subprocess.Popen:
    from django.db import connection

    env = {
        **os.environ,
        "DATABASE_URL": database_url_of(connection.settings_dict),
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        # the load test measures the registry, not the per-client throttle
        "API_THROTTLE_RATE": "1000000/min",
        # pages only link to static files; no collectstatic needed for the measurement
        "STATIC_FILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
    }
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    command = [gunicorn, "jwcu.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    server = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _attempt in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in/", timeout=2)
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn did not start: {server.stderr.read().decode()[-2000:]}") from None
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 30 s.")


def run(*, seconds: float, clients: int, max_requests: int, workers: int) -> dict:
    api_client, token, user, session_key = credentials()
    port = free_port()
    server = start_server(port, workers)
    results: list[tuple[str, float, int]] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    targets = paths()

    def client_loop(number: int):
        index = number
        while time.monotonic() < deadline:
            with lock:
                if len(results) >= max_requests:
                    return
            kind, path = targets[index % len(targets)]
            index += 1
            headers = {"Authorization": f"Bearer {token}"} if kind == "api" else {"Cookie": f"sessionid={session_key}"}
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    response.read()
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError:
                status = 0
            with lock:
                results.append((kind, time.perf_counter() - started, status))

    started = time.perf_counter()
    try:
        threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        elapsed = time.perf_counter() - started
        server.terminate()
        server.wait(timeout=20)
        server.stderr.close()
        api_client.delete()
        user.delete()
    return summarise(results, elapsed)


def summarise(results: list[tuple[str, float, int]], elapsed: float) -> dict:
    def figures(rows):
        latencies = sorted(latency for _kind, latency, _status in rows)
        if not latencies:
            return {"requests": 0, "per_second": 0.0, "p50_ms": None, "p95_ms": None, "errors": 0}
        p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
        return {
            "requests": len(rows),
            "per_second": len(rows) / elapsed,
            "p50_ms": statistics.median(latencies) * 1000,
            "p95_ms": p95 * 1000,
            "errors": sum(1 for _kind, _latency, status in rows if status != 200),
        }

    return {
        "seconds": elapsed,
        "all": figures(results),
        "api": figures([r for r in results if r[0] == "api"]),
        "pages": figures([r for r in results if r[0] == "page"]),
    }


def print_table(summary: dict, out=sys.stdout) -> None:
    print(f"{'':<8}{'requests':>10}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'errors':>8}", file=out)
    for name in ("api", "pages", "all"):
        row = summary[name]
        p50 = "-" if row["p50_ms"] is None else f"{row['p50_ms']:.0f}"
        p95 = "-" if row["p95_ms"] is None else f"{row['p95_ms']:.0f}"
        print(
            f"{name:<8}{row['requests']:>10,}{row['per_second']:>10.1f}{p50:>10}{p95:>10}{row['errors']:>8}",
            file=out,
        )
    print(f"{summary['seconds']:.1f} s", file=out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--max-requests", type=int, default=4000)
    parser.add_argument("--workers", type=int, default=3)
    options = parser.parse_args(argv)
    setup_django()
    summary = run(
        seconds=options.seconds, clients=options.clients, max_requests=options.max_requests, workers=options.workers
    )
    print_table(summary)
    return 1 if summary["all"]["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
