"""Reads of societies, members and partners, narrowed to the caller's scope.

The browser and the API both start from these querysets and filter them with the FilterSets of
members/filters.py; a record outside the scope is simply not in them (404)."""

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet

from businesses.models import BusinessCenter
from jwcu.scope import Scope
from members.models import MemberInclusion, MemberSociety, Partner, Placement, Union, WorkerMember
from members.periods import work_periods_sql


def union_queryset(*, scope: Scope) -> QuerySet[Union]:
    return scope.unions(Union.objects.all())


def society_queryset(*, scope: Scope) -> QuerySet[MemberSociety]:
    return scope.societies(MemberSociety.objects.select_related("union"))


def member_queryset(*, scope: Scope) -> QuerySet[WorkerMember]:
    """People in scope, with what a list or a detail shows in the same query; their inclusion
    records only for a scope that holds the sensitive-data permission."""
    queryset = scope.members(
        WorkerMember.objects.select_related("society", "business_center", "business_center__head_office")
    )
    if scope.sensitive:
        queryset = queryset.prefetch_related(
            Prefetch("inclusions", queryset=MemberInclusion.objects.select_related("category"))
        )
    return queryset


def partner_queryset(*, scope: Scope) -> QuerySet[Partner]:
    return scope.partners(Partner.objects.select_related("union"))


def member_periods(member: WorkerMember) -> list[dict]:
    """Where the member worked, oldest first, as the statistics count them (members.periods):
    the recorded placements within their membership, or their center since joining when no
    move was ever recorded. Two queries."""
    sql = f"""
        WITH member AS (SELECT * FROM {WorkerMember._meta.db_table} WHERE id = %s),
             placement AS (SELECT * FROM {Placement._meta.db_table} WHERE member_id = %s)
        SELECT business_center_id, s, e FROM ({work_periods_sql("member", "placement")}) period
        WHERE business_center_id IS NOT NULL AND (e IS NULL OR s <= e)
        ORDER BY s"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [member.pk, member.pk])
        periods = cursor.fetchall()
    centers = BusinessCenter.objects.in_bulk([center for center, _s, _e in periods])
    return [{"business_center": centers[center], "started_on": s, "ended_on": e} for center, s, e in periods]


def member_inclusions(*, member_ids: list[int], day=None) -> dict[int, list[MemberInclusion]]:
    """The inclusion records of these members, by member id, in one query: all of them, or those
    that had begun by ``day`` (an ended one keeps its end date), what a member's record shows as
    of that day."""
    held: dict[int, list[MemberInclusion]] = {}
    inclusions = MemberInclusion.objects.filter(member__in=member_ids)
    if day is not None:
        inclusions = inclusions.filter(Q(since__isnull=True) | Q(since__lte=day))
    for inclusion in inclusions.select_related("category").order_by("category__sort_order", "category__code"):
        held.setdefault(inclusion.member_id, []).append(inclusion)
    return held
