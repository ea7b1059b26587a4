"""The registry's background work: tasks queued in PostgreSQL and run by ``manage.py db_worker``.

The queue is Django's task framework (``django_tasks``, the backport of ``django.tasks``) with the
ORM backend of ``django_tasks_db``: enqueuing a task inserts a row in the transaction that asks
for it, so work is queued if and only if what asked for it commits, and workers on any number of
machines take rows with ``SELECT … FOR UPDATE SKIP LOCKED`` from the same database. Neither
library retries, bounds a task's time, runs anything on a schedule or notices a dead worker;
this module does, for every task of the registry:

- ``background_task()``: ids in, a service call out. A transient database failure (connection
  lost, deadlock, serialisation failure) enqueues the task again, after a backoff that quadruples
  with each attempt, up to ``attempts``; any other error fails the task at once, recorded with its
  traceback on the task's row. Every SQL statement of the task is bounded by ``timeout`` (the
  server cancels it), and in a worker the whole task too (an alarm in the worker's main thread).
- ``periodic()``: a task run every so often. ``manage.py run_scheduler`` (any number of them)
  enqueues each due run exactly once: a run is keyed by its task and its due time in
  ``ScheduledRun``, and only the transaction that inserts that key enqueues it.
- ``recover_abandoned()``, run by the scheduler: a run still "running" well past its timeout
  lost its worker (killed, restarted, out of memory). It is marked failed, and is tried again
  like a transient failure, or given up (``on_give_up``) once its attempts are spent.
"""

import dataclasses
import datetime
import functools
import logging
import signal
import threading
from collections.abc import Callable

from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import CharField, Q, Subquery
from django.db.models.functions import Cast
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from jwcu.models import ScheduledRun

logger = logging.getLogger(__name__)

EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


class TaskTimeout(Exception):
    """The task ran longer than its timeout."""


def _transient(error: BaseException) -> bool:
    """A failure a second attempt may not meet: the connection, a deadlock, a serialisation
    conflict. A statement cancelled by the timeout is not one (it would time out again)."""
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    return getattr(error.__cause__, "pgcode", None) != "57014"  # query_canceled


def backoff(attempt: int, base: datetime.timedelta) -> datetime.timedelta:
    """The wait before attempt ``attempt + 1``: base, 4 × base, 16 × base…"""
    return base * 4 ** (attempt - 1)


class _Timeout:
    """Bounds each statement (statement_timeout) and, in a worker's main thread outside a
    transaction, the whole task (SIGALRM)."""

    def __init__(self, seconds: float):
        self.seconds = seconds

    def __enter__(self):
        milliseconds = int(self.seconds * 1000)
        with connection.cursor() as cursor:
            # Inside a transaction (a task run at once, as in the tests) the limit ends with it.
            cursor.execute(
                "SELECT set_config('statement_timeout', %s, %s)", [str(milliseconds), connection.in_atomic_block]
            )
        self._alarm = threading.current_thread() is threading.main_thread() and not connection.in_atomic_block
        if self._alarm:
            signal.signal(signal.SIGALRM, self._expired)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def _expired(self, signum, frame):
        raise TaskTimeout(f"The task ran longer than {self.seconds:g} s.")

    def __exit__(self, *exc_info):
        if self._alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
        if not connection.in_atomic_block and connection.connection is not None:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("RESET statement_timeout")
            except (OperationalError, InterfaceError):
                connection.close()  # a broken connection: the next task opens a new one
        return False


@dataclasses.dataclass(frozen=True)
class TaskKind:
    """What the jobs page (jwcu.views.jobs_view) says of a task's runs: its name; which runs a
    union's administrators see (a Q on the runs, annotated with ``job_key``, the run's
    ``job_id`` argument as text; None: all of them, for work that holds no union's data); and
    the page of a run's job, from its arguments."""

    label: str
    visible_to: Callable | None = None
    link: Callable[[dict], str] | None = None
    task: Task | None = None
    attempts: int = 1
    retry_after: datetime.timedelta = datetime.timedelta(seconds=30)
    timeout: datetime.timedelta = datetime.timedelta(minutes=10)
    on_give_up: Callable[..., None] | None = None


TASK_KINDS: dict[str, TaskKind] = {}


def runs_of_jobs(jobs_of: Callable) -> Callable[..., Q]:
    """A TaskKind.visible_to for a task that takes a ``job_id``: the runs of the jobs that
    ``jobs_of(scope)`` (a queryset) holds."""

    def visible_to(scope) -> Q:
        keys = jobs_of(scope).annotate(key=Cast("pk", CharField())).values("key")
        return Q(job_key__in=Subquery(keys))

    return visible_to


