"""The union's headline statistics: who counts as a member on a day, what is open on a day, and
a fiscal year's turnover in which no yen is counted twice."""

import datetime

import pytest

from members.models import Relationship
from reports.selectors import turnover_by_society, union_summary, union_turnover
from tests.factories import (
    AnnualFiguresFactory,
    BusinessCenterFactory,
    HeadOfficeFactory,
    MembershipReportFactory,
    MemberSocietyFactory,
    UnionFactory,
    WorkerMemberFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2015, 3, 31)
DAY_BEFORE = DAY - datetime.timedelta(days=1)
DAY_AFTER = DAY + datetime.timedelta(days=1)
FY = 2015  # 2015-04-01 … 2016-03-31


def summary(union, as_of=DAY, fiscal_year=FY):
    return union_summary(union=union, as_of=as_of, fiscal_year=fiscal_year)


def row(union, code, as_of=DAY):
    (society,) = [s for s in summary(union, as_of).societies if s.code == code]
    return society


def center_figures(center, turnover_yen, fiscal_year=FY):
    return AnnualFiguresFactory(
        society=None, business_center=center, fiscal_year=fiscal_year, turnover_yen=turnover_yen
    )


# Membership on a day


def test_a_member_who_joins_on_a_day_counts_on_that_day_but_not_the_day_before():
    society = MemberSocietyFactory()
    WorkerMemberFactory(society=society, joined_on=DAY)

    assert summary(society.union, as_of=DAY).individual_members == 1
    assert summary(society.union, as_of=DAY_BEFORE).individual_members == 0


def test_a_member_who_leaves_on_a_day_counts_the_day_before_but_not_on_that_day():
    society = MemberSocietyFactory()
    WorkerMemberFactory(society=society, joined_on=datetime.date(2010, 4, 1), left_on=DAY)

    assert summary(society.union, as_of=DAY_BEFORE).individual_members == 1
    assert summary(society.union, as_of=DAY).individual_members == 0


def test_employees_volunteers_and_trainees_are_not_members():
    society = MemberSocietyFactory()
    WorkerMemberFactory.create_batch(2, society=society)
    for relationship in (Relationship.EMPLOYEE, Relationship.VOLUNTEER, Relationship.TRAINEE):
        WorkerMemberFactory(society=society, relationship=relationship)

    result = summary(society.union)

    assert (result.individual_members, result.worker_members) == (2, 2)
    assert (result.societies[0].individual_members, result.societies[0].worker_members) == (2, 2)


def test_a_society_that_reports_counts_contributes_its_latest_report_on_or_before_the_day():
    society = MemberSocietyFactory(code="joccu", registers_individuals=False)
    MembershipReportFactory(society=society, as_of=datetime.date(2014, 3, 31), members=40_000, worker_members=10)
    MembershipReportFactory(society=society, as_of=DAY, members=45_799, worker_members=20)
    MembershipReportFactory(society=society, as_of=datetime.date(2016, 3, 31), members=50_000, worker_members=30)

    on_the_day = row(society.union, "joccu", as_of=DAY)
    assert (on_the_day.individual_members, on_the_day.worker_members) == (45_799, 20)
    assert row(society.union, "joccu", as_of=DAY_BEFORE).individual_members == 40_000
    assert row(society.union, "joccu", as_of=datetime.date(2015, 9, 30)).individual_members == 45_799
    before_any_report = row(society.union, "joccu", as_of=datetime.date(2014, 1, 1))
    assert (before_any_report.individual_members, before_any_report.worker_members) == (None, None)


def test_people_registered_in_a_society_that_reports_counts_are_not_added_to_its_report():
    society = MemberSocietyFactory(registers_individuals=False)
    MembershipReportFactory(society=society, as_of=DAY, members=100)
    WorkerMemberFactory(society=society)

    assert summary(society.union).individual_members == 100


def test_the_union_adds_registered_members_and_reported_counts():
    union = UnionFactory()
    cwc = MemberSocietyFactory(union=union)
    WorkerMemberFactory.create_batch(3, society=cwc)
    joccu = MemberSocietyFactory(union=union, registers_individuals=False)
    MembershipReportFactory(society=joccu, as_of=DAY, members=45_799, worker_members=0)

    result = summary(union)

    assert result.individual_members == 3 + 45_799
    assert result.worker_members == 3


