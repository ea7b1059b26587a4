import contextlib
import io

import pytest
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import clear_url_caches
from django.utils import translation


@receiver(setting_changed)
def _forget_urls_of_another_default_language(*, setting, **kwargs):
    """The URL resolver keeps each language's reversed URLs, the default language's without its
    prefix: a test that changes LANGUAGE_CODE must not leave them to the next test (which would
    then reverse /members/ where it resolves /en/members/, depending on the order tests run in)."""
    if setting == "LANGUAGE_CODE":
        clear_url_caches()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _static_files_without_manifest(settings):
    """Pages render without a prior collectstatic (production uses the hashed manifest)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@contextlib.contextmanager
def demo_union_loaded(django_db_blocker):
    """``load_demo`` for a module's tests, inside a transaction rolled back at the end; yields
    its output. The rollup's deferred work is done at once: else each test's teardown, which
    checks deferred constraints inside the test's savepoint, would redo it (its events are
    marked not done again when the savepoint rolls back), some seconds per test."""
    from django.core.management import call_command
    from django.db import connection, transaction

    with django_db_blocker.unblock(), transaction.atomic():
        output = io.StringIO()
        call_command("load_demo", stdout=output)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        yield output.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def queued_tasks(settings):
    """Background tasks are queued in the database, as in production, and wait for a worker
    (``run_worker()`` below) instead of running at once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def run_worker(queued_tasks, monkeypatch):
    """run_worker(): a worker (``manage.py db_worker``) runs every task ready now, then stops.
    Within a test's transaction the worker must not close the connection as stale, as it
    does between tasks when served."""
    from django.core.management import call_command
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run():
        call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay", "--no-reload", verbosity=0)

    return run


@pytest.fixture
def english():
    """Messages asserted word for word are the English ones."""
    with translation.override("en"):
        yield


# The REST API: clients holding a token, whose every response is checked against the schema.


@pytest.fixture(scope="session")
def openapi_schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.fixture(scope="session")
def openapi(openapi_schema):
    """The schema, made strict: a field the schema does not document fails the response."""
    import copy

    from openapi_core import OpenAPI

    strict = copy.deepcopy(openapi_schema)
    for component in strict["components"]["schemas"].values():
        if "properties" in component:
            component["additionalProperties"] = False
    return OpenAPI.from_dict(strict)


class ApiCaller:
    """A test client with ``Authorization: Bearer`` whose responses must conform to the schema."""

    def __init__(self, openapi, token: str | None, client):
        from rest_framework.test import APIClient

        self.openapi, self.client = openapi, client
        self.http = APIClient()
        if token:
            self.http.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    def _checked(self, response):
        from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

        assert response.status_code != 500
        if response.status_code not in (304,) and response.get("Content-Type", "").startswith("application/json"):
            self.openapi.validate_response(DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(response))
        return response

    def get(self, path, params=None, **headers):
        return self._checked(self.http.get(path, params, **headers))

    def post(self, path, data=None, **headers):
        return self._checked(self.http.post(path, data, format="json", **headers))

    def patch(self, path, data=None, **headers):
        return self._checked(self.http.patch(path, data, format="json", **headers))


@pytest.fixture
def api(openapi, db):
    """api(union=…, society=…, head_office=…, can_write=…, sensitive=…) -> ApiCaller; api(None)
    calls without a token."""
    from jwcu.services import api_client_create

    def make(union=None, **scope):
        if union is None and not scope:
            return ApiCaller(openapi, None, None)
        client, token = api_client_create(name="Test office", union=union, **scope)
        return ApiCaller(openapi, token, client)

    return make


