"""Staff pages of head offices, business centers and programmes (see jwcu/views.py)."""

from django.utils.translation import gettext_lazy

from businesses import selectors, services
from businesses.filters import BusinessCenterFilterSet, HeadOfficeFilterSet, ProgrammeFilterSet
from businesses.forms import CenterEditForm, CenterForm, CloseForm, HeadOfficeEditForm, HeadOfficeForm, ProgrammeForm
from businesses.models import BusinessCenter, HeadOffice, Programme
from jwcu.views import Action, RecordType


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
