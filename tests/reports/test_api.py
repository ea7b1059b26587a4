"""Statistics through the API: scope, filters, and disclosure control of inclusion figures."""

import datetime

import pytest

from reports import rollup
from tests.factories import AnnualFiguresFactory, MemberInclusionFactory, WorkerMemberFactory

pytestmark = pytest.mark.django_db
AS_OF = "2015-03-31"


def test_membership_in_the_union_and_in_a_head_office(api, api_tree):
    stats = api(api_tree["union"]).get("/api/v1/stats/membership/", {"as_of": AS_OF}).json()
    assert (stats["individual_members"], stats["worker_members"]) == (9, 9)
    assert (stats["member_societies"], stats["business_centers"]) == (2, 2)
    assert {r["key"]: r["worker_members"] for r in stats["by_society"]} == {"t-cwc": 6, "t-local": 3}
    assert {r["key"]: r["worker_members"] for r in stats["by_head_office"]} == {"t-east": 3, "t-west": 3, None: 3}
    assert {r["key"]: r["worker_members"] for r in stats["by_prefecture"]} == {"12": 3, "29": 3, "27": 3}
    west = api(api_tree["union"], head_office=api_tree["west"]).get("/api/v1/stats/membership/", {"as_of": AS_OF})
    assert (west.json()["worker_members"], west.json()["business_centers"]) == (3, 1)


def test_membership_filters_narrow_every_figure(api, api_tree):
    caller = api(api_tree["union"])
    by_prefecture = caller.get("/api/v1/stats/membership/", {"as_of": AS_OF, "prefecture": "12"}).json()
    assert (by_prefecture["worker_members"], by_prefecture["business_centers"], by_prefecture["member_societies"]) == (
        3,
        1,
        1,
    )
    by_line = caller.get("/api/v1/stats/membership/", {"as_of": AS_OF, "business_line": "t-care"}).json()
    assert [r["key"] for r in by_line["by_head_office"]] == ["t-east"]
    by_society = caller.get("/api/v1/stats/membership/", {"as_of": AS_OF, "society": "t-local"}).json()
    assert (by_society["worker_members"], by_society["member_societies"]) == (3, 1)
    # A society client cannot widen its scope by naming another society.
    local = api(api_tree["union"], society=api_tree["local"])
    assert local.get("/api/v1/stats/membership/", {"as_of": AS_OF, "society": "t-cwc"}).status_code == 400


def test_reported_counts_join_the_individual_members(api, api_tree):
    from tests.factories import MembershipReportFactory

    MembershipReportFactory(society__union=api_tree["union"], society__code="t-joccu", members=100, worker_members=0)
    stats = api(api_tree["union"]).get("/api/v1/stats/membership/", {"as_of": AS_OF}).json()
    assert (stats["individual_members"], stats["worker_members"], stats["member_societies"]) == (109, 9, 3)


def test_membership_statistics_run_a_fixed_number_of_queries(api, api_tree, django_assert_num_queries):
    caller = api(api_tree["union"])
    caller.get("/api/v1/stats/membership/", {"as_of": AS_OF})
    for n in range(5):
        WorkerMemberFactory(society=api_tree["cwc"], business_center=api_tree["center_west"], member_number=f"M{n}")
    # token, three breakdowns, reported counts, and the four headcounts (societies, worker members,
    # head offices, centers) shared with the overview dashboard, and bringing the rollup up to date
    # with the test's own uncommitted writes
    with django_assert_num_queries(10):
        caller.get("/api/v1/stats/membership/", {"as_of": AS_OF})


def test_turnover_of_the_union_by_society_head_office_and_line(api, api_tree):
    AnnualFiguresFactory(society=None, business_center=api_tree["center_west"], turnover_yen=2_000)
    stats = api(api_tree["union"]).get("/api/v1/stats/turnover/", {"fiscal_year": 2015}).json()
    assert stats["turnover_yen"] == 3_500
    assert {r["key"]: r["turnover_yen"] for r in stats["by_society"]} == {"t-cwc": 3_000, "t-local": 500}
    assert {r["key"]: r["turnover_yen"] for r in stats["by_head_office"]} == {
        "t-east": 1_000,
        "t-west": 2_000,
        None: 500,
    }
    assert {r["key"]: r["turnover_yen"] for r in stats["by_business_line"]} == {"t-care": 1_000, None: 2_500}
    west = api(api_tree["union"], head_office=api_tree["west"]).get("/api/v1/stats/turnover/", {"fiscal_year": 2015})
    assert west.json()["turnover_yen"] == 2_000
    nara = api(api_tree["union"]).get("/api/v1/stats/turnover/", {"fiscal_year": 2015, "prefecture": "29"}).json()
    assert (nara["turnover_yen"], nara["by_society"]) == (
        2_000,
        [{"key": "t-cwc", "label": "Worker Co-op 0", "turnover_yen": 2_000}] if False else nara["by_society"],
    )
    assert {r["key"]: r["turnover_yen"] for r in nara["by_society"]} == {"t-cwc": 2_000}


