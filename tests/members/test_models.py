"""Each rule of the members app refuses bad data in the database itself (whatever writes to it:
an import, a raw update, a future bug) and, where the model validates it, with a clear message
on the field through ``full_clean()``."""

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS

from members.models import MemberInclusion, MembershipReport, MemberSociety, Union, WorkerMember
from tests.factories import (
    BusinessCenterFactory,
    ConsentRecordFactory,
    InclusionCategoryFactory,
    MemberInclusionFactory,
    MembershipReportFactory,
    MemberSocietyFactory,
    PartnerFactory,
    UnionFactory,
    WorkerMemberFactory,
)
from tests.helpers import END_BEFORE_START, refused_by_database, validation_errors

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


# Codes


@pytest.mark.parametrize(
    ("factory", "constraint"),
    [
        (UnionFactory, "members_union_code_key"),
        (MemberSocietyFactory, "members_membersociety_code_key"),
        (PartnerFactory, "members_partner_code_key"),
        (InclusionCategoryFactory, "members_inclusioncategory_code_key"),
    ],
)
def test_code_is_unique(factory, constraint):
    factory(code="cwc")

    with refused_by_database(constraint):
        factory(code="cwc")


def test_duplicate_code_is_reported_on_the_code_field():
    UnionFactory(code="jwcu")

    errors = validation_errors(UnionFactory.build(code="jwcu"))

    assert errors == {"code": ["Union with this Code already exists."]}


@pytest.mark.parametrize("code", ["West-Nara", "west_nara", "west nara", "west--nara", "-west", "west-", "西奈良", ""])
def test_union_code_must_be_a_lower_case_slug(code):
    union = UnionFactory()

    with refused_by_database("union_code_format"):
        Union.objects.filter(pk=union.pk).update(code=code)


@pytest.mark.parametrize(
    ("factory", "constraint"),
    [
        (MemberSocietyFactory, "society_code_format"),
        (PartnerFactory, "partner_code_format"),
        (InclusionCategoryFactory, "inclusion_category_code_format"),
    ],
)
def test_every_code_must_be_a_lower_case_slug(factory, constraint):
    with refused_by_database(constraint):
        factory(code="West_Nara")


def test_code_format_is_explained_on_the_code_field():
    society = MemberSocietyFactory()
    society.code = "West Nara"

    errors = validation_errors(society)

    assert errors["code"] == ["Use lower-case letters, digits and single hyphens, e.g. west-nara."]


def test_a_well_formed_code_is_accepted():
    union = UnionFactory.build(code="next-green-tajima2")

    union.full_clean()
    union.save()

    assert Union.objects.get(code="next-green-tajima2") == union


# Member numbers


def test_member_number_is_unique_within_a_society():
    society = MemberSocietyFactory()
    WorkerMemberFactory(society=society, member_number="A-001")

    with refused_by_database("member_number_unique_in_society"):
        WorkerMemberFactory(society=society, member_number="A-001")


def test_the_same_member_number_is_fine_in_another_society():
    WorkerMemberFactory(member_number="A-001")
    other = WorkerMemberFactory.build(society=MemberSocietyFactory(), member_number="A-001")

    other.full_clean()
    other.save()

    assert WorkerMember.objects.filter(member_number="A-001").count() == 2


def test_duplicate_member_number_is_refused_by_full_clean():
    first = WorkerMemberFactory(member_number="A-001")

    errors = validation_errors(WorkerMemberFactory.build(society=first.society, member_number="A-001"))

    assert errors == {NON_FIELD_ERRORS: ["Worker member with this Society and Member number already exists."]}


def test_member_number_cannot_be_empty():
    with refused_by_database("member_number_not_empty"):
        WorkerMemberFactory(member_number="")


# Periods: start <= end


def test_society_cannot_leave_the_union_before_joining():
    society = MemberSocietyFactory(joined_union_on=datetime.date(2000, 4, 1))

    with refused_by_database("society_joined_before_left"):
        MemberSociety.objects.filter(pk=society.pk).update(left_union_on=datetime.date(2000, 3, 31))

    society.left_union_on = datetime.date(2000, 3, 31)
    assert validation_errors(society) == {"left_union_on": [END_BEFORE_START]}


