"""The import page as served: the work is queued and run by a worker process, the page polls
its status with its script and reloads itself with the outcome."""

import pytest
from django.contrib.auth.models import User

from businesses.models import BusinessCenter
from jwcu.models import Role, RoleAssignment
from tests.factories import MemberSocietyFactory, UnionFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_center_file_is_checked_and_imported_while_the_page_follows(page, live_server, task_worker, tmp_path):
    union = UnionFactory(code="jwcu")
    society = MemberSocietyFactory(union=union, code="cwc")
    user = User.objects.create_user("editor", password="registry-pass-2015")
    RoleAssignment.objects.create(user=user, role=Role.SOCIETY_EDITOR, union=union, society=society)
    file = tmp_path / "centers.csv"
    rows = "".join(f"new-{i},cwc,Center {i},13,2015-04-01\n" for i in range(3))
    file.write_text("事業所コード,組合コード,名称,都道府県,開設日\n" + rows, encoding="utf-8")

    page.goto(f"{live_server.url}/en/sign-in/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "registry-pass-2015")
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/en/centers/import/")
    page.get_by_label("File").set_input_files(file)
    page.get_by_role("button", name="Check the file").click()
    page.get_by_text("3 rows: 3 new, 0 changed, 0 unchanged.").wait_for()
    assert not BusinessCenter.objects.filter(code__startswith="new-").exists()

    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text("3 rows imported: 3 created, 0 updated, 0 unchanged.").wait_for()
    page.get_by_role("link", name="new-2").click()
    page.wait_for_url(f"{live_server.url}/en/centers/new-2/")
    assert BusinessCenter.objects.filter(code__startswith="new-").count() == 3
