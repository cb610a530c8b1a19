"""A loan paid out in several parts (issue #22): the plan and its refusals, each part requested and paid
through finance, the schedule rebuilt from each part's paid date (earlier versions kept), principal
outstanding = the parts paid so far, and the general ledger tying to the loan book."""

import datetime as dt
from decimal import Decimal

import pytest

from audit.models import AuditEvent
from finance.journal import Account, balance
from finance.models import PaymentInstruction
from grants.models import Award
from loans import services
from loans.errors import InvalidTransition, PermissionDenied, ValidationFailed
from loans.models import DisbursementPart, Loan, ScheduleVersion

from .conftest import accepted_award, at, ledger_ties, pay, repay

pytestmark = pytest.mark.django_db
PLANNED = dt.date(2026, 1, 5)
PART_1, PART_2 = Decimal("600000.00"), Decimal("400000.00")


@pytest.fixture
def award(loan_call, operator, space, people):
    """PKR 1,000,000 at 5% over 24 months, no grace."""
    return accepted_award(
        loan_call,
        operator,
        space,
        people["operator_user"],
        people["officer"],
        amount=Decimal("1000000"),
        months=24,
        grace=0,
    )


def plan(award, people, parts, who="officer"):
    with at(PLANNED):
        return services.loan_plan_disbursement(award=award, actor=people[who], parts=parts)


def request_and_pay(loan, people, day):
    with at(day):
        services.loan_request_disbursement(award=loan.award, actor=people["officer"])
        part = DisbursementPart.objects.filter(loan=loan, state="requested").get()
        pay(loan, people, key=f"loans.disbursementpart:{part.pk}")
    return Loan.objects.get(pk=loan.pk), DisbursementPart.objects.get(pk=part.pk)


TWO_PARTS = [(dt.date(2026, 1, 10), PART_1), (dt.date(2026, 3, 10), PART_2)]


@pytest.mark.parametrize(
    ("parts", "words"),
    [
        ([(dt.date(2026, 1, 10), Decimal("1000000"))], "at least two parts"),
        ([(dt.date(2026, 1, 10), PART_1), (dt.date(2026, 3, 10), Decimal("300000"))], "add up to PKR 900,000"),
        ([(dt.date(2026, 1, 1), PART_1), (dt.date(2026, 3, 10), PART_2)], "in the past"),
        ([(dt.date(2026, 3, 10), PART_1), (dt.date(2026, 1, 10), PART_2)], "date order"),
        ([(dt.date(2026, 1, 10), PART_1), (dt.date(2026, 3, 10), Decimal("-1"))], "more than zero"),
    ],
)
def test_a_plan_is_refused_with_the_rule_and_the_figures(award, people, parts, words):
    with pytest.raises(ValidationFailed) as refused:
        plan(award, people, parts)
    assert any(words in str(m) for m in refused.value.field_errors["parts"]), refused.value.field_errors
    assert not DisbursementPart.objects.exists()


@pytest.mark.parametrize("who", ["chair", "checker", "operator_user"])
def test_only_an_officer_or_a_finance_maker_plans(award, people, who):
    with pytest.raises(PermissionDenied):
        plan(award, people, TWO_PARTS, who=who)
    assert not DisbursementPart.objects.exists()


