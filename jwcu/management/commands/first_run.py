import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from members.models import Union


class Command(BaseCommand):
    help = "On a fresh database: load the demo union and create the administrator (used by `make run`)."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        if not Union.objects.exists():
            self.stdout.write("Empty registry: loading the demo union…")
            call_command("load_demo", stdout=self.stdout)
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            return
        password = os.environ.get("DEMO_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        with transaction.atomic():
            User.objects.create_superuser(username=username, email="", password=password)
        if os.environ.get("DEMO_ADMIN_PASSWORD"):
            self.stdout.write(f"Administrator '{username}' created with the password in DEMO_ADMIN_PASSWORD.")
        else:
            self.stdout.write(
                self.style.WARNING(f"Administrator '{username}' created. Password (shown only this once): {password}")
            )
