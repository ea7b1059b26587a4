import pathlib

from django.core.management.base import BaseCommand, CommandError

from reports.annual_report import sha256
from reports.selectors import report_export_of


class Command(BaseCommand):
    help = "Tell whether a file is an annual report exported by the registry, unchanged: its SHA-256 is recorded."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The report file (PDF, XLSX or CSV).")

    def handle(self, *args, file, **options):
        path = pathlib.Path(file)
        if not path.is_file():
            raise CommandError(f"'{path}' is not a file.")
        digest = sha256(path.read_bytes())
        export = report_export_of(digest)
        if export is None:
            raise CommandError(
                f"{path}: sha256 {digest} matches no recorded export; the file is not one the "
                "registry exported, or it was changed."
            )
        self.stdout.write(
            f"{path}: unchanged export #{export.pk} of {export.union.code} FY{export.fiscal_year} as of "
            f"{export.as_of} ({'public' if export.public else 'internal'} {export.format}), made "
            f"{export.created_at:%Y-%m-%d %H:%M} by {export.created_by or 'a command'}; options {export.options}"
        )
