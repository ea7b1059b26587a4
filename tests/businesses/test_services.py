import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from businesses.models import AnnualFigures, BusinessCenter, BusinessLine
from businesses.services import annual_figures_record, center_close, center_create, center_set_business_lines
from jwcu.audit import Channel, acting
from jwcu.services import StaleRecordError, record_upsert
from tests.factories import (
    BusinessCenterFactory,
    BusinessLineFactory,
    HeadOfficeFactory,
    MemberSocietyFactory,
    WorkerMemberFactory,
)

pytestmark = pytest.mark.django_db

CLOSING_DAY = datetime.date(2016, 3, 31)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def center_fields(society, **overrides):
    return {
        "society": society,
        "code": "west-nara",
        "name": "West Nara Business Center",
        "prefecture": "29",
        "municipality": "Nara City",
        "opened_on": datetime.date(1994, 4, 1),
        **overrides,
    }


# center_create


def test_center_create_saves_the_center_with_its_business_lines():
    society = MemberSocietyFactory()
    lines = [BusinessLineFactory(code="elderly-care"), BusinessLineFactory(code="children-and-parents")]

    center = center_create(business_lines=lines, **center_fields(society))

    stored = BusinessCenter.objects.get(code="west-nara")
    assert stored == center
    assert set(stored.business_lines.values_list("code", flat=True)) == {"elderly-care", "children-and-parents"}


def test_center_create_refuses_a_head_office_of_another_society():
    society = MemberSocietyFactory()

    with pytest.raises(ValidationError) as excinfo:
        center_create(**center_fields(society, head_office=HeadOfficeFactory()))

    assert excinfo.value.message_dict == {"head_office": ["This head office belongs to another society."]}
    assert not BusinessCenter.objects.exists()


def test_a_failed_center_create_leaves_no_center_behind():
    society = MemberSocietyFactory()
    unsaved_line = BusinessLine(code="not-saved", name="Not saved")

    with pytest.raises(ValueError, match="Cannot add"):
        center_create(business_lines=[unsaved_line], **center_fields(society))

    assert not BusinessCenter.objects.exists()


def test_changing_business_lines_is_recorded_and_an_identical_set_is_not():
    center = BusinessCenterFactory()
    line = BusinessLineFactory(code="clean-energy")

    assert center_set_business_lines(center, business_lines=[line]) is True
    assert center_set_business_lines(center, business_lines=[line]) is False

    assert list(center.business_lines.values_list("code", flat=True)) == ["clean-energy"]
    assert center.history.count() == 2


# center_close


def test_center_close_is_refused_while_members_are_active_there():
    center = BusinessCenterFactory()
    WorkerMemberFactory(society=center.society, business_center=center, left_on=None)

    with pytest.raises(ValidationError) as excinfo:
        center_close(center, closed_on=CLOSING_DAY)

    assert list(excinfo.value.message_dict) == ["closed_on"]
    assert BusinessCenter.objects.get(pk=center.pk).closed_on is None


def test_center_close_is_refused_while_a_member_leaves_only_after_the_closing_day():
    center = BusinessCenterFactory()
    WorkerMemberFactory(
        society=center.society, business_center=center, left_on=CLOSING_DAY + datetime.timedelta(days=1)
    )

    with pytest.raises(ValidationError):
        center_close(center, closed_on=CLOSING_DAY)


def test_center_closes_once_its_members_have_left_by_the_closing_day():
    center = BusinessCenterFactory()
    WorkerMemberFactory(society=center.society, business_center=center, left_on=CLOSING_DAY)
    WorkerMemberFactory(society=center.society, business_center=center, left_on=datetime.date(2015, 1, 1))

    with acting(channel=Channel.BROWSER):
        center_close(center, closed_on=CLOSING_DAY)

    stored = BusinessCenter.objects.get(pk=center.pk)
    assert stored.closed_on == CLOSING_DAY
    assert stored.history.latest().history_channel == Channel.BROWSER


