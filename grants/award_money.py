"""What an award has been paid: one function every instrument's payment hook calls.

An award's `paid` is the running total of its payments that the bank has paid. It moves only here,
inside the transaction that moves the payment (finance calls the instrument's hook from there), under
a lock of the award row, so concurrent payments queue and each sees its predecessor's total. The
database refuses a total above the award (`award_paid_within_amount`): paid ≤ committed holds even if
a caller forgets to check. Callers check first with `award_headroom` to refuse with a clear message.
"""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.errors import DomainError

from .models import Award


class AwardOverpaid(DomainError):
    """The payment would take the award past what was committed for it."""


def award_headroom(award: Award) -> Decimal:
    """What may still be paid on the award (committed − paid), read fresh."""
    amount, paid = Award.objects.filter(pk=award.pk).values_list("amount", "paid").get()
    return amount - paid


def award_record_payment(*, award: Award, amount: Decimal) -> Award:
    """Add a paid payment (amount > 0) or take back a returned one (amount < 0). Must run inside the
    transaction that changes the payment. Raises AwardOverpaid when the award would be overpaid."""
    if not isinstance(amount, Decimal) or amount == 0:
        raise ValueError("award_record_payment needs a non-zero Decimal amount.")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("award_record_payment must run inside the payment's transaction.")
    locked = Award.objects.select_for_update().get(pk=award.pk)
    total = locked.paid + amount
    if total > locked.amount:
        raise AwardOverpaid(
            _("Award %(sanction)s would be overpaid: PKR %(total)s paid against PKR %(amount)s committed.")
            % {"sanction": locked.sanction_number, "total": f"{total:,.2f}", "amount": f"{locked.amount:,.2f}"}
        )
    if total < 0:
        raise ValueError("An award's paid total cannot fall below zero.")
    locked.paid = total
    try:
        with transaction.atomic():
            locked.save(update_fields=["paid"])
    except IntegrityError as error:  # the CHECK: a path that skipped the test above
        raise AwardOverpaid(
            _("Award %(sanction)s would be overpaid.") % {"sanction": locked.sanction_number}
        ) from error
    return locked
