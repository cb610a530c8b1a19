from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from spaces.validators import normalize_mobile

from .models import User


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": _("The email address or password is not right."),
        "inactive": _("This account is switched off. Ask the program secretariat to restore it."),
        "unverified": _(
            "You need to confirm your email address before you can sign in. Open the link we emailed "
            "you, or ask for a new link."
        ),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        # Checked only after the password matched, so it reveals nothing to someone guessing.
        if user.email_verified_at is None:
            raise ValidationError(self.error_messages["unverified"], code="unverified")

    @property
    def needs_verification(self) -> bool:
        return any(error.code == "unverified" for error in self.errors.as_data().get("__all__", []))


def _password_rules() -> str:
    return " ".join(str(text) for text in password_validation.password_validators_help_texts())


# Lazy, so the rules are written in the language of each request, not the one active at import.
password_rules = lazy(_password_rules, str)


class SignUpForm(forms.Form):
    signed_up_as = forms.ChoiceField(
        label=_("I am"),
        choices=User.SignedUpAs.choices,
        initial=User.SignedUpAs.OPERATOR,
        widget=forms.RadioSelect,
        # Pre-selected on the page; a post without it (an older form, a script) signs up an operator.
        required=False,
    )
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("We will send a link to this address to confirm it is yours. You sign in with it."),
        max_length=254,
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address in the right format, like name@example.com."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    full_name = forms.CharField(
        label=_("Full name"),
        help_text=_("As written on your CNIC."),
        max_length=150,
        error_messages={"required": _("Enter your full name.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    mobile = forms.CharField(
        label=_("Mobile number"),
        help_text=_("Written 03XX-XXXXXXX. The secretariat may call you about your applications."),
        max_length=20,
        error_messages={"required": _("Enter your mobile number.")},
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=password_rules(),
        error_messages={"required": _("Enter a password.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        help_text=_("Type the same password again, to be sure it has no typing mistake."),
        error_messages={"required": _("Type your password again.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_signed_up_as(self):
        return self.cleaned_data.get("signed_up_as") or User.SignedUpAs.OPERATOR

    def clean_email(self):
        # Whether the address has an account is never said here (security issue #14): the service
        # answers both the same way and writes to the owner of a taken one.
        return self.cleaned_data["email"].strip().lower()

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise ValidationError(_("Enter your full name."), code="required")
        return name

    def clean_mobile(self):
        return normalize_mobile(self.cleaned_data["mobile"])

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", ValidationError(_("The two passwords are not the same."), code="mismatch"))
        elif password1:
            candidate = User(email=cleaned.get("email") or "", full_name=cleaned.get("full_name") or "")
            try:
                password_validation.validate_password(password1, user=candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ResendVerificationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("The address you signed up with."),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address in the right format, like name@example.com."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Six-digit code"),
        help_text=_("From your authenticator app (for example Google Authenticator or Microsoft Authenticator)."),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        if not (token.isdigit() and len(token) == 6):
            raise forms.ValidationError(_("Enter the six digits, for example 123456."))
        return token


class SignInCodeForm(forms.Form):
    """The code prompt: six digits from the authenticator app, or one of the person's recovery codes."""

    token = forms.CharField(
        label=_("Code"),
        help_text=_(
            "The six digits your authenticator app shows now. Without your phone, type one of your "
            "recovery codes instead (for example abcde-fghij)."
        ),
        max_length=24,
        error_messages={"required": _("Enter the six digits, or a recovery code.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def clean_token(self):
        token = "".join(self.cleaned_data["token"].split())
        if token.isdigit():
            if len(token) != 6:
                raise forms.ValidationError(_("Enter the six digits, for example 123456."))
            return token
        letters = "".join(ch for ch in token.lower() if ch.isalnum())
        if len(letters) != 10:
            raise forms.ValidationError(_("A recovery code has ten letters and digits, for example abcde-fghij."))
        return letters
