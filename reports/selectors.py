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

from django.db.models import BigIntegerField, Case, Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Mod, NullIf

from businesses.models import AnnualFigures, BusinessCenter, HeadOffice
from jwcu.fiscal import fiscal_year_bounds
from jwcu.scope import Scope
from members.models import InclusionCategory, MemberInclusion, MembershipReport, MemberSociety, Union, WorkerMember


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


def societies_in_union_during(*, fiscal_year: int, union: Union | None = None, union_id: int | None = None):
    """Societies that were members of the union at any time in the fiscal year (every union's
    when neither is given)."""
    start, end = fiscal_year_bounds(fiscal_year)
    societies = MemberSociety.objects.filter(
        Q(left_union_on__isnull=True) | Q(left_union_on__gt=start), joined_union_on__lte=end
    )
    if union is not None or union_id is not None:
        societies = societies.filter(union_id=union.pk if union is not None else union_id)
    return societies


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


# Breakdowns ----------------------------------------------------------------------------------
# A dimension is how people or centers are grouped: (key, label) expressions from WorkerMember,
# the same from a center's annual figures, and whether the groups partition the people.


def _path(*fields: str):
    """F() of a path from WorkerMember, reached from another model through ``prefix``."""
    return lambda prefix="": F(prefix + "__".join(fields))


def _prefecture(prefix=""):
    # People of societies without centers are placed in their society's prefecture.
    return Coalesce(
        NullIf(F(f"{prefix}business_center__prefecture"), Value("")),
        NullIf(F(f"{prefix}society__prefecture"), Value("")),
    )


@dataclass(frozen=True)
class Dimension:
    """How people (and the figures of centers) are grouped."""

    key: object  # prefix -> expression from WorkerMember
    label: object
    center_path: str | None  # from BusinessCenter; None: not recorded by center
    partitions: bool  # every person counts in exactly one group


DIMENSIONS = {
    "union": Dimension(_path("society", "union", "code"), _path("society", "union", "name"), None, True),
    "society": Dimension(_path("society", "code"), _path("society", "name"), None, True),
    "society_kind": Dimension(_path("society", "kind"), _path("society", "kind"), None, True),
    "head_office": Dimension(
        _path("business_center", "head_office", "code"),
        _path("business_center", "head_office", "name"),
        "head_office__",
        True,
    ),
    "business_center": Dimension(_path("business_center", "code"), _path("business_center", "name"), "", True),
    "prefecture": Dimension(_prefecture, _prefecture, "prefecture", True),
    # A center may run several lines: its people count in each.
    "business_line": Dimension(
        _path("business_center", "business_lines", "code"),
        _path("business_center", "business_lines", "name"),
        "business_lines__",
        False,
    ),
}


def _dimension(name: str) -> Dimension:
    try:
        return DIMENSIONS[name]
    except KeyError:
        raise ValueError(f"Unknown dimension '{name}'; choose one of {', '.join(DIMENSIONS)}.") from None


@dataclass(frozen=True)
class Where:
    """Filters of a statistic beyond the scope (a society or head office filter narrows the
    scope itself): people and centers in a prefecture, or centers running a business line."""

    prefecture: str | None = None
    business_line_id: int | None = None

    @property
    def narrows_centers(self) -> bool:
        return bool(self.prefecture or self.business_line_id)

    def centers(self, queryset):
        """``queryset`` of BusinessCenter narrowed to the matching centers."""
        if self.prefecture:
            queryset = queryset.filter(prefecture=self.prefecture)
        if self.business_line_id:
            queryset = queryset.filter(
                pk__in=BusinessCenter.business_lines.through.objects.filter(
                    businessline_id=self.business_line_id
                ).values("businesscenter_id")
            )
        return queryset

    def members(self, queryset):
        """``queryset`` of WorkerMember narrowed like the prefecture dimension places people."""
        if self.prefecture:
            queryset = queryset.alias(placed_in=_prefecture()).filter(placed_in=self.prefecture)
        if self.business_line_id:
            queryset = queryset.filter(business_center__in=self.centers(BusinessCenter.objects.all()))
        return queryset


EVERYWHERE = Where()


def active_worker_members(*, scope: Scope, as_of: datetime.date, where: Where = EVERYWHERE):
    return where.members(scope.members(WorkerMember.objects.active_on(as_of).worker_members()))


