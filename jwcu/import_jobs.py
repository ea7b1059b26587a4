"""Import jobs: a file uploaded on an import page is checked, and once its owner confirms it,
imported, by a task (import_job_run) that records its progress and outcome on the job."""

import datetime
import logging
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jwcu.imports import ImportRefused, count_rows
from jwcu.models import ImportJob
from jwcu.queue import background_task, runs_of_jobs
from jwcu.scope import OutOfScope, Scope
from jwcu.services import record_create

logger = logging.getLogger(__name__)

# The importer of each kind of file, named (the kernel imports no app; jwcu.urls wires the pages).
IMPORTERS = {
    "members": "members.imports.members_import",
    "centers": "businesses.imports.centers_import",
}


def import_jobs_purge() -> int:
    """Discard what import jobs no longer need: the file of a check whose confirmation has
    expired, and jobs finished more than IMPORT_JOB_RETENTION_DAYS ago (their problems and first
    rows hold cell values: personal data; the records' own history stays). Runs at each upload,
    and as ``manage.py purge_import_jobs``. Returns the number of jobs deleted."""
    now = timezone.now()
    ImportJob.objects.filter(
        status=ImportJob.Status.CHECKED,
        file__isnull=False,
        finished_at__lt=now - datetime.timedelta(hours=settings.IMPORT_CONFIRM_HOURS),
    ).update(file=None)
    deleted, _by_model = ImportJob.objects.filter(
        finished_at__lt=now - datetime.timedelta(days=settings.IMPORT_JOB_RETENTION_DAYS)
    ).delete()
    return deleted


def import_job_create(*, kind: str, user, scope, upload, language: str, society=None):
    """Store the uploaded file as a job of ``user`` and start checking it once committed."""
    scope.require_import()
    import_jobs_purge()
    with transaction.atomic():
        job = record_create(
            ImportJob,
            kind=kind,
            user=user,
            union_id=scope.union_id,
            society=society,
            language=language,
            file_name=Path(upload.name).name[-255:],
            file=b"".join(upload.chunks()),
        )
        _import_job_start(job.pk)
    return job


def import_job_confirm(job, *, user) -> bool:
    """Import the checked file of ``job``: once, by its owner, if the check found no problem and
    the file is still kept. False when it cannot be (again)."""
    now = timezone.now()
    with transaction.atomic():
        confirmed = ImportJob.objects.filter(
            pk=job.pk,
            user=user,
            status=ImportJob.Status.CHECKED,
            problem_count=0,
            confirmed_at=None,
            file__isnull=False,
            finished_at__gte=now - datetime.timedelta(hours=settings.IMPORT_CONFIRM_HOURS),
        ).update(status=ImportJob.Status.QUEUED, confirmed_at=now, heartbeat_at=now, rows_processed=0)
        if confirmed:
            _import_job_start(job.pk)
    return bool(confirmed)


def import_job_fail_if_stale(job):
    """Mark ``job`` failed if a worker took it but has shown no sign of work for
    IMPORT_JOB_STALE_SECONDS (its process was restarted or killed; its transaction was then
    rolled back). A job still queued waits for a free worker, however long."""
    now = timezone.now()
    silent_since = now - datetime.timedelta(seconds=settings.IMPORT_JOB_STALE_SECONDS)
    if job.status not in (ImportJob.Status.CHECKING, ImportJob.Status.IMPORTING) or job.heartbeat_at > silent_since:
        return job
    values = {
        "status": ImportJob.Status.FAILED,
        "error": _("The work stopped without finishing (the server may have restarted); nothing was imported."),
        "finished_at": now,
        "file": None,
    }
    if ImportJob.objects.filter(pk=job.pk, status=job.status, heartbeat_at=job.heartbeat_at).update(**values):
        del values["file"]
        for name, value in values.items():
            setattr(job, name, value)
    else:
        job.refresh_from_db(fields=[f.name for f in job._meta.concrete_fields if f.name not in {"id", "file"}])
    return job


