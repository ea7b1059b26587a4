from django import forms
from django.utils.translation import gettext_lazy as _

from businesses.models import BusinessCenter
from jwcu.display import name_of
from jwcu.forms import ImportForm, RecordForm, ScopedForm, capitalise_labels
from members.models import (
    ConsentRecord,
    ConsentScope,
    InclusionCategory,
    LeaveReason,
    MemberSociety,
    Partner,
    WorkerMember,
)
from members.services import MEMBER_EDITABLE_FIELDS, PARTNER_FIELDS, SOCIETY_FIELDS


class MemberCreateForm(RecordForm):
    class Meta:
        model = WorkerMember
        fields = ["society", "member_number", "business_center", *MEMBER_EDITABLE_FIELDS]


class MemberEditForm(RecordForm):
    """A member stays in their society; a new workplace is a move (which keeps the periods)."""

    class Meta:
        model = WorkerMember
        fields = MEMBER_EDITABLE_FIELDS


class SocietyForm(RecordForm):
    class Meta:
        model = MemberSociety
        fields = SOCIETY_FIELDS


class SocietyEditForm(SocietyForm):
    class Meta(SocietyForm.Meta):
        fields = [name for name in SocietyForm.Meta.fields if name != "union"]


class PartnerForm(RecordForm):
    class Meta:
        model = Partner
        fields = PARTNER_FIELDS


class MemberLeaveForm(ScopedForm):
    left_on = forms.DateField(label=_("left on"))
    reason = forms.ChoiceField(choices=LeaveReason.choices, label=_("reason for leaving"))


class MemberMoveForm(ScopedForm):
    business_center = forms.ModelChoiceField(queryset=BusinessCenter.objects.all(), label=_("new business center"))
    moved_on = forms.DateField(label=_("works there from"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        centers = self.fields["business_center"].queryset.filter(society_id=self.record.society_id, closed_on=None)
        self.fields["business_center"].queryset = centers.exclude(pk=self.record.business_center_id)


class MemberAnonymiseForm(ScopedForm):
    confirmations = ("confirm",)
    confirm = forms.BooleanField(
        label=_("I confirm that the retention period has ended and the personal fields may be erased.")
    )


class SocietyLeaveForm(ScopedForm):
    left_on = forms.DateField(label=_("left the union on"))


class ConsentForm(forms.ModelForm):
    class Meta:
        model = ConsentRecord
        fields = ["given_on", "scope", "reference"]
        widgets = {"given_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = ConsentScope.choices


class InclusionForm(forms.Form):
    category = forms.ModelChoiceField(queryset=InclusionCategory.objects.all(), label=_("category"))
    consent = forms.ModelChoiceField(queryset=ConsentRecord.objects.none(), label=_("consent"))
    since = forms.DateField(required=False, label=_("since"), widget=forms.DateInput(attrs={"type": "date"}))
    certificate_held = forms.BooleanField(required=False, label=_("certificate held"))

    def __init__(self, *args, member: WorkerMember, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].queryset = member.consents.filter(withdrawn_on=None)
        capitalise_labels(self)


class ConsentWithdrawForm(forms.Form):
    consent = forms.ModelChoiceField(
        queryset=ConsentRecord.objects.none(), to_field_name="reference", label=_("consent")
    )
    withdrawn_on = forms.DateField(label=_("withdrawn on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, member: WorkerMember, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].queryset = member.consents.filter(withdrawn_on=None)
        capitalise_labels(self)


class MemberImportForm(ImportForm):
    society = forms.ModelChoiceField(
        queryset=MemberSociety.objects.none(),
        to_field_name="code",
        required=False,
        label=_("society"),
        help_text=_("Import members of this society only; leave empty when the file names each row's society."),
    )

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, scope=scope, **kwargs)
        self.fields["society"].queryset = scope.societies(MemberSociety.objects.filter(registers_individuals=True))
        self.fields["society"].label_from_instance = name_of

    def job_options(self) -> dict:
        return {"society": self.cleaned_data["society"]}
