"""Reads of the dashboards, the statistics and the API from a streaming replica of PostgreSQL
(``DATABASE_REPLICA_URL``, the database alias "replica"); everything else on the primary.

A read goes to the replica only while a GET (or HEAD) of the dashboards or the API is being
answered, and only until something is written: the request is then pinned to the primary, and
so is everything else written or read

- inside a transaction (``transaction.atomic``: what a service reads before it writes),
- about identity and permission (users, sessions, roles, API clients, sign-in lockouts): a
  revoked token or role takes effect at once, whatever the replica's lag,
- by unsafe requests (POST, PATCH…) and by the requests of the same browser (a cookie) or API
  client (a cache entry keyed by its token) for ``PIN_SECONDS`` after they wrote, so that the
  page a form redirects to, or the record a client reads back, is never older than its own
  write.

Without ``DATABASE_REPLICA_URL`` neither this router nor its middleware is installed.
"""

import contextvars
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections

PRIMARY = DEFAULT_DB_ALIAS
REPLICA = "replica"
# Longer than the replication lag the registry tolerates: the primary serves a browser or client
# this long after it wrote.
PIN_SECONDS = 10
PIN_COOKIE = "jwcu_primary"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
REPLICA_PATHS = ("dashboards", "api")
PRIMARY_ONLY_APPS = {"auth", "sessions", "contenttypes", "admin", "axes"}
PRIMARY_ONLY_MODELS = {"jwcu.apiclient", "jwcu.roleassignment"}


@dataclass
class RequestRouting:
    replica: bool  # this request's reads may go to the replica
    wrote: bool = False


_routing: contextvars.ContextVar[RequestRouting | None] = contextvars.ContextVar("db_routing", default=None)


def primary_only(model) -> bool:
    return model._meta.app_label in PRIMARY_ONLY_APPS or model._meta.label_lower in PRIMARY_ONLY_MODELS


def _in_transaction() -> bool:
    """In an atomic block of the registry's own (a test case's enclosing one does not count)."""
    return any(not block._from_testcase for block in connections[PRIMARY].atomic_blocks)


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        routing = _routing.get()
        if routing is None or not routing.replica or routing.wrote or primary_only(model) or _in_transaction():
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        routing = _routing.get()
        if routing is not None and not primary_only(model):
            routing.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's rows: a record read from one may point at one from the other.
        return {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}

    def allow_migrate(self, db, app_label, **hints):
        return db == PRIMARY


def _replica_path(path: str) -> bool:
    parts = path.strip("/").split("/")
    if parts and parts[0] in {"ja", "en"}:
        parts = parts[1:]
    return bool(parts) and parts[0] in REPLICA_PATHS


def _client_pin_key(request) -> str | None:
    header = request.headers.get("Authorization")
    if not header:
        return None
    return "db-pin:" + hashlib.sha256(header.encode()).hexdigest()[:32]


class ReplicaRoutingMiddleware:
    """Decides, per request, whether its reads may go to the replica, and pins the browser or API
    client to the primary for ``PIN_SECONDS`` after a request that wrote or might have."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):

        client_key = _client_pin_key(request)
        replica = (
            request.method in SAFE_METHODS
            and _replica_path(request.path_info)
            and PIN_COOKIE not in request.COOKIES
            and not (client_key and cache.get(client_key))
        )
        routing = RequestRouting(replica=replica)
        token = _routing.set(routing)
        try:
            response = self.get_response(request)
        finally:
            _routing.reset(token)
        if request.method not in SAFE_METHODS or routing.wrote:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
            if client_key:
                cache.set(client_key, True, PIN_SECONDS)
        return response
