"""The loan book's general-ledger postings (finance.journal), each in the transaction of its loan rows.

    repayment            Dr BANK amount / Cr LOANS_RECEIVABLE principal / Cr MARKUP_INCOME interest
    reversal or replay   the reversed repayment's entry mirrored (reverse_entry), then the replayed
                         repayment's own entry with its new split
    write-off            Dr WRITE_OFFS / Cr LOANS_RECEIVABLE (the principal written off)
    recovery             Dr BANK / Cr RECOVERIES; its reversal mirrored
Markup is accounted on a cash basis (income when received), as Fineract's cash-based accounting.
Disbursements are posted by finance when their payment is paid or returned (the accounts registered
in loans.apps: Dr LOANS_RECEIVABLE / Cr BANK).

    markup capitalised   Dr LOANS_RECEIVABLE / Cr MARKUP_CAPITALISED, by the change in what the loan
                         book has added to the principal (grace months "nothing paid", restructuring)

The invariant registered in loans.apps: the LOANS_RECEIVABLE balance equals the loan book's
outstanding principal (the stored positions, capitalised markup included), over all loans.
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


# --- markup capitalised ----------------------------------------------------------------------------------


def capitalised_so_far(loan: Loan) -> Decimal:
    """Markup added to the loan's principal so far: by "nothing paid" grace months once due, and by a
    restructuring's overdue markup. The stored position's outstanding principal already counts it, so
    it is what that principal exceeds the parts paid less principal repaid less written off by."""
    return loan.outstanding_principal + loan.principal_repaid + loan.write_off_amount - loan.disbursed_amount


def _capitalised_prefix(loan: Loan) -> str:
    return f"loans.loan:{loan.pk}:capitalised:"


def post_capitalised_markup(loans, *, on: dt.date, actor="system") -> int:
    """Bring the ledger's capitalised markup of each loan up to the loan book's (from its stored
    position): Dr LOANS_RECEIVABLE / Cr MARKUP_CAPITALISED by the change since the last posting. Runs
    where a position is stored (each repayment, disbursement and the daily pass), in its transaction;
    a loan whose figure did not move posts nothing, so it is idempotent. One query reads what is
    posted for all the loans given. Returns the entries posted."""
    from finance.models import JournalLine

    loans = list(loans)
    wanted = {loan.pk for loan in loans}
    posted_so_far: dict[int, Decimal] = {}
    counts: dict[int, int] = {}
    lines = JournalLine.objects.filter(entry__event=LoanEvent.CAPITALISE, account=Account.LOANS_RECEIVABLE).values_list(
        "entry__source", "debit", "credit"
    )
    for source, debit, credit in lines:
        loan_pk = int(source.split(":", 2)[1])
        if loan_pk in wanted:
            posted_so_far[loan_pk] = posted_so_far.get(loan_pk, ZERO) + debit - credit
            counts[loan_pk] = counts.get(loan_pk, 0) + 1
    posted = 0
    for loan in loans:
        change = capitalised_so_far(loan) - posted_so_far.get(loan.pk, ZERO)
        if not change:
            continue
        post_entry(
            source=f"{_capitalised_prefix(loan)}{counts.get(loan.pk, 0) + 1}",
            event=LoanEvent.CAPITALISE,
            on=on,
            narration=f"Markup capitalised into loan {loan.sanction_number} (schedule as of {on.isoformat()})",
            actor=actor,
            lines=[Dr(Account.LOANS_RECEIVABLE, change), Cr(Account.MARKUP_CAPITALISED, change)],
        )
        posted += 1
    return posted


# --- the invariant --------------------------------------------------------------------------------------


def book_principal_outstanding() -> Decimal:
    """The loan book's outstanding principal: each loan's stored position (capitalised markup
    included; nothing for a loan closed or written off), over all loans."""
    return Loan.objects.aggregate(total=Sum("outstanding_principal"))["total"] or ZERO


def receivable_ties_to_the_book() -> list[str]:
    ledger = balance(Account.LOANS_RECEIVABLE)
    book = book_principal_outstanding()
    if ledger == book:
        return []
    return [
        _(
            "Loans receivable in the general ledger is PKR %(ledger)s, but the loan book's outstanding principal "
            "is PKR %(book)s: a difference of PKR %(diff)s."
        )
        % {"ledger": f"{ledger:,.2f}", "book": f"{book:,.2f}", "diff": f"{ledger - book:,.2f}"}
    ]
