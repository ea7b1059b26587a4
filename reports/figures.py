"""A figure is one table of numbers, optionally drawn as a chart: what a dashboard shows, and
what the annual report typesets (PDF), lays out in sheets (XLSX) or lists (CSV). The numbers
come from reports.selectors; this module only shapes them."""

import dataclasses
import datetime
from dataclasses import dataclass, field

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from jwcu.models import Prefecture
from members.models import LeaveReason, SocietyKind
from reports import charts, selectors
from reports.disclosure import control, is_small
from reports.selectors import NATIONAL_COMPARISONS

TEXT, COUNT, YEN, SHARE = "text", "count", "yen", "share"
SUPPRESSION_NOTE = gettext_lazy("Counts of 1 to 4 are shown as <5, and a complementary count is hidden with them.")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = COUNT


@dataclass
class Figure:
    slug: str
    title: str
    columns: list[Column]
    rows: list[list]  # raw values: int, float (shares), str ("<5" where suppressed), None
    chart: dict | None = None
    note: str = ""
    total: list | None = None
    svg: str = ""  # the chart drawn for print
    print_parts: list = field(default_factory=list)  # the table cut to the page's width

    def records(self):
        """(dimension, column, value) of every numeric cell: the tidy long form."""
        for row in [*self.rows, *([self.total] if self.total else [])]:
            dimension = row[0]
            for column, value in zip(self.columns[1:], row[1:], strict=True):
                if column.kind != TEXT:
                    yield dimension, column, value


@dataclass
class Dashboard:
    title: str
    headline: list[tuple[str, object, str]] = field(default_factory=list)  # (label, value, kind)
    figures: list[Figure] = field(default_factory=list)


def control_people(figure: Figure, *, additive_rows: bool = True, linked_columns: bool = False) -> Figure:
    """``figure`` as published outside the sensitive-data permission: every count of people from 1
    to 4 (in either sign: leaves are shown negative) reads "<5", with complementary suppression
    (reports.disclosure.control) down each column whose rows add up to the total, and, where
    ``linked_columns`` (a reconciliation: opening + joins … = closing), along each row too, so no
    hidden count can be worked out by subtraction. A hidden count's share is hidden with it."""
    counted = [i for i, column in enumerate(figure.columns) if column.kind == COUNT]
    keys = {i: figure.columns[i].key for i in counted}
    table = {
        str(r): {keys[i]: abs(row[i]) for i in counted if isinstance(row[i], int)} for r, row in enumerate(figure.rows)
    }
    for _round in range(len(counted) + 1):
        cells = control(table, additive_rows=additive_rows)
        hidden = {(r, c) for r, row in cells.cells.items() for c, cell in row.items() if cell.suppressed}
        if not linked_columns:
            break
        added = False
        for r, row in table.items():
            row_hidden = [c for c in row if (r, c) in hidden]
            published = sorted((n, c) for c, n in row.items() if (r, c) not in hidden and n > 0)
            if len(row_hidden) == 1 and published:
                row[published[0][1]] = 1  # hide it too: a count taken as small hides it in the next round
                added = True
        if not added:
            break
    shares = [i for i, column in enumerate(figure.columns) if column.kind == SHARE]
    rows = []
    for r, row in enumerate(figure.rows):
        row = list(row)
        hidden_here = [i for i in counted if (str(r), keys[i]) in hidden]
        for i in hidden_here:
            row[i] = "<5"
        if hidden_here:
            for i in shares:
                row[i] = None
        rows.append(row)
    total = list(figure.total) if figure.total else None
    if total and additive_rows:
        for i in counted:
            if cells.totals.get(keys[i]) is not None and cells.totals[keys[i]].suppressed:
                total[i] = "<5"
    elif total:
        for i in counted:
            if isinstance(total[i], int) and is_small(abs(total[i])):
                total[i] = "<5"
    note = str(SUPPRESSION_NOTE)
    return dataclasses.replace(figure, rows=rows, total=total, note=" ".join(filter(None, [figure.note, note])))


def _years(fiscal_year: int, count: int = 6) -> list[int]:
    return list(range(fiscal_year - count + 1, fiscal_year + 1))


def _label(row) -> str:
    return row["label"] if row["key"] is not None else _("Not attributed")


