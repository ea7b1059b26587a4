"""make serve: production settings pass Django's deploy checks, refuse to start without a secret
key or allowed hosts, and gunicorn serves pages and static files with security headers."""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)


def production_env(**overrides) -> dict:
    env = {
        **os.environ,
        "DEBUG": "false",
        "HTTPS": "true",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "registry.example.org",
        # set by the browser tests for Playwright; a deployment has no such thing
        "DJANGO_ALLOW_ASYNC_UNSAFE": None,
    }
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE, env=env, capture_output=True, text=True, check=False
    )


def test_the_deploy_checks_find_nothing_in_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("missing", "message"), [("SECRET_KEY", "SECRET_KEY is not set"), ("ALLOWED_HOSTS", "ALLOWED_HOSTS is not set")]
)
def test_production_refuses_to_start_without(missing, message):
    env = production_env()
    env.pop(missing)
    result = manage("check", env=env)
    assert result.returncode != 0
    assert message in result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_serves_pages_and_static_files_with_security_headers(tmp_path):
    # Production's manifest storage refuses what development's does not (a missing file a
    # stylesheet or script refers to): collect with it, as make serve does (without WhiteNoise's
    # compression, which takes half a minute and checks nothing more).
    env = production_env(
        HTTPS="false",
        ALLOWED_HOSTS="127.0.0.1",
        STATIC_ROOT=str(tmp_path),
        STATIC_FILES_STORAGE="django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
    )
    collected = manage("collectstatic", "--noinput", "--verbosity", "0", env=env)
    assert collected.returncode == 0, collected.stderr
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "jwcu.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=BASE,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        page = None
        for _attempt in range(100):
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in/", timeout=5)
                break
            except OSError:
                time.sleep(0.2)
        assert page is not None, server.stderr.read1().decode() if server.poll() is not None else "no answer"
        assert page.status == 200
        assert page.headers["X-Frame-Options"] == "DENY"
        assert page.headers["X-Content-Type-Options"] == "nosniff"
        manifest = json.loads((tmp_path / "staticfiles.json").read_text())
        stylesheet = manifest["paths"]["css/registry.css"]
        static = urllib.request.urlopen(f"http://127.0.0.1:{port}/static/{stylesheet}", timeout=5)
        assert static.status == 200
        assert "max-age" in static.headers["Cache-Control"]
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stderr.close()
