"""Staff pages of head offices, business centers and programmes (see jwcu/views.py)."""

from django.utils.translation import gettext_lazy

from businesses import selectors, services
from businesses.filters import BusinessCenterFilterSet, HeadOfficeFilterSet, ProgrammeFilterSet
from businesses.forms import CenterEditForm, CenterForm, CloseForm, HeadOfficeEditForm, HeadOfficeForm, ProgrammeForm
from businesses.imports import center_layout
from businesses.models import BusinessCenter, BusinessLine, HeadOffice, Programme
from jwcu.forms import ImportForm
from jwcu.models import ImportJob
from jwcu.views import Action, ImportPage, RecordType
from members.models import MemberSociety


def _center_create(data):
    return services.center_create(**data)


def _center_update(center, expected_version, data):
    return services.center_update(center, expected_version=expected_version, **data)


CENTERS = RecordType(
    key="centers",
    model=BusinessCenter,
    queryset=selectors.center_queryset,
    filterset=BusinessCenterFilterSet,
    form=CenterForm,
    edit_form=CenterEditForm,
    columns=[
        "code",
        "name",
        "name_ja",
        "society",
        "head_office",
        "prefecture",
        "municipality",
        "opened_on",
        "closed_on",
    ],
    sort_fields=["code", "name", "prefecture", "opened_on", "closed_on"],
    default_sort="code",
    detail_fields=[*CenterForm.Meta.fields, "closed_on", "version"],
    detail_extra=lambda center, scope: {
        "annual_figures": selectors.annual_figures_of(scope=scope, business_center=center)
    },
    detail_template="businesses/businesscenter_detail.html",
    create=_center_create,
    update=_center_update,
    actions=(
        Action(
            "close",
            gettext_lazy("Record closing"),
            CloseForm,
            services.center_close,
            available=lambda c: c.closed_on is None,
        ),
    ),
)

HEAD_OFFICES = RecordType(
    key="head-offices",
    model=HeadOffice,
    queryset=selectors.head_office_queryset,
    filterset=HeadOfficeFilterSet,
    form=HeadOfficeForm,
    edit_form=HeadOfficeEditForm,
    columns=["code", "name", "name_ja", "society", "region", "prefecture", "opened_on", "closed_on"],
    sort_fields=["code", "name", "region", "opened_on", "closed_on"],
    default_sort="code",
    detail_fields=[*HeadOfficeForm.Meta.fields, "closed_on", "version"],
    actions=(
        Action(
            "close",
            gettext_lazy("Record closing"),
            CloseForm,
            services.head_office_close,
            available=lambda office: office.closed_on is None,
        ),
    ),
)

PROGRAMMES = RecordType(
    key="programmes",
    model=Programme,
    queryset=selectors.programme_queryset,
    filterset=ProgrammeFilterSet,
    form=ProgrammeForm,
    columns=["code", "name", "kind", "funder", "business_center", "started_on", "ended_on"],
    sort_fields=["code", "name", "kind", "started_on", "ended_on"],
    default_sort="code",
    detail_fields=[*ProgrammeForm.Meta.fields, "version"],
)


# Importing business centers from a spreadsheet (jwcu.views.ImportPage).


def _center_template_example(scope) -> dict:
    society = scope.societies(MemberSociety.objects.all()).order_by("code").first()
    lines = BusinessLine.objects.order_by("code").values_list("code", flat=True)[:2]
    return {"society": society.code if society else "", "business_lines": ";".join(lines)}


CENTER_IMPORT = ImportPage(
    kind=ImportJob.Kind.CENTERS,
    record_type=CENTERS,
    title=gettext_lazy("Import business centers"),
    form=ImportForm,
    layout=center_layout,
    template_example=_center_template_example,
)
