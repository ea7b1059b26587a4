"""Statistics of the registry, each computed by PostgreSQL in grouped queries.

Definitions (../shared/design.md):
- active on D: joined_on <= D and (left_on is null or left_on > D); the same for societies in
  the union, and for head offices and centers (opened_on / closed_on);
- individual members on D: active worker members of the societies that register individuals,
  plus the latest membership report on or before D of each society that does not;
- turnover of a society in FY N: its own reported figure if it has one, else the sum of its
  centers' figures (never both); the union's is the sum of its societies' that were members
  at any time in FY N.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Sum, When
from django.db.models.functions import Coalesce

from businesses.models import AnnualFigures, BusinessCenter, HeadOffice
from jwcu.fiscal import fiscal_year_bounds
from members.models import MembershipReport, MemberSociety, Union, WorkerMember


def _count(queryset, group_field: str):
    """A correlated COUNT(*) of ``queryset`` per outer society, 0 where there is none."""
    counted = queryset.filter(**{group_field: OuterRef("pk")}).order_by().values(group_field).annotate(n=Count("*"))
    return Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), 0)


def _latest_report(field: str, as_of: datetime.date):
    reports = MembershipReport.objects.filter(society=OuterRef("pk"), as_of__lte=as_of).order_by("-as_of")
    return Subquery(reports.values(field)[:1], output_field=IntegerField())


def society_turnover_expression(fiscal_year: int):
    """A society's turnover for the fiscal year: its own figure, else its centers' sum, else null."""
    own = AnnualFigures.objects.filter(society=OuterRef("pk"), fiscal_year=fiscal_year).values("turnover_yen")[:1]
    centers = (
        AnnualFigures.objects.filter(business_center__society=OuterRef("pk"), fiscal_year=fiscal_year)
        .order_by()
        .values("business_center__society")
        .annotate(total=Sum("turnover_yen"))
        .values("total")
    )
    return Coalesce(Subquery(own), Subquery(centers))


def societies_with_membership(*, union: Union, as_of: datetime.date):
    """The union's member societies on ``as_of``, each annotated with its head offices, business
    centers, worker members and individual members on that day."""
    active_workers = WorkerMember.objects.active_on(as_of).worker_members()
    return (
        MemberSociety.objects.filter(union=union)
        .in_union_on(as_of)
        .annotate(
            head_office_count=_count(HeadOffice.objects.open_on(as_of), "society"),
            business_center_count=_count(BusinessCenter.objects.open_on(as_of), "society"),
            registered_worker_members=_count(active_workers, "society"),
            # null where a society that does not register individuals has reported no count
            individual_member_count=Case(
                When(registers_individuals=True, then="registered_worker_members"),
                default=_latest_report("members", as_of),
            ),
            worker_member_count=Case(
                When(registers_individuals=True, then="registered_worker_members"),
                default=_latest_report("worker_members", as_of),
            ),
        )
        .order_by("code")
    )


def societies_in_union_during(*, union: Union, fiscal_year: int):
    start, end = fiscal_year_bounds(fiscal_year)
    return MemberSociety.objects.filter(
        Q(left_union_on__isnull=True) | Q(left_union_on__gt=start), union=union, joined_union_on__lte=end
    )


def turnover_by_society(*, union: Union, fiscal_year: int):
    """Societies that were members during the fiscal year, annotated with ``turnover_yen``
    (null where neither the society nor its centers reported a figure)."""
    return (
        societies_in_union_during(union=union, fiscal_year=fiscal_year)
        .annotate(turnover_yen=society_turnover_expression(fiscal_year))
        .order_by("code")
    )


def union_turnover(*, union: Union, fiscal_year: int) -> int:
    total = turnover_by_society(union=union, fiscal_year=fiscal_year).aggregate(total=Sum("turnover_yen"))["total"]
    return total or 0


@dataclass(frozen=True)
class SocietySummary:
    code: str
    name: str
    kind: str
    member_organisations: int | None
    head_offices: int
    business_centers: int
    individual_members: int | None
    worker_members: int | None
    turnover_yen: int | None


@dataclass(frozen=True)
class UnionSummary:
    union: str
    as_of: datetime.date
    fiscal_year: int
    member_societies: int
    head_offices: int
    business_centers: int
    individual_members: int
    worker_members: int
    turnover_yen: int
    societies: list[SocietySummary]


def union_summary(*, union: Union, as_of: datetime.date, fiscal_year: int) -> UnionSummary:
    """The headline figures of ``union``: counts on ``as_of``, turnover of ``fiscal_year``.
    Three queries whatever the size of the union."""
    societies = societies_with_membership(union=union, as_of=as_of).annotate(
        turnover_yen=society_turnover_expression(fiscal_year)
    )
    totals = societies.aggregate(
        member_societies=Count("pk"),
        head_offices=Coalesce(Sum("head_office_count"), 0),
        business_centers=Coalesce(Sum("business_center_count"), 0),
        individual_members=Coalesce(Sum("individual_member_count"), 0),
        worker_members=Coalesce(Sum("worker_member_count"), 0),
    )
    rows = [
        SocietySummary(
            code=society.code,
            name=society.name,
            kind=society.kind,
            member_organisations=society.member_organisations,
            head_offices=society.head_office_count,
            business_centers=society.business_center_count,
            individual_members=society.individual_member_count,
            worker_members=society.worker_member_count,
            turnover_yen=society.turnover_yen,
        )
        for society in societies
    ]
    return UnionSummary(
        union=union.code,
        as_of=as_of,
        fiscal_year=fiscal_year,
        turnover_yen=union_turnover(union=union, fiscal_year=fiscal_year),
        societies=rows,
        **totals,
    )
