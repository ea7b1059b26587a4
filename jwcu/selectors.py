"""Reads of the project's own records: import jobs."""

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from jwcu.models import ImportJob
from jwcu.scope import Scope


def import_jobs_visible(*, scope: Scope, user, kind: str) -> QuerySet:
    """The import jobs of ``kind`` that ``user`` may see: their own, and a union administrator
    those of their union. The file itself is not loaded; ``has_file`` tells whether it is kept."""
    jobs = (
        ImportJob.objects.filter(kind=kind)
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
