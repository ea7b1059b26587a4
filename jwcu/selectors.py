"""Reads of the kernel's own records: import jobs and background tasks."""

import functools
import operator

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.db.models.fields.json import KT
from django_tasks_db.models import DBTaskResult

from jwcu.models import ImportJob
from jwcu.queue import TASK_KINDS
from jwcu.scope import Scope


def import_jobs_visible(*, scope: Scope, user, kind: str | None = None) -> QuerySet:
    """The import jobs (of ``kind``, if given) that ``user`` may see: their own, and a union
    administrator those of their union. The file itself is not loaded; ``has_file`` tells
    whether it is kept."""
    jobs = (
        ImportJob.objects.filter(**({"kind": kind} if kind else {}))
        .defer("file")
        .annotate(has_file=ExpressionWrapper(Q(file__isnull=False), output_field=BooleanField()))
        .select_related("user", "society")
    )
    if scope.can_manage and scope.union_id is None:
        return jobs
    visible = Q(user=user)
    if scope.can_manage:
        visible |= Q(union_id=scope.union_id)
    return jobs.filter(visible)


def import_jobs_recent(*, scope: Scope, user, kind: str, limit: int = 5) -> list[ImportJob]:
    """The latest jobs ``user`` uploaded."""
    return list(import_jobs_visible(scope=scope, user=user, kind=kind).filter(user=user)[:limit])


def tasks_visible(*, scope: Scope, status: str | None = None) -> QuerySet[DBTaskResult]:
    """The background tasks' runs a union administrator may see, latest first: every run of
    the work that holds no union's data (purges, the rollup), and the runs of their union's
    jobs (TaskKind.visible_to); everything for a registry-wide administrator. Nothing for
    other roles."""
    runs = DBTaskResult.objects.annotate(job_key=KT("args_kwargs__kwargs__job_id")).order_by("-enqueued_at")
    if status:
        runs = runs.filter(status=status)
    if not scope.can_manage:
        return runs.none()
    if scope.union_id is None:
        return runs
    shared = [path for path, kind in TASK_KINDS.items() if kind.visible_to is None]
    own = [Q(task_path=path) & kind.visible_to(scope) for path, kind in TASK_KINDS.items() if kind.visible_to]
    return runs.filter(functools.reduce(operator.or_, own, Q(task_path__in=shared)))
