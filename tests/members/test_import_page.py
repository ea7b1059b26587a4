"""The member import page: a file is checked first and imported only on confirmation (the
machinery shared with the center page, import jobs, is tested in tests/jwcu/test_import_jobs.py)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jwcu.models import ImportJob
from members.models import WorkerMember

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HEADER = "society,member_number,family_name,given_name,birth_date,joined_on\n"


def upload(name: str, text: str):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_check_then_confirm(staff_client, union_tree):
    client = staff_client("union_admin")
    code = union_tree["society_a"].code
    checked = client.post(
        "/en/members/import/",
        {
            "file": upload(
                "m.csv",
                f"{HEADER}{code},N1,山田,花子,1970-05-01,2015-04-01\n{code},A1,山田,太郎,1960-01-01,2015-04-01\n",
            )
        },
        follow=True,
    )
    job = ImportJob.objects.get()
    assert checked.redirect_chain == [(f"/en/members/import/{job.pk}/", 302)]
    page = checked.content.decode()
    assert "2 rows: 1 new, 1 changed, 0 unchanged." in page
    assert not WorkerMember.objects.filter(member_number="N1").exists()  # checked, not written
    # the first rows, with what importing them would do; an existing member is linked
    assert [(row["row"], row["state"]) for row in checked.context["sample"]] == [(2, "new"), (3, "changed")]
    assert f'href="/en/members/{code}/A1/"' in page

    confirmed = client.post(f"/en/members/import/{job.pk}/", follow=True)
    page = confirmed.content.decode()
    assert "2 rows imported: 1 created, 1 updated, 0 unchanged." in page
    assert f'href="/en/members/{code}/N1/"' in page
    member = WorkerMember.objects.get(member_number="N1")
    assert member.history.get().history_channel == "import"
    assert member.history.get().history_user == job.user
    # a checked file is imported once
    again = client.post(f"/en/members/import/{job.pk}/", follow=True)
    assert "it was imported already" in again.content.decode()
    assert WorkerMember.objects.filter(member_number="N1").count() == 1


def test_problems_are_listed_and_nothing_is_written(staff_client, union_tree):
    client = staff_client("union_admin")
    code = union_tree["society_a"].code
    text = f"{HEADER}{code},N1,山田,花子,1970-02-30,2015-04-01\nnowhere,N2,鈴木,一郎,1980-01-01,2015-04-01\n"
    response = client.post("/en/members/import/", {"file": upload("m.csv", text)}, follow=True)
    problems = [(p["row"], p["column"], p["reason"]) for p in response.context["job"].problems]
    assert (2, "birth_date", "not a date (YYYY-MM-DD)") in problems
    assert (3, "society", "no society has this code") in problems
    page = response.content.decode()
    assert "2 problems: nothing was imported" in page
    assert 'type="submit" class="primary">Import<' not in page
    assert not WorkerMember.objects.filter(member_number__in=["N1", "N2"]).exists()


def test_a_society_editor_imports_only_into_their_society(staff_client, union_tree):
    client = staff_client("society_editor", society="society_a")
    other = union_tree["society_b"].code
    response = client.post(
        "/en/members/import/",
        {"file": upload("m.csv", f"{HEADER}{other},N3,山田,花子,1970-05-01,2015-04-01\n")},
        follow=True,
    )
    assert [(p["row"], p["column"]) for p in response.context["job"].problems] == [(2, "society")]


def test_the_society_chosen_on_the_page_limits_the_file(staff_client, union_tree):
    client = staff_client("union_admin")
    response = client.post(
        "/en/members/import/",
        {"society": "society-a", "file": upload("m.csv", f"{HEADER}society-b,N4,山田,花子,1970-05-01,2015-04-01\n")},
        follow=True,
    )
    assert [p["reason"] for p in response.context["job"].problems] == ["this file imports members of society-a only"]


@pytest.mark.parametrize("role", ["viewer", "head_office_editor"])
def test_viewers_and_head_office_editors_may_not_import(staff_client, union_tree, role):
    extra = {"head_office": "h1"} if role == "head_office_editor" else {}
    client = staff_client(role, **extra)
    assert client.get("/en/members/import/").status_code == 403
    assert client.post("/en/members/import/", {"file": upload("m.csv", HEADER)}).status_code == 403
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_template_downloads(staff_client, union_tree, file_format):
    response = staff_client("union_admin").get(f"/en/members/import/template.{file_format}")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'members-template.{file_format}"')
