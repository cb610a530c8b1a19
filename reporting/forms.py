import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.fiscal import FiscalQuarter, FiscalYear

from .models import ReportJob
from .services import available_reports


def report_choices():
    """The reports that can be built now (a report waiting for its module is not offered)."""
    labels = dict(ReportJob.Kind.choices)
    return [(kind, labels[kind]) for kind in available_reports()]


def quarter_choices(count: int = 8):
    """The current quarter and the ones before it, newest first."""
    quarter = FiscalQuarter.of(timezone.localdate())
    choices = []
    for _i in range(count):
        choices.append((f"{quarter.fiscal_year.start_year}-{quarter.number}", quarter.long_label))
        quarter = FiscalQuarter.of(quarter.start - dt.timedelta(days=1))
    return choices


class ReportRequestForm(forms.Form):
    report = forms.ChoiceField(label=_("Report"), choices=report_choices)
    quarter = forms.ChoiceField(label=_("Quarter"), choices=quarter_choices)
    format = forms.ChoiceField(
        label=_("Format"), choices=ReportJob.Format.choices, widget=forms.RadioSelect, initial=ReportJob.Format.XLSX
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            choices = quarter_choices()
            # The last finished quarter is what people usually want.
            self.fields["quarter"].initial = choices[1][0] if len(choices) > 1 else choices[0][0]

    def clean_quarter(self):
        year, number = self.cleaned_data["quarter"].split("-")
        return FiscalYear(int(year)).quarter(int(number))
