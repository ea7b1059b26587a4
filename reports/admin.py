from django.contrib import admin

from jwcu.admin import RegistryAdmin
from reports.models import Indicator


@admin.register(Indicator)
class IndicatorAdmin(RegistryAdmin):
    list_display = ("code", "label", "value", "unit", "scope", "business_center", "as_of")
    list_filter = ("scope",)
    search_fields = ("code", "label", "label_ja")
    autocomplete_fields = ("business_center",)