def _kind(value: str) -> str:
    return str(SocietyKind(value).label) if value in SocietyKind.values else value


def _prefecture(value) -> str:
    return str(Prefecture(value).label) if value in Prefecture.values else _("Not attributed")


BY_LABELS = {
    "society_kind": gettext_lazy("Society kind"),
    "society": gettext_lazy("Society"),
    "head_office": gettext_lazy("Head office"),
    "business_center": gettext_lazy("Business center"),
    "prefecture": gettext_lazy("Prefecture"),
    "business_line": gettext_lazy("Business line"),
    "union": gettext_lazy("Union"),
}


# Overview ------------------------------------------------------------------------------------


def overview(*, scope, fiscal_year: int, as_of: datetime.date, **_options) -> Dashboard:
    figures = selectors.overview(scope=scope, as_of=as_of, fiscal_year=fiscal_year)
    change = figures.turnover_change
    dashboard = Dashboard(
        title=_("Overview"),
        headline=[
            (_("Individual members"), figures.individual_members, COUNT),
            (_("Worker members"), figures.worker_members, COUNT),
            (_("Member societies"), figures.member_societies, COUNT),
            (_("Head offices"), figures.head_offices, COUNT),
            (_("Business centers"), figures.business_centers, COUNT),
            (_("Turnover FY%(year)s") % {"year": fiscal_year}, figures.turnover_yen, YEN),
            (_("Change on FY%(year)s") % {"year": fiscal_year - 1}, change, SHARE),
        ],
    )
    dashboard.figures.append(turnover_over_years_figure(scope=scope, fiscal_year=fiscal_year))
    dashboard.figures.append(membership_over_years_figure(scope=scope, fiscal_year=fiscal_year))
    return dashboard


def turnover_over_years_figure(*, scope, fiscal_year: int) -> Figure:
    rows = selectors.turnover_over_years(scope=scope, fiscal_years=_years(fiscal_year))
    return Figure(
        slug="turnover-over-years",
        title=_("Turnover by fiscal year"),
        columns=[Column("fiscal_year", _("Fiscal year"), TEXT), Column("turnover_yen", _("Turnover (yen)"), YEN)],
        rows=[[f"FY{row['fiscal_year']}", row["turnover_yen"]] for row in rows],
        chart=charts.bars(
            [{"year": f"FY{r['fiscal_year']}", "yen": r["turnover_yen"]} for r in rows],
            category="year",
            value="yen",
            title=_("Turnover by fiscal year"),
            value_title=_("Turnover (yen)"),
            yen=True,
            ordered=True,
        ),
    )


def membership_over_years_figure(*, scope, fiscal_year: int) -> Figure:
    rows = selectors.membership_over_years(scope=scope, fiscal_years=_years(fiscal_year))
    return Figure(
        slug="membership-over-years",
        title=_("Membership at the end of each fiscal year, joins and leaves"),
        columns=[
            Column("fiscal_year", _("Fiscal year"), TEXT),
            Column("individual_members", _("Individual members")),
            Column("worker_members", _("Worker members")),
            Column("joins", _("Joined")),
            Column("leaves", _("Left")),
        ],
        rows=[
            [f"FY{r['fiscal_year']}", r["individual_members"], r["worker_members"], r["joins"], r["leaves"]]
            for r in rows
        ],
        chart=charts.lines(
            [{**r, "year": f"FY{r['fiscal_year']}"} for r in rows],
            x="year",
            series={"worker_members": _("Worker members"), "joins": _("Joined"), "leaves": _("Left")},
            title=_("Worker members, joins and leaves"),
            value_title=_("People"),
        ),
        note=_("Individual members add the counts reported by societies that do not register people one by one."),
    )


# Membership ----------------------------------------------------------------------------------


