import datetime

import pytest

from jwcu.scope import Scope
from reports.selectors import inclusion_by, members_by, turnover_by
from tests.factories import (
    AnnualFiguresFactory,
    BusinessCenterFactory,
    BusinessLineFactory,
    HeadOfficeFactory,
    InclusionCategoryFactory,
    MemberInclusionFactory,
    MemberSocietyFactory,
    UnionFactory,
    WorkerMemberFactory,
)

AS_OF = datetime.date(2015, 3, 31)
pytestmark = pytest.mark.django_db


@pytest.fixture
def union():
    union = UnionFactory()
    cwc = MemberSocietyFactory(union=union, code="t-cwc")
    local = MemberSocietyFactory(union=union, code="t-local", prefecture="27")
    east = HeadOfficeFactory(society=cwc, code="t-east")
    care, cleaning = BusinessLineFactory(code="t-care"), BusinessLineFactory(code="t-cleaning")
    center_a = BusinessCenterFactory(society=cwc, head_office=east, code="t-a", prefecture="12")
    center_b = BusinessCenterFactory(society=cwc, head_office=east, code="t-b", prefecture="13")
    center_a.business_lines.set([care])
    center_b.business_lines.set([care, cleaning])
    for _ in range(3):
        WorkerMemberFactory(society=cwc, business_center=center_a, birth_date=datetime.date(1950, 1, 1))
    youth = WorkerMemberFactory(society=cwc, business_center=center_b, birth_date=datetime.date(1990, 1, 1))
    WorkerMemberFactory(society=local, birth_date=datetime.date(1970, 1, 1))
    WorkerMemberFactory(society=local, left_on=AS_OF)  # left on the day: not counted
    WorkerMemberFactory(society=local, relationship="employee")  # not a member
    category = InclusionCategoryFactory(code="t-mental")
    MemberInclusionFactory(member=youth, category=category, since=datetime.date(2014, 1, 1))
    AnnualFiguresFactory(society=None, business_center=center_a, turnover_yen=1_000)
    AnnualFiguresFactory(society=None, business_center=center_b, turnover_yen=2_001)
    AnnualFiguresFactory(society=local, turnover_yen=500)
    return union


def scope(union):
    return Scope(union_id=union.pk, sensitive=True)


def test_members_by_head_office_prefecture_and_line(union):
    by_head_office = {
        r["key"]: r["worker_members"] for r in members_by(scope=scope(union), as_of=AS_OF, by="head_office")
    }
    assert by_head_office == {"t-east": 4, None: 1}
    by_prefecture = {
        r["key"]: r["worker_members"] for r in members_by(scope=scope(union), as_of=AS_OF, by="prefecture")
    }
    # The local co-op has no centers: its member is placed in the society's prefecture.
    assert by_prefecture == {"12": 3, "13": 1, "27": 1}
    by_line = {r["key"]: r["worker_members"] for r in members_by(scope=scope(union), as_of=AS_OF, by="business_line")}
    assert by_line == {"t-care": 4, "t-cleaning": 1, None: 1}


def test_inclusion_by_center_counts_elderly_youth_and_categories(union):
    result = inclusion_by(scope=scope(union), as_of=AS_OF, by="business_center")
    groups = {g["key"]: g for g in result["groups"]}
    assert (groups["t-a"]["active_members"], groups["t-a"]["elderly"], groups["t-a"]["youth"]) == (3, 3, 0)
    assert (groups["t-b"]["active_members"], groups["t-b"]["youth"]) == (1, 1)
    assert groups["t-b"]["categories"]["t-mental"] == 1
    assert groups["t-a"]["categories"]["t-mental"] == 0
    assert result["partitions"]
    assert not inclusion_by(scope=scope(union), as_of=AS_OF, by="business_line")["partitions"]


def test_inclusion_counts_only_records_held_on_the_day(union):
    before = inclusion_by(scope=scope(union), as_of=datetime.date(2013, 12, 31), by="union")
    assert sum(g["categories"]["t-mental"] for g in before["groups"]) == 0


def test_turnover_breakdowns_add_up_to_the_union_total(union):
    for by in ("society", "head_office", "business_center", "prefecture", "business_line"):
        rows = turnover_by(scope=scope(union), fiscal_year=2015, by=by)
        assert sum(r["turnover_yen"] for r in rows) == 3_501, by
    by_line = {
        r["key"]: r["turnover_yen"] for r in turnover_by(scope=scope(union), fiscal_year=2015, by="business_line")
    }
    # center b runs two lines: its 2,001 yen are shared, never counted twice
    assert by_line["t-care"] + by_line["t-cleaning"] == 3_001
    assert by_line[None] == 500


def test_breakdowns_run_a_fixed_number_of_queries(union, django_assert_num_queries):
    with django_assert_num_queries(2):  # and bringing the rollup up to date with the test's writes
        members_by(scope=scope(union), as_of=AS_OF, by="society")
    with django_assert_num_queries(3):
        inclusion_by(scope=scope(union), as_of=AS_OF, by="head_office")


def test_groups_are_labelled_in_the_active_language(union):
    from django.utils import translation

    society = union.societies.get(code="t-cwc")
    society.name_ja = "センター事業団"
    society.save()
    with translation.override("ja"):
        labels = {r["key"]: r["label"] for r in members_by(scope=scope(union), as_of=AS_OF, by="society")}
    assert labels["t-cwc"] == "センター事業団"
    assert labels["t-local"] == union.societies.get(code="t-local").name  # no Japanese name: the name
    with translation.override("en"):
        labels = {r["key"]: r["label"] for r in members_by(scope=scope(union), as_of=AS_OF, by="society")}
    assert labels["t-cwc"] == society.name


def test_national_figures_are_shown_as_published(union):
    from django.utils import translation

    from reports.figures import national_figure
    from tests.factories import IndicatorFactory

    IndicatorFactory(
        code="elderly-share-of-public-assistance", label="Ratio of the old", label_ja="高齢者の割合", value=50
    )
    with translation.override("ja"):
        figure = national_figure(scope=scope(union), as_of=AS_OF, controlled=False)
    assert figure.rows[0][:3] == ["高齢者の割合", 50.0, "%"]
