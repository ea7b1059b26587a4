from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jwcu.backup import BackupError, restore


class Command(BaseCommand):
    help = "Replace the database's contents with a backup made by `manage.py backup` (pg_restore)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup file.")
        parser.add_argument("--yes", action="store_true", help="Confirm: everything now in the database is replaced.")

    def handle(self, *args, file, yes, **options):
        if not yes:
            raise CommandError("Restoring replaces everything in the database: add --yes to confirm.")
        try:
            restore(Path(file))
        except BackupError as error:
            raise CommandError(f"Restore failed, the database is unchanged: {error}") from None
        self.stdout.write(f"Database restored from {file}.")
