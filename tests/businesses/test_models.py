"""Each rule of head offices, centers, business lines, programmes, annual figures and indicators
refuses bad data in the database itself and, where the model validates it, with a clear message
through ``full_clean()``."""

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import DataError, transaction

from businesses.models import AnnualFigures, BusinessCenter, BusinessLine, HeadOffice, Programme
from reports.models import Indicator, IndicatorScope
from tests.factories import (
    AnnualFiguresFactory,
    BusinessCenterFactory,
    HeadOfficeFactory,
    IndicatorFactory,
    MemberSocietyFactory,
    ProgrammeFactory,
    UnionFactory,
)
from tests.helpers import END_BEFORE_START, refused_by_database, validation_errors

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ONE_OWNER = "Figures belong either to a society or to one business center."
JWCU_FY2015_TURNOVER = 33_500_000_000


def business_line(code: str, **fields) -> BusinessLine:
    # BusinessLineFactory gets or creates by code; these tests need plain inserts.
    return BusinessLine.objects.create(code=code, name=code, **fields)


# Codes


@pytest.mark.parametrize(
    ("create", "constraint"),
    [
        (lambda code: HeadOfficeFactory(code=code), "businesses_headoffice_code_key"),
        (lambda code: BusinessCenterFactory(code=code), "businesses_businesscenter_code_key"),
        (lambda code: business_line(code), "businesses_businessline_code_key"),
        (lambda code: ProgrammeFactory(code=code), "businesses_programme_code_key"),
    ],
    ids=["head-office", "center", "business-line", "programme"],
)
def test_code_is_unique(create, constraint):
    create("west-nara")

    with refused_by_database(constraint):
        create("west-nara")


def test_duplicate_center_code_is_reported_on_the_code_field():
    existing = BusinessCenterFactory(code="ajisai")

    errors = validation_errors(BusinessCenterFactory.build(society=existing.society, code="ajisai"))

    assert errors == {"code": ["Business center with this Code already exists."]}


@pytest.mark.parametrize(
    ("create", "constraint"),
    [
        (lambda code: HeadOfficeFactory(code=code), "head_office_code_format"),
        (lambda code: BusinessCenterFactory(code=code), "business_center_code_format"),
        (lambda code: business_line(code), "business_line_code_format"),
        (lambda code: ProgrammeFactory(code=code), "programme_code_format"),
        (lambda code: IndicatorFactory(code=code), "indicator_code_format"),
    ],
    ids=["head-office", "center", "business-line", "programme", "indicator"],
)
@pytest.mark.parametrize("code", ["West-Nara", "west_nara", "west--nara"])
def test_code_must_be_a_lower_case_slug(create, constraint, code):
    with refused_by_database(constraint):
        create(code)


def test_code_format_is_explained_on_the_code_field():
    center = BusinessCenterFactory()
    center.code = "West RINGS"

    assert validation_errors(center) == {"code": ["Use lower-case letters, digits and single hyphens, e.g. west-nara."]}


# Periods: start <= end


def test_center_cannot_close_before_it_opened():
    center = BusinessCenterFactory(opened_on=datetime.date(1994, 4, 1))

    with refused_by_database("business_center_opened_before_closed"):
        BusinessCenter.objects.filter(pk=center.pk).update(closed_on=datetime.date(1994, 3, 31))

    center.closed_on = datetime.date(1994, 3, 31)
    assert validation_errors(center) == {"closed_on": [END_BEFORE_START]}


def test_head_office_cannot_close_before_it_opened():
    office = HeadOfficeFactory(opened_on=datetime.date(2000, 4, 1))

    with refused_by_database("head_office_opened_before_closed"):
        HeadOffice.objects.filter(pk=office.pk).update(closed_on=datetime.date(2000, 3, 31))

    office.closed_on = datetime.date(2000, 3, 31)
    assert validation_errors(office) == {"closed_on": [END_BEFORE_START]}


def test_programme_cannot_end_before_it_started():
    with refused_by_database("programme_started_before_ended"):
        ProgrammeFactory(started_on=datetime.date(2015, 4, 1), ended_on=datetime.date(2015, 3, 31))

    programme = ProgrammeFactory(started_on=datetime.date(2015, 4, 1))
    programme.ended_on = datetime.date(2015, 3, 31)
    assert validation_errors(programme) == {"ended_on": [END_BEFORE_START]}


