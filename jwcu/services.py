"""Write primitives every app's services build on: validate, save in one transaction, refuse
stale edits. The history row of each save is written by django-simple-history (jwcu.audit)."""

import datetime
import io
import logging
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jwcu.queue import background_task

Record = TypeVar("Record", bound=models.Model)
logger = logging.getLogger(__name__)


class StaleRecordError(Exception):
    """The record changed since the version the caller edited."""

    def __init__(self, current: models.Model, expected_version: int, changed_fields: dict[str, tuple[Any, Any]]):
        self.current = current
        self.expected_version = expected_version
        self.changed_fields = changed_fields
        super().__init__(
            _("%(record)s was changed by someone else (version %(expected)s is now %(current)s).")
            % {"record": current, "expected": expected_version, "current": current.version}
        )


def _field_value(instance: models.Model, name: str):
    field = instance._meta.get_field(name)
    return getattr(instance, field.attname)


def record_create(model: type[Record], /, **fields) -> Record:
    instance = model(**fields)
    instance.full_clean()
    with transaction.atomic():
        instance.save()
    return instance


def locked_current(instance: Record, *, expected_version: int | None = None) -> Record:
    """The stored row of ``instance``, locked until the transaction ends (call it inside one).
    With ``expected_version``, StaleRecordError when someone saved the record since that version,
    naming the fields where ``instance`` (the record as the caller edited it) and the row differ."""
    model = type(instance)
    current = model._default_manager.select_for_update().get(pk=instance.pk)
    if expected_version is not None and current.version != expected_version:
        changed = {
            name: (_field_value(instance, name), _field_value(current, name))
            for name in (f.name for f in model._meta.concrete_fields)
            if name not in {"version", "updated_at"} and _field_value(instance, name) != _field_value(current, name)
        }
        raise StaleRecordError(current, expected_version, changed)
    return current


def record_update(instance: Record, /, *, expected_version: int | None = None, precondition=None, **changes) -> Record:
    """Apply ``changes`` to the stored record. With ``expected_version``, refuse (StaleRecordError)
    when someone saved the record since that version; the changes are then not applied.
    ``precondition(current)`` runs on the stored record, locked, and may raise to refuse."""
    with transaction.atomic():
        current = locked_current(instance, expected_version=expected_version)
        if precondition is not None:
            precondition(current)
        for name, value in changes.items():
            setattr(current, name, value)
        current.full_clean()
        current.save()
    return current


def record_upsert(model: type[Record], /, *, lookup: dict, values: dict) -> tuple[Record, str]:
    """Create the record found by ``lookup`` or bring it to ``values``; save only what differs.

    Returns the record and one of "created", "updated", "unchanged", so that loading the same
    data twice changes nothing and writes no history.
    """
    instance = model._default_manager.filter(**lookup).first()
    if instance is None:
        return record_create(model, **lookup, **values), "created"
    differing = {
        name: value for name, value in values.items() if _comparable(getattr(instance, name)) != _comparable(value)
    }
    if not differing:
        return instance, "unchanged"
    return record_update(instance, **differing), "updated"


def _comparable(value):
    return value.pk if isinstance(value, models.Model) else value


def records_bulk_upsert(
    model: type[Record],
    rows: list[dict],
    *,
    key: tuple[str, ...],
    existing: models.QuerySet,
    batch_size: int = 2000,
    validated: bool = False,
) -> dict[str, int]:
    """Create or bring up to date many records of ``model`` in one transaction.

    ``rows`` are field values (model instances for foreign keys), identified by the ``key``
    fields; ``existing`` is the queryset that holds every record the rows may already match.
    Each row is validated like a form would (field rules and ``clean()``) before anything is
    written: one invalid row raises a ValidationError naming every bad row and nothing is
    saved (``validated``: the caller has already checked every row, as the importer does).
    Unchanged records are not written; each created or changed one gets a history row.
    """
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    from jwcu import audit

    foreign_keys = {f.name for f in model._meta.concrete_fields if f.is_relation}
    attnames = {f.name: f.attname for f in model._meta.concrete_fields}
    stored = {tuple(getattr(obj, attnames[k]) for k in key): obj for obj in existing}
    to_create, to_update, changed_fields, errors = [], [], set(), {}
    for index, row in enumerate(rows):
        obj = stored.get(tuple(_comparable(row[k]) for k in key))
        if obj is None:
            obj = model(**row)
            to_create.append(obj)
        else:
            differing = [name for name, value in row.items() if getattr(obj, attnames[name]) != _comparable(value)]
            if not differing:
                continue
            for name in differing:
                setattr(obj, name, row[name])
            obj.version += 1
            changed_fields.update(differing)
            to_update.append(obj)
        if validated:
            continue
        try:
            obj.clean_fields(exclude=foreign_keys)
            obj.clean()
        except ValidationError as error:
            errors[f"row {index + 1}"] = error.messages
    if errors:
        raise ValidationError(errors)
    context = audit.current()
    history = {"default_user": context.user, "custom_historical_attrs": {"history_channel": context.channel}}
    with transaction.atomic():
        if to_create:
            bulk_create_with_history(to_create, model, batch_size=batch_size, **history)
        if to_update:
            fields = [*changed_fields, "version", "updated_at"]
            now = timezone.now()
            for obj in to_update:
                obj.updated_at = now
            bulk_update_with_history(to_update, model, fields, batch_size=batch_size, **history)
    unchanged = len(rows) - len(to_create) - len(to_update)
    return {"created": len(to_create), "updated": len(to_update), "unchanged": unchanged}


