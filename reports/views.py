from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from reports.figures import DASHBOARDS, INCLUSION_DIMENSIONS
from reports.filters import DashboardFilterSet

NAVIGATION = [
    ("overview", _("Overview")),
    ("membership", _("Membership")),
    ("turnover", _("Turnover")),
    ("inclusion", _("Inclusion")),
    ("sdgs", _("SDGs")),
    ("act", _("Worker Cooperatives Act")),
]


@login_required
def dashboard(request, name: str = "overview"):
    if name not in DASHBOARDS:
        raise Http404
    filters = DashboardFilterSet(request.GET or None, request=request)
    fiscal_year, as_of = filters.period()
    board = DASHBOARDS[name](
        scope=filters.report_scope(), fiscal_year=fiscal_year, as_of=as_of, by=request.GET.get("by")
    )
    return render(
        request,
        "reports/dashboard.html",
        {
            "name": name,
            "navigation": NAVIGATION,
            "filters": filters,
            "fiscal_year": fiscal_year,
            "as_of": as_of,
            "dashboard": board,
            "inclusion_dimensions": INCLUSION_DIMENSIONS if name == "inclusion" else (),
        },
    )
