from django import forms
from django.utils.translation import gettext_lazy as _

from businesses.models import BusinessCenter, HeadOffice, Programme
from businesses.services import CENTER_EDITABLE_FIELDS
from jwcu.forms import RecordForm, ScopedForm


class CenterForm(RecordForm):
    class Meta:
        model = BusinessCenter
        fields = ["society", "code", *CENTER_EDITABLE_FIELDS]


class CenterEditForm(RecordForm):
    """A center stays in its society (its people and figures belong to it)."""

    class Meta:
        model = BusinessCenter
        fields = ["code", *CENTER_EDITABLE_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["head_office"].queryset = self.fields["head_office"].queryset.filter(
            society_id=self.instance.society_id
        )


class HeadOfficeForm(RecordForm):
    class Meta:
        model = HeadOffice
        fields = ["society", "code", "name", "name_ja", "region", "prefecture", "opened_on"]


class HeadOfficeEditForm(RecordForm):
    class Meta:
        model = HeadOffice
        fields = ["code", "name", "name_ja", "region", "prefecture", "opened_on"]


class ProgrammeForm(RecordForm):
    class Meta:
        model = Programme
        fields = [
            "union",
            "business_center",
            "code",
            "name",
            "name_ja",
            "kind",
            "funder",
            "commissioning_body",
            "municipality",
            "started_on",
            "ended_on",
            "discontinued",
            "completions",
            "notes",
        ]


class CloseForm(ScopedForm):
    closed_on = forms.DateField(label=_("closed on"))
