from django import template
from django.conf import settings

from jwcu import display

register = template.Library()


@register.filter
def yen(amount):
    return display.yen(amount)


@register.filter
def without_language_prefix(path: str) -> str:
    """``path`` as the default language spells it. The language switch resolves ``next`` in the
    default language (its own URL has no prefix), so "/en/members/" would not be recognised."""
    for code, _name in settings.LANGUAGES:
        prefix = f"/{code}/"
        if path.startswith(prefix):
            return "/" + path[len(prefix) :]
    return path


@register.filter
def local_name(record) -> str:
    """The record's name in the active language (its Japanese name where Japanese is chosen)."""
    return display.name_of(record)