def members_by(*, scope: Scope, as_of: datetime.date, by: str, where: Where = EVERYWHERE) -> list[dict]:
    """Active worker members on ``as_of`` per group: [{key, label, worker_members}], one query."""
    dimension = _dimension(by)
    rows = (
        active_worker_members(scope=scope, as_of=as_of, where=where)
        .annotate(key=dimension.key(), label=dimension.label())
        .values("key", "label")
        .annotate(worker_members=Count("pk"))
        .order_by("key")
    )
    return list(rows)


def inclusion_by(*, scope: Scope, as_of: datetime.date, by: str, where: Where = EVERYWHERE) -> dict:
    """Per group: active worker members, the elderly (60+) and youth (under 35) among them on
    ``as_of``, and per inclusion category the members holding it on that day. Two queries.

    Returns {"partitions": bool, "categories": [codes], "groups": [{key, label, active_members,
    elderly, youth, categories: {code: count}}]}. Raw counts: callers that publish outside the
    sensitive-data permission pass them through reports.disclosure.control.
    """
    dimension = _dimension(by)
    sixty = as_of.replace(year=as_of.year - 60, day=28 if (as_of.month, as_of.day) == (2, 29) else as_of.day)
    thirty_five = as_of.replace(year=as_of.year - 35, day=28 if (as_of.month, as_of.day) == (2, 29) else as_of.day)
    members = active_worker_members(scope=scope, as_of=as_of, where=where)
    groups = (
        members.annotate(key=dimension.key(), label=dimension.label())
        .values("key", "label")
        .annotate(
            active_members=Count("pk"),
            elderly=Count("pk", filter=Q(birth_date__lte=sixty)),
            youth=Count("pk", filter=Q(birth_date__gt=thirty_five)),
        )
        .order_by("key")
    )
    held = (
        MemberInclusion.objects.filter(member__in=members.values("pk"))
        .filter(Q(since__isnull=True) | Q(since__lte=as_of), Q(ended_on__isnull=True) | Q(ended_on__gt=as_of))
        .annotate(key=dimension.key("member__"))
        .values("key", "category__code")
        .annotate(n=Count("member", distinct=True))
        .order_by()
    )
    counts: dict = {}
    for row in held:
        counts.setdefault(row["key"], {})[row["category__code"]] = row["n"]
    categories = list(InclusionCategory.objects.order_by("sort_order", "code").values_list("code", flat=True))
    return {
        "partitions": dimension.partitions,
        "categories": categories,
        "groups": [
            {**group, "categories": {code: counts.get(group["key"], {}).get(code, 0) for code in categories}}
            for group in groups
        ],
    }


def turnover_by(*, scope: Scope, fiscal_year: int, by: str, where: Where = EVERYWHERE) -> list[dict]:
    """Turnover of ``fiscal_year`` per group: [{key, label, turnover_yen}].

    By society: each society's own figure, else its centers' sum. By a center dimension (head
    office, center, prefecture, business line): the centers' figures; a center running several
    lines shares its turnover equally among them; what societies report without center figures
    is one row with key None. Rows add up to the union's total: no yen counted twice.
    Narrowed by ``where`` (a prefecture or a business line), only the matching centers' figures
    count, by society too: what a society reports as a whole is not placed anywhere.
    """
    if by == "society" and not where.narrows_centers:
        societies = scope.societies(MemberSociety.objects.all()) & societies_in_union_during(
            union_id=scope.union_id, fiscal_year=fiscal_year
        )
        rows = societies.annotate(
            key=F("code"), label=F("name"), turnover_yen=society_turnover_expression(fiscal_year)
        ).filter(turnover_yen__isnull=False)
        return list(rows.values("key", "label", "turnover_yen").order_by("key"))
    center_path = "society__" if by == "society" else _dimension(by).center_path
    if center_path is None:
        raise ValueError(f"Turnover is not recorded by {by}.")
    center_figures = _center_figures(scope=scope, fiscal_year=fiscal_year, where=where)
    share = F("turnover_yen")
    if by == "business_line":
        share = _line_share()
    rows = list(
        center_figures.annotate(key=_center_field(center_path, "key"), label=_center_field(center_path, "label"))
        .values("key", "label")
        .annotate(turnover_yen=Sum(share))
        .order_by("key")
    )
    if scope.head_office_id is None and not where.narrows_centers:
        by_center = sum(row["turnover_yen"] for row in rows)
        total = _scoped_turnover_total(scope=scope, fiscal_year=fiscal_year)
        if total != by_center:
            # What societies report as a whole joins the row of figures not placed in a group.
            unplaced = next((row for row in rows if row["key"] is None), None)
            if unplaced is None:
                rows.append({"key": None, "label": None, "turnover_yen": total - by_center})
            else:
                unplaced["turnover_yen"] += total - by_center
    return rows