def api_client_create(
    *,
    name: str,
    union,
    society=None,
    head_office=None,
    can_write: bool = False,
    sensitive: bool = False,
    created_by=None,
):
    """Create an API client; returns it with its token, which is shown this once and only its
    SHA-256 is stored."""
    import secrets

    from jwcu.models import ApiClient

    prefix = secrets.token_hex(4)
    token = f"{prefix}.{secrets.token_urlsafe(32)}"
    client = ApiClient(
        name=name,
        union=union,
        society=society,
        head_office=head_office,
        can_write=can_write,
        sensitive=sensitive,
        created_by=created_by,
        token_prefix=prefix,
        token_hash=api_token_hash(token),
    )
    client.full_clean()
    with transaction.atomic():
        client.save()
    return client, token


def api_token_hash(token: str) -> str:
    import hashlib

    return hashlib.sha256(token.encode()).hexdigest()


def api_client_revoke(client):
    if client.revoked_at is None:
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
    return client


def record_at_version(instance: Record, version: int) -> Record:
    """The record as it was saved at ``version`` (from its history), or ``instance`` itself when
    that version is not in the history. Passed to record_update with ``expected_version`` so that
    a refused stale save reports what changed since the version the user edited."""
    snapshot = instance.history.filter(version=version).order_by("-history_date").first()
    return snapshot.instance if snapshot is not None else instance


def within_scope(scope, write: Callable[[], Record]) -> Record:
    """Run ``write`` (a service call) in one transaction and keep its result only if the record
    it returns is still inside ``scope``: a form cannot move a record out of its editor's reach."""
    from jwcu.scope import OutOfScope, contains

    scope.require_write()
    with transaction.atomic():
        record = write()
        if not contains(scope, record):
            raise OutOfScope(_("This change would put the record outside the part of the union you may edit."))
    return record


def role_assign(*, user, role: str, union, society=None, head_office=None, sensitive: bool = False):
    """Give ``user`` their one role (replacing any previous one), validated like a form."""
    from jwcu.models import RoleAssignment

    assignment = RoleAssignment.objects.filter(user=user).first()
    values = {"role": role, "union": union, "society": society, "head_office": head_office, "sensitive": sensitive}
    if assignment is None:
        return record_create(RoleAssignment, user=user, **values)
    return record_update(assignment, **values)


