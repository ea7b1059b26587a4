from django.contrib import admin

from businesses.models import AnnualFigures, BusinessCenter, BusinessLine, HeadOffice, Programme
from jwcu.admin import RegistryAdmin, ServiceRecordAdmin


@admin.register(HeadOffice)
class HeadOfficeAdmin(ServiceRecordAdmin):
    list_display = ("code", "name", "society", "region", "opened_on", "closed_on")
    list_filter = ("society", "region")
    search_fields = ("code", "name", "name_ja")
    autocomplete_fields = ("society",)


@admin.register(BusinessLine)
class BusinessLineAdmin(RegistryAdmin):
    list_display = ("code", "name", "name_ja", "sdg_goals")
    search_fields = ("code", "name", "name_ja")


@admin.register(BusinessCenter)
class BusinessCenterAdmin(ServiceRecordAdmin):
    list_display = ("code", "name", "society", "head_office", "prefecture", "municipality", "opened_on", "closed_on")
    list_filter = ("society", "head_office", "prefecture", "business_lines", "featured")
    search_fields = ("code", "name", "name_ja", "municipality")
    autocomplete_fields = ("society", "head_office")
    filter_horizontal = ("business_lines",)
    list_select_related = ("society", "head_office")


@admin.register(Programme)
class ProgrammeAdmin(RegistryAdmin):
    list_display = ("code", "name", "kind", "funder", "business_center", "started_on", "ended_on")
    list_filter = ("kind", "funder", "discontinued")
    search_fields = ("code", "name", "name_ja", "commissioning_body", "municipality")
    autocomplete_fields = ("union", "business_center")
    list_select_related = ("business_center",)


@admin.register(AnnualFigures)
class AnnualFiguresAdmin(ServiceRecordAdmin):
    list_display = ("__str__", "fiscal_year", "turnover_yen", "wages_yen", "surplus_yen")
    list_filter = ("fiscal_year",)
    autocomplete_fields = ("society", "business_center")
    list_select_related = ("society", "business_center")
