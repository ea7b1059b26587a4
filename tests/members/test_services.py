import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from jwcu.audit import Channel, acting
from jwcu.services import StaleRecordError, record_update
from members.models import LeaveReason, MemberInclusion, MembershipReport, WorkerMember
from members.services import (
    consent_record,
    consent_withdraw,
    inclusion_record,
    member_create,
    member_leave,
    member_move,
    member_update,
    membership_report_record,
    society_leave_union,
)
from tests.factories import (
    BusinessCenterFactory,
    ConsentRecordFactory,
    InclusionCategoryFactory,
    MemberInclusionFactory,
    MemberSocietyFactory,
    UnionFactory,
    WorkerMemberFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(username="staff", password="secret")


def member_fields(**overrides):
    return {
        "family_name": "佐藤",
        "given_name": "健",
        "birth_date": datetime.date(1985, 6, 1),
        "joined_on": datetime.date(2015, 4, 1),
        **overrides,
    }


# member_create


def test_member_create_saves_the_member_with_a_history_row_of_its_channel_and_user(staff):
    society = MemberSocietyFactory()

    with acting(channel=Channel.BROWSER, user=staff):
        member = member_create(society=society, member_number="C-100", **member_fields())

    assert WorkerMember.objects.get(society=society, member_number="C-100") == member
    history = member.history.get()
    assert history.history_type == "+"
    assert history.history_channel == Channel.BROWSER
    assert history.history_user == staff


def test_member_create_refuses_a_center_of_another_society():
    society = MemberSocietyFactory()

    with pytest.raises(ValidationError) as excinfo:
        member_create(
            society=society, member_number="C-100", business_center=BusinessCenterFactory(), **member_fields()
        )

    assert excinfo.value.message_dict == {"business_center": ["This business center belongs to another society."]}
    assert not WorkerMember.objects.exists()


def test_member_create_refuses_a_number_already_used_in_the_society():
    existing = WorkerMemberFactory(member_number="C-100")

    with pytest.raises(ValidationError):
        member_create(society=existing.society, member_number="C-100", **member_fields())

    assert WorkerMember.objects.count() == 1


# member_update


def test_member_update_changes_the_record_and_adds_a_history_row_of_its_channel(staff):
    member = WorkerMemberFactory(family_name="山田")

    with acting(channel=Channel.API, user=staff):
        updated = member_update(member, expected_version=member.version, family_name="田中")

    assert WorkerMember.objects.get(pk=member.pk).family_name == "田中"
    assert updated.version == member.version + 1
    latest = updated.history.latest()
    assert (latest.history_type, latest.family_name, latest.history_channel, latest.history_user) == (
        "~",
        "田中",
        Channel.API,
        staff,
    )
    assert updated.history.count() == 2


def test_member_cannot_be_moved_to_another_society():
    member = WorkerMemberFactory()
    original_society = member.society

    with pytest.raises(ValidationError) as excinfo:
        member_update(member, society=MemberSocietyFactory())

    assert "society" in excinfo.value.message_dict
    assert WorkerMember.objects.get(pk=member.pk).society == original_society


def test_a_failed_update_changes_nothing_and_writes_no_history():
    member = WorkerMemberFactory(family_name="山田", joined_on=datetime.date(2010, 4, 1))

    with pytest.raises(ValidationError):
        member_update(member, family_name="田中", left_on=datetime.date(2009, 1, 1))

    stored = WorkerMember.objects.get(pk=member.pk)
    assert (stored.family_name, stored.left_on, stored.version) == ("山田", None, 1)
    assert member.history.count() == 1


def test_a_stale_edit_is_refused_with_what_changed_and_nothing_is_applied():
    member = WorkerMemberFactory(family_name="山田", given_name="花子")
    seen_by_second_editor = WorkerMember.objects.get(pk=member.pk)
    member_update(member, expected_version=member.version, family_name="田中")

    with pytest.raises(StaleRecordError) as excinfo:
        member_update(seen_by_second_editor, expected_version=seen_by_second_editor.version, given_name="春子")

    assert excinfo.value.changed_fields == {"family_name": ("山田", "田中")}
    assert excinfo.value.expected_version == 1
    assert excinfo.value.current.version == 2
    stored = WorkerMember.objects.get(pk=member.pk)
    assert (stored.family_name, stored.given_name, stored.version) == ("田中", "花子", 2)
    assert member.history.count() == 2


def test_an_edit_at_the_current_version_is_applied():
    member = WorkerMemberFactory()
    member_update(member, family_name="田中")
    current = WorkerMember.objects.get(pk=member.pk)

    record_update(current, expected_version=current.version, given_name="春子")

    assert WorkerMember.objects.get(pk=member.pk).given_name == "春子"


# member_leave


def test_member_leave_sets_the_date_and_reason_and_keeps_the_row(staff):
    member = WorkerMemberFactory(joined_on=datetime.date(2010, 4, 1))

    with acting(channel=Channel.BROWSER, user=staff):
        member_leave(member, left_on=datetime.date(2016, 3, 31), reason=LeaveReason.RETIREMENT)

    stored = WorkerMember.objects.get(pk=member.pk)
    assert (stored.left_on, stored.leave_reason) == (datetime.date(2016, 3, 31), "retirement")
    latest = stored.history.latest()
    assert (latest.left_on, latest.history_channel, latest.history_user) == (
        datetime.date(2016, 3, 31),
        Channel.BROWSER,
        staff,
    )


def test_a_member_who_has_left_cannot_leave_again():
    member = WorkerMemberFactory(left_on=datetime.date(2015, 3, 31), leave_reason="resignation")

    with pytest.raises(ValidationError) as excinfo:
        member_leave(member, left_on=datetime.date(2016, 3, 31), reason=LeaveReason.RETIREMENT)

    assert excinfo.value.message_dict == {"left_on": ["This member has already left."]}
    stored = WorkerMember.objects.get(pk=member.pk)
    assert (stored.left_on, stored.leave_reason) == (datetime.date(2015, 3, 31), "resignation")
    assert member.history.count() == 1


@pytest.mark.parametrize("reason", ["", "fired", None])
def test_member_leave_needs_a_known_reason(reason):
    member = WorkerMemberFactory()

    with pytest.raises(ValidationError) as excinfo:
        member_leave(member, left_on=datetime.date(2016, 3, 31), reason=reason)

    assert excinfo.value.message_dict == {"leave_reason": ["Choose a reason for leaving."]}
    assert WorkerMember.objects.get(pk=member.pk).left_on is None


def test_member_cannot_leave_before_joining():
    member = WorkerMemberFactory(joined_on=datetime.date(2010, 4, 1))

    with pytest.raises(ValidationError) as excinfo:
        member_leave(member, left_on=datetime.date(2010, 3, 31), reason=LeaveReason.RESIGNATION)

    assert excinfo.value.message_dict == {"left_on": ["The end date cannot be before the start date."]}
    assert WorkerMember.objects.get(pk=member.pk).left_on is None


# Societies and reported membership


def test_a_society_leaves_the_union_once():
    society = MemberSocietyFactory(joined_union_on=datetime.date(1990, 1, 1))

    society_leave_union(society, left_on=datetime.date(2016, 3, 31))

    society.refresh_from_db()
    assert society.left_union_on == datetime.date(2016, 3, 31)
    with pytest.raises(ValidationError):
        society_leave_union(society, left_on=datetime.date(2017, 3, 31))
    society.refresh_from_db()
    assert society.left_union_on == datetime.date(2016, 3, 31)


def test_membership_report_is_refused_for_a_society_that_registers_individuals():
    society = MemberSocietyFactory(registers_individuals=True)

    with pytest.raises(ValidationError) as excinfo:
        membership_report_record(society=society, as_of=datetime.date(2015, 3, 31), members=10)

    assert list(excinfo.value.message_dict) == ["society"]
    assert not MembershipReport.objects.exists()


def test_membership_report_is_recorded_for_a_society_that_reports_counts():
    society = MemberSocietyFactory(registers_individuals=False)

    report = membership_report_record(
        society=society, as_of=datetime.date(2015, 3, 31), members=45_799, worker_members=0, source="2016 EGM"
    )

    assert MembershipReport.objects.get(society=society).members == 45_799
    assert report.history.count() == 1


# Consent and inclusion


def test_inclusion_is_refused_without_consent():
    member = WorkerMemberFactory()

    with pytest.raises(ValidationError) as excinfo:
        inclusion_record(member=member, category=InclusionCategoryFactory(), consent=None)

    assert excinfo.value.message_dict == {"consent": ["Record the member's consent before recording this information."]}
    assert not MemberInclusion.objects.exists()


def test_inclusion_is_refused_under_a_withdrawn_consent():
    consent = ConsentRecordFactory(given_on=datetime.date(2014, 4, 1), withdrawn_on=datetime.date(2015, 4, 1))

    with pytest.raises(ValidationError) as excinfo:
        inclusion_record(member=consent.member, category=InclusionCategoryFactory(), consent=consent)

    assert excinfo.value.message_dict == {"consent": ["This consent has been withdrawn."]}
    assert not MemberInclusion.objects.exists()


def test_inclusion_is_refused_under_another_members_consent():
    member = WorkerMemberFactory()

    with pytest.raises(ValidationError) as excinfo:
        inclusion_record(member=member, category=InclusionCategoryFactory(), consent=ConsentRecordFactory())

    assert excinfo.value.message_dict == {"consent": ["This consent was given by another member."]}
    assert not MemberInclusion.objects.exists()


def test_inclusion_is_recorded_under_the_members_current_consent(staff):
    member = WorkerMemberFactory()
    consent = consent_record(
        member=member, given_on=datetime.date(2014, 4, 1), scope="inclusion_records", reference="DOC-1"
    )

    with acting(channel=Channel.BROWSER, user=staff):
        inclusion = inclusion_record(
            member=member,
            category=InclusionCategoryFactory(),
            consent=consent,
            since=datetime.date(2014, 5, 1),
            certificate_held=True,
            recorded_by=staff,
        )

    stored = MemberInclusion.objects.get(member=member)
    assert stored == inclusion
    assert (stored.consent, stored.certificate_held, stored.recorded_by) == (consent, True, staff)
    assert stored.history.get().history_user == staff


def test_withdrawing_consent_ends_the_inclusions_held_under_it():
    member = WorkerMemberFactory()
    consent = ConsentRecordFactory(member=member)
    open_inclusion = MemberInclusionFactory(member=member, consent=consent, since=datetime.date(2014, 5, 1))
    already_ended = MemberInclusionFactory(
        member=member, consent=consent, since=datetime.date(2014, 5, 1), ended_on=datetime.date(2015, 1, 31)
    )
    under_another_consent = MemberInclusionFactory(
        member=member, consent=ConsentRecordFactory(member=member), since=datetime.date(2014, 5, 1)
    )

    consent_withdraw(consent, withdrawn_on=datetime.date(2016, 3, 31))

    consent.refresh_from_db()
    assert consent.withdrawn_on == datetime.date(2016, 3, 31)
    ended_on = dict(MemberInclusion.objects.values_list("pk", "ended_on"))
    assert ended_on == {
        open_inclusion.pk: datetime.date(2016, 3, 31),
        already_ended.pk: datetime.date(2015, 1, 31),
        under_another_consent.pk: None,
    }
    assert open_inclusion.history.count() == 2
    assert already_ended.history.count() == 1


def test_withdrawing_consent_ends_an_inclusion_that_began_later_on_its_first_day():
    consent = ConsentRecordFactory(given_on=datetime.date(2014, 4, 1))
    inclusion = MemberInclusionFactory(member=consent.member, consent=consent, since=datetime.date(2016, 6, 1))

    consent_withdraw(consent, withdrawn_on=datetime.date(2016, 3, 31))

    inclusion.refresh_from_db()
    assert inclusion.ended_on == datetime.date(2016, 6, 1)


def test_a_failed_withdrawal_changes_nothing():
    consent = ConsentRecordFactory(given_on=datetime.date(2014, 4, 1))
    inclusion = MemberInclusionFactory(member=consent.member, consent=consent, since=datetime.date(2014, 5, 1))

    with pytest.raises(ValidationError):
        consent_withdraw(consent, withdrawn_on=datetime.date(2014, 3, 1))

    consent.refresh_from_db()
    inclusion.refresh_from_db()
    assert (consent.withdrawn_on, inclusion.ended_on) == (None, None)
    assert inclusion.history.count() == 1


def test_a_stale_copy_cannot_overwrite_an_earlier_leaving():
    member = WorkerMemberFactory()
    stale_copy = WorkerMember.objects.get(pk=member.pk)
    member_leave(member, left_on=datetime.date(2015, 3, 31), reason="retirement")
    with pytest.raises(ValidationError) as error:
        member_leave(stale_copy, left_on=datetime.date(2016, 1, 1), reason="resignation")
    assert "left_on" in error.value.message_dict
    member.refresh_from_db()
    assert (member.left_on, member.leave_reason) == (datetime.date(2015, 3, 31), "retirement")


def test_a_period_ending_before_it_starts_is_an_error_of_the_end_field():
    member = WorkerMemberFactory.build(
        society=MemberSocietyFactory(), joined_on=datetime.date(2015, 4, 1), left_on=datetime.date(2015, 3, 31)
    )
    with pytest.raises(ValidationError) as error:
        member.full_clean()
    assert error.value.message_dict["left_on"] == ["The end date cannot be before the start date."]
    assert "__all__" not in error.value.message_dict


def test_a_code_with_a_trailing_newline_is_refused():
    # Python's "$" lets the newline through the field validator; the database rule does not.
    society = MemberSocietyFactory.build(union=UnionFactory(), code="west-nara\n")
    with pytest.raises(ValidationError):
        society.full_clean()


def test_withdrawing_consent_ends_its_inclusions_and_no_new_one_can_use_it():
    inclusion = MemberInclusionFactory(since=datetime.date(2020, 4, 1))
    consent_withdraw(inclusion.consent, withdrawn_on=datetime.date(2024, 6, 30))
    inclusion.refresh_from_db()
    assert inclusion.ended_on == datetime.date(2024, 6, 30)
    with pytest.raises(ValidationError) as refused:
        inclusion_record(member=inclusion.member, category=InclusionCategoryFactory(), consent=inclusion.consent)
    assert "consent" in refused.value.message_dict


def test_an_inclusion_without_consent_is_refused():
    member = WorkerMemberFactory()
    with pytest.raises(ValidationError) as refused:
        inclusion_record(member=member, category=InclusionCategoryFactory(), consent=None)
    assert "consent" in refused.value.message_dict
    assert not member.inclusions.exists()


def test_moves_keep_every_period():
    first = BusinessCenterFactory(code="first")
    member = WorkerMemberFactory(society=first.society, business_center=first, joined_on=datetime.date(2010, 4, 1))
    second = BusinessCenterFactory(society=member.society, code="second")
    third = BusinessCenterFactory(society=member.society, code="third")
    member = member_move(member, business_center=second, moved_on=datetime.date(2015, 4, 1))
    member_move(member, business_center=third, moved_on=datetime.date(2018, 10, 1))
    periods = list(
        member.placements.order_by("started_on").values_list("business_center__code", "started_on", "ended_on")
    )
    assert periods == [
        ("first", datetime.date(2010, 4, 1), datetime.date(2015, 4, 1)),
        ("second", datetime.date(2015, 4, 1), datetime.date(2018, 10, 1)),
        ("third", datetime.date(2018, 10, 1), None),
    ]


def test_a_move_to_another_society_is_refused():
    center = BusinessCenterFactory()
    member = WorkerMemberFactory(society=center.society, business_center=center)
    elsewhere = BusinessCenterFactory()
    with pytest.raises(ValidationError):
        member_move(member, business_center=elsewhere, moved_on=datetime.date(2015, 4, 1))
    assert not member.placements.exists()