@pytest.mark.parametrize(
    ("joined_union_on", "left_union_on", "counts"),
    [
        (DAY_AFTER, None, False),
        (DAY, None, True),
        (datetime.date(2000, 1, 1), DAY, False),
        (datetime.date(2000, 1, 1), DAY_AFTER, True),
    ],
    ids=["joins-the-day-after", "joins-on-the-day", "left-on-the-day", "leaves-the-day-after"],
)
def test_a_society_counts_only_while_it_is_in_the_union(joined_union_on, left_union_on, counts):
    society = MemberSocietyFactory(
        established_on=datetime.date(1990, 1, 1), joined_union_on=joined_union_on, left_union_on=left_union_on
    )
    WorkerMemberFactory.create_batch(2, society=society)
    HeadOfficeFactory(society=society)
    BusinessCenterFactory(society=society)
    reporting = MemberSocietyFactory(
        union=society.union, registers_individuals=False, joined_union_on=joined_union_on, left_union_on=left_union_on
    )
    MembershipReportFactory(society=reporting, as_of=DAY_BEFORE, members=500)

    result = summary(society.union)

    expected = (2, 2 + 500, 1, 1) if counts else (0, 0, 0, 0)
    assert (result.member_societies, result.individual_members, result.head_offices, result.business_centers) == (
        expected
    )
    assert len(result.societies) == expected[0]


@pytest.mark.parametrize(
    ("opened_on", "closed_on", "open"),
    [
        (DAY, None, True),
        (DAY_AFTER, None, False),
        (datetime.date(2000, 4, 1), DAY, False),
        (datetime.date(2000, 4, 1), DAY_AFTER, True),
    ],
    ids=["opens-on-the-day", "opens-the-day-after", "closed-on-the-day", "closes-the-day-after"],
)
def test_head_offices_and_centers_count_while_open(opened_on, closed_on, open):
    society = MemberSocietyFactory()
    HeadOfficeFactory(society=society, opened_on=opened_on, closed_on=closed_on)
    BusinessCenterFactory(society=society, opened_on=opened_on, closed_on=closed_on)

    result = summary(society.union)

    assert (result.head_offices, result.business_centers) == ((1, 1) if open else (0, 0))


def test_another_union_is_never_mixed_in():
    ours = MemberSocietyFactory(code="ours")
    WorkerMemberFactory(society=ours)
    AnnualFiguresFactory(society=ours, turnover_yen=1_000)
    theirs = MemberSocietyFactory(code="theirs")
    WorkerMemberFactory.create_batch(5, society=theirs)
    BusinessCenterFactory(society=theirs)
    AnnualFiguresFactory(society=theirs, turnover_yen=99_000)

    result = summary(ours.union)

    assert [s.code for s in result.societies] == ["ours"]
    assert (result.member_societies, result.individual_members, result.business_centers, result.turnover_yen) == (
        1,
        1,
        0,
        1_000,
    )


def test_union_summary_totals_are_the_sums_of_its_society_rows():
    union = UnionFactory()
    societies = []
    for n in range(3):
        society = MemberSocietyFactory(union=union, code=f"society-{n}")
        HeadOfficeFactory.create_batch(n, society=society)
        BusinessCenterFactory.create_batch(n + 1, society=society)
        WorkerMemberFactory.create_batch(n + 2, society=society)
        AnnualFiguresFactory(society=society, turnover_yen=1_000 * (n + 1))
        societies.append(society)
    reporting = MemberSocietyFactory(union=union, code="society-9", registers_individuals=False)
    MembershipReportFactory(society=reporting, as_of=DAY, members=70, worker_members=7)

    result = summary(union)

    rows = result.societies
    assert result.member_societies == len(rows) == 4
    assert result.head_offices == sum(r.head_offices for r in rows) == 0 + 1 + 2
    assert result.business_centers == sum(r.business_centers for r in rows) == 1 + 2 + 3
    assert result.individual_members == sum(r.individual_members for r in rows) == 2 + 3 + 4 + 70
    assert result.worker_members == sum(r.worker_members for r in rows) == 2 + 3 + 4 + 7
    assert result.turnover_yen == sum(r.turnover_yen or 0 for r in rows) == 6_000


# Turnover of a fiscal year


def test_a_society_with_its_own_figure_counts_only_that_figure():
    society = MemberSocietyFactory(code="cwc")
    AnnualFiguresFactory(society=society, turnover_yen=19_000_000_000)
    for center in BusinessCenterFactory.create_batch(2, society=society):
        center_figures(center, 3_000_000_000)

    assert row(society.union, "cwc").turnover_yen == 19_000_000_000
    assert union_turnover(union=society.union, fiscal_year=FY) == 19_000_000_000


def test_a_society_without_its_own_figure_counts_the_sum_of_its_centers():
    society = MemberSocietyFactory(code="local")
    center_figures(BusinessCenterFactory(society=society), 120_000_000)
    center_figures(BusinessCenterFactory(society=society), 80_000_000)

    assert row(society.union, "local").turnover_yen == 200_000_000
    assert union_turnover(union=society.union, fiscal_year=FY) == 200_000_000


