"""The task queue (jwcu.queue) as the registry relies on it: a transient failure is tried again
after a growing wait, a lasting one is recorded once; a task cannot run for ever; a periodic
task is enqueued once per period however many schedulers run; and the periodic work itself."""

import datetime
import io
import threading
import time

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import OperationalError, connection, connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jwcu import queue
from jwcu.models import ScheduledRun
from jwcu.queue import SCHEDULE, Periodic, background_task, enqueue_due
from members.models import WorkerMember
from tests.factories import WorkerMemberFactory

pytestmark = pytest.mark.django_db

calls: list[dict] = []
given_up: list[tuple[str, dict]] = []


def _record_give_up(error, **kwargs):
    given_up.append((type(error).__name__, kwargs))


@background_task(label="Flaky", attempts=3, on_give_up=_record_give_up)
def flaky(*, member_id: int, failures: int) -> int:
    """Fails with a lost connection ``failures`` times, then succeeds."""
    calls.append({"member_id": member_id})
    if len(calls) <= failures:
        raise OperationalError("server closed the connection unexpectedly")
    return member_id


@background_task(label="Flaky", attempts=3, on_give_up=_record_give_up)
def broken(*, member_id: int) -> None:
    calls.append({"member_id": member_id})
    raise ValueError("not a transient failure")


@background_task(label="Slow", timeout=datetime.timedelta(milliseconds=300), on_give_up=_record_give_up)
def slow_statement() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(5)")


@background_task(label="Slow", timeout=datetime.timedelta(milliseconds=300), on_give_up=_record_give_up)
def slow_python() -> None:
    time.sleep(5)


@pytest.fixture(autouse=True)
def _fresh_records():
    calls.clear()
    given_up.clear()


def results(task) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=task.module_path).order_by("enqueued_at"))


def make_due(task) -> None:
    DBTaskResult.objects.filter(task_path=task.module_path, status="READY").update(run_after=timezone.now())


def test_a_transient_failure_is_tried_again_later_with_a_growing_wait(run_worker):
    flaky.enqueue(member_id=7, failures=2)
    run_worker()
    first, second = results(flaky)
    assert first.status == "FAILED"
    assert first.exception_class_path == "django.db.utils.OperationalError"
    assert second.status == "READY"
    assert second.task_result.kwargs == {"member_id": 7, "failures": 2, "attempt": 2}
    wait = second.run_after - first.started_at
    assert datetime.timedelta(seconds=29) < wait < datetime.timedelta(seconds=31)

    run_worker()  # not due yet: nothing runs
    assert len(calls) == 1
    make_due(flaky)
    run_worker()
    second, third = results(flaky)[1:]
    assert third.task_result.kwargs["attempt"] == 3
    assert third.run_after - second.started_at > datetime.timedelta(seconds=119)  # 4 × 30 s
    make_due(flaky)
    run_worker()
    assert [r.status for r in results(flaky)] == ["FAILED", "FAILED", "SUCCESSFUL"]
    assert results(flaky)[2].return_value == 7
    assert given_up == []


def test_a_task_gives_up_after_its_attempts_and_says_so_once(run_worker):
    flaky.enqueue(member_id=7, failures=10)
    for _ in range(3):
        make_due(flaky)
        run_worker()
    assert [r.status for r in results(flaky)] == ["FAILED", "FAILED", "FAILED"]
    assert len(calls) == 3
    assert given_up == [("OperationalError", {"member_id": 7, "failures": 10})]


def test_an_error_that_would_recur_is_not_tried_again(run_worker):
    broken.enqueue(member_id=3)
    run_worker()
    assert [r.status for r in results(broken)] == ["FAILED"]
    assert given_up == [("ValueError", {"member_id": 3})]


def test_a_statement_longer_than_the_timeout_is_cancelled_and_not_tried_again():
    started = time.monotonic()
    result = slow_statement.enqueue()
    assert time.monotonic() - started < 3
    assert result.status == "FAILED"
    assert "canceling statement due to statement timeout" in result.errors[0].traceback
    assert given_up == [("OperationalError", {})]


@pytest.mark.django_db(transaction=True)
def test_a_task_in_a_worker_cannot_run_longer_than_its_timeout(run_worker):
    started = time.monotonic()
    slow_python.enqueue()
    run_worker()
    assert time.monotonic() - started < 3
    assert [r.status for r in results(slow_python)] == ["FAILED"]
    assert given_up == [("TaskTimeout", {})]
    with connection.cursor() as cursor:  # the worker's connection goes on without the limit
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == ("0",)


def test_the_registry_schedules_its_periodic_work():
    call_command("run_scheduler", "--once", stdout=io.StringIO())
    assert {entry.name for entry in SCHEDULE} >= {
        "jwcu.tasks.purge_import_jobs",
        "jwcu.tasks.prune_finished_tasks",
        "members.tasks.anonymise_members_past_retention",
        "reports.tasks.purge_report_jobs",
        "reports.tasks.extend_rollup_horizon",
    }


