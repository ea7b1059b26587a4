import pathlib

from django.core.management.base import BaseCommand, CommandError

from members.models import Union
from reports import annual_report
from reports.management.commands.summary import _date, _fiscal_year
from reports.services import annual_report_export


class ProgressBar:
    """A one-line progress bar on a terminal (plain lines elsewhere)."""

    def __init__(self, stream):
        self.stream = stream
        self.tty = stream.isatty()

    def __call__(self, step: str, done: int, total: int):
        done = min(done, total)
        filled = round(30 * done / total)
        line = f"[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} {step}"
        self.stream.write(("\r\x1b[2K" + line) if self.tty else line + "\n", ending="")
        self.stream.flush()

    def finish(self):
        if self.tty:
            self.stream.write("")


class Command(BaseCommand):
    help = (
        "Export the union's annual report for a fiscal year as PDF, XLSX or CSV, and record the export "
        "(options and SHA-256) in the registry. --public applies the disclosure control."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fiscal-year", required=True, help="Fiscal year (FY2015 = April 2015 to March 2016).")
        parser.add_argument("--format", choices=annual_report.FORMATS, required=True)
        parser.add_argument("--output", required=True, help="File to write.")
        parser.add_argument("--public", action="store_true", help="The public edition (disclosure-controlled).")
        parser.add_argument("--as-of", help="Date of the counts (default: the fiscal year's last day).")
        parser.add_argument("--union", help="Code of the union (default: the first registered).")

    def handle(self, *args, fiscal_year, format, output, public, as_of, union, **options):
        fiscal_year = _fiscal_year(fiscal_year)
        as_of = _date(as_of) if as_of else None
        union = self._union(union)
        target = pathlib.Path(output)
        if not target.parent.is_dir():
            raise CommandError(f"--output: the folder '{target.parent}' does not exist.")
        progress = ProgressBar(self.stderr)
        content, export = annual_report_export(
            union=union,
            fiscal_year=fiscal_year,
            format=format,
            public=public,
            as_of=as_of,
            file_name=target.name,
            progress=progress,
        )
        progress.finish()
        target.write_bytes(content)
        self.stdout.write(
            f"{target}: FY{export.fiscal_year} as of {export.as_of}, {'public' if public else 'internal'} "
            f"{format}, {export.size:,} bytes, sha256 {export.sha256} (export #{export.pk})"
        )

    def _union(self, code: str | None) -> Union:
        unions = Union.objects.order_by("created_at", "pk")
        union = unions.filter(code=code).first() if code else unions.first()
        if union is None:
            raise CommandError(f"--union: no union has the code '{code}'." if code else "The registry holds no union.")
        return union
