"""Restructuring and writing off: who may, what is recorded, what the loan then owes."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from audit.models import AuditEvent
from loans import services
from loans.errors import InvalidTransition, PermissionDenied, ValidationFailed
from loans.models import Loan, ScheduleVersion

from .conftest import KARACHI, disburse, repay

pytestmark = pytest.mark.django_db


@pytest.fixture
def loan(loan_call, operator, space, people):
    """PKR 1,000,000 at 5% over 24 months from 10 Jan 2026; only the first instalment is ever paid."""
    loan = disburse(
        loan_call, operator, space, people, amount=Decimal("1000000"), months=24, grace=0, on=dt.date(2026, 1, 10)
    )
    first = ScheduleVersion.objects.get(loan=loan).instalments.get(number=1)
    repay(loan, people, first.instalment, dt.date(2026, 2, 10), "UBL-1")
    return loan


def at(day):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=KARACHI), tick=False)


def test_finance_checker_restructures_into_a_new_version(loan, people):
    day = dt.date(2026, 5, 20)  # rows 2-4 (10 Mar, 10 Apr, 10 May) unpaid
    old = ScheduleVersion.objects.get(loan=loan)
    rows = list(old.instalments.order_by("number"))
    overdue_interest = sum(r.interest for r in rows[1:4])
    with at(day):
        version = services.loan_restructure(
            loan=loan,
            actor=people["checker"],
            months=36,
            grace_months=3,
            grace_kind="interest_only",
            first_due=dt.date(2026, 6, 10),
            reason="Floods closed the space for two months",
        )
    old.refresh_from_db()
    assert not old.is_current and version.is_current and version.number == 2
    outstanding = Decimal("1000000.00") - rows[0].principal
    assert version.capitalised_interest == overdue_interest
    assert version.principal == outstanding + overdue_interest
    new_rows = list(version.instalments.order_by("number"))
    assert len(new_rows) == 36 and sum(r.principal for r in new_rows) == version.principal
    loan.refresh_from_db()
    assert loan.state == "restructured" and loan.days_past_due == 0 and loan.arrears_bucket == "current"
    event = AuditEvent.objects.get(action="loan.restructure", object_id=str(loan.pk))
    assert event.actor == people["checker"] and event.reason == "Floods closed the space for two months"
    assert event.data["version"] == 2 and event.data["capitalised_interest"] == str(overdue_interest)
    # Repayments now go to the new version.
    with at(dt.date(2026, 6, 10)):
        repayment = services.loan_post_repayment(
            loan=loan,
            actor=people["maker"],
            amount=new_rows[0].instalment,
            received_on=dt.date(2026, 6, 10),
            bank_reference="UBL-2",
        )
    assert {a.instalment.version_id for a in repayment.allocations.all()} == {version.pk}
    # A repayment split on the earlier schedule cannot be reversed alone any more (its balance moved on).
    services.loan_reverse_repayment(repayment=repayment, actor=people["maker"], reason="Bounced")
    earlier = loan.repayments.get(bank_reference="UBL-1")
    with pytest.raises(InvalidTransition, match="before the restructuring"):
        services.loan_reverse_repayment(repayment=earlier, actor=people["maker"], reason="Wrong loan")


@pytest.mark.parametrize("who", ["maker", "officer", "chair", "operator_user"])
def test_restructure_refused_for_other_roles(loan, people, who):
    with pytest.raises(PermissionDenied):
        services.loan_restructure(
            loan=loan,
            actor=people[who],
            months=36,
            grace_months=0,
            grace_kind="interest_only",
            first_due=dt.date(2099, 1, 1),
            reason="x",
        )
    assert ScheduleVersion.objects.filter(loan=loan).count() == 1


def test_restructure_needs_a_reason_and_a_future_first_due(loan, people):
    with pytest.raises(ValidationFailed) as refused:
        services.loan_restructure(
            loan=loan,
            actor=people["checker"],
            months=36,
            grace_months=0,
            grace_kind="interest_only",
            first_due=dt.date(2020, 1, 1),
            reason=" ",
        )
    assert set(refused.value.field_errors) == {"reason", "first_due"}


def test_the_chair_proposes_and_a_second_person_writes_off_after_90_days(loan, people, board_reviewer):
    # 10 Mar is the oldest unpaid instalment: 90 days later is 8 Jun, 91 is 9 Jun.
    with at(dt.date(2026, 6, 8)), pytest.raises(InvalidTransition, match="90 days past due"):
        services.loan_propose_write_off(loan=loan, actor=people["chair"], reason="Operator closed down")
    for who in ("checker", "maker", "officer"):
        with at(dt.date(2026, 6, 9)), pytest.raises(PermissionDenied):
            services.loan_propose_write_off(loan=loan, actor=people[who], reason="Operator closed down")
    with at(dt.date(2026, 6, 9)):
        proposal = services.loan_propose_write_off(
            loan=loan, actor=people["chair"], reason="Operator closed down; no assets left"
        )
    assert Loan.objects.get(pk=loan.pk).state in ("active", "restructured")  # proposed, not written off
    with at(dt.date(2026, 6, 9)):
        services.loan_confirm_write_off(proposal=proposal, actor=board_reviewer)
    loan = Loan.objects.get(pk=loan.pk)
    first = ScheduleVersion.objects.get(loan=loan).instalments.get(number=1)
    assert loan.state == "written_off" and loan.written_off_by == board_reviewer
    assert loan.write_off_amount == Decimal("1000000.00") - first.principal
    assert loan.outstanding_principal == 0 and loan.written_off_on == dt.date(2026, 6, 9)
    event = AuditEvent.objects.get(action="loan.write_off", object_id=str(loan.pk))
    assert event.reason == "Operator closed down; no assets left" and event.data["days_past_due"] == 91
    assert event.data["proposed_by"] == people["chair"].pk
    # Written off: no more repayments, no second write-off, no restructuring.
    with pytest.raises(InvalidTransition):
        repay(loan, people, "100", dt.date(2026, 6, 9), "UBL-9")
    with pytest.raises(InvalidTransition):
        services.loan_propose_write_off(loan=loan, actor=people["chair"], reason="again")
    assert operator_told(loan, "written off")


@pytest.fixture
def board_reviewer(db):
    from accounts import roles
    from tests.factories import UserFactory

    return UserFactory(roles=[roles.BOARD_REVIEWER], email="reviewer@board.example.pk", full_name="Prof. Asim Khan")


def operator_told(loan, words):
    return any(words in n.subject for u in loan.operator.members.all() for n in u.notifications.all())
