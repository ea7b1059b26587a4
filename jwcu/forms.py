"""Form pieces shared by the staff pages: the record's version against lost updates, choices
narrowed to the editor's scope, date inputs, and service errors put beside their field."""

from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from jwcu.display import name_of
from jwcu.models import Role, RoleAssignment, within_record_days
from jwcu.scope import Scope, narrow, narrowable


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _narrow_choices(form: forms.BaseForm, scope: Scope):
    """Offer only records inside ``scope``, named in the active language."""
    for field in form.fields.values():
        queryset = getattr(field, "queryset", None)
        if queryset is None:
            continue
        if narrowable(queryset.model):
            field.queryset = narrow(scope, queryset)
        field.label_from_instance = name_of


def _use_date_inputs(form: forms.BaseForm):
    """Date pickers, and a date outside the registry's years refused beside its field (an action's
    date is written to a field of another name, where the service's error could not stand)."""
    for field in form.fields.values():
        if isinstance(field, forms.DateField):
            field.widget = DateInput()
            field.validators.append(within_record_days)


def capitalise_labels(form: forms.BaseForm):
    """Labels taken from lower-case verbose names start with a capital, as in model forms."""
    for field in form.fields.values():
        if field.label:
            field.label = capfirst(field.label)


def add_service_error(form: forms.BaseForm, error: ValidationError):
    """Put a service's ValidationError beside the fields it names (else above the form)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class ImportForm(forms.Form):
    """The file of an import page: CSV or XLSX, no larger than IMPORT_MAX_UPLOAD_MB."""

    file = forms.FileField(
        label=_("file"), help_text=_("CSV (UTF-8 or Shift_JIS) or XLSX, with English or Japanese headers.")
    )

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        capitalise_labels(self)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in {".csv", ".txt", ".xlsx"}:
            raise ValidationError(_("Upload a CSV or XLSX file (a name ending in .csv or .xlsx)."))
        if upload.size > settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024:
            raise ValidationError(
                _("The file is larger than %(size)s MB; split it into smaller files.")
                % {"size": settings.IMPORT_MAX_UPLOAD_MB}
            )
        return upload

    def job_options(self) -> dict:
        """What the import job takes from the form besides the file."""
        return {}


class VersionedForm(forms.Form):
    """Carries the version of the record the user started from."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class RecordForm(forms.ModelForm):
    """Create or edit one registry record within ``scope``."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True
        _narrow_choices(self, scope)
        _use_date_inputs(self)
        for field in self.fields.values():
            if isinstance(field, forms.ModelMultipleChoiceField):
                field.widget = forms.CheckboxSelectMultiple(choices=field.choices)

    def changes(self) -> dict:
        """The cleaned values of the model's fields, for a service call."""
        names = {f.name for f in self._meta.model._meta.get_fields() if isinstance(f, models.Field)}
        return {name: value for name, value in self.cleaned_data.items() if name in names and name != "version"}


class ScopedForm(VersionedForm):
    """The form of an action on one record (leave, close, move)."""

    confirmations: tuple[str, ...] = ()  # fields the user ticks, not passed to the service

    def __init__(self, *args, scope: Scope, record=None, **kwargs):
        self.record = record
        super().__init__(*args, **kwargs)
        _narrow_choices(self, scope)
        _use_date_inputs(self)
        capitalise_labels(self)

    def service_values(self) -> dict:
        skipped = {"version", *self.confirmations}
        return {name: value for name, value in self.cleaned_data.items() if name not in skipped}


def _records_of(field: str):
    """The records a role's ``field`` may name (the apps' models, as the role's own relation has
    them: the kernel does not import the apps)."""
    return RoleAssignment._meta.get_field(field).related_model.objects.all()


class RoleAssignmentForm(forms.Form):
    user = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label=_("user"))
    role = forms.ChoiceField(choices=Role.choices, label=_("role"))
    union = forms.ModelChoiceField(queryset=_records_of("union"), label=_("union"))
    society = forms.ModelChoiceField(queryset=_records_of("society"), required=False, label=_("society"))
    head_office = forms.ModelChoiceField(queryset=_records_of("head_office"), required=False, label=_("head office"))
    sensitive = forms.BooleanField(
        required=False,
        label=_("may see sensitive data"),
        help_text=_("Inclusion categories (disability, social withdrawal…) are shown only with this permission."),
    )

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(is_active=True, is_superuser=False).order_by("username")
        if scope.union_id is not None:
            users = users.filter(
                models.Q(registry_role__isnull=True) | models.Q(registry_role__union_id=scope.union_id)
            )
        self.fields["user"].queryset = users
        _narrow_choices(self, scope)
        if scope.union_id is not None:
            self.fields["union"].initial = scope.union_id
        capitalise_labels(self)
