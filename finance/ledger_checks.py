"""Finance's invariants of the general ledger (run by `manage.py check_ledger` and the tests): every
entry balances; the bank account's payments equal what the money ledger says was paid less returned;
grants payable equals what checkers approved and the bank has not yet paid.

Registered in FinanceConfig.ready(); the instruments register theirs (commitments, the loan book).
"""

from decimal import Decimal

from django.db.models import Exists, OuterRef, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .journal import Account, balance, entries_balance, payment_accounts_for, register_invariant
from .models import LedgerEntry, PaymentInstruction, PaymentState

ZERO = Decimal("0.00")
AWAITING_THE_BANK = (PaymentState.APPROVED, PaymentState.IN_BATCH, PaymentState.SENT)


def paid_less_returned() -> Decimal:
    """What the money ledger says left the bank: every `paid` row, less the `reversal` rows of payments
    that had been paid (the bank returned them). A cancelled payment's reversal never left the bank."""
    paid = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAID).aggregate(total=Sum("amount"))["total"] or ZERO
    was_paid = LedgerEntry.objects.filter(instruction=OuterRef("instruction"), kind=LedgerEntry.Kind.PAID)
    returned = (
        LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REVERSAL)
        .filter(Exists(was_paid))
        .aggregate(total=Sum("amount"))["total"]
        or ZERO
    )
    return paid - returned


def bank_equals_paid_less_returned() -> list[str]:
    in_ledger = -balance(Account.BANK, source_prefix="finance.payment:")
    expected = paid_less_returned()
    if in_ledger != expected:
        return [
            _("The bank account's payments are PKR %(gl)s; the money ledger's paid less returned is PKR %(book)s.")
            % {"gl": f"{in_ledger:,.2f}", "book": f"{expected:,.2f}"}
        ]
    return []


def payable_equals_awaiting_payment() -> list[str]:
    awaiting, unknown = ZERO, set()
    for key, amount in PaymentInstruction.objects.filter(state__in=AWAITING_THE_BANK).values_list(
        "idempotency_key", "amount"
    ):
        try:
            accrues = payment_accounts_for(key).accrues
        except LookupError:
            unknown.add(key.split(":", 1)[0])
            continue
        if accrues:
            awaiting += amount
    if unknown:
        return [
            _("Payments of %(labels)s have no general-ledger account registered, so the ledger cannot hold them.")
            % {"labels": ", ".join(sorted(unknown))}
        ]
    in_ledger = balance(Account.GRANTS_PAYABLE)
    if in_ledger != awaiting:
        return [
            _("Grants payable is PKR %(gl)s; payments approved and not yet paid by the bank come to PKR %(book)s.")
            % {"gl": f"{in_ledger:,.2f}", "book": f"{awaiting:,.2f}"}
        ]
    return []


def register() -> None:
    register_invariant(gettext_lazy("Every entry balances"), entries_balance)
    register_invariant(gettext_lazy("The bank's payments equal paid less returned"), bank_equals_paid_less_returned)
    register_invariant(
        gettext_lazy("Grants payable equals the payments awaiting the bank"), payable_equals_awaiting_payment
    )
