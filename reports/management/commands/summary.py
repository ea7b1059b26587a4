import dataclasses
import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from members.models import Union
from reports.selectors import union_summary

HEADLINES = [
    "member_societies",
    "head_offices",
    "business_centers",
    "individual_members",
    "worker_members",
    "turnover_yen",
]


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of: '{value}' is not a date (YYYY-MM-DD).") from None


def _fiscal_year(value: str) -> int:
    if not value.isdigit() or not 1900 <= int(value) <= 2200:
        raise CommandError(f"--fiscal-year: '{value}' is not a fiscal year (e.g. 2015).")
    return int(value)


class Command(BaseCommand):
    help = (
        "Print the union's headline figures from the registry's records: counts as of a date, turnover "
        "of a fiscal year, in total and per member society."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, help="Date of the counts, YYYY-MM-DD.")
        parser.add_argument(
            "--fiscal-year", required=True, help="Fiscal year of the turnover (FY2015 = April 2015 to March 2016)."
        )
        parser.add_argument("--format", choices=["json", "text"], default="text")
        parser.add_argument(
            "--union", help="Code of the union (default: the first registered, the demo union after load_demo)."
        )

    def handle(self, *args, as_of, fiscal_year, format, union, **options):
        as_of, fiscal_year = _date(as_of), _fiscal_year(fiscal_year)
        summary = union_summary(union=self._union(union), as_of=as_of, fiscal_year=fiscal_year)
        if format == "json":
            self.stdout.write(json.dumps(dataclasses.asdict(summary), default=str, ensure_ascii=False, indent=2))
        else:
            self._write_text(summary)

    def _union(self, code: str | None) -> Union:
        if code:
            try:
                return Union.objects.get(code=code)
            except Union.DoesNotExist:
                raise CommandError(f"--union: no union has the code '{code}'.") from None
        union = Union.objects.order_by("created_at", "pk").first()
        if union is None:
            raise CommandError("The registry holds no union yet: run `python manage.py load_demo` first.")
        return union

    def _write_text(self, summary):
        self.stdout.write(f"{summary.union}: counts as of {summary.as_of}, turnover of FY{summary.fiscal_year}")
        for name in HEADLINES:
            self.stdout.write(f"  {name:<20} {getattr(summary, name):>16,}")
        columns = ["head_offices", "business_centers", "individual_members", "worker_members", "turnover_yen"]
        self.stdout.write("")
        self.stdout.write(f"  {'society':<24}" + "".join(f"{c:>20}" for c in columns))
        for society in summary.societies:
            cells = "".join(
                f"{'—' if getattr(society, c) is None else format(getattr(society, c), ','):>20}" for c in columns
            )
            self.stdout.write(f"  {society.code:<24}{cells}")