@background_task(
    label=gettext_lazy("Import (check, then write)"),
    visible_to=runs_of_jobs(lambda scope: ImportJob.objects.filter(union_id=scope.union_id)),
    link=lambda kwargs: reverse("import-job", args=[kwargs["job_id"]]),
    attempts=1,
    timeout=datetime.timedelta(hours=2),
)
def import_job_run(*, job_id: str) -> None:
    """The task: check the job's file (nothing written) or, once confirmed, import it, with the
    owner's scope and name (history channel "import"); record progress, then the counts and first
    rows, the problems or the error. Not retried: every failure is recorded on the job, whose
    import, one transaction, then wrote nothing; the owner uploads again."""
    status = ImportJob.Status
    job = ImportJob.objects.select_related("user", "society").filter(pk=job_id).first()
    if job is None:
        return  # purged meanwhile
    working = status.IMPORTING if job.importing else status.CHECKING
    claimed = ImportJob.objects.filter(pk=job.pk, status=status.QUEUED).update(
        status=working, heartbeat_at=timezone.now()
    )
    if not claimed:
        return  # taken by another worker, or given up as stale
    finish = _ImportJobFinish(job, working)
    progress = _ImportJobProgress(job.pk)
    with translation.override(job.language), tempfile.TemporaryDirectory(prefix="jwcu-import-") as directory:
        path = Path(directory) / ("upload.xlsx" if job.file_name.lower().endswith(".xlsx") else "upload.csv")
        try:
            path.write_bytes(job.file)
            ImportJob.objects.filter(pk=job.pk).update(rows_total=count_rows(path))
            scope = Scope.for_user(job.user)
            scope.require_import()
            importer = import_string(IMPORTERS[job.kind])
            options = {"society_code": job.society.code} if job.society_id else {}
            if job.importing:
                with transaction.atomic():  # the job is done if and only if its records are written
                    outcome = importer(path, scope=scope, user=job.user, progress=progress, **options)
                    if not finish(status.DONE, outcome=outcome):
                        raise _ImportJobAbandoned
            else:
                outcome = importer(path, scope=scope, user=job.user, dry_run=True, progress=progress, **options)
                finish(status.CHECKED, outcome=outcome, keep_file=True)
        except ImportRefused as refused:
            if job.importing:
                error = _("The file no longer passes the checks (records changed since); nothing was imported.")
                finish(status.FAILED, refused=refused, rows=progress.rows, error=error)
            else:
                finish(status.CHECKED, refused=refused, rows=progress.rows)
        except OutOfScope as error:
            finish(status.FAILED, error=str(error))
        except _ImportJobAbandoned:
            pass
        except Exception as error:
            logger.exception("Import job %s failed", job.pk)
            message = _("The work stopped on an unexpected error; nothing was imported. (%(error)s)")
            finish(status.FAILED, error=message % {"error": f"{type(error).__name__}: {error}"[:500]})
        finally:
            progress.close()


class _ImportJobAbandoned(Exception):
    """The job was given up as stale while its worker still ran: its import is rolled back."""


class _ImportJobFinish:
    """Writes a job's outcome, provided it is still in the state its worker put it in (else
    returns False: the job was given up as stale meanwhile)."""

    def __init__(self, job, working: str):
        self.job, self.working = job, working

    def __call__(self, status: str, *, outcome=None, refused=None, rows=None, error="", keep_file=False) -> bool:

        now = timezone.now()
        values = {"status": status, "error": error, "finished_at": now, "heartbeat_at": now}
        if not keep_file:
            values["file"] = None
        if outcome is not None:
            values |= {
                "rows_total": outcome.rows,
                "rows_processed": outcome.rows,
                "created_count": outcome.created,
                "updated_count": outcome.updated,
                "unchanged_count": outcome.unchanged,
                "preview": {
                    "columns": outcome.columns,
                    "key_columns": outcome.key_columns,
                    "rows": [asdict(row) for row in outcome.sample],
                },
            }
        if refused is not None:
            values |= {
                "rows_total": rows,
                "rows_processed": rows,
                "problems": [asdict(problem) for problem in refused.problems],
                "problem_count": refused.total,
            }
        return bool(ImportJob.objects.filter(pk=self.job.pk, status=self.working).update(**_storable(values)))


def _storable(value):
    """``value`` with NUL characters (which a file's cells may hold) replaced: PostgreSQL's text
    and jsonb cannot store them."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {key: _storable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(item) for item in value]
    return value


class _ImportJobProgress:
    """Counts the rows an import has gone through (its ``progress`` callback) and writes the count
    to the job at most every IMPORT_PROGRESS_SECONDS, through a database connection of its own:
    the import's transaction, on the worker's connection, stays open until the file is done."""

    def __init__(self, job_id):
        self.job_id, self.rows = job_id, 0
        self.written_at = time.monotonic()
        self._connection = None

    def __call__(self, rows: int):
        self.rows += rows
        if time.monotonic() - self.written_at >= settings.IMPORT_PROGRESS_SECONDS:
            self._write()

    def _write(self):

        if self._connection is None:
            self._connection = connections.create_connection(DEFAULT_DB_ALIAS)
        with self._connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportJob._meta.db_table} SET rows_processed = %s, heartbeat_at = %s WHERE id = %s",
                [self.rows, timezone.now(), self.job_id],
            )
        self.written_at = time.monotonic()

    def close(self):
        if self._connection is not None:
            self._connection.close()


def _import_job_start(job_id):
    """Queue the job's work in the current transaction: a worker takes it once this commits."""
    import_job_run.enqueue(job_id=str(job_id))