@pytest.fixture
def api_tree(db):
    """A union with two societies, two head offices of the first, a center under each, people
    (one with an inclusion record), a programme, a partner and annual figures; and a record of
    another union that no client of this one may see."""
    import datetime

    from tests import factories as f

    union = f.UnionFactory(code="tu")
    cwc = f.MemberSocietyFactory(union=union, code="t-cwc")
    local = f.MemberSocietyFactory(union=union, code="t-local", prefecture="27")
    east = f.HeadOfficeFactory(society=cwc, code="t-east")
    west = f.HeadOfficeFactory(society=cwc, code="t-west", region="kinki")
    care = f.BusinessLineFactory(code="t-care")
    center_east = f.BusinessCenterFactory(society=cwc, head_office=east, code="t-center-east", prefecture="12")
    center_west = f.BusinessCenterFactory(society=cwc, head_office=west, code="t-center-west", prefecture="29")
    center_east.business_lines.set([care])
    people = {
        "east": [
            f.WorkerMemberFactory(society=cwc, business_center=center_east, member_number=f"E{i}") for i in range(3)
        ],
        "west": [
            f.WorkerMemberFactory(society=cwc, business_center=center_west, member_number=f"W{i}") for i in range(3)
        ],
        "local": [f.WorkerMemberFactory(society=local, member_number=f"L{i}") for i in range(3)],
    }
    category = f.InclusionCategoryFactory(code="t-mental")
    f.MemberInclusionFactory(member=people["east"][0], category=category, since=datetime.date(2014, 1, 1))
    f.ProgrammeFactory(union=union, business_center=center_east, code="t-youth-station")
    f.PartnerFactory(union=union, code="t-ica")
    f.AnnualFiguresFactory(society=None, business_center=center_east, turnover_yen=1_000)
    f.AnnualFiguresFactory(society=local, turnover_yen=500)
    other = f.WorkerMemberFactory(member_number="X1")
    return {
        "union": union,
        "cwc": cwc,
        "local": local,
        "east": east,
        "west": west,
        "center_east": center_east,
        "center_west": center_west,
        "people": people,
        "category": category,
        "other_union_member": other,
    }


@pytest.fixture
def union_tree(db):
    """A union of two societies: society A with head offices H1 (center C1, member m1 holding an
    inclusion record) and H2 (center C2, member m2); society B (center CB, member mB); and a
    member of another union."""
    from tests import factories

    union = factories.UnionFactory(code="jwcu-test")
    society_a = factories.MemberSocietyFactory(union=union, code="society-a")
    society_b = factories.MemberSocietyFactory(union=union, code="society-b")
    h1 = factories.HeadOfficeFactory(society=society_a, code="h1")
    h2 = factories.HeadOfficeFactory(society=society_a, code="h2")
    c1 = factories.BusinessCenterFactory(society=society_a, head_office=h1, code="c1")
    c2 = factories.BusinessCenterFactory(society=society_a, head_office=h2, code="c2")
    cb = factories.BusinessCenterFactory(society=society_b, code="cb")
    m1 = factories.WorkerMemberFactory(
        society=society_a, business_center=c1, member_number="A1", family_name_kana="ヤマダ"
    )
    m2 = factories.WorkerMemberFactory(
        society=society_a,
        business_center=c2,
        member_number="A2",
        family_name_kana="タナカ",
        family_name="田中",
        family_name_latin="Tanaka",
    )
    mb = factories.WorkerMemberFactory(
        society=society_b,
        business_center=cb,
        member_number="B1",
        family_name_kana="スズキ",
        family_name="鈴木",
        family_name_latin="Suzuki",
    )
    other = factories.WorkerMemberFactory(member_number="X1")
    category = factories.InclusionCategoryFactory(code="mental-disability", name="Mental disability (test)")
    factories.MemberInclusionFactory(member=m1, category=category)
    return {
        "union": union, "society_a": society_a, "society_b": society_b, "h1": h1, "h2": h2,
        "c1": c1, "c2": c2, "cb": cb, "m1": m1, "m2": m2, "mb": mb, "other": other, "category": category,
    }  # fmt: skip


@pytest.fixture
def staff_client(union_tree, client):
    """A client signed in as a new user holding ``role`` (a jwcu.models.Role value) in the tree's
    union; ``society``/``head_office`` are keys of union_tree."""
    from django.contrib.auth.models import User

    from jwcu.models import RoleAssignment

    def make(role=None, *, society=None, head_office=None, sensitive=False, superuser=False):
        user = User.objects.create_user(f"user{User.objects.count()}", password="pass-word-123", is_superuser=superuser)
        if role:
            RoleAssignment.objects.create(
                user=user,
                role=role,
                union=union_tree["union"],
                society=union_tree[society] if society else None,
                head_office=union_tree[head_office] if head_office else None,
                sensitive=sensitive,
            )
        client.force_login(user)
        return client

    return make
