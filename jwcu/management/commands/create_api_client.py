from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from businesses.models import HeadOffice
from jwcu.services import api_client_create
from members.models import MemberSociety, Union


class Command(BaseCommand):
    help = (
        "Create an API client and print its token, which is shown this once. "
        "Scope: union, society:CODE or head-office:CODE."
    )

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--scope", default="union", help="union | society:CODE | head-office:CODE")
        parser.add_argument("--union", help="code of the union (needed when the registry holds several)")
        parser.add_argument("--write", action="store_true", help="may create and change records")
        parser.add_argument("--sensitive", action="store_true", help="may see sensitive inclusion data")

    def handle(self, *args, name, scope, union, write, sensitive, **options):
        kind, _, code = scope.partition(":")
        society = head_office = None
        if kind == "society" and code:
            society = MemberSociety.objects.select_related("union").filter(code=code).first()
            if society is None:
                raise CommandError(f"No society with code '{code}'.")
            union_record = society.union
        elif kind == "head-office" and code:
            head_office = HeadOffice.objects.select_related("society__union").filter(code=code).first()
            if head_office is None:
                raise CommandError(f"No head office with code '{code}'.")
            union_record = head_office.society.union
        elif scope == "union":
            union_record = self._union(union)
        else:
            raise CommandError("--scope is union, society:CODE or head-office:CODE.")
        if union and union_record.code != union:
            raise CommandError(f"'{code}' is not in the union '{union}'.")
        try:
            client, token = api_client_create(
                name=name,
                union=union_record,
                society=society,
                head_office=head_office,
                can_write=write,
                sensitive=sensitive,
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stderr.write(
            f"API client '{client.name}' created ({scope}, {'read-write' if write else 'read-only'}"
            f"{', sensitive' if sensitive else ''}). Its token is shown this once:"
        )
        self.stdout.write(token)

    def _union(self, code: str | None) -> Union:
        unions = Union.objects.all() if code is None else Union.objects.filter(code=code)
        found = list(unions[:2])
        if len(found) != 1:
            raise CommandError(
                f"No union with code '{code}'." if code else "Give --union CODE: the registry holds several unions."
            )
        return found[0]
