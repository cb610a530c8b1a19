"""Real concurrency on PostgreSQL: the loan row lock serialises repayments; a redelivered disbursement
hook makes one schedule."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from finance import services as finance
from finance.models import PaymentInstruction
from grants.models import Award
from loans import services
from loans.models import Loan, RepaymentAllocation, ScheduleVersion
from tests.concurrency import race

from .conftest import accepted_award, disburse

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_repayments_at_once_are_split_one_after_the_other(loan_call, operator, space, people):
    assert connection.vendor == "postgresql"
    today = timezone.localdate()
    start = today - dt.timedelta(days=100)  # three or four 0% instalments of 13,889 are due
    loan = disburse(loan_call, operator, space, people, amount=Decimal("500000"), months=36, grace=0, on=start)

    def post(reference):
        return services.loan_post_repayment(
            loan=loan, actor=people["maker"], amount=Decimal("13889"), received_on=today, bank_reference=reference
        )

    outcomes = race(lambda: post("RACE-1"), lambda: post("RACE-2"))
    assert [o[0] for o in outcomes] == ["ok", "ok"], outcomes
    loan = Loan.objects.get(pk=loan.pk)
    assert loan.principal_repaid == Decimal("27778.00")
    # Each settled its own instalment: without the lock both would have paid instalment 1.
    settled = sorted(
        RepaymentAllocation.objects.filter(repayment__loan=loan).values_list("instalment__number", "principal")
    )
    assert settled == [(1, Decimal("13889.00")), (2, Decimal("13889.00"))]


def test_a_redelivered_disbursement_hook_makes_one_schedule(loan_call, operator, space, people):
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
    loan = services.loan_request_disbursement(award=award, actor=people["officer"])
    instruction = PaymentInstruction.objects.get(idempotency_key=f"loans.loan:{loan.pk}")
    instruction = finance.payment_prepare(instruction=instruction, actor=people["maker"], amount=instruction.amount)
    instruction = finance.payment_approve(instruction=instruction, actor=people["checker"])
    batch = finance.batch_create(actor=people["maker"], value_date=timezone.localdate(), instructions=[instruction])
    finance.batch_mark_sent(batch=batch, actor=people["maker"])
    instruction.refresh_from_db()

    def deliver():
        with transaction.atomic():
            services.disbursement_payment_moved(instruction, "sent", "paid")

    def mark_paid():
        return finance.payment_mark_paid(instruction=instruction, actor=people["checker"])

    outcomes = race(deliver, deliver, mark_paid, deliver)
    assert all(o[0] in ("ok", "refused") for o in outcomes), outcomes
    assert ScheduleVersion.objects.filter(loan=loan).count() == 1
    assert ScheduleVersion.objects.get(loan=loan).instalments.count() == 96
    assert Award.objects.get(pk=award.pk).paid == Decimal("1000000.00")
    assert Loan.objects.get(pk=loan.pk).state == "active"
