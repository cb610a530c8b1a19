"""The schedule in force and the loan's position from it: the reads (`loan_position`, `loan_payoff`),
the copy stored on the loan row, the schedule rows written, and the daily bulk pass."""

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from django.db import transaction
from django.db.models import Sum

from .. import positions
from ..ledger import post_capitalised_markup
from ..models import (
    SERVICING_STATES,
    Instalment,
    Loan,
    RepaymentAllocation,
    ScheduleVersion,
)
from ..schedules import Instalment as ScheduleRow
from ._common import (
    ZERO,
)

# --- rows in, positions out -----------------------------------------------------------------------


def current_version(loan: Loan) -> ScheduleVersion | None:
    return ScheduleVersion.objects.filter(loan=loan, is_current=True).first()


def _rows_and_settled(
    version: ScheduleVersion, *, received_until: dt.date | None = None
) -> tuple[list[Instalment], list[positions.Row], dict[int, positions.Settled]]:
    instalments = list(version.instalments.order_by("number"))
    rows = [positions.Row(i.number, i.due_date, i.instalment, i.principal, i.interest) for i in instalments]
    allocations = RepaymentAllocation.objects.filter(instalment__version=version)
    if received_until is not None:
        allocations = allocations.filter(repayment__received_on__lte=received_until)
    sums = allocations.values("instalment__number").annotate(
        p=Sum("principal"), i=Sum("interest"), w=Sum("interest_waived")
    )
    settled = {s["instalment__number"]: positions.Settled(s["p"], s["i"], s["w"]) for s in sums}
    return instalments, rows, settled


def _version_in_force(loan: Loan) -> ScheduleVersion:
    """The current schedule of a disbursed loan (servicing or closed: such a loan always has one)."""
    return cast(ScheduleVersion, current_version(loan))


def loan_position(loan: Loan, *, as_of: dt.date) -> positions.Position | None:
    """The loan's position on a day (repayments received up to that day). None before disbursement."""
    version = current_version(loan)
    if version is None:
        return None
    _instalments, rows, settled = _rows_and_settled(version, received_until=as_of)
    return positions.position(principal=version.principal, rows=rows, settled=settled, as_of=as_of)


def _position_in_force(loan: Loan, *, as_of: dt.date) -> positions.Position:
    """The position of a disbursed loan (it has a schedule, so loan_position is never None)."""
    return cast(positions.Position, loan_position(loan, as_of=as_of))


def loan_payoff(loan: Loan, *, on: dt.date) -> positions.Payoff:
    """What repays the loan in full on day `on` (overdue interest and principal, the current
    instalment's interest, the remaining principal). Read only."""
    version = current_version(loan)
    if version is None:
        return positions.Payoff(ZERO, ZERO, ZERO, ZERO)
    _instalments, rows, settled = _rows_and_settled(version)
    return positions.payoff(principal=version.principal, rows=rows, settled=settled, on=on)


def _store_position(loan: Loan, position: positions.Position | None, as_of: dt.date) -> None:
    fields = _position_fields(loan, position, as_of)
    for name, value in fields.items():
        setattr(loan, name, value)
    Loan.objects.filter(pk=loan.pk).update(**fields)
    # The general ledger follows the markup the position has added to the principal (loans/ledger.py).
    post_capitalised_markup([Loan.objects.get(pk=loan.pk)], on=as_of)


def _position_fields(loan: Loan, position: positions.Position | None, as_of: dt.date) -> dict[str, Any]:
    if position is None or loan.state not in SERVICING_STATES:
        # Not being repaid (not disbursed, closed, written off): nothing outstanding, nothing due.
        return {
            "position_as_of": as_of,
            "outstanding_principal": ZERO,
            "overdue_amount": ZERO,
            "next_due_date": None,
            "next_due_amount": ZERO,
            "days_past_due": 0,
            "arrears_bucket": positions.Bucket.CURRENT,
        }
    return {
        "position_as_of": as_of,
        "outstanding_principal": position.outstanding_principal,
        "overdue_amount": position.overdue_amount,
        "next_due_date": position.next_due_date,
        "next_due_amount": position.next_due_amount,
        "days_past_due": position.days_past_due,
        "arrears_bucket": position.bucket,
    }


def _store_rows(version: ScheduleVersion, rows: Iterable[ScheduleRow]) -> None:
    Instalment.objects.bulk_create(
        [
            Instalment(
                version=version,
                number=r.month,
                due_date=r.due_date,
                instalment=r.instalment,
                principal=r.principal,
                interest=r.interest,
                balance=r.balance,
            )
            for r in rows
        ]
    )


# --- the daily pass ----------------------------------------------------------------------------------


def loan_refresh_positions(*, as_of: dt.date, loan_ids: Iterable[int] | None = None) -> int:
    """Compute every servicing loan's position on `as_of` and store it, in one bulk pass (three reads,
    one bulk update per 500 loans). Idempotent: running it twice for a day stores the same values and
    writes no audit event (a position is derived, not a decision). Returns the loans updated."""
    from ..selectors import positions_for

    loans = Loan.objects.filter(state__in=SERVICING_STATES).order_by("pk")
    if loan_ids is not None:
        loans = loans.filter(pk__in=loan_ids)
    fields = [
        "position_as_of",
        "outstanding_principal",
        "overdue_amount",
        "next_due_date",
        "next_due_amount",
        "days_past_due",
        "arrears_bucket",
    ]
    count = 0
    batch = list(loans)
    with transaction.atomic():
        for start in range(0, len(batch), 500):
            chunk = batch[start : start + 500]
            computed = positions_for([loan.pk for loan in chunk], as_of=as_of)
            for loan in chunk:
                for name, value in _position_fields(loan, computed.get(loan.pk), as_of).items():
                    setattr(loan, name, value)
            Loan.objects.bulk_update(chunk, fields)
            post_capitalised_markup(chunk, on=as_of)
            count += len(chunk)
    return count
