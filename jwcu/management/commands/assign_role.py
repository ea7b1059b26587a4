from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from businesses.models import HeadOffice
from jwcu import audit
from jwcu.models import Role
from jwcu.services import role_assign
from members.models import MemberSociety, Union


class Command(BaseCommand):
    help = "Give a user their role in the registry (union_admin, society_editor, head_office_editor, viewer)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=Role.values)
        parser.add_argument("--society", metavar="CODE", help="the society of a society editor (or viewer)")
        parser.add_argument("--head-office", metavar="CODE", help="the head office of a head-office editor")
        parser.add_argument("--union", metavar="CODE", help="needed only when the registry holds several unions")
        parser.add_argument("--sensitive", action="store_true", help="may see and record inclusion categories")

    def handle(self, *args, username, role, society, head_office, union, sensitive, **options):
        user = self._get(get_user_model(), username=username, what="user")
        society_obj = self._get(MemberSociety, code=society, what="society") if society else None
        office = self._get(HeadOffice, code=head_office, what="head office") if head_office else None
        if union:
            union_obj = self._get(Union, code=union, what="union")
        elif society_obj or office:
            union_obj = (society_obj or office.society).union
        elif Union.objects.count() == 1:
            union_obj = Union.objects.get()
        else:
            raise CommandError("Say which union with --union CODE.")
        try:
            with audit.acting(channel=audit.Channel.COMMAND):
                assignment = role_assign(
                    user=user, role=role, union=union_obj, society=society_obj, head_office=office, sensitive=sensitive
                )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"{assignment}{' (sensitive data)' if sensitive else ''}"))

    def _get(self, model, *, what, **lookup):
        try:
            return model.objects.get(**lookup)
        except model.DoesNotExist:
            raise CommandError(f"No {what} {next(iter(lookup.values()))!r}.") from None
