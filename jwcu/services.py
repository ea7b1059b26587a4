"""Write primitives every app's services build on: validate, save in one transaction, refuse
stale edits. The history row of each save is written by django-simple-history (jwcu.audit)."""

import datetime
import hashlib
import io
import logging
import secrets
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from jwcu import audit
from jwcu.models import ApiClient, RoleAssignment
from jwcu.scope import OutOfScope, contains

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


def _history_options() -> dict:
    context = audit.current()
    return {"default_user": context.user, "custom_historical_attrs": {"history_channel": context.channel}}


def records_bulk_create(model: type[Record], objs: list[Record], *, batch_size: int = 2000) -> list[Record]:
    """Insert many validated records at once, each with its history row (who, which channel)."""
    return bulk_create_with_history(objs, model, batch_size=batch_size, **_history_options())


def records_bulk_update(model: type[Record], objs: list[Record], fields: list[str], *, batch_size: int = 2000) -> None:
    """Write ``fields`` of many validated records at once: their next version, a history row each."""
    now = timezone.now()
    for obj in objs:
        obj.updated_at = now
    bulk_update_with_history(
        objs, model, [*fields, "version", "updated_at"], batch_size=batch_size, **_history_options()
    )


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
    with transaction.atomic():
        if to_create:
            records_bulk_create(model, to_create, batch_size=batch_size)
        if to_update:
            records_bulk_update(model, to_update, list(changed_fields), batch_size=batch_size)
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

    scope.require_write()
    with transaction.atomic():
        record = write()
        if not contains(scope, record):
            raise OutOfScope(_("This change would put the record outside the part of the union you may edit."))
    return record


def role_assign(*, user, role: str, union, society=None, head_office=None, sensitive: bool = False):
    """Give ``user`` their one role (replacing any previous one), validated like a form."""

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

    user = get_user_model()(username=username)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    with transaction.atomic():
        user.save()
    return user
