"""The dashboards' statistics against hand-computed figures: fiscal-year edges, leaves on the
boundary day, members who moved centers, the Act check and the SDG mapping."""

import datetime

import pytest

from jwcu.scope import Scope
from reports.selectors import (
    FilteredScope,
    membership_over_years,
    membership_reconciliation,
    overview,
    sdg_contribution,
    turnover_by,
    turnover_over_years,
    worker_coop_act_check,
)
from tests.factories import (
    AnnualFiguresFactory,
    BusinessCenterFactory,
    BusinessLineFactory,
    HeadOfficeFactory,
    MembershipReportFactory,
    MemberSocietyFactory,
    UnionFactory,
    WorkerMemberFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date
FY2015_START, FY2015_END = D(2015, 4, 1), D(2016, 3, 31)


@pytest.fixture
def union():
    union = UnionFactory()
    society = MemberSocietyFactory(union=union, code="r-coop", prefecture="13")
    office = HeadOfficeFactory(society=society, code="r-office", prefecture="12")
    care = BusinessLineFactory(code="r-care", sdg_goals=[3, 8])
    energy = BusinessLineFactory(code="r-energy", sdg_goals=[7, 8])
    north = BusinessCenterFactory(society=society, head_office=office, code="r-north", prefecture="12")
    south = BusinessCenterFactory(society=society, code="r-south", prefecture="13")
    north.business_lines.set([care])
    south.business_lines.set([care, energy])
    member = WorkerMemberFactory
    member(society=society, business_center=north, joined_on=D(2010, 1, 1))  # stays throughout
    member(society=society, business_center=north, joined_on=FY2015_START)  # joins on the first day
    member(society=society, business_center=north, joined_on=FY2015_END)  # joins on the last day
    member(society=society, business_center=north, left_on=FY2015_START, leave_reason="retirement")
    member(society=society, business_center=north, left_on=FY2015_END, leave_reason="resignation")
    member(society=society, business_center=north, left_on=D(2016, 4, 1), leave_reason="death")  # next year
    member(society=society, business_center=north, left_on=D(2015, 3, 31), leave_reason="other")  # year before
    # moved from north to south during the year: the registry holds the current center only
    member(society=society, business_center=south, joined_on=D(2012, 6, 1))
    member(society=society, business_center=south, relationship="employee", contract_type="regular")
    AnnualFiguresFactory(society=None, business_center=north, fiscal_year=2015, turnover_yen=3_000)
    AnnualFiguresFactory(society=None, business_center=south, fiscal_year=2015, turnover_yen=1_000)
    AnnualFiguresFactory(society=None, business_center=north, fiscal_year=2014, turnover_yen=2_000)
    counted = MembershipReportFactory(society__union=union, society__code="r-counted", members=40, as_of=D(2015, 3, 31))
    MembershipReportFactory(society=counted.society, members=45, as_of=D(2016, 3, 31))
    return union


def scope(union, **filters):
    return FilteredScope(union_id=union.pk, sensitive=True, **filters)


def test_reconciliation_counts_the_boundary_days_once(union):
    result = membership_reconciliation(scope=scope(union), fiscal_year=2015, by="business_center")
    rows = {row["key"]: row for row in result["rows"]}
    north = rows["r-north"]
    # opening on 2015-03-31: the stayer and the three who leave on 2015-04-01, 2016-03-31, 2016-04-01
    assert (north["opening"], north["joins"], north["leaves"], north["closing"]) == (4, 2, 2, 4)
    assert north["leaves_by_reason"]["retirement"] == 1
    assert north["leaves_by_reason"]["resignation"] == 1
    assert north["leaves_by_reason"]["death"] == 0
    assert north["opening"] + north["joins"] - north["leaves"] == north["closing"]
    # the mover counts once, at the center where the registry places them now
    assert (rows["r-south"]["opening"], rows["r-south"]["closing"]) == (1, 1)
    assert result["total"]["closing"] == 5
    assert result["opening_on"] == D(2015, 3, 31)


def test_membership_over_years_uses_the_fiscal_year_end_and_reported_counts(union):
    years = {row["fiscal_year"]: row for row in membership_over_years(scope=scope(union), fiscal_years=[2014, 2015])}
    assert years[2014]["worker_members"] == 5
    assert years[2014]["individual_members"] == 45  # 5 + the report of 2015-03-31 (40)
    assert years[2014]["leaves"] == 1
    assert (years[2015]["worker_members"], years[2015]["joins"], years[2015]["leaves"]) == (5, 2, 2)
    assert years[2015]["individual_members"] == 50


def test_overview_with_filters_and_the_change_on_the_year_before(union):
    figures = overview(scope=scope(union), as_of=FY2015_END, fiscal_year=2015)
    assert (figures.member_societies, figures.head_offices, figures.business_centers) == (2, 1, 2)
    assert (figures.worker_members, figures.individual_members) == (5, 50)
    assert (figures.turnover_yen, figures.previous_turnover_yen) == (4_000, 2_000)
    assert figures.turnover_change == pytest.approx(1.0)
    chiba = overview(scope=scope(union, prefecture="12"), as_of=FY2015_END, fiscal_year=2015)
    assert (chiba.business_centers, chiba.worker_members, chiba.turnover_yen) == (1, 4, 3_000)


def test_turnover_by_society_and_over_years_follow_the_filters(union):
    energy = scope(
        union,
        business_line_id=union.societies.get(code="r-coop")
        .business_centers.get(code="r-south")
        .business_lines.get(code="r-energy")
        .pk,
    )
    assert turnover_by(scope=energy, fiscal_year=2015, by="society") == [
        {"key": "r-coop", "label": union.societies.get(code="r-coop").name, "turnover_yen": 1_000}
    ]
    assert turnover_over_years(scope=scope(union), fiscal_years=[2014, 2015]) == [
        {"fiscal_year": 2014, "turnover_yen": 2_000},
        {"fiscal_year": 2015, "turnover_yen": 4_000},
    ]


def test_sdg_contribution_counts_each_center_once_per_goal(union):
    goals = {row["goal"]: row for row in sdg_contribution(scope=scope(union), as_of=FY2015_END, fiscal_year=2015)}
    # goal 8 is served by both lines of the south center: its 1,000 yen count once
    assert (goals[8]["business_centers"], goals[8]["turnover_yen"], goals[8]["worker_members"]) == (2, 4_000, 5)
    assert (goals[7]["business_centers"], goals[7]["turnover_yen"], goals[7]["worker_members"]) == (1, 1_000, 1)
    assert goals[1]["lines"] == []
    assert goals[1]["worker_members"] == 0


def test_act_check_flags_a_society_below_four_fifths(union):
    society = union.societies.get(code="r-coop")
    rows = {row["key"]: row for row in worker_coop_act_check(scope=scope(union), fiscal_year=2015)}
    # 5 members on 2016-03-31, all with a contract (the factory gives none: add them)
    assert rows["r-coop"]["members"] == 5
    assert rows["r-coop"]["members_engaged"] == 0
    assert not rows["r-coop"]["members_engaged_ok"]
    society.people.filter(relationship="worker_member").update(weekly_hours=30)
    row = worker_coop_act_check(scope=scope(union), fiscal_year=2015)[0]
    assert row["members_engaged_share"] == 1.0
    assert row["members_engaged_ok"]
    # 5 members among 6 people engaged in the work (an employee with a contract): 5/6 >= 3/4
    assert row["workers"] == 6
    assert row["workers_members_ok"]
    for _ in range(2):
        WorkerMemberFactory(society=society, relationship="employee", contract_type="part_time")
    row = worker_coop_act_check(scope=scope(union), fiscal_year=2015)[0]
    assert row["workers_members_share"] == pytest.approx(5 / 8)
    assert not row["workers_members_ok"]


def test_a_scope_outside_the_union_sees_nothing(union):
    other = Scope(union_id=UnionFactory().pk)
    assert overview(scope=other, as_of=FY2015_END, fiscal_year=2015).worker_members == 0
    assert membership_reconciliation(scope=other, fiscal_year=2015)["rows"] == []
