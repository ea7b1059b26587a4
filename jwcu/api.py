"""The REST API's plumbing, shared by every app's api.py: bearer-token clients, per-client
throttling, one JSON shape for every error, ETags and If-Match, keyset pagination, as_of and
updated_since, and the router of /api/v1/.

Viewsets hold no business rules: reads start from the apps' selectors and FilterSets, writes
call the apps' services inside ``jwcu.audit.acting(channel="api")``.
"""

import contextlib
import datetime
import decimal
import functools
import hashlib
import hmac
import json
import operator
import re

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, F, Field, Func, OuterRef, Q, Value
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.http import Http404, JsonResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import ISO_8601, exceptions, serializers, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.pagination import BasePagination
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.viewsets import GenericViewSet

from jwcu import audit
from jwcu.fiscal import STATISTICS_DAYS
from jwcu.models import ApiClient, value_checker, within_record_days
from jwcu.scope import OutOfScope, Scope, scope_of
from jwcu.services import StaleRecordError, api_token_hash, record_create, record_update

FIRST_DAY, LAST_DAY = STATISTICS_DAYS
TOKEN_PATTERN = re.compile(r"^([0-9a-f]{8})\.[A-Za-z0-9_-]{20,100}$")
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


# Clients ---------------------------------------------------------------------------------------


class BearerTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer TOKEN`` of an API client that has not been revoked."""

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header:
            return None
        if header[0].lower() != b"bearer" or len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the header Authorization: Bearer TOKEN."))
        token = header[1].decode("ascii", errors="replace")
        match = TOKEN_PATTERN.match(token)
        client = None
        if match:
            client = (
                ApiClient.objects.select_related("head_office")
                .filter(token_prefix=match.group(1), revoked_at__isnull=True)
                .first()
            )
        if client is None or not hmac.compare_digest(client.token_hash, api_token_hash(token)):
            raise exceptions.AuthenticationFailed(_("This token is unknown or has been revoked."))
        now = timezone.now()
        # Written at most once a minute: the row just read tells whether it is due, and the write
        # is conditional for requests arriving together.
        stale = now - LAST_USED_RESOLUTION
        if client.last_used_at is None or client.last_used_at < stale:
            due = Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale)
            ApiClient.objects.filter(due, pk=client.pk).update(last_used_at=now)
        return AnonymousUser(), client

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "bearer"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "The token of an API client."}


class ClientPermission(BasePermission):
    """Every request needs a client; writes need a read-write client."""

    def has_permission(self, request, view):
        if not isinstance(request.auth, ApiClient):
            return False
        if request.method not in SAFE_METHODS and not request.auth.can_write:
            raise exceptions.PermissionDenied(_("This client may read but not write."))
        return True


class ClientRateThrottle(SimpleRateThrottle):
    """Requests per client (429 with Retry-After); the rate is API_THROTTLE_RATE."""

    scope = "api_client"

    def get_cache_key(self, request, view):
        ident = request.auth.pk if isinstance(request.auth, ApiClient) else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


# Errors ------------------------------------------------------------------------------------------


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record changed since the version you hold (If-Match)."
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "Send If-Match with the ETag of the record you edited."
    default_code = "precondition_required"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The body is larger than the API takes."
    default_code = "payload_too_large"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This record already exists."
    default_code = "conflict"


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text="The field or query parameter, null for the request.")
    reason = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    errors = ErrorItemSerializer(many=True)


CONFLICT_CODES = {"unique", "unique_together"}


def _flatten(detail, field=None) -> list[dict]:
    if isinstance(detail, dict):
        items = []
        for key, value in detail.items():
            name = None if key in {"non_field_errors", "__all__", "detail"} else key
            items += _flatten(value, f"{field}.{name}" if field and name else (name or field))
        return items
    if isinstance(detail, list):
        return [item for value in detail for item in _flatten(value, field)]
    return [{"field": field, "reason": str(detail)}]


def _from_django(error: DjangoValidationError) -> exceptions.APIException:
    codes = {e.code for e in error.error_list} if not hasattr(error, "error_dict") else set()
    if hasattr(error, "error_dict"):
        codes = {e.code for errors in error.error_dict.values() for e in errors}
        detail = {("non_field_errors" if k == "__all__" else k): v for k, v in error.message_dict.items()}
    else:
        detail = {"non_field_errors": error.messages}
    if codes & CONFLICT_CODES:
        return Conflict(detail)
    return exceptions.ValidationError(detail)


def exception_handler(exc, context):
    """Every error as {"errors": [{"field", "reason"}]} with its status."""
    if isinstance(exc, DjangoValidationError):
        exc = _from_django(exc)
    elif isinstance(exc, StaleRecordError):
        exc = PreconditionFailed(str(exc))
    elif isinstance(exc, OutOfScope):
        exc = exceptions.PermissionDenied(str(exc))
    elif isinstance(exc, ObjectDoesNotExist):
        exc = Http404()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(
            _("The body is larger than %(limit)s bytes.") % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
        )
    elif isinstance(exc, IntegrityError):
        # A rule the database keeps, broken by a concurrent write that validation could not see.
        exc = Conflict(_("The record conflicts with another one written at the same time; read it again."))
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = {"errors": _flatten(response.data)}
    return response


class RegistrySchema(AutoSchema):
    """Documents the error shape for every status the API answers with."""

    ERROR_STATUSES = {
        "400": "Invalid field or query parameter",
        "401": "Missing, unknown or revoked token",
        "403": "The client may not do this",
        "404": "No such record in the client's scope",
        "429": "Too many requests: see Retry-After",
    }
    WRITE_STATUSES = {
        "409": "The record already exists",
        "412": "If-Match does not match the record's current ETag",
        "413": "The body is larger than the API takes",
        "415": "The body is not JSON (Content-Type: application/json)",
        "428": "If-Match is required",
    }

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.method == "GET":
            parameters.append(
                OpenApiParameter(
                    "If-None-Match", str, OpenApiParameter.HEADER, description="An ETag held: 304 if unchanged."
                )
            )
        elif self.method == "PATCH" or (self.method == "POST" and "{" in self.path):
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    str,
                    OpenApiParameter.HEADER,
                    required=True,
                    description="The ETag of the record as the client last read it (412 if it changed since).",
                )
            )
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        statuses = dict(self.ERROR_STATUSES)
        if self.method not in SAFE_METHODS:
            statuses.update(self.WRITE_STATUSES)
        else:
            responses["304"] = {"description": "Not modified (If-None-Match)"}
        for code, description in statuses.items():
            responses.setdefault(code, self._get_response_for_code(ErrorSerializer, code))
            responses[code]["description"] = description
        return responses


# ETags and parameters ---------------------------------------------------------------------------


def etag_of(data) -> str:
    return tag_of(json.dumps(data, sort_keys=True, default=str, separators=(",", ":")).encode())


def tag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


class Parameters:
    """Reads query parameters, collecting a reason for every invalid one so that a 400 names
    them all at once."""

    def __init__(self, request):
        self.params = request.query_params
        self.errors: dict[str, list[str]] = {}
        # A blank value is refused, not read as "no filter": a client whose variable was empty
        # would otherwise get the figures of its whole scope for those of one society.
        for name, values in self.params.lists():
            if any(not value.strip() for value in values):
                self.errors[name] = [_("Give a value, or leave the parameter out.")]

    def unknown(self, known: set[str]):
        for name in sorted(set(self.params) - known):
            self.errors[name] = [_("Unknown parameter.")]

    def date(self, name: str) -> datetime.date | None:
        value = self.params.get(name)
        if value is None:
            return None
        try:
            day = parse_date(value)
        except ValueError:
            day = None
        if day is None:
            self.errors[name] = [_("Give a date as YYYY-MM-DD.")]
        elif not FIRST_DAY <= day <= LAST_DAY:
            self.errors[name] = [within_registry_years_message()]
            day = None
        return day

    def timestamp(self, name: str) -> datetime.datetime | None:
        value = self.params.get(name)
        if value is None:
            return None
        try:
            # A "+" of an offset arrives as a space when the client did not encode it.
            moment = parse_datetime(value.replace(" ", "+"))
        except ValueError:
            moment = None
        if moment is None:
            self.errors[name] = [_("Give a timestamp as ISO 8601, e.g. 2016-11-16T09:00:00+09:00.")]
            return None
        moment = timezone.make_aware(moment) if timezone.is_naive(moment) else moment
        # PostgreSQL takes UTC offsets up to 15:59 only, Python's up to 23:59: compare in UTC.
        try:
            moment = moment.astimezone(datetime.UTC)
        except OverflowError:
            moment = None
        if moment is None or not FIRST_DAY <= moment.date() <= LAST_DAY:
            self.errors[name] = [within_registry_years_message()]
            return None
        return moment

    def check(self, name: str, problem: str | None):
        if problem:
            self.errors[name] = [problem]

    def merge(self, errors: dict):
        for name, reasons in errors.items():
            self.errors.setdefault(name, []).extend(str(reason) for reason in reasons)

    def raise_errors(self):
        if self.errors:
            raise exceptions.ValidationError(self.errors)


def query_values_not_blank(result, generator, request, public):
    """drf-spectacular postprocessing hook: every string query parameter needs a value (the API
    refuses a blank one, see Parameters)."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                schema = parameter.get("schema", {})
                if parameter["in"] == "query" and schema.get("type") == "string" and "enum" not in schema:
                    schema.setdefault("minLength", 1)
    return result