def turnover_total(*, scope: Scope, fiscal_year: int, where: Where = EVERYWHERE) -> int:
    """The turnover of everything in ``scope`` (and ``where``) in the fiscal year, one query."""
    if scope.head_office_id is None and not where.narrows_centers:
        return _scoped_turnover_total(scope=scope, fiscal_year=fiscal_year)
    figures = _center_figures(scope=scope, fiscal_year=fiscal_year, where=where)
    return figures.aggregate(total=Sum("turnover_yen"))["total"] or 0


def _center_figures(*, scope: Scope, fiscal_year: int, where: Where):
    return scope.annual_figures(
        AnnualFigures.objects.filter(
            fiscal_year=fiscal_year, business_center__in=where.centers(BusinessCenter.objects.all())
        )
    )


def _scoped_turnover_total(*, scope: Scope, fiscal_year: int) -> int:
    societies = scope.societies(MemberSociety.objects.all()) & societies_in_union_during(
        union_id=scope.union_id, fiscal_year=fiscal_year
    )
    total = societies.annotate(turnover_yen=society_turnover_expression(fiscal_year)).aggregate(
        total=Sum("turnover_yen")
    )["total"]
    return total or 0


def _center_field(center_path: str, which: str):
    """The key or label of a center dimension, from AnnualFigures."""
    path = f"business_center__{center_path}"
    if center_path == "prefecture":
        return F(path)
    return F(f"{path}{'code' if which == 'key' else 'name'}")


def membership_overview(*, scope: Scope, as_of: datetime.date, where: Where = EVERYWHERE) -> dict:
    """Individual and worker members, member societies and business centers in ``scope`` on
    ``as_of``, with the members by society, head office and prefecture. Six queries.

    Counts reported by societies that do not register individuals are added by society, and
    only where they can be placed: not under a head office, prefecture or business line."""
    by_society = {
        row["key"]: {**row, "individual_members": row["worker_members"]}
        for row in members_by(scope=scope, as_of=as_of, by="society", where=where)
    }
    if scope.head_office_id is None and not where.narrows_centers:
        reporting = scope.societies(MemberSociety.objects.in_union_on(as_of)).filter(registers_individuals=False)
        reported = reporting.annotate(
            key=F("code"),
            label=F("name"),
            individual_members=_latest_report("members", as_of),
            worker_members=_latest_report("worker_members", as_of),
        ).filter(individual_members__isnull=False)
        for row in reported.values("key", "label", "individual_members", "worker_members"):
            by_society[row["key"]] = row
    societies = scope.societies(MemberSociety.objects.in_union_on(as_of))
    centers = where.centers(scope.centers(BusinessCenter.objects.open_on(as_of)))
    if where.narrows_centers:
        societies = societies.filter(pk__in=centers.values("society_id"))
    rows = sorted(by_society.values(), key=lambda row: row["key"])
    return {
        "individual_members": sum(row["individual_members"] for row in rows),
        "worker_members": sum(row["worker_members"] for row in rows),
        "member_societies": societies.count(),
        "business_centers": centers.count(),
        "by_society": rows,
        "by_head_office": members_by(scope=scope, as_of=as_of, by="head_office", where=where),
        "by_prefecture": members_by(scope=scope, as_of=as_of, by="prefecture", where=where),
    }


def _line_share():
    """A center's turnover shared among its business lines in whole yen: each line gets the
    quotient, the first line (lowest id) also the remainder, so the shares add up exactly."""
    links = BusinessCenter.business_lines.through.objects.filter(businesscenter=OuterRef("business_center")).order_by()
    lines = Coalesce(
        Subquery(links.values("businesscenter").annotate(n=Count("*")).values("n"), output_field=BigIntegerField()),
        1,
    )
    first_line = Subquery(links.order_by("businessline").values("businessline")[:1])
    return F("turnover_yen") / lines + Case(
        When(business_center__business_lines=first_line, then=Mod(F("turnover_yen"), lines)),
        default=0,
        output_field=BigIntegerField(),
    )
