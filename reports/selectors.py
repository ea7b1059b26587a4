"""Statistics of the registry, each computed by PostgreSQL in grouped queries.

Definitions (../shared/design.md):
- active on D: joined_on <= D and (left_on is null or left_on > D); the same for societies in
  the union, and for head offices and centers (opened_on / closed_on);
- individual members on D: active worker members of the societies that register individuals,
  plus the latest membership report on or before D of each society that does not;
- turnover of a society in FY N: its own reported figure if it has one, else the sum of its
  centers' figures (never both); the union's is the sum of its societies' that were members
  at any time in FY N.

Counts of people come from the membership rollup the database keeps (reports.rollup): a person
counts, on a day, at the center where they worked that day, and a figure reads about one row per
group of people, not one per person.
"""

import dataclasses
import datetime
import functools
import operator
from dataclasses import dataclass

from django.db import connections
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Mod, NullIf
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from businesses.models import AnnualFigures, BusinessCenter, BusinessLine, HeadOffice
from jwcu.fiscal import fiscal_year_bounds
from jwcu.scope import Scope
from members.models import (
    InclusionCategory,
    LeaveReason,
    LegalForm,
    MembershipReport,
    MemberSociety,
    Relationship,
    Union,
)
from reports import rollup
from reports.disclosure import control
from reports.models import Indicator, IndicatorScope, MemberRollup, ReportExport, ReportJob


@dataclass(frozen=True)
class FilteredScope(Scope):
    """A scope narrowed further by a dashboard's filters: the prefecture (of a center, or of the
    society for people without a center) and the business line (of a center). Society and head
    office filters are the Scope's own fields. With a prefecture or line, turnover is the sum of
    the centers' figures in it: a society's own figure has no prefecture or line."""

    prefecture: str = ""
    business_line_id: int | None = None

    @property
    def narrows_centers(self) -> bool:
        return bool(self.prefecture or self.business_line_id)

    def _centers_of_line(self, path: str):
        links = BusinessCenter.business_lines.through.objects.filter(
            businessline_id=self.business_line_id, **{"businesscenter__" + path: OuterRef("pk")}
        )
        return Exists(links)

    def societies(self, queryset):
        """Societies working in the prefecture: registered there, or with a center there."""
        queryset = super().societies(queryset)
        if self.prefecture:
            centers_there = BusinessCenter.objects.filter(society=OuterRef("pk"), prefecture=self.prefecture)
            queryset = queryset.filter(Q(prefecture=self.prefecture) | Exists(centers_there))
        if self.business_line_id:
            queryset = queryset.filter(self._centers_of_line("society"))
        return queryset

    def head_offices(self, queryset):
        queryset = super().head_offices(queryset)
        if self.prefecture:
            queryset = queryset.filter(prefecture=self.prefecture)
        if self.business_line_id:
            queryset = queryset.filter(self._centers_of_line("head_office"))
        return queryset

    def centers(self, queryset):
        queryset = super().centers(queryset)
        if self.prefecture:
            queryset = queryset.filter(prefecture=self.prefecture)
        if self.business_line_id:
            queryset = queryset.filter(business_lines=self.business_line_id)
        return queryset

    def members(self, queryset):
        queryset = super().members(queryset)
        if self.prefecture:
            queryset = queryset.filter(
                Q(business_center__prefecture=self.prefecture)
                | Q(business_center__isnull=True, society__prefecture=self.prefecture)
            )
        if self.business_line_id:
            queryset = queryset.filter(business_center__business_lines=self.business_line_id)
        return queryset

    def annual_figures(self, queryset):
        queryset = super().annual_figures(queryset)
        if self.prefecture:
            queryset = queryset.filter(business_center__prefecture=self.prefecture)
        if self.business_line_id:
            queryset = queryset.filter(business_center__business_lines=self.business_line_id)
        return queryset


def filters_problem(*, society=None, head_office=None) -> dict | None:
    """Why a statistic's filters contradict each other (field -> message), or None: a head office
    of another society than the one chosen matches nobody. The dashboards and the API alike."""
    if society is not None and head_office is not None and head_office.society_id != society.pk:
        return {"head_office": _("This head office belongs to another society.")}
    return None


