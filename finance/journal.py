"""The general ledger's one door (issue #22): every money event of the system posts a balanced journal
entry here, in the same transaction as the row it accounts for.

    from finance.journal import Account, Cr, Dr, post_entry, reverse_entry

    post_entry(
        source=f"loans.repayment:{repayment.pk}",       # unique: a source posts once
        event=LoanEvent.REPAYMENT,
        on=repayment.received_on,
        narration=f"Repayment of {loan.sanction_number}",
        actor=actor,
        lines=[Dr(Account.BANK, amount), Cr(Account.LOANS_RECEIVABLE, principal), Cr(Account.MARKUP_INCOME, interest)],
    )
    reverse_entry(
        f"loans.repayment:{repayment.pk}", source=f"loans.repayment:{reversal.pk}", on=day, reason=..., actor=actor
    )

Entries are append-only; a correction is a reversing entry. A line of zero is dropped, a negative
amount changes sides, and an entry whose debits and credits differ is refused before anything is written.

Who posts what: finance posts every payment from its own money ledger (finance.services._common): the
instrument says which account a payment of its sources debits (`payment_account`). Grants posts
allocations and commitments, loans its repayments, write-offs and recoveries. Each concern that keeps
its own book registers an invariant (`register_invariant`) that `manage.py check_ledger` and the tests
run: the ledger must tie to every book to the paisa.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.fiscal import fiscal_year_start

from .models import GLAccount, JournalEntry, JournalLine

if TYPE_CHECKING:
    from accounts.models import User

Account = GLAccount
ZERO = Decimal("0.00")

# Debit-normal accounts: their balance is debits less credits; the others' credits less debits.
DEBIT_NORMAL = frozenset(
    {
        Account.BANK,
        Account.LOANS_RECEIVABLE,
        Account.GRANT_EXPENDITURE,
        Account.UTILITY_SUBSIDY_EXPENDITURE,
        Account.SEAT_SUBSIDY_EXPENDITURE,
        Account.WRITE_OFFS,
        Account.BUDGET_ALLOCATION,
    }
)


@dataclass(frozen=True)
class Line:
    account: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO


def Dr(account: str, amount: Decimal) -> Line:  # noqa: N802 - reads as the accountant writes it
    return Line(account, debit=amount) if amount >= 0 else Line(account, credit=-amount)


def Cr(account: str, amount: Decimal) -> Line:  # noqa: N802
    return Line(account, credit=amount) if amount >= 0 else Line(account, debit=-amount)


class UnbalancedEntry(ValueError):
    """A programming error: the caller's lines do not balance. Nothing was written."""


def _actor_label(actor: User | str | None) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor[:200]
    return (actor.get_full_name() or actor.get_username())[:200]


def post_entry(
    *,
    source: str,
    event: str,
    on: dt.date,
    narration: str,
    lines: Iterable[Line],
    actor: User | str | None,
    fiscal_year: int | None = None,
    reverses: JournalEntry | None = None,
) -> JournalEntry:
    """Post one balanced entry. Must run inside the transaction that writes the money row."""
    kept: list[Line] = []
    for line in lines:
        if not isinstance(line.debit, Decimal) or not isinstance(line.credit, Decimal):
            raise UnbalancedEntry(f"{source}: amounts must be Decimal rupees, not {type(line.debit).__name__}.")
        if line.account not in Account.values:
            raise UnbalancedEntry(f"{source}: no account {line.account!r} in the chart of accounts.")
        if line.debit or line.credit:
            kept.append(line)
    debits = sum((line.debit for line in kept), ZERO)
    credits = sum((line.credit for line in kept), ZERO)
    if not kept or debits != credits:
        raise UnbalancedEntry(f"{source}: debits {debits} and credits {credits} must be equal and not zero.")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("post_entry must run inside the transaction of the money row it accounts for.")
    entry = JournalEntry.objects.create(
        source=source[:120],
        event=str(event)[:60],
        on=on,
        fiscal_year=fiscal_year if fiscal_year is not None else fiscal_year_start(on),
        narration=str(narration)[:300],
        reverses=reverses,
        created_at=timezone.now(),
        actor=cast("User | None", actor if getattr(actor, "pk", None) else None),
        actor_label=_actor_label(actor),
    )
    JournalLine.objects.bulk_create(
        [JournalLine(entry=entry, account=line.account, debit=line.debit, credit=line.credit) for line in kept]
    )
    return entry


def reverse_entry(original_source: str, *, source: str, on: dt.date, reason: str, actor) -> JournalEntry:
    """Post the mirror of the entry posted for `original_source` (debits become credits), once."""
    original = JournalEntry.objects.select_for_update().get(source=original_source)
    lines = [Line(line.account, debit=line.credit, credit=line.debit) for line in original.lines.all()]
    return post_entry(
        source=source,
        event=original.event,
        on=on,
        narration=str(reason) or f"Reversal of {original_source}",
        lines=lines,
        actor=actor,
        fiscal_year=original.fiscal_year,
        reverses=original,
    )


def is_posted(source: str) -> bool:
    return JournalEntry.objects.filter(source=source).exists()


# --- Balances ---------------------------------------------------------------------------------------


