"""How a record's values read on a page: choices by their label, related records by name, dates
and yen in the active language's format."""

import datetime

from django.db import models
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _


def yen(amount) -> str:
    if amount is None or amount == "":
        return ""
    grouped = f"{int(amount):,}"
    return f"{grouped}円" if (get_language() or "").startswith("ja") else f"¥{grouped}"


def field_label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def name_of(record) -> str:
    """A record's name in the active language: its Japanese name where Japanese is chosen."""
    japanese = getattr(record, "name_ja", "")
    return japanese if japanese and (get_language() or "").startswith("ja") else str(record)


def value(instance, name: str) -> str:
    """The display of ``instance``'s field ``name`` (prefetched relations are not re-queried)."""
    field = instance._meta.get_field(name)
    if field.many_to_many:
        return ", ".join(name_of(item) for item in getattr(instance, name).all())
    raw = getattr(instance, name)
    if field.is_relation:
        return name_of(raw) if raw is not None else ""
    if field.choices and not isinstance(field, models.ForeignKey):
        return str(getattr(instance, f"get_{name}_display")())
    return plain(raw, field)


def plain(raw, field=None) -> str:
    if raw is None or raw == "":
        return ""
    if isinstance(raw, bool):
        return _("Yes") if raw else _("No")
    if field is not None and field.name.endswith("_yen"):
        return yen(raw)
    if isinstance(raw, datetime.datetime):
        return formats.date_format(raw, "DATETIME_FORMAT")
    if isinstance(raw, datetime.date):
        return formats.date_format(raw, "DATE_FORMAT")
    if isinstance(raw, list):
        return ", ".join(str(item) for item in raw)
    return formats.localize(raw) if isinstance(raw, int | float) and field is not None else str(raw)
