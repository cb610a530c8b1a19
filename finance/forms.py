"""Forms validate shape only; the services judge the business rules."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import MoneyField


class PrepareForm(forms.Form):
    iban = forms.CharField(
        label=_("IBAN to pay"),
        max_length=40,
        help_text=_("The company's registered IBAN is filled in. Change it only with the bank's written confirmation."),
    )
    amount = MoneyField(
        label=_("Confirm the amount (PKR)"),
        help_text=_("Type the amount from the request, e.g. 1,250,000."),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why is this payment cancelled?"), max_length=300)


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label=_("What must the maker correct?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The maker reads this, corrects the payment and prepares it again, or cancels it."),
    )


class BatchForm(forms.Form):
    value_date = forms.DateField(
        label=_("Value date"),
        help_text=_("The day the bank is asked to pay."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    payments = forms.ModelMultipleChoiceField(
        label=_("Approved payments to send"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one approved payment.")},
    )

    def __init__(self, *args, payments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payments"].queryset = payments
        self.fields["payments"].label_from_instance = lambda p: f"{p.reference} — {p.payee} — PKR {p.amount:,.2f}"
        self.fields["value_date"].initial = timezone.localdate()


class StatementUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Bank statement"),
        help_text=_(
            "Excel (.xlsx) or CSV with the columns value_date, payment_reference, amount, status "
            "(paid, returned or failed) and bank_remarks."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class ConfirmStatementForm(forms.Form):
    token = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)
    file_name = forms.CharField(max_length=200, widget=forms.HiddenInput)


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("What did you find?"), max_length=500)


class TrialBalanceForm(forms.Form):
    on = forms.DateField(
        label=_("Balances at the end of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for today."),
    )


class LedgerPeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    account = forms.ChoiceField(label=_("Account"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import GLAccount

        self.fields["account"].choices = [("", _("Every account"))] + [
            (account.value, f"{account.value} {account.label}") for account in GLAccount
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end date is before the start date (%(start)s).") % {"start": start})
        return cleaned
