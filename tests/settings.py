"""Settings of the test suite: the registry's own, plus the read replica's alias as a test mirror
of the default database. No router sends anything there except in the tests of the replica
(tests/jwcu/test_replica.py), which install it; the rest of the suite runs on the primary alone,
whatever DATABASE_REPLICA_URL says."""

import pathlib

from jwcu.settings import *  # noqa: F403
from jwcu.settings import DATABASES, MIDDLEWARE, STATIC_ROOT

DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = []
MIDDLEWARE = [name for name in MIDDLEWARE if name != "jwcu.db_router.ReplicaRoutingMiddleware"]

# Background tasks run at once, inside the request or command that enqueues them: deterministic.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}

# WhiteNoise warns of a missing STATIC_ROOT (make test collects the static files first).
pathlib.Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
