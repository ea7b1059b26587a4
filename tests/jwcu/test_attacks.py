"""Attacks on the background work, the report jobs, the jobs page, the admin and the import's
moves: a test that passes is a defended promise; one marked xfail(strict) is a finding."""

import datetime
import threading
import uuid

import pytest
from django.contrib.auth.models import User
from django.db import OperationalError, connection, connections
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jwcu import queue
from jwcu.imports import ImportRefused
from jwcu.models import Role, RoleAssignment, ScheduledRun
from jwcu.services import StaleRecordError, record_update
from members import imports as member_imports
from members import tasks as member_tasks
from members.imports import members_import
from members.models import Placement, WorkerMember
from members.services import member_move
from reports import services as report_services
from reports.models import ReportExport, ReportJob
from reports.services import report_job_create
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

REQUEST = "/dashboards/annual-report/request/"


def job_url(job, suffix=""):
    return reverse("reports:report_job", args=[job.pk]) + suffix


def user_with(role, union, **scope):
    user = User.objects.create_user(f"u-{uuid.uuid4().hex[:8]}", password="pass-word-123")
    if role:
        RoleAssignment.objects.create(user=user, role=role, union=union, **scope)
    return user


# --- report jobs: who may read them -------------------------------------------------------------


def test_a_viewer_posting_public_off_gets_the_public_edition(staff_client, union_tree, queued_tasks):
    client = staff_client("viewer")
    client.post(REQUEST, {"fiscal_year": 2015, "format": "csv"})  # no "public": internal asked
    client.post(REQUEST, {"fiscal_year": 2016, "format": "csv", "public": "off"})
    client.post(REQUEST, {"fiscal_year": 2017, "format": "csv", "public": ""})
    assert ReportJob.objects.count() == 3
    assert set(ReportJob.objects.values_list("public", flat=True)) == {True}


def test_others_may_not_follow_or_download_a_union_admins_report(client, union_tree):
    union = union_tree["union"]
    owner = user_with(Role.UNION_ADMIN, union)
    job = report_job_create(union=union, fiscal_year=2015, format="csv", public=False, user=owner, language="en")
    assert ReportJob.objects.get(pk=job.pk).status == ReportJob.Status.DONE  # tasks run at once in tests
    other_union = factories.UnionFactory(code="other-union")
    intruders = [
        user_with(Role.VIEWER, union),
        user_with(Role.SOCIETY_EDITOR, union, society=union_tree["society_a"]),
        user_with(Role.UNION_ADMIN, other_union),
        user_with(None, union),  # signed in, no role
    ]
    for intruder in intruders:
        client.force_login(intruder)
        for suffix in ("", "status/", "download/"):
            assert client.get(job_url(job, suffix)).status_code == 404, (intruder, suffix)
        assert str(job.pk) not in client.get("/dashboards/annual-report/").content.decode()
    client.force_login(owner)
    assert client.get(job_url(job, "download/")).status_code == 200


def test_a_demoted_administrator_no_longer_downloads_the_internal_edition(client, union_tree):
    union = union_tree["union"]
    owner = user_with(Role.UNION_ADMIN, union)
    job = report_job_create(union=union, fiscal_year=2015, format="csv", public=False, user=owner, language="en")
    RoleAssignment.objects.filter(user=owner).update(role=Role.VIEWER)
    client.force_login(owner)
    assert client.get(job_url(job, "download/")).status_code == 404


def test_a_user_moved_to_another_union_no_longer_reads_the_former_unions_report(client, union_tree):
    union = union_tree["union"]
    owner = user_with(Role.VIEWER, union)
    job = report_job_create(union=union, fiscal_year=2015, format="csv", public=True, user=owner, language="en")
    RoleAssignment.objects.filter(user=owner).update(union=factories.UnionFactory(code="elsewhere"))
    client.force_login(owner)
    assert client.get(job_url(job, "status/")).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/dashboards/annual-report/not-a-uuid/",
        "/dashboards/annual-report/00000000-0000-0000-0000-000000000000/download/",
        "/dashboards/annual-report/%00/status/",
        "/dashboards/annual-report/" + "f" * 32 + "/status/",
    ],
)
def test_forged_job_ids_are_not_found(staff_client, path):
    client = staff_client("union_admin")
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "form",
    [
        {"fiscal_year": "-1", "format": "csv"},
        {"fiscal_year": "2015", "format": "csv", "public": "\x00"},
        {"fiscal_year": ["2015", "2016"], "format": ["csv", "pdf"]},
        {"fiscal_year": "1e400", "format": "csv"},
        {},
    ],
)
def test_hostile_report_requests_never_give_a_500(staff_client, queued_tasks, form):
    response = staff_client("union_admin").post(REQUEST, form)
    assert response.status_code == 302


