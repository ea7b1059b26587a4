"""Staff pages of societies, members and partners (see jwcu/views.py for the machinery)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from businesses import selectors as business_selectors
from jwcu.forms import add_service_error
from jwcu.models import ImportJob
from jwcu.scope import scope_of
from jwcu.views import Action, ImportPage, RecordType
from members import selectors, services
from members.filters import MemberSocietyFilterSet, PartnerFilterSet, WorkerMemberFilterSet
from members.forms import (
    ConsentForm,
    ConsentWithdrawForm,
    InclusionForm,
    MemberAnonymiseForm,
    MemberCreateForm,
    MemberEditForm,
    MemberImportForm,
    MemberLeaveForm,
    MemberMoveForm,
    PartnerForm,
    SocietyEditForm,
    SocietyForm,
    SocietyLeaveForm,
)
from members.imports import member_layout
from members.models import MemberSociety, Partner, WorkerMember


def _member_related_history(member, scope):
    related = [member.placements.model.history.filter(member_id=member.pk)]
    if scope.sensitive:
        related += [
            member.consents.model.history.filter(member_id=member.pk),
            member.inclusions.model.history.filter(member_id=member.pk),
        ]
    return related


def _member_detail_extra(member, scope):
    extra = {
        "periods": selectors.member_periods(member),
        "retention_ends_on": services.member_retention_ends_on(member),
    }
    if scope.sensitive:
        extra["consents"] = member.consents.select_related("recorded_by")
        extra["inclusions"] = member.inclusions.all()
        extra["consent_url"] = MEMBERS.url("consent", member)
        extra["inclusion_url"] = MEMBERS.url("inclusion", member)
        extra["withdraw_url"] = MEMBERS.url("consent-withdraw", member)
    return extra


def _member_may_be_anonymised(member) -> bool:
    return member.left_on is not None and member.anonymised_on is None


def _member_create(data):
    return services.member_create(**data)


def _member_update(member, expected_version, data):
    return services.member_update(member, expected_version=expected_version, **data)


MEMBERS = RecordType(
    key="members",
    model=WorkerMember,
    queryset=selectors.member_queryset,
    filterset=WorkerMemberFilterSet,
    form=MemberCreateForm,
    edit_form=MemberEditForm,
    columns=[
        "member_number",
        "family_name",
        "given_name",
        "family_name_kana",
        "given_name_kana",
        "society",
        "business_center",
        "relationship",
        "joined_on",
        "left_on",
    ],
    sort_fields=["member_number", "family_name_kana", "family_name", "joined_on", "left_on"],
    default_sort="family_name_kana",
    detail_fields=[
        "member_number",
        "family_name",
        "given_name",
        "family_name_kana",
        "given_name_kana",
        "family_name_latin",
        "given_name_latin",
        "birth_date",
        "gender",
        "society",
        "business_center",
        "relationship",
        "joined_on",
        "left_on",
        "leave_reason",
        "capital_contribution_yen",
        "contract_type",
        "weekly_hours",
        "anonymised_on",
        "version",
    ],
    lookup={"society": "society__code", "number": "member_number"},
    create=_member_create,
    update=_member_update,
    actions=(
        Action(
            "move",
            gettext_lazy("Move to another center"),
            MemberMoveForm,
            services.member_move,
            available=lambda m: m.left_on is None,
        ),
        Action(
            "leave",
            gettext_lazy("Record leaving"),
            MemberLeaveForm,
            services.member_leave,
            available=lambda m: m.left_on is None,
        ),
        Action(
            "anonymise",
            gettext_lazy("Anonymise"),
            MemberAnonymiseForm,
            services.member_anonymise,
            available=_member_may_be_anonymised,
            permission="manage",
        ),
    ),
    related_history=_member_related_history,
    detail_extra=_member_detail_extra,
    detail_template="members/workermember_detail.html",
)

SOCIETIES = RecordType(
    key="societies",
    model=MemberSociety,
    queryset=selectors.society_queryset,
    filterset=MemberSocietyFilterSet,
    form=SocietyForm,
    edit_form=SocietyEditForm,
    columns=["code", "name", "name_ja", "kind", "prefecture", "joined_union_on", "left_union_on"],
    sort_fields=["code", "name", "joined_union_on", "left_union_on"],
    default_sort="code",
    detail_fields=[*SocietyForm.Meta.fields, "left_union_on", "version"],
    detail_extra=lambda society, scope: {
        "annual_figures": business_selectors.annual_figures_of(scope=scope, society=society)
    },
    detail_template="members/membersociety_detail.html",
    actions=(
        Action(
            "leave",
            gettext_lazy("Record leaving the union"),
            SocietyLeaveForm,
            services.society_leave_union,
            available=lambda s: s.left_union_on is None,
            permission="manage",
        ),
    ),
    create_permission="manage",
)

PARTNERS = RecordType(
    key="partners",
    model=Partner,
    queryset=selectors.partner_queryset,
    filterset=PartnerFilterSet,
    form=PartnerForm,
    columns=["code", "name", "name_ja", "abbreviation", "relation", "level"],
    sort_fields=["code", "name", "relation", "level"],
    default_sort="name",
    detail_fields=[*PartnerForm.Meta.fields, "version"],
    create_permission="manage",
    edit_permission="manage",
)


def _sensitive_member(request, society, number):
    """The member named by the URL, for a user holding the sensitive-data permission (else 404
    or 403, so the pages' existence says nothing)."""
    scope = scope_of(request)
    member = MEMBERS.get(scope, {"society": society, "number": number})
    if not scope.sensitive or not scope.can_write:
        raise PermissionDenied(_("Only users with the sensitive-data permission may see or record this."))
    return member


def _sensitive_form_view(
    request, society, number, *, form_class, save, done: str, heading: str, form_takes_member: bool = False
):
    """A form about one member's sensitive data: ``save(member, cleaned_data)`` calls the service;
    its refusal stands beside the field it names."""
    member = _sensitive_member(request, society, number)
    form = form_class(request.POST or None, **({"member": member} if form_takes_member else {}))
    if request.method == "POST" and form.is_valid():
        try:
            save(member, form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, done)
            return redirect(MEMBERS.url("detail", member))
    context = {
        "form": form,
        "record": member,
        "heading": heading % {"member": member},
        "cancel_url": MEMBERS.url("detail", member),
    }
    return render(request, "registry/form.html", context)


@login_required
def consent_create_view(request, society, number):
    return _sensitive_form_view(
        request,
        society,
        number,
        form_class=ConsentForm,
        save=lambda member, data: services.consent_record(member=member, recorded_by=request.user, **data),
        done=_("The consent was recorded."),
        heading=_("Record consent: %(member)s"),
    )


@login_required
def inclusion_create_view(request, society, number):
    return _sensitive_form_view(
        request,
        society,
        number,
        form_class=InclusionForm,
        form_takes_member=True,
        save=lambda member, data: services.inclusion_record(member=member, recorded_by=request.user, **data),
        done=_("The inclusion category was recorded."),
        heading=_("Record an inclusion category: %(member)s"),
    )


@login_required
def consent_withdraw_view(request, society, number):
    """Withdrawing consent ends the inclusion records held under it (members.services)."""
    return _sensitive_form_view(
        request,
        society,
        number,
        form_class=ConsentWithdrawForm,
        form_takes_member=True,
        save=lambda member, data: services.consent_withdraw(data["consent"], withdrawn_on=data["withdrawn_on"]),
        done=_("The consent was withdrawn; the inclusion records held under it ended."),
        heading=_("Withdraw consent: %(member)s"),
    )


# Importing members from a spreadsheet (jwcu.views.ImportPage).


def _member_template_example(scope) -> dict:
    society = scope.societies(MemberSociety.objects.filter(registers_individuals=True)).order_by("code").first()
    return {"society": society.code} if society else {}


MEMBER_IMPORT = ImportPage(
    kind=ImportJob.Kind.MEMBERS,
    record_type=MEMBERS,
    title=gettext_lazy("Import members"),
    form=MemberImportForm,
    layout=member_layout,
    template_example=_member_template_example,
)
