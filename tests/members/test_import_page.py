"""The member import page: a file is checked first and imported only on confirmation."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from members.models import WorkerMember

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HEADER = "society,member_number,family_name,given_name,birth_date,joined_on\n"


def upload(name: str, text: str):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_check_then_confirm(staff_client, union_tree):
    client = staff_client("union_admin")
    code = union_tree["society_a"].code
    response = client.post(
        "/en/members/import/", {"file": upload("m.csv", f"{HEADER}{code},N1,山田,花子,1970-05-01,2015-04-01\n")}
    )
    assert response.status_code == 200
    assert response.context["preview"].created == 1
    assert not WorkerMember.objects.filter(member_number="N1").exists()  # checked, not written
    confirmed = client.post("/en/members/import/", {"confirm": response.context["token"]}, follow=True)
    assert "1 rows imported: 1 created" in confirmed.content.decode()
    member = WorkerMember.objects.get(member_number="N1")
    assert member.history.get().history_channel == "import"
    # a token is used once
    again = client.post("/en/members/import/", {"confirm": response.context["token"]}, follow=True)
    assert "This upload has expired" in again.content.decode()
    assert WorkerMember.objects.filter(member_number="N1").count() == 1


def test_problems_are_listed_and_nothing_is_written(staff_client, union_tree):
    client = staff_client("union_admin")
    code = union_tree["society_a"].code
    text = f"{HEADER}{code},N1,山田,花子,1970-02-30,2015-04-01\nnowhere,N2,鈴木,一郎,1980-01-01,2015-04-01\n"
    response = client.post("/en/members/import/", {"file": upload("m.csv", text)})
    problems = [(p.row, p.column, p.reason) for p in response.context["problems"]]
    assert (2, "birth_date", "not a date (YYYY-MM-DD)") in problems
    assert (3, "society", "no society has this code") in problems
    assert "2 problems: nothing was imported" in response.content.decode()
    assert "preview" not in response.context
    assert not WorkerMember.objects.filter(member_number__in=["N1", "N2"]).exists()


def test_a_society_editor_imports_only_into_their_society(staff_client, union_tree):
    client = staff_client("society_editor", society="society_a")
    other = union_tree["society_b"].code
    response = client.post(
        "/en/members/import/", {"file": upload("m.csv", f"{HEADER}{other},N3,山田,花子,1970-05-01,2015-04-01\n")}
    )
    assert [(p.row, p.column) for p in response.context["problems"]] == [(2, "society")]


@pytest.mark.parametrize("role", ["viewer", "head_office_editor"])
def test_viewers_and_head_office_editors_may_not_import(staff_client, union_tree, role):
    extra = {"head_office": "h1"} if role == "head_office_editor" else {}
    client = staff_client(role, **extra)
    assert client.get("/en/members/import/").status_code == 403


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_template_downloads(staff_client, union_tree, file_format):
    response = staff_client("union_admin").get(f"/en/members/import/template.{file_format}")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'members-template.{file_format}"')
