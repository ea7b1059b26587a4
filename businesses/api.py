"""API of head offices, business centers, business lines, programmes and annual figures.

Reads come from businesses/selectors.py filtered by businesses/filters.py; writes call
businesses/services.py (history channel "api")."""

from django.urls import path, re_path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action

from businesses import selectors, services
from businesses.filters import (
    AnnualFiguresFilterSet,
    BusinessCenterFilterSet,
    HeadOfficeFilterSet,
    ProgrammeFilterSet,
)
from businesses.models import AnnualFigures, BusinessCenter, BusinessLine, HeadOffice, Programme
from jwcu.api.views import (
    RECORD_FIELDS,
    RecordViewSet,
    ScopedChoicesMixin,
    WritableRecordsMixin,
    code_of,
    write_serializer,
)
from members.models import MemberSociety
from members.services import editable


class HeadOfficeSerializer(serializers.ModelSerializer):
    society = code_of()

    class Meta:
        model = HeadOffice
        fields = [*services.HEAD_OFFICE_FIELDS, "closed_on", *RECORD_FIELDS]


class BusinessLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = BusinessLine
        fields = ["code", "name", "name_ja", "description", "sdg_goals", "sort_order", *RECORD_FIELDS]


class BusinessLineCodesField(serializers.ListField):
    """The codes of a center's business lines. The API gives the page's in the context
    (BusinessCenterViewSet.page_context); without them, the center's own (prefetched by
    businesses.selectors.center_queryset)."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.CharField(), source="*", read_only=True, **kwargs)

    def to_representation(self, center):
        if "business_lines" in self.parent.context:
            return self.represent_id(center.id)
        return [line.code for line in center.business_lines.all()]

    def represent_id(self, center_id):
        return self.parent.context["business_lines"].get(center_id, [])


class BusinessCenterSerializer(serializers.ModelSerializer):
    society = code_of()
    head_office = code_of(allow_null=True)
    business_lines = BusinessLineCodesField()

    class Meta:
        model = BusinessCenter
        fields = ["code", "society", *services.CENTER_EDITABLE_FIELDS, "closed_on", *RECORD_FIELDS]


class BusinessCenterWriteSerializer(ScopedChoicesMixin, serializers.ModelSerializer):
    society = serializers.SlugRelatedField(slug_field="code", queryset=MemberSociety.objects.all())
    head_office = serializers.SlugRelatedField(
        slug_field="code", queryset=HeadOffice.objects.all(), allow_null=True, required=False
    )
    business_lines = serializers.SlugRelatedField(
        slug_field="code", queryset=BusinessLine.objects.all(), many=True, required=False
    )
    scoped_fields = {"society": "societies", "head_office": "head_offices"}

    class Meta:
        model = BusinessCenter
        fields = ["code", "society", *services.CENTER_EDITABLE_FIELDS]
        validators = []
        extra_kwargs = {"code": {"validators": []}}


class BusinessCenterUpdateSerializer(BusinessCenterWriteSerializer):
    class Meta(BusinessCenterWriteSerializer.Meta):
        fields = services.CENTER_EDITABLE_FIELDS


class CloseSerializer(serializers.Serializer):
    closed_on = serializers.DateField()


class ProgrammeSerializer(serializers.ModelSerializer):
    union = code_of()
    business_center = code_of(allow_null=True)

    class Meta:
        model = Programme
        fields = [*services.PROGRAMME_FIELDS, *RECORD_FIELDS]


class AnnualFiguresSerializer(serializers.ModelSerializer):
    society = code_of(allow_null=True)
    business_center = code_of(allow_null=True)

    class Meta:
        model = AnnualFigures
        fields = [
            "society",
            "business_center",
            "fiscal_year",
            "turnover_yen",
            "wages_yen",
            "surplus_yen",
            "source",
            *RECORD_FIELDS,
        ]


FIGURES = ["turnover_yen", "wages_yen", "surplus_yen", "source"]


class AnnualFiguresWriteSerializer(ScopedChoicesMixin, serializers.ModelSerializer):
    society = serializers.SlugRelatedField(
        slug_field="code", queryset=MemberSociety.objects.all(), allow_null=True, required=False
    )
    business_center = serializers.SlugRelatedField(
        slug_field="code", queryset=BusinessCenter.objects.all(), allow_null=True, required=False
    )
    scoped_fields = {"society": "societies", "business_center": "centers"}

    class Meta:
        model = AnnualFigures
        fields = ["society", "business_center", "fiscal_year", *FIGURES]
        validators = []


class AnnualFiguresCorrectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = AnnualFigures
        fields = FIGURES


class HeadOfficeViewSet(WritableRecordsMixin, RecordViewSet):
    model = HeadOffice
    create_serializer = write_serializer(HeadOffice, services.HEAD_OFFICE_FIELDS)
    update_serializer = write_serializer(HeadOffice, editable(services.HEAD_OFFICE_FIELDS))
    serializer_class = HeadOfficeSerializer
    filterset_class = HeadOfficeFilterSet
    history_related = ("society",)

    def records(self, scope):
        return selectors.head_office_queryset(scope=scope)

    def in_force(self, queryset, day):
        return queryset.open_on(day)

    @extend_schema(request=CloseSerializer, responses=HeadOfficeSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, code=None):
        """The head office closes on ``closed_on``. Requires If-Match."""
        head_office = self.get_object()
        version = self.require_current(head_office)
        data = self.validated(CloseSerializer)
        with self.acting():
            head_office = services.head_office_close(head_office, closed_on=data["closed_on"], expected_version=version)
            return self.represent(head_office)


class BusinessCenterViewSet(RecordViewSet):
    model = BusinessCenter
    serializer_class = BusinessCenterSerializer
    filterset_class = BusinessCenterFilterSet
    history_related = ("society", "head_office")

    def records(self, scope):
        # Business lines come with the page's context, for rows read as values as for records.
        return selectors.center_queryset(scope=scope).prefetch_related(None)

    def in_force(self, queryset, day):
        return queryset.open_on(day)

    def page_context(self, ids, day):
        # Links between centers and lines have no history: as of a day, the current ones.
        return {"business_lines": selectors.business_line_codes(center_ids=ids)}

    @extend_schema(request=BusinessCenterWriteSerializer, responses={201: BusinessCenterSerializer})
    def create(self, request):
        data = self.validated(BusinessCenterWriteSerializer)
        with self.acting():
            center = services.center_create(**data)
            return self.represent(center, status.HTTP_201_CREATED)

    @extend_schema(request=BusinessCenterUpdateSerializer, responses=BusinessCenterSerializer)
    def partial_update(self, request, code=None):
        """Change a center's fields. Requires If-Match."""
        center = self.get_object()
        version = self.require_current(center)
        data = self.validated(BusinessCenterUpdateSerializer, instance=center, partial=True)
        with self.acting():
            center = services.center_update(center, expected_version=version, **data)
            return self.represent(center)

    @extend_schema(request=CloseSerializer, responses=BusinessCenterSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, code=None):
        """The center closes on ``closed_on``. Requires If-Match."""
        center = self.get_object()
        version = self.require_current(center)
        data = self.validated(CloseSerializer)
        with self.acting():
            center = services.center_close(center, closed_on=data["closed_on"], expected_version=version)
            return self.represent(center)


