"""The business center import page: the same check-then-confirm page as members' (jwcu.views.ImportPage),
in Japanese and English, for union administrators and society editors within their society."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from businesses.models import BusinessCenter
from jwcu.models import ImportJob
from tests.factories import BusinessLineFactory

pytestmark = pytest.mark.django_db

HEADER = "code,society,name,prefecture,opened_on,business_lines\n"


def upload(text: str, name="centers.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


@pytest.mark.usefixtures("english")
def test_a_society_editor_checks_then_imports_centers_of_their_society(staff_client, union_tree):
    BusinessLineFactory(code="elderly-care")
    client = staff_client("society_editor", society="society_a")
    text = f"{HEADER}ikebukuro,society-a,Ikebukuro,13,2015-04-01,elderly-care\nc1,society-a,Renamed,13,2000-04-01,\n"
    checked = client.post("/en/centers/import/", {"file": upload(text)}, follow=True)
    page = checked.content.decode()
    assert "2 rows: 1 new, 1 changed, 0 unchanged." in page
    assert not BusinessCenter.objects.filter(code="ikebukuro").exists()
    job = ImportJob.objects.get()
    done = client.post(f"/en/centers/import/{job.pk}/", follow=True).content.decode()
    assert "2 rows imported: 1 created, 1 updated, 0 unchanged." in done
    assert 'href="/en/centers/ikebukuro/"' in done
    assert 'href="/en/centers/"' in done
    center = BusinessCenter.objects.get(code="ikebukuro")
    assert [line.code for line in center.business_lines.all()] == ["elderly-care"]
    assert BusinessCenter.objects.get(code="c1").name == "Renamed"


@pytest.mark.usefixtures("english")
def test_a_society_editor_cannot_take_over_a_center_of_another_society(staff_client, union_tree):
    client = staff_client("society_editor", society="society_a")
    response = client.post(
        "/en/centers/import/", {"file": upload(f"{HEADER}cb,society-a,Mine now,13,2015-04-01,\n")}, follow=True
    )
    assert [(p["row"], p["column"], p["reason"]) for p in response.context["job"].problems] == [
        (2, "code", "a business center of a society you may not import into has this code")
    ]
    assert BusinessCenter.objects.get(code="cb").society == union_tree["society_b"]


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_template_downloads_and_imports_as_it_stands(staff_client, union_tree, file_format):
    BusinessLineFactory(code="youth-support")
    client = staff_client("society_editor", society="society_a")
    template = client.get(f"/en/centers/import/template.{file_format}")
    assert template["Content-Disposition"].endswith(f'centers-template.{file_format}"')
    content = template.content
    response = client.post(
        "/en/centers/import/", {"file": SimpleUploadedFile(f"template.{file_format}", content)}, follow=True
    )
    job = response.context["job"]
    assert (job.status, job.problems, job.created_count) == ("checked", [], 1)


@pytest.mark.parametrize("role", ["viewer", "head_office_editor"])
def test_viewers_and_head_office_editors_may_not_import_centers(staff_client, union_tree, role):
    client = staff_client(role, **({"head_office": "h1"} if role == "head_office_editor" else {}))
    assert client.get("/en/centers/import/").status_code == 403
    assert client.get("/en/centers/import/template.csv").status_code == 403


def test_the_page_speaks_japanese(staff_client, union_tree):
    client = staff_client("union_admin")
    page = client.get("/centers/import/").content.decode()
    assert "事業所の取り込み" in page
    assert "ファイルを確認" in page
    response = client.post("/centers/import/", {"file": upload(f"{HEADER}x,nowhere,X,13,2015-04-01,\n")}, follow=True)
    page = response.content.decode()
    assert "このコードの組合はありません" in page
    assert "1件の問題があるため、何も取り込みませんでした" in page


@pytest.mark.usefixtures("english")
def test_a_center_file_cannot_move_a_center_to_another_society(staff_client, union_tree):
    client = staff_client("union_admin")
    response = client.post(
        "/en/centers/import/", {"file": upload(f"{HEADER}cb,society-a,Moved,13,2015-04-01,\n")}, follow=True
    )
    assert [(p["row"], p["column"], p["value"], p["reason"]) for p in response.context["job"].problems] == [
        (2, "society", "society-a", "A business center cannot move to another society.")
    ]
    assert BusinessCenter.objects.get(code="cb").society == union_tree["society_b"]
