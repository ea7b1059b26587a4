"""Backups of the registry's database with PostgreSQL's own tools (pg_dump's custom format).

The tools must be at least as new as the server: the machine's, or the ones bundled with the
embedded server (pgserver), whichever fits the server the registry is connected to.
"""

import datetime
import os
import re
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connections

BACKUP_DIR = Path(settings.BASE_DIR) / "backups"


class BackupError(Exception):
    pass


def _major(version_output: str) -> int:
    match = re.search(r"(\d+)(?:\.\d+)?", version_output.split(")")[-1])
    return int(match.group(1)) if match else 0


def _tool(name: str, server_major: int) -> str:
    """The ``pg_dump``/``pg_restore`` whose major version matches the server's, else the newest."""
    candidates = []
    if system := shutil.which(name):
        candidates.append(system)
    try:
        import pgserver

        bundled = Path(pgserver.__file__).parent / "pginstall" / "bin" / name
        if bundled.exists():
            candidates.append(str(bundled))
    except ImportError:
        pass
    versions = {
        path: _major(subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout)
        for path in candidates
    }
    fitting = [path for path, major in versions.items() if major == server_major]
    newer = sorted((major, path) for path, major in versions.items() if major > server_major)
    if fitting:
        return fitting[0]
    if newer:
        return newer[-1][1]
    raise BackupError(f"No {name} of PostgreSQL {server_major} or newer on this machine.")


def _connection_arguments(alias: str) -> tuple[list[str], dict, int]:
    connection = connections[alias]
    connection.ensure_connection()
    server_major = connection.pg_version // 10000
    db = connection.settings_dict
    arguments = ["--dbname", db["NAME"], "--username", db["USER"] or "postgres"]
    if db["HOST"]:
        arguments += ["--host", db["HOST"]]
    if db["PORT"]:
        arguments += ["--port", str(db["PORT"])]
    environment = {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}
    return arguments, environment, server_major


def backup(*, output: Path | None = None, alias: str = "default") -> Path:
    """Dump the whole database to ``output`` (default: backups/jwcu-YYYYMMDD-HHMMSS.dump)."""
    arguments, environment, server_major = _connection_arguments(alias)
    if output is None:
        BACKUP_DIR.mkdir(exist_ok=True)
        output = BACKUP_DIR / f"jwcu-{datetime.datetime.now():%Y%m%d-%H%M%S}.dump"
    command = [_tool("pg_dump", server_major), "--format=custom", "--no-owner", "--file", str(output), *arguments]
    result = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    if result.returncode != 0:
        raise BackupError(result.stderr.strip() or "pg_dump failed")
    return output


def restore(path: Path, *, alias: str = "default") -> None:
    """Replace the database's contents with the backup at ``path``, in one transaction."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file.")
    arguments, environment, server_major = _connection_arguments(alias)
    connections[alias].close()
    command = [
        _tool("pg_restore", server_major),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--exit-on-error",
        *arguments,
        str(path),
    ]
    result = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    if result.returncode != 0:
        raise BackupError(result.stderr.strip() or "pg_restore failed")
