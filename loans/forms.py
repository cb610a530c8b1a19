"""Forms of the loan pages: they check shape; the services check the rules and say why."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import MoneyField
from grants.models import LoanTier, Program

from .models import GraceKind, PrepaymentChoice

FINGERPRINT = forms.RegexField(regex=r"^[0-9a-f]{20}$", widget=forms.HiddenInput)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RepaymentForm(forms.Form):
    amount = MoneyField(
        label=_("Amount received (PKR)"),
        positive=True,
        help_text=_("For example 14,134 or 14134.50."),
    )
    received_on = forms.DateField(label=_("Date received"), widget=DATE)
    bank_reference = forms.CharField(label=_("Bank reference"), max_length=40)


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Why is it reversed?"), max_length=300)


class ReverseConfirmForm(ReverseForm):
    """The reversal as previewed: the reason and the fingerprint of the loan the preview was made on."""

    expect = FINGERPRINT


class PrepaymentChoiceForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("What should the prepayment do?"), choices=PrepaymentChoice.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("How did the borrower ask for it? (a letter, a call, a visit)"), max_length=300, required=False
    )
    expect = FINGERPRINT


class BorrowerPrepaymentChoiceForm(PrepaymentChoiceForm):
    reason = forms.CharField(label=_("Anything finance should know (optional)"), max_length=300, required=False)


PART_ROWS = 4


class DisbursementPlanForm(forms.Form):
    """Up to four parts, each a planned date and an amount; empty rows are left out."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, PART_ROWS + 1):
            self.fields[f"date_{n}"] = forms.DateField(
                label=_("Part %(n)d: planned for") % {"n": n}, widget=DATE, required=False
            )
            self.fields[f"amount_{n}"] = MoneyField(
                label=_("Part %(n)d: amount (PKR)") % {"n": n}, positive=True, required=False
            )

    def rows(self):
        for n in range(1, PART_ROWS + 1):
            yield self[f"date_{n}"], self[f"amount_{n}"]

    def parts(self):
        found = []
        for n in range(1, PART_ROWS + 1):
            day, amount = self.cleaned_data.get(f"date_{n}"), self.cleaned_data.get(f"amount_{n}")
            if day is None and amount is None:
                continue
            if day is None or amount is None:
                self.add_error(f"date_{n}" if day is None else f"amount_{n}", _("Enter both the date and the amount."))
                continue
            found.append((day, amount))
        return found


class RestructureForm(forms.Form):
    months = forms.IntegerField(
        label=_("New tenor (months, grace included)"), min_value=1, max_value=120, widget=forms.NumberInput
    )
    grace_months = forms.IntegerField(label=_("Grace months"), min_value=0, max_value=24, initial=0)
    grace_kind = forms.ChoiceField(label=_("During grace"), choices=GraceKind.choices, initial=GraceKind.INTEREST_ONLY)
    first_due = forms.DateField(label=_("First instalment due"), widget=DATE)
    reason = forms.CharField(
        label=_("Reason (the borrower reads it)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class WriteOffForm(forms.Form):
    reason = forms.CharField(
        label=_("Why should the loan be written off?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class WriteOffDecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )


class RecoveryForm(forms.Form):
    amount = MoneyField(label=_("Amount recovered (PKR)"), positive=True)
    received_on = forms.DateField(label=_("Date received"), widget=DATE)
    bank_reference = forms.CharField(label=_("Bank reference"), max_length=40)


class CollectionUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Collection file (.xlsx or .csv)"),
        help_text=_("Columns: sanction_number, date_received, amount, bank_reference."),
    )


class CollectionConfirmForm(forms.Form):
    token = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)
    file_name = forms.CharField(max_length=200, widget=forms.HiddenInput)


def tier_choices():
    tiers = (
        LoanTier.objects.filter(program__instrument=Program.Instrument.SOFT_LOAN)
        .select_related("program")
        .order_by("program__name", "number")
    )
    return [("", _("I will enter the markup"))] + [
        (
            str(t.pk),
            _("%(program)s, tier %(n)d: %(rate)s%% a year, PKR %(low)s – %(high)s")
            % {
                "program": t.program.name,
                "n": t.number,
                "rate": t.annual_markup_percent,
                "low": f"{t.min_amount:,.0f}",
                "high": f"{t.max_amount:,.0f}",
            },
        )
        for t in tiers
    ]


class CalculatorForm(forms.Form):
    amount = MoneyField(label=_("Loan amount (PKR)"), positive=True)
    tier = forms.ChoiceField(label=_("Tier"), required=False)
    annual_rate = forms.DecimalField(
        label=_("Markup (% a year)"),
        required=False,
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("50"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("Used when no tier is chosen."),
    )
    months = forms.IntegerField(label=_("Tenor (months, grace included)"), min_value=1, max_value=120)
    grace_months = forms.IntegerField(label=_("Grace months"), min_value=0, max_value=24, initial=0)
    grace_kind = forms.ChoiceField(label=_("During grace"), choices=GraceKind.choices, initial=GraceKind.INTEREST_ONLY)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = tier_choices()

    def clean(self):
        data = super().clean()
        tier_id = data.get("tier")
        if tier_id:
            tier = LoanTier.objects.filter(pk=tier_id).first()
            if tier is None:
                self.add_error("tier", _("Choose a tier from the list."))
                return data
            data["rate"] = tier.annual_markup_percent
            amount = data.get("amount")
            if amount is not None and not (tier.min_amount <= amount <= tier.max_amount):
                self.add_error(
                    "amount",
                    _("Tier %(n)d lends PKR %(low)s to %(high)s.")
                    % {"n": tier.number, "low": f"{tier.min_amount:,.0f}", "high": f"{tier.max_amount:,.0f}"},
                )
            months = data.get("months")
            if months and months > tier.max_tenor_months:
                self.add_error(
                    "months",
                    _("Tier %(n)d lends for at most %(m)d months.") % {"n": tier.number, "m": tier.max_tenor_months},
                )
            grace = data.get("grace_months")
            if grace and grace > tier.max_grace_months:
                self.add_error(
                    "grace_months",
                    _("Tier %(n)d allows at most %(m)d grace months.") % {"n": tier.number, "m": tier.max_grace_months},
                )
        elif data.get("annual_rate") is None:
            self.add_error("annual_rate", _("Choose a tier or enter the markup."))
        else:
            data["rate"] = data["annual_rate"]
        months, grace = data.get("months"), data.get("grace_months")
        if months and grace is not None and grace >= months:
            self.add_error("grace_months", _("The grace months must be fewer than the tenor."))
        return data
