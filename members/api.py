"""API of unions, societies, worker members and partners: serializers and viewsets.

Reads come from members/selectors.py filtered by members/filters.py; writes call
members/services.py (history channel "api")."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action

from businesses.models import BusinessCenter
from jwcu.api.views import (
    RECORD_FIELDS,
    RecordViewSet,
    ScopedChoicesMixin,
    WritableRecordsMixin,
    code_of,
    write_serializer,
)
from jwcu.scope import scope_of
from members import selectors, services
from members.filters import MemberSocietyFilterSet, PartnerFilterSet, WorkerMemberFilterSet
from members.models import LeaveReason, MemberInclusion, MemberSociety, Partner, Union, WorkerMember


def website():
    # A plain string: the schema of a blank URL field matches "" twice (oneOf), which is invalid.
    return serializers.CharField(read_only=True)


class UnionSerializer(serializers.ModelSerializer):
    website = website()

    class Meta:
        model = Union
        fields = ["code", "name", "name_ja", "established_on", "website", "notes", *RECORD_FIELDS]


class SocietySerializer(serializers.ModelSerializer):
    union = code_of()
    website = website()

    class Meta:
        model = MemberSociety
        fields = [*services.SOCIETY_FIELDS, "left_union_on", *RECORD_FIELDS]


class SocietyLeaveSerializer(serializers.Serializer):
    left_on = serializers.DateField()


class PartnerSerializer(serializers.ModelSerializer):
    union = code_of()
    website = website()

    class Meta:
        model = Partner
        fields = [*services.PARTNER_FIELDS, *RECORD_FIELDS]


class InclusionSerializer(serializers.ModelSerializer):
    category = code_of()

    class Meta:
        model = MemberInclusion
        fields = ["category", "since", "ended_on", "certificate_held"]


class HeldInclusionsField(serializers.ListField):
    """A member's inclusion records: all of them, or as of the day the request asks for.
    Optional in the schema: absent for clients without the sensitive flag.

    The API gives the page's records in the context (MemberViewSet.page_context); without them,
    the member's own (prefetched by members.selectors.member_queryset)."""

    def __init__(self, **kwargs):
        super().__init__(child=InclusionSerializer(), source="*", required=False, **kwargs)

    def to_representation(self, member):
        if "inclusions" in self.parent.context:
            return self.represent_id(member.id)
        return [self.child.to_representation(inclusion) for inclusion in member.inclusions.all()]

    def represent_id(self, member_id):
        held = self.parent.context["inclusions"].get(member_id, [])
        return [self.child.to_representation(inclusion) for inclusion in held]


class MemberSerializer(serializers.ModelSerializer):
    """A person; ``inclusions`` (APPI special care-required information) only for clients with
    the sensitive flag."""

    society = code_of()
    business_center = code_of(allow_null=True)
    inclusions = HeldInclusionsField()

    class Meta:
        model = WorkerMember
        fields = [
            "society",
            "member_number",
            "business_center",
            *services.MEMBER_EDITABLE_FIELDS,
            "left_on",
            "leave_reason",
            *RECORD_FIELDS,
            "inclusions",
        ]

    def get_fields(self):
        fields = super().get_fields()
        request, view = self.context.get("request"), self.context.get("view")
        documenting = getattr(view, "swagger_fake_view", False)  # drf-spectacular builds the schema
        if not documenting and (request is None or not scope_of(request).sensitive):
            del fields["inclusions"]
        return fields


class MemberWriteSerializer(ScopedChoicesMixin, serializers.ModelSerializer):
    society = serializers.SlugRelatedField(slug_field="code", queryset=MemberSociety.objects.all())
    business_center = serializers.SlugRelatedField(
        slug_field="code", queryset=BusinessCenter.objects.all(), allow_null=True, required=False
    )
    scoped_fields = {"society": "societies", "business_center": "centers"}

    class Meta:
        model = WorkerMember
        fields = ["society", "member_number", "business_center", *services.MEMBER_EDITABLE_FIELDS]
        # Uniqueness is the service's (409), not the serializer's.
        validators = []


class MemberUpdateSerializer(MemberWriteSerializer):
    class Meta(MemberWriteSerializer.Meta):
        fields = services.MEMBER_EDITABLE_FIELDS


class MemberMoveSerializer(ScopedChoicesMixin, serializers.Serializer):
    business_center = serializers.SlugRelatedField(slug_field="code", queryset=BusinessCenter.objects.all())
    moved_on = serializers.DateField()
    scoped_fields = {"business_center": "centers"}


class MemberLeaveSerializer(serializers.Serializer):
    left_on = serializers.DateField()
    reason = serializers.ChoiceField(choices=LeaveReason.choices)


