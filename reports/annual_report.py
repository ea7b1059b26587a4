"""The union's annual report: its contents (built from the same figures as the dashboards) and
its three formats. PDF: A4 with charts, page numbers and a table of contents (WeasyPrint, Noto
CJK). XLSX: one sheet per section, numbers as numbers, frozen headers, yen formatting. CSV: one
tidy long table (section, figure, dimension, measure, value).
"""

import csv
import datetime
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from jwcu.fiscal import fiscal_year_bounds
from jwcu.scope import Scope
from members.models import Union
from reports import figures as F
from reports import selectors

FORMATS = ("pdf", "xlsx", "csv")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@dataclass
class Section:
    slug: str
    title: str
    figures: list[F.Figure] = field(default_factory=list)
    cases: list[dict] = field(default_factory=list)


@dataclass
class AnnualReport:
    union: Union
    fiscal_year: int
    as_of: datetime.date
    public: bool
    sections: list[Section]

    @property
    def options(self) -> dict:
        return {
            "union": self.union.code,
            "fiscal_year": self.fiscal_year,
            "as_of": self.as_of.isoformat(),
            "public": self.public,
        }


def report_scope(union: Union, *, public: bool) -> Scope:
    """The whole union; the public report is computed as for a reader without the sensitive-data
    permission, so every count of people in inclusion figures is disclosure-controlled."""
    return Scope(union_id=union.pk, sensitive=not public)


def _union_figure(union: Union, fiscal_year: int, as_of: datetime.date, closing) -> F.Figure:
    start = fiscal_year_bounds(fiscal_year)[0] - datetime.timedelta(days=1)
    opening = selectors.union_summary(union=union, as_of=start, fiscal_year=fiscal_year)
    measures = [
        ("member_societies", _("Member societies")),
        ("head_offices", _("Head offices")),
        ("business_centers", _("Business centers")),
        ("individual_members", _("Individual members")),
        ("worker_members", _("Worker members")),
    ]
    return F.Figure(
        slug="union-headline",
        title=_("The union at the start and the end of FY%(year)s") % {"year": fiscal_year},
        columns=[
            F.Column("measure", _("Measure"), F.TEXT),
            F.Column("opening", str(start)),
            F.Column("closing", str(as_of)),
        ],
        rows=[[label, getattr(opening, key), getattr(closing, key)] for key, label in measures]
        + [[_("Turnover FY%(year)s (yen)") % {"year": fiscal_year}, closing.turnover_yen, closing.turnover_yen]],
    )


def _societies_figure(union: Union, fiscal_year: int, as_of: datetime.date, summary) -> F.Figure:
    return F.Figure(
        slug="societies",
        title=_("Member societies on %(date)s") % {"date": as_of},
        columns=[
            F.Column("society", _("Society"), F.TEXT),
            F.Column("kind", _("Kind"), F.TEXT),
            F.Column("head_offices", _("Head offices")),
            F.Column("business_centers", _("Business centers")),
            F.Column("individual_members", _("Individual members")),
            F.Column("worker_members", _("Worker members")),
            F.Column("turnover_yen", _("Turnover FY%(year)s (yen)") % {"year": fiscal_year}, F.YEN),
        ],
        rows=[
            [
                s.name,
                F._kind(s.kind),
                s.head_offices,
                s.business_centers,
                s.individual_members,
                s.worker_members,
                s.turnover_yen,
            ]
            for s in summary.societies
        ],
        total=[
            _("Total"),
            "",
            summary.head_offices,
            summary.business_centers,
            summary.individual_members,
            summary.worker_members,
            summary.turnover_yen,
        ],
    )


def _union_figures(union: Union, fiscal_year: int, as_of: datetime.date) -> list[F.Figure]:
    closing = selectors.union_summary(union=union, as_of=as_of, fiscal_year=fiscal_year)
    return [
        _union_figure(union, fiscal_year, as_of, closing),
        _societies_figure(union, fiscal_year, as_of, closing),
    ]


def sections(union: Union, fiscal_year: int, as_of: datetime.date, public: bool) -> list[tuple[str, str, Callable]]:
    """(slug, title, builder) of each section, in the report's order: the steps a progress bar
    counts."""
    scope = report_scope(union, public=public)
    controlled = not scope.sensitive

    def published(figure, **options):
        """Counts of people by society, prefecture… disclosure-controlled in the public edition."""
        return F.control_people(figure, **options) if controlled else figure

    return [
        (
            "union",
            _("The union at the year's end"),
            lambda: _union_figures(union, fiscal_year, as_of),
        ),
        (
            "membership",
            _("Membership"),
            lambda: [
                F.membership_over_years_figure(scope=scope, fiscal_year=fiscal_year),
                published(F.members_by_figure(scope=scope, as_of=as_of, by="society_kind")),
                published(F.members_by_figure(scope=scope, as_of=as_of, by="prefecture")),
                published(
                    F.reconciliation_figure(scope=scope, fiscal_year=fiscal_year, by="society"), linked_columns=True
                ),
            ],
        ),
        (
            "turnover",
            _("Turnover"),
            lambda: [
                F.turnover_by_figure(scope=scope, fiscal_year=fiscal_year, by="society"),
                F.turnover_by_figure(scope=scope, fiscal_year=fiscal_year, by="business_line"),
            ],
        ),
        (
            "inclusion",
            _("Inclusion"),
            lambda: [
                F.inclusion_figure(scope=scope, as_of=as_of, by="society", controlled=controlled),
                F.inclusion_figure(scope=scope, as_of=as_of, by="business_line", controlled=controlled),
                F.national_figure(scope=scope, as_of=as_of, controlled=controlled),
            ],
        ),
        (
            "sdgs",
            _("Contribution to the SDGs"),
            lambda: [F.sdg_figure(scope=scope, fiscal_year=fiscal_year, as_of=as_of)],
        ),
        (
            "act",
            _("Worker Cooperatives Act"),
            lambda: [published(F.act_figure(scope=scope, fiscal_year=fiscal_year), additive_rows=False)],
        ),
        ("cases", _("Cases"), lambda: []),
    ]


