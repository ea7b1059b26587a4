"""Every write to unions, societies, members, consents and inclusion records."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jwcu.services import locked_current, record_create, record_update, records_bulk_create, records_bulk_update
from members.models import (
    ConsentRecord,
    InclusionCategory,
    LeaveReason,
    MemberInclusion,
    MembershipReport,
    MemberSociety,
    Placement,
    WorkerMember,
)


def society_leave_union(society: MemberSociety, *, left_on: datetime.date, expected_version: int | None = None):
    def not_yet_left(current: MemberSociety):
        if current.left_union_on is not None:
            raise ValidationError({"left_union_on": _("This society has already left the union.")})

    return record_update(society, expected_version=expected_version, precondition=not_yet_left, left_union_on=left_on)


def membership_report_record(
    *, society: MemberSociety, as_of: datetime.date, members: int, worker_members: int = 0, source: str = ""
) -> MembershipReport:
    return record_create(
        MembershipReport, society=society, as_of=as_of, members=members, worker_members=worker_members, source=source
    )


def member_create(*, society: MemberSociety, member_number: str, **fields) -> WorkerMember:
    return record_create(WorkerMember, society=society, member_number=member_number, **fields)


# The fields a society and a partner are created with (staff pages and API alike); after creation
# their union and code identify them (IDENTITY_FIELDS).
SOCIETY_FIELDS = [
    "union",
    "code",
    "name",
    "name_ja",
    "kind",
    "legal_form",
    "ilo_type",
    "prefecture",
    "established_on",
    "joined_union_on",
    "registers_individuals",
    "fiscal_year_end_month",
    "member_organisations",
    "website",
    "notes",
]
PARTNER_FIELDS = [
    "union",
    "code",
    "name",
    "name_ja",
    "abbreviation",
    "relation",
    "level",
    "established_on",
    "established_by_union",
    "website",
    "description",
]
IDENTITY_FIELDS = ("union", "society", "code")


def editable(fields: list[str]) -> list[str]:
    """The fields of a record that can change after it is created."""
    return [name for name in fields if name not in IDENTITY_FIELDS]


# What staff and API clients may change of a member with member_update; the society and member
# number identify the member, the workplace changes by member_move (which keeps the periods).
MEMBER_EDITABLE_FIELDS = [
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "family_name_latin",
    "given_name_latin",
    "birth_date",
    "gender",
    "relationship",
    "joined_on",
    "capital_contribution_yen",
    "contract_type",
    "weekly_hours",
]


def member_update(member: WorkerMember, *, expected_version: int | None = None, **changes) -> WorkerMember:
    if "society" in changes and changes["society"].pk != member.society_id:
        raise ValidationError({"society": _("A member cannot move to another society; record a transfer instead.")})
    if "business_center" in changes and getattr(changes["business_center"], "pk", None) != member.business_center_id:
        raise ValidationError({"business_center": _("A new workplace is a move: record it with the day it begins.")})
    return record_update(member, expected_version=expected_version, **changes)


def member_leave(
    member: WorkerMember,
    *,
    left_on: datetime.date,
    reason: LeaveReason | str,
    expected_version: int | None = None,
) -> WorkerMember:
    if reason not in LeaveReason.values:
        raise ValidationError({"leave_reason": _("Choose a reason for leaving.")})

    def not_yet_left(current: WorkerMember):
        if current.left_on is not None:
            raise ValidationError({"left_on": _("This member has already left.")})

    return record_update(
        member, expected_version=expected_version, precondition=not_yet_left, left_on=left_on, leave_reason=reason
    )


def consent_record(
    *, member: WorkerMember, given_on: datetime.date, scope: str, reference: str, recorded_by=None
) -> ConsentRecord:
    return record_create(
        ConsentRecord, member=member, given_on=given_on, scope=scope, reference=reference, recorded_by=recorded_by
    )


def consent_withdraw(consent: ConsentRecord, *, withdrawn_on: datetime.date) -> ConsentRecord:
    """Withdrawing consent ends every inclusion record held under it (APPI)."""
    # The inclusions are ended first: once the consent is withdrawn, an inclusion held under it
    # no longer validates (MemberInclusion.clean), so it could not be saved.
    with transaction.atomic():
        for inclusion in consent.inclusions.filter(ended_on__isnull=True):
            record_update(inclusion, ended_on=max(withdrawn_on, inclusion.since or withdrawn_on))
        consent = record_update(consent, withdrawn_on=withdrawn_on)
    return consent


def inclusion_record(
    *,
    member: WorkerMember,
    category: InclusionCategory,
    consent: ConsentRecord | None,
    since: datetime.date | None = None,
    certificate_held: bool = False,
    recorded_by=None,
) -> MemberInclusion:
    """Record an inclusion category; refused unless the member's consent is recorded and current."""
    if consent is None:
        raise ValidationError({"consent": _("Record the member's consent before recording this information.")})
    return record_create(
        MemberInclusion,
        member=member,
        category=category,
        consent=consent,
        since=since,
        certificate_held=certificate_held,
        recorded_by=recorded_by,
    )


