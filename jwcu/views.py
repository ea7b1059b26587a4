"""The staff pages' machinery: one list, detail, form, close and history page per record type.

Each app describes its record types (members/views.py, businesses/views.py): the scoped
selector the pages start from, the FilterSet, the forms and the services they call. These views
parse input, call a selector or a service, and render; the rules live in the services.
"""

import datetime
import mimetypes
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet, TextField
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from jwcu import display, selectors
from jwcu.forms import ImportForm, RecordForm, RoleAssignmentForm, ScopedForm, add_service_error
from jwcu.import_jobs import import_job_confirm, import_job_create, import_job_fail_if_stale
from jwcu.imports import Layout, write_template
from jwcu.models import RoleAssignment
from jwcu.queue import TASK_KINDS
from jwcu.scope import OutOfScope, Scope, scope_of
from jwcu.services import (
    StaleRecordError,
    record_at_version,
    record_create,
    record_update,
    role_assign,
    staff_account_create,
    within_scope,
)

PAGE_SIZE = 25


@dataclass(frozen=True)
class Action:
    """A change that is not an edit (a member leaves, a center closes): a form and a service
    called as ``service(record, expected_version=..., **cleaned_data)``."""

    name: str
    label: str
    form: type[ScopedForm]
    service: Callable
    available: Callable[[Model], bool] = lambda record: True
    permission: str = "write"  # or "manage"


@dataclass(frozen=True)
class RecordType:
    key: str
    model: type[Model]
    queryset: Callable[[Scope], QuerySet]
    filterset: type
    form: type[RecordForm]
    columns: list[str]
    sort_fields: list[str]
    default_sort: str
    detail_fields: list[str]
    edit_form: type[RecordForm] | None = None
    lookup: dict[str, str] = field(default_factory=lambda: {"code": "code"})  # URL kwarg -> field path
    create: Callable | None = None  # (data) -> record
    update: Callable | None = None  # (record, expected_version, data) -> record
    actions: tuple[Action, ...] = ()
    related_history: Callable | None = None  # (record, scope) -> [historical querysets]
    create_permission: str = "write"  # or "manage"
    edit_permission: str = "write"
    detail_extra: Callable | None = None  # (record, scope) -> extra context of the detail page
    detail_template: str = "registry/detail.html"

    @property
    def title(self):
        return self.model._meta.verbose_name_plural

    def url_kwargs(self, record) -> dict:
        kwargs = {}
        for kwarg, path_ in self.lookup.items():
            value = record
            for part in path_.split("__"):
                value = getattr(value, part)
            kwargs[kwarg] = value
        return kwargs

    def url(self, name: str, record=None) -> str:
        return reverse(f"{self.key}-{name}", kwargs=self.url_kwargs(record) if record is not None else None)

    def get(self, scope: Scope, kwargs: dict):
        """The record named by the URL, or 404 when it is outside the scope."""
        return get_object_or_404(self.queryset(scope=scope), **{self.lookup[k]: v for k, v in kwargs.items()})

    def do_create(self, data):
        return (self.create or (lambda values: record_create(self.model, **values)))(data)

    def do_update(self, record, expected_version, data):
        if self.update is not None:
            return self.update(record, expected_version, data)
        return record_update(record, expected_version=expected_version, **data)


def bound(view, **fixed):
    """``view`` with some arguments fixed. They are not passed as path() extra kwargs, which
    would end up in the resolved match and stop the language switch from reversing the URL."""

    def page(request, **kwargs):
        return view(request, **fixed, **kwargs)

    return page


def record_urls(record_type: RecordType) -> list:
    key = record_type.key
    item = "/".join(f"<str:{kwarg}>" for kwarg in record_type.lookup)
    pages = [
        path(f"{key}/", bound(list_view, record_type=record_type), name=f"{key}-list"),
        path(f"{key}/new/", bound(form_view, record_type=record_type), name=f"{key}-create"),
        path(f"{key}/{item}/", bound(detail_view, record_type=record_type), name=f"{key}-detail"),
        path(f"{key}/{item}/edit/", bound(form_view, record_type=record_type), name=f"{key}-edit"),
        path(f"{key}/{item}/history/", bound(history_view, record_type=record_type), name=f"{key}-history"),
    ]
    pages += [
        path(
            f"{key}/{item}/{action.name}/",
            bound(action_view, record_type=record_type, action=action),
            name=f"{key}-{action.name}",
        )
        for action in record_type.actions
    ]
    return pages


