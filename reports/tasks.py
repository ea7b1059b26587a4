"""Periodic work of the reports app: report files past their retention, the rollup's horizon."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jwcu.queue import background_task, periodic
from reports import rollup
from reports.services import report_jobs_purge


@periodic(every=datetime.timedelta(hours=1))
@background_task(label=_("Discard report files past their retention"))
def purge_report_jobs() -> int:
    return report_jobs_purge()


@periodic(every=datetime.timedelta(days=1))
@background_task(label=_("Move the membership rollup's horizon on"), timeout=datetime.timedelta(hours=2))
def extend_rollup_horizon() -> bool:
    """Rebuild the membership rollup (reports.rollup.rebuild: its month rows run two years past
    today) once its horizon is less than a year away. True if it was rebuilt."""
    horizon = rollup.horizon()
    if horizon is not None and horizon - timezone.localdate() > datetime.timedelta(days=365):
        return False
    rollup.rebuild()
    return True
