"""Import jobs behind the import pages: checked, then imported once confirmed, off the request;
progress on the job's row, polled as JSON; failures and dead workers leave nothing imported."""

import datetime
import io
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.utils import timezone

from businesses.models import BusinessCenter
from jwcu import import_jobs, imports
from jwcu.models import ImportJob
from jwcu.scope import Scope

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HEADER = "code,society,name,prefecture,opened_on\n"


def center_file(rows: int, *, society="society-a", name="centers.csv", start=0) -> SimpleUploadedFile:
    lines = "".join(f"new-{i},{society},Center {i},13,2015-04-01\n" for i in range(start, start + rows))
    return SimpleUploadedFile(name, (HEADER + lines).encode(), content_type="text/csv")


def create_job(user, upload, *, scope=None):
    return import_jobs.import_job_create(
        kind="centers", user=user, scope=scope or Scope.for_user(user), upload=upload, language="en"
    )


@pytest.fixture
def admin(union_tree):
    from django.contrib.auth.models import User

    from jwcu.models import RoleAssignment

    user = User.objects.create_user("importer")
    RoleAssignment.objects.create(user=user, role="union_admin", union=union_tree["union"])
    return user


def test_a_file_with_problems_is_checked_and_kept_no_longer(admin):
    upload = SimpleUploadedFile("c.csv", f"{HEADER}new-1,nowhere,X,13,2015-04-01\nnew-2,society-a,Y,99,x\n".encode())
    job = create_job(admin, upload)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED
    assert job.problem_count == 3
    assert {"row": 2, "column": "society", "value": "nowhere", "reason": "no society has this code"} in job.problems
    assert [p["column"] for p in job.problems if p["row"] == 3] == ["prefecture", "opened_on"]
    assert (job.rows_total, job.rows_processed) == (2, 2)
    assert job.file is None  # nothing to confirm: the file is not kept
    assert not import_jobs.import_job_confirm(job, user=admin)
    assert not BusinessCenter.objects.filter(code__startswith="new-").exists()


def test_a_valid_file_is_checked_then_imported_once_on_confirmation(admin):
    job = create_job(admin, center_file(3))
    job.refresh_from_db()
    assert (job.status, job.problem_count) == (ImportJob.Status.CHECKED, 0)
    assert (job.created_count, job.updated_count, job.unchanged_count) == (3, 0, 0)
    assert job.preview["columns"] == ["code", "society", "name", "prefecture", "opened_on"]
    assert job.preview["key_columns"] == [0]
    assert job.preview["rows"][0] == {
        "row": 2,
        "state": "created",
        "key": ["new-0"],
        "cells": ["new-0", "society-a", "Center 0", "13", "2015-04-01"],
    }
    assert job.file is not None
    assert not BusinessCenter.objects.filter(code__startswith="new-").exists()

    assert import_jobs.import_job_confirm(job, user=admin)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert (job.rows_total, job.created_count, job.updated_count, job.unchanged_count) == (3, 3, 0, 0)
    assert job.file is None
    center = BusinessCenter.objects.get(code="new-2")
    assert (center.history.get().history_channel, center.history.get().history_user) == ("import", admin)
    assert not import_jobs.import_job_confirm(job, user=admin)  # once
    assert BusinessCenter.history.filter(code="new-2").count() == 1


def test_only_the_owner_confirms(admin, union_tree):
    from django.contrib.auth.models import User

    job = create_job(admin, center_file(1))
    assert not import_jobs.import_job_confirm(job, user=User.objects.create_user("someone"))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED


def test_a_check_expires(admin, settings):
    job = create_job(admin, center_file(1))
    ImportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - datetime.timedelta(hours=25))
    assert not import_jobs.import_job_confirm(job, user=admin)
    create_job(admin, center_file(1, start=5))  # a new upload discards the files of expired checks
    assert ImportJob.objects.get(pk=job.pk).file is None


