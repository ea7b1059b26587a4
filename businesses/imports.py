"""The layout of a business center import file (import_centers)."""

from django.utils.translation import gettext as _

from businesses.models import BusinessCenter, BusinessLine, HeadOffice
from businesses.services import centers_set_business_lines
from jwcu.imports import Column, Layout, import_file, parse_choice, parse_date, parse_int
from jwcu.models import Prefecture
from members.models import MemberSociety


def parse_codes(text: str) -> list[str]:
    return [code.strip() for code in text.replace("、", ";").replace(",", ";").split(";") if code.strip()]


CENTER_COLUMNS = [
    Column("code", "事業所コード", required=True, example="example-center"),
    Column("society", "組合コード", required=True, example="cwc"),
    Column("head_office", "事業本部コード", example=""),
    Column("name", "名称", required=True, example="Example Business Center"),
    Column("name_ja", "名称（日本語）", example="見本事業所"),
    Column("prefecture", "都道府県", parse_choice(Prefecture), required=True, example="13"),
    Column("municipality", "市区町村", example="Toshima City"),
    Column("opened_on", "開設日", parse_date, required=True, example="2015-04-01"),
    Column("closed_on", "閉鎖日", parse_date),
    Column("business_lines", "事業分野コード", parse_codes, example="elderly-care;youth-support"),
    Column("volunteers", "ボランティア数", parse_int),
    Column("volunteers_as_of", "ボランティア集計日", parse_date),
    Column("notes", "備考"),
]


def center_layout(*, scope=None) -> Layout:
    societies = MemberSociety.objects.all() if scope is None else scope.societies(MemberSociety.objects.all())
    society_by_code = {s.code: s for s in societies}
    head_office_by_code = {h.code: h for h in HeadOffice.objects.filter(society__in=society_by_code.values())}
    line_by_code = {line.code: line for line in BusinessLine.objects.all()}
    # A center is keyed by its code alone: a file must not take over another society's center,
    # nor move one of its own societies' centers to another (as center_update refuses to).
    society_of_code = dict(BusinessCenter.objects.values_list("code", "society_id"))
    in_scope = {society.pk for society in society_by_code.values()}

    def resolve(values: dict, problem) -> dict:
        stored_society = society_of_code.get(values.get("code"))
        if stored_society is not None and stored_society not in in_scope:
            problem("code", _("a business center of a society you may not import into has this code"))
        society = society_by_code.get(values.pop("society", ""))
        if society is None:
            problem("society", _("no society has this code"))
        elif stored_society in in_scope and society.pk != stored_society:
            problem("society", _("A business center cannot move to another society."))
        else:
            values["society"] = society
        head_office = values.pop("head_office", "")
        if head_office and head_office not in head_office_by_code:
            problem("head_office", _("no head office has this code"))
        values["head_office"] = head_office_by_code.get(head_office)
        if "business_lines" in values:
            unknown = [code for code in values["business_lines"] if code not in line_by_code]
            if unknown:
                problem("business_lines", _("unknown business line: %(codes)s") % {"codes": ", ".join(unknown)})
            values["business_lines"] = [line_by_code[code] for code in values["business_lines"] if code in line_by_code]
        return values

    def set_lines(rows: list[dict]):
        with_lines = [row for row in rows if "business_lines" in row]
        if not with_lines:
            return
        centers = {c.code: c for c in BusinessCenter.objects.filter(code__in=[row["code"] for row in with_lines])}
        centers_set_business_lines({centers[row["code"]]: row["business_lines"] for row in with_lines})

    return Layout(
        model=BusinessCenter,
        columns=CENTER_COLUMNS,
        key=("code",),
        resolve=resolve,
        existing=lambda rows: BusinessCenter.objects.filter(code__in=[row["code"] for row in rows]),
        after_chunk=set_lines,
        skip_fields=("business_lines",),
    )


def centers_import(path, *, scope=None, user=None, dry_run: bool = False, progress=None):
    """Import the business center file at ``path`` whole or not at all (jwcu.imports), limited to
    the societies of ``scope``; returns the outcome or raises ImportRefused with every problem.
    ``progress(rows)`` is told of each chunk of rows gone through."""
    return import_file(path, center_layout(scope=scope), dry_run=dry_run, user=user, progress=progress)
