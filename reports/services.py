"""Writes of the reports app: recording a frozen export of the annual report, and building it
off the request (a task) for the annual report's page."""

import datetime
import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jwcu.queue import background_task, runs_of_jobs
from members.models import Union
from reports import annual_report
from reports.models import ReportExport, ReportJob

logger = logging.getLogger(__name__)


def annual_report_export(
    *,
    union: Union,
    fiscal_year: int,
    format: str,
    public: bool,
    as_of: datetime.date | None = None,
    user=None,
    file_name: str = "",
    progress: Callable[[str, int, int], None] = lambda step, done, total: None,
    on_recorded: Callable[[bytes, ReportExport], None] = lambda content, export: None,
) -> tuple[bytes, ReportExport]:
    """Build the report, render it, and record the export (options, digests). Returns the file's
    bytes and the record. ``progress(step, done, total)`` is called before each step;
    ``on_recorded(content, export)`` in the transaction that records the export (what hands the
    file out commits with its record, or neither does)."""
    # The sections first; once they are built, the charts to draw are known.
    total = len(annual_report.sections(union, fiscal_year, as_of or datetime.date.min, public)) + 1
    done = 0

    def advance(step: str):
        nonlocal done
        done += 1
        progress(step, done, total)

    report = annual_report.build(union=union, fiscal_year=fiscal_year, as_of=as_of, public=public, progress=advance)
    figures = annual_report.to_csv(report)
    if format == "pdf":
        total += sum(1 for section in report.sections for figure in section.figures if figure.chart)
        content = annual_report.to_pdf(report, progress=advance)
    else:
        advance(format.upper())
        content = annual_report.render(report, format)
    file_name = file_name or default_file_name(union=union, fiscal_year=fiscal_year, format=format, public=public)
    export = ReportExport(
        union=union,
        fiscal_year=fiscal_year,
        as_of=report.as_of,
        format=format,
        public=public,
        options=report.options | {"format": format},
        file_name=file_name,
        size=len(content),
        sha256=annual_report.sha256(content),
        figures_sha256=annual_report.sha256(figures),
        created_by=user if user is not None and user.is_authenticated else None,
    )
    export.full_clean()
    with transaction.atomic():
        export.save()
        on_recorded(content, export)
    return content, export


def default_file_name(*, union: Union, fiscal_year: int, format: str, public: bool) -> str:
    edition = "public" if public else "internal"
    return f"{union.code}-annual-report-fy{fiscal_year}-{edition}.{format}"


MAX_REPORTS_IN_PREPARATION = 3  # per user: each PDF keeps a worker busy for some seconds


def report_job_create(*, union: Union, fiscal_year: int, format: str, public: bool, user, language: str) -> ReportJob:
    """Ask for the report: a job, whose task a worker takes once this commits. The same report
    asked for again while it is prepared is that job (a form sent twice); a user may have
    MAX_REPORTS_IN_PREPARATION reports in preparation at once."""
    job = ReportJob(
        union=union, fiscal_year=fiscal_year, format=format, public=public, language=language, requested_by=user
    )
    job.full_clean()
    with transaction.atomic():
        # One request at a time per user: the checks below and the insert see each other's jobs.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        preparing = ReportJob.objects.filter(
            requested_by=user, status__in=[ReportJob.Status.QUEUED, ReportJob.Status.RUNNING]
        )
        same = preparing.filter(
            union=union, fiscal_year=fiscal_year, format=format, public=public, language=language
        ).first()
        if same is not None:
            return same
        if preparing.count() >= MAX_REPORTS_IN_PREPARATION:
            raise ValidationError(
                _("You have %(count)s reports in preparation; ask for another once one of them is ready.")
                % {"count": MAX_REPORTS_IN_PREPARATION}
            )
        report_jobs_purge()
        job.save()
        report_job_run.enqueue(job_id=str(job.pk))
    return job


def _report_job_failed(error: BaseException, *, job_id: str) -> None:
    message = _("The report could not be prepared; ask for it again. (%(error)s)")
    ReportJob.objects.filter(pk=job_id).exclude(status=ReportJob.Status.DONE).update(
        status=ReportJob.Status.FAILED,
        error=message % {"error": f"{type(error).__name__}: {error}"[:500]},
        finished_at=timezone.now(),
    )


@background_task(
    label=gettext_lazy("Annual report"),
    visible_to=runs_of_jobs(lambda scope: ReportJob.objects.filter(union_id=scope.union_id)),
    link=lambda kwargs: reverse("reports:report_job", args=[kwargs["job_id"]]),
    attempts=3,
    timeout=datetime.timedelta(minutes=15),
    on_give_up=_report_job_failed,
)
def report_job_run(*, job_id: str) -> None:
    """The task: build the job's report (annual_report_export), recording each step on the job;
    the export's record and the job's file commit together. A failed attempt is tried again
    (before that commit it wrote nothing but progress); one that fails for good is recorded on
    the job."""
    claimed = ReportJob.objects.filter(pk=job_id, status__in=[ReportJob.Status.QUEUED, ReportJob.Status.RUNNING])
    if not claimed.update(status=ReportJob.Status.RUNNING, started_at=timezone.now(), steps_done=0):
        return  # finished, failed or purged meanwhile
    job = ReportJob.objects.select_related("union", "requested_by").get(pk=job_id)

    def progress(step: str, done: int, total: int) -> None:
        ReportJob.objects.filter(pk=job_id).update(step=str(step)[:200], steps_done=done, steps_total=total)

    def done(content: bytes, export: ReportExport) -> None:
        ReportJob.objects.filter(pk=job_id).update(
            status=ReportJob.Status.DONE, content=content, export=export, finished_at=timezone.now(), error=""
        )

    with translation.override(job.language):
        annual_report_export(
            union=job.union,
            fiscal_year=job.fiscal_year,
            format=job.format,
            public=job.public,
            user=job.requested_by,
            progress=progress,
            on_recorded=done,
        )


def report_jobs_purge() -> int:
    """Discard the files of reports finished more than REPORT_FILE_RETENTION_HOURS ago (the
    recorded export, with its digests, stays). Returns the number of jobs deleted."""
    before = timezone.now() - datetime.timedelta(hours=settings.REPORT_FILE_RETENTION_HOURS)
    deleted, _by_model = ReportJob.objects.filter(finished_at__lt=before).delete()
    return deleted
