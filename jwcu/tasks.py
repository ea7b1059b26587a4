"""The kernel's periodic work: purging import jobs and finished tasks (jwcu.queue)."""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from jwcu.import_jobs import import_jobs_purge
from jwcu.models import ScheduledRun
from jwcu.queue import background_task, periodic


@periodic(every=datetime.timedelta(hours=1))
@background_task(label=_("Delete import jobs past their retention"))
def purge_import_jobs() -> int:
    """Import jobs past IMPORT_JOB_RETENTION_DAYS, and the files of expired checks."""
    return import_jobs_purge()


@periodic(every=datetime.timedelta(days=1))
@background_task(label=_("Delete finished tasks past their retention"))
def prune_finished_tasks() -> int:
    """Finished tasks and scheduled runs older than TASK_RETENTION_DAYS."""
    before = timezone.now() - datetime.timedelta(days=settings.TASK_RETENTION_DAYS)
    deleted, _by_model = DBTaskResult.objects.finished().filter(finished_at__lt=before).delete()
    ScheduledRun.objects.filter(due_at__lt=before).delete()
    return deleted
