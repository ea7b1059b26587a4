"""FilterSets of societies, members and partners, shared by the browser lists and the API.

A FilterSet is built with the request; the choices of code filters and the inclusion filter
follow the caller's scope (jwcu.scope.scope_of).
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from businesses.models import BusinessCenter, BusinessLine, HeadOffice
from jwcu.filters import CodeFilter, ScopedFilterSet, SearchFilter
from jwcu.models import Prefecture
from members.models import (
    IloType,
    InclusionCategory,
    LegalForm,
    MemberSociety,
    Partner,
    PartnerLevel,
    PartnerRelation,
    Relationship,
    SocietyKind,
    WorkerMember,
)


class MemberSocietyFilterSet(ScopedFilterSet):
    q = SearchFilter(["code", "name", "name_ja"])
    kind = django_filters.ChoiceFilter(choices=SocietyKind.choices)
    legal_form = django_filters.ChoiceFilter(choices=LegalForm.choices)
    ilo_type = django_filters.ChoiceFilter(choices=IloType.choices)
    prefecture = django_filters.ChoiceFilter(choices=Prefecture.choices)
    active_on = django_filters.DateFilter(method="filter_active_on", label=_("Member of the union on"))

    class Meta:
        model = MemberSociety
        fields = ["q", "kind", "legal_form", "ilo_type", "prefecture", "active_on"]

    def filter_active_on(self, queryset, name, value):
        return queryset.in_union_on(value)


class WorkerMemberFilterSet(ScopedFilterSet):
    q = SearchFilter(
        [
            "member_number",
            "family_name",
            "given_name",
            "family_name_kana",
            "given_name_kana",
            "family_name_latin",
            "given_name_latin",
        ]
    )
    society = CodeFilter(queryset=MemberSociety.objects.all(), label=_("Society"))
    head_office = CodeFilter(
        field_name="business_center__head_office", queryset=HeadOffice.objects.all(), label=_("Head office")
    )
    business_center = CodeFilter(queryset=BusinessCenter.objects.all(), label=_("Business center"))
    prefecture = django_filters.ChoiceFilter(field_name="business_center__prefecture", choices=Prefecture.choices)
    business_line = CodeFilter(
        field_name="business_center__business_lines", queryset=BusinessLine.objects.all(), label=_("Business line")
    )
    relationship = django_filters.ChoiceFilter(choices=Relationship.choices)
    active_on = django_filters.DateFilter(method="filter_active_on", label=_("Active on"))
    inclusion_category = CodeFilter(
        field_name="inclusions__category",
        queryset=InclusionCategory.objects.all(),
        label=_("Inclusion category"),
        distinct=True,
    )

    class Meta:
        model = WorkerMember
        fields = [
            "q",
            "society",
            "head_office",
            "business_center",
            "prefecture",
            "business_line",
            "relationship",
            "active_on",
            "inclusion_category",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.scope.sensitive:
            # Without the sensitive-data permission the filter does not exist.
            del self.filters["inclusion_category"]

    def scoped_choices(self):
        return {
            "society": self.scope.societies,
            "head_office": self.scope.head_offices,
            "business_center": self.scope.centers,
        }

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value)


class PartnerFilterSet(ScopedFilterSet):
    q = SearchFilter(["code", "name", "name_ja", "abbreviation"])
    relation = django_filters.ChoiceFilter(choices=PartnerRelation.choices)
    level = django_filters.ChoiceFilter(choices=PartnerLevel.choices)

    class Meta:
        model = Partner
        fields = ["q", "relation", "level"]
