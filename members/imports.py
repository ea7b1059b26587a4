"""The layout of a member import file (import_members, the upload page)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from businesses.models import BusinessCenter
from jwcu.imports import (
    Column,
    ImportRefused,
    Layout,
    Problem,
    import_file,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_int,
)
from members.models import ContractType, Gender, LeaveReason, MemberSociety, Placement, Relationship, WorkerMember
from members.services import members_moves_record, move_refusal

MEMBER_COLUMNS = [
    Column("society", "組合コード", example="cwc"),
    Column("member_number", "組合員番号", required=True, example="100001"),
    Column("family_name", "姓", required=True, example="山田"),
    Column("given_name", "名", required=True, example="花子"),
    Column("family_name_kana", "姓（カナ）", example="ヤマダ"),
    Column("given_name_kana", "名（カナ）", example="ハナコ"),
    Column("family_name_latin", "姓（ローマ字）", example="Yamada"),
    Column("given_name_latin", "名（ローマ字）", example="Hanako"),
    Column("birth_date", "生年月日", parse_date, required=True, example="1970-05-01"),
    Column("gender", "性別", parse_choice(Gender), example="female"),
    Column("business_center", "事業所コード", example=""),
    Column("relationship", "関係", parse_choice(Relationship), example="worker_member"),
    Column("joined_on", "加入日", parse_date, required=True, example="2015-04-01"),
    Column("left_on", "脱退日", parse_date),
    Column("leave_reason", "脱退理由", parse_choice(LeaveReason)),
    Column("capital_contribution_yen", "出資金（円）", parse_int, example="50000"),
    Column("contract_type", "契約", parse_choice(ContractType), example="regular"),
    Column("weekly_hours", "週労働時間", parse_decimal, example="40"),
    # A member of a center given another center moves on this day (today if empty): the period at
    # the previous center ends and the next begins (members.services.member_move's rule).
    Column("moved_on", "異動日", parse_date, example=""),
]


def member_layout(*, society: MemberSociety | None = None, scope=None) -> Layout:
    """Members of ``society`` (every row's society column must then be empty or its code), or
    of the society each row names. ``scope`` limits the societies a row may name."""
    societies = MemberSociety.objects.all() if scope is None else scope.societies(MemberSociety.objects.all())
    society_by_code = {s.code: s for s in societies}
    centers_by_code: dict[str, BusinessCenter] = {}

    def center_by_code(code: str) -> BusinessCenter | None:
        if not centers_by_code:
            centers_by_code.update(
                (c.code, c) for c in BusinessCenter.objects.filter(society__in=society_by_code.values())
            )
        return centers_by_code.get(code)

    def resolve(values: dict, problem) -> dict:
        code = values.pop("society", "") or (society.code if society else "")
        if not code:
            problem("society", _("required (or give --society)"))
        elif society is not None and code != society.code:
            problem("society", _("this file imports members of %(code)s only") % {"code": society.code})
        elif code not in society_by_code:
            problem("society", _("no society has this code"))
        else:
            values["society"] = society_by_code[code]
        if "business_center" in values:
            center_code = values.pop("business_center")
            center = center_by_code(center_code) if center_code else None
            if center_code and center is None:
                problem("business_center", _("no business center of these societies has this code"))
            values["business_center"] = center
        if not values.get("relationship"):
            values["relationship"] = Relationship.WORKER_MEMBER
        return values

    def existing(rows: list[dict]):
        return WorkerMember.objects.filter(
            society__in={row["society"] for row in rows}, member_number__in=[row["member_number"] for row in rows]
        )

    def moves(rows: list[tuple[int, dict]], problem):
        """The members the rows move to another center: each move checked by the rule of a move,
        and recorded as member_move does (their periods) before the members are written."""
        given = [values for _number, values in rows if values.get("business_center") is not None]
        if not given:
            return None
        # Locked until the import commits: a move through the pages waits for it (and then finds
        # the member changed), and no move it made before is missed by the checks below.
        movers = existing(given).filter(business_center__isnull=False).select_for_update(of=("self",))
        stored = {(m.society_id, m.member_number): m for m in movers}
        current_starts = dict(
            Placement.objects.filter(member__in=list(stored.values()), ended_on__isnull=True).values_list(
                "member_id", "started_on"
            )
        )
        today, recorded = timezone.localdate(), []
        for number, values in rows:
            center = values.get("business_center")
            member = stored.get((values["society"].pk, values["member_number"])) if center else None
            if member is None or center.pk == member.business_center_id:
                continue
            moved_on = values.get("moved_on") or today
            started_on = current_starts.get(member.pk, member.joined_on)
            # a row may record leaving too: a move on or after that day is a move after leaving
            leaves_first = values.get("left_on") is not None and values["left_on"] <= moved_on
            left_on = values["left_on"] if leaves_first else member.left_on
            refusal = move_refusal(left_on=left_on, period_started_on=started_on, moved_on=moved_on)
            for column, reason in (refusal or {}).items():
                shown = center.code if column == "business_center" else moved_on.isoformat()
                problem(number, column, shown, str(reason))
            if not refusal:
                recorded.append((member, center.pk, moved_on))
        return (lambda: members_moves_record(recorded)) if recorded else None

    return Layout(
        model=WorkerMember,
        columns=MEMBER_COLUMNS,
        key=("society", "member_number"),
        resolve=resolve,
        existing=existing,
        chunk_rules=moves,
        skip_fields=("moved_on",),
    )


def members_import(
    path, *, society_code: str | None = None, scope=None, user=None, dry_run: bool = False, progress=None
):
    """Import the member file at ``path`` whole or not at all (jwcu.imports), limited to the
    societies of ``scope``; returns the outcome or raises ImportRefused with every problem.
    ``progress(rows)`` is told of each chunk of rows gone through."""
    society = None
    if society_code:
        societies = MemberSociety.objects.all() if scope is None else scope.societies(MemberSociety.objects.all())
        society = societies.filter(code=society_code).first()
        if society is None:
            raise ImportRefused(
                [Problem(None, "society", society_code, _("no society you may import into has this code"))], 1
            )
    layout = member_layout(society=society, scope=scope)
    return import_file(path, layout, dry_run=dry_run, user=user, progress=progress)
