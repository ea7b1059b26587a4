from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from jwcu.scope import Scope, scope_of
from members.models import Union
from reports import annual_report
from reports.figures import BY_LABELS, DASHBOARDS, INCLUSION_DIMENSIONS
from reports.filters import DashboardFilterSet
from reports.forms import AnnualReportForm
from reports.selectors import report_exports
from reports.services import annual_report_export

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
            "inclusion_dimensions": [(by, BY_LABELS[by]) for by in INCLUSION_DIMENSIONS] if name == "inclusion" else [],
        },
    )


@login_required
def annual_report_page(request):
    """The download form: administrators choose the edition; everyone else gets the public one."""
    filters = DashboardFilterSet(request.GET or None, request=request)
    fiscal_year, _as_of = filters.period()
    scope = scope_of(request)
    return render(
        request,
        "reports/annual_report.html",
        {
            "navigation": NAVIGATION,
            "fiscal_year": fiscal_year,
            "can_manage": scope.can_manage,
            "formats": annual_report.FORMATS,
            "exports": report_exports(scope=scope),
        },
    )


@login_required
def annual_report_download(request):
    scope = scope_of(request)
    form = AnnualReportForm(request.GET)
    if not form.is_valid() or scope.union_id == Scope.nothing().union_id:
        return HttpResponseBadRequest(form.errors.as_text() or "No union in your scope.")
    union = Union.objects.filter(pk=scope.union_id).first() if scope.union_id else Union.objects.order_by("pk").first()
    if union is None:
        raise Http404
    public = form.cleaned_data["public"] or not scope.can_manage
    content, export = annual_report_export(
        union=union,
        fiscal_year=form.cleaned_data["fiscal_year"],
        format=form.cleaned_data["format"],
        public=public,
        user=request.user,
    )
    response = HttpResponse(content, content_type=annual_report.CONTENT_TYPES[export.format])
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    response["X-Report-SHA256"] = export.sha256
    return response
