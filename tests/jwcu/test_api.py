"""The API's plumbing: tokens, errors, ETags, pagination, throttling, the schema."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from jwcu.api.auth import ClientRateThrottle
from jwcu.models import ApiClient
from jwcu.scope import Scope
from jwcu.services import api_client_revoke, api_token_hash
from tests.factories import UnionFactory, WorkerMemberFactory

pytestmark = pytest.mark.django_db


def test_token_is_stored_hashed_and_revocation_locks_the_client_out(api, api_tree):
    caller = api(api_tree["union"])
    token = caller.http._credentials["HTTP_AUTHORIZATION"].removeprefix("Bearer ")
    client = ApiClient.objects.get()
    assert token not in (client.token_hash, client.token_prefix)
    assert client.token_hash == api_token_hash(token)
    assert caller.get("/api/v1/societies/").status_code == 200
    assert ApiClient.objects.get().last_used_at is not None
    api_client_revoke(client)
    response = caller.get("/api/v1/societies/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer",
        "Bearer nonsense",
        "Basic dXNlcjpwYXNz",
        "Bearer 0123abcd.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "Bearer \x00",
    ],
)
def test_requests_without_a_valid_token_get_401_in_the_error_shape(api, api_tree, header):
    caller = api(None)
    if header:
        caller.http.credentials(HTTP_AUTHORIZATION=header)
    response = caller.get("/api/v1/members/")
    assert response.status_code == 401
    assert response.json()["errors"][0]["reason"]


def test_read_only_client_may_not_write(api, api_tree):
    caller = api(api_tree["union"])
    response = caller.post("/api/v1/members/", {"society": "t-cwc", "member_number": "N1"})
    assert response.status_code == 403
    assert not api_tree["cwc"].people.filter(member_number="N1").exists()


def test_throttled_client_gets_429_with_retry_after(api, api_tree, monkeypatch):
    monkeypatch.setattr(ClientRateThrottle, "THROTTLE_RATES", {"api_client": "2/min"})
    caller = api(api_tree["union"])
    assert [caller.get("/api/v1/unions/").status_code for _ in range(3)] == [200, 200, 429]
    response = caller.get("/api/v1/unions/")
    assert int(response["Retry-After"]) > 0
    # Another client is not held back by the first one's requests.
    assert api(api_tree["union"]).get("/api/v1/unions/").status_code == 200


def test_every_invalid_parameter_is_named_with_its_reason(api, api_tree):
    response = api(api_tree["union"]).get(
        "/api/v1/members/",
        {"as_of": "2015-02-30", "updated_since": "yesterday", "society": "no-such", "colour": "red", "ordering": "x"},
    )
    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"as_of", "updated_since", "society", "colour", "ordering"}


MALFORMED = [
    "/api/v1/members/?page_size=-1",
    "/api/v1/members/?page_size=99999999999999999999",
    "/api/v1/members/?cursor=%00%01",
    "/api/v1/members/?active_on=0000-00-00",
    "/api/v1/members/?as_of=99999-01-01",
    "/api/v1/members/?updated_since=2015-01-01T25:00:00",
    "/api/v1/members/?society=%00",
    "/api/v1/members/?prefecture=99",
    "/api/v1/business-centers/?featured=maybe",
    "/api/v1/annual-figures/?fiscal_year=1e999",
    "/api/v1/annual-figures/?fiscal_year=99999999999999999999",
    "/api/v1/stats/membership/?as_of=",
    "/api/v1/stats/turnover/?fiscal_year=abc",
    "/api/v1/stats/turnover/?fiscal_year=2015&prefecture=00",
    "/api/v1/stats/inclusion/?as_of=2015-03-31&group_by=%00",
    # offsets PostgreSQL does not take, years out of range once in UTC
    "/api/v1/members/?updated_since=6571-03-16T00:56:02%2B20:54",
    "/api/v1/annual-figures/?updated_since=0001-01-01T00:00:00%2B23:59",
    # a blank value is not "no filter": the client meant one and would get its whole scope
    "/api/v1/stats/membership/?as_of=2015-03-31&society=",
    "/api/v1/societies/?ilo_type=",
    "/api/v1/members/?q=%20",
]


@pytest.mark.parametrize("path", MALFORMED)
def test_malformed_input_is_a_400_never_a_500(api, api_tree, path):
    response = api(api_tree["union"], sensitive=True).get(path)
    assert response.status_code == 400
    assert all(error["field"] for error in response.json()["errors"])


def test_malformed_writes_are_400s(api, api_tree):
    caller = api(api_tree["union"], can_write=True)
    for body in [{}, {"society": ["t-cwc"]}, {"society": "t-cwc", "member_number": "N", "birth_date": "1970-13-01"}]:
        response = caller.post("/api/v1/members/", body)
        assert response.status_code == 400, body
    response = caller.http.post("/api/v1/members/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"]


def test_bodies_other_than_json_are_refused_with_415(api, api_tree):
    caller = api(api_tree["union"], can_write=True)
    response = caller.http.post("/api/v1/members/", {"society": "t-cwc", "member_number": "N1"}, format="multipart")
    assert response.status_code == 415
    assert response.json()["errors"][0]["field"] is None
    assert not api_tree["cwc"].people.filter(member_number="N1").exists()


def test_etag_and_if_none_match(api, api_tree):
    caller = api(api_tree["union"])
    first = caller.get("/api/v1/members/t-cwc/E1/")
    assert first["ETag"]
    not_modified = caller.get("/api/v1/members/t-cwc/E1/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304
    assert not_modified["ETag"] == first["ETag"]
    assert "Authorization" in not_modified["Vary"]
    listed = caller.get("/api/v1/members/")
    assert caller.get("/api/v1/members/", HTTP_IF_NONE_MATCH=listed["ETag"]).status_code == 304
    member = api_tree["people"]["east"][1]
    member.weekly_hours = 20
    member.save()
    assert caller.get("/api/v1/members/t-cwc/E1/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
    assert caller.get("/api/v1/members/", HTTP_IF_NONE_MATCH=listed["ETag"]).status_code == 200


def test_writes_need_if_match_and_a_stale_one_changes_nothing(api, api_tree):
    caller = api(api_tree["union"], can_write=True)
    etag = caller.get("/api/v1/members/t-cwc/E1/")["ETag"]
    assert caller.patch("/api/v1/members/t-cwc/E1/", {"weekly_hours": 30}).status_code == 428
    someone_else = api_tree["people"]["east"][1]
    someone_else.given_name = "Changed elsewhere"
    someone_else.save()
    response = caller.patch("/api/v1/members/t-cwc/E1/", {"weekly_hours": 30}, HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    someone_else.refresh_from_db()
    assert someone_else.weekly_hours is None
    fresh = caller.get("/api/v1/members/t-cwc/E1/")["ETag"]
    response = caller.patch("/api/v1/members/t-cwc/E1/", {"weekly_hours": 30}, HTTP_IF_MATCH=fresh)
    assert response.status_code == 200
    assert response.json()["weekly_hours"] == 30
    assert response["ETag"] != fresh


def test_keyset_pages_stay_correct_while_records_change(api, api_tree):
    caller = api(api_tree["union"])
    first = caller.get("/api/v1/members/", {"ordering": "updated_at", "page_size": 4}).json()
    seen = [m["member_number"] for m in first["results"]]
    # A record already served changes, and a new one arrives, before the next page is read.
    early = api_tree["people"]["east"][0]
    early.weekly_hours = 10
    early.save()
    WorkerMemberFactory(society=api_tree["cwc"], member_number="NEW")
    url = first["next"]
    while url:
        page = caller.get(url).json()
        seen += [m["member_number"] for m in page["results"]]
        url = page["next"]
    everyone = {m.member_number for m in api_tree["cwc"].people.all()} | {
        m.member_number for m in api_tree["local"].people.all()
    }
    assert set(seen) == everyone
    assert seen[-2:] == [early.member_number, "NEW"]


def test_cursor_of_another_ordering_is_refused(api, api_tree):
    caller = api(api_tree["union"])
    next_url = caller.get("/api/v1/members/", {"page_size": 2}).json()["next"]
    cursor = next_url.split("cursor=")[1]
    response = caller.get(f"/api/v1/members/?ordering=updated_at&cursor={cursor}")
    assert response.status_code == 400


def test_schema_validates_and_docs_are_served_locally(client):
    from openapi_spec_validator import validate

    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    validate(schema.json())
    paths = schema.json()["paths"]
    assert {"/api/v1/members/", "/api/v1/stats/inclusion/", "/api/v1/business-centers/{code}/close/"} <= set(paths)
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()
    assert b"/static/drf_spectacular_sidecar/" in docs.content


def test_create_api_client_command_prints_the_token_once(api_tree, capsys):
    call_command("create_api_client", "Kanto office", "--scope", "head-office:t-east", "--write")
    token = capsys.readouterr().out.strip()
    client = ApiClient.objects.get(name="Kanto office")
    assert client.token_hash == api_token_hash(token)
    assert (client.head_office, client.can_write, client.sensitive) == (api_tree["east"], True, False)
    assert Scope.for_client(client).society_id == api_tree["cwc"].pk


def test_create_api_client_command_refuses_unknown_scopes(api_tree):
    from django.core.management.base import CommandError

    for scope in ["society:nope", "region:kanto", "head-office:"]:
        with pytest.raises(CommandError):
            call_command("create_api_client", "X", "--scope", scope)
    assert not ApiClient.objects.exists()


def test_list_query_count_does_not_grow_with_the_page(api, api_tree, django_assert_num_queries):
    caller = api(api_tree["union"], sensitive=True)
    caller.get("/api/v1/unions/")  # last_used_at is then fresh: no query
    for n in range(10):
        WorkerMemberFactory(society=api_tree["cwc"], business_center=api_tree["center_east"], member_number=f"Q{n}")
    # token, members, their inclusions
    with django_assert_num_queries(3):
        small = caller.get("/api/v1/members/", {"page_size": 3})
    with django_assert_num_queries(3):
        large = caller.get("/api/v1/members/", {"page_size": 50})
    assert (len(small.json()["results"]), len(large.json()["results"])) == (3, 19)
    # token, code of the filter, centers, their business lines
    with django_assert_num_queries(4):
        caller.get("/api/v1/business-centers/", {"society": "t-cwc"})
    # token, members as recorded that day, their inclusions held that day
    with django_assert_num_queries(3):
        as_of = caller.get("/api/v1/members/", {"as_of": timezone.localdate().isoformat(), "page_size": 50})
    assert len(as_of.json()["results"]) == 19


def test_last_used_is_written_at_most_once_a_minute(api, api_tree):
    caller = api(api_tree["union"])
    caller.get("/api/v1/unions/")
    used = ApiClient.objects.get().last_used_at
    caller.get("/api/v1/unions/")
    assert ApiClient.objects.get().last_used_at == used
    ApiClient.objects.update(last_used_at=used - datetime.timedelta(minutes=2))
    caller.get("/api/v1/unions/")
    assert ApiClient.objects.get().last_used_at > used


ODD_VALUES = ["\x00", "0001-01-01", "9999-12-31", "-1", "1e999", "x" * 300]
VALID_STATISTICS = {"as_of": "2015-03-31", "group_by": "society", "fiscal_year": "2015"}


def test_no_value_of_any_documented_parameter_produces_a_500(api, api_tree, openapi_schema):
    """Every query parameter the schema documents, on every list and statistic, with odd values."""
    caller = api(api_tree["union"], sensitive=True)
    for path, operations in openapi_schema["paths"].items():
        if "{" in path or "get" not in operations:
            continue
        names = [p["name"] for p in operations["get"].get("parameters", []) if p["in"] == "query"]
        valid = {name: value for name, value in VALID_STATISTICS.items() if "/stats/" in path and name in names}
        for name in names:
            for value in ODD_VALUES:
                response = caller.get(path, valid | {name: value})
                assert response.status_code in (200, 400), (path, name, value, response.content[:300])


LISTS = [
    "unions",
    "societies",
    "head-offices",
    "business-centers",
    "business-lines",
    "programmes",
    "partners",
    "members",
    "annual-figures",
]


@pytest.mark.parametrize("resource", LISTS)
@pytest.mark.parametrize("as_of", [None, "2015-03-31"])
def test_every_list_runs_the_same_queries_for_one_row_as_for_many(api, api_tree, resource, as_of):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests import factories as f

    union, cwc = api_tree["union"], api_tree["cwc"]
    for n in range(3):
        UnionFactory()
        f.MemberSocietyFactory(union=union)
        f.HeadOfficeFactory(society=cwc)
        center = f.BusinessCenterFactory(society=cwc, head_office=api_tree["east"], code=f"t-more-{n}")
        center.business_lines.set([f.BusinessLineFactory(code=f"t-line-{n}")])
        f.ProgrammeFactory(union=union, business_center=center)
        f.PartnerFactory(union=union)
        f.AnnualFiguresFactory(society=None, business_center=center)
    caller = api(union, sensitive=True)
    caller.get("/api/v1/unions/")
    params = {"as_of": as_of} if as_of else {}
    counts = []
    for page_size in (1, 100):
        with CaptureQueriesContext(connection) as queries:
            response = caller.get(f"/api/v1/{resource}/", params | {"page_size": page_size})
        assert response.status_code == 200
        counts.append((len(queries), len(response.json()["results"])))
    (few_queries, few_rows), (many_queries, many_rows) = counts
    assert few_rows == 1
    assert many_rows >= 3 or resource == "unions"
    assert few_queries == many_queries


def test_a_concurrent_duplicate_is_a_conflict_not_a_500(api, api_tree, monkeypatch):
    from members import services

    def create_twice(**fields):
        WorkerMemberFactory(society=fields["society"], member_number=fields["member_number"])
        return WorkerMemberFactory._meta.model.objects.create(**fields)

    monkeypatch.setattr(services, "member_create", create_twice)
    body = {"society": "t-local", "member_number": "RACE", "family_name": "A", "given_name": "B"}
    response = api(api_tree["union"], can_write=True).post(
        "/api/v1/members/", body | {"birth_date": "1980-01-01", "joined_on": "2016-04-01"}
    )
    assert response.status_code == 409
    assert not api_tree["local"].people.filter(member_number="RACE").exists()


def test_an_address_under_api_that_matches_nothing_answers_json_404(api, api_tree):
    from rest_framework.test import APIClient

    http = APIClient(enforce_csrf_checks=True)  # as a real client meets the CSRF middleware
    for method, path in (
        ("get", "/api/v1/annual-figures/%C2%84/0/0000/"),
        ("patch", "/api/v1/annual-figures/%C2%84/0/0000/"),
        ("get", "/api/v1/members/%C2%AAt/z/"),
        ("get", "/api/v2/"),
    ):
        response = getattr(http, method)(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        [error] = response.json()["errors"]
        assert error["field"] is None
        assert error["reason"]


def test_the_api_s_404_speaks_the_registry_s_language(api_tree, settings):
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v2/").json()["errors"][0]["reason"] == "見つかりません。"
    settings.LANGUAGE_CODE = "en"
    assert APIClient().get("/api/v2/").json()["errors"][0]["reason"] == "Not found."
