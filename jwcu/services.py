"""Write primitives every app's services build on: validate, save in one transaction, refuse
stale edits. The history row of each save is written by django-simple-history (jwcu.audit)."""

from typing import Any, TypeVar

from django.db import models, transaction
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