def within_registry_years_message() -> str:
    return _("Give a date from %(first)s to %(last)s.") % {"first": FIRST_DAY, "last": LAST_DAY}


def within_registry_years(day: datetime.date):
    """Validator of date parameters."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise serializers.ValidationError(within_registry_years_message())


def end_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))


class ClientView:
    """Authentication, permission, throttling, errors and ETags of every API view."""

    authentication_classes = [BearerTokenAuthentication]
    permission_classes = [ClientPermission]
    throttle_classes = [ClientRateThrottle]
    schema = RegistrySchema()

    @property
    def scope(self) -> Scope:
        return scope_of(self.request)

    @contextlib.contextmanager
    def acting(self):
        """One transaction for a write and the answer read back, attributed to the client's
        creator through the channel "api"; rolled back if the record would leave the scope."""
        with transaction.atomic(), audit.acting(channel=audit.Channel.API, user=self.request.auth.created_by):
            yield

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code in (status.HTTP_200_OK, status.HTTP_201_CREATED):
            tag = self.etag(response)
            response["ETag"] = tag
            if request.method in SAFE_METHODS and tag in _etags(request.headers.get("If-None-Match", "")):
                not_modified = Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
                response = super().finalize_response(request, not_modified, *args, **kwargs)
        # What a client sees depends on its token: no shared cache may serve it to another.
        patch_vary_headers(response, ["Authorization"])
        patch_cache_control(response, private=True)
        return response

    def etag(self, response) -> str:
        """The ETag of a record or a statistic: of its data, as If-Match is checked."""
        return etag_of(response.data)


# Pagination --------------------------------------------------------------------------------------


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


# Lists read as rows ------------------------------------------------------------------------------


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


# Resources ---------------------------------------------------------------------------------------

LIST_PARAMETERS = [
    OpenApiParameter(
        "as_of",
        datetime.date,
        description="The records in force that day (members active, centers and head offices open, societies "
        "in the union, programmes running), each as recorded at the end of that day.",
    ),
    OpenApiParameter(
        "updated_since",
        datetime.datetime,
        description="Only records changed at or after this moment (incremental sync; leaving and closing are changes).",
    ),
    OpenApiParameter("ordering", str, description="A field to order by, '-' for descending; ties by record."),
]


class ScopedChoicesMixin:
    """Narrows the choices of code fields to the client's scope: outside it, a code is unknown."""

    scoped_fields: dict = {}

    def get_fields(self):
        fields = super().get_fields()
        scope = scope_of(self.context["request"])
        for name, narrower in self.scoped_fields.items():
            if name in fields:
                fields[name].queryset = getattr(scope, narrower)(fields[name].queryset)
        return fields


