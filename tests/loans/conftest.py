"""Shared set-up for the loan tests: people, a soft-loan program with the PM Youth Loan tiers, and
helpers that take an application to an accepted award and disburse it through the finance services,
as the people would. `disburse(..., on=date)` travels to that day (time-machine) so that a loan can be
disbursed in the past and its arrears read on fixed days."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone, translation

from accounts import roles
from finance import services as finance
from grants import services as grants
from loans import services
from loans.models import Loan
from tests.grants.conftest import to_state, upload_required
from tests.grants.factories import CallFactory, LoanProgramFactory, OperatorFactory, SpaceFactory, UserFactory

KARACHI = dt.timezone(dt.timedelta(hours=5))


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def operator_user(db):
    return UserFactory(roles=[roles.OPERATOR], email="ayesha@indus.example.pk")


@pytest.fixture
def operator(operator_user):
    return OperatorFactory(members=[operator_user], legal_name="Indus Hub Coworking (Pvt.) Ltd.")


@pytest.fixture
def space(operator):
    return SpaceFactory(operator=operator, code="LHR-001", name="Indus Lahore Hub")


@pytest.fixture
def other_operator_user(db):
    return UserFactory(roles=[roles.OPERATOR], email="bilal@ravi.example.pk")


@pytest.fixture
def other_operator(other_operator_user):
    return OperatorFactory(members=[other_operator_user], legal_name="Ravi Workspaces (SMC-Pvt.) Ltd.")


@pytest.fixture
def officer(db):
    return UserFactory(roles=[roles.PROGRAM_OFFICER], email="officer@pitb.example.pk", full_name="Hamza Iqbal")


@pytest.fixture
def maker(db):
    return UserFactory(roles=[roles.FINANCE_MAKER], email="maker@finance.example.pk", full_name="Usman Tariq")


@pytest.fixture
def checker(db):
    return UserFactory(roles=[roles.FINANCE_CHECKER], email="checker@finance.example.pk", full_name="Nadia Hussain")


@pytest.fixture
def chair(db):
    return UserFactory(roles=[roles.BOARD_CHAIR], email="chair@pitb.example.pk", full_name="Dr. Saima Rauf")


@pytest.fixture
def loan_call(db):
    return CallFactory(program=LoanProgramFactory(code="SL", name="Soft Loan", slug="soft-loan"))


@pytest.fixture
def people(operator_user, officer, maker, checker, chair):
    return {"operator_user": operator_user, "officer": officer, "maker": maker, "checker": checker, "chair": chair}


def accepted_award(call, operator, space, operator_user, officer, *, amount, months, grace, grace_kind="interest_only"):
    """A soft-loan application through submission, review and the board, its award accepted."""
    app = grants.application_create(actor=operator_user, call=call, operator=operator, space=space)
    grants.application_save_loan_details(
        application=app,
        actor=operator_user,
        amount=amount,
        tenure_months=months,
        grace_months=grace,
        grace_kind=grace_kind,
        purpose="Fit-out of a second floor",
        equity_contribution=(amount / 3).quantize(Decimal("1")),
    )
    upload_required(app, operator_user)
    app.refresh_from_db()
    app = to_state(app, "approved", operator_user=operator_user, officer=officer)
    return grants.award_accept(award=app.award, actor=operator_user)


def pay(loan: Loan, people, *, key: str | None = None) -> None:
    """Maker prepares, checker approves, maker batches and sends, the bank pays (today). `key`: another
    payment than the loan's own (a part of a disbursement in parts: "loans.disbursementpart:<pk>")."""
    from finance.models import PaymentInstruction

    key = key or f"loans.loan:{loan.pk}"
    instruction = PaymentInstruction.objects.filter(idempotency_key=key).latest("attempt")
    instruction = finance.payment_prepare(instruction=instruction, actor=people["maker"], amount=instruction.amount)
    instruction = finance.payment_approve(instruction=instruction, actor=people["checker"])
    batch = finance.batch_create(actor=people["maker"], value_date=timezone.localdate(), instructions=[instruction])
    batch = finance.batch_mark_sent(batch=batch, actor=people["maker"])
    return finance.payment_mark_paid(instruction=instruction, actor=people["checker"])


def disburse(
    call, operator, space, people, *, amount, months, grace, grace_kind="interest_only", on: dt.date | None = None
) -> Loan:
    """An accepted award, its disbursement requested and paid on day `on` (default today)."""
    award = accepted_award(
        call,
        operator,
        space,
        people["operator_user"],
        people["officer"],
        amount=amount,
        months=months,
        grace=grace,
        grace_kind=grace_kind,
    )

    def go():
        loan = services.loan_request_disbursement(award=award, actor=people["officer"])
        pay(loan, people)
        return Loan.objects.get(pk=loan.pk)

    if on is None:
        return go()
    with time_machine.travel(dt.datetime(on.year, on.month, on.day, 11, 0, tzinfo=KARACHI), tick=False):
        return go()


def repay(loan, people, amount, on: dt.date, reference: str):
    """Finance posts a repayment received on `on`, travelling to that day."""
    with time_machine.travel(dt.datetime(on.year, on.month, on.day, 15, 0, tzinfo=KARACHI), tick=False):
        return services.loan_post_repayment(
            loan=loan, actor=people["maker"], amount=Decimal(amount), received_on=on, bank_reference=reference
        )


def at(day: dt.date, hour: int = 10):
    """Travel to a Pakistan day (time-machine), the clock stopped."""
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=KARACHI), tick=False)


def ledger_ties() -> list[str]:
    """The loans' general-ledger invariant (loans receivable equals the loan book), as check_ledger runs it."""
    from loans.ledger import receivable_ties_to_the_book

    return receivable_ties_to_the_book()
