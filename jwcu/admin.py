from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from jwcu.models import ApiClient, RoleAssignment
from jwcu.scope import Scope
from jwcu.services import (
    StaleRecordError,
    api_client_create,
    api_client_revoke,
    locked_current,
    record_at_version,
)


class RegistryAdminForm(forms.ModelForm):
    """The admin's form of a registry record carries the version stored when it was opened; a save
    over a newer version is refused, naming what changed meanwhile. The stored row stays locked
    from this check until the save commits, and the save continues the record's versions (also
    when it brings back an earlier one from the history)."""

    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            field = self.fields["opened_version"]
            field.required = True
            stored = type(self.instance)._default_manager.filter(pk=self.instance.pk)
            field.initial = stored.values_list("version", flat=True).first()

    def clean(self):
        cleaned = super().clean()
        opened = cleaned.get("opened_version")
        if self.instance.pk is None or opened is None:
            return cleaned
        try:
            current = locked_current(record_at_version(self.instance, opened), expected_version=opened)
        except StaleRecordError as stale:
            # Saving again applies these values over the other change, as in the staff pages.
            self.data = self.data.copy()
            self.data[self.add_prefix("opened_version")] = stale.current.version
            model = type(self.instance)
            changed = ", ".join(str(model._meta.get_field(name).verbose_name) for name in stale.changed_fields)
            raise ValidationError(
                _(
                    "Someone else saved this record while you were editing it (version %(opened)s is now "
                    "%(current)s; changed: %(fields)s). Your changes were not saved: save again to apply them "
                    "over theirs, or reload the page to see theirs."
                )
                % {"opened": opened, "current": stale.current.version, "fields": changed or "—"},
                code="stale",
            ) from stale
        self.instance.version = current.version
        return cleaned


class RegistryAdmin(SimpleHistoryAdmin):
    """Admin of a registry record. The admin saves in one transaction after the model's full
    validation, refusing stale edits (RegistryAdminForm); django-simple-history records each
    change (channel "admin", see jwcu.audit). Nothing is deleted: people leave, centers close,
    societies leave the union."""

    form = RegistryAdminForm
    readonly_fields = ("version", "created_at", "updated_at")
    history_list_display = ("history_channel",)

    def has_delete_permission(self, request, obj=None):
        return False

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Bringing back an earlier version: one transaction, as an edit."""
        with transaction.atomic():
            return super().history_form_view(request, object_id, version_id, extra_context)


class ServiceRecordAdmin(RegistryAdmin):
    """Admin of a record whose changes have rules of their own (a member moves, a center
    closes, a consent is withdrawn…): shown with its history, never changed here. Its changes
    go through the app's services, which the staff pages and the API call, so no door goes
    around a rule."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Bringing back an earlier version would be a change made around the services."""
        raise PermissionDenied


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ServiceRecordAdmin):  # jwcu.services.role_assign, on the roles page
    list_display = ("user", "role", "union", "society", "head_office", "sensitive")
    list_filter = ("role", "sensitive")
    autocomplete_fields = ("user", "union", "society", "head_office")


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Union administrators create the clients of regional offices here. The token is shown
    once, in the message after saving; only its hash is kept."""

    list_display = (
        "name",
        "union",
        "society",
        "head_office",
        "can_write",
        "sensitive",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("can_write", "sensitive", "revoked_at")
    fields = ("name", "union", "society", "head_office", "can_write", "sensitive")
    readonly_fields = ("created_by", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def _scope(self, request) -> Scope:
        return Scope.for_user(request.user)

    def has_module_permission(self, request):
        return self._scope(request).can_manage

    def has_view_permission(self, request, obj=None):
        return self._scope(request).can_manage

    def has_add_permission(self, request):
        return self._scope(request).can_manage

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("union", "society", "head_office")
        union_id = self._scope(request).union_id
        return queryset if union_id is None else queryset.filter(union_id=union_id)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        union_id = self._scope(request).union_id
        if union_id is not None:
            path = {"union": "pk", "society": "union_id", "head_office": "society__union_id"}[db_field.name]
            field.queryset = field.queryset.filter(**{path: union_id})
        return field

    def save_model(self, request, obj, form, change):
        client, token = api_client_create(
            name=obj.name,
            union=obj.union,
            society=obj.society,
            head_office=obj.head_office,
            can_write=obj.can_write,
            sensitive=obj.sensitive,
            created_by=request.user,
        )
        obj.pk = client.pk
        messages.warning(
            request,
            _("Token of %(name)s, shown this once; give it to the office now: %(token)s")
            % {"name": client.name, "token": token},
        )

    @admin.action(description=gettext_lazy("Revoke the selected clients"))
    def revoke(self, request, queryset):
        for client in queryset.filter(revoked_at__isnull=True):
            api_client_revoke(client)
        self.message_user(request, _("Revoked at %(time)s.") % {"time": timezone.localtime().strftime("%H:%M")})