def narrowed_scope(scope: Scope, *, society=None, head_office=None, prefecture="", business_line=None) -> FilteredScope:
    """``scope`` narrowed by a statistic's filters (the dashboards' and the API's): a society or
    head office narrows the scope itself, a prefecture or business line the centers and people.
    The filters' choices are already within ``scope``."""
    narrowed = dataclasses.asdict(scope)
    narrowed.pop("prefecture", None)
    narrowed.pop("business_line_id", None)
    if society is not None:
        narrowed["society_id"] = society.pk
    if head_office is not None:
        narrowed["society_id"], narrowed["head_office_id"] = head_office.society_id, head_office.pk
    return FilteredScope(**narrowed, prefecture=prefecture or "", business_line_id=business_line and business_line.pk)


def _narrows_centers(scope: Scope) -> bool:
    return isinstance(scope, FilteredScope) and scope.narrows_centers


def _count(queryset, group_field: str):
    """A correlated COUNT(*) of ``queryset`` per outer society, 0 where there is none."""
    counted = queryset.filter(**{group_field: OuterRef("pk")}).order_by().values(group_field).annotate(n=Count("*"))
    return Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), 0)


def people(*, relationship: str | None = Relationship.WORKER_MEMBER, categories: bool = False):
    """The rows of the membership rollup: of the people themselves (or, with ``categories``, of
    the inclusion categories they hold), of one relationship (None: all). Brought up to date with
    this transaction's writes first."""
    rollup.ensure_current()
    rows = MemberRollup.objects.filter(category__isnull=not categories)
    return rows if relationship is None else rows.filter(relationship=relationship)


def on(day: datetime.date, field: str = "active", **filters):
    """The sum of a rollup ``field`` on ``day``: people active (elderly, youth…) that day, or
    joins, leaves and moves up to it."""
    return Coalesce(Sum(field, filter=rollup.at(day) & Q(**filters)), 0)


def during(start: datetime.date, end: datetime.date, field: str, **filters):
    """Joins (leaves, moves…) from ``start`` to ``end``, both included."""
    return on(end, field, **filters) - on(start - datetime.timedelta(days=1), field, **filters)


def year_ends(scope: Scope) -> list[int]:
    """The months in which the fiscal years of the scope's societies end (March for most). One
    query."""
    months = scope.societies(MemberSociety.objects.all()).values_list("fiscal_year_end_month", flat=True)
    return sorted(set(months)) or [3]


def _each_society_year(fiscal_year: int, ends: list[int], figure, **filters):
    """``figure(start, end, **filters)`` summed over the societies, each over its own fiscal
    year ``fiscal_year`` (the year ending in its own month)."""
    parts = []
    for month in ends:
        start, end = fiscal_year_bounds(fiscal_year, end_month=month)
        parts.append(figure(start, end, society__fiscal_year_end_month=month, **filters))
    return functools.reduce(operator.add, parts)


def on_year_end(fiscal_year: int, ends: list[int], field: str = "active", **filters):
    """People (or another rollup field) on the last day of each society's fiscal year."""
    return _each_society_year(fiscal_year, ends, lambda _start, end, **f: on(end, field, **f), **filters)


def during_year(fiscal_year: int, ends: list[int], field: str, **filters):
    """Joins (leaves, moves…) during each society's fiscal year."""
    return _each_society_year(fiscal_year, ends, lambda start, end, **f: during(start, end, field, **f), **filters)


def year_boundaries(fiscal_years: list[int], ends: list[int]) -> Q:
    """The rollup rows for the figures on the first eve and last day of each society's years."""
    days = []
    for year in fiscal_years:
        for month in ends:
            start, end = fiscal_year_bounds(year, end_month=month)
            days += [start - datetime.timedelta(days=1), end]
    return rollup.at_any(days)


