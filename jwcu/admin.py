from simple_history.admin import SimpleHistoryAdmin


class RegistryAdmin(SimpleHistoryAdmin):
    """Admin of a registry record. The admin saves in one transaction after the model's full
    validation; django-simple-history records each change (channel "admin", see jwcu.audit).
    Nothing is deleted: people leave, centers close, societies leave the union."""

    readonly_fields = ("version", "created_at", "updated_at")
    history_list_display = ("history_channel",)

    def has_delete_permission(self, request, obj=None):
        return False


def _register_role_admin():
    from django.contrib import admin

    from jwcu.models import RoleAssignment

    @admin.register(RoleAssignment)
    class RoleAssignmentAdmin(RegistryAdmin):
        list_display = ("user", "role", "union", "society", "head_office", "sensitive")
        list_filter = ("role", "sensitive")
        autocomplete_fields = ("user", "union", "society", "head_office")


_register_role_admin()
