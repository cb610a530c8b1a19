"""Forms of the seat-voucher pages: they check shape; vouchers.services checks the rules."""

import datetime as dt

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from core.forms import MoneyField
from spaces.geography import DISTRICT_CHOICES

from .models import EndReason, Gender, Province, SeatType, VoucherDocument, VoucherRound, VoucherState

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class ProfileForm(forms.Form):
    """The freelancer's profile. The CNIC is never filled in from what is stored: it is typed each time
    the profile is saved, then kept only as a digest and masked."""

    cnic = forms.CharField(
        label=_("CNIC number"),
        max_length=20,
        help_text=_("13 digits, as on the card: 12345-1234567-1."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}),
    )
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DATE)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, widget=forms.RadioSelect)
    domicile = forms.ChoiceField(label=_("Domicile (province)"), choices=Province.choices)
    district = forms.ChoiceField(
        label=_("District where you live"),
        choices=[("", "—"), *DISTRICT_CHOICES],
        required=False,
        help_text=_("In Punjab; leave empty if you live elsewhere."),
    )
    skills = forms.CharField(
        label=_("Your skills"), max_length=300, help_text=_("For example: web development, design.")
    )
    marketplace_url = forms.URLField(
        label=_("Marketplace profile link"),
        required=False,
        assume_scheme="https",
        help_text=_("A link to your profile on Upwork, Fiverr or similar."),
        widget=forms.URLInput(attrs={"inputmode": "url", "spellcheck": "false"}),
    )
    registration_number = forms.CharField(label=_("PSEB or PAFLA registration number"), max_length=40, required=False)
    is_student = forms.BooleanField(label=_("I am a student"), required=False)

    def __init__(self, *args, masked_cnic: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if masked_cnic:
            self.fields["cnic"].help_text = _(
                "On file: %(masked)s. Type the whole number again to save changes; it is never shown in full."
            ) % {"masked": masked_cnic}


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=VoucherDocument.Kind.choices)
    file = forms.FileField(label=_("File (PDF, JPEG or PNG, at most 10 MB)"))


class ApplyForm(forms.Form):
    offer = forms.TypedChoiceField(label=_("Space"), coerce=int)
    seat_type = forms.ChoiceField(label=_("Seat type"), widget=forms.RadioSelect)

    def __init__(self, *args, offers=(), seat_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer"].choices = [("", "—")] + [
            (item.offer.pk, f"{item.offer.space.name} ({item.offer.space.get_district_display()})") for item in offers
        ]
        self.fields["seat_type"].choices = [(value, SeatType(value).label) for value in seat_types]


class ConfirmMonthForm(forms.Form):
    month = forms.DateField(widget=forms.HiddenInput)
    used = forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect)

    def __init__(self, *args, month: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if month is not None:
            self.fields["month"].initial = month.isoformat()
            self.fields["used"].label = _("Did you use your seat in %(month)s?") % {
                "month": formats.date_format(month, "F Y")
            }
        else:
            self.fields["used"].label = _("Did you use your seat in this month?")


class OverchargeForm(forms.Form):
    charged = MoneyField(label=_("Amount the space charged you for the month (PKR)"), positive=True)
    what_happened = forms.CharField(
        label=_("What happened"),
        help_text=_("When, who asked for the money, and how you paid."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )


class StartForm(forms.Form):
    start_date = forms.DateField(label=_("The day the seat started"), widget=DATE)


class EndForm(forms.Form):
    ended_on = forms.DateField(label=_("The last day of the seat"), widget=DATE)
    reason = forms.ChoiceField(label=_("Why it ended"), choices=EndReason.choices)
    note = forms.CharField(
        label=_("Note the freelancer reads"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class ClaimChooseForm(forms.Form):
    """Which space of which round, and which month (a month that is over)."""

    offer = forms.TypedChoiceField(label=_("Round and space"), coerce=int)
    month = forms.ChoiceField(label=_("Month"))

    def __init__(self, *args, offers=(), today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer"].choices = [(offer.pk, f"{offer.round.title}: {offer.space.name}") for offer in offers]
        months, month = [], today.replace(day=1)
        for _step in range(12):
            month = (month - dt.timedelta(days=1)).replace(day=1)
            months.append((month.strftime("%Y-%m"), formats.date_format(month, "F Y")))
        self.fields["month"].choices = months

    def clean_month(self) -> dt.date:
        year, month = self.cleaned_data["month"].split("-")
        return dt.date(int(year), int(month), 1)


class QueueFilterForm(forms.Form):
    round = forms.ModelChoiceField(
        label=_("Round"), queryset=VoucherRound.objects.order_by("-opens_at"), required=False, empty_label=_("All")
    )
    state = forms.ChoiceField(
        label=_("State"),
        choices=[
            (value, label)
            for value, label in VoucherState.choices
            if value in (VoucherState.APPLIED, VoucherState.WAITLISTED, VoucherState.APPROVED, VoucherState.ACTIVE)
        ],
        required=False,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["reason"].label = label
