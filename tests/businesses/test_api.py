"""API of head offices, business centers, programmes and annual figures: writes, closing,
incremental sync."""

import pytest
from django.utils import timezone

from businesses.models import BusinessCenter
from members.services import member_leave
from tests.factories import BusinessLineFactory

pytestmark = pytest.mark.django_db

NEW_CENTER = {
    "code": "t-new",
    "society": "t-cwc",
    "head_office": "t-west",
    "name": "New Center",
    "prefecture": "29",
    "opened_on": "2016-04-01",
    "business_lines": ["t-care"],
}


def test_center_created_changed_and_closed_through_the_api(api, api_tree):
    BusinessLineFactory(code="t-cleaning")
    caller = api(api_tree["union"], can_write=True)
    created = caller.post("/api/v1/business-centers/", NEW_CENTER)
    assert created.status_code == 201
    assert created.json()["business_lines"] == ["t-care"]
    changed = caller.patch(
        "/api/v1/business-centers/t-new/",
        {"municipality": "Nara City", "business_lines": ["t-care", "t-cleaning"]},
        HTTP_IF_MATCH=created["ETag"],
    )
    assert changed.status_code == 200
    assert (changed.json()["municipality"], sorted(changed.json()["business_lines"])) == (
        "Nara City",
        ["t-care", "t-cleaning"],
    )
    closed = caller.post(
        "/api/v1/business-centers/t-new/close/", {"closed_on": "2018-03-31"}, HTTP_IF_MATCH=changed["ETag"]
    )
    assert closed.status_code == 200
    center = BusinessCenter.objects.get(code="t-new")
    assert center.closed_on.isoformat() == "2018-03-31"
    assert {h.history_channel for h in center.history.all()} == {"api"}


def test_center_with_a_taken_code_is_a_conflict(api, api_tree):
    response = api(api_tree["union"], can_write=True).post(
        "/api/v1/business-centers/", NEW_CENTER | {"code": "t-center-east"}
    )
    assert response.status_code == 409


def test_head_office_client_writes_only_under_its_head_office(api, api_tree):
    caller = api(api_tree["union"], head_office=api_tree["east"], can_write=True)
    response = caller.post("/api/v1/business-centers/", NEW_CENTER)  # under t-west
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "head_office"
    assert not BusinessCenter.objects.filter(code="t-new").exists()