def test_a_signed_in_user_without_a_role_cannot_ask_for_a_report(staff_client, union_tree, queued_tasks):
    response = staff_client(None).post(REQUEST, {"fiscal_year": 2015, "format": "csv"})
    assert response.status_code == 302
    assert not ReportJob.objects.exists()


# --- report jobs: the cap, raced --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_do_not_bypass_the_cap_of_three(queued_tasks):
    union = factories.UnionFactory(code="race")
    user = user_with(Role.UNION_ADMIN, union)
    barrier = threading.Barrier(6)
    outcomes = []

    def ask(year):
        try:
            barrier.wait()
            report_job_create(union=union, fiscal_year=year, format="csv", public=False, user=user, language="en")
            outcomes.append("ok")
        except Exception as error:
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(2010 + i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ReportJob.objects.filter(requested_by=user).count() == 3
    assert sorted(outcomes) == ["ValidationError"] * 3 + ["ok"] * 3


@pytest.mark.django_db(transaction=True)
def test_the_same_request_raced_is_one_job(queued_tasks):
    union = factories.UnionFactory(code="race2")
    user = user_with(Role.UNION_ADMIN, union)
    barrier = threading.Barrier(4)
    ids = []

    def ask():
        try:
            barrier.wait()
            job = report_job_create(union=union, fiscal_year=2015, format="csv", public=False, user=user, language="en")
            ids.append(job.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(ids)) == 1
    assert ReportJob.objects.count() == 1
    assert DBTaskResult.objects.count() == 1


# --- the scheduler, raced -----------------------------------------------------------------------


def test_enqueue_due_twice_enqueues_each_run_once(queued_tasks):
    now = timezone.now()
    first = queue.enqueue_due(now)
    assert first
    assert queue.enqueue_due(now) == []
    assert DBTaskResult.objects.count() == len(first) == ScheduledRun.objects.count()


@pytest.mark.django_db(transaction=True)
def test_racing_schedulers_enqueue_each_run_once(queued_tasks):
    now = timezone.now()
    barrier = threading.Barrier(4)
    names = []

    def schedule():
        try:
            barrier.wait()
            names.extend(queue.enqueue_due(now))
        finally:
            connection.close()

    threads = [threading.Thread(target=schedule) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(names) == sorted(entry.name for entry in queue.SCHEDULE)
    assert DBTaskResult.objects.count() == len(queue.SCHEDULE)


# --- a task retried after a transient error ----------------------------------------------------


def test_a_retried_report_task_records_its_export_once(union_tree, run_worker, monkeypatch):
    real = report_services.annual_report_export
    calls = []

    def lost_after_commit(**kwargs):
        result = real(**kwargs)
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return result

    monkeypatch.setattr(report_services, "annual_report_export", lost_after_commit)
    admin = user_with(Role.UNION_ADMIN, union_tree["union"])
    job = report_job_create(
        union=union_tree["union"], fiscal_year=2015, format="csv", public=False, user=admin, language="en"
    )
    run_worker()
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now() - datetime.timedelta(seconds=1))
    run_worker()
    assert ReportJob.objects.get(pk=job.pk).status == ReportJob.Status.DONE
    assert ReportExport.objects.count() == 1


# --- the jobs page -----------------------------------------------------------------------------


@pytest.fixture
def two_unions_jobs(union_tree, queued_tasks):
    ours = union_tree["union"]
    theirs = factories.UnionFactory(code="theirs")
    ours_admin, theirs_admin = user_with(Role.UNION_ADMIN, ours), user_with(Role.UNION_ADMIN, theirs)
    mine = report_job_create(union=ours, fiscal_year=2015, format="csv", public=False, user=ours_admin, language="en")
    their = report_job_create(
        union=theirs, fiscal_year=2015, format="csv", public=False, user=theirs_admin, language="en"
    )
    return ours_admin, mine, their


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?status=READY",
        "?status=FAILED",
        "?status=%27%20OR%201=1--",
        "?status=<script>",
        "?page=-1",
        "?page=0",
        "?page=99999999999999999999999999",
        "?page=abc",
        "?page=%00",
        "?page=1e9",
        "?status=READY&status=NEW&page=2",
    ],
)
def test_the_jobs_page_never_shows_another_unions_runs(client, two_unions_jobs, query):
    admin, mine, their = two_unions_jobs
    client.force_login(admin)
    response = client.get("/jobs/" + query)
    assert response.status_code == 200
    page = response.content.decode()
    assert str(their.pk) not in page
    if query in ("", "?status=READY"):
        assert str(mine.pk) in page


