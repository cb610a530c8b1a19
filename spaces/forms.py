"""Forms of the operator portal. They check shape and give each mistake its own message; the services
in spaces/services.py decide who may write and write."""

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.spreadsheet import is_formula_like

from .geography import DISTRICT_CHOICES, DIVISION_OF
from .models import PUNJAB_LAT, PUNJAB_LON, Operator, Space
from .services import OPERATOR_EDITABLE_FIELDS, SPACE_EDITABLE_FIELDS
from .validators import formula_refused, normalize_cnic, normalize_iban, normalize_mobile, normalize_ntn

SIX_PLACES = Decimal("0.000001")


class RefuseFormulasMixin:
    """Text the registry import would refuse as a formula (=, +, -, @, tab...) is refused here too, with
    the same message, so that no path stores what a later export would hand to a spreadsheet."""

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            if isinstance(value, str) and is_formula_like(value):
                self.add_error(name, formula_refused(value))
        return cleaned


class OperatorForm(RefuseFormulasMixin, forms.ModelForm):
    # Wider than the stored column: people type identifiers with spaces and dashes; clean_* stores the
    # canonical form and says exactly what is wrong when it cannot.
    ntn = forms.CharField(label=_("NTN"), max_length=20)
    principal_cnic = forms.CharField(label=_("Principal's CNIC"), max_length=20)
    contact_mobile = forms.CharField(label=_("Contact mobile number"), max_length=20)
    iban = forms.CharField(label=_("Bank IBAN"), max_length=40)

    class Meta:
        model = Operator
        fields = OPERATOR_EDITABLE_FIELDS
        labels = {
            "legal_name": _("Legal name of the company"),
            "legal_form": _("Legal form"),
            "secp_registration_number": _("SECP registration number"),
            "pseb_registration_number": _("PSEB registration number"),
            "principal_name": _("Principal's full name"),
            "contact_email": _("Contact email address"),
            "bank_account_title": _("Bank account title"),
            "registered_address": _("Registered address"),
        }
        help_texts = {
            "legal_name": _("Exactly as on your NTN certificate or SECP incorporation certificate."),
            "legal_form": _("How the company is registered."),
            "secp_registration_number": _(
                "On the SECP incorporation certificate. Companies only: sole proprietors and partnerships leave it "
                "empty."
            ),
            "pseb_registration_number": _("If the company is registered with the Pakistan Software Export Board."),
            "principal_name": _("The owner, partner or director who answers for the company, as on their CNIC."),
            "contact_email": _("Where the secretariat writes about your applications."),
            "bank_account_title": _("As the bank writes it. Grants and subsidies are paid only into this account."),
            "registered_address": _("The address on the company's registration documents."),
        }
        error_messages = {
            "legal_name": {"required": _("Enter the company's legal name.")},
            "legal_form": {"required": _("Choose the company's legal form.")},
            "principal_name": {"required": _("Enter the principal's full name.")},
            "contact_email": {
                "required": _("Enter a contact email address."),
                "invalid": _("Enter an email address in the right format, like name@example.com."),
            },
            "bank_account_title": {"required": _("Enter the bank account title.")},
            "registered_address": {"required": _("Enter the registered address.")},
        }
        widgets = {
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "registered_address": forms.TextInput(attrs={"autocomplete": "street-address"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        specific = {
            "ntn": (
                _("Seven digits and a check digit, written 1234567-8, as on the FBR certificate."),
                _("Enter the company's NTN."),
            ),
            "principal_cnic": (_("13 digits, written 12345-1234567-1."), _("Enter the principal's CNIC.")),
            "contact_mobile": (_("Written 03XX-XXXXXXX."), _("Enter a contact mobile number.")),
            "iban": (
                _("24 characters starting PK, as on your bank statement or cheque book. Spaces are fine."),
                _("Enter the bank IBAN."),
            ),
        }
        for name, (hint, required) in specific.items():
            self.fields[name].help_text = hint
            self.fields[name].error_messages["required"] = required
        # A declared field does not take Meta.error_messages; the model's uniqueness check reads this one.
        self.fields["ntn"].error_messages["unique"] = _(
            "A company with this NTN is already registered. If it is yours, ask its registered staff to add you, "
            "or contact the secretariat."
        )
        self.fields["ntn"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        self.fields["principal_cnic"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        self.fields["contact_mobile"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        self.fields["iban"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["legal_form"].choices = [("", _("Choose the legal form"))] + list(Operator.LegalForm.choices)

    def _update_errors(self, errors):
        # Operator.clean checks the identifiers again on the instance, where a field that failed above
        # is still empty; keep only the first, specific message for such a field.
        if hasattr(errors, "error_dict"):
            failed = set(self._errors or ())
            errors = ValidationError({f: e for f, e in errors.error_dict.items() if f not in failed})
        super()._update_errors(errors)

    def clean_ntn(self):
        return normalize_ntn(self.cleaned_data["ntn"])

    def clean_principal_cnic(self):
        return normalize_cnic(self.cleaned_data["principal_cnic"])

    def clean_contact_mobile(self):
        return normalize_mobile(self.cleaned_data["contact_mobile"])

    def clean_iban(self):
        return normalize_iban(self.cleaned_data["iban"])

    def clean_secp_registration_number(self):
        return (self.cleaned_data.get("secp_registration_number") or "").strip().upper()

    def clean_pseb_registration_number(self):
        return (self.cleaned_data.get("pseb_registration_number") or "").strip().upper()


def _coordinate_field(*, label, bounds, hint, required, invalid):
    low, high = bounds
    out_of_punjab = format_lazy(_("Enter a number between {low} and {high}: a place in Punjab."), low=low, high=high)
    return forms.DecimalField(
        label=label,
        help_text=hint,
        min_value=low,
        max_value=high,
        error_messages={
            "required": required,
            "invalid": invalid,
            "min_value": out_of_punjab,
            "max_value": out_of_punjab,
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class SpaceForm(RefuseFormulasMixin, forms.ModelForm):
    district = forms.ChoiceField(
        label=_("District"),
        help_text=_("Districts are grouped by division; the division is filled in from the district."),
        choices=[("", _("Choose the district"))] + DISTRICT_CHOICES,
        error_messages={
            "required": _("Choose the district the space is in."),
            "invalid_choice": _("Choose a Punjab district from the list."),
        },
    )
    latitude = _coordinate_field(
        label=_("Latitude"),
        bounds=PUNJAB_LAT,
        hint=_("From a map app: press and hold on the space and copy the first number, like 31.520400."),
        required=_("Enter the latitude."),
        invalid=_("Enter the latitude as a number, like 31.520400."),
    )
    longitude = _coordinate_field(
        label=_("Longitude"),
        bounds=PUNJAB_LON,
        hint=_("The second number from the map app, like 74.358700."),
        required=_("Enter the longitude."),
        invalid=_("Enter the longitude as a number, like 74.358700."),
    )

    class Meta:
        model = Space
        fields = SPACE_EDITABLE_FIELDS
        labels = {
            "code": _("Space code"),
            "name": _("Name of the space"),
            "address": _("Street address"),
            "postal_code": _("Postal code"),
            "seats_offered": _("Seats offered"),
            "private_offices": _("Private offices"),
            "meeting_rooms": _("Meeting rooms"),
            "internet_bandwidth_mbps": _("Internet bandwidth (Mbps)"),
            "power_backup": _("Power backup"),
            "opening_date": _("Opening date"),
        }
        help_texts = {
            "code": _(
                "Three letters for the district and a number, e.g. LHR-001. Use the code the secretariat "
                "gave you, if it did. It cannot be changed later."
            ),
            "name": _("The name members know the space by."),
            "address": _("Where an inspector would find the space."),
            "postal_code": _("Five digits."),
            "seats_offered": _("Desks available to members, from 1 to 5000."),
            "private_offices": _("Rooms rented to one team. Write 0 if there are none."),
            "meeting_rooms": _("Write 0 if there are none."),
            "internet_bandwidth_mbps": _("The speed of the space's internet connection, in megabits per second."),
            "power_backup": _("What keeps the space working in load-shedding."),
            "opening_date": _("The day the space opened, or will open, to members."),
        }
        error_messages = {
            "code": {
                "required": _("Enter the space code."),
                "unique": _("Another space already has this code. Ask the secretariat for your space's code."),
            },
            "name": {"required": _("Enter the name of the space.")},
            "address": {"required": _("Enter the street address.")},
            "postal_code": {"invalid": _("A postal code is five digits.")},
            "seats_offered": {
                "required": _("Enter the number of seats offered."),
                "invalid": _("Enter the number of seats as a whole number."),
                "min_value": _("A space offers at least 1 seat."),
                "max_value": _("A space offers at most 5000 seats."),
            },
            "private_offices": {"invalid": _("Enter the number of private offices as a whole number.")},
            "meeting_rooms": {"invalid": _("Enter the number of meeting rooms as a whole number.")},
            "internet_bandwidth_mbps": {
                "required": _("Enter the internet bandwidth."),
                "invalid": _("Enter the bandwidth as a whole number of Mbps."),
                "min_value": _("The bandwidth is at least 1 Mbps."),
                "max_value": _("The bandwidth is at most 100000 Mbps."),
            },
            "power_backup": {"required": _("Choose the power backup.")},
            "opening_date": {
                "required": _("Enter the opening date."),
                "invalid": _("Enter the opening date as a real date, like 2025-07-01."),
            },
        }
        widgets = {
            "opening_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "postal_code": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
            "address": forms.TextInput(attrs={"autocomplete": "street-address"}),
        }

    def __init__(self, *args, operator: Operator, **kwargs):
        super().__init__(*args, **kwargs)
        self.operator = operator
        self.instance.operator = operator
        if self.instance.pk:
            # The code identifies the space in returns and payments: it is fixed once given.
            del self.fields["code"]
        for name in ("private_offices", "meeting_rooms"):
            self.fields[name].required = False
        self.fields["power_backup"].choices = [("", _("Choose the power backup"))] + list(Space.PowerBackup.choices)

    def clean_code(self):
        return (self.cleaned_data.get("code") or "").strip().upper()

    def clean_name(self):
        name = " ".join((self.cleaned_data.get("name") or "").split())
        if self.operator.spaces.filter(name__iexact=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Your company already has a space with this name."), code="duplicate_name")
        return name

    def clean_latitude(self):
        return self.cleaned_data["latitude"].quantize(SIX_PLACES, rounding=ROUND_HALF_UP)

    def clean_longitude(self):
        return self.cleaned_data["longitude"].quantize(SIX_PLACES, rounding=ROUND_HALF_UP)

    def clean_private_offices(self):
        return self.cleaned_data.get("private_offices") or 0

    def clean_meeting_rooms(self):
        return self.cleaned_data.get("meeting_rooms") or 0

    def clean(self):
        cleaned = super().clean()
        # The model checks that division and district agree; the division always follows the district.
        self.instance.division = DIVISION_OF.get(cleaned.get("district") or "", "")
        return cleaned

    def details(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


class OperatorVerifyForm(forms.Form):
    note = forms.CharField(
        label=_("Note for the record"),
        help_text=_("What you checked, e.g. the NTN and SECP certificates and a bank letter for the IBAN."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SpaceAdmissionForm(forms.Form):
    """The officer's admission checklist, then admit or decline (the button pressed says which)."""

    address_verified = forms.BooleanField(label=_("Address verified on site"), required=False)
    seats_counted = forms.BooleanField(label=_("Seats counted"), required=False)
    seats_found = forms.IntegerField(
        label=_("Seats found"),
        required=False,
        min_value=0,
        max_value=5000,
        help_text=_("How many seats you counted."),
    )
    internet_checked = forms.BooleanField(label=_("Internet connection checked"), required=False)
    backup_power = forms.BooleanField(label=_("Backup power in place"), required=False)
    womens_facilities = forms.BooleanField(
        label=_("Women's facilities in place"),
        required=False,
        help_text=_("A separate washroom and a space where women members can work and pray in privacy."),
    )
    reason = forms.CharField(
        label=_("Reason or note"),
        help_text=_("Required to decline: the company reads it. When admitting, a note for the record."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    decision = forms.ChoiceField(choices=[("admit", _("Admit")), ("decline", _("Decline"))])
