"""Browser tests drive Debian's Chromium through Playwright (browsers cannot be downloaded
here). Without Chromium they are skipped, except under CI, where they must run."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
HOW_TO_INSTALL = "apt-get install -y chromium fonts-noto-cjk (Debian/Ubuntu), or set CHROMIUM_PATH"


def _chromium_missing() -> str | None:
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        return f"Chromium not found at {CHROMIUM}: {HOW_TO_INSTALL}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed: pip install -r requirements.txt"
    return None


@pytest.fixture(scope="session")
def browser():
    problem = _chromium_missing()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"Browser tests must run under CI. {problem}")
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself (factories, assertions) are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def task_worker(live_server, settings, transactional_db):
    """A worker process (``manage.py db_worker``) on the test database, as served: the tasks the
    pages enqueue are queued in the database and run there."""
    import subprocess
    import sys

    from django.db import connection

    from jwcu.embedded_db import database_url

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jwcu.settings",  # the registry's own queue, not the tests' immediate one
        "DATABASE_URL": database_url(connection.settings_dict),
        "DEBUG": "false",
    }
    manage_py = Path(settings.BASE_DIR) / "manage.py"
    worker = subprocess.Popen(
        [sys.executable, str(manage_py), "db_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload"],
        env=environment,
    )
    yield worker
    worker.terminate()
    worker.wait(10)
