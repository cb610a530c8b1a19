"""Disbursement through the payment path makes the loan active and generates its schedule."""

import datetime as dt
from decimal import Decimal

import pytest

from audit.models import AuditEvent
from finance import journal
from finance import services as finance
from finance.journal import Account
from finance.models import JournalEntry, PaymentInstruction
from grants.models import Award
from loans import services
from loans.errors import InvalidTransition, PermissionDenied
from loans.models import Loan, ScheduleVersion

from .conftest import accepted_award, disburse, ledger_ties, pay

pytestmark = pytest.mark.django_db


def schedule(loan):
    version = ScheduleVersion.objects.get(loan=loan, is_current=True)
    return version, list(version.instalments.order_by("number"))


def test_worked_figure_5_percent_interest_only_grace(loan_call, operator, space, people):
    loan = disburse(
        loan_call, operator, space, people, amount=Decimal("1000000"), months=96, grace=12, on=dt.date(2026, 1, 31)
    )
    assert loan.state == "active"
    assert loan.disbursed_on == dt.date(2026, 1, 31)
    version, rows = schedule(loan)
    assert version.number == 1 and version.first_due == dt.date(2026, 2, 28)  # one month on, clamped
    assert len(rows) == 96
    assert [r.instalment for r in rows[:12]] == [Decimal("4166.67")] * 12
    assert all(r.principal == 0 for r in rows[:12])
    assert [r.instalment for r in rows[12:95]] == [Decimal("14134.00")] * 83
    assert rows[95].instalment == Decimal("14125.00")
    assert sum(r.principal for r in rows) == Decimal("1000000.00")
    assert rows[95].balance == 0
    assert rows[95].due_date == dt.date(2034, 1, 28)  # due on the 28th at the latest, every month
    # The award records what was paid; the loan's terms are the application's.
    assert Award.objects.get(pk=loan.award_id).paid == Decimal("1000000.00")
    assert (loan.annual_rate_percent, loan.tenor_months, loan.grace_months) == (Decimal("5.00"), 96, 12)
    assert AuditEvent.objects.filter(action="loan.activate", object_id=str(loan.pk)).count() == 1
    # The operator is told the first due date.
    assert operator.members.first().notifications.filter(subject__contains="disbursed").exists()


def test_worked_figure_zero_percent(loan_call, operator, space, people):
    loan = disburse(loan_call, operator, space, people, amount=Decimal("500000"), months=36, grace=0)
    _version, rows = schedule(loan)
    assert [r.instalment for r in rows[:35]] == [Decimal("13889.00")] * 35
    assert rows[35].instalment == Decimal("13885.00")
    assert all(r.interest == 0 for r in rows)
    assert sum(r.principal for r in rows) == Decimal("500000.00")


def test_seven_percent_tier_with_interest_only_grace(loan_call, operator, space, people):
    loan = disburse(loan_call, operator, space, people, amount=Decimal("2000000"), months=96, grace=12)
    assert loan.annual_rate_percent == Decimal("7.00")
    _version, rows = schedule(loan)
    # 2,000,000 x 7% / 12 = 11,666.67 a month in grace, principal untouched.
    assert [r.instalment for r in rows[:12]] == [Decimal("11666.67")] * 12
    regular = rows[12].instalment
    assert regular == Decimal("30185.00")  # the annuity of 2,000,000 at 7% over 84 months, whole rupees
    assert all(r.instalment == regular for r in rows[12:95])
    assert sum(r.principal for r in rows) == Decimal("2000000.00")
    assert all(r.instalment == r.principal + r.interest for r in rows)


def test_capitalised_grace_chosen_in_the_application_is_the_loans_schedule(loan_call, operator, space, people):
    loan = disburse(
        loan_call,
        operator,
        space,
        people,
        amount=Decimal("1000000"),
        months=96,
        grace=12,
        grace_kind="none",
        on=dt.date(2026, 1, 31),
    )
    assert (loan.grace_months, loan.grace_kind) == (12, "none")
    opened = AuditEvent.objects.get(action="loan.open", object_id=str(loan.pk))
    assert opened.data["grace_kind"] == "none"
    version, rows = schedule(loan)
    assert (version.grace_months, version.grace_kind) == (12, "none")
    grace, repayment = rows[:12], rows[12:]
    # Nothing is paid in grace: each month's markup is added to the balance (shown as negative principal).
    assert all(r.instalment == 0 and r.principal == -r.interest and r.interest > 0 for r in grace)
    assert (grace[0].interest, grace[0].balance) == (Decimal("4166.67"), Decimal("1004166.67"))
    balances = [Decimal("1000000.00")] + [r.balance for r in grace]
    assert all(later > earlier for earlier, later in zip(balances, balances[1:], strict=False))
    capitalised = grace[-1].balance
    assert capitalised == Decimal("1051161.91")  # the engine's figure (tests/grants/test_loan_schedule.py)
    # The repayment months repay the capitalised balance; the whole principal column nets to the loan.
    assert sum(r.principal for r in repayment) == capitalised
    assert sum(r.principal for r in rows) == Decimal("1000000.00")
    assert all(r.instalment == repayment[0].instalment for r in repayment[:-1])
    assert repayment[0].instalment > Decimal("14134.00")  # more than after an interest-only grace
    assert rows[-1].instalment == Decimal("14855.91") and rows[-1].balance == 0
    assert all(r.instalment == r.principal + r.interest for r in rows)
    # Three months into grace: nothing is past due, and the borrower owes the capitalised markup too.
    as_of = grace[2].due_date + dt.timedelta(days=5)
    services.loan_refresh_positions(as_of=as_of)
    loan.refresh_from_db()
    assert (loan.days_past_due, loan.arrears_bucket, loan.overdue_amount) == (0, "current", Decimal("0"))
    assert loan.outstanding_principal == grace[2].balance == Decimal("1000000") + sum(r.interest for r in grace[:3])
    # The general ledger follows: the capitalised markup is posted to loans receivable (issue #22).
    capitalised_by_now = sum(r.interest for r in grace[:3])
    assert journal.balance(Account.LOANS_RECEIVABLE) == loan.outstanding_principal
    assert journal.balance(Account.MARKUP_CAPITALISED) == capitalised_by_now
    assert journal.balance(Account.MARKUP_INCOME) == Decimal("0")  # nothing received
    assert ledger_ties() == []
    services.loan_refresh_positions(as_of=as_of)  # the same day again: nothing more is posted
    assert JournalEntry.objects.filter(source__startswith=f"loans.loan:{loan.pk}:capitalised:").count() == 1
    later = grace[5].due_date + dt.timedelta(days=1)
    services.loan_refresh_positions(as_of=later)
    assert journal.balance(Account.MARKUP_CAPITALISED) == sum(r.interest for r in grace[:6])
    assert JournalEntry.objects.filter(source__startswith=f"loans.loan:{loan.pk}:capitalised:").count() == 2
    assert ledger_ties() == []


