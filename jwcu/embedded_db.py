"""The embedded default database: a project-local PostgreSQL under ``.pgdata/``.

Entry points (``manage.py``, the test suite's ``conftest.py``) call
``use_embedded_database_if_unconfigured()`` explicitly before Django reads its settings, so
importing the settings never starts a server. With ``DATABASE_URL`` set (in the environment or
in ``.env``) nothing is started and that server is used.
"""

import os
import warnings
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
PGDATA = BASE_DIR / ".pgdata"
DATABASE_NAME = "jwcu"


def use_embedded_database_if_unconfigured() -> None:
    import environ

    env_file = BASE_DIR / ".env"
    if env_file.exists():
        environ.Env.read_env(env_file)
    if os.environ.get("DATABASE_URL"):
        return
    os.environ["DATABASE_URL"] = start_embedded_server()


def start_embedded_server() -> str:
    """Start (or reuse) the server whose data lives in ``.pgdata/``; return its URL."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        server = pgserver.get_server(PGDATA, cleanup_mode=None)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    socket_dir = server.get_postmaster_info().socket_dir
    # A path in place of the host names the directory of PostgreSQL's Unix socket.
    return f"postgres://postgres@/{socket_dir}/{DATABASE_NAME}"


def database_url(database: dict, name: str | None = None) -> str:
    """The DATABASE_URL of a database of the server that ``database`` (an entry of Django's
    DATABASES) is on: ``name``, or that entry's own."""
    user = quote(database.get("USER") or "", safe="")
    if database.get("PASSWORD"):
        user += ":" + quote(database["PASSWORD"], safe="")
    host, name = database.get("HOST") or "", name or database["NAME"]
    if host.startswith("/"):  # a Unix socket's directory stands in the path
        return f"postgres://{user}@/{host}/{name}"
    return f"postgres://{user}@{host or 'localhost'}:{database.get('PORT') or 5432}/{name}"


if __name__ == "__main__":
    print(start_embedded_server())
