"""Reading and showing money. PKR amounts are Decimal with two places, never float.

One parser for every amount a person types (forms, services, importers): it checks the size and the
precision of the number *before* quantizing, so `1e30` or `1e-30` gets a message, never a 500
(quantizing a number with more digits than the context holds raises InvalidOperation).
"""

import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

PAISA = Decimal("0.01")
# DecimalField(max_digits=14, decimal_places=2): the largest amount a column can hold.
MONEY_CEILING = Decimal("999999999999.99")

# What people type: digits with optional thousands separators (1,500,000 or 15,00,000 in the
# South Asian grouping), an optional sign and at most a few decimals. Nothing else: no exponent,
# no underscores (Python's `1_000`), no "NaN"/"Infinity".
_AMOUNT = re.compile(r"^[+-]?(\d{1,3}(,\d{2,3})*|\d+)(\.\d+)?$")
# Arabic-Indic (٠-٩) and Extended Arabic-Indic / Urdu (۰-۹) digits, and the Arabic thousands and
# decimal separators, read as the ASCII ones: an Urdu keyboard types these.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٬٫", "01234567890123456789,.")


def pkr(amount: Decimal | None, *, paisas: bool = False) -> str:
    """'PKR 1,234,567' in English, '1,234,567 روپے' on an Urdu page (the catalogue's "PKR %(amount)s");
    paisas shown when there are any, or always with `paisas` (payments)."""
    if amount is None:
        return "—"
    amount = Decimal(amount)
    digits = f"{amount:,.2f}" if paisas or amount != amount.to_integral_value() else f"{amount:,.0f}"
    return _("PKR %(amount)s") % {"amount": digits}


def pkr_each(amount: Decimal | None, *, paisas: bool = False) -> Callable[[], str]:
    """An amount for a notice's parameters: written when the notice is rendered, so each recipient reads
    it in their own language (core.messages.Notice)."""
    return lambda: pkr(amount, paisas=paisas)


def percent(value: Decimal) -> str:
    """'20' for Decimal('20.00'), '12.5' for Decimal('12.50')."""
    return format(Decimal(value).normalize(), "f")


def _as_decimal(value: object) -> Decimal | None:
    """The Decimal a person meant, or None when the text is not an amount at all."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if not isinstance(value, str):
        return None
    text = value.strip().translate(_DIGITS).replace(" ", "")
    if not _AMOUNT.match(text):
        return None
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        return None


def parse_money(value: object, label: str, *, positive: bool = False) -> tuple[Decimal | None, str | None]:
    """(amount, None) for a usable amount, or (None, message) saying what is wrong.

    Accepts Decimal, int, or text as people type it: '1,250,000', '15,00,000', '1250000.50', Urdu
    digits. Refuses floats (binary fractions are not money), exponents, underscores, NaN/Infinity,
    negatives (and zero when `positive`), more than two decimal places and amounts beyond any column.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, _("Enter %(label)s.") % {"label": label}
    if isinstance(value, float | bool):
        return None, _("%(label)s must be a whole amount in rupees and paisas.") % {"label": label}
    amount = _as_decimal(value)
    if amount is None or not amount.is_finite():
        return None, _("%(label)s must be an amount in rupees, like 1,250,000.") % {"label": label}
    # Size and precision first, on the exponent alone: nothing here can overflow or raise.
    if positive and amount <= 0:
        return None, _("%(label)s must be more than zero.") % {"label": label}
    if amount < 0:
        return None, _("%(label)s cannot be negative.") % {"label": label}
    if amount > MONEY_CEILING:
        return None, _("%(label)s is far larger than any amount this program handles.") % {"label": label}
    exponent = amount.normalize().as_tuple().exponent
    if amount != 0 and isinstance(exponent, int) and exponent < -2:
        return None, _("%(label)s can have at most two decimal places (paisas).") % {"label": label}
    return amount.quantize(PAISA, rounding=ROUND_HALF_UP), None