def test_two_parts_paid_rebuild_the_schedule_from_each_paid_date(award, people):
    loan = plan(award, people, TWO_PARTS, who="maker")
    assert [(p.number, p.amount, p.state) for p in loan.parts.order_by("number")] == [
        (1, PART_1, "planned"),
        (2, PART_2, "planned"),
    ]
    assert AuditEvent.objects.filter(action="loan.plan_disbursement", object_id=str(loan.pk)).exists()

    loan, part_1 = request_and_pay(loan, people, dt.date(2026, 1, 10))
    assert loan.state == "active" and loan.disbursed_amount == PART_1 and part_1.paid_on == dt.date(2026, 1, 10)
    v1 = ScheduleVersion.objects.get(loan=loan, number=1)
    assert v1.principal == PART_1 and v1.cause == "part" and v1.part == part_1 and v1.months == 24
    v1_rows = list(v1.instalments.order_by("number"))
    assert v1_rows[0].due_date == dt.date(2026, 2, 10) and v1_rows[-1].due_date == dt.date(2028, 1, 10)
    assert Award.objects.get(pk=award.pk).paid == PART_1
    # Finance posted the payment: Dr loans receivable. The book ties.
    assert balance(Account.LOANS_RECEIVABLE) == PART_1 and ledger_ties() == []

    # The first instalment is paid; the second part is paid on 10 Mar while 10 Mar's instalment is due.
    repay(loan, people, v1_rows[0].instalment, dt.date(2026, 2, 10), "UBL-P1")
    loan, part_2 = request_and_pay(loan, people, dt.date(2026, 3, 10))
    v1.refresh_from_db()
    v2 = ScheduleVersion.objects.get(loan=loan, is_current=True)
    assert not v1.is_current and v2.number == 2 and v2.cause == "part" and v2.part == part_2
    assert v1.instalments.count() == 24  # the earlier version is kept as it was
    assert loan.disbursed_amount == PART_1 + PART_2 and loan.state == "active"
    outstanding_before = PART_1 - v1_rows[0].principal
    assert v2.principal == outstanding_before + PART_2
    rows = list(v2.instalments.order_by("number"))
    # 10 Mar's instalment of the first part stays due on its day; the rest, the second part added, is
    # re-amortised to the same end date.
    assert (rows[0].due_date, rows[0].instalment) == (dt.date(2026, 3, 10), v1_rows[1].instalment)
    assert rows[-1].due_date == v1_rows[-1].due_date and len(rows) == 23
    assert sum(r.principal for r in rows) == v2.principal and rows[-1].balance == 0
    assert rows[1].instalment > v1_rows[2].instalment  # more principal, a higher instalment
    assert loan.outstanding_principal == v2.principal
    assert Award.objects.get(pk=award.pk).paid == PART_1 + PART_2
    assert balance(Account.LOANS_RECEIVABLE) == PART_1 + PART_2 - v1_rows[0].principal and ledger_ties() == []
    event = AuditEvent.objects.filter(action="loan.part_paid", object_id=str(loan.pk)).latest("id")
    assert event.data["part"] == 2

    # Every part is paid: nothing is left to request.
    with pytest.raises(InvalidTransition, match="Every part of loan"):
        services.loan_request_disbursement(award=loan.award, actor=people["officer"])


def test_a_later_part_waits_for_the_earlier_ones_and_a_plan_is_fixed_once_requested(award, people):
    loan = plan(award, people, TWO_PARTS)
    with at(dt.date(2026, 1, 10)):
        services.loan_request_disbursement(award=award, actor=people["officer"])
        # Asking again changes nothing: one live payment for part 1, none for part 2.
        services.loan_request_disbursement(award=award, actor=people["officer"])
    assert PaymentInstruction.objects.filter(idempotency_key__startswith="loans.disbursementpart:").count() == 1
    assert Loan.objects.get(pk=loan.pk).state == "disbursement_requested"
    with pytest.raises(InvalidTransition, match="only before any of it is requested"):
        plan(award, people, TWO_PARTS)


def test_a_cancelled_part_payment_plans_the_part_again(award, people):
    from finance import services as finance

    loan = plan(award, people, TWO_PARTS)
    with at(dt.date(2026, 1, 10)):
        services.loan_request_disbursement(award=award, actor=people["officer"])
    part = DisbursementPart.objects.get(loan=loan, number=1)
    instruction = PaymentInstruction.objects.get(idempotency_key=f"loans.disbursementpart:{part.pk}")
    finance.payment_cancel(instruction=instruction, actor=people["maker"], reason="Wrong account")
    assert DisbursementPart.objects.get(pk=part.pk).state == "planned"
    assert Loan.objects.get(pk=loan.pk).state == "sanctioned"


def test_a_loan_paid_at_once_works_as_before(loan_call, operator, space, people):
    from .conftest import disburse

    loan = disburse(
        loan_call, operator, space, people, amount=Decimal("500000"), months=36, grace=0, on=dt.date(2026, 1, 10)
    )
    assert not loan.parts.exists() and loan.disbursed_amount == Decimal("500000.00")
    version = ScheduleVersion.objects.get(loan=loan)
    assert version.cause == "disbursement" and version.principal == Decimal("500000.00")
    assert ledger_ties() == []
