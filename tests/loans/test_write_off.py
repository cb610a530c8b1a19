"""Write-off by two people (issue #22) and recoveries after it: who may propose, confirm and withdraw,
the four-eyes refusal, the figures kept and checked, the general ledger, the portfolio's recoveries."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts import roles
from audit.models import AuditEvent
from finance.journal import Account, balance
from loans import selectors, services
from loans.errors import InvalidTransition, PermissionDenied, ValidationFailed
from loans.models import Loan, Recovery, ScheduleVersion, WriteOffProposal
from tests.factories import UserFactory

from .conftest import at, disburse, ledger_ties, repay

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 6, 9)  # 91 days after the oldest unpaid instalment (10 Mar)


@pytest.fixture
def loan(loan_call, operator, space, people):
    """PKR 1,000,000 at 5% over 24 months from 10 Jan 2026; only the first instalment is ever paid."""
    loan = disburse(
        loan_call, operator, space, people, amount=Decimal("1000000"), months=24, grace=0, on=dt.date(2026, 1, 10)
    )
    first = ScheduleVersion.objects.get(loan=loan).instalments.get(number=1)
    repay(loan, people, first.instalment, dt.date(2026, 2, 10), "UBL-1")
    return Loan.objects.get(pk=loan.pk)


@pytest.fixture
def proposal(loan, people):
    with at(DAY):
        return services.loan_propose_write_off(loan=loan, actor=people["chair"], reason="The company is wound up")


def confirm(proposal, person, day=DAY):
    with at(day):
        return services.loan_confirm_write_off(proposal=proposal, actor=person)


def test_the_proposal_keeps_the_figures_and_tells_the_confirmers(loan, people, proposal):
    first = ScheduleVersion.objects.get(loan=loan).instalments.get(number=1)
    assert proposal.state == "proposed" and proposal.proposed_by == people["chair"]
    assert proposal.outstanding_principal == Decimal("1000000.00") - first.principal
    assert proposal.days_past_due == 91 and proposal.overdue_amount > 0
    assert AuditEvent.objects.filter(action="loan.write_off_proposed", object_id=str(loan.pk)).exists()
    assert people["checker"].notifications.filter(subject__contains="write-off proposed").exists()
    assert not people["chair"].notifications.filter(subject__contains="write-off proposed").exists()
    # One open proposal at a time, named in the refusal.
    with at(DAY), pytest.raises(InvalidTransition, match="already proposed"):
        services.loan_propose_write_off(loan=loan, actor=people["chair"], reason="again")


def test_the_proposer_never_confirms(loan, people, proposal):
    with pytest.raises(PermissionDenied, match="four-eyes rule"):
        confirm(proposal, people["chair"])
    assert Loan.objects.get(pk=loan.pk).state == "active"


@pytest.mark.parametrize("who", ["maker", "officer", "operator_user"])
def test_only_a_board_member_or_the_finance_checker_confirms(loan, people, proposal, who):
    with pytest.raises(PermissionDenied):
        confirm(proposal, people[who])
    assert WriteOffProposal.objects.get(pk=proposal.pk).state == "proposed"


@pytest.mark.parametrize("role", [roles.BOARD_REVIEWER, roles.BOARD_CHAIR, roles.FINANCE_CHECKER])
def test_a_second_person_confirms_and_the_ledger_posts_the_write_off(loan, people, proposal, role):
    second = UserFactory(roles=[role])
    confirm(proposal, second)
    loan = Loan.objects.get(pk=loan.pk)
    proposal.refresh_from_db()
    assert loan.state == "written_off" and loan.written_off_by == second
    assert loan.write_off_amount == proposal.outstanding_principal and loan.write_off_reason == proposal.reason
    assert proposal.state == "confirmed" and proposal.decided_by == second
    assert balance(Account.WRITE_OFFS) == loan.write_off_amount
    assert balance(Account.LOANS_RECEIVABLE) == 0 and ledger_ties() == []


def test_the_borrowers_staff_do_not_confirm(loan, people, proposal, operator):
    insider = UserFactory(roles=[roles.FINANCE_CHECKER])
    operator.members.add(insider)
    with pytest.raises(PermissionDenied):
        confirm(proposal, insider)


def test_the_proposer_withdraws_others_may_not(loan, people, proposal):
    with pytest.raises(PermissionDenied, match="who proposed"):
        services.loan_withdraw_write_off(proposal=proposal, actor=people["checker"])
    services.loan_withdraw_write_off(proposal=proposal, actor=people["chair"], note="The company pays after all")
    proposal.refresh_from_db()
    assert proposal.state == "withdrawn" and proposal.decision_note == "The company pays after all"
    with pytest.raises(InvalidTransition, match="withdrawn"):
        confirm(proposal, people["checker"])
    assert Loan.objects.get(pk=loan.pk).state == "active"
    # A new proposal may follow.
    with at(DAY):
        services.loan_propose_write_off(loan=loan, actor=people["chair"], reason="Wound up after all")


def test_figures_that_moved_since_the_proposal_are_refused(loan, people, proposal):
    repay(loan, people, "50000", DAY, "UBL-LATE")
    with pytest.raises(InvalidTransition, match="changed since the proposal"):
        confirm(proposal, people["checker"])


def test_a_proposal_needs_a_reason(loan, people):
    with at(DAY), pytest.raises(ValidationFailed):
        services.loan_propose_write_off(loan=loan, actor=people["chair"], reason="  ")


# --- recoveries ----------------------------------------------------------------------------------------


@pytest.fixture
def written_off(loan, people, proposal):
    confirm(proposal, people["checker"])
    return Loan.objects.get(pk=loan.pk)


def test_finance_posts_and_reverses_recoveries(written_off, people):
    loan = written_off
    with at(dt.date(2026, 8, 20)):
        first = services.loan_post_recovery(
            loan=loan,
            actor=people["maker"],
            amount=Decimal("40000"),
            received_on=dt.date(2026, 8, 20),
            bank_reference="REC-1",
        )
    with at(dt.date(2026, 10, 5)):
        second = services.loan_post_recovery(
            loan=loan,
            actor=people["maker"],
            amount=Decimal("25000"),
            received_on=dt.date(2026, 10, 5),
            bank_reference="REC-2",
        )
    assert balance(Account.RECOVERIES) == Decimal("65000.00")
    # Recoveries per fiscal quarter: Q1 FY2026-27 (Jul–Sep) and Q2 (Oct–Dec).
    assert selectors.recoveries_total(start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30)) == Decimal("40000")
    assert selectors.recoveries_total(start=dt.date(2026, 10, 1), end=dt.date(2026, 12, 31)) == Decimal("25000")
    periods = selectors.recoveries_by_period(start=dt.date(2026, 7, 1), end=dt.date(2026, 12, 31))
    assert [total for _label, _first, _last, total in periods] == [Decimal("40000"), Decimal("25000")]
    totals = selectors.portfolio_totals(dt.date(2026, 10, 31))
    assert totals["recoveries"] == Decimal("65000.00") and totals["recoveries_in_period"] == Decimal("25000.00")
    assert totals["written_off"] == loan.write_off_amount
    with pytest.raises(ValidationFailed):
        services.loan_reverse_recovery(recovery=second, actor=people["maker"], reason=" ")
    with at(dt.date(2026, 10, 9)):
        services.loan_reverse_recovery(recovery=second, actor=people["checker"], reason="Cheque bounced")
    assert balance(Account.RECOVERIES) == Decimal("40000.00")
    assert selectors.recoveries_total(start=None, end=dt.date(2026, 12, 31)) == Decimal("40000.00")
    with pytest.raises(InvalidTransition, match="already reversed"):
        services.loan_reverse_recovery(recovery=second, actor=people["checker"], reason="again")
    assert Recovery.objects.filter(loan=loan).count() == 3 and first.amount == Decimal("40000")
    assert ledger_ties() == []


def test_recoveries_are_refused_where_they_do_not_belong(loan, people, written_off):
    with pytest.raises(PermissionDenied):
        services.loan_post_recovery(
            loan=written_off, actor=people["officer"], amount=Decimal("1"), received_on=DAY, bank_reference="X"
        )
    with at(DAY), pytest.raises(ValidationFailed) as refused:
        services.loan_post_recovery(
            loan=written_off,
            actor=people["maker"],
            amount=Decimal("1"),
            received_on=dt.date(2026, 6, 1),
            bank_reference="X",
        )
    assert "between the write-off" in str(refused.value.field_errors["received_on"][0])


def test_a_loan_not_written_off_takes_no_recovery(loan, people):
    with at(DAY), pytest.raises(InvalidTransition, match="only on a written-off loan"):
        services.loan_post_recovery(
            loan=loan, actor=people["maker"], amount=Decimal("1"), received_on=DAY, bank_reference="X"
        )
