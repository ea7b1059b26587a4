"""The filters every dashboard and the annual report share: fiscal year or as-of date, society,
head office, prefecture, business line. They travel in the URL, so a view can be bookmarked."""

import datetime

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from businesses.models import AnnualFigures, BusinessLine, HeadOffice
from jwcu.filters import CodeFilter, ScopedFilterSet
from jwcu.fiscal import STATISTICS_DAYS, fiscal_year_bounds, fiscal_year_of
from jwcu.models import Prefecture
from members.models import MemberSociety
from reports.selectors import FilteredScope, filters_problem, narrowed_scope


class DashboardFilterForm(forms.Form):
    """The dashboards' filters, refused where they contradict each other (filters_problem)."""

    def clean(self):
        cleaned = super().clean()
        problem = filters_problem(society=cleaned.get("society"), head_office=cleaned.get("head_office"))
        for field, message in (problem or {}).items():
            self.add_error(field, message)
        return cleaned


class DashboardFilterSet(ScopedFilterSet):
    fiscal_year = django_filters.NumberFilter(label=_("Fiscal year"), method="keep", min_value=1900, max_value=2200)
    as_of = django_filters.DateFilter(
        label=_("As of"),
        method="keep",
        validators=[MinValueValidator(STATISTICS_DAYS[0]), MaxValueValidator(STATISTICS_DAYS[1])],
    )
    society = CodeFilter(queryset=MemberSociety.objects.all(), label=_("Society"), method="keep")
    head_office = CodeFilter(queryset=HeadOffice.objects.all(), label=_("Head office"), method="keep")
    prefecture = django_filters.ChoiceFilter(choices=Prefecture.choices, label=_("Prefecture"), method="keep")
    business_line = CodeFilter(queryset=BusinessLine.objects.all(), label=_("Business line"), method="keep")

    class Meta:
        model = MemberSociety
        fields = ["fiscal_year", "as_of", "society", "head_office", "prefecture", "business_line"]
        form = DashboardFilterForm

    def scoped_choices(self) -> dict:
        return {"society": self.scope.societies, "head_office": self.scope.head_offices}

    def keep(self, queryset, name, value):
        """The filters narrow statistics, not this FilterSet's queryset: see ``report_scope``."""
        return queryset

    @property
    def refused(self) -> bool:
        """Filters were given and some are wrong: no figure answers them (rather than figures
        of filters other than the ones asked for)."""
        return self.is_bound and not self.is_valid()

    def _cleaned(self) -> dict:
        return self.form.cleaned_data if self.is_valid() else {}

    def report_scope(self) -> FilteredScope:
        """The caller's scope narrowed by the filters (the choices are already within it)."""
        data = self._cleaned()
        return narrowed_scope(
            self.scope,
            society=data.get("society"),
            head_office=data.get("head_office"),
            prefecture=data.get("prefecture"),
            business_line=data.get("business_line"),
        )

    def period(self) -> tuple[int, datetime.date]:
        """The fiscal year and the as-of date of the counts: the year asked for, else the one of
        the as-of date, else the latest year with turnover figures; as of the year's last day
        unless a date is given."""
        data = self._cleaned()
        as_of = data.get("as_of")
        fiscal_year = data.get("fiscal_year")
        if fiscal_year is not None:
            fiscal_year = int(fiscal_year)
        elif as_of is not None:
            fiscal_year = fiscal_year_of(as_of)
        else:
            latest = AnnualFigures.objects.aggregate(year=Max("fiscal_year"))["year"]
            fiscal_year = latest or fiscal_year_of(datetime.date.today())
        return fiscal_year, as_of or fiscal_year_bounds(fiscal_year)[1]