def _allowed(scope: Scope, permission: str) -> bool:
    return scope.can_manage if permission == "manage" else scope.can_write


def _require(scope: Scope, permission: str):
    try:
        scope.require_manage() if permission == "manage" else scope.require_write()
    except OutOfScope as error:
        raise PermissionDenied(str(error)) from error


def _sort(request, record_type: RecordType) -> str:
    sort = request.GET.get("sort", "")
    return sort if sort.lstrip("-") in record_type.sort_fields else record_type.default_sort


@login_required
def list_view(request, record_type: RecordType):
    scope = scope_of(request)
    filterset = record_type.filterset(request.GET or None, queryset=record_type.queryset(scope=scope), request=request)
    for choice in filterset.form.fields.values():
        if hasattr(choice, "queryset"):
            choice.label_from_instance = display.name_of
    queryset = filterset.qs if not filterset.is_bound or filterset.is_valid() else filterset.queryset.none()
    sort = _sort(request, record_type)
    page = Paginator(queryset.order_by(sort, "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    model = record_type.model
    columns = [
        {
            "name": name,
            "label": display.field_label(model, name),
            "sort": name if name in record_type.sort_fields else None,
            "current": sort.lstrip("-") == name,
            "descending": sort.startswith("-"),
        }
        for name in record_type.columns
    ]
    rows = [
        {
            "url": record_type.url("detail", record),
            "cells": [display.value(record, name) for name in record_type.columns],
        }
        for record in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    return render(
        request,
        [f"{model._meta.app_label}/{model._meta.model_name}_list.html", "registry/list.html"],
        {
            "record_type": record_type,
            "filter_form": filterset.form,
            "columns": columns,
            "rows": rows,
            "page": page,
            "sort": sort,
            "query": query.urlencode(),
            "sort_query": sort_query.urlencode(),
            "can_create": _allowed(scope, record_type.create_permission),
            "create_url": record_type.url("create"),
        },
    )


def _actions(record_type: RecordType, record, scope: Scope) -> list[dict]:
    return [
        {"label": action.label, "url": record_type.url(action.name, record)}
        for action in record_type.actions
        if _allowed(scope, action.permission) and action.available(record)
    ]


@login_required
def detail_view(request, record_type: RecordType, **kwargs):
    scope = scope_of(request)
    record = record_type.get(scope, kwargs)
    fields = [
        {
            "label": display.field_label(record_type.model, name),
            "value": display.value(record, name),
            "wide": isinstance(record_type.model._meta.get_field(name), TextField),
        }
        for name in record_type.detail_fields
    ]
    return render(
        request,
        record_type.detail_template,
        {
            "record_type": record_type,
            "record": record,
            "fields": fields,
            "scope": scope,
            "can_edit": _allowed(scope, record_type.edit_permission),
            "actions": _actions(record_type, record, scope),
            "edit_url": record_type.url("edit", record),
            "history_url": record_type.url("history", record),
            **(record_type.detail_extra(record, scope) if record_type.detail_extra else {}),
        },
    )


def _stale_changes(record_type: RecordType, error: StaleRecordError) -> list[dict]:
    model = record_type.model
    return [
        {
            "label": display.field_label(model, name),
            "yours": _history_value(model._meta.get_field(name), before),
            "theirs": _history_value(model._meta.get_field(name), after),
        }
        for name, (before, after) in error.changed_fields.items()
        if name not in {"created_at"}
    ]


@login_required
def form_view(request, record_type: RecordType, **kwargs):
    scope = scope_of(request)
    record = record_type.get(scope, kwargs) if kwargs else None
    _require(scope, record_type.edit_permission if record is not None else record_type.create_permission)
    form_class = (record_type.edit_form or record_type.form) if record is not None else record_type.form
    form = form_class(request.POST or None, instance=record, scope=scope)
    stale = None
    if request.method == "POST" and form.is_valid():
        data = form.changes()
        try:
            if record is None:
                saved = within_scope(scope, lambda: record_type.do_create(data))
            else:
                version = form.cleaned_data["version"]
                base = record_at_version(record, version)
                saved = within_scope(scope, lambda: record_type.do_update(base, version, data))
        except StaleRecordError as error:
            stale = _stale_changes(record_type, error)
            form.data = form.data.copy()
            form.data["version"] = error.current.version
        except ValidationError as error:
            add_service_error(form, error)
        except OutOfScope as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(record)s was saved.") % {"record": saved})
            return redirect(record_type.url("detail", saved))
    return render(
        request,
        [f"{record_type.model._meta.app_label}/{record_type.model._meta.model_name}_form.html", "registry/form.html"],
        {
            "record_type": record_type,
            "record": record,
            "form": form,
            "stale": stale,
            "heading": _("Edit: %(record)s") % {"record": display.name_of(record)}
            if record
            else _("Add: %(kind)s") % {"kind": record_type.model._meta.verbose_name},
            "cancel_url": record_type.url("detail", record) if record else record_type.url("list"),
        },
    )


@login_required
def action_view(request, record_type: RecordType, action: Action, **kwargs):
    scope = scope_of(request)
    record = record_type.get(scope, kwargs)
    _require(scope, action.permission)
    if not action.available(record):
        raise Http404
    form = action.form(request.POST or None, scope=scope, initial={"version": record.version}, record=record)
    stale = None
    if request.method == "POST" and form.is_valid():
        values = form.service_values()
        version = form.cleaned_data["version"]
        try:
            saved = within_scope(
                scope, lambda: action.service(record_at_version(record, version), expected_version=version, **values)
            )
        except StaleRecordError as error:
            stale = _stale_changes(record_type, error)
            form.data = form.data.copy()
            form.data["version"] = error.current.version
        except ValidationError as error:
            add_service_error(form, error)
        except OutOfScope as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(record)s was saved.") % {"record": saved})
            return redirect(record_type.url("detail", saved))
    return render(
        request,
        "registry/form.html",
        {
            "record_type": record_type,
            "record": record,
            "form": form,
            "stale": stale,
            "heading": f"{action.label}: {display.name_of(record)}",
            "cancel_url": record_type.url("detail", record),
        },
    )


# History


def _history_value(model_field, raw, names=None) -> str:
    if raw is None or raw == "":
        return ""
    if model_field.is_relation:
        return (names or {}).get((model_field.related_model, raw), str(raw))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(raw, raw))
    return display.plain(raw, model_field)


def _history_entries(rows: list) -> list[dict]:
    """Each historical row with its field-by-field differences from the previous one of the
    same record (rows of one record are compared in order; no query per row)."""
    ignored = {"version", "created_at", "updated_at", "id"}
    previous_of, entries = {}, []
    for row in sorted(rows, key=lambda r: (r.history_date, r.history_id)):
        previous = previous_of.get((type(row), row.id))
        changes = []
        if previous is not None:
            delta = row.diff_against(previous, foreign_keys_are_objs=False)
            changes = [(c.field, c.old, c.new) for c in delta.changes if c.field not in ignored]
        else:
            changes = [
                (f.attname if f.is_relation else f.name, None, getattr(row, f.attname))
                for f in row.instance_type._meta.concrete_fields
                if f.name not in ignored and getattr(row, f.attname) not in (None, "", [])
            ]
        previous_of[(type(row), row.id)] = row
        entries.append({"row": row, "raw_changes": changes, "model": row.instance_type})
    return entries


def _resolve_names(entries: list[dict]) -> dict:
    """Names of the related records the changes point at: one query per related model."""
    wanted: dict = {}
    for entry in entries:
        for name, old, new in entry["raw_changes"]:
            model_field = _field_by_attname(entry["model"], name)
            if model_field.is_relation:
                wanted.setdefault(model_field.related_model, set()).update(v for v in (old, new) if v is not None)
    names = {}
    for model, ids in wanted.items():
        for obj in model._default_manager.filter(pk__in=ids):
            names[(model, obj.pk)] = str(obj)
    return names


def _field_by_attname(model, name):
    for model_field in model._meta.concrete_fields:
        if name in (model_field.name, model_field.attname):
            return model_field
    return model._meta.get_field(name)


def history_timeline(record, scope: Scope, related: Callable | None = None) -> list[dict]:
    rows = list(record.history.select_related("history_user"))
    for queryset in related(record, scope) if related else []:
        rows += list(queryset.select_related("history_user"))
    entries = _history_entries(rows)
    names = _resolve_names(entries)
    for entry in entries:
        model = entry["model"]
        entry["changes"] = [
            {
                "label": str(_field_by_attname(model, name).verbose_name),
                "old": _history_value(_field_by_attname(model, name), old, names),
                "new": _history_value(_field_by_attname(model, name), new, names),
            }
            for name, old, new in entry["raw_changes"]
        ]
        entry["subject"] = model._meta.verbose_name if model is not type(record) else ""
    entries.reverse()
    return entries


HISTORY_TYPE = {"+": gettext_lazy("Created"), "~": gettext_lazy("Changed"), "-": gettext_lazy("Deleted")}


@login_required
def history_view(request, record_type: RecordType, **kwargs):
    scope = scope_of(request)
    record = record_type.get(scope, kwargs)
    entries = history_timeline(record, scope, record_type.related_history)
    for entry in entries:
        entry["kind"] = HISTORY_TYPE[entry["row"].history_type]
    as_of, as_of_fields, as_of_error = request.GET.get("as_of", ""), None, None
    if as_of:
        try:
            day = datetime.date.fromisoformat(as_of)
        except ValueError:
            as_of_error = _("Enter a valid date.")
        else:
            moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))
            try:
                past = record.history.as_of(moment)
            except record_type.model.DoesNotExist:
                as_of_error = _("The record did not exist yet on that date.")
            else:
                as_of_fields = [
                    {"label": display.field_label(record_type.model, name), "value": _as_of_value(past, name)}
                    for name in record_type.detail_fields
                    if not record_type.model._meta.get_field(name).many_to_many
                ]
    return render(
        request,
        "registry/history.html",
        {
            "record_type": record_type,
            "record": record,
            "entries": entries,
            "as_of": as_of,
            "as_of_fields": as_of_fields,
            "as_of_error": as_of_error,
            "detail_url": record_type.url("detail", record),
        },
    )


