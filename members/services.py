"""Every write to unions, societies, members, consents and inclusion records."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jwcu.services import record_create, record_update
from members.models import (
    ConsentRecord,
    InclusionCategory,
    LeaveReason,
    MemberInclusion,
    MembershipReport,
    MemberSociety,
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


def member_update(member: WorkerMember, *, expected_version: int | None = None, **changes) -> WorkerMember:
    if "society" in changes and changes["society"].pk != member.society_id:
        raise ValidationError({"society": _("A member cannot move to another society; record a transfer instead.")})
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