def balance(
    account: str, *, on: dt.date | None = None, fiscal_year: int | None = None, source_prefix: str = ""
) -> Decimal:
    """The account's balance on its normal side (debit-normal: debits less credits), up to and including
    `on` if given, of one fiscal year's entries if given, of the sources starting with a prefix if given."""
    lines = JournalLine.objects.filter(account=account)
    if on is not None:
        lines = lines.filter(entry__on__lte=on)
    if fiscal_year is not None:
        lines = lines.filter(entry__fiscal_year=fiscal_year)
    if source_prefix:
        lines = lines.filter(entry__source__startswith=source_prefix)
    sums = lines.aggregate(debit=Sum("debit"), credit=Sum("credit"))
    debit, credit = sums["debit"] or ZERO, sums["credit"] or ZERO
    return debit - credit if account in DEBIT_NORMAL else credit - debit


@dataclass(frozen=True)
class TrialBalanceRow:
    code: str
    name: str
    debit: Decimal
    credit: Decimal


@dataclass(frozen=True)
class TrialBalance:
    on: dt.date
    rows: list[TrialBalanceRow]

    @property
    def total_debit(self) -> Decimal:
        return sum((row.debit for row in self.rows), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((row.credit for row in self.rows), ZERO)

    @property
    def balances(self) -> bool:
        return self.total_debit == self.total_credit


def trial_balance(on: dt.date | None = None) -> TrialBalance:
    """Every account's closing balance on a day (today if none), on its debit or credit side. One query."""
    on = on or timezone.localdate()
    sums = {
        row["account"]: (row["debit"] or ZERO, row["credit"] or ZERO)
        for row in JournalLine.objects.filter(entry__on__lte=on)
        .values("account")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by()
    }
    rows = []
    for account in Account:
        debit, credit = sums.get(account.value, (ZERO, ZERO))
        net = debit - credit
        rows.append(
            TrialBalanceRow(
                code=account.value,
                name=str(account.label),
                debit=net if net > 0 else ZERO,
                credit=-net if net < 0 else ZERO,
            )
        )
    return TrialBalance(on=on, rows=rows)


def journal_lines(*, start: dt.date | None = None, end: dt.date | None = None, account: str = ""):
    """The ledger's lines in posting order, with their entry: what the GL export writes."""
    lines = JournalLine.objects.select_related("entry").order_by("entry_id", "id")
    if start is not None:
        lines = lines.filter(entry__on__gte=start)
    if end is not None:
        lines = lines.filter(entry__on__lte=end)
    if account:
        lines = lines.filter(account=account)
    return lines


# --- What each instrument's payments debit, and the invariants each book registers -------------------


@dataclass(frozen=True)
class PaymentAccounts:
    """How finance posts a payment of one instrument's sources. `accrues`: the expense is recognised
    when the checker approves (Dr expense / Cr payable), the payable is settled when paid. A loan
    disbursement does not accrue: when paid it debits loans receivable."""

    debit: str
    accrues: bool


_payment_accounts: dict[str, PaymentAccounts] = {}
_invariants: dict = {}  # name (translatable) -> check


def payment_account(source_label: str, debit: str, *, accrues: bool) -> None:
    """Register, in an instrument's AppConfig.ready(), the account its payments debit
    (e.g. payment_account("grants.tranche", Account.GRANT_EXPENDITURE, accrues=True))."""
    _payment_accounts[source_label] = PaymentAccounts(debit=debit, accrues=accrues)


def payment_accounts_for(idempotency_key: str) -> PaymentAccounts:
    label = idempotency_key.split(":", 1)[0]
    try:
        return _payment_accounts[label]
    except KeyError:
        raise LookupError(
            f"No general-ledger account is registered for payments of {label!r}: "
            "call finance.journal.payment_account() in its AppConfig.ready()."
        ) from None


def register_invariant(name, check: Callable[[], list[str]]) -> None:
    """Register a check that the ledger ties to a book: `check()` returns the problems it found."""
    _invariants[name] = check


def invariants() -> dict:
    return dict(_invariants)


def ledger_problems() -> dict:
    """Every registered invariant's problems (an empty dict when the ledger ties to every book)."""
    found = {}
    for name, check in _invariants.items():
        problems = check()
        if problems:
            found[name] = problems
    return found


def entries_balance() -> list[str]:
    """Each entry's debits equal its credits, and so do the ledger's totals."""
    problems = []
    totals = JournalLine.objects.aggregate(debit=Sum("debit"), credit=Sum("credit"))
    if (totals["debit"] or ZERO) != (totals["credit"] or ZERO):
        problems.append(
            _("Total debits PKR %(d)s differ from total credits PKR %(c)s.")
            % {"d": f"{totals['debit'] or ZERO:,.2f}", "c": f"{totals['credit'] or ZERO:,.2f}"}
        )
    unbalanced = (
        JournalLine.objects.values("entry_id", "entry__source")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .exclude(debit=F("credit"))
        .order_by("entry_id")[:20]
    )
    for row in unbalanced:
        problems.append(
            _("Entry %(source)s: debits PKR %(d)s differ from credits PKR %(c)s.")
            % {"source": row["entry__source"], "d": f"{row['debit']:,.2f}", "c": f"{row['credit']:,.2f}"}
        )
    return problems
