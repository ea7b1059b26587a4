from django.core.management.base import CommandError

from jwcu.imports import ImportCommand
from members.imports import member_layout
from members.models import MemberSociety


class Command(ImportCommand):
    help = (
        "Import worker members from a CSV or XLSX file, keyed by society code and member number. "
        "A file with any invalid row imports nothing and lists every problem."
    )
    record_name = "members"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--society", metavar="CODE", help="Import members of this society only.")

    def _society(self, code):
        if not code:
            return None
        try:
            return MemberSociety.objects.get(code=code)
        except MemberSociety.DoesNotExist:
            raise CommandError(f"--society: no society has the code '{code}'.") from None

    def layout(self, options):
        return member_layout(society=self._society(options["society"]))

    def template_example(self, options):
        society = self._society(options["society"]) or MemberSociety.objects.filter(registers_individuals=True).first()
        return {"society": society.code} if society else {}