def test_a_viewer_may_not_see_the_jobs_page(staff_client, queued_tasks):
    assert staff_client("viewer").get("/jobs/").status_code in (403, 404)


def test_the_import_redirect_does_not_reveal_a_report_job_or_forged_id(staff_client, two_unions_jobs):
    _admin, mine, _their = two_unions_jobs
    client = staff_client("union_admin")
    assert client.get(f"/imports/{mine.pk}/").status_code == 404
    assert client.get(f"/imports/{uuid.uuid4()}/").status_code == 404
    assert client.get("/imports/../jobs/").status_code in (301, 302, 404)


# --- the anonymisation task ---------------------------------------------------------------------


def departed(union_tree, years=7):
    member = union_tree["m2"]
    left = timezone.localdate() - datetime.timedelta(days=365 * years)
    return record_update(member, left_on=left, leave_reason=factories_leave_reason())


def factories_leave_reason():
    from members.models import LeaveReason

    return next(iter(LeaveReason)).value


def test_the_anonymisation_run_twice_anonymises_once(union_tree):
    member = departed(union_tree)
    assert member_tasks.anonymise_members_past_retention.call() == 1
    history = member.history.count()
    assert member_tasks.anonymise_members_past_retention.call() == 0
    assert WorkerMember.objects.get(pk=member.pk).family_name == "—"
    assert member.history.count() == history
    assert WorkerMember.objects.get(pk=union_tree["m1"].pk).family_name != "—"


def test_a_member_who_rejoins_while_the_task_runs_is_not_anonymised(union_tree, monkeypatch):
    member = departed(union_tree)
    real = member_tasks.member_anonymise

    def staff_edit_first(stale, **kwargs):
        record_update(WorkerMember.objects.get(pk=stale.pk), left_on=None, leave_reason="")  # rejoined
        return real(stale, **kwargs)

    monkeypatch.setattr(member_tasks, "member_anonymise", staff_edit_first)
    member_tasks.anonymise_members_past_retention.call()
    stored = WorkerMember.objects.get(pk=member.pk)
    assert stored.left_on is None
    assert stored.family_name == "田中"


# --- the import's moves -------------------------------------------------------------------------

HEADER = "society,member_number,family_name,given_name,birth_date,joined_on,business_center,moved_on\n"


def member_file(tmp_path, rows):
    path = tmp_path / "members.csv"
    path.write_text(HEADER + "".join(",".join(row) + "\n" for row in rows), encoding="utf-8")
    return path


def m2_row(center, moved_on=""):
    return ["society-a", "A2", "田中", "花子", "1970-05-01", "2010-04-01", center, moved_on]


def test_an_import_moves_a_member_and_records_the_placements(union_tree, tmp_path):
    members_import(member_file(tmp_path, [m2_row("c1", "2020-01-01")]))
    m2 = WorkerMember.objects.get(pk=union_tree["m2"].pk)
    assert m2.business_center_id == union_tree["c1"].pk
    periods = list(m2.placements.order_by("started_on").values_list("business_center__code", "started_on", "ended_on"))
    assert periods == [
        ("c2", datetime.date(2010, 4, 1), datetime.date(2020, 1, 1)),
        ("c1", datetime.date(2020, 1, 1), None),
    ]


def test_an_import_may_not_move_a_member_to_another_societys_center(union_tree, tmp_path):
    with pytest.raises(ImportRefused):
        members_import(member_file(tmp_path, [m2_row("cb", "2020-01-01")]))
    assert WorkerMember.objects.get(pk=union_tree["m2"].pk).business_center_id == union_tree["c2"].pk
    assert not Placement.objects.exists()


def test_an_import_may_not_move_a_member_before_they_joined(union_tree, tmp_path):
    with pytest.raises(ImportRefused):
        members_import(member_file(tmp_path, [m2_row("c1", "1900-01-01")]))
    assert not Placement.objects.exists()