def records_copy_upsert(model: type[Record], rows: list[dict], *, key: tuple[str, ...]) -> dict:
    """Create or update many already-validated records of ``model`` at the speed of COPY.

    The rows are copied into a temporary table, then one statement inserts the new ones, updates
    the ones that differ (``INSERT … ON CONFLICT (key) DO UPDATE … WHERE changed``) and writes a
    history row for each, with the current audit user and channel. A field a row leaves out (a
    field that cannot be empty and whose cell was) keeps its stored value, or gets its default.
    Returns the counts of created, updated and unchanged records, and under "written" the key
    (database values, foreign keys as ids) of each created ("+") or updated ("~") one.
    """
    from django.db import connection

    from jwcu import audit

    if not rows:
        return {"created": 0, "updated": 0, "unchanged": 0, "written": {}}
    meta, history_meta = model._meta, model.history.model._meta
    bookkeeping = {meta.pk.name, "created_at", "updated_at", "version"}
    present = {name for row in rows for name in row}
    fields = [f for f in meta.concrete_fields if f.name in present and f.name not in bookkeeping]
    columns = [f.column for f in fields]
    key_columns = [meta.get_field(name).column for name in key]
    table, stage = meta.db_table, f"stage_{meta.db_table}"

    def new_value(field, source: str) -> str:
        if field.null:
            return f"{source}.{field.column}"
        return f"COALESCE({source}.{field.column}, t.{field.column})"

    def inserted_value(field) -> tuple[str, list]:
        default = [field.get_db_prep_save(field.get_default(), connection)]
        if field.name not in present:
            return "%s", default
        if field.null:
            return f"s.{field.column}", []
        return f"COALESCE(s.{field.column}, %s)", default

    all_fields = [f for f in meta.concrete_fields if f.name not in bookkeeping]
    inserted = [inserted_value(field) for field in all_fields]
    history_columns = [f.column for f in history_meta.concrete_fields if f.name not in _HISTORY_BOOKKEEPING]
    context = audit.current()
    sql = f"""
        WITH changed AS (
            INSERT INTO {table} AS t ({", ".join(f.column for f in all_fields)}, created_at, updated_at, version)
            SELECT {", ".join(expression for expression, _ in inserted)}, now(), now(), 1 FROM {stage} AS s
            ON CONFLICT ({", ".join(key_columns)}) DO UPDATE SET
                {", ".join(f"{f.column} = {new_value(f, 'EXCLUDED')}" for f in fields)},
                updated_at = now(), version = t.version + 1
            WHERE ({", ".join(f"t.{c}" for c in columns)})
                IS DISTINCT FROM ({", ".join(new_value(f, "EXCLUDED") for f in fields)})
            RETURNING t.*, (t.xmax = 0) AS was_inserted
        )
        INSERT INTO {history_meta.db_table}
            ({", ".join(history_columns)}, history_date, history_type, history_user_id, history_channel)
        SELECT {", ".join(history_columns)}, now(), CASE WHEN was_inserted THEN '+' ELSE '~' END, %s, %s
        FROM changed
        RETURNING history_type, {", ".join(key_columns)}
    """
    params = [p for _, ps in inserted for p in ps] + [getattr(context.user, "pk", None), context.channel]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        cursor.execute(
            f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS SELECT {', '.join(columns)} FROM {table} WITH NO DATA"
        )
        lines = "".join(
            "\t".join(_copy_text(_db_value(field, row.get(field.name), connection)) for field in fields) + "\n"
            for row in rows
        )
        cursor.cursor.copy_expert(f"COPY {stage} ({', '.join(columns)}) FROM STDIN", io.StringIO(lines))
        cursor.execute(sql, params)
        written = {tuple(key_values): history_type for history_type, *key_values in cursor.fetchall()}
        cursor.execute(f"DROP TABLE {stage}")
    types = list(written.values())
    created, updated = types.count("+"), types.count("~")
    return {"created": created, "updated": updated, "unchanged": len(rows) - created - updated, "written": written}


_HISTORY_BOOKKEEPING = {
    "history_id",
    "history_date",
    "history_type",
    "history_user",
    "history_change_reason",
    "history_channel",
}
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _db_value(field, value, connection):
    if isinstance(value, models.Model):
        return value.pk
    if value is None or isinstance(value, str | int | datetime.date | Decimal):
        return value  # what get_db_prep_save would return for these, without its cost
    return field.get_db_prep_save(value, connection)


def _copy_text(value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "{" + ",".join(str(item) for item in value) + "}"
    return str(value).translate(_COPY_ESCAPES)


def staff_account_create(*, username: str, password: str):
    """A staff account without a role (it sees nothing until a role is assigned)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password

    user = get_user_model()(username=username)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    with transaction.atomic():
        user.save()
    return user


# Import jobs: a file uploaded on an import page is checked, and once its owner confirms it,
# imported, by a worker off the request that records its progress and outcome on the job.

IMPORTERS = {
    "members": "members.services.members_import",
    "centers": "businesses.services.centers_import",
}


def import_jobs_purge() -> int:
    """Discard what import jobs no longer need: the file of a check whose confirmation has
    expired, and jobs finished more than IMPORT_JOB_RETENTION_DAYS ago (their problems and first
    rows hold cell values: personal data; the records' own history stays). Runs at each upload,
    and as ``manage.py purge_import_jobs``. Returns the number of jobs deleted."""
    from jwcu.models import ImportJob

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
    from jwcu.models import ImportJob

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
    from jwcu.models import ImportJob

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
    """Mark ``job`` failed if it runs but has shown no sign of work for IMPORT_JOB_STALE_SECONDS
    (its worker's process was restarted or killed; its transaction was then rolled back)."""
    from jwcu.models import ImportJob

    now = timezone.now()
    if not job.running or job.heartbeat_at > now - datetime.timedelta(seconds=settings.IMPORT_JOB_STALE_SECONDS):
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


@background_task(attempts=1, timeout=datetime.timedelta(hours=2))
def import_job_run(*, job_id: str) -> None:
    """The task: check the job's file (nothing written) or, once confirmed, import it, with the
    owner's scope and name (history channel "import"); record progress, then the counts and first
    rows, the problems or the error. Not retried: every failure is recorded on the job, whose
    import, one transaction, then wrote nothing; the owner uploads again."""
    import tempfile

    from django.utils.module_loading import import_string

    from jwcu.imports import ImportRefused, count_rows
    from jwcu.models import ImportJob
    from jwcu.scope import OutOfScope, Scope

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
        from dataclasses import asdict

        from jwcu.models import ImportJob

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
        from django.db import DEFAULT_DB_ALIAS, connections

        from jwcu.models import ImportJob

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