def test_finished_jobs_are_deleted_after_their_retention(admin, settings):
    from django.core.management import call_command

    settings.IMPORT_JOB_RETENTION_DAYS = 30
    old, recent = create_job(admin, center_file(1)), create_job(admin, center_file(1, start=5))
    ImportJob.objects.filter(pk=old.pk).update(finished_at=timezone.now() - datetime.timedelta(days=31))
    ImportJob.objects.filter(pk=recent.pk).update(finished_at=timezone.now() - datetime.timedelta(days=29))
    running = create_job(admin, center_file(1, start=9))  # the upload purges the old job
    ImportJob.objects.filter(pk=running.pk).update(status=ImportJob.Status.IMPORTING, finished_at=None)
    assert set(ImportJob.objects.values_list("pk", flat=True)) == {recent.pk, running.pk}

    ImportJob.objects.filter(pk=recent.pk).update(finished_at=timezone.now() - datetime.timedelta(days=40))
    call_command("purge_import_jobs", stdout=(out := io.StringIO()))
    assert out.getvalue() == "1 import job(s) deleted.\n"
    assert list(ImportJob.objects.values_list("pk", flat=True)) == [running.pk]


def test_progress_is_recorded_during_the_run(admin, monkeypatch, settings):
    """The job's row is written every IMPORT_PROGRESS_SECONDS (here: after every chunk) through
    a connection of its own, outside the import's transaction."""
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    settings.IMPORT_PROGRESS_SECONDS = 0
    seen = []
    write = import_jobs._ImportJobProgress._write

    def spy(self):
        write(self)
        seen.append(self.rows)

    monkeypatch.setattr(import_jobs._ImportJobProgress, "_write", spy)
    job = create_job(admin, center_file(7))
    assert seen == [2, 4, 6, 7]
    job.refresh_from_db()
    assert (job.rows_total, job.rows_processed) == (7, 7)


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_while_the_import_runs_and_a_worker_runs_the_job(monkeypatch, settings, run_worker):
    """As served: the job is queued when the upload commits and run by a worker (db_worker); the
    page's connection sees the rows processed grow while the import's transaction is still open."""
    from django.contrib.auth.models import User

    from tests import factories

    union = factories.UnionFactory(code="u")
    factories.MemberSocietyFactory(union=union, code="society-a")
    user = User.objects.create_user("importer", is_superuser=True)
    settings.IMPORT_PROGRESS_SECONDS = 0
    monkeypatch.setattr(imports, "CHUNK_ROWS", 3)
    seen = []
    write = import_jobs._ImportJobProgress._write

    def spy(self):
        write(self)

        def read():  # as the page's request would, from another thread (its own connection)
            try:
                seen.append(ImportJob.objects.values_list("status", "rows_processed").get(pk=self.job_id))
            finally:
                connections.close_all()

        thread = threading.Thread(target=read)
        thread.start()
        thread.join(10)

    monkeypatch.setattr(import_jobs._ImportJobProgress, "_write", spy)

    def run(action):
        job = action()
        assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.QUEUED  # until a worker comes
        run_worker()
        return ImportJob.objects.get(pk=job.pk)

    job = run(lambda: create_job(user, center_file(8)))
    assert job.status == ImportJob.Status.CHECKED
    assert seen == [("checking", 3), ("checking", 6), ("checking", 8)]
    seen.clear()
    job = run(lambda: import_jobs.import_job_confirm(job, user=user) and job)
    assert job.status == ImportJob.Status.DONE
    assert seen == [("importing", 3), ("importing", 6), ("importing", 8)]
    assert BusinessCenter.objects.filter(code__startswith="new-").count() == 8


def test_an_unexpected_error_fails_the_job_and_imports_nothing(admin, monkeypatch):
    job = create_job(admin, center_file(3))
    real_upsert = imports.records_copy_upsert

    def failing_upsert(*args, **kwargs):
        real_upsert(*args, **kwargs)  # written, then rolled back
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "records_copy_upsert", failing_upsert)
    assert import_jobs.import_job_confirm(job, user=admin)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "nothing was imported" in job.error
    assert "RuntimeError: disk full" in job.error
    assert job.file is None
    assert not BusinessCenter.objects.filter(code__startswith="new-").exists()