def test_request_is_idempotent_and_retried_hook_makes_one_schedule(loan_call, operator, space, people):
    award = accepted_award(
        loan_call,
        operator,
        space,
        people["operator_user"],
        people["officer"],
        amount=Decimal("1000000"),
        months=96,
        grace=12,
    )
    first = services.loan_request_disbursement(award=award, actor=people["officer"])
    again = services.loan_request_disbursement(award=award, actor=people["maker"])
    assert first.pk == again.pk
    assert PaymentInstruction.objects.filter(idempotency_key=f"loans.loan:{first.pk}").count() == 1
    instruction = pay(first, people)
    # The payment carries the application and the people who worked on it (four-eyes rule).
    assert instruction.application_id == award.application_id
    assert people["officer"].pk in instruction.touched_by
    # finance delivers the hook again (a retry): nothing happens twice.
    from django.db import transaction

    with transaction.atomic():
        services.disbursement_payment_moved(instruction, "sent", "paid")
    assert ScheduleVersion.objects.filter(loan=first).count() == 1
    assert Award.objects.get(pk=award.pk).paid == Decimal("1000000.00")
    # And a second 'mark paid' is refused by finance.
    with pytest.raises(Exception):  # noqa: B017 — finance's own refusal type
        finance.payment_mark_paid(instruction=instruction, actor=people["checker"])
    assert ScheduleVersion.objects.filter(loan=first).count() == 1


def test_cancelled_disbursement_returns_the_loan_to_sanctioned(loan_call, operator, space, people):
    award = accepted_award(
        loan_call,
        operator,
        space,
        people["operator_user"],
        people["officer"],
        amount=Decimal("500000"),
        months=36,
        grace=0,
    )
    loan = services.loan_request_disbursement(award=award, actor=people["officer"])
    instruction = PaymentInstruction.objects.get(idempotency_key=f"loans.loan:{loan.pk}")
    finance.payment_cancel(instruction=instruction, actor=people["maker"], reason="Wrong account title")
    assert Loan.objects.get(pk=loan.pk).state == "sanctioned"
    assert not ScheduleVersion.objects.filter(loan=loan).exists()


def test_who_may_request_a_disbursement(loan_call, operator, space, people, checker):
    award = accepted_award(
        loan_call,
        operator,
        space,
        people["operator_user"],
        people["officer"],
        amount=Decimal("500000"),
        months=36,
        grace=0,
    )
    for person in (checker, people["chair"], people["operator_user"]):
        with pytest.raises(PermissionDenied):
            services.loan_request_disbursement(award=award, actor=person)
    assert not Loan.objects.exists()


def test_an_award_not_yet_accepted_has_no_loan(loan_call, operator, space, people):
    from grants import services as grants

    from .conftest import to_state, upload_required

    app = grants.application_create(actor=people["operator_user"], call=loan_call, operator=operator, space=space)
    grants.application_save_loan_details(
        application=app,
        actor=people["operator_user"],
        amount=Decimal("500000"),
        tenure_months=36,
        grace_months=0,
        purpose="Seats",
        equity_contribution=Decimal("100000"),
    )
    upload_required(app, people["operator_user"])
    app = to_state(app, "approved", operator_user=people["operator_user"], officer=people["officer"])
    with pytest.raises(InvalidTransition, match="not accepted yet"):
        services.loan_request_disbursement(award=app.award, actor=people["officer"])


def test_a_terminated_loan_award_is_never_disbursed(loan_call, operator, space, people):
    """Issue #22: an ended award takes no new payment, whatever the instrument (grants' rule, asked by loans)."""
    from accounts import roles
    from grants import services as grants
    from grants.errors import InvalidTransition as GrantsInvalidTransition
    from tests.factories import UserFactory

    award = accepted_award(
        loan_call,
        operator,
        space,
        people["operator_user"],
        people["officer"],
        amount=Decimal("1000000"),
        months=36,
        grace=0,
    )
    proposal = grants.award_termination_propose(award=award, actor=people["chair"], reason="The space closed.")
    grants.award_termination_confirm(proposal=proposal, actor=UserFactory(roles=[roles.BOARD_REVIEWER]))
    with pytest.raises(GrantsInvalidTransition, match="no new payment can be asked for"):
        services.loan_request_disbursement(award=Award.objects.get(pk=award.pk), actor=people["officer"])
    assert not PaymentInstruction.objects.exists()
