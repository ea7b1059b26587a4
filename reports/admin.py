from django.contrib import admin

from jwcu.admin import RegistryAdmin
from reports.models import Indicator, ReportExport


@admin.register(Indicator)
class IndicatorAdmin(RegistryAdmin):
    list_display = ("code", "label", "value", "unit", "scope", "business_center", "as_of")
    list_filter = ("scope",)
    search_fields = ("code", "label", "label_ja")
    autocomplete_fields = ("business_center",)


@admin.register(ReportExport)
class ReportExportAdmin(admin.ModelAdmin):
    """Recorded exports are evidence: they can be read, never changed or deleted."""

    list_display = ("created_at", "union", "fiscal_year", "as_of", "format", "public", "created_by", "sha256")
    list_filter = ("format", "public", "fiscal_year")
    search_fields = ("sha256", "figures_sha256", "file_name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
