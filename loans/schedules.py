"""Soft-loan repayment schedules: a pure calculation, no database.

The schedule follows the State Bank / PM Youth Business Loan pattern (see DESIGN.md, "Money, time and
identifiers", and data/programs.md): equal monthly instalments (an annuity) on a declining balance,
after optional grace months; 0% tiers divide the principal evenly.

Conventions (chosen so that the published worked figures come out exactly):

* ``months`` is the whole tenor, grace included: 96 months with 12 grace months leaves 84 instalments.
* The monthly rate is ``annual_rate_percent / 100 / 12``. Interest for a month is always charged on the
  balance outstanding at the start of that month. Every rounding is ROUND_HALF_UP.
* Grace, ``interest_only``: the borrower pays that month's interest, rounded to the paisa
  (PKR 1,000,000 at 5% -> 4,166.67); principal 0, balance unchanged.
* Grace, ``none``: nothing is paid; the interest, rounded to the paisa, is capitalised (added to the
  balance). The row shows it as negative principal (principal = instalment - interest = -interest), so
  that in *every* row ``instalment == principal + interest`` and ``balance == previous balance -
  principal``, and the principal column still sums to the loan.
* Repayment months: the regular instalment is the annuity ``B * r / (1 - (1 + r) ** -n)`` on the
  balance ``B`` left after grace over the ``n`` remaining months (``B / n`` at 0%), rounded to whole
  rupees. Interest within an instalment is rounded to whole rupees too, and principal = instalment -
  interest. A whole-rupee loan thus has whole-rupee repayment rows, the last included (capitalised grace
  interest may add paisa, which the last instalment then carries). Interest at the paisa here instead
  would make the 5% example's last instalment 14,124.93, not the published 14,125.
* The last instalment is whatever is left: the remaining balance plus that month's interest. So the
  principal column sums to the loan exactly and the final balance is exactly 0.
* Due dates: month k falls k - 1 months after ``first_due``, on the same day of the month, moved back to
  the month's last day when the month is shorter (31 Jan -> 28/29 Feb -> 31 Mar).

Worked figures this reproduces: PKR 1,000,000 at 5% over 96 months with 12 interest-only grace months
is 12 payments of 4,166.67, then 83 instalments of 14,134 and a last one of 14,125; PKR 500,000 at 0%
over 36 months is 35 instalments of 13,889 and a last one of 13,885.
"""

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum

PAISA = Decimal("0.01")
RUPEE = Decimal("1")


class Grace(StrEnum):
    """What the borrower pays during grace months."""

    INTEREST_ONLY = "interest_only"
    NONE = "none"


@dataclass(frozen=True)
class Instalment:
    """One month of a schedule. Amounts are PKR with two decimal places."""

    month: int
    due_date: dt.date
    instalment: Decimal
    principal: Decimal
    interest: Decimal
    balance: Decimal


def build_schedule(
    *,
    principal: Decimal,
    annual_rate_percent: Decimal,
    months: int,
    grace_months: int = 0,
    grace: Grace | str = Grace.INTEREST_ONLY,
    first_due: dt.date,
) -> list[Instalment]:
    """Return the month-by-month repayment schedule of a soft loan.

    Before: principal > 0 in whole paisa; annual_rate_percent >= 0; months >= 1;
    0 <= grace_months < months; grace is "interest_only" or "none". Anything else raises ValueError
    (TypeError for a float or other non-Decimal amount: money is never a float).
    After: ``months`` rows, month 1..months; sum of principal == principal; last balance == 0;
    instalment == principal + interest in every row.
    """
    principal = _money("The principal", principal)
    rate = _decimal("The annual rate", annual_rate_percent)
    grace = _validate(rate=rate, months=months, grace_months=grace_months, grace=grace)
    if isinstance(first_due, dt.datetime) or not isinstance(first_due, dt.date):
        raise TypeError(f"The first due date must be a date, not {type(first_due).__name__}.")

    # A private context: the result must not depend on whatever precision the caller has set.
    with localcontext() as ctx:
        ctx.prec = 50
        monthly_rate = rate / 100 / 12
        rows: list[Instalment] = []
        balance = principal

        def add(month: int, payment: Decimal, interest: Decimal) -> None:
            nonlocal balance
            repaid = payment - interest
            balance -= repaid
            rows.append(
                Instalment(
                    month=month,
                    due_date=due_date(first_due, month),
                    instalment=payment.quantize(PAISA),
                    principal=repaid.quantize(PAISA),
                    interest=interest.quantize(PAISA),
                    balance=balance.quantize(PAISA),
                )
            )

        for month in range(1, grace_months + 1):
            interest = (balance * monthly_rate).quantize(PAISA, ROUND_HALF_UP)
            add(month, interest if grace is Grace.INTEREST_ONLY else Decimal(0), interest)

        repayments = months - grace_months
        regular = _regular_instalment(balance, monthly_rate, repayments)
        for month in range(grace_months + 1, months + 1):
            interest = (balance * monthly_rate).quantize(RUPEE, ROUND_HALF_UP)
            if month == months:
                add(month, balance + interest, interest)
                break
            add(month, regular, interest)
            if balance <= 0:
                # Whole-rupee rounding can overshoot a tiny loan (PKR 100 over 36 months: 35 x 3 = 105).
                raise ValueError(
                    f"A loan of PKR {principal} is too small to repay in {repayments} whole-rupee "
                    f"instalments of {regular}: it would be paid off before month {months}. "
                    "Shorten the tenor."
                )
    return rows


