"""import_members and import_centers: every bad cell reported, all or nothing, encodings, XLSX,
idempotence and history."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import Workbook

from businesses.models import BusinessCenter
from jwcu.imports import ImportRefused, import_file
from members.imports import member_layout
from members.models import Placement, WorkerMember
from members.services import member_move
from tests.factories import BusinessCenterFactory, BusinessLineFactory, MemberSocietyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HEADER = "society,member_number,family_name,given_name,family_name_kana,birth_date,joined_on,business_center"


@pytest.fixture
def society():
    society = MemberSocietyFactory(code="wc-tokyo")
    BusinessCenterFactory(society=society, code="ikebukuro")
    BusinessCenterFactory(code="elsewhere")
    return society


def write(tmp_path, text: str, *, name="members.csv", encoding="utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def problems_of(path) -> list[tuple]:
    with pytest.raises(ImportRefused) as refused:
        import_file(__import__("pathlib").Path(path), member_layout())
    return [(p.row, p.column, p.value, p.reason) for p in refused.value.problems]


def imported(path, *args):
    output = io.StringIO()
    call_command("import_members", path, *args, stdout=output, stderr=io.StringIO())
    return output.getvalue()


def test_a_valid_file_is_imported_with_history_from_the_import_channel(tmp_path, society):
    path = write(
        tmp_path,
        f"{HEADER}\nwc-tokyo,1,山田,花子,ヤマダ,1970-05-01,2015-04-01,ikebukuro\nwc-tokyo,2,鈴木,一郎,スズキ,1980/1/2,2016-04-01,\n",
    )
    assert "2 members: 2 created, 0 updated, 0 unchanged" in imported(path)
    member = WorkerMember.objects.get(society=society, member_number="1")
    assert (member.family_name_kana, member.business_center.code, member.relationship) == (
        "ヤマダ",
        "ikebukuro",
        "worker_member",
    )
    assert WorkerMember.objects.get(member_number="2").birth_date == datetime.date(1980, 1, 2)
    assert member.history.get().history_channel == "import"


def test_a_second_import_of_the_same_file_changes_nothing(tmp_path, society):
    path = write(tmp_path, f"{HEADER}\nwc-tokyo,1,山田,花子,ヤマダ,1970-05-01,2015-04-01,ikebukuro\n")
    imported(path)
    history = WorkerMember.history.count()
    assert "0 created, 0 updated, 1 unchanged" in imported(path)
    assert WorkerMember.history.count() == history


def periods(member_number: str) -> list[tuple]:
    member = WorkerMember.objects.get(member_number=member_number)
    return list(member.placements.order_by("started_on").values_list("business_center__code", "started_on", "ended_on"))


MOVE_HEADER = HEADER + ",moved_on"
AT_IKEBUKURO = "wc-tokyo,1,山田,花子,ヤマダ,1970-05-01,2015-04-01,ikebukuro,"


def test_an_import_that_moves_a_member_records_the_periods_as_a_move_does(tmp_path, society):
    BusinessCenterFactory(society=society, code="otsuka")
    imported(write(tmp_path, f"{MOVE_HEADER}\n{AT_IKEBUKURO}\n"))
    moved = AT_IKEBUKURO.replace("ikebukuro,", "otsuka,2016-10-01")
    assert "0 created, 1 updated, 0 unchanged" in imported(write(tmp_path, f"{MOVE_HEADER}\n{moved}\n"))
    assert periods("1") == [
        ("ikebukuro", datetime.date(2015, 4, 1), datetime.date(2016, 10, 1)),
        ("otsuka", datetime.date(2016, 10, 1), None),
    ]
    member = WorkerMember.objects.get(member_number="1")
    assert member.business_center.code == "otsuka"
    history = Placement.history.filter(member=member)
    assert sorted(history.values_list("history_type", "business_center__code", "ended_on", "history_channel")) == [
        ("+", "ikebukuro", None, "import"),  # the period implied since joining, recorded
        ("+", "otsuka", None, "import"),
        ("~", "ikebukuro", datetime.date(2016, 10, 1), "import"),
    ]
    # the same file again moves no one
    assert "0 created, 0 updated, 1 unchanged" in imported(write(tmp_path, f"{MOVE_HEADER}\n{moved}\n"))
    assert len(periods("1")) == 2
    # and a move back, undated, is a move of today
    imported(write(tmp_path, f"{HEADER}\n{AT_IKEBUKURO[:-1]}\n"))
    assert periods("1")[-1] == ("ikebukuro", timezone.localdate(), None)
    assert periods("1")[-2][2] == timezone.localdate()


def test_the_import_and_the_staff_pages_move_a_member_alike(tmp_path, society):
    otsuka = BusinessCenterFactory(society=society, code="otsuka")
    row_2 = AT_IKEBUKURO.replace(",1,", ",2,")
    imported(write(tmp_path, f"{MOVE_HEADER}\n{AT_IKEBUKURO}\n{row_2}\n"))
    member_move(WorkerMember.objects.get(member_number="1"), business_center=otsuka, moved_on=datetime.date(2017, 1, 5))
    moved = row_2.replace("ikebukuro,", "otsuka,2017-01-05")
    imported(write(tmp_path, f"{MOVE_HEADER}\n{moved}\n"))
    assert periods("1") == periods("2")


@pytest.mark.parametrize(
    ("stored_left_on", "moved_on", "column", "reason"),
    [
        ("2016-03-31", "2016-10-01", "business_center", "This member has left; they cannot move."),
        ("", "2015-04-01", "moved_on", "The move must be after the start of the current period."),
        ("", "2014-01-01", "moved_on", "The move must be after the start of the current period."),
    ],
)
def test_a_move_the_rules_refuse_is_reported_on_its_row_and_nothing_is_written(
    tmp_path, society, stored_left_on, moved_on, column, reason
):
    BusinessCenterFactory(society=society, code="otsuka")
    header = HEADER + ",left_on,moved_on"
    imported(write(tmp_path, f"{header}\n{AT_IKEBUKURO}{stored_left_on},\n"))
    fine = "wc-tokyo,5,田中,一,タナカ,1980-01-01,2015-04-01,,,\n"
    moved = AT_IKEBUKURO.replace("ikebukuro,", f"otsuka,{stored_left_on},{moved_on}")
    path = write(tmp_path, f"{header}\n{fine}{moved}\n")
    shown = "otsuka" if column == "business_center" else moved_on
    assert problems_of(path) == [(3, column, shown, reason)]
    assert WorkerMember.objects.get(member_number="1").business_center.code == "ikebukuro"
    assert not WorkerMember.objects.filter(member_number="5").exists()
    assert periods("1") == []


def test_a_corrected_cell_updates_the_member_and_its_history(tmp_path, society):
    imported(write(tmp_path, f"{HEADER}\nwc-tokyo,1,山田,花子,ヤマダ,1970-05-01,2015-04-01,\n"))
    imported(write(tmp_path, f"{HEADER}\nwc-tokyo,1,山田,花子,ヤマダ,1970-05-01,2015-04-01,ikebukuro\n"))
    member = WorkerMember.objects.get(member_number="1")
    assert member.business_center.code == "ikebukuro"
    assert member.version == 2
    assert member.history.count() == 2


@pytest.mark.parametrize(
    ("cells", "column", "value", "reason"),
    [
        ("wc-tokyo,1,山田,花子,ヤマダ,1970-02-30,2015-04-01,", "birth_date", "1970-02-30", "not a date (YYYY-MM-DD)"),
        ("wc-tokyo,1,,花子,ヤマダ,1970-05-01,2015-04-01,", "family_name", "", "required"),
        ("nowhere,1,山田,花子,ヤマダ,1970-05-01,2015-04-01,", "society", "nowhere", "no society has this code"),
        (
            "wc-tokyo,1,山田,花子,ヤマダ,1970-05-01,2015-04-01,elsewhere",
            "business_center",
            "elsewhere",
            "This business center belongs to another society.",
        ),
        ("wc-tokyo,1,山田,花子," + "ヤ" * 101 + ",1970-05-01,2015-04-01,", "family_name_kana", "ヤ" * 101, None),
    ],
)
def test_each_bad_cell_is_reported_with_row_column_value_and_reason(tmp_path, society, cells, column, value, reason):
    path = write(tmp_path, f"{HEADER}\nwc-tokyo,9,正しい,行,タダシイ,1970-05-01,2015-04-01,\n{cells}\n")
    [(row, found_column, found_value, found_reason)] = problems_of(path)
    assert (row, found_column, found_value) == (3, column, value)
    assert reason is None or found_reason == reason
    assert not WorkerMember.objects.exists()


def test_every_problem_of_every_row_is_reported(tmp_path, society):
    header = "society,member_number,family_name,given_name,birth_date,joined_on,left_on,"
    header += "capital_contribution_yen,relationship"
    path = write(
        tmp_path,
        f"{header}\nwc-tokyo,1,A,B,1970-01-01,2015-01-01,2014-01-01,-5,boss\nwc-tokyo,1,A,B,1970-01-01,2015-01-01,,,\n"
        "wc-tokyo,1,A,B,1970-01-01,2015-01-01,,,\n",
    )
    problems = {(row, column) for row, column, _value, _reason in problems_of(path)}
    assert problems == {
        (2, "left_on"),
        (2, "capital_contribution_yen"),
        (2, "relationship"),
        (4, "member_number"),  # the same member twice in the file
    }


def test_the_header_must_be_known_and_complete(tmp_path, society):
    path = write(tmp_path, "society,member_number,family_name,nickname\nwc-tokyo,1,山田,ハナ\n")
    problems = problems_of(path)
    assert (1, "nickname", "nickname", "unknown column") in problems
    assert {column for _row, column, _v, reason in problems if reason == "required column is missing"} == {
        "given_name",
        "birth_date",
        "joined_on",
    }


def test_shift_jis_with_japanese_headers(tmp_path, society):
    text = (
        "組合コード,組合員番号,姓,名,姓（カナ）,生年月日,加入日,性別\r\n"
        "wc-tokyo,1,渡辺,陽子,ワタナベ,1965/3/3,2010/04/01,female\r\n"
    )
    path = write(tmp_path, text, encoding="cp932")
    imported(path)
    member = WorkerMember.objects.get(member_number="1")
    assert (member.family_name, member.family_name_kana) == ("渡辺", "ワタナベ")


def test_utf8_with_a_byte_order_mark(tmp_path, society):
    path = write(tmp_path, f"{HEADER}\nwc-tokyo,1,山田,花子,ヤマダ,1970-05-01,2015-04-01,\n", encoding="utf-8-sig")
    imported(path)
    assert WorkerMember.objects.filter(member_number="1").exists()


def test_xlsx_with_date_cells(tmp_path, society):
    workbook = Workbook()
    workbook.active.append(["society", "member_number", "family_name", "given_name", "birth_date", "joined_on"])
    workbook.active.append(["wc-tokyo", 12, "山田", "花子", datetime.datetime(1970, 5, 1), datetime.date(2015, 4, 1)])
    path = tmp_path / "members.xlsx"
    workbook.save(path)
    imported(str(path))
    member = WorkerMember.objects.get(member_number="12")
    assert (member.birth_date, member.joined_on) == (datetime.date(1970, 5, 1), datetime.date(2015, 4, 1))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_template_imports_as_it_stands(tmp_path, society, suffix, language):
    template = str(tmp_path / f"template{suffix}")
    call_command(
        "import_members", "--template", template, "--society", "wc-tokyo", "--language", language, stdout=io.StringIO()
    )
    assert "1 created" in imported(template)


def test_dry_run_counts_and_writes_nothing(tmp_path, society):
    path = write(tmp_path, f"{HEADER}\nwc-tokyo,1,山田,花子,ヤマダ,1970-05-01,2015-04-01,\n")
    assert "Would import 1 members: 1 created" in imported(path, "--dry-run")
    assert not WorkerMember.objects.exists()


def test_the_command_lists_the_problems_and_fails(tmp_path, society):
    path = write(tmp_path, f"{HEADER}\nwc-tokyo,1,山田,花子,ヤマダ,someday,2015-04-01,\n")
    errors = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_members", path, stdout=io.StringIO(), stderr=errors)
    assert "row 2, birth_date: 'someday': not a date (YYYY-MM-DD)" in errors.getvalue()


def test_the_society_option_refuses_rows_of_other_societies(tmp_path, society):
    MemberSocietyFactory(code="wc-osaka")
    path = write(tmp_path, f"{HEADER}\nwc-osaka,1,山田,花子,ヤマダ,1970-05-01,2015-04-01,\n")
    with pytest.raises(CommandError):
        call_command("import_members", path, "--society", "wc-tokyo", stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="no society has the code 'nope'"):
        call_command("import_members", path, "--society", "nope", stdout=io.StringIO())


def test_a_file_that_is_not_a_spreadsheet_is_refused(tmp_path, society):
    path = write(tmp_path, "PK\x03\x04 not really a workbook", name="members.xlsx")
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_members", path, stdout=io.StringIO(), stderr=io.StringIO())


def test_centers_import_with_their_business_lines(tmp_path, society):
    BusinessLineFactory(code="elderly-care")
    BusinessLineFactory(code="youth-support")
    text = (
        "code,society,name,prefecture,opened_on,business_lines\n"
        "sugamo,wc-tokyo,Sugamo Center,13,2015-04-01,elderly-care;youth-support\n"
    )
    path = write(tmp_path, text, name="centers.csv")
    output = io.StringIO()
    call_command("import_centers", path, stdout=output, stderr=io.StringIO())
    center = BusinessCenter.objects.get(code="sugamo")
    assert sorted(center.business_lines.values_list("code", flat=True)) == ["elderly-care", "youth-support"]
    call_command("import_centers", path, stdout=output, stderr=io.StringIO())
    assert "0 created, 0 updated, 1 unchanged" in output.getvalue()
    bad = write(tmp_path, text.replace("youth-support", "space-travel"), name="bad.csv")
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_centers", bad, stdout=output, stderr=errors)
    assert "row 2, business_lines" in errors.getvalue()


def test_an_empty_cell_keeps_the_stored_value_of_a_field_that_cannot_be_empty(tmp_path, society):
    header = "society,member_number,family_name,given_name,birth_date,joined_on,capital_contribution_yen,left_on"
    imported(write(tmp_path, f"{header}\nwc-tokyo,1,山田,花子,1970-05-01,2015-04-01,70000,2016-03-31\n"))
    imported(write(tmp_path, f"{header}\nwc-tokyo,1,山田,花子,1970-05-01,2015-04-01,,\n"))
    member = WorkerMember.objects.get(member_number="1")
    # capital cannot be empty: kept; a date of leaving can: the file says the member has not left
    assert (member.capital_contribution_yen, member.left_on) == (70_000, None)
    assert [h.history_type for h in member.history.order_by("history_date", "history_id")] == ["+", "~"]


def test_a_null_character_in_a_cell_is_a_problem_of_its_cell(tmp_path, society):
    path = write(tmp_path, f"{HEADER}\nwc-tokyo,1,山\x00田,花子,ヤマダ,1970-05-01,2015-04-01,\n")
    assert problems_of(path) == [(2, "family_name", "山\ufffd田", "contains a null character")]