def test_center_with_people_cannot_close_and_nothing_changes(api, api_tree):
    caller = api(api_tree["union"], can_write=True)
    etag = caller.get("/api/v1/business-centers/t-center-west/")["ETag"]
    response = caller.post(
        "/api/v1/business-centers/t-center-west/close/", {"closed_on": "2016-03-31"}, HTTP_IF_MATCH=etag
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "closed_on"
    assert BusinessCenter.objects.get(code="t-center-west").closed_on is None


def test_closed_center_appears_in_the_incremental_sync(api, api_tree):
    caller = api(api_tree["union"], can_write=True)
    synced_at = timezone.now().isoformat()
    for member in api_tree["people"]["west"]:
        member_leave(member, left_on=member.joined_on.replace(year=2016), reason="transfer")
    etag = caller.get("/api/v1/business-centers/t-center-west/")["ETag"]
    caller.post("/api/v1/business-centers/t-center-west/close/", {"closed_on": "2016-04-01"}, HTTP_IF_MATCH=etag)
    centers = caller.get("/api/v1/business-centers/", {"updated_since": synced_at}).json()["results"]
    assert [(c["code"], c["closed_on"]) for c in centers] == [("t-center-west", "2016-04-01")]
    people = caller.get("/api/v1/members/", {"updated_since": synced_at}).json()["results"]
    assert {(m["member_number"], m["left_on"]) for m in people} == {(f"W{i}", "2016-04-01") for i in range(3)}
    open_now = caller.get("/api/v1/business-centers/", {"open_on": "2017-01-01"}).json()["results"]
    assert [c["code"] for c in open_now] == ["t-center-east"]


def test_centers_as_of_a_day_keep_their_business_lines(api, api_tree):
    caller = api(api_tree["union"])
    today = timezone.localdate().isoformat()
    rows = caller.get("/api/v1/business-centers/", {"as_of": today}).json()["results"]
    assert {c["code"]: c["business_lines"] for c in rows} == {"t-center-east": ["t-care"], "t-center-west": []}
    before_opening = caller.get("/api/v1/business-centers/", {"as_of": "1999-01-01"}).json()["results"]
    assert before_opening == []


def test_programmes_and_head_offices_filter_by_society(api, api_tree):
    caller = api(api_tree["union"])
    offices = caller.get("/api/v1/head-offices/", {"society": "t-cwc", "region": "kinki"}).json()["results"]
    assert [o["code"] for o in offices] == ["t-west"]
    programmes = caller.get("/api/v1/programmes/", {"business_center": "t-center-east"}).json()["results"]
    assert [(p["code"], p["business_center"]) for p in programmes] == [("t-youth-station", "t-center-east")]


def test_head_office_client_cannot_write_a_record_out_of_its_reach(api, api_tree):
    caller = api(api_tree["union"], head_office=api_tree["east"], can_write=True)
    response = caller.post("/api/v1/business-centers/", NEW_CENTER | {"head_office": None})
    assert response.status_code == 403
    assert not BusinessCenter.objects.filter(code="t-new").exists()


def test_annual_figures_recorded_then_corrected_with_if_match(api, api_tree):
    caller = api(api_tree["union"], can_write=True)
    body = {"business_center": "t-center-west", "fiscal_year": 2016, "turnover_yen": 33_500_000_000}
    created = caller.post("/api/v1/annual-figures/", body)
    assert created.status_code == 201
    assert created.json()["turnover_yen"] == 33_500_000_000
    assert caller.post("/api/v1/annual-figures/", body).status_code == 409
    url = "/api/v1/annual-figures/business-center/t-center-west/2016/"
    assert caller.patch(url, {"turnover_yen": 1}, HTTP_IF_MATCH='"stale"').status_code == 412
    corrected = caller.patch(url, {"turnover_yen": 2_000}, HTTP_IF_MATCH=created["ETag"])
    assert corrected.json()["turnover_yen"] == 2_000
    assert caller.get("/api/v1/stats/turnover/", {"fiscal_year": 2016}).json()["turnover_yen"] == 2_000


def test_annual_figures_need_exactly_one_owner_in_scope(api, api_tree):
    caller = api(api_tree["union"], society=api_tree["local"], can_write=True)
    both = {"society": "t-local", "business_center": "t-center-west", "fiscal_year": 2016, "turnover_yen": 1}
    assert caller.post("/api/v1/annual-figures/", both).status_code == 400
    neither = {"fiscal_year": 2016, "turnover_yen": 1}
    assert caller.post("/api/v1/annual-figures/", neither).status_code == 400
    elsewhere = {"business_center": "t-center-west", "fiscal_year": 2016, "turnover_yen": 1}
    response = caller.post("/api/v1/annual-figures/", elsewhere)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "business_center"


def test_head_office_closes_once_its_centers_are_closed(api, api_tree):
    caller = api(api_tree["union"], can_write=True)
    etag = caller.get("/api/v1/head-offices/t-west/")["ETag"]
    refused = caller.post("/api/v1/head-offices/t-west/close/", {"closed_on": "2016-04-01"}, HTTP_IF_MATCH=etag)
    assert refused.status_code == 400
    for member in api_tree["people"]["west"]:
        member_leave(member, left_on=member.joined_on.replace(year=2016), reason="transfer")
    center_etag = caller.get("/api/v1/business-centers/t-center-west/")["ETag"]
    caller.post("/api/v1/business-centers/t-center-west/close/", {"closed_on": "2016-04-01"}, HTTP_IF_MATCH=center_etag)
    closed = caller.post("/api/v1/head-offices/t-west/close/", {"closed_on": "2016-04-01"}, HTTP_IF_MATCH=etag)
    assert closed.status_code == 200
    assert closed.json()["closed_on"] == "2016-04-01"
    open_now = caller.get("/api/v1/head-offices/", {"open_on": "2017-01-01"}).json()["results"]
    assert [o["code"] for o in open_now] == ["t-east"]
