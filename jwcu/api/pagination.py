"""Keyset pagination: each page one index range scan from its cursor,
``(field, id) >= (value, last_id + 1)``, whatever its depth."""

import datetime

from django.core import signing
from django.db.models import F, Field, Func, Value
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import BasePagination
from rest_framework.response import Response


class Row(Func):
    """A row constructor, ``ROW(a, b)``, to compare tuples of columns as PostgreSQL orders them."""

    function = "ROW"
    output_field = Field()


class KeysetPagination(BasePagination):
    """Pages ordered by (field, id) and continued after the last row seen: a row that changes
    during a sync by updated_at moves behind the cursor and is served again, none is skipped.
    The cursor is signed; clients pass it back as it is."""

    page_size = 100
    max_page_size = 5000
    salt = "jwcu.api.cursor"

    def paginate_queryset(self, queryset, request, view=None):
        field, descending = view.ordering_of(request)
        size = self._page_size(request)
        cursor = request.query_params.get("cursor")
        if cursor is not None:
            value, last_id = self._decode(cursor, field)
            queryset = queryset.filter(self._after(queryset.model, field, value, last_id, descending=descending))
        order = [f"-{field}", "-id"] if descending else [field, "id"]
        rows = list(queryset.order_by(*order)[: size + 1])
        self.request = request
        self.next_cursor = None
        if len(rows) > size:
            rows = rows[:size]
            last = rows[-1]
            value = getattr(last, field)
            value = value.isoformat() if isinstance(value, datetime.datetime | datetime.date) else value
            self.next_cursor = signing.dumps([field, value, last.id], salt=self.salt, compress=True)
        return rows

    @staticmethod
    def _after(model, field: str, value, last_id: int, *, descending: bool):
        """The rows after the cursor: ``(field, id) > (value, last_id)`` (``<`` descending) as one
        row comparison, which PostgreSQL answers with a range scan of an index on (field, id) or
        (scope column, field, id). ``field > value OR (field = value AND id > last_id)`` would
        scan, on every page, all the rows sharing ``value`` from the first; rows imported together
        share their updated_at.

        It is written ``>= (value, last_id + 1)`` (ids are integers: the same rows) because the
        planner estimates a row comparison by its first column alone: ``updated_at > value``
        when most rows have that very value is estimated as no row, and a society's page would
        then walk the union-wide index, filtering out the other societies' rows."""
        ordered, pk = model._meta.get_field(field), model._meta.get_field("id")
        step, comparison = (-1, LessThanOrEqual) if descending else (1, GreaterThanOrEqual)
        bound = Row(Value(ordered.to_python(value), output_field=ordered), Value(last_id + step, output_field=pk))
        return comparison(Row(F(field), F("id")), bound)

    def _page_size(self, request) -> int:
        raw = request.query_params.get("page_size")
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise exceptions.ValidationError(
                {"page_size": [_("Give a whole number from 1 to %(max)s.") % {"max": self.max_page_size}]}
            )
        return int(raw)

    def _decode(self, cursor: str, field: str):
        try:
            cursor_field, value, last_id = signing.loads(cursor, salt=self.salt)
        except (signing.BadSignature, ValueError, TypeError):
            raise exceptions.ValidationError({"cursor": [_("This cursor is not one the API gave.")]}) from None
        if cursor_field != field:
            raise exceptions.ValidationError({"cursor": [_("This cursor belongs to another ordering.")]})
        return value, last_id

    def get_paginated_response(self, data):
        next_url = None
        if self.next_cursor:
            next_url = self.request.build_absolute_uri(
                self.request.get_full_path().split("?")[0]
                + "?"
                + _replace_query(self.request.query_params, cursor=self.next_cursor)
            )
        return Response({"next": next_url, "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"}},
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


def _replace_query(params, **changes) -> str:
    query = params.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()