def move_refusal(*, left_on: datetime.date | None, period_started_on: datetime.date | None, moved_on) -> dict | None:
    """Why a member cannot move to another center on ``moved_on`` (field -> message), or None:
    they have left, the move is dated in the future (the member's center changes when the move
    is recorded), or it is not after the start of their current period. The one rule of a move,
    for the staff pages, the API and an import alike."""
    if left_on is not None:
        return {"business_center": _("This member has left; they cannot move.")}
    if moved_on > timezone.localdate():
        return {"moved_on": _("A move cannot be dated in the future; record it on the day it happens.")}
    if period_started_on is not None and moved_on <= period_started_on:
        return {"moved_on": _("The move must be after the start of the current period.")}
    return None


def member_move(
    member: WorkerMember,
    *,
    business_center,
    moved_on: datetime.date,
    expected_version: int | None = None,
) -> WorkerMember:
    """Move a member to another center of their society from ``moved_on``; the period at the
    previous center is kept (a member registered before placements were kept gets their first
    period from the day they joined)."""
    with transaction.atomic():
        # The member's row first, as an import's moves lock it: the two never wait on each other.
        member = locked_current(member, expected_version=expected_version)
        if business_center.pk == member.business_center_id:
            raise ValidationError({"business_center": _("The member already works at this center.")})
        current = member.placements.filter(ended_on__isnull=True).first()
        started_on = current.started_on if current else (member.joined_on if member.business_center_id else None)
        refusal = move_refusal(left_on=member.left_on, period_started_on=started_on, moved_on=moved_on)
        if refusal:
            raise ValidationError(refusal)
        if current is None and member.business_center_id is not None:
            current = record_create(
                Placement, member=member, business_center=member.business_center, started_on=member.joined_on
            )
        if current is not None:
            record_update(current, ended_on=moved_on)
        member = record_update(member, expected_version=expected_version, business_center=business_center)
        record_create(Placement, member=member, business_center=business_center, started_on=moved_on)
    return member


def members_moves_record(moves: list[tuple[WorkerMember, int, datetime.date]]) -> int:
    """Record the periods of many moves at once, as member_move does one by one: for each
    (member as stored, new center's id, moved on), the current period ends on that day (a
    member never moved gets it first, from joining) and the next opens, in a fixed number of
    queries whatever the number of moves, each with its history. The caller has checked each
    move (move_refusal) and writes the members' new centers. Returns the number of moves."""
    if not moves:
        return 0
    members = [member for member, _center, _day in moves]
    current = {p.member_id: p for p in Placement.objects.filter(member__in=members, ended_on__isnull=True)}
    implied = [
        Placement(member=member, business_center_id=member.business_center_id, started_on=member.joined_on)
        for member in members
        if member.pk not in current
    ]
    with transaction.atomic():
        for placement in records_bulk_create(Placement, implied):
            current[placement.member_id] = placement
        ended = []
        for member, _center, moved_on in moves:
            placement = current[member.pk]
            placement.ended_on, placement.version = moved_on, placement.version + 1
            ended.append(placement)
        records_bulk_update(Placement, ended, ["ended_on"])
        opened = [Placement(member=member, business_center_id=center, started_on=day) for member, center, day in moves]
        records_bulk_create(Placement, opened)
    return len(moves)


ANONYMISED_NAME = "—"
PERSONAL_FIELDS = (
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "family_name_latin",
    "given_name_latin",
)


def member_retention_ends_on(member: WorkerMember) -> datetime.date | None:
    if member.left_on is None:
        return None
    years = settings.MEMBER_RETENTION_YEARS
    try:
        return member.left_on.replace(year=member.left_on.year + years)
    except ValueError:  # 29 February
        return member.left_on.replace(year=member.left_on.year + years, day=28)


def member_anonymise(
    member: WorkerMember, *, today: datetime.date | None = None, expected_version: int | None = None
) -> WorkerMember:
    """Erase a departed member's names (also from their history) once the retention period has
    ended. The row stays, with its society, center, dates, birth date and inclusion records, so
    every count and statistic of the past stays right. The retention is checked on the stored
    row, locked: a member who rejoined meanwhile keeps their names."""
    today = today or timezone.localdate()

    def retention_over(current: WorkerMember):
        if current.anonymised_on is not None:
            raise ValidationError(_("This member has already been anonymised."))
        ends_on = member_retention_ends_on(current)
        if ends_on is None or ends_on > today:
            raise ValidationError(_("The retention period of this member has not ended."))

    erased = dict.fromkeys(PERSONAL_FIELDS, "") | {"family_name": ANONYMISED_NAME, "given_name": ANONYMISED_NAME}
    with transaction.atomic():
        member = record_update(
            member, expected_version=expected_version, precondition=retention_over, anonymised_on=today, **erased
        )
        member.history.update(**erased)
    return member