def test_a_file_that_no_longer_passes_fails_its_import_with_the_problems(admin, union_tree):
    job = create_job(admin, center_file(2, society="society-b"))
    from jwcu.models import RoleAssignment

    # the importer became an editor of society A only: society B's rows are refused now
    RoleAssignment.objects.filter(user=admin).update(role="society_editor", society=union_tree["society_a"])
    assert import_jobs.import_job_confirm(job, user=admin)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "no longer passes the checks" in job.error
    assert [(p["row"], p["column"]) for p in job.problems] == [(2, "society"), (3, "society")]
    assert not BusinessCenter.objects.filter(code__startswith="new-").exists()


def test_a_job_whose_worker_died_is_failed_after_the_timeout(admin, settings, run_worker):
    job = create_job(admin, center_file(1))
    assert import_jobs.import_job_fail_if_stale(job).status == ImportJob.Status.QUEUED
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.IMPORTING,
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=settings.IMPORT_JOB_STALE_SECONDS + 1),
    )
    job = import_jobs.import_job_fail_if_stale(ImportJob.objects.get(pk=job.pk))
    assert job.status == ImportJob.Status.FAILED
    assert "stopped without finishing" in job.error
    stored = ImportJob.objects.get(pk=job.pk)
    assert (stored.status, stored.file) == (ImportJob.Status.FAILED, None)
    run_worker()  # a worker that comes late does nothing
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.FAILED


def test_a_job_waiting_for_a_busy_worker_is_not_given_up(admin, settings, run_worker):
    job = create_job(admin, center_file(2))
    ImportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=settings.IMPORT_JOB_STALE_SECONDS * 10)
    )
    assert import_jobs.import_job_fail_if_stale(ImportJob.objects.get(pk=job.pk)).status == ImportJob.Status.QUEUED
    run_worker()  # a worker is free at last
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.CHECKED


# The pages: the status endpoint, who sees a job, what a running job's page carries.


def test_the_status_endpoint_reports_progress_as_json(staff_client, union_tree, django_assert_num_queries):
    client = staff_client("society_editor", society="society_a")
    client.post("/en/centers/import/", {"file": center_file(2)})
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status="checking", rows_total=100_000, rows_processed=35_000)
    with django_assert_num_queries(4):  # session, user, role, job
        response = client.get(f"/en/centers/import/{job.pk}/status/")
    assert response.json() == {
        "status": "checking",
        "status_label": "Checking",
        "running": True,
        "done": 35_000,
        "total": 100_000,
        "progress_text": "35,000 of about 100,000 rows",
    }
    assert response["Cache-Control"] == "no-store"


def test_a_job_is_seen_by_its_owner_and_union_administrators_only(staff_client, union_tree):
    client = staff_client("society_editor", society="society_a")
    client.post("/en/centers/import/", {"file": center_file(1)})
    job = ImportJob.objects.get()
    urls = [f"/en/centers/import/{job.pk}/", f"/en/centers/import/{job.pk}/status/"]
    assert [client.get(url).status_code for url in urls] == [200, 200]
    assert client.get(f"/en/members/import/{job.pk}/").status_code == 404  # a center job
    staff_client("society_editor", society="society_a")  # another editor of the same society
    assert [client.get(url).status_code for url in urls] == [404, 404]
    assert client.post(urls[0]).status_code == 404
    staff_client("viewer")
    assert [client.get(url).status_code for url in urls] == [403, 403]
    staff_client("union_admin")
    page = client.get(urls[0])
    assert page.status_code == 200
    assert "may import it" in page.content.decode()  # but only its owner confirms
    assert not page.context["can_confirm"]
    refused = client.post(urls[0], follow=True).content.decode()
    assert f"Only {job.user.username}, who uploaded the file, may import it." in refused
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.CHECKED


def test_a_running_job_page_carries_the_progress_bar_and_the_status_url(staff_client, union_tree, queued_tasks):
    client = staff_client("union_admin")
    response = client.post("/en/centers/import/", {"file": center_file(2)}, follow=True)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.QUEUED
    page = response.content.decode()
    assert '<progress id="import-progress"' in page
    assert f'data-job-status="/en/centers/import/{job.pk}/status/"' in page
    assert "/static/js/job_progress.js" in page
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    ImportJob.objects.filter(pk=job.pk).update(status="checking", rows_total=10, rows_processed=4)
    page = client.get(f"/en/centers/import/{job.pk}/").content.decode()
    assert 'max="10" value="4"' in page
    assert "4 of about 10 rows" in page


