"""API writes of societies, head offices, programmes and partners: the same write primitives as
the staff pages, If-Match, scope, and history channel "api"."""

from businesses.models import HeadOffice, Programme
from members.models import MemberSociety, Partner

SOCIETY = {
    "union": "tu",
    "code": "wc-nagano",
    "name": "Workers' Co-op Nagano",
    "kind": "local_worker_coop",
    "legal_form": "worker_coop",
    "ilo_type": "worker",
    "prefecture": "20",
    "joined_union_on": "2020-04-01",
}


def test_a_union_wide_client_creates_and_changes_a_society(api, api_tree):
    caller = api(api_tree["union"], can_write=True)
    created = caller.post("/api/v1/societies/", SOCIETY)
    assert created.status_code == 201
    assert created.json()["code"] == "wc-nagano"
    changed = caller.patch(
        "/api/v1/societies/wc-nagano/", {"name_ja": "ワーカーズコープながの"}, HTTP_IF_MATCH=created["ETag"]
    )
    assert changed.status_code == 200
    society = MemberSociety.objects.get(code="wc-nagano")
    assert (society.name_ja, society.version) == ("ワーカーズコープながの", 2)
    assert [h.history_channel for h in society.history.all()] == ["api", "api"]
    stale = caller.patch("/api/v1/societies/wc-nagano/", {"notes": "late"}, HTTP_IF_MATCH=created["ETag"])
    assert stale.status_code == 412
    assert MemberSociety.objects.get(code="wc-nagano").notes == ""


def test_the_union_and_code_of_a_society_do_not_change(api, api_tree):
    caller = api(api_tree["union"], can_write=True)
    etag = caller.get("/api/v1/societies/t-local/")["ETag"]
    response = caller.patch("/api/v1/societies/t-local/", {"code": "renamed"}, HTTP_IF_MATCH=etag)
    assert (response.status_code, response.json()["errors"][0]["field"]) == (400, "code")


def test_societies_and_partners_are_written_only_by_union_wide_clients(api, api_tree):
    caller = api(api_tree["union"], society=api_tree["cwc"], can_write=True)
    assert caller.post("/api/v1/societies/", SOCIETY).status_code == 403
    partner = {"union": "tu", "code": "t-gsef", "name": "GSEF", "relation": "partnership", "level": "global"}
    assert caller.post("/api/v1/partners/", partner).status_code == 403
    assert not Partner.objects.filter(code="t-gsef").exists()
    assert api(api_tree["union"], can_write=True).post("/api/v1/partners/", partner).status_code == 201


def test_a_society_client_writes_head_offices_of_its_society_only(api, api_tree):
    caller = api(api_tree["union"], society=api_tree["cwc"], can_write=True)
    office = {"society": "t-cwc", "code": "t-north", "name": "North", "region": "tohoku", "opened_on": "2016-04-01"}
    assert caller.post("/api/v1/head-offices/", office).status_code == 201
    elsewhere = {**office, "society": "t-local", "code": "t-south"}
    response = caller.post("/api/v1/head-offices/", elsewhere)
    assert (response.status_code, response.json()["errors"][0]["field"]) == (400, "society")
    assert not HeadOffice.objects.filter(code="t-south").exists()


def test_a_programme_is_created_and_corrected(api, api_tree):
    caller = api(api_tree["union"], can_write=True)
    body = {
        "union": "tu",
        "business_center": "t-center-east",
        "code": "t-isn",
        "name": "Independence support",
        "kind": "independence_support",
        "funder": "municipality",
        "started_on": "2015-04-01",
    }
    created = caller.post("/api/v1/programmes/", body)
    assert created.status_code == 201
    bad = caller.patch("/api/v1/programmes/t-isn/", {"ended_on": "2015-03-31"}, HTTP_IF_MATCH=created["ETag"])
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (400, "ended_on")
    assert Programme.objects.get(code="t-isn").ended_on is None


def test_a_read_only_client_writes_nothing(api, api_tree):
    caller = api(api_tree["union"])
    assert caller.post("/api/v1/societies/", SOCIETY).status_code == 403
    assert not MemberSociety.objects.filter(code="wc-nagano").exists()