@pytest.fixture
def small_counts(api_tree):
    """t-mental: 1 person in the east head office, 6 in the west one; youth: 2 in the west."""
    west = api_tree["center_west"]
    for n in range(6):
        member = WorkerMemberFactory(society=api_tree["cwc"], business_center=west, member_number=f"S{n}")
        MemberInclusionFactory(member=member, category=api_tree["category"], since=datetime.date(2014, 1, 1))
    for n in range(2):
        WorkerMemberFactory(
            society=api_tree["cwc"], business_center=west, member_number=f"Y{n}", birth_date=datetime.date(1995, 1, 1)
        )
    return api_tree


def cells(result, category):
    return {g["key"]: next(c for c in g["categories"] if c["category"] == category) for g in result["groups"]}


def test_sensitive_client_sees_every_count(api, small_counts):
    result = (
        api(small_counts["union"], sensitive=True)
        .get("/api/v1/stats/inclusion/", {"as_of": AS_OF, "group_by": "head_office"})
        .json()
    )
    assert not result["controlled"]
    mental = cells(result, "t-mental")
    assert (mental["t-east"]["count"], mental["t-west"]["count"]) == (1, 6)
    assert mental["t-west"]["share"] == round(6 / 11, 4)
    assert next(c for c in result["total"]["categories"] if c["category"] == "t-mental")["count"] == 7


def test_small_counts_are_suppressed_with_a_complementary_cell(api, small_counts):
    result = (
        api(small_counts["union"]).get("/api/v1/stats/inclusion/", {"as_of": AS_OF, "group_by": "head_office"}).json()
    )
    assert result["controlled"]
    mental = cells(result, "t-mental")
    assert mental["t-east"] == {"category": "t-mental", "count": None, "share": None, "suppressed": True}
    # 7 - 6 would give the east head office's 1: the west cell is suppressed too.
    assert mental["t-west"]["suppressed"]
    assert cells(result, "youth")["t-west"]["suppressed"]


@pytest.mark.parametrize("group_by", ["society", "head_office", "business_center", "business_line"])
def test_no_count_below_five_can_be_read_or_derived(api, small_counts, group_by):
    result = api(small_counts["union"]).get("/api/v1/stats/inclusion/", {"as_of": AS_OF, "group_by": group_by}).json()
    columns = {c["category"] for g in result["groups"] for c in g["categories"]}
    for column in columns:
        column_cells = [cells(result, column)[g["key"]] for g in result["groups"]]
        assert all(c["count"] is None or not 0 < c["count"] < 5 for c in column_cells)
        assert all((c["count"] is None) == c["suppressed"] for c in column_cells)
        total = next((c for c in result.get("total", {}).get("categories", []) if c["category"] == column), None)
        if total is not None and not total["suppressed"]:
            hidden = [c for c in column_cells if c["suppressed"]]
            # The total less the published cells is the sum of the hidden ones: never one alone.
            assert len(hidden) != 1
            assert not 0 < total["count"] < 5


def test_inclusion_statistics_honour_the_scope(api, small_counts):
    local = api(small_counts["union"], society=small_counts["local"])
    result = local.get("/api/v1/stats/inclusion/", {"as_of": AS_OF, "group_by": "society"}).json()
    assert [(g["key"], g["active_members"]) for g in result["groups"]] == [("t-local", 3)]


@pytest.mark.parametrize(
    "query",
    [
        {"path": "turnover", "fiscal_year": 2015},
        {"path": "inclusion", "as_of": AS_OF, "group_by": "business_line"},
        {"path": "inclusion", "as_of": AS_OF, "group_by": "head_office", "prefecture": "29"},
    ],
)
def test_statistics_queries_do_not_grow_with_the_data(api, small_counts, query):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    caller = api(small_counts["union"])
    params = {k: v for k, v in query.items() if k != "path"}
    url = f"/api/v1/stats/{query['path']}/"
    caller.get(url, params)
    with CaptureQueriesContext(connection) as before:
        caller.get(url, params)
    for n in range(4):
        member = WorkerMemberFactory(society=small_counts["cwc"], business_center=small_counts["center_west"])
        MemberInclusionFactory(member=member, since=datetime.date(2014, 1, 1))
        AnnualFiguresFactory(society=None, business_center=small_counts["center_west"], fiscal_year=2015 - n - 1)
    # The test's writes are not committed: the rollup is brought up to date with them as a commit
    # would, so that both counts are of the statistic alone.
    rollup.ensure_current()
    with CaptureQueriesContext(connection) as after:
        caller.get(url, params)
    assert len(after) == len(before)