class BusinessLineViewSet(RecordViewSet):
    model = BusinessLine
    serializer_class = BusinessLineSerializer
    filterset_class = None

    def records(self, scope):
        return selectors.business_line_queryset()


class ProgrammeViewSet(WritableRecordsMixin, RecordViewSet):
    model = Programme
    create_serializer = write_serializer(Programme, services.PROGRAMME_FIELDS)
    update_serializer = write_serializer(Programme, editable(services.PROGRAMME_FIELDS))
    serializer_class = ProgrammeSerializer
    filterset_class = ProgrammeFilterSet
    history_related = ("union", "business_center")

    def records(self, scope):
        return selectors.programme_queryset(scope=scope)

    def in_force(self, queryset, day):
        return queryset.running_on(day)


class AnnualFiguresViewSet(RecordViewSet):
    """Figures of one owner and fiscal year, addressed by the owner's kind and code."""

    model = AnnualFigures
    serializer_class = AnnualFiguresSerializer
    filterset_class = AnnualFiguresFilterSet
    ordering_fields = ("fiscal_year", "updated_at")
    history_related = ("society", "business_center")

    def records(self, scope):
        return selectors.annual_figures_queryset(scope=scope)

    def lookup(self, kwargs):
        owner = "society" if kwargs["owner"] == "society" else "business_center"
        return {f"{owner}__code": kwargs["code"], "fiscal_year": kwargs["fiscal_year"]}

    @extend_schema(request=AnnualFiguresWriteSerializer, responses={201: AnnualFiguresSerializer})
    def create(self, request):
        """Record a fiscal year's figures of a society or a center (409 if they exist: correct them)."""
        data = self.validated(AnnualFiguresWriteSerializer)
        with self.acting():
            figures = services.annual_figures_create(**data)
            return self.represent(figures, status.HTTP_201_CREATED)

    @extend_schema(request=AnnualFiguresCorrectionSerializer, responses=AnnualFiguresSerializer)
    def partial_update(self, request, **kwargs):
        """Correct recorded figures. Requires If-Match."""
        figures = self.get_object()
        version = self.require_current(figures)
        data = self.validated(AnnualFiguresCorrectionSerializer, instance=figures, partial=True)
        with self.acting():
            figures = services.annual_figures_correct(figures, expected_version=version, **data)
            return self.represent(figures)


def annual_figures_urls():
    return [
        path(
            "annual-figures/",
            AnnualFiguresViewSet.as_view({"get": "list", "post": "create"}),
            name="annual-figures-list",
        ),
        re_path(
            r"^annual-figures/(?P<owner>society|business-center)/(?P<code>[-a-z0-9]+)/(?P<fiscal_year>[0-9]{4})/$",
            AnnualFiguresViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
            name="annual-figures-detail",
        ),
    ]