def _counted_on(day: datetime.date, group_field: str):
    """Active worker members on ``day`` per outer row (a society, a center), 0 where none."""
    counted = (
        people()
        .filter(rollup.at(day), **{group_field: OuterRef("pk")})
        .order_by()
        .values(group_field)
        .annotate(n=Sum("active"))
    )
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
    return (
        MemberSociety.objects.filter(union=union)
        .in_union_on(as_of)
        .annotate(
            head_office_count=_count(HeadOffice.objects.open_on(as_of), "society"),
            business_center_count=_count(BusinessCenter.objects.open_on(as_of), "society"),
            registered_worker_members=_counted_on(as_of, "society"),
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


def localised_name(path: str = ""):
    """The name at ``path`` ("society__" …) in the active language: the Japanese name where
    Japanese is chosen and one is recorded."""
    if (get_language() or "").startswith("ja"):
        return Coalesce(NullIf(F(f"{path}name_ja"), Value("")), F(f"{path}name"))
    return F(f"{path}name")


def _name(*fields: str):
    """The localised name of the record at the path ``fields``, reached through ``prefix``."""
    return lambda prefix="": localised_name(prefix + "".join(f"{field}__" for field in fields))


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
    "union": Dimension(_path("society", "union", "code"), _name("society", "union"), None, True),
    "society": Dimension(_path("society", "code"), _name("society"), None, True),
    "society_kind": Dimension(_path("society", "kind"), _path("society", "kind"), None, True),
    "head_office": Dimension(
        _path("business_center", "head_office", "code"),
        _name("business_center", "head_office"),
        "head_office__",
        True,
    ),
    "business_center": Dimension(_path("business_center", "code"), _name("business_center"), "", True),
    "prefecture": Dimension(_prefecture, _prefecture, "prefecture", True),
    # A center may run several lines: its people count in each.
    "business_line": Dimension(
        _path("business_center", "business_lines", "code"),
        _name("business_center", "business_lines"),
        "business_lines__",
        False,
    ),
}


def _dimension(name: str) -> Dimension:
    try:
        return DIMENSIONS[name]
    except KeyError:
        raise ValueError(f"Unknown dimension '{name}'; choose one of {', '.join(DIMENSIONS)}.") from None


def members_by(*, scope: Scope, as_of: datetime.date, by: str) -> list[dict]:
    """Active worker members on ``as_of`` per group: [{key, label, worker_members}], one query."""
    dimension = _dimension(by)
    rows = (
        scope.members(people())
        .filter(rollup.at(as_of))
        .annotate(key=dimension.key(), label=dimension.label())
        .values("key", "label")
        .annotate(worker_members=Sum("active"))
        .filter(worker_members__gt=0)
        .order_by("key")
    )
    return list(rows)


def inclusion_by(*, scope: Scope, as_of: datetime.date, by: str) -> dict:
    """Per group: active worker members, the elderly (60+) and youth (under 35) among them on
    ``as_of``, and per inclusion category the members holding it on that day. Two queries (and
    one to bring the rollup up to date inside a transaction that has written).

    Returns {"partitions": bool, "categories": [codes], "groups": [{key, label, active_members,
    elderly, youth, categories: {code: count}}]}. Raw counts: callers that publish outside the
    sensitive-data permission pass them through reports.disclosure.control.
    """
    dimension = _dimension(by)
    groups = (
        scope.members(people())
        .filter(rollup.at(as_of))
        .annotate(key=dimension.key(), label=dimension.label())
        .values("key", "label")
        .annotate(active_members=Sum("active"), elderly=Sum("elderly"), youth=Sum("youth"))
        .filter(active_members__gt=0)
        .order_by("key")
    )
    held = (
        scope.members(people(categories=True))
        .filter(rollup.at(as_of))
        .annotate(key=dimension.key())
        .values("key", "category__code")
        .annotate(n=Sum("active"))
        .filter(n__gt=0)
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


def turnover_by(*, scope: Scope, fiscal_year: int, by: str) -> list[dict]:
    """Turnover of ``fiscal_year`` per group: [{key, label, turnover_yen}].

    By society: each society's own figure, else its centers' sum. By a center dimension (head
    office, center, prefecture, business line): the centers' figures; a center running several
    lines shares its turnover equally among them; what societies report without center figures
    is one row with key None. Rows add up to the union's total: no yen counted twice.
    Narrowed by a FilteredScope's prefecture or business line, only the matching centers'
    figures count, by society too: what a society reports as a whole is not placed anywhere.
    """
    if by == "society" and not _narrows_centers(scope):
        societies = scope.societies(MemberSociety.objects.all()) & societies_in_union_during(
            union_id=scope.union_id, fiscal_year=fiscal_year
        )
        rows = societies.annotate(
            key=F("code"), label=localised_name(), turnover_yen=society_turnover_expression(fiscal_year)
        ).filter(turnover_yen__isnull=False)
        return list(rows.values("key", "label", "turnover_yen").order_by("key"))
    center_path = "society__" if by == "society" else _dimension(by).center_path
    if center_path is None:
        raise ValueError(f"Turnover is not recorded by {by}.")
    center_figures = scope.annual_figures(
        AnnualFigures.objects.filter(fiscal_year=fiscal_year, business_center__isnull=False)
    )
    share = F("turnover_yen")
    if by == "business_line":
        share = _line_share()
    rows = list(
        center_figures.annotate(key=_center_field(center_path, "key"), label=_center_field(center_path, "label"))
        .values("key", "label")
        .annotate(turnover_yen=Sum(share))
        .order_by("key")
    )
    if scope.head_office_id is None and not _narrows_centers(scope):
        by_center = sum(row["turnover_yen"] for row in rows)
        total = turnover_total(scope=scope, fiscal_year=fiscal_year) or 0
        if total != by_center:
            # What societies report as a whole joins the row of figures not placed in a group.
            unplaced = next((row for row in rows if row["key"] is None), None)
            if unplaced is None:
                rows.append({"key": None, "label": None, "turnover_yen": total - by_center})
            else:
                unplaced["turnover_yen"] += total - by_center
    return rows


def turnover_total(*, scope: Scope, fiscal_year: int) -> int | None:
    """The turnover of the fiscal year within the scope (and its filters): what turnover_by's
    rows add up to; None where nothing is reported for the year (not ¥0: nobody said zero).
    One query."""
    if scope.head_office_id is not None or _narrows_centers(scope):
        figures = scope.annual_figures(AnnualFigures.objects.filter(fiscal_year=fiscal_year))
        return figures.filter(business_center__isnull=False).aggregate(total=Sum("turnover_yen"))["total"]
    societies = scope.societies(MemberSociety.objects.all()) & societies_in_union_during(
        union_id=scope.union_id, fiscal_year=fiscal_year
    )
    return societies.annotate(turnover_yen=society_turnover_expression(fiscal_year)).aggregate(
        total=Sum("turnover_yen")
    )["total"]


def _center_field(center_path: str, which: str):
    """The key or label of a center dimension, from AnnualFigures."""
    path = f"business_center__{center_path}"
    if center_path == "prefecture":
        return F(path)
    return F(f"{path}code") if which == "key" else localised_name(path)


def membership_overview(*, scope: Scope, as_of: datetime.date) -> dict:
    """The headcounts of ``overview`` (individual and worker members, member societies, business
    centers) with the members by society, head office and prefecture.

    Counts reported by societies that do not register individuals are added by society, and
    only where they can be placed: not under a head office, prefecture or business line."""
    by_society = {
        row["key"]: {**row, "individual_members": row["worker_members"]}
        for row in members_by(scope=scope, as_of=as_of, by="society")
    }
    if scope.head_office_id is None and not _narrows_centers(scope):
        reporting = scope.societies(MemberSociety.objects.in_union_on(as_of)).filter(registers_individuals=False)
        reported = reporting.annotate(
            key=F("code"),
            label=localised_name(),
            individual_members=_latest_report("members", as_of),
            worker_members=_latest_report("worker_members", as_of),
        ).filter(individual_members__isnull=False)
        for row in reported.values("key", "label", "individual_members", "worker_members"):
            by_society[row["key"]] = row
    counts = headcounts(scope=scope, as_of=as_of)
    return {
        "individual_members": counts["individual_members"],
        "worker_members": counts["worker_members"],
        "member_societies": counts["member_societies"],
        "business_centers": counts["business_centers"],
        "by_society": sorted(by_society.values(), key=lambda row: row["key"]),
        "by_head_office": members_by(scope=scope, as_of=as_of, by="head_office"),
        "by_prefecture": members_by(scope=scope, as_of=as_of, by="prefecture"),
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


# Dashboards and the annual report ------------------------------------------------------------
# Each function below runs a fixed number of grouped queries, whatever the number of members.


def _share(part, whole) -> float | None:
    return None if not whole or part is None else part / whole


@dataclass(frozen=True)
class Overview:
    as_of: datetime.date
    fiscal_year: int
    member_societies: int
    head_offices: int
    business_centers: int
    individual_members: int
    worker_members: int
    turnover_yen: int | None  # None: nothing reported for the year
    previous_turnover_yen: int | None

    @property
    def turnover_change(self) -> float | None:
        """Change on the year before, as a fraction (0.05 = +5 %); None unless both years are
        reported (an unreported year is not a fall of 100 %)."""
        if self.turnover_yen is None or not self.previous_turnover_yen:
            return None
        return self.turnover_yen / self.previous_turnover_yen - 1


def headcounts(*, scope: Scope, as_of: datetime.date) -> dict[str, int]:
    """Member societies, head offices, business centers, individual and worker members within
    the scope on ``as_of``: registered worker members plus, where they can be placed, the counts
    reported by societies that do not register individuals. Four queries."""
    societies = scope.societies(MemberSociety.objects.in_union_on(as_of)).aggregate(
        n=Count("pk"),
        reported=Coalesce(Sum(Case(When(registers_individuals=False, then=_latest_report("members", as_of)))), 0),
    )
    worker_members = (
        scope.members(people())
        .filter(rollup.at(as_of), society__registers_individuals=True)
        .aggregate(n=on(as_of))["n"]
    )
    reported = societies["reported"] if scope.head_office_id is None and not _narrows_centers(scope) else 0
    return {
        "member_societies": societies["n"],
        "head_offices": scope.head_offices(HeadOffice.objects.open_on(as_of)).count(),
        "business_centers": scope.centers(BusinessCenter.objects.open_on(as_of)).count(),
        "individual_members": worker_members + reported,
        "worker_members": worker_members,
    }


def overview(*, scope: Scope, as_of: datetime.date, fiscal_year: int) -> Overview:
    """Headline figures within the scope: the headcounts on ``as_of``, turnover of ``fiscal_year``
    and of the year before. Six queries."""
    return Overview(
        as_of=as_of,
        fiscal_year=fiscal_year,
        **headcounts(scope=scope, as_of=as_of),
        turnover_yen=turnover_total(scope=scope, fiscal_year=fiscal_year),
        previous_turnover_yen=turnover_total(scope=scope, fiscal_year=fiscal_year - 1),
    )


def membership_over_years(*, scope: Scope, fiscal_years: list[int]) -> list[dict]:
    """Per fiscal year: worker members at its end, joins and leaves during it, and individual
    members at its end (with the reported counts of societies that do not register people).
    Each society's year is its own (ending in its own month). Three queries whatever the number
    of years."""
    ends = year_ends(scope)
    aggregates, report_sums = {}, {}
    for year in fiscal_years:
        aggregates[f"closing_{year}"] = on_year_end(year, ends)
        aggregates[f"joins_{year}"] = during_year(year, ends, "joins")
        aggregates[f"leaves_{year}"] = during_year(year, ends, "leaves")
        reported = []
        for month in ends:
            end = fiscal_year_bounds(year, end_month=month)[1]
            reported.append(
                Coalesce(
                    Sum(
                        Case(When(registers_individuals=False, then=_latest_report("members", end))),
                        filter=Q(fiscal_year_end_month=month, joined_union_on__lte=end)
                        & (Q(left_union_on__isnull=True) | Q(left_union_on__gt=end)),
                    ),
                    0,
                )
            )
        report_sums[f"reported_{year}"] = functools.reduce(operator.add, reported)
    counts = scope.members(people()).filter(year_boundaries(fiscal_years, ends)).aggregate(**aggregates)
    reported = scope.societies(MemberSociety.objects.all()).aggregate(**report_sums)
    return [
        {
            "fiscal_year": year,
            "as_of": fiscal_year_bounds(year)[1],
            "worker_members": counts[f"closing_{year}"],
            "individual_members": counts[f"closing_{year}"] + reported[f"reported_{year}"],
            "joins": counts[f"joins_{year}"],
            "leaves": counts[f"leaves_{year}"],
        }
        for year in fiscal_years
    ]


RECONCILIATION_DIMENSIONS = ("union", "society", "head_office", "business_center")


def membership_reconciliation(*, scope: Scope, fiscal_year: int, by: str = "business_center") -> dict:
    """Worker members per group for the fiscal year: opening (the day before it starts), joins,
    moves in from another center, leaves by reason, moves out, closing (its last day), with
    opening + joins + moves in - leaves - moves out = closing in every row. People count at the
    center where they worked on each day, each society over its own fiscal year (the dates given
    are those of a year ending in March). Two queries."""
    if by not in RECONCILIATION_DIMENSIONS:
        raise ValueError(f"Reconciliation is by one of {', '.join(RECONCILIATION_DIMENSIONS)}.")
    dimension = _dimension(by)
    start, end = fiscal_year_bounds(fiscal_year)
    opening_on = start - datetime.timedelta(days=1)
    reasons = [value for value, _label in LeaveReason.choices]
    ends = year_ends(scope)
    in_year = functools.reduce(
        operator.or_,
        (
            Q(
                kind=MemberRollup.Kind.LEAVES_BY_REASON,
                on__gte=fiscal_year_bounds(fiscal_year, end_month=month)[0],
                on__lte=fiscal_year_bounds(fiscal_year, end_month=month)[1],
                society__fiscal_year_end_month=month,
            )
            for month in ends
        ),
    )
    by_reason = {
        reason: Coalesce(Sum("leaves", filter=in_year & Q(leave_reason=reason)), 0) for reason in [*reasons, ""]
    }
    rows = list(
        scope.members(people())
        .filter(year_boundaries([fiscal_year], ends) | in_year)
        .annotate(key=dimension.key(), label=dimension.label())
        .values("key", "label")
        # (named apart from the rollup's own fields, which the sums read)
        .annotate(
            opening=on_year_end(fiscal_year - 1, ends),
            n_joins=during_year(fiscal_year, ends, "joins"),
            n_moves_in=during_year(fiscal_year, ends, "moves_in"),
            n_leaves=during_year(fiscal_year, ends, "leaves"),
            n_moves_out=during_year(fiscal_year, ends, "moves_out"),
            closing=on_year_end(fiscal_year, ends),
            **{f"left_{reason or 'unstated'}": total for reason, total in by_reason.items()},
        )
        .order_by("key")
    )
    columns = ["opening", "joins", "moves_in", "leaves", "moves_out", "closing"]
    for row in rows:
        for column in ("joins", "moves_in", "leaves", "moves_out"):
            row[column] = row.pop(f"n_{column}")
        row["leaves_by_reason"] = {reason: row.pop(f"left_{reason}") for reason in [*reasons, "unstated"]}
    rows = [row for row in rows if any(row[column] for column in columns)]
    total = {column: sum(row[column] for row in rows) for column in columns}
    total["leaves_by_reason"] = {
        reason: sum(row["leaves_by_reason"][reason] for row in rows) for reason in [*reasons, "unstated"]
    }
    return {
        "fiscal_year": fiscal_year,
        "opening_on": opening_on,
        "closing_on": end,
        "reasons": [*reasons, "unstated"],
        "rows": rows,
        "total": total,
    }


def turnover_over_years(*, scope: Scope, fiscal_years: list[int]) -> list[dict]:
    """The scope's turnover per fiscal year, by the same rule as ``turnover_total`` (None for a
    year with nothing reported). One query."""
    if scope.head_office_id is not None or _narrows_centers(scope):
        figures = scope.annual_figures(
            AnnualFigures.objects.filter(fiscal_year__in=fiscal_years, business_center__isnull=False)
        )
        totals = dict(
            figures.values("fiscal_year").annotate(total=Sum("turnover_yen")).values_list("fiscal_year", "total")
        )
    else:
        annotations, sums = {}, {}
        for year in fiscal_years:
            start, end = fiscal_year_bounds(year)
            annotations[f"t{year}"] = society_turnover_expression(year)
            sums[f"y{year}"] = Sum(
                f"t{year}",
                filter=Q(joined_union_on__lte=end) & (Q(left_union_on__isnull=True) | Q(left_union_on__gt=start)),
            )
        result = scope.societies(MemberSociety.objects.all()).annotate(**annotations).aggregate(**sums)
        totals = {year: result[f"y{year}"] for year in fiscal_years}
    return [{"fiscal_year": year, "turnover_yen": totals.get(year)} for year in fiscal_years]


def with_shares(rows: list[dict], field: str) -> list[dict]:
    """``rows`` with ``share``: each row's part of their sum (rows that partition a total)."""
    total = sum(row[field] or 0 for row in rows)
    return [{**row, "share": _share(row[field], total)} for row in rows]


def national_indicators():
    return list(Indicator.objects.filter(scope=IndicatorScope.NATIONAL).order_by("code"))


# The union's own figure set beside a national one: (indicator code, figure of inclusion_by).
NATIONAL_COMPARISONS = {"population-aging-rate": "elderly"}


def inclusion_table(*, scope: Scope, as_of: datetime.date, by: str, controlled: bool) -> dict:
    """inclusion_by shaped for display: per group and column (elderly, youth, each category) the
    count as text and its share of the group's active members. ``controlled``: counts of 1 to 4
    read "<5", with complementary suppression (reports.disclosure), and hidden counts have no
    share. Three queries."""
    result = inclusion_by(scope=scope, as_of=as_of, by=by)
    columns = ["elderly", "youth", *result["categories"]]
    table = {
        str(group["key"]): {
            "elderly": group["elderly"],
            "youth": group["youth"],
            **{code: group["categories"][code] for code in result["categories"]},
        }
        for group in result["groups"]
    }
    cells = control(table, additive_rows=result["partitions"]) if controlled else None
    rows = []
    for group in result["groups"]:
        row_cells = []
        for column in columns:
            count = table[str(group["key"])][column]
            if cells is not None and cells.cells[str(group["key"])][column].suppressed:
                row_cells.append({"column": column, "count": None, "text": "<5", "share": None})
            else:
                share = _share(count, group["active_members"])
                row_cells.append({"column": column, "count": count, "text": f"{count:,}", "share": share})
        rows.append(
            {
                "key": group["key"],
                "label": group["label"],
                "active_members": group["active_members"],
                "cells": row_cells,
            }
        )
    totals = {column: sum(table[key][column] for key in table) for column in columns}
    members = sum(group["active_members"] for group in result["groups"])
    total_cells = []
    for column in columns:
        hidden = cells is not None and result["partitions"] and cells.totals[column].suppressed
        total_cells.append(
            {
                "column": column,
                "count": None if hidden else totals[column],
                "text": "<5" if hidden else f"{totals[column]:,}",
                "share": None if hidden else _share(totals[column], members),
            }
        )
    categories = dict(InclusionCategory.objects.values_list("code", "name"))
    return {
        "as_of": as_of,
        "by": by,
        "controlled": controlled,
        "partitions": result["partitions"],
        "columns": [{"code": c, "name": categories.get(c, c)} for c in columns],
        "rows": rows,
        "total": {"active_members": members if result["partitions"] else None, "cells": total_cells},
    }


SDG_GOALS = range(1, 18)


def sdg_contribution(*, scope: Scope, as_of: datetime.date, fiscal_year: int) -> list[dict]:
    """Per SDG goal: the business lines mapped to it, and the worker members (on ``as_of``),
    open centers and turnover (of ``fiscal_year``) of the centers running at least one of
    them. Goals overlap (a line serves several), so the rows do not add up; a center counts
    once per goal however many of its lines serve it. Two queries: the lines, and one grouped
    query of the three figures by goal."""
    members = (
        scope.members(people())
        .filter(rollup.at(as_of), business_center__isnull=False)
        .values("business_center")
        .annotate(n=Sum("active"))
        .values_list("business_center", "n")
    )
    turnover = scope.annual_figures(
        AnnualFigures.objects.filter(fiscal_year=fiscal_year, business_center__isnull=False)
    ).values_list("business_center", "turnover_yen")
    open_centers = scope.centers(BusinessCenter.objects.open_on(as_of)).values_list("pk")
    links = BusinessCenter.business_lines.through
    parts = [queryset.query.sql_with_params() for queryset in (members, turnover, open_centers)]
    sql = f"""
        WITH center_goal AS (
            SELECT DISTINCT link.businesscenter_id AS center, goal
            FROM {links._meta.db_table} link
            JOIN {BusinessLine._meta.db_table} line ON line.id = link.businessline_id,
                 unnest(line.sdg_goals) AS goal
        ), members (center, n) AS ({parts[0][0]}),
           turnover (center, yen) AS ({parts[1][0]}),
           open_center (center) AS ({parts[2][0]})
        SELECT goal,
               (SELECT coalesce(sum(m.n), 0) FROM members m JOIN center_goal g ON g.center = m.center
                WHERE g.goal = goals.goal),
               (SELECT count(*) FROM open_center o JOIN center_goal g ON g.center = o.center WHERE g.goal = goals.goal),
               (SELECT coalesce(sum(t.yen), 0) FROM turnover t JOIN center_goal g ON g.center = t.center
                WHERE g.goal = goals.goal)
        FROM unnest(%s::int[]) AS goals (goal)
        ORDER BY goal
    """
    params = [*parts[0][1], *parts[1][1], *parts[2][1], list(SDG_GOALS)]
    with connections[members.db].cursor() as cursor:
        cursor.execute(sql, params)
        figures = {goal: (int(n), count, int(yen)) for goal, n, count, yen in cursor.fetchall()}
    lines = list(BusinessLine.objects.order_by("sort_order", "code").values("name", "sdg_goals"))
    return [
        {
            "goal": goal,
            "lines": [line["name"] for line in lines if goal in line["sdg_goals"]],
            "worker_members": figures[goal][0],
            "business_centers": figures[goal][1],
            "turnover_yen": figures[goal][2],
        }
        for goal in SDG_GOALS
    ]


# The Worker Cooperatives Act (2020) asks that at least 4/5 of the members are engaged in the
# work and at least 3/4 of those engaged in the work are members.
ACT_MEMBERS_ENGAGED = 4 / 5
ACT_WORKERS_MEMBERS = 3 / 4


def worker_coop_act_check(*, scope: Scope, fiscal_year: int) -> list[dict]:
    """Per society incorporated under the Worker Cooperatives Act, on the fiscal year's last day:
    the share of members engaged in the work (>= 4/5) and the share of those engaged in the work
    who are members (>= 3/4), flagged where it falls short. The registry has no flag for being
    engaged in the work: a person with a contract or weekly hours above zero counts as engaged,
    a volunteer never does (the rollup's ``engaged``). Worker members are the members;
    employees and trainees with a contract are non-member workers. One query."""
    ends = year_ends(scope)
    rows = (
        scope.members(people(relationship=None))
        .filter(
            year_boundaries([fiscal_year], ends),
            society__legal_form=LegalForm.WORKER_COOP,
            society__registers_individuals=True,
        )
        .values(key=F("society__code"), label=F("society__name"), end_month=F("society__fiscal_year_end_month"))
        .annotate(
            members=on_year_end(fiscal_year, ends, relationship=Relationship.WORKER_MEMBER),
            members_engaged=on_year_end(fiscal_year, ends, relationship=Relationship.WORKER_MEMBER, engaged=True),
            workers=on_year_end(fiscal_year, ends, engaged=True),
        )
        .filter(Q(members__gt=0) | Q(workers__gt=0))
        .order_by("key")
    )
    result = []
    for row in rows:
        members_share = _share(row["members_engaged"], row["members"])
        workers_share = _share(row["members_engaged"], row["workers"])
        result.append(
            {
                **row,
                "as_of": fiscal_year_bounds(fiscal_year, end_month=row.pop("end_month"))[1],
                "members_engaged_share": members_share,
                "workers_members_share": workers_share,
                "members_engaged_ok": members_share is not None and members_share >= ACT_MEMBERS_ENGAGED,
                "workers_members_ok": workers_share is not None and workers_share >= ACT_WORKERS_MEMBERS,
            }
        )
    return result


def featured_cases(*, scope: Scope, as_of: datetime.date) -> list[dict]:
    """The business centers told as cases, with their story and worker members on ``as_of``. One
    query."""
    return list(
        scope.centers(BusinessCenter.objects.filter(featured=True))
        .annotate(worker_members=_counted_on(as_of, "business_center"))
        .values(
            "code", "name", "name_ja", "municipality", "prefecture", "opened_on", "story", "story_ja", "worker_members"
        )
        .order_by("code")
    )


def report_exports(*, scope: Scope, limit: int = 20):
    """The latest recorded exports of the annual report within the scope's union. One query."""
    exports = ReportExport.objects.select_related("created_by").order_by("-created_at")
    if scope.union_id is not None:
        exports = exports.filter(union_id=scope.union_id)
    return list(exports[:limit])


def report_export_of(sha256: str):
    """The recorded export whose file has this SHA-256, or None. One query."""
    return ReportExport.objects.select_related("union", "created_by").filter(sha256=sha256).first()


def report_jobs_visible(*, scope: Scope, user):
    """The report jobs a user may follow and download, as their role is now: a union
    administrator, every job of their union; anyone else in a union, the public editions they
    asked for in that union (a role lost or moved takes its reports with it)."""
    jobs = ReportJob.objects.select_related("requested_by", "export")
    if scope.union_id is None:
        return jobs if scope.can_manage else jobs.none()
    jobs = jobs.filter(union_id=scope.union_id)
    return jobs if scope.can_manage else jobs.filter(requested_by=user, public=True)
