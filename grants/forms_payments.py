"""Forms for tranches and utility claims. They check shape only; the services check the rules."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Disco

ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
FILE_HINT = _("A PDF, JPEG or PNG, at most 10 MB.")


def _file(label, *, required=True, help_text=FILE_HINT):
    return forms.FileField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )


class TrancheRequestForm(forms.Form):
    progress_note = forms.CharField(
        label=_("What has been done"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A few sentences on the milestone: what is installed, opened or delivered."),
    )
    progress_report = _file(_("Progress report"))
    photo = _file(_("Photo of the work"), required=False)
    receipt = _file(_("Receipt or invoice"), required=False)

    def evidence(self) -> list[tuple[str, object]]:
        return [(kind, self.cleaned_data.get(kind)) for kind in ("progress_report", "photo", "receipt")]


class TrancheReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the evidence returned?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The operator reads this and sends the request again."),
    )


class MonthField(forms.CharField):
    """A billing month as YYYY-MM (a month picker where the browser has one); cleans to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-11", "inputmode": "numeric"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return dt.datetime.strptime(value.strip(), "%Y-%m").date()  # noqa: DTZ007 — a date, no time
        except ValueError:
            raise forms.ValidationError(_("Enter the month as year and month, like 2026-11.")) from None


class UtilityClaimForm(forms.Form):
    connection = forms.ChoiceField(label=_("Space and connection"))
    disco = forms.ChoiceField(label=_("Electricity company"), choices=[("", _("Choose…")), *Disco.choices])
    bill_reference = forms.CharField(
        label=_("Reference number on the bill"),
        max_length=20,
        help_text=_("14 digits (K-Electric: the 13-digit account number)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    billing_month = MonthField(label=_("Billing month"), help_text=_("The month printed on the bill, e.g. 2026-11."))
    units = forms.IntegerField(label=_("Units billed (kWh)"), min_value=1)
    bill_amount = forms.CharField(
        label=_("Amount of the bill (PKR)"),
        max_length=20,
        help_text=_("Payable within the due date, e.g. 185,400."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    file = _file(_("The bill"), help_text=_("A scan or photo of the bill: PDF, JPEG or PNG, at most 10 MB."))

    def __init__(self, *args, connections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.connections = {str(c.pk): c for c in connections}
        self.fields["connection"].choices = [
            (str(c.pk), f"{c.space.name} — {c.disco} {c.bill_reference}") for c in connections
        ]
        if len(self.connections) == 1:
            self.fields["connection"].initial = next(iter(self.connections))

    def clean_connection(self):
        return self.connections[self.cleaned_data["connection"]]


class ClaimVerifyForm(forms.Form):
    eligible_amount = forms.CharField(
        label=_("Eligible amount (PKR)"),
        required=False,
        max_length=20,
        help_text=_("Leave empty to accept the whole bill; lower it for arrears or late-payment surcharges."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the eligible amount is less than the bill."),
    )


class ClaimRejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the claim rejected?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The operator reads this. A rejected bill may be filed again."),
    )
