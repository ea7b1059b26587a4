"""The jobs page (/jobs/): the runs of the background tasks, for administrators; a union's
administrators see the work that holds no union's data and their own union's jobs only."""

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult

from jwcu import import_jobs
from jwcu.models import ImportJob, Role, RoleAssignment
from jwcu.scope import Scope
from jwcu.tasks import purge_import_jobs
from members.models import Union
from reports.services import report_job_create
from tests.factories import MemberSocietyFactory, UnionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def upload(user, union_code: str) -> ImportJob:
    society = MemberSocietyFactory(union=Union.objects.get(code=union_code), code=f"{union_code}-society")
    file = SimpleUploadedFile("centers.csv", f"code,society,name,prefecture\nx,{society.code},X,13\n".encode())
    return import_jobs.import_job_create(
        kind="centers", user=user, scope=Scope.for_user(user), upload=file, language="en"
    )


@pytest.fixture
def two_unions(queued_tasks):
    """Each union's administrator with an import job and an annual report asked for, queued; and
    one run of the periodic purge."""
    admins = {}
    for code in ("ours", "theirs"):
        union = UnionFactory(code=code)
        admin = User.objects.create_user(f"admin-{code}")
        RoleAssignment.objects.create(user=admin, role=Role.UNION_ADMIN, union=union)
        admins[code] = (admin, upload(admin, code))
        report_job_create(union=union, fiscal_year=2015, format="csv", public=False, user=admin, language="en")
    purge_import_jobs.enqueue()
    return admins


def labels(page) -> list[str]:
    return [row["label"] for row in page.context["rows"]]


def test_an_administrator_sees_the_shared_work_and_their_union_s_jobs_only(client, two_unions):
    admin, job = two_unions["ours"]
    client.force_login(admin)
    page = client.get("/en/jobs/")
    assert page.status_code == 200
    assert sorted(labels(page)) == [
        "Annual report",
        "Delete import jobs past their retention",
        "Import (check, then write)",
    ]
    html = page.content.decode()
    assert f'href="/en/imports/{job.pk}/"' in html
    followed = client.get(f"/en/imports/{job.pk}/")
    assert followed.url == f"/en/centers/import/{job.pk}/"
    _their_admin, their_job = two_unions["theirs"]
    assert client.get(f"/en/imports/{their_job.pk}/").status_code == 404


def test_a_registry_administrator_sees_every_run(client, two_unions):
    client.force_login(User.objects.create_superuser("root"))
    assert len(labels(client.get("/en/jobs/"))) == 5


@pytest.mark.parametrize("role", [Role.VIEWER, Role.SOCIETY_EDITOR])
def test_other_roles_may_not_see_the_jobs(client, two_unions, role):
    union = Union.objects.get(code="ours")
    user = User.objects.create_user(f"someone-{role}")
    RoleAssignment.objects.create(
        user=user, role=role, union=union, society=union.societies.first() if role == Role.SOCIETY_EDITOR else None
    )
    client.force_login(user)
    assert client.get("/en/jobs/").status_code == 403


def test_a_failed_run_shows_its_error_and_the_status_filters(client, two_unions):
    admin, job = two_unions["ours"]
    DBTaskResult.objects.filter(task_path=purge_import_jobs.module_path).update(
        status="FAILED",
        exception_class_path="django.db.utils.IntegrityError",
        traceback="Traceback …\nIntegrityError: Failing row contains (7, Yamada, …)",
    )
    DBTaskResult.objects.filter(args_kwargs__kwargs__job_id=str(job.pk)).update(
        status="FAILED", exception_class_path="builtins.ValueError", traceback="Traceback …\nValueError: row 3"
    )
    client.force_login(admin)
    page = client.get("/en/jobs/", {"status": "FAILED"})
    # the shared work's error by its kind only (it may quote another union's member); their own job's whole
    assert sorted((row["label"], row["error"]) for row in page.context["rows"]) == [
        ("Delete import jobs past their retention", "IntegrityError"),
        ("Import (check, then write)", "ValueError: row 3"),
    ]
    client.force_login(User.objects.create_superuser("root"))
    shown = {row["label"]: row["error"] for row in client.get("/en/jobs/", {"status": "FAILED"}).context["rows"]}
    assert shown["Delete import jobs past their retention"] == "IntegrityError: Failing row contains (7, Yamada, …)"
    client.force_login(admin)
    assert len(labels(client.get("/en/jobs/", {"status": "nonsense"}))) == 3  # an unknown status is no filter


def test_the_page_answers_in_the_same_number_of_queries_for_more_runs(client, two_unions, django_assert_num_queries):
    admin, _job = two_unions["ours"]
    client.force_login(admin)
    with django_assert_num_queries(5):  # session, user, role, count, the page's runs
        client.get("/en/jobs/")
    for _ in range(20):
        purge_import_jobs.enqueue()
    with django_assert_num_queries(5):
        page = client.get("/en/jobs/")
    assert len(labels(page)) == 23
