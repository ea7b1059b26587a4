from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def figure_cell(value, kind):
    """A figure's raw value as text: counts and yen with separators, shares as percentages."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if kind == "share":
        return f"{value * 100:.1f} %"
    if kind == "yen":
        return f"¥{value:,}"
    if kind == "number":
        return number_format(value, decimal_pos=1 if value % 1 else 0, use_l10n=True, force_grouping=True)
    return f"{value:,}"


@register.filter
def cells(row, columns):
    """(value, column) pairs of a figure's row."""
    return zip(row, columns, strict=True)