class UnionViewSet(RecordViewSet):
    model = Union
    serializer_class = UnionSerializer
    filterset_class = None

    def records(self, scope):
        return selectors.union_queryset(scope=scope)


class SocietyViewSet(WritableRecordsMixin, RecordViewSet):
    model = MemberSociety
    create_serializer = write_serializer(MemberSociety, services.SOCIETY_FIELDS)
    update_serializer = write_serializer(MemberSociety, services.editable(services.SOCIETY_FIELDS))
    union_wide_writes = True
    serializer_class = SocietySerializer
    filterset_class = MemberSocietyFilterSet
    history_related = ("union",)

    def records(self, scope):
        return selectors.society_queryset(scope=scope)

    def in_force(self, queryset, day):
        return queryset.in_union_on(day)

    @extend_schema(request=SocietyLeaveSerializer, responses=SocietySerializer)
    @action(detail=True, methods=["post"])
    def leave(self, request, code=None):
        """The society leaves the union on ``left_on``: for clients whose scope is the whole union
        only (as the page is for union administrators only). Requires If-Match."""
        self._require_union_wide()
        society = self.get_object()
        version = self.require_current(society)
        data = self.validated(SocietyLeaveSerializer)
        with self.acting():
            society = services.society_leave_union(society, left_on=data["left_on"], expected_version=version)
            return self.represent(society)


class PartnerViewSet(WritableRecordsMixin, RecordViewSet):
    model = Partner
    create_serializer = write_serializer(Partner, services.PARTNER_FIELDS)
    update_serializer = write_serializer(Partner, services.editable(services.PARTNER_FIELDS))
    union_wide_writes = True
    serializer_class = PartnerSerializer
    filterset_class = PartnerFilterSet
    history_related = ("union",)

    def records(self, scope):
        return selectors.partner_queryset(scope=scope)


class MemberViewSet(RecordViewSet):
    """People, addressed by society code and member number."""

    model = WorkerMember
    serializer_class = MemberSerializer
    filterset_class = WorkerMemberFilterSet
    ordering_fields = ("member_number", "updated_at")
    history_related = ("society", "business_center")

    def records(self, scope):
        # Inclusion records come with the page's context, for rows read as values as for records.
        return selectors.member_queryset(scope=scope).prefetch_related(None)

    def in_force(self, queryset, day):
        return queryset.active_on(day)

    def lookup(self, kwargs):
        return {"society__code": kwargs["society"], "member_number": kwargs["member_number"]}

    def page_context(self, ids, day):
        if not self.scope.sensitive:
            return {}
        return {"inclusions": selectors.member_inclusions(member_ids=ids, day=day)}

    @extend_schema(request=MemberWriteSerializer, responses={201: MemberSerializer})
    def create(self, request):
        data = self.validated(MemberWriteSerializer)
        with self.acting():
            member = services.member_create(**data)
            return self.represent(member, status.HTTP_201_CREATED)

    @extend_schema(request=MemberUpdateSerializer, responses=MemberSerializer)
    def partial_update(self, request, **kwargs):
        """Change a member's fields. Requires If-Match."""
        member = self.get_object()
        version = self.require_current(member)
        data = self.validated(MemberUpdateSerializer, instance=member, partial=True)
        with self.acting():
            member = services.member_update(member, expected_version=version, **data)
            return self.represent(member)

    @extend_schema(request=MemberMoveSerializer, responses=MemberSerializer)
    def move(self, request, **kwargs):
        """The member works at ``business_center`` from ``moved_on``; the period at the previous
        center is kept. Requires If-Match."""
        member = self.get_object()
        version = self.require_current(member)
        data = self.validated(MemberMoveSerializer)
        with self.acting():
            member = services.member_move(
                member, business_center=data["business_center"], moved_on=data["moved_on"], expected_version=version
            )
            return self.represent(member)

    @extend_schema(request=MemberLeaveSerializer, responses=MemberSerializer)
    def leave(self, request, **kwargs):
        """The member leaves on ``left_on`` for ``reason``. Requires If-Match."""
        member = self.get_object()
        version = self.require_current(member)
        data = self.validated(MemberLeaveSerializer)
        with self.acting():
            member = services.member_leave(
                member, left_on=data["left_on"], reason=data["reason"], expected_version=version
            )
            return self.represent(member)


def member_urls():
    detail = "members/<slug:society>/<str:member_number>/"
    return [
        path("members/", MemberViewSet.as_view({"get": "list", "post": "create"}), name="member-list"),
        path(detail, MemberViewSet.as_view({"get": "retrieve", "patch": "partial_update"}), name="member-detail"),
        path(f"{detail}move/", MemberViewSet.as_view({"post": "move"}), name="member-move"),
        path(f"{detail}leave/", MemberViewSet.as_view({"post": "leave"}), name="member-leave"),
    ]
