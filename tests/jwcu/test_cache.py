"""With CACHE_URL pointing at Redis, every server process counts an API client's requests in one
place, so the throttle holds however many gunicorn workers serve."""

import os
import subprocess
import sys
import uuid

from django.conf import settings

REDIS_URL = "redis://127.0.0.1:6379/15"
READ_THE_COUNT = """
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "jwcu.settings"
import django
django.setup()
from django.core.cache import cache
print(cache.get(sys.argv[1]))
"""


def test_the_throttle_counts_are_shared_between_processes():
    from django.core.cache.backends.redis import RedisCache

    shared = RedisCache(REDIS_URL, {})
    key = f"throttle_api_client_{uuid.uuid4().hex}"
    shared.set(key, [1, 2, 3])
    env = {**os.environ, "CACHE_URL": REDIS_URL, "DEBUG": "true"}
    other_process = subprocess.run(
        [sys.executable, "-c", READ_THE_COUNT, key],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert other_process.stdout.strip() == "[1, 2, 3]", other_process.stderr
    shared.delete(key)


def test_without_a_cache_url_each_process_keeps_its_own():
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