def test_a_finished_job_page_does_not_poll(staff_client, union_tree):
    client = staff_client("union_admin")
    page = client.post("/en/centers/import/", {"file": center_file(2)}, follow=True).content.decode()
    assert "<progress" not in page
    assert "job_progress.js" not in page
    assert "refresh" not in page


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("centers.xls", b"x", "Upload a CSV or XLSX file"),
        ("centers.csv", b"", "The submitted file is empty."),
    ],
)
def test_an_upload_that_is_no_import_file_is_refused_on_the_form(staff_client, union_tree, name, content, error):
    client = staff_client("union_admin")
    response = client.post("/en/centers/import/", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_file_larger_than_the_limit_is_refused(staff_client, union_tree, settings):
    settings.IMPORT_MAX_UPLOAD_MB = 0
    response = staff_client("union_admin").post("/en/centers/import/", {"file": center_file(1)})
    assert "The file is larger than 0 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_upload_page_lists_the_users_recent_uploads(staff_client, union_tree):
    client = staff_client("union_admin")
    client.post("/en/centers/import/", {"file": center_file(2, name="first.csv")})
    page = client.get("/en/centers/import/").content.decode()
    job = ImportJob.objects.get()
    assert f'<a href="/en/centers/import/{job.pk}/">first.csv</a>' in page
    staff_client("union_admin")
    assert "first.csv" not in client.get("/en/centers/import/").content.decode()


def test_the_rows_of_a_file_are_counted_before_it_is_read(tmp_path):
    csv = tmp_path / "a.csv"
    csv.write_bytes(b"code,name\r\na,A\r\nb,B\r\n")
    assert imports.count_rows(csv) == 2
    csv.write_bytes(b"code,name\na,A\nb,B")  # no line break at the end
    assert imports.count_rows(csv) == 2
    csv.write_bytes(b"")
    assert imports.count_rows(csv) == 0
    xlsx = tmp_path / "a.xlsx"
    imports.write_template(
        xlsx, imports.Layout(BusinessCenter, [imports.Column("code", "コード")], ("code",), None, None)
    )
    assert imports.count_rows(xlsx) == 1
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    assert imports.count_rows(broken) is None


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("garbage.xlsx", b"PK\x03\x04 not really a workbook"),
        ("empty-zip.xlsx", b"PK\x05\x06" + b"\x00" * 18),
        ("nul.csv", b"code,society\x00,name\nx,y,z\n"),
        ("utf16.csv", "code,society,name,prefecture,opened_on\n".encode("utf-16")),
        ("binary.csv", bytes(range(256)) * 40),
        ("huge-cell.csv", b"code,name\n" + b"x" * 200_000 + b",y\n"),
    ],
)
def test_a_file_that_cannot_be_read_is_reported_not_crashed_on(staff_client, union_tree, name, content):
    client = staff_client("union_admin")
    response = client.post("/en/centers/import/", {"file": SimpleUploadedFile(name, content)}, follow=True)
    assert response.status_code == 200
    job = response.context["job"]
    assert (job.status, job.problem_count > 0) == (ImportJob.Status.CHECKED, True), job.error
    assert job.problems[0]["reason"]
    assert "nothing was imported" in response.content.decode()


def test_the_job_page_queries_do_not_grow_with_the_file(staff_client, union_tree, django_assert_num_queries):
    client = staff_client("union_admin")
    client.post("/en/centers/import/", {"file": center_file(3)})
    client.post("/en/centers/import/", {"file": center_file(40, start=100)})
    small, large = ImportJob.objects.order_by("created_at")
    with django_assert_num_queries(4) as small_queries:  # session, user, role, job
        client.get(f"/en/centers/import/{small.pk}/")
    with django_assert_num_queries(len(small_queries.captured_queries)):
        response = client.get(f"/en/centers/import/{large.pk}/")
    assert len(response.context["sample"]) == 10
