from django import forms
from django.utils.translation import gettext_lazy as _

from businesses.models import BusinessCenter, HeadOffice, Programme
from businesses.services import CENTER_EDITABLE_FIELDS, HEAD_OFFICE_FIELDS, PROGRAMME_FIELDS
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
        fields = HEAD_OFFICE_FIELDS


class HeadOfficeEditForm(RecordForm):
    class Meta:
        model = HeadOffice
        fields = ["code", "name", "name_ja", "region", "prefecture", "opened_on"]


class ProgrammeForm(RecordForm):
    class Meta:
        model = Programme
        fields = PROGRAMME_FIELDS


class CloseForm(ScopedForm):
    closed_on = forms.DateField(label=_("closed on"))
