"""The read replica (DATABASE_REPLICA_URL): the dashboards', statistics' and API's reads go to it;
writes, reads in a transaction, identity and permissions, and whatever follows a write of the
same browser or API client go to the primary. The suite's "replica" is Django's test mirror of
the default database (tests/settings.py): a second connection to the same data."""

import os
import subprocess
import sys

import pytest
from django.contrib.auth.models import User
from django.db import connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from jwcu.db_router import PIN_COOKIE, PrimaryReplicaRouter, ReplicaRoutingMiddleware
from jwcu.models import ApiClient, RoleAssignment
from jwcu.services import api_client_create
from members.models import WorkerMember
from tests.factories import BusinessCenterFactory, WorkerMemberFactory

ROUTER = "jwcu.db_router.PrimaryReplicaRouter"
MIDDLEWARE = "jwcu.db_router.ReplicaRoutingMiddleware"

SHOW_SETTINGS = """
import jwcu.settings as s
routing = "jwcu.db_router.ReplicaRoutingMiddleware" in s.MIDDLEWARE
print(sorted(s.DATABASES), getattr(s, "DATABASE_ROUTERS", []), routing)
"""


def settings_with(**env) -> str:
    variables = {**os.environ, "DEBUG": "true", **env}
    variables = {name: value for name, value in variables.items() if value is not None}
    shown = subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS], env=variables, capture_output=True, text=True, check=True
    )
    return shown.stdout.strip()


def test_the_replica_is_configured_by_its_url_only():
    primary = "postgres://postgres@127.0.0.1:5432/jwcu"
    assert settings_with(DATABASE_URL=primary, DATABASE_REPLICA_URL=None) == "['default'] [] False"
    replica = settings_with(DATABASE_URL=primary, DATABASE_REPLICA_URL="postgres://reader@replica.example.org/jwcu")
    assert replica == f"['default', 'replica'] ['{ROUTER}'] True"


def routed(method="get", path="/dashboards/", *, cookies=None, during=None):
    """Where the router sends reads of members, users and API clients while ``method path`` is
    answered, after ``during()`` (if given) ran in the request; and the response."""
    router = PrimaryReplicaRouter()
    decisions = {}

    def view(request):
        if during is not None:
            during(router)
        decisions.update(
            member=router.db_for_read(WorkerMember),
            user=router.db_for_read(User),
            client=router.db_for_read(ApiClient),
        )
        return HttpResponse()

    request = getattr(RequestFactory(), method)(path)
    request.COOKIES.update(cookies or {})
    response = ReplicaRoutingMiddleware(view)(request)
    return decisions, response


def test_reads_of_dashboards_and_api_go_to_the_replica_but_identity_and_permissions_do_not():
    for path in ("/dashboards/", "/en/dashboards/membership/", "/api/v1/members/", "/api/v1/stats/membership/"):
        decisions, response = routed("get", path)
        assert decisions == {"member": "replica", "user": "default", "client": "default"}, path
        assert PIN_COOKIE not in response.cookies


def test_other_pages_and_work_outside_requests_read_the_primary():
    assert routed("get", "/members/")[0]["member"] == "default"
    assert routed("get", "/admin/members/workermember/")[0]["member"] == "default"
    assert PrimaryReplicaRouter().db_for_read(WorkerMember) == "default"  # commands, services


def test_writes_go_to_the_primary_and_pin_what_follows():
    def write(router):
        assert router.db_for_write(WorkerMember) == "default"

    decisions, response = routed("get", "/dashboards/annual-report/", during=write)
    assert decisions["member"] == "default"
    assert response.cookies[PIN_COOKIE]["max-age"] == 10


def test_bookkeeping_writes_of_api_clients_do_not_pin():
    def stamp_last_use(router):
        router.db_for_write(ApiClient)

    decisions, response = routed("get", "/api/v1/members/", during=stamp_last_use)
    assert decisions["member"] == "replica"
    assert PIN_COOKIE not in response.cookies