def test_a_closed_center_cannot_be_closed_again():
    center = BusinessCenterFactory(closed_on=datetime.date(2015, 3, 31))

    with pytest.raises(ValidationError):
        center_close(center, closed_on=CLOSING_DAY)

    assert BusinessCenter.objects.get(pk=center.pk).closed_on == datetime.date(2015, 3, 31)


def test_center_close_on_a_stale_version_is_refused():
    center = BusinessCenterFactory(name="Ajisai")
    seen = BusinessCenter.objects.get(pk=center.pk)
    BusinessCenter.objects.get(pk=center.pk).save()

    with pytest.raises(StaleRecordError):
        center_close(seen, closed_on=CLOSING_DAY, expected_version=seen.version)

    assert BusinessCenter.objects.get(pk=center.pk).closed_on is None


# annual_figures_record


def test_annual_figures_record_creates_the_figures_of_a_society():
    society = MemberSocietyFactory()

    annual_figures_record(society=society, fiscal_year=2015, turnover_yen=19_000_000_000, wages_yen=9_000_000_000)

    stored = AnnualFigures.objects.get(society=society, fiscal_year=2015)
    assert (stored.turnover_yen, stored.wages_yen) == (19_000_000_000, 9_000_000_000)


def test_recording_the_same_figures_again_writes_no_new_history():
    society = MemberSocietyFactory()
    figures = annual_figures_record(society=society, fiscal_year=2015, turnover_yen=19_000_000_000)

    again = annual_figures_record(society=society, fiscal_year=2015, turnover_yen=19_000_000_000)

    assert again.pk == figures.pk
    assert AnnualFigures.objects.count() == 1
    assert figures.history.count() == 1
    assert AnnualFigures.objects.get().version == 1


def test_a_corrected_figure_updates_the_same_row_with_history():
    center = BusinessCenterFactory()
    figures = annual_figures_record(business_center=center, fiscal_year=2015, turnover_yen=100_000_000)

    annual_figures_record(business_center=center, fiscal_year=2015, turnover_yen=120_000_000)

    stored = AnnualFigures.objects.get()
    assert stored.pk == figures.pk
    assert (stored.turnover_yen, stored.version) == (120_000_000, 2)
    assert [row.turnover_yen for row in stored.history.order_by("history_date")] == [100_000_000, 120_000_000]


def test_figures_of_another_year_are_a_new_row():
    society = MemberSocietyFactory()
    annual_figures_record(society=society, fiscal_year=2014, turnover_yen=1)

    annual_figures_record(society=society, fiscal_year=2015, turnover_yen=2)

    assert dict(AnnualFigures.objects.values_list("fiscal_year", "turnover_yen")) == {2014: 1, 2015: 2}


def test_annual_figures_need_exactly_one_owner():
    center = BusinessCenterFactory()

    with pytest.raises(ValidationError):
        annual_figures_record(society=center.society, business_center=center, fiscal_year=2015, turnover_yen=1)
    with pytest.raises(ValidationError):
        annual_figures_record(fiscal_year=2015, turnover_yen=1)

    assert not AnnualFigures.objects.exists()


def test_negative_turnover_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        annual_figures_record(society=MemberSocietyFactory(), fiscal_year=2015, turnover_yen=-1)

    assert list(excinfo.value.message_dict) == ["turnover_yen"]
    assert not AnnualFigures.objects.exists()


# record_upsert


def test_record_upsert_reports_created_then_unchanged_then_updated():
    society = MemberSocietyFactory()
    lookup = {"society": society, "business_center": None, "fiscal_year": 2015}

    first, created = record_upsert(AnnualFigures, lookup=lookup, values={"turnover_yen": 5, "source": "report"})
    same, unchanged = record_upsert(AnnualFigures, lookup=lookup, values={"turnover_yen": 5, "source": "report"})
    corrected, updated = record_upsert(AnnualFigures, lookup=lookup, values={"turnover_yen": 6, "source": "report"})

    assert (created, unchanged, updated) == ("created", "unchanged", "updated")
    assert first.pk == same.pk == corrected.pk
    assert AnnualFigures.objects.get().turnover_yen == 6
    assert first.history.count() == 2
