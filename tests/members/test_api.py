"""API of unions, societies, members and partners: scopes, the sensitive flag, filters, as_of,
incremental sync and writes."""

import datetime

import pytest
from django.utils import timezone

from members.models import MemberSociety, WorkerMember
from members.services import member_leave
from tests.factories import PartnerFactory, UnionFactory

pytestmark = pytest.mark.django_db


def numbers(response):
    return {(m["society"], m["member_number"]) for m in response.json()["results"]}


def test_each_scope_sees_only_its_people(api, api_tree):
    union = api_tree["union"]
    everyone = numbers(api(union).get("/api/v1/members/"))
    assert len(everyone) == 9
    assert ("t-cwc", "E0") in everyone
    assert all(society != api_tree["other_union_member"].society.code for society, _ in everyone)
    in_society = numbers(api(union, society=api_tree["local"]).get("/api/v1/members/"))
    assert in_society == {("t-local", f"L{i}") for i in range(3)}
    in_head_office = numbers(api(union, head_office=api_tree["west"]).get("/api/v1/members/"))
    assert in_head_office == {("t-cwc", f"W{i}") for i in range(3)}


def test_records_outside_the_scope_do_not_exist(api, api_tree):
    caller = api(api_tree["union"], head_office=api_tree["west"])
    assert caller.get("/api/v1/members/t-cwc/W0/").status_code == 200
    assert caller.get("/api/v1/members/t-cwc/E0/").status_code == 404
    assert caller.get("/api/v1/members/t-local/L0/").status_code == 404
    other = api_tree["other_union_member"]
    assert api(api_tree["union"]).get(f"/api/v1/members/{other.society.code}/X1/").status_code == 404
    # A filter naming a record outside the scope is an unknown value, not a way to probe it.
    response = caller.get("/api/v1/members/", {"business_center": "t-center-east"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "business_center"


@pytest.mark.parametrize(
    ("resource", "visible_to_local", "hidden_from_local"),
    [
        ("unions", "tu", None),
        ("societies", "t-local", "t-cwc"),
        ("head-offices", None, "t-east"),
        ("business-centers", None, "t-center-east"),
        ("programmes", None, "t-youth-station"),
        ("partners", "t-ica", None),
        ("business-lines", "t-care", None),
    ],
)
def test_society_client_sees_only_its_part_of_every_resource(
    api, api_tree, resource, visible_to_local, hidden_from_local
):
    UnionFactory(code="other-union")
    PartnerFactory(code="other-partner")
    caller = api(api_tree["union"], society=api_tree["local"])
    codes = {record["code"] for record in caller.get(f"/api/v1/{resource}/").json()["results"]}
    assert not codes & {"other-union", "other-partner"}
    if visible_to_local:
        assert visible_to_local in codes
        assert caller.get(f"/api/v1/{resource}/{visible_to_local}/").status_code == 200
    if hidden_from_local:
        assert hidden_from_local not in codes
        assert caller.get(f"/api/v1/{resource}/{hidden_from_local}/").status_code == 404
        assert api(api_tree["union"]).get(f"/api/v1/{resource}/{hidden_from_local}/").status_code == 200


def test_annual_figures_follow_the_scope(api, api_tree):
    local = api(api_tree["union"], society=api_tree["local"])
    rows = local.get("/api/v1/annual-figures/").json()["results"]
    assert [(r["society"], r["business_center"], r["turnover_yen"]) for r in rows] == [("t-local", None, 500)]
    assert local.get("/api/v1/annual-figures/society/t-local/2015/").json()["turnover_yen"] == 500
    assert local.get("/api/v1/annual-figures/business-center/t-center-east/2015/").status_code == 404
    union = api(api_tree["union"])
    assert union.get("/api/v1/annual-figures/business-center/t-center-east/2015/").json()["turnover_yen"] == 1000


def test_inclusions_only_for_sensitive_clients(api, api_tree):
    plain = api(api_tree["union"]).get("/api/v1/members/t-cwc/E0/").json()
    assert "inclusions" not in plain
    assert all("inclusions" not in m for m in api(api_tree["union"]).get("/api/v1/members/").json()["results"])
    sensitive = api(api_tree["union"], sensitive=True).get("/api/v1/members/t-cwc/E0/").json()
    assert sensitive["inclusions"] == [
        {"category": "t-mental", "since": "2014-01-01", "ended_on": None, "certificate_held": False}
    ]


def test_inclusion_filter_exists_only_for_sensitive_clients(api, api_tree):
    assert api(api_tree["union"]).get("/api/v1/members/", {"inclusion_category": "t-mental"}).status_code == 400
    response = api(api_tree["union"], sensitive=True).get("/api/v1/members/", {"inclusion_category": "t-mental"})
    assert numbers(response) == {("t-cwc", "E0")}


def test_filters_of_the_browser_lists_apply(api, api_tree):
    caller = api(api_tree["union"])
    assert numbers(caller.get("/api/v1/members/", {"head_office": "t-west"})) == {("t-cwc", f"W{i}") for i in range(3)}
    assert numbers(caller.get("/api/v1/members/", {"prefecture": "12"})) == {("t-cwc", f"E{i}") for i in range(3)}
    assert numbers(caller.get("/api/v1/members/", {"business_line": "t-care", "q": "E1"})) == {("t-cwc", "E1")}
    societies = caller.get("/api/v1/societies/", {"prefecture": "27"}).json()["results"]
    assert [s["code"] for s in societies] == ["t-local"]


def test_as_of_gives_people_active_that_day_as_they_were_recorded(api, api_tree):
    caller = api(api_tree["union"])
    member = api_tree["people"]["east"][1]
    recorded = timezone.localdate()
    member.joined_on = datetime.date(2012, 4, 1)
    member.save()
    yesterday = (recorded - datetime.timedelta(days=1)).isoformat()
    # Before anything was recorded: the first recorded state of people active on 2011-01-01.
    early = caller.get("/api/v1/members/", {"as_of": "2011-01-01"}).json()["results"]
    assert ("t-cwc", "E1") not in {(m["society"], m["member_number"]) for m in early}
    then = caller.get("/api/v1/members/t-cwc/E1/", {"as_of": yesterday}).json()
    assert (then["joined_on"], then["version"]) == ("2010-04-01", 1)
    assert caller.get("/api/v1/members/t-cwc/E1/", {"as_of": recorded.isoformat()}).json()["version"] == 2
    assert caller.get("/api/v1/members/t-cwc/E1/", {"as_of": "2011-01-01"}).status_code == 404


def test_incremental_sync_returns_edits_and_leavings(api, api_tree):
    caller = api(api_tree["union"])
    synced_at = timezone.now()
    assert caller.get("/api/v1/members/", {"updated_since": synced_at.isoformat()}).json()["results"] == []
    edited, leaving = api_tree["people"]["east"][1], api_tree["people"]["local"][2]
    edited.weekly_hours = 32
    edited.save()
    member_leave(leaving, left_on=datetime.date(2016, 3, 31), reason="retirement")
    changes = caller.get("/api/v1/members/", {"updated_since": synced_at.isoformat(), "ordering": "updated_at"})
    rows = changes.json()["results"]
    assert [(r["member_number"], r["weekly_hours"], r["left_on"]) for r in rows] == [
        ("E1", 32.0, None),
        ("L2", None, "2016-03-31"),
    ]


def test_member_written_through_the_api_is_in_the_history_as_api(api, api_tree):
    caller = api(api_tree["union"], society=api_tree["local"], can_write=True)
    body = {
        "society": "t-local",
        "member_number": "L9",
        "family_name": "佐藤",
        "given_name": "一郎",
        "birth_date": "1980-01-01",
        "joined_on": "2016-04-01",
    }
    created = caller.post("/api/v1/members/", body)
    assert created.status_code == 201
    assert created["ETag"]
    member = WorkerMember.objects.get(society=api_tree["local"], member_number="L9")
    assert member.history.get().history_channel == "api"
    left = caller.post(
        "/api/v1/members/t-local/L9/leave/",
        {"left_on": "2017-03-31", "reason": "resignation"},
        HTTP_IF_MATCH=created["ETag"],
    )
    assert left.status_code == 200
    assert left.json()["left_on"] == "2017-03-31"
    assert [h.history_channel for h in member.history.all()] == ["api", "api"]


def test_writes_are_confined_to_the_scope(api, api_tree):
    caller = api(api_tree["union"], society=api_tree["local"], can_write=True)
    body = {"society": "t-cwc", "member_number": "Z1", "family_name": "A", "given_name": "B"}
    body |= {"birth_date": "1980-01-01", "joined_on": "2016-04-01"}
    response = caller.post("/api/v1/members/", body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "society"
    assert caller.patch("/api/v1/members/t-cwc/E0/", {"weekly_hours": 1}, HTTP_IF_MATCH="*").status_code == 404
    assert not WorkerMember.objects.filter(member_number="Z1").exists()


def test_duplicate_member_number_is_a_conflict(api, api_tree):
    caller = api(api_tree["union"], can_write=True)
    body = {"society": "t-local", "member_number": "L0", "family_name": "A", "given_name": "B"}
    body |= {"birth_date": "1980-01-01", "joined_on": "2016-04-01"}
    response = caller.post("/api/v1/members/", body)
    assert response.status_code == 409
    assert response.json()["errors"][0]["reason"]


def test_invalid_write_names_the_field_and_changes_nothing(api, api_tree):
    caller = api(api_tree["union"], can_write=True)
    etag = caller.get("/api/v1/members/t-cwc/E0/")["ETag"]
    response = caller.patch("/api/v1/members/t-cwc/E0/", {"business_center": "t-center-nowhere"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "business_center"
    response = caller.post(
        "/api/v1/members/t-cwc/E0/leave/", {"left_on": "2000-01-01", "reason": "other"}, HTTP_IF_MATCH=etag
    )
    assert response.status_code == 400  # before joining
    assert WorkerMember.objects.get(member_number="E0").version == 1


def test_society_leaves_the_union_through_the_api(api, api_tree):
    caller = api(api_tree["union"], can_write=True)
    etag = caller.get("/api/v1/societies/t-local/")["ETag"]
    response = caller.post("/api/v1/societies/t-local/leave/", {"left_on": "2020-03-31"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["left_union_on"] == "2020-03-31"
    active = caller.get("/api/v1/societies/", {"active_on": "2021-01-01"}).json()["results"]
    assert [s["code"] for s in active] == ["t-cwc"]


@pytest.mark.parametrize("narrower", ["society", "head_office"])
def test_a_client_scoped_below_the_union_cannot_take_a_society_out_of_it(api, api_tree, narrower):
    scope = {"society": api_tree["local"]} if narrower == "society" else {"head_office": api_tree["east"]}
    caller = api(api_tree["union"], can_write=True, **scope)
    code = "t-local" if narrower == "society" else "t-cwc"
    etag = caller.get(f"/api/v1/societies/{code}/")["ETag"]
    response = caller.post(f"/api/v1/societies/{code}/leave/", {"left_on": "2020-03-31"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 403
    assert "連合会全体" in response.json()["errors"][0]["reason"]  # only a union-wide client (in Japanese, the default)
    society = MemberSociety.objects.get(code=code)
    assert (society.left_union_on, society.version) == (None, 1)


def test_inclusions_as_of_a_day_are_those_begun_by_then(api, api_tree):
    caller = api(api_tree["union"], sensitive=True)
    before = caller.get("/api/v1/members/t-cwc/E0/", {"as_of": "2013-12-31"}).json()
    after = caller.get("/api/v1/members/", {"as_of": "2015-03-31", "q": "E0"}).json()["results"]
    assert before["inclusions"] == []
    assert [i["category"] for i in after[0]["inclusions"]] == ["t-mental"]
    assert "inclusions" not in api(api_tree["union"]).get("/api/v1/members/t-cwc/E0/", {"as_of": "2015-03-31"}).json()


def test_a_new_workplace_is_a_move_that_keeps_the_period(api, api_tree):
    caller = api(api_tree["union"], can_write=True)
    url = "/api/v1/members/t-cwc/E1/"
    etag = caller.get(url)["ETag"]
    refused = caller.patch(url, {"business_center": "t-center-west"}, HTTP_IF_MATCH=etag)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "business_center"
    unknown = caller.patch(url, {"nickname": "Hana"}, HTTP_IF_MATCH=etag)
    assert (unknown.status_code, unknown.json()["errors"][0]["field"]) == (400, "nickname")

    moved = caller.post(
        f"{url}move/", {"business_center": "t-center-west", "moved_on": "2016-04-01"}, HTTP_IF_MATCH=etag
    )
    assert moved.status_code == 200
    assert moved.json()["business_center"] == "t-center-west"
    member = api_tree["people"]["east"][1]
    periods = [
        (p.business_center.code, p.started_on.isoformat(), p.ended_on) for p in member.placements.order_by("started_on")
    ]
    assert periods[-1] == ("t-center-west", "2016-04-01", None)
    assert periods[0][0] == "t-center-east"
    assert member.history.latest("history_date").history_channel == "api"


def _scans_of(plan: dict, table: str) -> list[dict]:
    """The nodes of an EXPLAIN (FORMAT JSON) plan that read ``table``."""
    found = [plan] if plan.get("Relation Name") == table else []
    for child in plan.get("Plans", []):
        found += _scans_of(child, table)
    return found


@pytest.mark.parametrize(
    ("client_scope", "index"),
    [("union", "member_updated_keyset_idx"), ("society", "member_society_updated_idx")],
)
def test_a_sync_s_next_page_is_a_range_scan_of_the_keyset_index(api, api_tree, client_scope, index):
    """The cursor of the next page is an index condition, so that a page costs the same at the
    end of a sync as at its start (a filter would read every row before the cursor again)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    scope = {"society": api_tree["cwc"]} if client_scope == "society" else {}
    caller = api(api_tree["union"], **scope)
    first = caller.get("/api/v1/members/", {"ordering": "updated_at", "page_size": 2}).json()
    with CaptureQueriesContext(connection) as queries:
        assert caller.get(first["next"]).status_code == 200
    (page_query,) = [q["sql"] for q in queries if 'FROM "members_workermember"' in q["sql"]]
    with connection.cursor() as cursor:
        # A few rows, for which any plan is as good as another: with scans of the whole table,
        # bitmaps and sorts ruled out, the plan shows whether an index serves the page in its
        # order from the cursor on, as the planner chooses it for a large union.
        for method in ("seqscan", "bitmapscan", "sort"):
            cursor.execute(f"SET LOCAL enable_{method} = off")
        # Statistics of these rows, not of whatever an earlier run of the suite left in the table's.
        cursor.execute("ANALYZE members_workermember")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {page_query}")
        plan = cursor.fetchone()[0][0]["Plan"]
    (scan,) = _scans_of(plan, "members_workermember")
    assert (scan["Node Type"], scan["Index Name"]) == ("Index Scan", index)
    assert "ROW(updated_at, id) >=" in scan.get("Index Cond", "")
    assert "ROW" not in scan.get("Filter", "")
