"""Loaded by pytest (``-p jwcu.pytest_plugin``) before pytest-django reads the settings:
the suite runs on DATABASE_URL if it is set, else on the embedded PostgreSQL."""

import os

from jwcu.embedded_db import use_embedded_database_if_unconfigured

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
use_embedded_database_if_unconfigured()
