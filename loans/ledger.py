"""The loan book's general-ledger postings (finance.journal), each in the transaction of its loan rows.

    repayment            Dr BANK amount / Cr LOANS_RECEIVABLE principal / Cr MARKUP_INCOME interest
    reversal or replay   the reversed repayment's entry mirrored (reverse_entry), then the replayed
                         repayment's own entry with its new split
    write-off            Dr WRITE_OFFS / Cr LOANS_RECEIVABLE (the principal written off)
    recovery             Dr BANK / Cr RECOVERIES; its reversal mirrored
Markup is accounted on a cash basis (income when received), as Fineract's cash-based accounting.
Disbursements are posted by finance when their payment is paid or returned (the accounts registered
in loans.apps: Dr LOANS_RECEIVABLE / Cr BANK).

The invariant registered in loans.apps: the LOANS_RECEIVABLE balance equals the loan book's
outstanding principal, disbursed (parts paid) less principal repaid less principal written off, over
all loans.
"""

import datetime as dt
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from finance.journal import Account, Cr, Dr, Line, balance, is_posted, post_entry, reverse_entry

from .events import LoanEvent
from .models import Loan, Recovery, Repayment, WriteOffProposal

ZERO = Decimal("0.00")


def _source(row) -> str:
    return f"loans.{row._meta.model_name}:{row.pk}"


def post_repayment(repayment: Repayment, *, actor) -> None:
    post_entry(
        source=_source(repayment),
        event=LoanEvent.REPAYMENT,
        on=repayment.received_on,
        narration=f"Repayment of loan {repayment.loan.sanction_number} ({repayment.bank_reference})",
        actor=actor,
        lines=[
            Dr(Account.BANK, repayment.amount),
            Cr(Account.LOANS_RECEIVABLE, repayment.principal),
            Cr(Account.MARKUP_INCOME, repayment.interest),
        ],
    )


def post_replayed_repayment(repayment: Repayment, *, actor, on: dt.date) -> None:
    """A later repayment posted again after an earlier one was reversed: its new split, on the day of
    the correction (the ledger never changes a past day)."""
    post_entry(
        source=_source(repayment),
        event=LoanEvent.REPAYMENT_REPLAY,
        on=on,
        narration=(
            f"Repayment of loan {repayment.loan.sanction_number} ({repayment.bank_reference}, received "
            f"{repayment.received_on.isoformat()}) split again after an earlier repayment was reversed"
        ),
        actor=actor,
        lines=[
            Dr(Account.BANK, repayment.amount),
            Cr(Account.LOANS_RECEIVABLE, repayment.principal),
            Cr(Account.MARKUP_INCOME, repayment.interest),
        ],
    )


def _mirror(original, reversal, *, on: dt.date, reason: str, actor, lines: list[Line], event: str) -> None:
    source = _source(reversal)
    if is_posted(_source(original)):
        reverse_entry(_source(original), source=source, on=on, reason=reason, actor=actor)
    else:  # a row older than the ledger: its mirror from the row's own figures
        post_entry(source=source, event=event, on=on, narration=reason, actor=actor, lines=lines)


def reverse_repayment(original: Repayment, reversal: Repayment, *, actor, reason: str, on: dt.date) -> None:
    _mirror(
        original,
        reversal,
        on=on,
        reason=reason,
        actor=actor,
        event=LoanEvent.REPAYMENT_REVERSAL,
        lines=[
            Cr(Account.BANK, original.amount),
            Dr(Account.LOANS_RECEIVABLE, original.principal),
            Dr(Account.MARKUP_INCOME, original.interest),
        ],
    )


def post_write_off(proposal: WriteOffProposal, loan: Loan, *, actor) -> None:
    post_entry(
        source=_source(proposal),
        event=LoanEvent.WRITE_OFF,
        on=loan.written_off_on or timezone.localdate(),
        narration=f"Write-off of loan {loan.sanction_number}: {proposal.reason}",
        actor=actor,
        lines=[Dr(Account.WRITE_OFFS, loan.write_off_amount), Cr(Account.LOANS_RECEIVABLE, loan.write_off_amount)],
    )


def post_recovery(recovery: Recovery, *, actor) -> None:
    post_entry(
        source=_source(recovery),
        event=LoanEvent.RECOVERY,
        on=recovery.received_on,
        narration=f"Recovery on written-off loan {recovery.loan.sanction_number} ({recovery.bank_reference})",
        actor=actor,
        lines=[Dr(Account.BANK, recovery.amount), Cr(Account.RECOVERIES, recovery.amount)],
    )


def reverse_recovery(original: Recovery, reversal: Recovery, *, actor, reason: str, on: dt.date) -> None:
    _mirror(
        original,
        reversal,
        on=on,
        reason=reason,
        actor=actor,
        event=LoanEvent.RECOVERY_REVERSAL,
        lines=[Cr(Account.BANK, original.amount), Dr(Account.RECOVERIES, original.amount)],
    )


# --- the invariant --------------------------------------------------------------------------------------


def book_principal_outstanding() -> Decimal:
    """Disbursed (the parts paid) less principal repaid less principal written off, over all loans."""
    sums = Loan.objects.aggregate(
        disbursed=Sum("disbursed_amount"), repaid=Sum("principal_repaid"), written_off=Sum("write_off_amount")
    )
    return (sums["disbursed"] or ZERO) - (sums["repaid"] or ZERO) - (sums["written_off"] or ZERO)


def receivable_ties_to_the_book() -> list[str]:
    ledger = balance(Account.LOANS_RECEIVABLE)
    book = book_principal_outstanding()
    if ledger == book:
        return []
    return [
        _(
            "Loans receivable in the general ledger is PKR %(ledger)s, but the loan book's outstanding principal "
            "(disbursed less principal repaid less written off) is PKR %(book)s: a difference of PKR %(diff)s."
        )
        % {"ledger": f"{ledger:,.2f}", "book": f"{book:,.2f}", "diff": f"{ledger - book:,.2f}"}
    ]
