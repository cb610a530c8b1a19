"""Real concurrency on PostgreSQL: row and advisory locks make one of many simultaneous actions win."""

from decimal import Decimal

import pytest
from django.db import connection

from finance import services
from finance.models import LedgerEntry, PaymentBatch, PaymentInstruction
from finance.tasks import payment_mark_sent
from tests.concurrency import race
from tests.factories import UserFactory

from .conftest import approved_payment, request_payment, sent_payment, today

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_ten_requests_for_one_source_make_one_instruction(space, payee, officer):
    assert connection.vendor == "postgresql"
    outcomes = race(*[lambda: request_payment(space, payee, officer) for _ in range(10)])
    assert [o[0] for o in outcomes] == ["ok"] * 10, outcomes
    assert len({o[1].pk for o in outcomes}) == 1
    assert PaymentInstruction.objects.count() == 1


def test_ten_checkers_approving_at_once_make_one_approval_and_one_ledger_row(space, payee, officer, maker):
    checkers = [UserFactory(roles=["finance_checker"]) for _ in range(10)]
    instruction = services.payment_prepare(instruction=request_payment(space, payee, officer), actor=maker)
    outcomes = race(*[(lambda c=c: services.payment_approve(instruction=instruction, actor=c)) for c in checkers])
    assert sorted(o[0] for o in outcomes) == ["ok"] + ["refused"] * 9, outcomes
    final = PaymentInstruction.objects.get(pk=instruction.pk)
    assert final.state == "approved"
    winner = next(o[1] for o in outcomes if o[0] == "ok")
    assert final.approved_by_id == winner.approved_by_id
    assert LedgerEntry.objects.filter(instruction=instruction).count() == 1


def test_ten_threads_paying_one_instruction_make_one_payment(space, payee, officer, maker, checker):
    instruction = sent_payment(space, payee, officer, maker, checker)
    outcomes = race(*[lambda: services.payment_mark_paid(instruction=instruction, actor=checker) for _ in range(10)])
    assert sorted(o[0] for o in outcomes) == ["ok"] + ["refused"] * 9, outcomes
    assert PaymentInstruction.objects.get(pk=instruction.pk).state == "paid"
    assert LedgerEntry.objects.filter(instruction=instruction, kind="paid").count() == 1
    assert LedgerEntry.objects.filter(idempotency_key=instruction.idempotency_key, kind="paid").count() == 1


def test_a_retried_mark_sent_task_writes_one_ledger_row(space, payee, officer, maker, checker):
    instruction = approved_payment(space, payee, officer, maker, checker, amount=Decimal("480000.00"))
    batch = services.batch_create(actor=maker, value_date=today(), instructions=[instruction])
    # A redelivered task running alongside the first, then a late retry after both finished.
    outcomes = race(*[lambda: payment_mark_sent.apply(args=[batch.pk, maker.pk]).get() for _ in range(3)])
    assert [o[0] for o in outcomes] == ["ok"] * 3, outcomes
    assert payment_mark_sent.apply(args=[batch.pk, maker.pk]).get() == "sent"
    assert PaymentBatch.objects.get(pk=batch.pk).state == "sent"
    assert PaymentInstruction.objects.get(pk=instruction.pk).state == "sent"
    assert LedgerEntry.objects.filter(instruction=instruction, kind="sent").count() == 1


def test_retrying_a_failed_payment_twice_at_once_makes_one_new_attempt(space, payee, officer, maker, checker):
    instruction = sent_payment(space, payee, officer, maker, checker)
    services.payment_fail(instruction=instruction, actor=maker, reason="Account closed")
    outcomes = race(*[lambda: services.payment_retry(instruction=instruction, actor=maker) for _ in range(5)])
    assert sorted(o[0] for o in outcomes) == ["ok"] + ["refused"] * 4, outcomes
    assert PaymentInstruction.objects.filter(idempotency_key=instruction.idempotency_key).count() == 2