def test_programme_may_end_on_the_day_it_started():
    programme = ProgrammeFactory(started_on=datetime.date(2015, 4, 1))
    programme.ended_on = datetime.date(2015, 4, 1)

    programme.full_clean()
    programme.save()

    assert Programme.objects.get(pk=programme.pk).ended_on == datetime.date(2015, 4, 1)


def test_volunteer_count_needs_the_date_it_was_counted():
    with refused_by_database("business_center_volunteers_dated"):
        BusinessCenterFactory(volunteers=12, volunteers_as_of=None)


# Prefectures


@pytest.mark.parametrize("prefecture", ["00", "48", ""])
def test_center_prefecture_must_be_a_jis_code(prefecture):
    with refused_by_database("business_center_prefecture_valid"):
        BusinessCenterFactory(prefecture=prefecture)


def test_center_prefecture_error_is_on_the_field():
    center = BusinessCenterFactory()
    center.prefecture = "48"

    assert validation_errors(center) == {"prefecture": ["Value '48' is not a valid choice."]}


def test_head_office_prefecture_must_be_a_jis_code():
    with refused_by_database("head_office_prefecture_valid"):
        HeadOfficeFactory(prefecture="00")


# SDG goals


@pytest.mark.parametrize("goals", [[0], [18], [3, 18]])
def test_sdg_goals_are_numbered_1_to_17(goals):
    with refused_by_database("business_line_sdg_goals_valid"):
        business_line("elderly-care", sdg_goals=goals)

    line = BusinessLine(code="elderly-care", name="Elderly care", sdg_goals=goals)
    assert "sdg_goals" in validation_errors(line)


def test_sdg_goals_1_and_17_are_accepted():
    line = BusinessLine(code="clean-energy", name="Clean energy", sdg_goals=[1, 7, 17])

    line.full_clean()
    line.save()

    assert BusinessLine.objects.get(code="clean-energy").sdg_goals == [1, 7, 17]


# A center's head office


def test_center_head_office_must_belong_to_the_center_society():
    society = MemberSocietyFactory()
    other_office = HeadOfficeFactory()

    with refused_by_database("center_head_office_in_center_society"):
        BusinessCenterFactory(society=society, head_office=other_office)

    center = BusinessCenterFactory(society=society)
    center.head_office = other_office
    assert validation_errors(center) == {"head_office": ["This head office belongs to another society."]}


def test_moving_a_head_office_to_another_society_is_refused_while_it_has_centers():
    office = HeadOfficeFactory()
    BusinessCenterFactory(society=office.society, head_office=office)

    with refused_by_database("center_head_office_in_center_society"):
        HeadOffice.objects.filter(pk=office.pk).update(society=MemberSocietyFactory())


def test_center_under_a_head_office_of_its_own_society_is_accepted():
    office = HeadOfficeFactory()
    center = BusinessCenterFactory.build(society=office.society, head_office=office)

    center.full_clean()
    center.save()

    assert list(office.business_centers.all()) == [center]


# Yen


def test_a_64_bit_turnover_is_stored_and_read_back_exactly():
    figures = AnnualFiguresFactory(turnover_yen=JWCU_FY2015_TURNOVER, wages_yen=2**63 - 1)

    stored = AnnualFigures.objects.get(pk=figures.pk)

    assert stored.turnover_yen == 33_500_000_000
    assert stored.wages_yen == 9_223_372_036_854_775_807


def test_a_turnover_beyond_64_bits_is_refused():
    with pytest.raises(DataError), transaction.atomic():
        AnnualFiguresFactory(turnover_yen=2**63)

    figures = AnnualFiguresFactory()
    figures.turnover_yen = 2**63
    assert validation_errors(figures) == {
        "turnover_yen": ["Ensure this value is less than or equal to 9223372036854775807."]
    }


def test_turnover_cannot_be_negative():
    with refused_by_database("annual_figures_turnover_non_negative"):
        AnnualFiguresFactory(turnover_yen=-1)

    figures = AnnualFiguresFactory()
    figures.turnover_yen = -1
    assert validation_errors(figures) == {"turnover_yen": ["Ensure this value is greater than or equal to 0."]}