def test_society_may_join_and_leave_on_the_same_day():
    society = MemberSocietyFactory(joined_union_on=datetime.date(2000, 4, 1))
    society.left_union_on = datetime.date(2000, 4, 1)

    society.full_clean()
    society.save()

    assert MemberSociety.objects.get(pk=society.pk).left_union_on == datetime.date(2000, 4, 1)


def test_society_cannot_join_the_union_before_it_was_established():
    with refused_by_database("society_established_before_joined"):
        MemberSocietyFactory(established_on=datetime.date(2001, 1, 1), joined_union_on=datetime.date(2000, 1, 1))


def test_member_cannot_leave_before_joining():
    member = WorkerMemberFactory(joined_on=datetime.date(2010, 4, 1))

    with refused_by_database("member_joined_before_left"):
        WorkerMember.objects.filter(pk=member.pk).update(left_on=datetime.date(2010, 3, 31))

    member.left_on = datetime.date(2010, 3, 31)
    assert validation_errors(member) == {"left_on": [END_BEFORE_START]}


def test_consent_cannot_be_withdrawn_before_it_was_given():
    with refused_by_database("consent_given_before_withdrawn"):
        ConsentRecordFactory(given_on=datetime.date(2014, 4, 1), withdrawn_on=datetime.date(2014, 3, 1))

    consent = ConsentRecordFactory(given_on=datetime.date(2014, 4, 1))
    consent.withdrawn_on = datetime.date(2014, 3, 1)
    assert validation_errors(consent) == {"withdrawn_on": [END_BEFORE_START]}


def test_inclusion_cannot_end_before_it_began():
    with refused_by_database("member_inclusion_since_before_end"):
        MemberInclusionFactory(since=datetime.date(2015, 1, 1), ended_on=datetime.date(2014, 12, 31))

    inclusion = MemberInclusionFactory(since=datetime.date(2015, 1, 1))
    inclusion.ended_on = datetime.date(2014, 12, 31)
    assert validation_errors(inclusion) == {"ended_on": [END_BEFORE_START]}


def test_inclusion_with_an_unknown_start_may_end():
    inclusion = MemberInclusionFactory(since=None)
    inclusion.ended_on = datetime.date(2015, 1, 1)

    inclusion.full_clean()
    inclusion.save()

    assert MemberInclusion.objects.get(pk=inclusion.pk).ended_on == datetime.date(2015, 1, 1)


# Leaving


def test_a_reason_for_leaving_needs_a_date_of_leaving():
    with refused_by_database("member_leave_reason_needs_left_on"):
        WorkerMemberFactory(leave_reason="retirement", left_on=None)

    member = WorkerMemberFactory()
    member.leave_reason = "retirement"
    assert validation_errors(member) == {"leave_reason": ["A reason for leaving needs a date of leaving."]}


# Yen


def test_capital_contribution_cannot_be_negative():
    with refused_by_database("member_capital_non_negative"):
        WorkerMemberFactory(capital_contribution_yen=-1)

    member = WorkerMemberFactory()
    member.capital_contribution_yen = -1
    assert validation_errors(member) == {
        "capital_contribution_yen": ["Ensure this value is greater than or equal to 0."]
    }


def test_weekly_hours_stay_within_a_week():
    with refused_by_database("member_weekly_hours_valid"):
        WorkerMemberFactory(weekly_hours=169)


# Prefectures


@pytest.mark.parametrize("prefecture", ["00", "48", "1", "99"])
def test_society_prefecture_must_be_a_jis_code(prefecture):
    with refused_by_database("society_prefecture_valid"):
        MemberSocietyFactory(prefecture=prefecture)


def test_society_prefecture_error_is_on_the_field():
    society = MemberSocietyFactory()
    society.prefecture = "48"

    assert validation_errors(society) == {"prefecture": ["Value '48' is not a valid choice."]}


