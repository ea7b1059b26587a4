"""load_demo reproduces every figure the seed publishes, and a second run changes nothing.

The demo union is loaded once for this module, inside a transaction rolled back at the end.
"""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Min, Q

from businesses.models import BusinessCenter, Programme
from members.models import MemberSociety, Partner, Union, WorkerMember
from reports.models import Indicator
from reports.selectors import union_summary
from tests.conftest import demo_union_loaded

AS_OF = datetime.date(2015, 3, 31)
PRESENTED_ON = datetime.date(2016, 11, 16)
DISABILITY_OR_WITHDRAWAL = ["disability-mental", "social-withdrawal"]

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with demo_union_loaded(django_db_blocker) as output:
        yield output


def summary(as_of=AS_OF, fiscal_year=2015):
    return union_summary(union=Union.objects.get(code="jwcu"), as_of=as_of, fiscal_year=fiscal_year)


def born_on_or_before(day, years):
    return day.replace(year=day.year - years)


def center_members(code, day=AS_OF):
    return WorkerMember.objects.filter(business_center__code=code).active_on(day).worker_members()


def test_headline_figures_as_of_march_2015():
    figures = summary()
    assert figures.individual_members == 58_693
    assert figures.worker_members == 12_894
    assert figures.turnover_yen == 33_500_000_000
    assert figures.head_offices == 15
    assert figures.business_centers == 324
    # The seed says 25 but lists 26 (1 + 16 + 1 + 5 + 3); the union's notes say so.
    assert figures.member_societies == 26
    assert "26" in Union.objects.get(code="jwcu").notes


def test_union_and_member_societies_as_listed():
    union = Union.objects.get(code="jwcu")
    assert union.established_on.year == 1979
    kinds = dict(MemberSociety.objects.filter(union=union).values_list("kind").annotate(n=Count("pk")))
    assert kinds == {
        "central_worker_coop": 1,
        "local_worker_coop": 16,
        "older_persons_coop_union": 1,
        "affiliated": 5,
        "associated": 3,
    }
    cwc = MemberSociety.objects.get(code="cwc")
    joccu = MemberSociety.objects.get(code="joccu")
    assert cwc.established_on.year == 1987
    assert joccu.established_on.year == 2001
    assert joccu.member_organisations == 22
    assert not joccu.registers_individuals


def test_cwc_and_joccu_rows_of_the_summary():
    societies = {row.code: row for row in summary().societies}
    assert societies["cwc"].head_offices == 15
    assert societies["cwc"].business_centers == 324
    assert societies["cwc"].individual_members == 6_000
    assert societies["cwc"].turnover_yen == 19_000_000_000
    assert societies["joccu"].individual_members == 45_799
    assert societies["joccu"].member_organisations == 22


def test_counts_move_with_the_date():
    """Members joined and left around March 2015, so other dates give other counts."""
    assert summary(as_of=datetime.date(2016, 3, 31)).worker_members != 12_894
    assert summary(as_of=datetime.date(2014, 3, 31)).individual_members < 58_693
    assert summary(fiscal_year=2014).turnover_yen == 0


def test_ajisai():
    ajisai = BusinessCenter.objects.get(code="ajisai")
    assert (ajisai.municipality, ajisai.prefecture) == ("Matsudo City", "12")
    assert ajisai.volunteers == 20
    assert ajisai.featured
    for day in (AS_OF, PRESENTED_ON):
        members = center_members("ajisai", day)
        assert members.count() == 19
        with_difficulties = members.filter(inclusions__category__code__in=DISABILITY_OR_WITHDRAWAL).distinct()
        assert with_difficulties.count() == 6
        assert members.filter(birth_date__lte=born_on_or_before(day, 60)).count() == 8
    training = Programme.objects.get(code="ajisai-job-training")
    assert (training.funder, training.commissioning_body, training.completions) == (
        "prefecture",
        "Chiba Prefecture",
        25,
    )


def test_west_nara():
    center = BusinessCenter.objects.get(code="west-nara")
    assert (center.municipality, center.prefecture, center.opened_on.year) == ("Nara City", "29", 1994)
    for day in (AS_OF, PRESENTED_ON):
        members = center_members("west-nara", day)
        assert members.count() == 13
        disabled = members.filter(inclusions__category__code="disability-mental")
        assert disabled.count() == 8
        assert members.filter(birth_date__lte=born_on_or_before(day, 60)).count() == 5
        assert disabled.filter(joined_on__lte=born_on_or_before(day, 10)).count() == 3


def test_west_rings():
    center = BusinessCenter.objects.get(code="west-rings")
    assert (center.municipality, center.prefecture) == ("Toshima City", "13")
    members = center_members("west-rings")
    assert members.count() == 9
    assert members.filter(inclusions__isnull=False).distinct().count() == 7
    cleaning = Programme.objects.get(code="west-rings-street-cleaning")
    assert cleaning.commissioning_body == "Toshima City"


