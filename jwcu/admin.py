from simple_history.admin import SimpleHistoryAdmin


class RegistryAdmin(SimpleHistoryAdmin):
    """Admin of a registry record. The admin saves in one transaction after the model's full
    validation; django-simple-history records each change (channel "admin", see jwcu.audit).
    Nothing is deleted: people leave, centers close, societies leave the union."""

    readonly_fields = ("version", "created_at", "updated_at")
    history_list_display = ("history_channel",)

    def has_delete_permission(self, request, obj=None):
        return False