ABANDONED_AFTER = datetime.timedelta(minutes=5)  # past a run's timeout, its worker is gone


def background_task(
    *,
    label: str,
    visible_to: Callable | None = None,
    link: Callable[[dict], str] | None = None,
    attempts: int = 3,
    retry_after: datetime.timedelta = datetime.timedelta(seconds=30),
    timeout: datetime.timedelta = datetime.timedelta(minutes=10),
    queue_name: str = "default",
    priority: int = 0,
    on_give_up: Callable[..., None] | None = None,
) -> Callable[[Callable], Task]:
    """Make ``function`` a task of the registry's queue (see the module's docstring), shown on the
    jobs page as ``label`` (see TaskKind). The task takes the function's keyword arguments (JSON
    values: ids, not objects) and ``attempt``.
    ``on_give_up(error, **kwargs)`` is called when the task fails for good (not when it will be
    tried again), to record the failure where its users look."""

    def decorate(function: Callable) -> Task:
        @functools.wraps(function)
        def run(*, attempt: int = 1, **kwargs):
            try:
                with _Timeout(timeout.total_seconds()):
                    return function(**kwargs)
            except Exception as error:
                if connection.connection is not None and not connection.in_atomic_block and not connection.is_usable():
                    connection.close()  # the next statement reconnects
                if attempt < attempts and _transient(error) and queued.get_backend().supports_defer:
                    wait = backoff(attempt, retry_after)
                    logger.warning("%s failed (%s); attempt %d in %s", function.__name__, error, attempt + 1, wait)
                    queued.using(run_after=timezone.now() + wait).enqueue(attempt=attempt + 1, **kwargs)
                elif on_give_up is not None:
                    on_give_up(error, **kwargs)
                raise

        queued = task(queue_name=queue_name, priority=priority)(run)
        TASK_KINDS[queued.module_path] = TaskKind(
            label, visible_to, link, queued, attempts, retry_after, timeout, on_give_up
        )
        return queued

    return decorate


@dataclasses.dataclass(frozen=True)
class Periodic:
    task: Task
    every: datetime.timedelta

    @property
    def name(self) -> str:
        return self.task.module_path

    def due_at(self, now: datetime.datetime) -> datetime.datetime:
        """The start of the period ``now`` falls in (periods counted from 2000-01-01 UTC)."""
        return EPOCH + self.every * ((now - EPOCH) // self.every)


SCHEDULE: list[Periodic] = []


def periodic(*, every: datetime.timedelta) -> Callable[[Task], Task]:
    """Run the task (a ``background_task``) once in each period of length ``every``."""

    def register(queued: Task) -> Task:
        SCHEDULE.append(Periodic(queued, every))
        return queued

    return register


def enqueue_due(now: datetime.datetime | None = None) -> list[str]:
    """Enqueue each periodic task whose current period has no run yet; the names enqueued.
    Safe to call from any number of schedulers at once: one of them enqueues each run."""
    now = now or timezone.now()
    enqueued = []
    for entry in SCHEDULE:
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(name=entry.name, due_at=entry.due_at(now))
                entry.task.enqueue()
        except IntegrityError:
            continue  # this period's run is already queued
        enqueued.append(entry.name)
    return enqueued


class WorkerLost(Exception):
    """The worker running the task stopped (killed, restarted) before the task finished."""


def recover_abandoned(now: datetime.datetime | None = None) -> int:
    """Fail the runs still marked running ABANDONED_AFTER past their timeout (their worker is
    gone: a live one would have stopped them at the timeout), then try each again, as after a
    transient failure, or give it up once its attempts are spent. Safe beside other schedulers:
    each run is taken under a row lock that skips the ones another has taken. The number failed."""
    now = now or timezone.now()
    recovered = 0
    for path, kind in TASK_KINDS.items():
        with transaction.atomic():
            lost = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
                task_path=path, status="RUNNING", started_at__lt=now - kind.timeout - ABANDONED_AFTER
            )
            for run in lost:
                error = WorkerLost(
                    f"The worker stopped while running this task (started {run.started_at:%Y-%m-%d %H:%M})."
                )
                run.set_failed(error)
                kwargs = dict(run.args_kwargs.get("kwargs", {}))
                attempt = kwargs.pop("attempt", 1)
                if attempt < kind.attempts:
                    wait = backoff(attempt, kind.retry_after)
                    kind.task.using(run_after=now + wait).enqueue(attempt=attempt + 1, **kwargs)
                elif kind.on_give_up is not None:
                    kind.on_give_up(error, **kwargs)
                recovered += 1
    return recovered
