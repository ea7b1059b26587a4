"""Dashboards and the report speak Japanese, the registry's default language."""

import pytest
from django.contrib.auth.models import User
from django.utils import translation

from jwcu.models import RoleAssignment
from reports.figures import act
from tests.factories import MemberSocietyFactory, UnionFactory, WorkerMemberFactory

pytestmark = pytest.mark.django_db


def test_dashboard_in_japanese(client, settings):
    settings.LANGUAGE_CODE = "ja"
    union = UnionFactory()
    for index in range(3):
        WorkerMemberFactory(society=MemberSocietyFactory(union=union, code=f"ja-coop-{index}"))
    user = User.objects.create_user("ja-viewer", password="x")
    RoleAssignment.objects.create(user=user, role="viewer", union=union)
    client.force_login(user)
    with translation.override("ja"):
        page = client.get("/dashboards/membership/?fiscal_year=2015", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "労働者組合員" in page
    assert "<summary>表</summary>" in page
    assert "適用" in page
    assert "各年度末の組合員数、加入と脱退" in page


def test_act_check_labels_in_japanese():
    from jwcu.scope import Scope

    union = UnionFactory()
    WorkerMemberFactory(society=MemberSocietyFactory(union=union))
    with translation.override("ja"):
        board = act(scope=Scope(union_id=union.pk), fiscal_year=2015, as_of=None)
    assert board.title == "労働者協同組合法"
    assert board.figures[0].rows[0][4] == "不足"


def test_the_annual_report_job_speaks_japanese(client, settings):
    from reports.models import ReportJob

    settings.LANGUAGE_CODE = "ja"
    union = UnionFactory()
    WorkerMemberFactory(society=MemberSocietyFactory(union=union))
    user = User.objects.create_user("ja-admin", password="x")
    RoleAssignment.objects.create(user=user, role="union_admin", union=union)
    client.force_login(user)
    with translation.override("ja"):
        page = client.get("/dashboards/annual-report/").content.decode()
        assert "報告を作成" in page
        client.post("/dashboards/annual-report/request/", {"fiscal_year": 2015, "format": "csv"})
        job = ReportJob.objects.get()
        page = client.get(f"/dashboards/annual-report/{job.pk}/").content.decode()
    assert "報告ができました" in page
    assert "内部版" in page
