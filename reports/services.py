"""Writes of the reports app: recording a frozen export of the annual report."""

import datetime
from collections.abc import Callable

from django.db import transaction

from members.models import Union
from reports import annual_report
from reports.models import ReportExport


def annual_report_export(
    *,
    union: Union,
    fiscal_year: int,
    format: str,
    public: bool,
    as_of: datetime.date | None = None,
    user=None,
    file_name: str = "",
    progress: Callable[[str, int, int], None] = lambda step, done, total: None,
) -> tuple[bytes, ReportExport]:
    """Build the report, render it, and record the export (options, digests). Returns the file's
    bytes and the record. ``progress(step, done, total)`` is called before each step."""
    # The sections first; once they are built, the charts to draw are known.
    total = len(annual_report.sections(union, fiscal_year, as_of or datetime.date.min, public)) + 1
    done = 0

    def advance(step: str):
        nonlocal done
        done += 1
        progress(step, done, total)

    report = annual_report.build(union=union, fiscal_year=fiscal_year, as_of=as_of, public=public, progress=advance)
    figures = annual_report.to_csv(report)
    if format == "pdf":
        total += sum(1 for section in report.sections for figure in section.figures if figure.chart)
        content = annual_report.to_pdf(report, progress=advance)
    else:
        advance(format.upper())
        content = annual_report.render(report, format)
    file_name = file_name or default_file_name(union=union, fiscal_year=fiscal_year, format=format, public=public)
    export = ReportExport(
        union=union,
        fiscal_year=fiscal_year,
        as_of=report.as_of,
        format=format,
        public=public,
        options=report.options | {"format": format},
        file_name=file_name,
        size=len(content),
        sha256=annual_report.sha256(content),
        figures_sha256=annual_report.sha256(figures),
        created_by=user if user is not None and user.is_authenticated else None,
    )
    export.full_clean()
    with transaction.atomic():
        export.save()
    return content, export


def default_file_name(*, union: Union, fiscal_year: int, format: str, public: bool) -> str:
    edition = "public" if public else "internal"
    return f"{union.code}-annual-report-fy{fiscal_year}-{edition}.{format}"
