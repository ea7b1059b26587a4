"""Reads of head offices, business centers, programmes and annual figures, narrowed to the
caller's scope (see members/selectors.py)."""

from django.db.models import QuerySet

from businesses.models import AnnualFigures, BusinessCenter, BusinessLine, HeadOffice, Programme
from jwcu.scope import Scope


def head_office_queryset(*, scope: Scope) -> QuerySet[HeadOffice]:
    return scope.head_offices(HeadOffice.objects.select_related("society"))


def center_queryset(*, scope: Scope) -> QuerySet[BusinessCenter]:
    return scope.centers(
        BusinessCenter.objects.select_related("society", "head_office").prefetch_related("business_lines")
    )


def business_line_queryset() -> QuerySet[BusinessLine]:
    """Business lines are the union's shared vocabulary: every scope sees them all."""
    return BusinessLine.objects.all()


def programme_queryset(*, scope: Scope) -> QuerySet[Programme]:
    return scope.programmes(Programme.objects.select_related("union", "business_center"))


def annual_figures_queryset(*, scope: Scope) -> QuerySet[AnnualFigures]:
    return scope.annual_figures(AnnualFigures.objects.select_related("society", "business_center"))


def business_line_codes(*, center_ids: list[int]) -> dict[int, list[str]]:
    """The codes of the business lines of these centers, by center id, in one query."""
    links = BusinessCenter.business_lines.through.objects.filter(businesscenter__in=center_ids)
    codes: dict[int, list[str]] = {}
    for center_id, code in links.order_by("businessline__sort_order", "businessline__code").values_list(
        "businesscenter_id", "businessline__code"
    ):
        codes.setdefault(center_id, []).append(code)
    return codes


def annual_figures_of(*, scope: Scope, society=None, business_center=None) -> QuerySet[AnnualFigures]:
    """The figures reported by one society or one center, newest year first."""
    owner = {"society": society} if society is not None else {"business_center": business_center}
    return annual_figures_queryset(scope=scope).filter(**owner).order_by("-fiscal_year")
