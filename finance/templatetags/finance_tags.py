from decimal import Decimal

from django import template

from core import money

from ..models import PaymentState

register = template.Library()

_TAGS = {
    PaymentState.REQUESTED: "",
    PaymentState.PREPARED: "tag--warn",
    PaymentState.APPROVED: "tag--warn",
    PaymentState.IN_BATCH: "tag--warn",
    PaymentState.SENT: "tag--warn",
    PaymentState.PAID: "tag--ok",
    PaymentState.RECONCILED: "tag--ok",
    PaymentState.FAILED: "tag--bad",
    PaymentState.RETRIED: "",
    PaymentState.CANCELLED: "",
}


@register.filter
def rupees(amount) -> str:
    """'PKR 1,250,000.00' — payments always show their paisas."""
    if amount in (None, ""):
        return "—"
    return money.pkr(Decimal(amount), paisas=True)


@register.filter
def payment_tag(state: str) -> str:
    return _TAGS.get(state, "")