def test_a_society_with_no_figures_has_no_turnover_rather_than_zero():
    society = MemberSocietyFactory(code="silent")

    assert row(society.union, "silent").turnover_yen is None
    assert union_turnover(union=society.union, fiscal_year=FY) == 0


def test_union_turnover_is_the_sum_of_its_societies():
    union = UnionFactory()
    cwc = MemberSocietyFactory(union=union, code="cwc")
    AnnualFiguresFactory(society=cwc, turnover_yen=19_000_000_000)
    center_figures(BusinessCenterFactory(society=cwc), 1_000_000_000)
    local = MemberSocietyFactory(union=union, code="local")
    center_figures(BusinessCenterFactory(society=local), 14_000_000_000)
    center_figures(BusinessCenterFactory(society=local), 500_000_000)

    by_society = {s.code: s.turnover_yen for s in turnover_by_society(union=union, fiscal_year=FY)}

    assert by_society == {"cwc": 19_000_000_000, "local": 14_500_000_000}
    assert union_turnover(union=union, fiscal_year=FY) == 33_500_000_000


def test_figures_of_another_fiscal_year_do_not_leak_in():
    society = MemberSocietyFactory(code="cwc")
    AnnualFiguresFactory(society=society, fiscal_year=2014, turnover_yen=17_000_000_000)
    AnnualFiguresFactory(society=society, fiscal_year=2016, turnover_yen=21_000_000_000)
    center = BusinessCenterFactory(society=society)
    center_figures(center, 5, fiscal_year=FY)
    center_figures(center, 7, fiscal_year=2014)

    assert union_turnover(union=society.union, fiscal_year=FY) == 5
    assert union_turnover(union=society.union, fiscal_year=2014) == 17_000_000_000


@pytest.mark.parametrize(
    ("left_union_on", "counts"),
    [
        (datetime.date(2015, 3, 31), False),
        (datetime.date(2015, 4, 1), False),
        (datetime.date(2015, 4, 2), True),
        (datetime.date(2016, 3, 31), True),
    ],
)
def test_a_society_counts_in_the_union_turnover_only_if_a_member_during_the_fiscal_year(left_union_on, counts):
    society = MemberSocietyFactory(left_union_on=left_union_on)
    AnnualFiguresFactory(society=society, turnover_yen=1_000)

    assert union_turnover(union=society.union, fiscal_year=FY) == (1_000 if counts else 0)


def test_a_society_that_joins_after_the_fiscal_year_does_not_count():
    society = MemberSocietyFactory(joined_union_on=datetime.date(2016, 4, 1))
    AnnualFiguresFactory(society=society, fiscal_year=FY, turnover_yen=1_000)
    AnnualFiguresFactory(society=society, fiscal_year=2016, turnover_yen=1_000)

    assert union_turnover(union=society.union, fiscal_year=FY) == 0
    assert union_turnover(union=society.union, fiscal_year=2016) == 1_000


# Query counts


def populate_society(union, n):
    society = MemberSocietyFactory(union=union, code=f"society-{n}")
    HeadOfficeFactory(society=society)
    center = BusinessCenterFactory(society=society)
    WorkerMemberFactory.create_batch(2, society=society, business_center=center)
    WorkerMemberFactory(society=society, relationship=Relationship.VOLUNTEER)
    center_figures(center, 1_000)
    if n % 2:
        AnnualFiguresFactory(society=society, turnover_yen=5_000)
    reporting = MemberSocietyFactory(union=union, code=f"reporting-{n}", registers_individuals=False)
    MembershipReportFactory(society=reporting, as_of=DAY_BEFORE, members=40)
    MembershipReportFactory(society=reporting, as_of=DAY, members=50)


def test_union_summary_runs_three_queries_whatever_the_number_of_societies(django_assert_num_queries):
    union = UnionFactory()
    for n in range(3):
        populate_society(union, n)

    # three, and one to bring the rollup up to date with the test's uncommitted writes
    with django_assert_num_queries(4):
        small = summary(union)
    for n in range(3, 7):
        populate_society(union, n)
    with django_assert_num_queries(4):
        large = summary(union)

    assert (small.member_societies, small.individual_members, small.turnover_yen) == (
        6,
        3 * 2 + 3 * 50,
        1_000 + 5_000 + 1_000,
    )
    assert (large.member_societies, large.individual_members, large.turnover_yen) == (
        14,
        7 * 2 + 7 * 50,
        4 * 1_000 + 3 * 5_000,
    )