SCOPE_OF_RELATED = {
    "union": "unions",
    "society": "societies",
    "head_office": "head_offices",
    "business_center": "centers",
}


def write_serializer(model, fields: list[str]) -> type[serializers.ModelSerializer]:
    """A serializer writing ``fields`` of ``model``, with related records named by their codes
    (the choices narrowed to the client's scope) and uniqueness left to the service (409)."""
    related = {}
    for name in fields:
        field = model._meta.get_field(name)
        if field.is_relation:
            related[name] = serializers.SlugRelatedField(
                slug_field="code",
                queryset=field.related_model.objects.all(),
                **({"allow_null": True, "required": False} if field.null else {}),
            )
    meta = type("Meta", (), {"model": model, "fields": fields, "validators": []})
    scoped = {name: SCOPE_OF_RELATED[name] for name in related if name in SCOPE_OF_RELATED}
    name = f"{model.__name__}{'Create' if 'code' in fields else 'Update'}Serializer"
    return type(
        name, (ScopedChoicesMixin, serializers.ModelSerializer), {**related, "Meta": meta, "scoped_fields": scoped}
    )


class WritableRecordsMixin:
    """Create and update through the registry's write primitives (record_create, record_update:
    validated, one transaction, history channel "api"), as the staff pages do. A viewset gives
    ``create_serializer`` and ``update_serializer`` (write_serializer); ``union_wide_writes``
    keeps the writes to clients whose scope is the whole union (as the browser keeps them to
    union administrators)."""

    create_serializer: type[serializers.Serializer]
    update_serializer: type[serializers.Serializer]
    union_wide_writes = False

    def __init_subclass__(cls, **kwargs):
        """Documents the bodies the writes take, not the serializer the records are read with."""
        super().__init_subclass__(**kwargs)
        if "create_serializer" in vars(cls):
            extend_schema_view(
                create=extend_schema(request=cls.create_serializer, responses={201: cls.serializer_class}),
                partial_update=extend_schema(request=cls.update_serializer, responses=cls.serializer_class),
            )(cls)

    def _require_union_wide(self):
        if self.union_wide_writes and (self.scope.society_id or self.scope.head_office_id):
            raise OutOfScope(_("Only a client whose scope is the whole union may change these records."))

    def create(self, request):
        self._require_union_wide()
        data = self.validated(self.create_serializer)
        with self.acting():
            record = record_create(self.model, **data)
            return self.represent(record, status.HTTP_201_CREATED)

    def partial_update(self, request, **kwargs):
        """Change the record's fields. Requires If-Match."""
        self._require_union_wide()
        record = self.get_object()
        version = self.require_current(record)
        data = self.validated(self.update_serializer, instance=record, partial=True)
        with self.acting():
            record = record_update(record, expected_version=version, **data)
            return self.represent(record)