def test_wages_cannot_be_negative():
    with refused_by_database("annual_figures_wages_non_negative"):
        AnnualFiguresFactory(wages_yen=-1)

    figures = AnnualFiguresFactory()
    figures.wages_yen = -1
    assert validation_errors(figures) == {"wages_yen": ["Ensure this value is greater than or equal to 0."]}


def test_a_loss_is_a_negative_surplus():
    figures = AnnualFiguresFactory.build(society=MemberSocietyFactory(), surplus_yen=-12_000_000)

    figures.full_clean()
    figures.save()

    assert AnnualFigures.objects.get(pk=figures.pk).surplus_yen == -12_000_000


# Annual figures: one owner, one row per owner and year


def test_figures_cannot_belong_to_both_a_society_and_a_center():
    center = BusinessCenterFactory()

    with refused_by_database("annual_figures_one_owner"):
        AnnualFiguresFactory(society=center.society, business_center=center)

    figures = AnnualFiguresFactory.build(society=center.society, business_center=center)
    assert validation_errors(figures) == {NON_FIELD_ERRORS: [ONE_OWNER]}


def test_figures_must_belong_to_someone():
    with refused_by_database("annual_figures_one_owner"):
        AnnualFiguresFactory(society=None, business_center=None)

    assert validation_errors(AnnualFiguresFactory.build(society=None)) == {NON_FIELD_ERRORS: [ONE_OWNER]}


def test_one_row_of_figures_per_society_and_fiscal_year():
    figures = AnnualFiguresFactory(fiscal_year=2015)
    AnnualFiguresFactory(society=figures.society, fiscal_year=2014)

    with refused_by_database("annual_figures_unique_society_year"):
        AnnualFiguresFactory(society=figures.society, fiscal_year=2015)

    duplicate = AnnualFiguresFactory.build(society=figures.society, fiscal_year=2015)
    assert NON_FIELD_ERRORS in validation_errors(duplicate)


def test_one_row_of_figures_per_center_and_fiscal_year():
    center = BusinessCenterFactory()
    AnnualFiguresFactory(society=None, business_center=center, fiscal_year=2015)

    with refused_by_database("annual_figures_unique_center_year"):
        AnnualFiguresFactory(society=None, business_center=center, fiscal_year=2015)

    duplicate = AnnualFiguresFactory.build(society=None, business_center=center, fiscal_year=2015)
    assert NON_FIELD_ERRORS in validation_errors(duplicate)


def test_a_society_and_its_center_each_have_their_own_figures_for_the_same_year():
    center = BusinessCenterFactory()
    AnnualFiguresFactory(society=center.society, fiscal_year=2015)
    figures = AnnualFiguresFactory.build(society=None, business_center=center, fiscal_year=2015)

    figures.full_clean()
    figures.save()

    assert AnnualFigures.objects.filter(fiscal_year=2015).count() == 2


def test_fiscal_year_stays_within_a_plausible_range():
    with refused_by_database("annual_figures_fiscal_year_range"):
        AnnualFiguresFactory(fiscal_year=15)


# Indicators


def test_a_national_indicator_names_no_center():
    with refused_by_database("indicator_scope_matches_owner"):
        IndicatorFactory(scope=IndicatorScope.NATIONAL, business_center=BusinessCenterFactory())


def test_a_center_indicator_names_its_center():
    with refused_by_database("indicator_scope_matches_owner"):
        IndicatorFactory(scope=IndicatorScope.BUSINESS_CENTER, business_center=None)

    indicator = IndicatorFactory.build(scope=IndicatorScope.BUSINESS_CENTER, business_center=None)
    assert validation_errors(indicator) == {
        NON_FIELD_ERRORS: ["A center's indicator names its center; a national one names none."]
    }


def test_a_national_indicator_code_is_unique_but_centers_may_share_one():
    IndicatorFactory(code="relative-poverty-rate")
    with refused_by_database("indicator_national_code_unique"):
        IndicatorFactory(code="relative-poverty-rate")

    for center in BusinessCenterFactory.create_batch(2):
        IndicatorFactory(code="used-oil-litres-per-day", scope=IndicatorScope.BUSINESS_CENTER, business_center=center)

    assert Indicator.objects.filter(code="used-oil-litres-per-day").count() == 2


def test_union_programme_needs_no_center():
    programme = ProgrammeFactory.build(union=UnionFactory(), business_center=None)

    programme.full_clean()
    programme.save()

    assert Programme.objects.filter(business_center__isnull=True).count() == 1