def test_an_import_may_not_move_a_member_in_the_far_future(union_tree, tmp_path):
    with pytest.raises(ImportRefused):
        members_import(member_file(tmp_path, [m2_row("c1", "2099-12-31")]))


def test_two_moves_in_one_file_of_the_same_member_are_refused_or_consistent(union_tree, tmp_path):
    try:
        members_import(member_file(tmp_path, [m2_row("c1", "2020-01-01"), m2_row("c2", "2021-01-01")]))
    except ImportRefused:
        return
    m2 = WorkerMember.objects.get(pk=union_tree["m2"].pk)
    current = m2.placements.get(ended_on__isnull=True)
    assert current.business_center_id == m2.business_center_id


@pytest.mark.django_db(transaction=True)
def test_an_import_move_racing_a_staff_move_waits_and_stays_consistent(union_tree, tmp_path, monkeypatch):
    """A move through the pages while an import has checked its moves waits for the import (which
    holds the member's row), then finds the member changed; one current period, no error."""

    member = WorkerMember.objects.get(pk=union_tree["m2"].pk)
    checked, outcome = threading.Event(), {}
    real = member_imports.members_moves_record

    def pause_after_the_check(moves):
        checked.set()
        threading.Event().wait(0.5)  # the staff move is sent meanwhile
        return real(moves)

    def staff_move():
        checked.wait(10)
        try:
            member_move(
                member,
                business_center=union_tree["c1"],
                moved_on=datetime.date(2022, 6, 1),
                expected_version=member.version,
            )
            outcome["staff"] = "moved"
        except StaleRecordError:
            outcome["staff"] = "stale"
        finally:
            connections.close_all()

    monkeypatch.setattr(member_imports, "members_moves_record", pause_after_the_check)
    thread = threading.Thread(target=staff_move)
    thread.start()
    members_import(member_file(tmp_path, [m2_row("c1", "2021-01-01")]))
    thread.join(20)
    assert outcome == {"staff": "stale"}
    open_periods = Placement.objects.filter(member=member, ended_on__isnull=True)
    assert [(p.business_center_id, p.started_on) for p in open_periods] == [
        (union_tree["c1"].pk, datetime.date(2021, 1, 1))
    ]


# --- the admin ----------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("registrar", password="pass-word-123"))
    return client


