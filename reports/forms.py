from django import forms
from django.utils.translation import gettext_lazy as _

from reports.annual_report import FORMATS


class AnnualReportForm(forms.Form):
    fiscal_year = forms.IntegerField(label=_("Fiscal year"), min_value=1900, max_value=2200)
    format = forms.ChoiceField(label=_("Format"), choices=[(f, f.upper()) for f in FORMATS])
    public = forms.BooleanField(label=_("Public edition (disclosure-controlled)"), required=False)