def build(
    *,
    union: Union,
    fiscal_year: int,
    as_of: datetime.date | None = None,
    public: bool,
    progress: Callable[[str], None] = lambda title: None,
) -> AnnualReport:
    as_of = as_of or fiscal_year_bounds(fiscal_year)[1]
    built = []
    for slug, title, builder in sections(union, fiscal_year, as_of, public):
        progress(title)
        section = Section(slug=slug, title=title, figures=builder())
        if slug == "cases":
            section.cases = selectors.featured_cases(scope=report_scope(union, public=public), as_of=as_of)
        built.append(section)
    return AnnualReport(union=union, fiscal_year=fiscal_year, as_of=as_of, public=public, sections=built)


# Formats -------------------------------------------------------------------------------------


def to_csv(report: AnnualReport) -> bytes:
    """One long table, UTF-8 with a byte order mark: Excel, which reads a CSV without one in the
    machine's code page (Shift_JIS in Japan), then shows the Japanese labels as they are."""
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(["section", "figure", "dimension", "measure", "label", "value"])
    for section in report.sections:
        for figure in section.figures:
            for dimension, column, value in figure.records():
                writer.writerow(
                    [section.slug, figure.slug, dimension, column.key, column.label, "" if value is None else value]
                )
        for case in section.cases:
            writer.writerow(
                [
                    section.slug,
                    "featured-cases",
                    case["name"],
                    "worker_members",
                    _("Worker members"),
                    case["worker_members"],
                ]
            )
    return output.getvalue().encode("utf-8-sig")


NUMBER_FORMATS = {F.COUNT: "#,##0", F.YEN: '"¥"#,##0', F.SHARE: "0.0%", "number": "#,##0.0##"}


def to_xlsx(report: AnnualReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for section in report.sections:
        sheet = workbook.create_sheet(title=str(section.title)[:31])
        row_number = 1
        if section.cases:
            sheet.append([_("Case"), _("Municipality"), _("Worker members"), _("Story"), _("Story (Japanese)")])
            for case in section.cases:
                sheet.append(
                    [case["name"], case["municipality"], case["worker_members"], case["story"], case["story_ja"]]
                )
            for cell in sheet[1]:
                cell.font = bold
            sheet.freeze_panes = "A2"
            continue
        for index, figure in enumerate(section.figures):
            sheet.cell(row=row_number, column=1, value=str(figure.title)).font = Font(bold=True, size=12)
            header = row_number + 1
            for column_number, column in enumerate(figure.columns, start=1):
                cell = sheet.cell(row=header, column=column_number, value=str(column.label))
                cell.font = bold
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            if index == 0:
                sheet.freeze_panes = sheet.cell(row=header + 1, column=2)
            row_number = header + 1
            for values in [*figure.rows, *([figure.total] if figure.total else [])]:
                for column_number, (value, column) in enumerate(zip(values, figure.columns, strict=True), start=1):
                    value = value if value is None or isinstance(value, int | float) else str(value)
                    cell = sheet.cell(row=row_number, column=column_number, value=value)
                    if column.kind in NUMBER_FORMATS and not isinstance(value, str):
                        cell.number_format = NUMBER_FORMATS[column.kind]
                    elif isinstance(value, str) and column.kind != F.TEXT:
                        cell.alignment = Alignment(horizontal="right")
                row_number += 1
            if figure.note:
                sheet.cell(row=row_number, column=1, value=str(figure.note)).font = Font(italic=True)
                row_number += 1
            row_number += 1
        widths = {}
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None and cell.row > 1:
                    widths[cell.column] = max(widths.get(cell.column, 8), min(len(str(cell.value)) + 2, 50))
        for column, width in widths.items():
            sheet.column_dimensions[get_column_letter(column)].width = width
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def to_pdf(report: AnnualReport, *, progress: Callable[[str], None] = lambda title: None) -> bytes:
    import vl_convert
    from weasyprint import HTML

    for section in report.sections:
        for figure in section.figures:
            if figure.chart:
                progress(_("Chart: %(title)s") % {"title": figure.title})
                figure.svg = vl_convert.vegalite_to_svg(figure.chart)
    for section in report.sections:
        for figure in section.figures:
            figure.print_parts = _print_parts(figure)
    progress(_("Typesetting"))
    html = render_to_string("reports/annual_report_pdf.html", {"report": report})
    return HTML(string=html).write_pdf()


PRINT_COLUMNS = 13


def _print_parts(figure: F.Figure) -> list[dict]:
    """A wide figure split into tables of at most PRINT_COLUMNS columns for the page, each
    repeating the first column."""
    width = PRINT_COLUMNS - 1
    parts = []
    for start in range(1, max(len(figure.columns), 2), width):
        keep = [0, *range(start, min(start + width, len(figure.columns)))]
        parts.append(
            {
                "columns": [figure.columns[i] for i in keep],
                "rows": [[row[i] for i in keep] for row in figure.rows],
                "total": [figure.total[i] for i in keep] if figure.total else None,
            }
        )
    return parts


def render(report: AnnualReport, format: str, **kwargs) -> bytes:
    if format not in FORMATS:
        raise ValueError(f"Unknown format '{format}'; choose one of {', '.join(FORMATS)}.")
    return {"pdf": to_pdf, "xlsx": to_xlsx, "csv": to_csv}[format](report, **kwargs)


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
