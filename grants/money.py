"""Reading and showing money. PKR amounts are Decimal with two places, never float."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

# DecimalField(max_digits=14, decimal_places=2): the largest amount a column can hold.
MONEY_CEILING = Decimal("999999999999.99")


def pkr(amount: Decimal | None) -> str:
    """'PKR 1,234,567' (paisas shown only when there are any)."""
    if amount is None:
        return "—"
    amount = Decimal(amount)
    if amount == amount.to_integral_value():
        return f"PKR {amount:,.0f}"
    return f"PKR {amount:,.2f}"


def parse_money(value, label: str) -> tuple[Decimal | None, str | None]:
    """(amount, None) for a usable non-negative amount, or (None, message) saying what is wrong.

    Accepts Decimal, int or a string like '1,250,000' or '1250000.50'. Refuses floats (binary
    fractions are not money), more than two decimal places, NaN/Infinity and negatives.
    """
    if value is None or value == "":
        return None, _("Enter %(label)s.") % {"label": label}
    if isinstance(value, float | bool):
        return None, _("%(label)s must be a whole amount in rupees and paisas.") % {"label": label}
    try:
        amount = Decimal(str(value).replace(",", "").strip()) if isinstance(value, str) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None, _("%(label)s must be an amount in rupees, like 1,250,000.") % {"label": label}
    if not amount.is_finite():
        return None, _("%(label)s must be an amount in rupees, like 1,250,000.") % {"label": label}
    if amount < 0:
        return None, _("%(label)s cannot be negative.") % {"label": label}
    if amount != amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP):
        return None, _("%(label)s can have at most two decimal places (paisas).") % {"label": label}
    if amount > MONEY_CEILING:
        return None, _("%(label)s is far larger than any amount this program handles.") % {"label": label}
    return amount.quantize(Decimal("0.01")), None


def percent(value: Decimal) -> str:
    """'20' for Decimal('20.00'), '12.5' for Decimal('12.50')."""
    return format(Decimal(value).normalize(), "f")