def members_by_figure(*, scope, as_of: datetime.date, by: str) -> Figure:
    rows = selectors.with_shares(selectors.members_by(scope=scope, as_of=as_of, by=by), "worker_members")
    names = [
        _prefecture(r["key"]) if by == "prefecture" else _kind(r["key"]) if by == "society_kind" else _label(r)
        for r in rows
    ]
    title = _("Worker members by %(dimension)s on %(date)s") % {"dimension": BY_LABELS[by].lower(), "date": as_of}
    if by == "prefecture":
        chart = charts.prefecture_tiles(
            {r["key"]: r["worker_members"] for r in rows if r["key"]}, title=title, value_title=_("Worker members")
        )
    else:
        chart = charts.bars(
            [{"name": n, "members": r["worker_members"]} for n, r in zip(names, rows, strict=True)],
            category="name",
            value="members",
            title=title,
            value_title=_("Worker members"),
        )
    return Figure(
        slug=f"members-by-{by}",
        title=title,
        columns=[
            Column("name", BY_LABELS[by], TEXT),
            Column("worker_members", _("Worker members")),
            Column("share", _("Share"), SHARE),
        ],
        rows=[[n, r["worker_members"], r["share"]] for n, r in zip(names, rows, strict=True)],
        chart=chart,
        note=_("A center may run several business lines; its people count in each.") if by == "business_line" else "",
    )


def reconciliation_figure(*, scope, fiscal_year: int, by: str = "business_center") -> Figure:
    result = selectors.membership_reconciliation(scope=scope, fiscal_year=fiscal_year, by=by)
    reasons = {value: str(label) for value, label in LeaveReason.choices} | {"unstated": _("Reason not stated")}
    columns = [
        Column("name", BY_LABELS[by], TEXT),
        Column("opening", _("Opening %(date)s") % {"date": result["opening_on"]}),
        Column("joins", _("Joined")),
        Column("moves_in", _("Moved in")),
        *[
            Column(f"left_{reason}", _("Left: %(reason)s") % {"reason": reasons[reason]})
            for reason in result["reasons"]
        ],
        Column("moves_out", _("Moved out")),
        Column("closing", _("Closing %(date)s") % {"date": result["closing_on"]}),
    ]

    def line(name, row):
        return [
            name,
            row["opening"],
            row["joins"],
            row["moves_in"],
            *[-row["leaves_by_reason"][r] for r in result["reasons"]],
            -row["moves_out"],
            row["closing"],
        ]

    return Figure(
        slug=f"reconciliation-by-{by}",
        title=_(
            "Reconciliation of worker members, FY%(year)s: opening + joined + moved in − left − moved out = closing"
        )
        % {"year": fiscal_year},
        columns=columns,
        rows=[line(_label(row), row) for row in result["rows"]],
        total=line(_("Total"), result["total"]),
        note=_(
            "Members are counted at the business center where they worked on each day; leaves and moves out "
            "are shown as negative numbers."
        ),
    )


def membership(*, scope, fiscal_year: int, as_of: datetime.date, **_options) -> Dashboard:
    dashboard = Dashboard(title=_("Membership"))
    dashboard.figures.append(membership_over_years_figure(scope=scope, fiscal_year=fiscal_year))
    for by in ("society_kind", "society", "head_office", "prefecture"):
        dashboard.figures.append(members_by_figure(scope=scope, as_of=as_of, by=by))
    dashboard.figures.append(reconciliation_figure(scope=scope, fiscal_year=fiscal_year))
    return dashboard


# Turnover ------------------------------------------------------------------------------------


def turnover_by_figure(*, scope, fiscal_year: int, by: str) -> Figure:
    rows = selectors.with_shares(selectors.turnover_by(scope=scope, fiscal_year=fiscal_year, by=by), "turnover_yen")
    names = [_prefecture(r["key"]) if by == "prefecture" else _label(r) for r in rows]
    title = _("Turnover FY%(year)s by %(dimension)s") % {"year": fiscal_year, "dimension": BY_LABELS[by].lower()}
    return Figure(
        slug=f"turnover-by-{by}",
        title=title,
        columns=[
            Column("name", BY_LABELS[by], TEXT),
            Column("turnover_yen", _("Turnover (yen)"), YEN),
            Column("share", _("Share of total"), SHARE),
        ],
        rows=[[n, r["turnover_yen"], r["share"]] for n, r in zip(names, rows, strict=True)],
        chart=charts.bars(
            [{"name": n, "yen": r["turnover_yen"]} for n, r in zip(names, rows, strict=True)],
            category="name",
            value="yen",
            title=title,
            value_title=_("Turnover (yen)"),
            yen=True,
        ),
        note=_("A center running several business lines shares its turnover equally among them.")
        if by == "business_line"
        else "",
    )


