from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jwcu.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back the registry's database up with pg_dump (custom format) into backups/ or --output FILE."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="File to write (default: backups/jwcu-YYYYMMDD-HHMMSS.dump).")

    def handle(self, *args, output, **options):
        try:
            path = backup(output=Path(output) if output else None)
        except BackupError as error:
            raise CommandError(f"Backup failed: {error}") from None
        self.stdout.write(f"Backup written to {path} ({path.stat().st_size:,} bytes).")
