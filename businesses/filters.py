"""FilterSets of head offices, business centers and programmes, shared by the browser and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from businesses.models import (
    AnnualFigures,
    BusinessCenter,
    BusinessLine,
    Funder,
    HeadOffice,
    Programme,
    ProgrammeKind,
    Region,
)
from jwcu.filters import CodeFilter, ScopedFilterSet, SearchFilter
from jwcu.models import Prefecture
from members.models import MemberSociety


class HeadOfficeFilterSet(ScopedFilterSet):
    q = SearchFilter(["code", "name", "name_ja"])
    society = CodeFilter(queryset=MemberSociety.objects.all(), label=_("Society"))
    region = django_filters.ChoiceFilter(choices=Region.choices)
    prefecture = django_filters.ChoiceFilter(choices=Prefecture.choices)
    open_on = django_filters.DateFilter(method="filter_open_on", label=_("Open on"))

    class Meta:
        model = HeadOffice
        fields = ["q", "society", "region", "prefecture", "open_on"]

    def scoped_choices(self):
        return {"society": self.scope.societies}

    def filter_open_on(self, queryset, name, value):
        return queryset.open_on(value)


class BusinessCenterFilterSet(ScopedFilterSet):
    q = SearchFilter(["code", "name", "name_ja", "municipality"])
    society = CodeFilter(queryset=MemberSociety.objects.all(), label=_("Society"))
    head_office = CodeFilter(queryset=HeadOffice.objects.all(), label=_("Head office"))
    prefecture = django_filters.ChoiceFilter(choices=Prefecture.choices)
    business_line = CodeFilter(
        field_name="business_lines", queryset=BusinessLine.objects.all(), label=_("Business line")
    )
    open_on = django_filters.DateFilter(method="filter_open_on", label=_("Open on"))
    # A choice rather than a BooleanFilter, whose widget silently ignores values it cannot read.
    featured = django_filters.TypedChoiceFilter(
        choices=[("true", _("Yes")), ("false", _("No"))], coerce=lambda value: value == "true", label=_("Featured case")
    )

    class Meta:
        model = BusinessCenter
        fields = ["q", "society", "head_office", "prefecture", "business_line", "open_on", "featured"]

    def scoped_choices(self):
        return {"society": self.scope.societies, "head_office": self.scope.head_offices}

    def filter_open_on(self, queryset, name, value):
        return queryset.open_on(value)


class ProgrammeFilterSet(ScopedFilterSet):
    q = SearchFilter(["code", "name", "name_ja", "commissioning_body", "municipality"])
    kind = django_filters.ChoiceFilter(choices=ProgrammeKind.choices)
    funder = django_filters.ChoiceFilter(choices=Funder.choices)
    society = CodeFilter(
        field_name="business_center__society", queryset=MemberSociety.objects.all(), label=_("Society")
    )
    head_office = CodeFilter(
        field_name="business_center__head_office", queryset=HeadOffice.objects.all(), label=_("Head office")
    )
    business_center = CodeFilter(queryset=BusinessCenter.objects.all(), label=_("Business center"))
    running_on = django_filters.DateFilter(method="filter_running_on", label=_("Running on"))

    class Meta:
        model = Programme
        fields = ["q", "kind", "funder", "society", "head_office", "business_center", "running_on"]

    def scoped_choices(self):
        return {
            "society": self.scope.societies,
            "head_office": self.scope.head_offices,
            "business_center": self.scope.centers,
        }

    def filter_running_on(self, queryset, name, value):
        return queryset.running_on(value)


class AnnualFiguresFilterSet(ScopedFilterSet):
    society = CodeFilter(queryset=MemberSociety.objects.all(), label=_("Society"))
    business_center = CodeFilter(queryset=BusinessCenter.objects.all(), label=_("Business center"))
    fiscal_year = django_filters.NumberFilter(min_value=1900, max_value=2200)

    class Meta:
        model = AnnualFigures
        fields = ["society", "business_center", "fiscal_year"]

    def scoped_choices(self):
        return {"society": self.scope.societies, "business_center": self.scope.centers}
