"""API of the statistics: membership, turnover and inclusion, computed by reports.selectors in
the client's scope, narrowed by the same filters as the lists (society, head office,
prefecture, business line). Inclusion figures leave without disclosure control only for
clients with the sensitive flag."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from businesses.models import BusinessLine, HeadOffice
from jwcu.api.parameters import within_registry_years
from jwcu.api.views import StatisticsView
from jwcu.models import Prefecture
from jwcu.scope import scope_of
from members.models import MemberSociety
from reports import selectors
from reports.disclosure import published_inclusion


class FilterParameters(serializers.Serializer):
    """The filters every statistic takes; codes outside the client's scope are unknown."""

    society = serializers.SlugRelatedField(slug_field="code", queryset=MemberSociety.objects.all(), required=False)
    head_office = serializers.SlugRelatedField(slug_field="code", queryset=HeadOffice.objects.all(), required=False)
    prefecture = serializers.ChoiceField(choices=Prefecture.choices, required=False)
    business_line = serializers.SlugRelatedField(slug_field="code", queryset=BusinessLine.objects.all(), required=False)

    def get_fields(self):
        fields = super().get_fields()
        scope = scope_of(self.context["request"])
        fields["society"].queryset = scope.societies(fields["society"].queryset)
        fields["head_office"].queryset = scope.head_offices(fields["head_office"].queryset.select_related("society"))
        return fields

    def validate(self, attrs):
        problem = selectors.filters_problem(society=attrs.get("society"), head_office=attrs.get("head_office"))
        if problem:
            raise serializers.ValidationError(problem)
        return attrs


def narrowed(request, parameters: dict):
    """The client's scope narrowed by the statistic's filters."""
    return selectors.narrowed_scope(
        scope_of(request),
        society=parameters.get("society"),
        head_office=parameters.get("head_office"),
        prefecture=parameters.get("prefecture"),
        business_line=parameters.get("business_line"),
    )


class MembershipParameters(FilterParameters):
    as_of = serializers.DateField(validators=[within_registry_years])


class TurnoverParameters(FilterParameters):
    fiscal_year = serializers.IntegerField(min_value=1900, max_value=2200)


class InclusionParameters(FilterParameters):
    as_of = serializers.DateField(validators=[within_registry_years])
    group_by = serializers.ChoiceField(choices=["society", "head_office", "business_center", "business_line"])


# Shapes of the answers, for the schema.


class GroupSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True, help_text="Code of the group (prefecture: JIS code); null: none")
    label = serializers.CharField(allow_null=True)


class SocietyMembershipSerializer(GroupSerializer):
    individual_members = serializers.IntegerField()
    worker_members = serializers.IntegerField()


class GroupMembershipSerializer(GroupSerializer):
    worker_members = serializers.IntegerField()


class MembershipStatisticsSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    individual_members = serializers.IntegerField()
    worker_members = serializers.IntegerField()
    member_societies = serializers.IntegerField()
    business_centers = serializers.IntegerField()
    by_society = SocietyMembershipSerializer(many=True)
    by_head_office = GroupMembershipSerializer(many=True)
    by_prefecture = GroupMembershipSerializer(many=True)


class TurnoverRowSerializer(GroupSerializer):
    turnover_yen = serializers.IntegerField()


class TurnoverStatisticsSerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField()
    turnover_yen = serializers.IntegerField(allow_null=True, help_text="null: no figures reported for the year")
    by_society = TurnoverRowSerializer(many=True)
    by_head_office = TurnoverRowSerializer(many=True)
    by_business_line = TurnoverRowSerializer(many=True)


class InclusionCellSerializer(serializers.Serializer):
    category = serializers.CharField(help_text="elderly (60+), youth (under 35) or an inclusion category code")
    count = serializers.IntegerField(allow_null=True)
    share = serializers.FloatField(allow_null=True, help_text="count / active_members")
    suppressed = serializers.BooleanField(help_text="A count from 1 to 4, or one hidden so it cannot be derived")


class InclusionTotalSerializer(serializers.Serializer):
    active_members = serializers.IntegerField()
    categories = InclusionCellSerializer(many=True)


class InclusionGroupSerializer(GroupSerializer, InclusionTotalSerializer):
    pass


class InclusionStatisticsSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    group_by = serializers.CharField()
    controlled = serializers.BooleanField(help_text="Disclosure control applied (client without the sensitive flag)")
    groups = InclusionGroupSerializer(many=True)
    total = InclusionTotalSerializer(
        required=False, help_text="Over the groups; given only when the groups partition the people"
    )


class MembershipView(StatisticsView):
    parameters_class = MembershipParameters

    @extend_schema(
        parameters=[MembershipParameters], responses=MembershipStatisticsSerializer, operation_id="stats_membership"
    )
    def get(self, request):
        """Members, societies and centers on ``as_of``, by society, head office and prefecture."""
        parameters = self.parameters(request)
        scope = narrowed(request, parameters)
        overview = selectors.membership_overview(scope=scope, as_of=parameters["as_of"])
        return Response({"as_of": parameters["as_of"], **overview})


class TurnoverView(StatisticsView):
    parameters_class = TurnoverParameters

    @extend_schema(
        parameters=[TurnoverParameters], responses=TurnoverStatisticsSerializer, operation_id="stats_turnover"
    )
    def get(self, request):
        """Turnover in yen of ``fiscal_year``, in total and by society, head office and business line."""
        parameters = self.parameters(request)
        scope = narrowed(request, parameters)
        year = parameters["fiscal_year"]
        return Response(
            {
                "fiscal_year": year,
                "turnover_yen": selectors.turnover_total(scope=scope, fiscal_year=year),
                **{
                    f"by_{by}": selectors.turnover_by(scope=scope, fiscal_year=year, by=by)
                    for by in ("society", "head_office", "business_line")
                },
            }
        )


class InclusionView(StatisticsView):
    parameters_class = InclusionParameters

    @extend_schema(
        parameters=[InclusionParameters], responses=InclusionStatisticsSerializer, operation_id="stats_inclusion"
    )
    def get(self, request):
        """Active members and, per inclusion category (elderly 60+ and youth under 35 first), the
        count and share on ``as_of`` per group. Without the sensitive flag, counts from 1 to 4
        are suppressed, with a complementary cell so that none can be worked out from totals."""
        parameters = self.parameters(request)
        scope = narrowed(request, parameters)
        result = selectors.inclusion_by(scope=scope, as_of=parameters["as_of"], by=parameters["group_by"])
        controlled = not scope.sensitive
        return Response(
            {
                "as_of": parameters["as_of"],
                "group_by": parameters["group_by"],
                "controlled": controlled,
                **published_inclusion(result, controlled=controlled),
            }
        )


def urls():
    return [
        path("stats/membership/", MembershipView.as_view(), name="stats-membership"),
        path("stats/turnover/", TurnoverView.as_view(), name="stats-turnover"),
        path("stats/inclusion/", InclusionView.as_view(), name="stats-inclusion"),
    ]