def test_aguriin_plants():
    plants = BusinessCenter.objects.filter(business_lines__code="clean-energy")
    assert plants.count() == 4
    years = plants.aggregate(oldest=Min("opened_on"), newest=Max("opened_on"))
    assert (years["oldest"].year, years["newest"].year) == (2011, 2015)
    for plant in plants:
        assert center_members(plant.code).count() == 4
    collected = Indicator.objects.filter(code="used-oil-collected-per-day").aggregate(
        big=Max("value"), small=Min("value")
    )
    assert (collected["big"], collected["small"]) == (1000, 400)
    youth = WorkerMember.objects.filter(
        business_center__in=list(plants), birth_date__gt=born_on_or_before(PRESENTED_ON, 35)
    ).worker_members()
    assert youth.filter(inclusions__category__code__in=DISABILITY_OR_WITHDRAWAL).exists()


def test_next_green_tajima_and_the_four_forestry_projects():
    ngt = BusinessCenter.objects.get(code="next-green-tajima")
    assert (ngt.municipality, ngt.prefecture, ngt.opened_on.year) == ("Toyooka City", "28", 2013)
    members = center_members("next-green-tajima")
    assert members.count() == 5
    assert members.filter(inclusions__category__code="referred-by-programme").count() == 1
    assert members.filter(gender="female", birth_date__gt=born_on_or_before(PRESENTED_ON, 35)).exists()
    assert BusinessCenter.objects.filter(business_lines__code="primary-industry").count() == 4
    toyooka = Programme.objects.get(kind="youth_support_station", municipality="Toyooka City")
    assert toyooka.started_on.year == 2009


def test_programmes():
    running = Programme.objects.running_on(PRESENTED_ON)
    assert running.filter(kind="youth_support_station").count() == 25
    assert running.filter(kind="independence_support").count() == 80
    # The System of Independence Support for the Needy started on 1 April 2015.
    assert Programme.objects.running_on(AS_OF).filter(kind="independence_support").count() == 0
    assert Programme.objects.get(code="youth-independence-school").discontinued


def test_business_lines_and_their_goals():
    centers_by_line = dict(
        BusinessCenter.objects.open_on(AS_OF).values_list("business_lines__code").annotate(n=Count("pk"))
    )
    assert set(centers_by_line) == {
        "elderly-care",
        "children-and-parents",
        "disability-support",
        "youth-support",
        "disaster-and-needy-support",
        "public-facilities",
        "building-maintenance-cleaning",
        "clean-energy",
        "primary-industry",
    }
    assert BusinessCenter.objects.get(code="aguriin-1").business_lines.get().sdg_goals == [7, 8, 12, 13]


def test_partners_and_related_institutions():
    levels = dict(Partner.objects.filter(relation="partnership").values_list("code", "level"))
    assert levels["ica"] == levels["gsef"] == "global"
    assert levels["ica-ap"] == levels["cicopa"] == "regional_sectoral"
    assert levels["jjc"] == "national"
    research = Partner.objects.get(code="japan-institute-of-cooperative-research")
    assert (research.relation, research.established_on.year, research.established_by_union) == (
        "related_institution",
        1991,
        True,
    )
    assert Partner.objects.get(code="jsso").established_on.year == 2004


def test_national_context_figures():
    values = dict(Indicator.objects.filter(scope="national").values_list("code", "value"))
    assert len(values) == 15
    assert values["relative-poverty-rate"] == 16
    assert values["population-aging-rate"] == 26
    assert values["relative-poverty-rate-children"] == Decimal("16.3")
    assert values["working-poor"] == 11_390_000


def test_people_are_plausible_and_inclusion_needs_consent():
    people = WorkerMember.objects.filter(society__code="cwc")
    assert not people.filter(Q(family_name_kana="") | Q(given_name_kana="")).exists()
    assert not people.filter(joined_on__lt=datetime.date(1987, 1, 1)).exists()
    # Every inclusion record is held under a consent of the same member (also a database rule).
    assert not WorkerMember.objects.filter(inclusions__isnull=False, consents__isnull=True).exists()


def test_second_run_changes_nothing(demo):
    assert "records written" in demo
    counts_before = {model: model.objects.count() for model in (WorkerMember, BusinessCenter, Programme)}
    history_before = WorkerMember.history.count()
    output = io.StringIO()
    call_command("load_demo", stdout=output)
    assert "nothing changed" in output.getvalue()
    assert {model: model.objects.count() for model in counts_before} == counts_before
    assert WorkerMember.history.count() == history_before


def test_summary_command_prints_the_seed_numbers():
    output = io.StringIO()
    call_command("summary", "--as-of", "2015-03-31", "--fiscal-year", "2015", "--format", "json", stdout=output)
    printed = json.loads(output.getvalue())
    assert {key: printed[key] for key in ("individual_members", "worker_members", "turnover_yen")} == {
        "individual_members": 58_693,
        "worker_members": 12_894,
        "turnover_yen": 33_500_000_000,
    }
    cwc = next(row for row in printed["societies"] if row["code"] == "cwc")
    assert (cwc["individual_members"], cwc["business_centers"], cwc["head_offices"]) == (6_000, 324, 15)

    text = io.StringIO()
    call_command("summary", "--as-of", "2015-03-31", "--fiscal-year", "2015", stdout=text)
    assert "58,693" in text.getvalue()
    assert "33,500,000,000" in text.getvalue()