def _as_of_value(past, name: str) -> str:
    try:
        return display.value(past, name)
    except Model.DoesNotExist:
        return ""


@login_required
def home_view(request, record_types: list[RecordType]):
    scope = scope_of(request)
    return render(
        request,
        "registry/home.html",
        {"record_types": [(rt.title, rt.url("list")) for rt in record_types], "scope": scope},
    )


# Roles


@login_required
def roles_view(request):
    scope = scope_of(request)
    _require(scope, "manage")
    posted = request.POST.get("form") if request.method == "POST" else None
    form = RoleAssignmentForm(request.POST if posted == "role" else None, scope=scope)
    account_form = UserCreationForm(request.POST if posted == "account" else None, prefix="account")
    if posted == "role" and form.is_valid():
        try:
            role_assign(**form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The role of %(user)s was saved.") % {"user": form.cleaned_data["user"]})
            return redirect("roles")
    if posted == "account" and account_form.is_valid():
        try:
            user = staff_account_create(
                username=account_form.cleaned_data["username"], password=account_form.cleaned_data["password1"]
            )
        except ValidationError as error:
            add_service_error(account_form, error)
        else:
            messages.success(request, _("The account %(user)s was created; now give it a role.") % {"user": user})
            return redirect("roles")
    assignments = RoleAssignment.objects.select_related("user", "union", "society", "head_office").order_by(
        "user__username"
    )
    if scope.union_id is not None:
        assignments = assignments.filter(union_id=scope.union_id)
    return render(request, "jwcu/roles.html", {"form": form, "account_form": account_form, "assignments": assignments})


# Background work: the runs of the registry's tasks, for its administrators.

TASK_STATUSES = {
    "READY": gettext_lazy("Waiting"),
    "RUNNING": gettext_lazy("Running"),
    "SUCCESSFUL": gettext_lazy("Done"),
    "FAILED": gettext_lazy("Failed"),
}
JOBS_PAGE_SIZE = 50


def _task_row(run, scope: Scope) -> dict:
    """A run as the jobs page shows it. A failed run's error: its last line, where the run is
    of the viewer's own union's job or the viewer sees every union; for the shared work (which
    reads every union's records, and whose error may quote one) the kind of error only."""
    kind = TASK_KINDS.get(run.task_path)
    kwargs = (run.args_kwargs or {}).get("kwargs", {})
    error = ""
    if run.status == "FAILED" and run.traceback:
        own = scope.union_id is None or (kind is not None and kind.visible_to is not None)
        error = run.traceback.strip().splitlines()[-1][:300] if own else run.exception_class_path.rsplit(".", 1)[-1]
    return {
        "run": run,
        "label": kind.label if kind else run.task_path,
        "status": TASK_STATUSES.get(run.status, run.status),
        "attempt": kwargs.get("attempt", 1),
        "link": kind.link(kwargs) if kind and kind.link and "job_id" in kwargs else None,
        "seconds": (run.finished_at - run.started_at).total_seconds() if run.finished_at and run.started_at else None,
        "error": error,
    }


@login_required
def jobs_view(request):
    """The runs of the background tasks an administrator may see (selectors.tasks_visible),
    latest first, by status; 50 a page, in a fixed number of queries."""
    scope = scope_of(request)
    _require(scope, "manage")
    status = request.GET.get("status", "")
    if status not in TASK_STATUSES:
        status = ""
    runs = selectors.tasks_visible(scope=scope, status=status or None).defer("return_value")
    page = Paginator(runs, JOBS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "jwcu/jobs.html",
        {
            "page": page,
            "rows": [_task_row(run, scope) for run in page],
            "status": status,
            "statuses": list(TASK_STATUSES.items()),
        },
    )


@login_required
def import_job_redirect_view(request, job_id):
    """An import job's page, from its id alone (the jobs page links there)."""
    scope = scope_of(request)
    job = selectors.import_jobs_visible(scope=scope, user=request.user).filter(pk=job_id).first()
    if job is None:
        raise Http404
    return redirect(f"{job.kind}-import-job", job_id=job.pk)


# Import pages: upload a file; its check runs off the request (an import job) while the page shows
# its progress; then every problem, or what importing it would do; the owner confirms; the import
# runs, and the page shows what was written. One page per kind of record (members, centers).


@dataclass(frozen=True)
class ImportPage:
    kind: str  # an ImportJob.Kind
    record_type: RecordType
    title: str
    form: type[ImportForm]
    layout: Callable[[], Layout]  # the columns of the template files
    template_example: Callable[[Scope], dict] = lambda scope: {}  # the example row's codes

    def url(self, name: str, job=None) -> str:
        suffix = {"upload": "", "template": "-template", "job": "-job", "status": "-status"}[name]
        return reverse(f"{self.record_type.key}-import{suffix}", kwargs={"job_id": job.pk} if job else None)

    def template_url(self, file_format: str) -> str:
        return reverse(f"{self.record_type.key}-import-template", kwargs={"file_format": file_format})


TEMPLATE_FORMATS = ("csv", "xlsx")


def import_urls(page: ImportPage) -> list:
    """The page's URLs; listed before the record type's own, whose detail URLs would match."""
    key = page.record_type.key
    return [
        path(f"{key}/import/", bound(import_upload_view, page=page), name=f"{key}-import"),
        path(
            f"{key}/import/template.<str:file_format>",
            bound(import_template_view, page=page),
            name=f"{key}-import-template",
        ),
        path(f"{key}/import/<uuid:job_id>/", bound(import_job_view, page=page), name=f"{key}-import-job"),
        path(f"{key}/import/<uuid:job_id>/status/", bound(import_status_view, page=page), name=f"{key}-import-status"),
    ]


def _import_scope(request) -> Scope:
    scope = scope_of(request)
    try:
        scope.require_import()
    except OutOfScope as error:
        raise PermissionDenied(str(error)) from error
    return scope


def _import_job(request, scope: Scope, page: ImportPage, job_id):
    """The job, if the user may see it (else 404); given up if its worker has died."""
    job = selectors.import_jobs_visible(scope=scope, user=request.user, kind=page.kind).filter(pk=job_id).first()
    if job is None:
        raise Http404
    return import_job_fail_if_stale(job)


@login_required
def import_upload_view(request, page: ImportPage):
    scope = _import_scope(request)
    form = page.form(request.POST or None, request.FILES or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        job = import_job_create(
            kind=page.kind,
            user=request.user,
            scope=scope,
            upload=form.cleaned_data["file"],
            language=get_language() or settings.LANGUAGE_CODE,
            **form.job_options(),
        )
        return redirect(page.url("job", job))
    jobs = [
        import_job_fail_if_stale(job)
        for job in selectors.import_jobs_recent(scope=scope, user=request.user, kind=page.kind)
    ]
    return render(
        request,
        "registry/import.html",
        {
            "page": page,
            "form": form,
            "templates": [(file_format, page.template_url(file_format)) for file_format in TEMPLATE_FORMATS],
            "jobs": [(job, page.url("job", job)) for job in jobs],
        },
    )


def _progress_text(job) -> str:
    if job.status == job.Status.QUEUED:
        return _("Waiting to start…")
    if job.rows_total:
        return _("%(processed)s of about %(total)s rows") % {
            "processed": number_format(job.rows_processed, force_grouping=True),
            "total": number_format(job.rows_total, force_grouping=True),
        }
    return _("%(processed)s rows") % {"processed": number_format(job.rows_processed, force_grouping=True)}


def _import_sample(page: ImportPage, job) -> list[dict]:
    """The first rows of the file, what importing them does and, for the records that exist, a
    link from their key cells to their page."""
    states = {"created": _("new"), "updated": _("changed"), "unchanged": _("unchanged")}
    key_columns = set(job.preview.get("key_columns", []))
    sample = []
    for row in job.preview.get("rows", []):
        exists = job.status == job.Status.DONE or row["state"] != "created"
        url = reverse(f"{page.record_type.key}-detail", args=row["key"]) if exists else None
        sample.append(
            {
                "row": row["row"],
                "state": states[row["state"]],
                "cells": [(text, url if at in key_columns else None) for at, text in enumerate(row["cells"])],
            }
        )
    return sample


def _import_counts(job) -> dict[str, str]:
    return {
        name: number_format(getattr(job, name) or 0, force_grouping=True)
        for name in ("rows_total", "created_count", "updated_count", "unchanged_count")
    }


@login_required
def import_job_view(request, page: ImportPage, job_id):
    scope = _import_scope(request)
    job = _import_job(request, scope, page, job_id)
    if request.method == "POST":
        if job.user_id != request.user.pk:
            messages.error(
                request,
                _("Only %(user)s, who uploaded the file, may import it.") % {"user": job.user.get_username()},
            )
        elif not import_job_confirm(job, user=request.user):
            messages.error(
                request, _("This file cannot be imported: it was imported already, or its check has expired.")
            )
        return redirect(page.url("job", job))
    list_url = page.record_type.url("list")
    if job.society_id:
        list_url += "?" + urlencode({"society": job.society.code})
    return render(
        request,
        "registry/import_job.html",
        {
            "page": page,
            "job": job,
            "status_url": page.url("status", job),
            "progress_text": _progress_text(job),
            "sample": _import_sample(page, job),
            "counts": _import_counts(job),
            "can_confirm": job.status == job.Status.CHECKED
            and not job.problem_count
            and job.has_file
            and job.user_id == request.user.pk,
            "expired": job.status == job.Status.CHECKED and not job.problem_count and not job.has_file,
            "list_url": list_url,
            "upload_url": page.url("upload"),
        },
    )


@login_required
def import_status_view(request, page: ImportPage, job_id):
    """The job's progress as JSON, polled by the job page (static/js/job_progress.js)."""
    scope = _import_scope(request)
    job = _import_job(request, scope, page, job_id)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "running": job.running,
            "done": job.rows_processed,
            "total": job.rows_total,
            "progress_text": _progress_text(job),
        },
        headers={"Cache-Control": "no-store"},
    )


@login_required
def import_template_view(request, page: ImportPage, file_format: str):
    scope = _import_scope(request)
    if file_format not in TEMPLATE_FORMATS:
        raise Http404
    name = f"{page.kind}-template.{file_format}"
    language = "ja" if (get_language() or "").startswith("ja") else "en"
    with tempfile.TemporaryDirectory(prefix="jwcu-template-") as directory:
        path_ = Path(directory) / name
        write_template(path_, page.layout(), language=language, example=page.template_example(scope))
        content = path_.read_bytes()
    response = HttpResponse(content, content_type=mimetypes.guess_type(name)[0] or "application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
