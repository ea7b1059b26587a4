from businesses.imports import center_layout
from jwcu.imports import ImportCommand
from members.models import MemberSociety


class Command(ImportCommand):
    help = (
        "Import business centers from a CSV or XLSX file, keyed by center code. A file with any "
        "invalid row imports nothing and lists every problem."
    )
    record_name = "business centers"

    def layout(self, options):
        return center_layout()

    def template_example(self, options):
        society = MemberSociety.objects.order_by("code").first()
        return {"society": society.code} if society else {}