@pytest.mark.parametrize("prefecture", ["01", "47", ""])
def test_society_prefecture_accepts_01_to_47_or_none_for_a_national_body(prefecture):
    society = MemberSocietyFactory.build(union=UnionFactory(), prefecture=prefecture)

    society.full_clean()
    society.save()

    assert MemberSociety.objects.get(pk=society.pk).prefecture == prefecture


def test_fiscal_year_end_month_is_a_month():
    with refused_by_database("society_fiscal_month_valid"):
        MemberSocietyFactory(fiscal_year_end_month=13)


# A member's workplace


def test_member_center_must_belong_to_the_member_society():
    other_center = BusinessCenterFactory()
    society = MemberSocietyFactory()

    with refused_by_database("member_center_in_member_society"):
        WorkerMemberFactory(society=society, business_center=other_center)

    member = WorkerMemberFactory(society=society)
    member.business_center = other_center
    assert validation_errors(member) == {"business_center": ["This business center belongs to another society."]}


def test_moving_a_center_to_another_society_is_refused_while_members_work_there():
    center = BusinessCenterFactory()
    WorkerMemberFactory(society=center.society, business_center=center)

    with refused_by_database("member_center_in_member_society"):
        type(center).objects.filter(pk=center.pk).update(society=MemberSocietyFactory())


def test_member_of_a_center_of_their_own_society_is_accepted():
    center = BusinessCenterFactory()
    member = WorkerMemberFactory.build(society=center.society, business_center=center)

    member.full_clean()
    member.save()

    assert list(center.people.all()) == [member]


# Consent and inclusion


def test_inclusion_consent_must_be_given_by_the_same_member():
    member = WorkerMemberFactory()
    someone_elses_consent = ConsentRecordFactory()

    with refused_by_database("member_inclusion_consent_of_member"):
        MemberInclusionFactory(member=member, consent=someone_elses_consent)

    inclusion = MemberInclusionFactory.build(
        member=member, consent=someone_elses_consent, category=InclusionCategoryFactory()
    )
    assert validation_errors(inclusion) == {"consent": ["This consent was given by another member."]}


def test_one_inclusion_record_per_member_and_category():
    inclusion = MemberInclusionFactory()

    with refused_by_database("member_inclusion_unique"):
        MemberInclusionFactory(member=inclusion.member, category=inclusion.category, consent=inclusion.consent)


def test_consent_needs_a_reference():
    with refused_by_database("consent_reference_not_empty"):
        ConsentRecordFactory(reference="")


# Reported membership


def test_reported_worker_members_cannot_exceed_members():
    with refused_by_database("membership_report_workers_within_members"):
        MembershipReportFactory(members=10, worker_members=11)

    report = MembershipReportFactory(members=10, worker_members=10)
    report.worker_members = 11
    assert validation_errors(report) == {NON_FIELD_ERRORS: ["Worker members cannot exceed individual members."]}


def test_one_membership_report_per_society_and_day():
    report = MembershipReportFactory(as_of=datetime.date(2015, 3, 31))
    MembershipReportFactory(society=report.society, as_of=datetime.date(2016, 3, 31))

    with refused_by_database("membership_report_unique_per_day"):
        MembershipReportFactory(society=report.society, as_of=datetime.date(2015, 3, 31))

    assert MembershipReport.objects.filter(society=report.society).count() == 2


def test_a_society_that_registers_individuals_reports_no_counts():
    report = MembershipReportFactory.build(society=MemberSocietyFactory(registers_individuals=True))

    assert validation_errors(report) == {
        "society": ["This society registers its members one by one; their count is not reported."]
    }


# Partners


def test_a_partnership_needs_a_level():
    with refused_by_database("partner_partnership_has_level"):
        PartnerFactory(relation="partnership", level="")

    partner = PartnerFactory(relation="partnership")
    partner.level = ""
    assert validation_errors(partner) == {
        NON_FIELD_ERRORS: ["A partnership needs a level (global, regional/sectoral, national)."]
    }


def test_a_related_institution_needs_no_level():
    partner = PartnerFactory.build(union=UnionFactory(), relation="related_institution", level="")

    partner.full_clean()
    partner.save()

    assert partner.pk is not None