MAX_MONTHS = 600


def build_fixed_instalment_schedule(
    *, principal: Decimal, annual_rate_percent: Decimal, instalment: Decimal, first_due: dt.date
) -> list[Instalment]:
    """The schedule that repays `principal` with the same monthly `instalment` (whole rupees) for as
    many months as it takes; the last row is whatever is left (the balance plus that month's interest,
    at most the instalment). Used when a prepayment shortens the tenor: same instalment, fewer months.
    Interest is charged as in build_schedule (whole rupees on the opening balance of each month).

    Raises ValueError when the instalment does not cover the first month's interest (it would never
    repay the loan)."""
    principal = _money("The principal", principal)
    rate = _decimal("The annual rate", annual_rate_percent)
    instalment = _money("The instalment", instalment)
    if rate < 0:
        raise ValueError(f"The annual rate cannot be negative (got {rate}%).")
    with localcontext() as ctx:
        ctx.prec = 50
        monthly_rate = rate / 100 / 12
        rows: list[Instalment] = []
        balance = principal
        month = 0
        while balance > 0:
            month += 1
            interest = (balance * monthly_rate).quantize(RUPEE, ROUND_HALF_UP)
            if month == 1 and instalment <= interest:
                raise ValueError(
                    f"An instalment of PKR {instalment} does not cover the first month's markup of PKR "
                    f"{interest}: it would never repay PKR {principal}."
                )
            payment = balance + interest if balance + interest <= instalment or month == MAX_MONTHS else instalment
            repaid = payment - interest
            balance -= repaid
            rows.append(
                Instalment(
                    month=month,
                    due_date=due_date(first_due, month),
                    instalment=payment.quantize(PAISA),
                    principal=repaid.quantize(PAISA),
                    interest=interest.quantize(PAISA),
                    balance=balance.quantize(PAISA),
                )
            )
    return rows


# Every instalment falls on the same day of the month, February included.
DUE_DAY_LATEST = 28


def first_due_after(disbursed_on: dt.date) -> dt.date:
    """The first instalment's due date for a loan disbursed on `disbursed_on`: one month after it, on
    the same day of the month, at most the 28th (the loan book and the award letter use this rule)."""
    return due_date(disbursed_on.replace(day=min(disbursed_on.day, DUE_DAY_LATEST)), 2)


def due_date(first_due: dt.date, month: int) -> dt.date:
    """Due date of instalment ``month`` (1-based): same day as first_due, clamped to the month's end."""
    index = first_due.month - 1 + (month - 1)
    year, month_of_year = first_due.year + index // 12, index % 12 + 1
    last_day = calendar.monthrange(year, month_of_year)[1]
    return dt.date(year, month_of_year, min(first_due.day, last_day))


def _regular_instalment(balance: Decimal, monthly_rate: Decimal, repayments: int) -> Decimal:
    if monthly_rate == 0:
        exact = balance / repayments
    else:
        exact = balance * monthly_rate / (1 - (1 + monthly_rate) ** -repayments)
    return exact.quantize(RUPEE, ROUND_HALF_UP)


def _decimal(name: str, value: Decimal) -> Decimal:
    # bool is an int; a float carries binary error into money. Both are refused outright.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}.")
    value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"{name} must be a finite number, not {value}.")
    return value


def _money(name: str, value: Decimal) -> Decimal:
    value = _decimal(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be more than zero (got {value}).")
    if value != value.quantize(PAISA):
        raise ValueError(f"{name} must be in whole paisa, at most two decimal places (got {value}).")
    return value


def _validate(*, rate: Decimal, months: int, grace_months: int, grace: Grace | str) -> Grace:
    if rate < 0:
        raise ValueError(f"The annual rate cannot be negative (got {rate}%).")
    for name, value in (("The tenor (months)", months), ("The grace months", grace_months)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be a whole number, not {type(value).__name__}.")
    if months < 1:
        raise ValueError(f"The tenor must be at least 1 month (got {months}).")
    if grace_months < 0:
        raise ValueError(f"The grace months cannot be negative (got {grace_months}).")
    if grace_months >= months:
        raise ValueError(
            f"The grace months ({grace_months}) must be fewer than the tenor ({months} months): the tenor "
            "includes grace, and at least one instalment must repay the loan."
        )
    try:
        return Grace(grace)
    except ValueError:
        choices = ", ".join(repr(g.value) for g in Grace)
        raise ValueError(f"The grace must be one of {choices} (got {grace!r}).") from None
