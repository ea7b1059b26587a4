from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jwcu.scope import Scope, scope_of
from members.models import Union
from reports import annual_report
from reports.figures import BY_LABELS, DASHBOARDS, INCLUSION_DIMENSIONS
from reports.filters import DashboardFilterSet
from reports.forms import AnnualReportForm
from reports.selectors import report_exports, report_jobs_visible
from reports.services import report_job_create

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
    board = None
    if not filters.refused:
        board = DASHBOARDS[name](
            scope=filters.report_scope(), fiscal_year=fiscal_year, as_of=as_of, by=request.GET.get("by")
        )
    return render(
        request,
        "reports/dashboard.html",
        {
            "name": name,
            "title": board.title if board else dict(NAVIGATION)[name],
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
            "jobs": list(report_jobs_visible(scope=scope, user=request.user).defer("content")[:10]),
        },
    )


@login_required
@require_POST
def annual_report_request(request):
    """Ask for the report: it is prepared by a worker; the job's page follows it."""
    scope = scope_of(request)
    form = AnnualReportForm(request.POST)
    union = Union.objects.filter(pk=scope.union_id).first() if scope.union_id else Union.objects.order_by("pk").first()
    if not form.is_valid() or union is None or scope.union_id == Scope.nothing().union_id:
        for name, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[name].label}: {error}" if name in form.fields else error)
        if union is None or scope.union_id == Scope.nothing().union_id:
            messages.error(request, gettext("No union is in your scope."))
        return redirect("reports:annual_report")
    try:
        job = report_job_create(
            union=union,
            fiscal_year=form.cleaned_data["fiscal_year"],
            format=form.cleaned_data["format"],
            public=form.cleaned_data["public"] or not scope.can_manage,
            user=request.user,
            language=get_language() or "en",
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("reports:annual_report")
    return redirect("reports:report_job", job.pk)


def _report_job(request, job_id, *, with_file: bool = False):
    """The job, if the user may see it (else 404); its file (some MB) only when asked for."""
    jobs = report_jobs_visible(scope=scope_of(request), user=request.user)
    job = (jobs if with_file else jobs.defer("content")).filter(pk=job_id).first()
    if job is None:
        raise Http404
    return job


def _job_progress_text(job) -> str:
    if job.status == job.Status.QUEUED:
        return gettext("Waiting to start…")
    if job.steps_total:
        return gettext("Step %(done)s of %(total)s: %(step)s") % {
            "done": job.steps_done,
            "total": job.steps_total,
            "step": job.step,
        }
    return gettext("Starting…")


@login_required
def report_job_page(request, job_id):
    job = _report_job(request, job_id)
    return render(
        request,
        "reports/report_job.html",
        {"navigation": NAVIGATION, "job": job, "progress_text": _job_progress_text(job)},
    )


@login_required
def report_job_status(request, job_id):
    """The job's progress as JSON, polled by its page (static/js/job_progress.js)."""
    job = _report_job(request, job_id)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "running": job.running,
            "done": job.steps_done,
            "total": job.steps_total,
            "progress_text": _job_progress_text(job),
        },
        headers={"Cache-Control": "no-store"},
    )


@login_required
def report_job_download(request, job_id):
    job = _report_job(request, job_id, with_file=True)
    if job.status != job.Status.DONE or job.content is None or job.export is None:
        raise Http404
    response = HttpResponse(bytes(job.content), content_type=annual_report.CONTENT_TYPES[job.format])
    response["Content-Disposition"] = f'attachment; filename="{job.export.file_name}"'
    response["X-Report-SHA256"] = job.export.sha256
    return response