@pytest.mark.parametrize("method", ["post", "patch", "put", "delete"])
def test_unsafe_requests_read_the_primary_and_pin_the_browser(method):
    decisions, response = routed(method, "/api/v1/members/")
    assert decisions["member"] == "default"
    assert PIN_COOKIE in response.cookies


def test_a_browser_pinned_after_a_post_reads_the_primary():
    assert routed("get", "/dashboards/", cookies={PIN_COOKIE: "1"})[0]["member"] == "default"


@pytest.mark.django_db
def test_reads_inside_a_transaction_go_to_the_primary():
    def in_transaction(router):
        with transaction.atomic():
            assert router.db_for_read(WorkerMember) == "default"
        assert router.db_for_read(WorkerMember) == "replica"

    routed("get", "/api/v1/members/", during=in_transaction)


def test_migrations_run_on_the_primary_only():
    router = PrimaryReplicaRouter()
    assert router.allow_migrate("default", "members")
    assert not router.allow_migrate("replica", "members")


# Through the whole stack: a second connection, committed data.


@pytest.fixture
def with_replica(settings):
    settings.DATABASE_ROUTERS = [ROUTER]
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(middleware.index("django.contrib.sessions.middleware.SessionMiddleware"), MIDDLEWARE)
    settings.MIDDLEWARE = middleware


def registry_queries(captured: CaptureQueriesContext) -> int:
    """Queries of the registry's records and figures (not of users, sessions, roles or clients)."""
    tables = ('"members_', '"businesses_', '"reports_')
    return sum(any(table in query["sql"] for table in tables) for query in captured.captured_queries)


def queries_on_both():
    return CaptureQueriesContext(connections["default"]), CaptureQueriesContext(connections["replica"])


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_dashboards_and_api_read_the_replica_until_the_browser_or_client_writes(client, with_replica):
    center = BusinessCenterFactory(code="r-center")
    member = WorkerMemberFactory(society=center.society, business_center=center, member_number="R1")
    union = center.society.union
    user = User.objects.create_user("r-admin", password="x")
    RoleAssignment.objects.create(user=user, role="union_admin", union=union, sensitive=True)
    client.force_login(user)

    primary, replica = queries_on_both()
    with primary, replica:
        assert client.get("/dashboards/?fiscal_year=2015").status_code == 200
    assert registry_queries(replica) > 0
    assert registry_queries(primary) == 0
    assert any('"auth_user"' in query["sql"] for query in primary.captured_queries)

    edit = f"/members/{member.society.code}/R1/edit/"
    form = client.get(edit).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(version=member.version, given_name="Hanako")
    saved = client.post(edit, data)
    assert saved.status_code == 302, saved.context["form"].errors if saved.context else saved
    assert PIN_COOKIE in saved.cookies
    primary, replica = queries_on_both()
    with primary, replica:
        assert client.get("/dashboards/?fiscal_year=2015").status_code == 200
    assert replica.captured_queries == []
    assert registry_queries(primary) > 0

    _reader, reader_token = api_client_create(name="Reader", union=union)
    _writer, writer_token = api_client_create(name="Writer", union=union, can_write=True)
    url = f"/api/v1/members/{member.society.code}/R1/"
    client.cookies.clear()  # API clients keep no cookies: they are pinned by their token
    primary, replica = queries_on_both()
    with primary, replica:
        read = client.get(url, HTTP_AUTHORIZATION=f"Bearer {writer_token}")
    assert read.status_code == 200
    assert read.json()["given_name"] == "Hanako"
    assert registry_queries(replica) > 0

    patched = client.patch(
        url,
        {"given_name_latin": "Hanako"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {writer_token}",
        HTTP_IF_MATCH=read["ETag"],
    )
    assert patched.status_code == 200
    for token, reads_replica in ((writer_token, False), (reader_token, True)):
        client.cookies.clear()
        primary, replica = queries_on_both()
        with primary, replica:
            assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").json()["given_name_latin"] == "Hanako"
        assert (registry_queries(replica) > 0) is reads_replica
