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


def test_a_reversal_racing_a_new_repayment_is_serialised_on_the_loan(loan_call, operator, space, people):
    """Issue #22: an older repayment reversed (the later ones replayed) while finance posts a new one on the
    same loan. The loan row's lock makes one wait for the other; whichever goes second splits on top of
    the first, and the positions, running totals and ledger agree afterwards."""
    from loans.ledger import receivable_ties_to_the_book
    from loans.models import Repayment

    today = timezone.localdate()
    start = today - dt.timedelta(days=100)
    loan = disburse(loan_call, operator, space, people, amount=Decimal("500000"), months=36, grace=0, on=start)
    first = services.loan_post_repayment(
        loan=loan, actor=people["maker"], amount=Decimal("13889"), received_on=today, bank_reference="OLD-1"
    )
    services.loan_post_repayment(
        loan=loan, actor=people["maker"], amount=Decimal("13889"), received_on=today, bank_reference="OLD-2"
    )

    def reverse():
        return services.loan_reverse_repayment(repayment=first, actor=people["checker"], reason="Bounced")

    def post():
        return services.loan_post_repayment(
            loan=loan, actor=people["maker"], amount=Decimal("13889"), received_on=today, bank_reference="NEW-1"
        )

    outcomes = race(reverse, post)
    assert [o[0] for o in outcomes] == ["ok", "ok"], outcomes
    loan = Loan.objects.get(pk=loan.pk)
    live = Repayment.objects.filter(loan=loan, kind="repayment", reversed_by__isnull=True)
    assert sorted(live.values_list("bank_reference", flat=True)) == ["NEW-1", "OLD-2"]
    # Running totals equal the rows that stand; each instalment settled once, never beyond its amount.
    assert loan.principal_repaid == sum(r.principal for r in live) == Decimal("27778.00")
    settled = {}
    for a in RepaymentAllocation.objects.filter(repayment__loan=loan):
        settled[a.instalment.number] = settled.get(a.instalment.number, Decimal("0")) + a.principal
    assert {n: p for n, p in settled.items() if p} == {1: Decimal("13889.00"), 2: Decimal("13889.00")}
    assert receivable_ties_to_the_book() == []
