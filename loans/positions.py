"""Where a loan stands, and how a repayment is split: pure functions, no database.

The inputs are the current schedule version's rows (`Row`, from `loans.schedules.build_schedule` as
stored) and what has been settled on each row so far (`Settled`, the sums of the allocation rows).
Everything is Decimal PKR; dates are Pakistan dates.

What a row asks of the borrower
    principal due = the row's principal when positive (a capitalised grace month shows negative
    principal: nothing is paid, the interest is added to the balance on its due date); interest due =
    instalment - principal due (so an interest-only grace month asks its interest, a capitalised one
    nothing).

Outstanding principal on a date
    the version's principal + interest capitalised by rows due on or before the date - principal
    settled. When it is 0 the loan is repaid: nothing further is owed, whatever the schedule's later
    rows say.

Allocation order of a repayment received on day D (`allocate`)
    1. interest of rows due on or before D, oldest first;
    2. principal of those rows, oldest first;
    3. the current instalment (the first row due after D with something unpaid): its interest, then
       its principal;
    4. anything more is a prepayment of principal: it pays the principal of the *last* rows first, so
       the tenor shortens and the instalment stays what the borrower knows; a row whose principal is
       fully prepaid is settled and its interest is waived (the money was never owed that long).
    Repaying everything (the payoff: overdue interest and principal, the current instalment's
    interest and all remaining principal) closes the loan early. More than the payoff is refused.

Arrears (`position`)
    days past due = D - due date of the oldest row due *before* D with anything unpaid (a row due
    today is due, not past due); buckets: 0 current, 1-30, 31-60, 61-90, 91+ ("90+").
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal("0.00")


class Bucket:
    CURRENT = "current"
    DPD_1_30 = "1_30"
    DPD_31_60 = "31_60"
    DPD_61_90 = "61_90"
    DPD_90_PLUS = "90_plus"
    ORDER = (CURRENT, DPD_1_30, DPD_31_60, DPD_61_90, DPD_90_PLUS)


def bucket_for(days_past_due: int) -> str:
    if days_past_due <= 0:
        return Bucket.CURRENT
    if days_past_due <= 30:
        return Bucket.DPD_1_30
    if days_past_due <= 60:
        return Bucket.DPD_31_60
    if days_past_due <= 90:
        return Bucket.DPD_61_90
    return Bucket.DPD_90_PLUS


@dataclass(frozen=True)
class Row:
    number: int
    due_date: dt.date
    instalment: Decimal
    principal: Decimal
    interest: Decimal

    @property
    def principal_due(self) -> Decimal:
        return max(self.principal, ZERO)

    @property
    def interest_due(self) -> Decimal:
        return self.instalment - self.principal_due

    @property
    def capitalised(self) -> Decimal:
        return max(-self.principal, ZERO)


@dataclass
class Settled:
    principal: Decimal = ZERO
    interest: Decimal = ZERO
    waived: Decimal = ZERO


@dataclass(frozen=True)
class Position:
    as_of: dt.date
    outstanding_principal: Decimal
    overdue_principal: Decimal
    overdue_interest: Decimal
    next_due_date: dt.date | None
    next_due_amount: Decimal
    days_past_due: int
    bucket: str

    @property
    def overdue_amount(self) -> Decimal:
        return self.overdue_principal + self.overdue_interest


@dataclass(frozen=True)
class Share:
    """One allocation: what part of a repayment settles which row."""

    number: int
    kind: str  # "overdue", "current" or "prepayment"
    principal: Decimal = ZERO
    interest: Decimal = ZERO
    waived: Decimal = ZERO


@dataclass
class Payoff:
    overdue_interest: Decimal
    overdue_principal: Decimal
    current_interest: Decimal
    remaining_principal: Decimal  # outstanding principal not yet due

    @property
    def total(self) -> Decimal:
        return self.overdue_interest + self.overdue_principal + self.current_interest + self.remaining_principal


@dataclass
class Allocation:
    shares: list[Share] = field(default_factory=list)

    @property
    def principal(self) -> Decimal:
        return sum((s.principal for s in self.shares), ZERO)

    @property
    def interest(self) -> Decimal:
        return sum((s.interest for s in self.shares), ZERO)


class OverPayoff(ValueError):
    def __init__(self, payoff: Payoff, amount: Decimal):
        self.payoff = payoff
        self.amount = amount
        super().__init__(f"{amount} is more than the payoff {payoff.total}")


def _left(row: Row, settled: Mapping[int, Settled]) -> tuple[Decimal, Decimal]:
    s = settled.get(row.number) or Settled()
    return row.principal_due - s.principal, row.interest_due - s.interest - s.waived


def outstanding_principal(
    *, principal: Decimal, rows: Iterable[Row], settled: Mapping[int, Settled], on: dt.date
) -> Decimal:
    rows = list(rows)
    capitalised = sum((r.capitalised for r in rows if r.due_date <= on), ZERO)
    paid = sum((s.principal for s in settled.values()), ZERO)
    return max(principal + capitalised - paid, ZERO)


def position(*, principal: Decimal, rows: Iterable[Row], settled: Mapping[int, Settled], as_of: dt.date) -> Position:
    """Outstanding principal, what is overdue, the next due date and amount, days past due and bucket."""
    rows = sorted(rows, key=lambda r: r.number)
    outstanding = outstanding_principal(principal=principal, rows=rows, settled=settled, on=as_of)
    overdue_p = overdue_i = ZERO
    oldest_unpaid: dt.date | None = None
    next_date, next_amount = None, ZERO
    for row in rows:
        left_p, left_i = _left(row, settled)
        if outstanding == 0:
            left_p = ZERO  # repaid: later rows' principal is not owed
            if row.due_date > as_of:
                left_i = ZERO
        if left_p <= 0 and left_i <= 0:
            continue
        if row.due_date < as_of:
            overdue_p += max(left_p, ZERO)
            overdue_i += max(left_i, ZERO)
            oldest_unpaid = oldest_unpaid or row.due_date
        elif next_date is None:
            next_date, next_amount = row.due_date, max(left_p, ZERO) + max(left_i, ZERO)
    dpd = (as_of - oldest_unpaid).days if oldest_unpaid else 0
    return Position(
        as_of=as_of,
        outstanding_principal=outstanding,
        overdue_principal=overdue_p,
        overdue_interest=overdue_i,
        next_due_date=next_date,
        next_due_amount=next_amount,
        days_past_due=dpd,
        bucket=bucket_for(dpd),
    )


def payoff(*, principal: Decimal, rows: Iterable[Row], settled: Mapping[int, Settled], on: dt.date) -> Payoff:
    """What repays the loan in full on day `on` (see the module docstring)."""
    rows = sorted(rows, key=lambda r: r.number)
    outstanding = outstanding_principal(principal=principal, rows=rows, settled=settled, on=on)
    overdue_i = overdue_p = current_i = ZERO
    current_seen = False
    for row in rows:
        left_p, left_i = _left(row, settled)
        if row.due_date <= on:
            overdue_i += max(left_i, ZERO)
            overdue_p += max(left_p, ZERO)
        elif not current_seen and (left_p > 0 or left_i > 0) and outstanding > 0:
            current_seen = True
            current_i = max(left_i, ZERO)
    overdue_p = min(overdue_p, outstanding)
    return Payoff(
        overdue_interest=overdue_i,
        overdue_principal=overdue_p,
        current_interest=current_i,
        remaining_principal=outstanding - overdue_p,
    )


def allocate(
    *, principal: Decimal, rows: Iterable[Row], settled: Mapping[int, Settled], on: dt.date, amount: Decimal
) -> Allocation:
    """Split `amount` received on day `on` (see the module docstring). Raises OverPayoff above the payoff."""
    rows = sorted(rows, key=lambda r: r.number)
    owed = payoff(principal=principal, rows=rows, settled=settled, on=on)
    if amount > owed.total:
        raise OverPayoff(owed, amount)
    principal_budget = owed.overdue_principal + owed.remaining_principal
    money = amount
    shares: dict[tuple[int, str], Share] = {}

    def take(row: Row, kind: str, *, p: Decimal = ZERO, i: Decimal = ZERO, w: Decimal = ZERO) -> None:
        key = (row.number, kind)
        old = shares.get(key) or Share(number=row.number, kind=kind)
        shares[key] = Share(row.number, kind, old.principal + p, old.interest + i, old.waived + w)

    local = {n: Settled(s.principal, s.interest, s.waived) for n, s in settled.items()}

    def left(row):
        return _left(row, local)

    def pay_interest(row, kind):
        nonlocal money
        _p, left_i = left(row)
        part = min(money, max(left_i, ZERO))
        if part > 0:
            take(row, kind, i=part)
            local.setdefault(row.number, Settled()).interest += part
            money -= part

    def pay_principal(row, kind):
        nonlocal money, principal_budget
        left_p, _i = left(row)
        part = min(money, max(left_p, ZERO), principal_budget)
        if part > 0:
            take(row, kind, p=part)
            local.setdefault(row.number, Settled()).principal += part
            money -= part
            principal_budget -= part

    due = [r for r in rows if r.due_date <= on]
    for row in due:
        pay_interest(row, "overdue")
    for row in due:
        pay_principal(row, "overdue")
    later = [r for r in rows if r.due_date > on and any(x > 0 for x in left(r))]
    if later and money > 0:
        current = later[0]
        pay_interest(current, "current")
        pay_principal(current, "current")
        for row in reversed(later[1:]):
            if money <= 0 or principal_budget <= 0:
                break
            pay_principal(row, "prepayment")
            left_p, left_i = left(row)
            if left_p <= 0 and left_i > 0:
                take(row, "prepayment", w=left_i)
                local[row.number].waived += left_i
    if money > 0:  # cannot happen below the payoff; kept as a guard against a silent loss of money
        raise OverPayoff(owed, amount)
    return Allocation(shares=list(shares.values()))
