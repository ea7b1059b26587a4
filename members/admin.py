from django.contrib import admin

from jwcu.admin import RegistryAdmin, ServiceRecordAdmin
from members.models import (
    ConsentRecord,
    InclusionCategory,
    MemberInclusion,
    MembershipReport,
    MemberSociety,
    Partner,
    Union,
    WorkerMember,
)


@admin.register(Union)
class UnionAdmin(RegistryAdmin):
    list_display = ("code", "name", "name_ja", "established_on")
    search_fields = ("code", "name", "name_ja")


@admin.register(MemberSociety)
class MemberSocietyAdmin(ServiceRecordAdmin):
    list_display = ("code", "name", "kind", "legal_form", "prefecture", "joined_union_on", "left_union_on")
    list_filter = ("union", "kind", "legal_form", "ilo_type", "registers_individuals", "prefecture")
    search_fields = ("code", "name", "name_ja")
    autocomplete_fields = ("union",)


@admin.register(MembershipReport)
class MembershipReportAdmin(ServiceRecordAdmin):
    list_display = ("society", "as_of", "members", "worker_members", "source")
    list_filter = ("society",)
    autocomplete_fields = ("society",)


@admin.register(WorkerMember)
class WorkerMemberAdmin(ServiceRecordAdmin):
    list_display = (
        "member_number",
        "family_name",
        "given_name",
        "society",
        "business_center",
        "relationship",
        "joined_on",
        "left_on",
    )
    list_filter = ("relationship", "society", "contract_type", "leave_reason")
    search_fields = (
        "member_number",
        "family_name",
        "given_name",
        "family_name_kana",
        "given_name_kana",
        "family_name_latin",
        "given_name_latin",
    )
    autocomplete_fields = ("society", "business_center")
    list_select_related = ("society", "business_center")
    date_hierarchy = "joined_on"


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ServiceRecordAdmin):
    list_display = ("member", "given_on", "scope", "reference", "withdrawn_on")
    autocomplete_fields = ("member", "recorded_by")
    search_fields = ("reference", "member__member_number", "member__family_name")
    list_select_related = ("member",)


@admin.register(InclusionCategory)
class InclusionCategoryAdmin(RegistryAdmin):
    list_display = ("code", "name", "name_ja", "group", "sort_order")
    search_fields = ("code", "name", "name_ja")


@admin.register(MemberInclusion)
class MemberInclusionAdmin(ServiceRecordAdmin):
    list_display = ("member", "category", "since", "ended_on", "certificate_held")
    list_filter = ("category",)
    autocomplete_fields = ("member", "consent", "recorded_by")
    list_select_related = ("member", "category")


@admin.register(Partner)
class PartnerAdmin(RegistryAdmin):
    list_display = ("code", "name", "relation", "level", "established_on")
    list_filter = ("relation", "level")
    search_fields = ("code", "name", "name_ja", "abbreviation")
