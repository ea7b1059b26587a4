"""Lists read as rows: a page's records as ``values_list()`` rows, represented byte for byte as
the serializer would represent the instances (tests/jwcu/test_api_rows.py)."""

import datetime
import decimal
import functools
import operator

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings


class RowPlan:
    """A list serializer's output, read from ``values_list()`` rows: the same data as
    ``serializer.data`` of model instances, without building the instances (and those of
    select_related) nor going through DRF's per-field calls, which were most of a full sync's time.

    A field qualifies when it shows a column of the model (converted as its to_representation
    converts it), the code of a related record through a foreign key (SlugRelatedField), or
    defines ``represent_id(id)`` (what it shows of the record of that id, from the page's
    context). A serializer with any other readable field has no plan and is represented as usual.
    tests/jwcu/test_api_rows.py holds the two outputs equal for every list."""

    def __init__(self, columns: list[tuple[str, str, object]]):
        """``columns``: (output name, path of the value, converter or None: the value as it is)."""
        self.names = [name for name, _, _ in columns]
        self.paths = list(dict.fromkeys(["id", *(path for _, path, _ in columns)]))
        self.converted = [(position, convert) for position, (_, _, convert) in enumerate(columns) if convert]
        read = [self.paths.index(path) for _, path, _ in columns]
        self.read = operator.itemgetter(*read) if len(read) > 1 else lambda row: (row[read[0]],)

    def rows(self, queryset, *also: str):
        """``queryset`` as rows of the plan's paths, then ``also`` (named tuples: ``row.id``)."""
        return queryset.prefetch_related(None).values_list(*dict.fromkeys([*self.paths, *also]), named=True)

    @classmethod
    def of(cls, serializer: serializers.ModelSerializer) -> "RowPlan | None":
        model = serializer.Meta.model
        columns = []
        for name, field in serializer.fields.items():
            if field.write_only:
                continue
            column = _row_column(model, field)
            if column is None:
                return None
            columns.append((name, *column))
        return cls(columns) if columns else None

    def represent(self, rows: list[tuple]) -> list[dict]:
        read, names, converted = self.read, self.names, self.converted
        data = []
        for row in rows:
            values = list(read(row))
            for position, convert in converted:
                value = values[position]
                if value is not None:  # None is shown as None, as DRF does, whatever the field
                    values[position] = convert(value)
            data.append(dict(zip(names, values, strict=True)))
        return data


def _concrete_field(model, name: str):
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if field.concrete else None


def _row_column(model, field) -> tuple[str, object] | None:
    """The path ``field`` reads in a row and how it converts the value; None if it cannot."""
    if hasattr(field, "represent_id"):
        return "id", field.represent_id
    column = _concrete_field(model, field.source)
    if column is None:
        return None
    if isinstance(field, serializers.SlugRelatedField):
        slug = _concrete_field(column.related_model, field.slug_field) if column.many_to_one else None
        if slug is None or slug.is_relation or not _represents_as(field, serializers.SlugRelatedField):
            return None
        return f"{field.source}__{field.slug_field}", None
    if column.is_relation:
        return None
    return field.source, _converter(field, column)


def _converter(field, column):
    """``field.to_representation``, or a quicker function giving the same for the values of
    ``column`` (psycopg's types: str, int, Decimal, date, aware datetime), or None when that is
    the value itself."""
    if _represents_as(field, serializers.CharField):
        return None if isinstance(column, models.CharField | models.TextField) else str
    integer = isinstance(column, models.IntegerField)
    if _represents_as(field, serializers.IntegerField):
        return None if integer else int
    if _represents_as(field, serializers.BigIntegerField):
        as_string = getattr(field, "coerce_to_string", api_settings.COERCE_BIGINT_TO_STRING)
        return str if as_string else None if integer else int
    if _represents_as(field, serializers.ChoiceField):
        text = isinstance(column, models.CharField | models.TextField)
        if text and all(type(key) is str for key in field.choice_strings_to_values.values()):
            return None  # a stored string is its choice's key, or shown as it is
    elif _represents_as(field, serializers.DecimalField) and isinstance(column, models.DecimalField):
        if _plain_decimal(field):
            # DRF's quantize, with the context it copies for every value copied once for the page
            context = decimal.getcontext().copy()
            if field.max_digits is not None:
                context.prec = field.max_digits
            exponent = decimal.Decimal(".1") ** field.decimal_places
            return functools.partial(decimal.Decimal.quantize, exp=exponent, rounding=field.rounding, context=context)
    elif _represents_as(field, serializers.DateField) and _iso(field, api_settings.DATE_FORMAT):
        if isinstance(column, models.DateField) and not isinstance(column, models.DateTimeField):
            return datetime.date.isoformat
    elif _represents_as(field, serializers.DateTimeField) and _iso(field, api_settings.DATETIME_FORMAT):
        # The zone DRF converts to, read once for the page rather than for every value.
        zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()
        if zone is not None and settings.USE_TZ and isinstance(column, models.DateTimeField):
            # A plan serves one page; records written together (an import, a migration) share
            # their timestamps, so each is converted once for the page.
            texts = {}

            def iso_datetime(value):
                text = texts.get(value)
                if text is None:
                    try:
                        text = value.astimezone(zone).isoformat()
                    except OverflowError:
                        return field.to_representation(value)  # DRF's error
                    text = texts[value] = text[:-6] + "Z" if text.endswith("+00:00") else text
                return text

            return iso_datetime
    return field.to_representation


def _represents_as(field, kind) -> bool:
    """Whether ``field`` represents values with the method of ``kind`` (not one of its own)."""
    return type(field).to_representation is kind.to_representation


def _plain_decimal(field) -> bool:
    """A DecimalField that shows its values quantized, as numbers (not strings, not normalized)."""
    as_string = getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
    return field.decimal_places is not None and not as_string and not field.normalize_output


def _iso(field, default: str | None) -> bool:
    output_format = getattr(field, "format", default)
    return output_format is not None and output_format.lower() == ISO_8601
