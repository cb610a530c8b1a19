"""Real concurrency on PostgreSQL: ten people verifying, approving or paying the same tranche or claim
at once make exactly one payment instruction, one ledger row and one addition to the award."""

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from accounts import roles
from finance import services as finance
from finance.models import LedgerEntry, PaymentInstruction
from grants import services
from grants.models import Award, Tranche, UtilityClaim
from tests.concurrency import race

from .conftest import PDF_BYTES
from .factories import UserFactory
from .payments import accepted_enrolment, accepted_grant, finance_people, payment_for, request_tranche

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def award(grant_call, operator, space, operator_user, officer):
    return accepted_grant(grant_call, operator, space, operator_user, officer)


def test_ten_officers_verifying_one_tranche_make_one_payment_instruction(award, operator_user):
    assert connection.vendor == "postgresql"
    tranche = request_tranche(Tranche.objects.get(award=award, position=1), operator_user)
    officers = [UserFactory(roles=[roles.PROGRAM_OFFICER]) for _ in range(10)]
    outcomes = race(*[(lambda o=o: services.tranche_verify(tranche=tranche, actor=o)) for o in officers])
    assert sorted(o[0] for o in outcomes) == ["ok"] + ["refused"] * 9, outcomes
    assert Tranche.objects.get(pk=tranche.pk).state == "verified"
    assert PaymentInstruction.objects.filter(idempotency_key=f"grants.tranche:{tranche.pk}").count() == 1


def test_ten_threads_paying_one_tranche_make_one_ledger_row_and_one_award_payment(award, operator_user, officer):
    tranche = services.tranche_verify(
        tranche=request_tranche(Tranche.objects.get(award=award, position=1), operator_user), actor=officer
    )
    maker, checker = finance_people()
    instruction = finance.payment_prepare(instruction=payment_for(tranche), actor=maker, amount=tranche.amount)
    instruction = finance.payment_approve(instruction=instruction, actor=checker)
    batch = finance.batch_create(actor=maker, value_date=timezone.localdate(), instructions=[instruction])
    finance.batch_mark_sent(batch=batch, actor=maker)
    outcomes = race(*[lambda: finance.payment_mark_paid(instruction=instruction, actor=checker) for _ in range(10)])
    assert sorted(o[0] for o in outcomes) == ["ok"] + ["refused"] * 9, outcomes
    assert PaymentInstruction.objects.filter(idempotency_key=instruction.idempotency_key).count() == 1
    assert LedgerEntry.objects.filter(idempotency_key=instruction.idempotency_key, kind="paid").count() == 1
    assert Tranche.objects.get(pk=tranche.pk).state == "paid"
    assert Award.objects.get(pk=award.pk).paid == tranche.amount == Decimal("2000000.00")


def test_ten_officers_approving_one_claim_make_one_payment_instruction(
    utility_call, operator, space, operator_user, officer
):
    award = accepted_enrolment(utility_call, operator, [space], operator_user, officer)
    link = award.application.connections.get()
    claim = services.utility_claim_submit(
        connection=link,
        actor=operator_user,
        disco=link.disco,
        bill_reference=link.bill_reference,
        billing_month=timezone.localdate().replace(day=1),
        units=3100,
        bill_amount=Decimal("190000"),
        file=ContentFile(PDF_BYTES, name="bill.pdf"),
    )
    claim = services.utility_claim_verify(claim=claim, actor=officer)
    officers = [UserFactory(roles=[roles.PROGRAM_OFFICER]) for _ in range(10)]
    outcomes = race(*[(lambda o=o: services.utility_claim_approve(claim=claim, actor=o)) for o in officers])
    assert sorted(o[0] for o in outcomes) == ["ok"] + ["refused"] * 9, outcomes
    assert UtilityClaim.objects.get(pk=claim.pk).state == "approved"
    assert PaymentInstruction.objects.filter(idempotency_key=f"grants.utilityclaim:{claim.pk}").count() == 1


def test_ten_operators_claiming_the_same_bill_at_once_file_one_claim(
    utility_call, operator, space, operator_user, officer
):
    award = accepted_enrolment(utility_call, operator, [space], operator_user, officer)
    link = award.application.connections.get()
    staff = [operator_user] + [UserFactory(roles=[roles.OPERATOR]) for _ in range(9)]
    for person in staff[1:]:
        operator.members.add(person)
    month = timezone.localdate().replace(day=1)

    def file_claim(person):
        return services.utility_claim_submit(
            connection=link,
            actor=person,
            disco=link.disco,
            bill_reference=link.bill_reference,
            billing_month=month,
            units=3100,
            bill_amount=Decimal("190000"),
            file=ContentFile(PDF_BYTES, name="bill.pdf"),
        )

    outcomes = race(*[(lambda p=p: file_claim(p)) for p in staff])
    assert sorted(o[0] for o in outcomes) == ["ok"] + ["refused"] * 9, outcomes
    assert UtilityClaim.objects.filter(billing_month=month).count() == 1
    assert all("already claimed" in str(o[1]) or "a moment ago" in str(o[1]) for o in outcomes if o[0] == "refused")