@pytest.mark.parametrize("model", ["members_workermember", "members_membersociety", "jwcu_roleassignment"])
def test_the_admin_changes_no_record_with_rules(admin_client, union_tree, model):
    obj = {"members_workermember": union_tree["m1"], "members_membersociety": union_tree["society_a"]}.get(model)
    if obj is None:
        obj = RoleAssignment.objects.create(user=user_with(None, None), role=Role.VIEWER, union=union_tree["union"])
    changelist = reverse(f"admin:{model}_changelist")
    # bulk delete action, add view, change POST, history revert
    admin_client.post(changelist, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"})
    assert type(obj).objects.filter(pk=obj.pk).exists()
    assert admin_client.get(reverse(f"admin:{model}_add")).status_code == 403
    assert admin_client.post(reverse(f"admin:{model}_add"), {}).status_code == 403
    change = reverse(f"admin:{model}_change", args=[obj.pk])
    version = type(obj).objects.get(pk=obj.pk).version
    hostile = {"family_name": "Hacked", "code": "hacked", "role": "union_admin", "opened_version": version}
    admin_client.post(change, hostile)
    assert type(obj).objects.get(pk=obj.pk).version == version
    first = obj.history.earliest("history_date") if hasattr(obj, "history") else None
    if first is not None:
        revert = reverse(f"admin:{model}_simple_history", args=[obj.pk, first.history_id])
        assert admin_client.post(revert, {}).status_code == 403
    assert admin_client.get(reverse(f"admin:{model}_delete", args=[obj.pk])).status_code == 403
    # list_editable bulk edit
    bulk = {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-id": obj.pk, "_save": "Save"}
    admin_client.post(changelist, bulk)
    assert type(obj).objects.get(pk=obj.pk).version == version


# --- the API: a society leaves the union ---------------------------------------------------------


def test_a_read_only_union_wide_client_cannot_take_a_society_out(api, api_tree):
    caller = api(api_tree["union"], can_write=False)
    etag = caller.get("/api/v1/societies/t-local/")["ETag"]
    response = caller.post("/api/v1/societies/t-local/leave/", {"left_on": "2020-03-31"}, HTTP_IF_MATCH=etag)
    assert response.status_code in (403, 405)
    from members.models import MemberSociety

    assert MemberSociety.objects.get(code="t-local").left_union_on is None


@pytest.mark.parametrize("narrower", ["society", "head_office"])
def test_a_narrow_client_cannot_take_a_society_out_by_patch_either(api, api_tree, narrower):
    scope = {"society": api_tree["local"]} if narrower == "society" else {"head_office": api_tree["east"]}
    caller = api(api_tree["union"], can_write=True, **scope)
    code = "t-local" if narrower == "society" else "t-cwc"
    etag = caller.get(f"/api/v1/societies/{code}/")["ETag"]
    response = caller.patch(f"/api/v1/societies/{code}/", {"left_union_on": "2020-03-31"}, HTTP_IF_MATCH=etag)
    assert response.status_code in (400, 403)
    from members.models import MemberSociety

    assert MemberSociety.objects.get(code=code).left_union_on is None


def test_another_unions_client_cannot_take_a_society_out(api, api_tree):
    caller = api(factories.UnionFactory(code="intruder"), can_write=True)
    response = caller.post("/api/v1/societies/t-local/leave/", {"left_on": "2020-03-31"}, HTTP_IF_MATCH='"1"')
    assert response.status_code == 404


@pytest.mark.parametrize("left_on", ["", "2020-02-30", "99999-01-01", "\x00", None])
def test_hostile_leave_dates_are_refused_without_a_500(api, api_tree, left_on):
    caller = api(api_tree["union"], can_write=True)
    etag = caller.get("/api/v1/societies/t-local/")["ETag"]
    response = caller.post("/api/v1/societies/t-local/leave/", {"left_on": left_on}, HTTP_IF_MATCH=etag)
    assert response.status_code == 400


# --- two staff moves of one member, raced -------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_racing_moves_of_one_member_leave_one_current_period():
    society = factories.MemberSocietyFactory(code="race-soc")
    a, b, c = (factories.BusinessCenterFactory(society=society, code=f"race-{x}") for x in "abc")
    member = factories.WorkerMemberFactory(society=society, business_center=a)
    barrier = threading.Barrier(2)
    outcomes = []

    def move(center, day):
        try:
            stale = WorkerMember.objects.get(pk=member.pk)
            barrier.wait()
            member_move(stale, business_center=center, moved_on=day, expected_version=stale.version)  # as the page
            outcomes.append("ok")
        except Exception as error:
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=move, args=(b, datetime.date(2020, 1, 1))),
        threading.Thread(target=move, args=(c, datetime.date(2021, 1, 1))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    current = Placement.objects.filter(member=member, ended_on__isnull=True)
    assert current.count() == 1
    assert current.get().business_center_id == WorkerMember.objects.get(pk=member.pk).business_center_id
    assert sorted(outcomes) == ["StaleRecordError", "ok"], outcomes


# --- the jobs page: a shared run's error ---------------------------------------------------------


def test_a_failed_shared_run_does_not_show_another_unions_member_data(client, union_tree, run_worker, monkeypatch):
    from django.db import IntegrityError

    member = departed(union_tree)

    def broken(stale, **kwargs):
        raise IntegrityError(f"DETAIL:  Failing row contains ({stale.pk}, {stale.family_name_latin}, …).")

    monkeypatch.setattr(member_tasks, "member_anonymise", broken)
    member_tasks.anonymise_members_past_retention.enqueue()
    run_worker()
    assert DBTaskResult.objects.get().status == "FAILED"
    client.force_login(user_with(Role.UNION_ADMIN, factories.UnionFactory(code="stranger")))
    page = client.get("/jobs/").content.decode()
    assert member.family_name_latin not in page


# --- more of the import's moves ----------------------------------------------------------------

LEAVE_HEADER = (
    "society,member_number,family_name,given_name,birth_date,joined_on,business_center,moved_on,left_on,leave_reason\n"
)


def test_an_import_row_that_leaves_and_moves_later_is_refused(union_tree, tmp_path):
    path = tmp_path / "members.csv"
    row = "society-a,A2,田中,花子,1970-05-01,2010-04-01,c1,2021-01-01,2020-06-01,resignation\n"
    path.write_text(LEAVE_HEADER + row, encoding="utf-8")
    try:
        members_import(path)
    except ImportRefused:
        return
    opened = Placement.objects.get(member=union_tree["m2"], ended_on__isnull=True)
    assert opened.started_on <= WorkerMember.objects.get(pk=union_tree["m2"].pk).left_on
