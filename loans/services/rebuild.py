"""A schedule rebuilt on top of the one in force: when a later part of the disbursement is paid, and when
the borrower chooses what a prepayment does. The rows are computed here; the caller writes the new
ScheduleVersion (the earlier one is kept, never edited, and stops being current).

The new version holds, in order:
  1. what is still unpaid on the rows of the old version due on or before `after` (principal and
     markup left, on their own due dates, so the arrears and their age carry over unchanged);
  2. the rest of the principal (`extra` added: a part just paid) on the old version's later due dates:
     re-amortised over the same number of months (same end date), or, for a prepayment that shortens
     the tenor, at the same instalment for as many months as it takes.
Grace months of the old version still to come stay grace months. Markup is never capitalised here, so
the version's principal is exactly the principal outstanding plus `extra`.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .. import positions
from ..models import ScheduleVersion
from ..schedules import Grace, build_fixed_instalment_schedule, build_schedule, due_date, first_due_after
from ..schedules import Instalment as ScheduleRow
from .balances import _rows_and_settled

ZERO = Decimal("0.00")
PAISA = Decimal("0.01")


@dataclass(frozen=True)
class Rebuilt:
    rows: list[ScheduleRow]
    principal: Decimal
    grace_months: int

    @property
    def months(self) -> int:
        return len(self.rows)

    @property
    def first_due(self) -> dt.date:
        return self.rows[0].due_date

    @property
    def end(self) -> dt.date:
        return self.rows[-1].due_date

    @property
    def regular_instalment(self) -> Decimal:
        """The instalment most rows ask after grace (the first repayment row's, the last excluded)."""
        repaying = [r for r in self.rows if r.principal > 0]
        if not repaying:
            return ZERO
        return repaying[-2].instalment if len(repaying) > 1 else repaying[-1].instalment


def _grace_rows(
    balance: Decimal, rate: Decimal, grace: Grace, months: int, first_due: dt.date
) -> tuple[list[ScheduleRow], Decimal]:
    rows: list[ScheduleRow] = []
    monthly = rate / 100 / 12
    for month in range(1, months + 1):
        interest = (balance * monthly).quantize(PAISA, ROUND_HALF_UP)
        payment = interest if grace is Grace.INTEREST_ONLY else ZERO
        balance -= payment - interest
        rows.append(ScheduleRow(month, due_date(first_due, month), payment, payment - interest, interest, balance))
    return rows, balance


def rebuild(
    version: ScheduleVersion, *, after: dt.date, extra: Decimal = ZERO, keep_instalment: bool = False
) -> Rebuilt:
    """The rows of a new version on top of `version` (see the module docstring). Pure apart from reading
    the old rows and what was paid on them. Raises ValueError when nothing would be left to schedule."""
    instalments, rows, settled = _rows_and_settled(version)
    outstanding = positions.outstanding_principal(principal=version.principal, rows=rows, settled=settled, on=after)
    arrears: list[tuple[positions.Row, Decimal, Decimal]] = []
    for row in rows:
        if row.due_date > after:
            continue
        done = settled.get(row.number) or positions.Settled()
        left_p = max(row.principal_due - done.principal, ZERO)
        left_i = max(row.interest_due - done.interest - done.waived, ZERO)
        if left_p > 0 or left_i > 0:
            arrears.append((row, left_p, left_i))
    arrears_p = min(sum((p for _r, p, _i in arrears), ZERO), outstanding)
    remaining = outstanding - arrears_p + extra
    later = [r for r in rows if r.due_date > after]
    grace_left = sum(1 for r in later if r.principal <= 0)  # grace rows repay no principal
    rate = version.annual_rate_percent
    grace = Grace(version.grace_kind)
    future: list[ScheduleRow] = []
    if remaining > 0:
        if later:
            first, months = later[0].due_date, len(later)
        else:  # past the old schedule's end: one more month
            first, months, grace_left = first_due_after(after), 1, 0
        grace_left = min(grace_left, months - 1)
        if keep_instalment:
            regular = [r for r in later if r.principal > 0]
            if not regular:
                raise ValueError("No repayment instalment is left to keep.")
            instalment = regular[0].instalment
            head, balance = _grace_rows(remaining, rate, grace, grace_left, first)
            tail = build_fixed_instalment_schedule(
                principal=balance.quantize(PAISA),
                annual_rate_percent=rate,
                instalment=instalment,
                first_due=due_date(first, grace_left + 1),
            )
            future = head + tail
        else:
            future = build_schedule(
                principal=remaining,
                annual_rate_percent=rate,
                months=months,
                grace_months=grace_left,
                grace=grace,
                first_due=first,
            )
    result: list[ScheduleRow] = []
    balance = outstanding + extra
    for row, left_p, left_i in arrears:
        balance -= left_p
        result.append(ScheduleRow(len(result) + 1, row.due_date, left_p + left_i, left_p, left_i, balance))
    for step in future:
        result.append(
            ScheduleRow(len(result) + 1, step.due_date, step.instalment, step.principal, step.interest, step.balance)
        )
    if not result or outstanding + extra <= 0:
        raise ValueError("Nothing is owed on this loan: there is nothing to schedule.")
    return Rebuilt(rows=result, principal=outstanding + extra, grace_months=grace_left if future else 0)
