"""Write primitives every app's services build on: validate, save in one transaction, refuse
stale edits. The history row of each save is written by django-simple-history (jwcu.audit)."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

Record = TypeVar("Record", bound=models.Model)


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


def record_update(instance: Record, /, *, expected_version: int | None = None, **changes) -> Record:
    """Apply ``changes`` to the stored record. With ``expected_version``, refuse (StaleRecordError)
    when someone saved the record since that version; the changes are then not applied."""
    model = type(instance)
    with transaction.atomic():
        current = model._default_manager.select_for_update().get(pk=instance.pk)
        if expected_version is not None and current.version != expected_version:
            changed = {
                name: (_field_value(instance, name), _field_value(current, name))
                for name in (f.name for f in model._meta.concrete_fields)
                if name not in {"version", "updated_at"} and _field_value(instance, name) != _field_value(current, name)
            }
            raise StaleRecordError(current, expected_version, changed)
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
    model: type[Record], rows: list[dict], *, key: tuple[str, ...], existing: models.QuerySet, batch_size: int = 2000
) -> dict[str, int]:
    """Create or bring up to date many records of ``model`` in one transaction.

    ``rows`` are field values (model instances for foreign keys), identified by the ``key``
    fields; ``existing`` is the queryset that holds every record the rows may already match.
    Each row is validated like a form would (field rules and ``clean()``) before anything is
    written: one invalid row raises a ValidationError naming every bad row and nothing is
    saved. Unchanged records are not written; each created or changed one gets a history row.
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