class RecordViewSet(ClientView, GenericViewSet):
    """List and detail of one kind of record, addressed by code.

    Subclasses give ``model``, ``serializer_class``, ``filterset_class`` (or None), a
    ``records(scope)`` reading from the app's selectors, and ``ordering_fields``; detail lookup
    kwargs are turned into a queryset filter by ``lookup(kwargs)``."""

    model = None
    lookup_field = "code"
    filter_backends = [DjangoFilterBackend]
    pagination_class = KeysetPagination
    ordering_fields = ("code", "updated_at")
    history_related: tuple[str, ...] = ()  # select_related of the historical rows served by as_of

    def records(self, scope: Scope):
        raise NotImplementedError

    def get_queryset(self):
        return self.records(self.scope)

    def lookup(self, kwargs) -> dict:
        return {"code": kwargs["code"]}

    def ordering_of(self, request) -> tuple[str, bool]:
        value = request.query_params.get("ordering", self.ordering_fields[0])
        field = value.removeprefix("-")
        if field not in self.ordering_fields:
            field, value = self.ordering_fields[0], ""
        return field, value.startswith("-")

    def ordering_problem(self, request) -> str | None:
        value = request.query_params.get("ordering", self.ordering_fields[0])
        if value.removeprefix("-") not in self.ordering_fields:
            return _("Order by one of: %(fields)s.") % {"fields": ", ".join(self.ordering_fields)}
        return None

    def known_parameters(self, filterset) -> set[str]:
        known = {"as_of", "updated_since", "ordering", "cursor", "page_size", "format"}
        return known | set(filterset.filters) if filterset is not None else known

    def in_force(self, queryset, day: datetime.date):
        """The records of ``queryset`` in force on ``day`` (members active, centers open…)."""
        return queryset

    def as_of(self, queryset, day: datetime.date):
        """The records in force on ``day``, each as it was recorded at the end of that day, or
        as first recorded if it was entered later (data loaded or imported afterwards)."""
        history = self.model.history.model.objects
        end = end_of_day(day)
        same = {"id": OuterRef("id")}
        latest_by_then = Q(history_date__lt=end) & ~Exists(
            history.filter(**same, history_date__lt=end, history_date__gt=OuterRef("history_date"))
        )
        first_if_entered_later = ~Exists(history.filter(**same, history_date__lt=end)) & ~Exists(
            history.filter(**same, history_date__lt=OuterRef("history_date"))
        )
        return (
            history.filter(id__in=self.in_force(queryset, day).values("id"))
            .filter(latest_by_then | first_if_entered_later)
            .select_related(*self.history_related)
        )

    def page_context(self, ids: list[int], day: datetime.date | None) -> dict:
        """Extra serializer context for a page of records, by their ids (as of ``day`` if set)."""
        return {}

    @extend_schema(parameters=LIST_PARAMETERS)
    def list(self, request, *args, **kwargs):
        queryset = self.get_queryset()
        filterset = None
        if self.filterset_class is not None:
            filterset = self.filterset_class(request.query_params, queryset, request=request)
        parameters = Parameters(request)
        parameters.unknown(self.known_parameters(filterset))
        day = parameters.date("as_of")
        since = parameters.timestamp("updated_since")
        parameters.check("ordering", self.ordering_problem(request))
        if filterset is not None:
            if not filterset.is_valid():
                parameters.merge(filterset.errors)
            queryset = filterset.qs if not parameters.errors else queryset
        parameters.raise_errors()
        if since is not None:
            queryset = queryset.filter(updated_at__gte=since)
        if day is not None:
            queryset = self.as_of(queryset, day)
        context = {**self.get_serializer_context(), "as_of": day}
        plan = RowPlan.of(self.get_serializer(context=context))
        if plan is not None:
            queryset = plan.rows(queryset, self.ordering_of(request)[0])
        rows = self.paginate_queryset(queryset)
        # The serializer holds this very dict: the page's context joins it once the rows are read.
        context.update(self.page_context([row.id for row in rows], day))
        if plan is not None:
            return self.get_paginated_response(plan.represent(rows))
        return self.get_paginated_response(self.get_serializer(rows, many=True, context=context).data)

    @extend_schema(parameters=LIST_PARAMETERS[:1])
    def retrieve(self, request, *args, **kwargs):
        parameters = Parameters(request)
        parameters.unknown({"as_of", "format"})
        day = parameters.date("as_of")
        parameters.raise_errors()
        instance = self.get_object()
        if day is not None:
            instance = self.as_of(self.get_queryset().filter(pk=instance.pk), day).first()
            if instance is None:
                raise Http404
        return Response(self.get_serializer(instance, context=self._context(instance, day)).data)

    def get_object(self):
        instance = self.get_queryset().filter(**self.lookup(self.kwargs)).first()
        if instance is None:
            raise Http404
        return instance

    def etag(self, response) -> str:
        if self.action != "list":
            return super().etag(response)
        # A page is only compared with If-None-Match: its tag is that of its body, rendered here
        # once rather than written out as JSON a second time.
        response.render()
        return tag_of(response.content)

    def _context(self, instance, day):
        return {**self.get_serializer_context(), "as_of": day, **self.page_context([instance.id], day)}

    def get_serializer(self, *args, context=None, **kwargs):
        return self.get_serializer_class()(*args, context=context or self.get_serializer_context(), **kwargs)

    # Writes

    def require_current(self, instance) -> int:
        """The version the client edited, after checking If-Match against the record's ETag."""
        header = self.request.headers.get("If-Match")
        if not header:
            raise PreconditionRequired()
        current = etag_of(self.get_serializer(instance, context=self._context(instance, None)).data)
        if "*" not in _etags(header) and current not in _etags(header):
            raise PreconditionFailed()
        return instance.version

    def represent(self, instance, status_code=status.HTTP_200_OK):
        instance = self.get_queryset().filter(pk=instance.pk).first()
        if instance is None:
            raise OutOfScope(_("The record would lie outside this client's scope."))
        return Response(self.get_serializer(instance, context=self._context(instance, None)).data, status=status_code)

    def validated(self, serializer_class, *, instance=None, partial=False) -> dict:
        serializer = serializer_class(
            instance, data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        # The registry's checks of text and dates (jwcu.models.value_problem) run with each field's
        # own, so that one answer names every field refused. An action's date is checked as a
        # record's: it is stored in a field of another name, where the service's error would not
        # name the field the client sent.
        model = getattr(getattr(serializer_class, "Meta", None), "model", None)
        stored = {f.name: f for f in model._meta.concrete_fields} if model is not None else {}
        for field in serializer.fields.values():
            if field.source in stored:
                field.validators.append(value_checker(stored[field.source]))
            elif isinstance(field, serializers.DateField):
                field.validators.append(within_record_days)
        # A field this write cannot set is refused, not silently ignored.
        writable = {name for name, field in serializer.fields.items() if not field.read_only}
        if hasattr(self.request.data, "keys") and (unknown := sorted(set(self.request.data.keys()) - writable)):
            raise serializers.ValidationError({name: [_("This field cannot be set here.")] for name in unknown})
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class StatisticsView(ClientView, APIView):
    """A statistic: parameters are read by a serializer, figures come from reports.selectors."""

    parameters_class: type[serializers.Serializer]

    def parameters(self, request) -> dict:
        parameters = Parameters(request)
        serializer = self.parameters_class(data=request.query_params, context={"request": request})
        parameters.unknown(set(serializer.fields) | {"format"})
        if not serializer.is_valid():
            parameters.merge(serializer.errors)
        parameters.raise_errors()
        return serializer.validated_data


@csrf_exempt  # as DRF's views: API clients send tokens, not cookies; this view changes nothing
def not_found(request, *args, **kwargs):
    return JsonResponse({"errors": [{"field": None, "reason": _("Not found.")}]}, status=404)


# Fields every record's serializer shares.

RECORD_FIELDS = ["version", "created_at", "updated_at"]


def code_of(**kwargs):
    """A related record, by its code."""
    return serializers.SlugRelatedField(slug_field="code", read_only=True, **kwargs)
