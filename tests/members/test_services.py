import datetime

import pytest
from django.core.exceptions import ValidationError

from members.services import consent_withdraw, inclusion_record, member_move
from tests.factories import (
    BusinessCenterFactory,
    InclusionCategoryFactory,
    MemberInclusionFactory,
    WorkerMemberFactory,
)

pytestmark = pytest.mark.django_db


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