def test_a_periodic_task_is_enqueued_once_per_period(queued_tasks, monkeypatch):
    monkeypatch.setattr(queue, "SCHEDULE", [Periodic(slow_python, datetime.timedelta(hours=1))])
    at = datetime.datetime(2026, 12, 4, 10, 0, tzinfo=datetime.UTC)
    assert enqueue_due(at) == [slow_python.module_path]
    assert enqueue_due(at + datetime.timedelta(minutes=59)) == []
    assert enqueue_due(at + datetime.timedelta(minutes=60)) == [slow_python.module_path]
    assert len(results(slow_python)) == 2
    assert list(ScheduledRun.objects.values_list("due_at", flat=True).order_by("due_at")) == [
        at,
        at + datetime.timedelta(hours=1),
    ]


@pytest.mark.django_db(transaction=True)
def test_schedulers_racing_enqueue_each_run_once(queued_tasks, monkeypatch):
    monkeypatch.setattr(queue, "SCHEDULE", [Periodic(slow_python, datetime.timedelta(days=1))])
    barrier, enqueued = threading.Barrier(4), []

    def scheduler():
        try:
            barrier.wait(5)
            enqueued.extend(enqueue_due())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scheduler) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert enqueued == [slow_python.module_path]
    assert len(results(slow_python)) == 1


def test_members_past_their_retention_are_anonymised_by_the_daily_task(settings):
    from members.tasks import anonymise_members_past_retention

    settings.MEMBER_RETENTION_YEARS = 5
    today = timezone.localdate()
    due = WorkerMemberFactory(left_on=today.replace(year=today.year - 6), member_number="OLD")
    kept = WorkerMemberFactory(left_on=today - datetime.timedelta(days=30), member_number="RECENT")
    active = WorkerMemberFactory(member_number="ACTIVE")
    result = anonymise_members_past_retention.enqueue()
    assert result.return_value == 1
    assert WorkerMember.objects.get(pk=due.pk).family_name == "—"
    assert WorkerMember.objects.get(pk=due.pk).history.filter(family_name="山田").count() == 0
    assert {m.family_name for m in WorkerMember.objects.filter(pk__in=[kept.pk, active.pk])} == {"山田"}
    assert anonymise_members_past_retention.enqueue().return_value == 0  # nothing twice


def test_finished_tasks_are_pruned_after_their_retention(run_worker, settings):
    from jwcu.tasks import prune_finished_tasks

    settings.TASK_RETENTION_DAYS = 30
    broken.enqueue(member_id=1)
    run_worker()
    old = timezone.now() - datetime.timedelta(days=31)
    DBTaskResult.objects.update(finished_at=old)
    ScheduledRun.objects.create(name="x", due_at=old)
    ScheduledRun.objects.create(name="x", due_at=timezone.now())
    prune_finished_tasks.enqueue()
    run_worker()
    assert results(broken) == []
    assert [r.status for r in results(prune_finished_tasks)] == ["SUCCESSFUL"]
    assert ScheduledRun.objects.count() == 1


def test_the_rollup_horizon_is_moved_on_when_it_comes_within_a_year():
    from reports import rollup
    from reports.tasks import extend_rollup_horizon

    WorkerMemberFactory()
    rollup.ensure_current()
    assert extend_rollup_horizon.enqueue().return_value is False
    with connection.cursor() as cursor:
        cursor.execute("UPDATE reports_rollup_horizon SET horizon = %s", [timezone.localdate()])
    assert extend_rollup_horizon.enqueue().return_value is True
    assert rollup.horizon() > timezone.localdate() + datetime.timedelta(days=700)


def _lost_report_run(attempt: int):
    """A report asked for, whose run a worker took and then died with (an hour ago)."""
    from reports.models import ReportJob
    from reports.services import report_job_run
    from tests.factories import MemberSocietyFactory

    society = MemberSocietyFactory()
    user = User.objects.create_user("asker")
    job = ReportJob.objects.create(
        union=society.union, fiscal_year=2015, format="csv", public=True, language="en", requested_by=user,
        status=ReportJob.Status.RUNNING,
    )  # fmt: skip
    report_job_run.enqueue(job_id=str(job.pk), attempt=attempt)
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now() - datetime.timedelta(hours=1))
    return job, report_job_run


def test_a_run_whose_worker_died_is_failed_and_tried_again(run_worker):
    job, task = _lost_report_run(attempt=1)
    assert queue.recover_abandoned() == 1
    lost, again = results(task)
    assert (lost.status, lost.exception_class_path) == ("FAILED", "jwcu.queue.WorkerLost")
    assert (again.status, again.task_result.kwargs["attempt"]) == ("READY", 2)
    assert queue.recover_abandoned() == 0  # once
    make_due(task)
    run_worker()
    job.refresh_from_db()
    assert job.status == job.Status.DONE


def test_a_run_whose_worker_died_on_its_last_attempt_is_given_up_where_its_users_look(queued_tasks):
    job, task = _lost_report_run(attempt=3)
    assert queue.recover_abandoned() == 1
    assert [r.status for r in results(task)] == ["FAILED"]
    job.refresh_from_db()
    assert job.status == job.Status.FAILED
    assert "WorkerLost" in job.error


def test_a_run_within_its_timeout_is_left_to_its_worker(queued_tasks):
    _job, task = _lost_report_run(attempt=1)
    DBTaskResult.objects.update(started_at=timezone.now() - datetime.timedelta(minutes=10))
    assert queue.recover_abandoned() == 0
    assert [r.status for r in results(task)] == ["RUNNING"]