def turnover(*, scope, fiscal_year: int, as_of: datetime.date, **_options) -> Dashboard:
    dashboard = Dashboard(
        title=_("Turnover"),
        headline=[
            (
                _("Turnover FY%(year)s") % {"year": fiscal_year},
                selectors.turnover_total(scope=scope, fiscal_year=fiscal_year),
                YEN,
            )
        ],
    )
    dashboard.figures.append(turnover_over_years_figure(scope=scope, fiscal_year=fiscal_year))
    for by in ("society", "head_office", "business_line", "prefecture"):
        dashboard.figures.append(turnover_by_figure(scope=scope, fiscal_year=fiscal_year, by=by))
    share_rows = dashboard.figures[1].rows
    dashboard.figures[1].chart = charts.stacked_shares(
        [{"name": r[0], "yen": r[1]} for r in share_rows],
        category="name",
        value="yen",
        title=_("Share of the total turnover by society"),
        value_title=_("Share"),
    )
    return dashboard


# Inclusion -----------------------------------------------------------------------------------

INCLUSION_DIMENSIONS = ("society", "head_office", "business_center", "business_line")


def inclusion_figure(*, scope, as_of: datetime.date, by: str, controlled: bool) -> Figure:
    table = selectors.inclusion_table(scope=scope, as_of=as_of, by=by, controlled=controlled)
    labels = {"elderly": _("Elderly (60+)"), "youth": _("Youth (under 35)")}
    columns = [Column("name", BY_LABELS[by], TEXT), Column("active_members", _("Worker members"))]
    for column in table["columns"]:
        name = labels.get(column["code"], column["name"])
        columns += [
            Column(column["code"], name),
            Column(f"{column['code']}_share", _("%(name)s, share") % {"name": name}, SHARE),
        ]

    def line(name, active, cells):
        values = [name, active]
        for cell in cells:
            values += [cell["count"] if cell["count"] is not None else cell["text"], cell["share"]]
        return values

    rows = [line(_label(r), r["active_members"], r["cells"]) for r in table["rows"]]
    chart_rows = [
        {"group": _label(r), "series": labels[c["column"]], "share": c["share"]}
        for r in table["rows"]
        for c in r["cells"]
        if c["column"] in labels and c["share"] is not None
    ]
    aging = next((i for i in selectors.national_indicators() if i.code == "population-aging-rate"), None)
    title = _("Inclusion by %(dimension)s on %(date)s") % {"dimension": BY_LABELS[by].lower(), "date": as_of}
    notes = [_("Share = members in the category / active worker members of the group.")]
    if controlled:
        notes.append(str(SUPPRESSION_NOTE))
    if not table["partitions"]:
        notes.append(_("A center may run several business lines; its people count in each."))
    return Figure(
        slug=f"inclusion-by-{by}",
        title=title,
        columns=columns,
        rows=rows,
        # people count in several lines: a sum over lines is not a total
        total=line(_("Total"), table["total"]["active_members"], table["total"]["cells"])
        if table["partitions"]
        else None,
        chart=charts.grouped_shares(
            chart_rows,
            group="group",
            series="series",
            share="share",
            title=_("Elderly and youth shares"),
            reference=(float(aging.value) / 100, _("National population aging rate")) if aging else None,
        ),
        note=" ".join(notes),
    )


INDICATOR_UNITS = {"percent": "%", "persons": gettext_lazy("persons"), "households": gettext_lazy("households")}


def national_figure(*, scope, as_of: datetime.date, controlled: bool) -> Figure:
    """The national context beside the union's own figure where one compares."""
    union = selectors.inclusion_table(scope=scope, as_of=as_of, by="union", controlled=controlled)["total"]
    union_shares = {cell["column"]: cell["share"] for cell in union["cells"]}
    rows = []
    japanese = (get_language() or "").startswith("ja")
    for indicator in selectors.national_indicators():
        ours = NATIONAL_COMPARISONS.get(indicator.code)
        label = indicator.label_ja if japanese and indicator.label_ja else indicator.label
        unit = str(INDICATOR_UNITS.get(indicator.unit, indicator.unit))
        rows.append([label, float(indicator.value), unit, union_shares.get(ours) if ours else None])
    return Figure(
        slug="national-context",
        title=_("National context"),
        columns=[
            Column("indicator", _("Indicator"), TEXT),
            Column("national", _("Japan"), "number"),
            Column("unit", _("Unit"), TEXT),
            Column("union", _("The union"), SHARE),
        ],
        rows=rows,
        note=_(
            "The union's elderly share counts members aged 60 and over; the national aging rate counts "
            "people aged 65 and over."
        ),
    )


