"""The views every app's api.py builds on: a client's view (scope, acting as the client,
conditional answers), the record ViewSet (lists with filters, as_of, updated_since and keyset
pages; details; writes through the services), and the statistics' view."""

import contextlib
import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from jwcu import audit
from jwcu.api.auth import BearerTokenAuthentication, ClientPermission, ClientRateThrottle
from jwcu.api.conditional import etag_of, etags_in, tag_of
from jwcu.api.errors import PreconditionFailed, PreconditionRequired
from jwcu.api.pagination import KeysetPagination
from jwcu.api.parameters import Parameters, end_of_day
from jwcu.api.rows import RowPlan
from jwcu.api.schema import RegistrySchema
from jwcu.models import value_checker, within_record_days
from jwcu.scope import OutOfScope, Scope, scope_of
from jwcu.services import record_create, record_update


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
            if request.method in SAFE_METHODS and tag in etags_in(request.headers.get("If-None-Match", "")):
                not_modified = Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
                response = super().finalize_response(request, not_modified, *args, **kwargs)
        # What a client sees depends on its token: no shared cache may serve it to another.
        patch_vary_headers(response, ["Authorization"])
        patch_cache_control(response, private=True)
        return response

    def etag(self, response) -> str:
        """The ETag of a record or a statistic: of its data, as If-Match is checked."""
        return etag_of(response.data)


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
        if "*" not in etags_in(header) and current not in etags_in(header):
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


RECORD_FIELDS = ["version", "created_at", "updated_at"]


def code_of(**kwargs):
    """A related record, by its code."""
    return serializers.SlugRelatedField(slug_field="code", read_only=True, **kwargs)
