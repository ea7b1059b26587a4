import datetime
import io
import json
import os
import re
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from tests.factories import AnnualFiguresFactory, MemberSocietyFactory, UnionFactory, WorkerMemberFactory

pytestmark = pytest.mark.django_db


def summary(*args):
    output = io.StringIO()
    call_command("summary", *args, stdout=output)
    return output.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2015-02-30", "--fiscal-year", "2015"], "--as-of: '2015-02-30' is not a date"),
        (["--as-of", "yesterday", "--fiscal-year", "2015"], "--as-of: 'yesterday' is not a date"),
        (["--as-of", "2015-03-31", "--fiscal-year", "FY15"], "--fiscal-year: 'FY15' is not a fiscal year"),
        (["--as-of", "2015-03-31", "--fiscal-year", "15"], "--fiscal-year: '15' is not a fiscal year"),
        (["--as-of", "2015-03-31", "--fiscal-year", "2015", "--union", "nope"], "no union has the code 'nope'"),
    ],
)
def test_bad_arguments_get_one_clear_line(args, message):
    UnionFactory()
    with pytest.raises(CommandError, match=message):
        summary(*args)


def test_an_empty_registry_says_what_to_do():
    with pytest.raises(CommandError, match=re.escape("run `python manage.py load_demo` first")):
        summary("--as-of", "2015-03-31", "--fiscal-year", "2015")


def test_json_lists_each_society_with_its_code_and_the_chosen_union_only():
    union = UnionFactory(code="first")
    society = MemberSocietyFactory(union=union, code="wc-a")
    WorkerMemberFactory(society=society, joined_on=datetime.date(2015, 3, 31))
    AnnualFiguresFactory(society=society, fiscal_year=2015, turnover_yen=33_500_000_000)
    other = MemberSocietyFactory(code="wc-elsewhere")
    WorkerMemberFactory(society=other)
    printed = json.loads(summary("--as-of", "2015-03-31", "--fiscal-year", "2015", "--format", "json"))
    assert printed["union"] == "first"
    assert [row["code"] for row in printed["societies"]] == ["wc-a"]
    assert (printed["worker_members"], printed["turnover_yen"]) == (1, 33_500_000_000)
    printed = json.loads(
        summary("--as-of", "2015-03-31", "--fiscal-year", "2015", "--format", "json", "--union", other.union.code)
    )
    assert [row["code"] for row in printed["societies"]] == ["wc-elsewhere"]


def test_the_command_line_exits_non_zero_with_one_line_on_stderr():
    result = subprocess.run(
        [sys.executable, "manage.py", "summary", "--as-of", "31/03/2015", "--fiscal-year", "2015"],
        capture_output=True,
        text=True,
        env={**os.environ, "DEBUG": "true"},
        check=False,
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == ["CommandError: --as-of: '31/03/2015' is not a date (YYYY-MM-DD)."]