def inclusion(*, scope, fiscal_year: int, as_of: datetime.date, by=None, **_options) -> Dashboard:
    by = by if by in INCLUSION_DIMENSIONS else "society"
    controlled = not scope.sensitive
    dashboard = Dashboard(title=_("Inclusion"))
    dashboard.figures.append(inclusion_figure(scope=scope, as_of=as_of, by=by, controlled=controlled))
    dashboard.figures.append(national_figure(scope=scope, as_of=as_of, controlled=controlled))
    return dashboard


# SDGs and the Worker Cooperatives Act --------------------------------------------------------


def sdg_figure(*, scope, fiscal_year: int, as_of: datetime.date) -> Figure:
    rows = [r for r in selectors.sdg_contribution(scope=scope, as_of=as_of, fiscal_year=fiscal_year) if r["lines"]]
    return Figure(
        slug="sdg-contribution",
        title=_("Contribution to the Sustainable Development Goals, FY%(year)s") % {"year": fiscal_year},
        columns=[
            Column("goal", _("Goal"), TEXT),
            Column("lines", _("Business lines"), TEXT),
            Column("worker_members", _("Worker members")),
            Column("business_centers", _("Business centers")),
            Column("turnover_yen", _("Turnover (yen)"), YEN),
        ],
        rows=[
            [f"SDG {r['goal']}", ", ".join(r["lines"]), r["worker_members"], r["business_centers"], r["turnover_yen"]]
            for r in rows
        ],
        chart=charts.bars(
            [{"goal": f"SDG {r['goal']}", "members": r["worker_members"]} for r in rows],
            category="goal",
            value="members",
            title=_("Worker members per goal"),
            value_title=_("Worker members"),
        ),
        note=_("Centers count for every goal of every line they run: goals overlap and do not add up."),
    )


def sdgs(*, scope, fiscal_year: int, as_of: datetime.date, **_options) -> Dashboard:
    return Dashboard(title=_("SDGs"), figures=[sdg_figure(scope=scope, fiscal_year=fiscal_year, as_of=as_of)])


def act_figure(*, scope, fiscal_year: int) -> Figure:
    rows = selectors.worker_coop_act_check(scope=scope, fiscal_year=fiscal_year)
    ok, short = _("yes"), _("falls short")
    return Figure(
        slug="worker-cooperatives-act",
        title=_("Worker Cooperatives Act check, FY%(year)s") % {"year": fiscal_year},
        columns=[
            Column("society", _("Society"), TEXT),
            Column("members", _("Members")),
            Column("members_engaged", _("Members engaged in the work")),
            Column("members_engaged_share", _("Share engaged (≥ 4/5)"), SHARE),
            Column("members_engaged_ok", _("Meets 4/5"), TEXT),
            Column("workers", _("People engaged in the work")),
            Column("workers_members_share", _("Share who are members (≥ 3/4)"), SHARE),
            Column("workers_members_ok", _("Meets 3/4"), TEXT),
        ],
        rows=[
            [
                r["label"],
                r["members"],
                r["members_engaged"],
                r["members_engaged_share"],
                ok if r["members_engaged_ok"] else short,
                r["workers"],
                r["workers_members_share"],
                ok if r["workers_members_ok"] else short,
            ]
            for r in rows
        ],
        note=_(
            "On the fiscal year's last day, for societies incorporated under the Act. Engaged in the work: "
            "a person with a contract or weekly hours above zero (the registry has no other record of it)."
        ),
    )


def act(*, scope, fiscal_year: int, as_of: datetime.date, **_options) -> Dashboard:
    return Dashboard(title=_("Worker Cooperatives Act"), figures=[act_figure(scope=scope, fiscal_year=fiscal_year)])


DASHBOARDS = {
    "overview": overview,
    "membership": membership,
    "turnover": turnover,
    "inclusion": inclusion,
    "sdgs": sdgs,
    "act": act,
}
