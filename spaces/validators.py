"""Validators for Pakistani identifiers, built on maintained libraries where one exists.

- CNIC: python-stdnum (stdnum.pk.cnic) — 13 digits, shown #####-#######-#.
- IBAN: python-stdnum (stdnum.iban, ISO 13616 mod-97), restricted to Pakistani IBANs (24 characters).
- Mobile: phonenumbers (Google's libphonenumber), which knows Pakistan's mobile ranges.
- NTN: no maintained library validates it and FBR does not publish the check-digit rule, so only its
  shape is checked: seven digits and a check digit, shown 1234567-8.
"""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from stdnum import iban as stdnum_iban
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
)
from stdnum.exceptions import (
    ValidationError as StdnumError,
)
from stdnum.pk import cnic as stdnum_cnic

NTN_RE = re.compile(r"^\d{7}-?\d$")
SECP_RE = re.compile(r"^[0-9A-Z][0-9A-Z\-/]{3,19}$")


def normalize_cnic(value: str) -> str:
    """Return the CNIC in its shown form #####-#######-#, or raise ValidationError."""
    try:
        compact = stdnum_cnic.validate(value or "")
    except InvalidLength:
        raise ValidationError(_("A CNIC has 13 digits, written 12345-1234567-1."), code="cnic_length") from None
    except InvalidFormat:
        raise ValidationError(
            _("A CNIC has only digits and dashes, written 12345-1234567-1."), code="cnic_format"
        ) from None
    except InvalidComponent:
        raise ValidationError(
            _("This CNIC's first digit is not a province NADRA issues."), code="cnic_region"
        ) from None
    except StdnumError:
        raise ValidationError(_("This is not a valid CNIC."), code="cnic") from None
    return stdnum_cnic.format(compact)


def validate_cnic(value: str) -> None:
    normalize_cnic(value)


def normalize_iban(value: str) -> str:
    """Return a Pakistani IBAN in compact upper case (PK36SCBL0000001123456702), or raise."""
    compact = stdnum_iban.compact(value or "")
    if not compact.startswith("PK"):
        raise ValidationError(_("Only Pakistani IBANs are accepted: they start with PK."), code="iban_country")
    if len(compact) != 24:
        raise ValidationError(
            _("A Pakistani IBAN has 24 characters; this one has %(n)d.") % {"n": len(compact)},
            code="iban_length",
        )
    try:
        stdnum_iban.validate(compact)
    except InvalidChecksum:
        raise ValidationError(
            _("This IBAN's check digits do not match: please copy it again from the bank statement."),
            code="iban_checksum",
        ) from None
    except StdnumError:
        raise ValidationError(
            _("This IBAN is not in the Pakistani format PK, 2 check digits, 4-letter bank code, 16 digits."),
            code="iban_format",
        ) from None
    return compact


def validate_iban(value: str) -> None:
    normalize_iban(value)


def normalize_ntn(value: str) -> str:
    """Return an NTN as 1234567-8, or raise. Only the shape can be checked (see module docstring)."""
    value = (value or "").strip()
    if not NTN_RE.match(value):
        raise ValidationError(_("An NTN is seven digits and a check digit, written 1234567-8."), code="ntn_format")
    digits = value.replace("-", "")
    return f"{digits[:7]}-{digits[7]}"


def validate_ntn(value: str) -> None:
    normalize_ntn(value)


def normalize_mobile(value: str) -> str:
    """Return a Pakistani mobile number as 03XX-XXXXXXX, or raise."""
    try:
        number = phonenumbers.parse(value or "", "PK")
    except phonenumbers.NumberParseException:
        raise ValidationError(_("Write the mobile number as 03XX-XXXXXXX."), code="mobile_format") from None
    if number.country_code != 92 or not phonenumbers.is_valid_number(number):
        raise ValidationError(_("This is not a valid Pakistani mobile number (03XX-XXXXXXX)."), code="mobile_invalid")
    if phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
        raise ValidationError(
            _("This is a landline number; a mobile number (03XX-XXXXXXX) is needed."), code="mobile_landline"
        )
    national = f"0{number.national_number}"
    return f"{national[:4]}-{national[4:]}"


def validate_mobile(value: str) -> None:
    normalize_mobile(value)


def validate_secp(value: str) -> None:
    if not SECP_RE.match((value or "").strip().upper()):
        raise ValidationError(
            _("An SECP registration number has 4 to 20 letters, digits, dashes or slashes."),
            code="secp_format",
        )


def mask(value: str, visible: int = 4) -> str:
    """Show only the last `visible` characters: CNICs and IBANs to people who do not need them."""
    value = value or ""
    if len(value) <= visible:
        return value
    return "•" * (len(value) - visible) + value[-visible:]


def formula_refused(value) -> str:
    """The one refusal for a formula-like value (core.spreadsheet.is_formula_like), in the registry
    import and in the portal's forms alike."""
    return gettext("This holds a formula (%(value)s); only plain values are accepted.") % {"value": str(value)[:40]}
