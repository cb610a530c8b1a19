"""Repayments: allocation order, prepayment, refusal above the balance, early payoff, reversals."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from loans import services
from loans.errors import PermissionDenied, ValidationFailed
from loans.models import Loan, Repayment, RepaymentAllocation, ScheduleVersion

from .conftest import disburse, repay

pytestmark = pytest.mark.django_db
DISBURSED = dt.date(2026, 1, 10)


@pytest.fixture
def loan(loan_call, operator, space, people):
    """PKR 1,000,000 at 5% over 24 months, no grace, disbursed on 10 Jan 2026: due on the 10th from Feb."""
    return disburse(loan_call, operator, space, people, amount=Decimal("1000000"), months=24, grace=0, on=DISBURSED)


def rows(loan):
    return list(ScheduleVersion.objects.get(loan=loan, is_current=True).instalments.order_by("number"))


def shares(repayment):
    return [
        (a.instalment.number, a.kind, a.principal, a.interest)
        for a in RepaymentAllocation.objects.filter(repayment=repayment)
        .select_related("instalment")
        .order_by("instalment__number", "kind")
    ]


def test_overdue_interest_first_then_overdue_principal(loan, people):
    r = rows(loan)
    assert r[0].due_date == dt.date(2026, 2, 10) and r[0].interest == Decimal("4167.00")
    # On 15 March two instalments are due and unpaid. Pay both interests and 100 more.
    amount = r[0].interest + r[1].interest + 100
    repayment = repay(loan, people, amount, dt.date(2026, 3, 15), "HBL-0001")
    assert shares(repayment) == [
        (1, "overdue", Decimal("100.00"), r[0].interest),
        (2, "overdue", Decimal("0.00"), r[1].interest),
    ]
    assert (repayment.principal, repayment.interest) == (Decimal("100.00"), r[0].interest + r[1].interest)
    loan.refresh_from_db()
    assert loan.interest_repaid == r[0].interest + r[1].interest
    assert loan.principal_repaid == Decimal("100.00")
    # Still 33 days past due on row 1 (its principal is not fully paid).
    assert (loan.position_as_of, loan.days_past_due, loan.arrears_bucket) == (dt.date(2026, 3, 15), 33, "31_60")


def test_current_dues_then_prepayment_of_the_last_instalments(loan, people):
    r = rows(loan)
    # On 5 Feb nothing is due yet: the current instalment (10 Feb) first, then the last rows' principal.
    amount = r[0].instalment + r[23].principal + 500
    repayment = repay(loan, people, amount, dt.date(2026, 2, 5), "HBL-0002")
    got = shares(repayment)
    assert got[0] == (1, "current", r[0].principal, r[0].interest)
    assert (23, "prepayment", Decimal("500.00"), Decimal("0.00")) in got
    assert (24, "prepayment", r[23].principal, Decimal("0.00")) in got
    # Row 24's principal is prepaid in full, so its interest is waived; row 23 is only part-paid.
    waived = {a.instalment.number: a.interest_waived for a in repayment.allocations.select_related("instalment")}
    assert waived[24] == r[23].interest and waived[23] == 0
    position = services.loan_position(loan, as_of=dt.date(2026, 2, 5))
    assert position.outstanding_principal == Decimal("1000000.00") - r[0].principal - r[23].principal - 500
    assert position.next_due_date == dt.date(2026, 3, 10) and position.bucket == "current"


def test_more_than_the_balance_is_refused_with_the_figures(loan, people):
    with pytest.raises(ValidationFailed) as refused:
        repay(loan, people, "2000000", dt.date(2026, 2, 5), "HBL-0003")
    message = refused.value.message
    assert "PKR 2,000,000 is more than the loan's whole outstanding balance on 5 February 2026" in message
    assert "principal PKR 1,000,000" in message and "this month's interest PKR 4,167" in message
    assert not Repayment.objects.exists()


def test_early_payoff_closes_the_loan(loan, people):
    r = rows(loan)
    on = dt.date(2026, 3, 12)  # rows 1 and 2 due; row 3 (10 Apr) is the current one
    payoff = r[0].interest + r[1].interest + r[2].interest + Decimal("1000000.00")
    repayment = repay(loan, people, payoff, on, "HBL-0004")
    loan.refresh_from_db()
    assert loan.state == "closed" and loan.closed_early and loan.closed_on == on
    assert loan.principal_repaid == Decimal("1000000.00")
    assert loan.interest_repaid == payoff - Decimal("1000000.00")
    assert repayment.amount == payoff
    assert AuditEvent.objects.filter(action="loan.close", object_id=str(loan.pk)).count() == 1
    # Closed: a further repayment is refused.
    with pytest.raises(Exception, match="closed"):
        repay(loan, people, "100", on, "HBL-0005")
    # The payoff is reversed (a bounced cheque): the loan is open again and owes what it owed.
    services.loan_reverse_repayment(repayment=repayment, actor=people["checker"], reason="Cheque bounced")
    loan.refresh_from_db()
    assert loan.state == "active" and loan.principal_repaid == 0 and loan.interest_repaid == 0
    assert Repayment.objects.filter(loan=loan).count() == 2  # the original stays: append-only


def test_duplicate_reference_future_date_and_roles(loan, people, other_operator_user):
    repay(loan, people, "1000", dt.date(2026, 2, 5), "HBL-0006")
    with pytest.raises(ValidationFailed, match="already posted"):
        repay(loan, people, "1000", dt.date(2026, 2, 6), "hbl-0006")
    with pytest.raises(ValidationFailed, match="future"):
        services.loan_post_repayment(
            loan=loan,
            actor=people["maker"],
            amount=Decimal("10"),
            received_on=timezone.localdate() + dt.timedelta(days=400),
            bank_reference="X1",
        )
    with pytest.raises(ValidationFailed, match="before the loan was disbursed"):
        repay(loan, people, "10", dt.date(2026, 1, 2), "X2")
    for person in (people["officer"], people["chair"], people["operator_user"], other_operator_user):
        with pytest.raises(PermissionDenied):
            services.loan_post_repayment(
                loan=loan, actor=person, amount=Decimal("10"), received_on=DISBURSED, bank_reference="X3"
            )
    with pytest.raises(ValidationFailed):
        services.loan_post_repayment(
            loan=loan, actor=people["maker"], amount=10.5, received_on=DISBURSED, bank_reference="X4"
        )
    assert Repayment.objects.filter(loan=loan).count() == 1


def test_an_older_repayment_is_reversed_with_the_later_one_split_again(loan, people):
    """Issue #22: not only the latest. The later repayment is replayed (tests/loans/test_reversal_replay.py
    has the figures); a reversal still needs a reason."""
    first = repay(loan, people, "1000", dt.date(2026, 2, 5), "HBL-0007")
    second = repay(loan, people, "2000", dt.date(2026, 2, 6), "HBL-0008")
    with pytest.raises(ValidationFailed):
        services.loan_reverse_repayment(repayment=first, actor=people["maker"], reason="  ")
    assert Loan.objects.get(pk=loan.pk).principal_repaid + Loan.objects.get(pk=loan.pk).interest_repaid == 3000
    services.loan_reverse_repayment(repayment=first, actor=people["maker"], reason="Wrong loan")
    loan = Loan.objects.get(pk=loan.pk)
    assert loan.principal_repaid + loan.interest_repaid == 2000
    replayed = Repayment.objects.get(replay_of=second)
    assert replayed.amount == Decimal("2000") and replayed.bank_reference == "HBL-0008"
    assert hasattr(Repayment.objects.get(pk=second.pk), "reversed_by")
