"""Issue #17, item 7: the checker sends a payment back to the maker with a reason; the person who
prepared a payment never confirms the bank statement that settles it (four-eyes rule)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts import roles
from audit.models import AuditEvent
from finance import services
from finance.errors import InvalidTransition, PermissionDenied, ValidationFailed
from finance.models import BankStatement, PaymentInstruction
from tests.factories import SpaceFactory, UserFactory

from .conftest import request_payment, sent_payment
from .test_reconciliation import csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def prepared(space, payee, officer, maker):
    instruction = request_payment(space, payee, officer)
    return services.payment_prepare(instruction=instruction, actor=maker, amount=Decimal("1250000.00"))


def test_the_checker_sends_a_payment_back_and_the_maker_reads_why_then_prepares_it_again(
    client, prepared, maker, checker
):
    services.payment_send_back(instruction=prepared, actor=checker, reason="  The narration names the wrong  tranche. ")
    payment = PaymentInstruction.objects.get(pk=prepared.pk)
    assert (payment.state, payment.send_back_reason, payment.sent_back_by) == (
        "requested",
        "The narration names the wrong tranche.",
        checker,
    )
    event = AuditEvent.objects.filter(action="payment.send_back").get()
    assert (event.from_state, event.to_state, event.reason) == (
        "prepared",
        "requested",
        "The narration names the wrong tranche.",
    )

    client.force_login(maker)
    queue = client.get(reverse("finance:maker_queue")).content.decode()
    assert "Sent back by the checker" in queue and "The narration names the wrong tranche." in queue
    page = client.get(reverse("finance:payment", args=[payment.pk])).content.decode()
    assert "The narration names the wrong tranche." in page and "Prepare the payment" in page

    again = services.payment_prepare(instruction=payment, actor=maker, amount=Decimal("1250000.00"))
    assert again.state == "prepared"
    assert services.payment_approve(instruction=again, actor=checker).state == "approved"


def test_the_maker_may_cancel_a_payment_sent_back(prepared, maker, checker):
    services.payment_send_back(instruction=prepared, actor=checker, reason="Duplicate of another request.")
    assert services.payment_cancel(instruction=prepared, actor=maker, reason="Duplicate").state == "cancelled"


def test_sending_back_is_refused_without_a_reason_to_a_maker_and_once_approved(prepared, maker, checker):
    with pytest.raises(ValidationFailed):
        services.payment_send_back(instruction=prepared, actor=checker, reason="   ")
    with pytest.raises(PermissionDenied, match="Only a finance checker may send a payment back"):
        services.payment_send_back(instruction=prepared, actor=maker, reason="Mine")
    services.payment_approve(instruction=prepared, actor=checker)
    with pytest.raises(InvalidTransition):
        services.payment_send_back(instruction=prepared, actor=checker, reason="Too late")
    assert PaymentInstruction.objects.get(pk=prepared.pk).state == "approved"


def test_the_checker_sends_back_from_the_payment_page(client, prepared, checker):
    client.force_login(checker)
    page = client.get(reverse("finance:payment", args=[prepared.pk])).content.decode()
    assert "Send it back to the maker" in page
    url = reverse("finance:payment_send_back", args=[prepared.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Wrong IBAN title"}).status_code == 302
    assert PaymentInstruction.objects.get(pk=prepared.pk).send_back_reason == "Wrong IBAN title"


def test_the_maker_of_a_payment_may_not_confirm_the_statement_that_settles_it(payee, officer, maker, checker):
    payment = sent_payment(SpaceFactory(operator=payee), payee, officer, maker, checker)
    content = csv_bytes(f"2026-01-15,{payment.reference},1250000.00,paid,CR to IBAN")

    with pytest.raises(PermissionDenied, match=r"You prepared payment .*four-eyes rule"):
        services.statement_import(file_name="statement.csv", content=content, actor=maker)
    assert PaymentInstruction.objects.get(pk=payment.pk).state == "sent"  # nothing written
    assert not BankStatement.objects.exists()

    other_maker = UserFactory(roles=[roles.FINANCE_MAKER])
    services.statement_import(file_name="statement.csv", content=content, actor=other_maker)
    assert PaymentInstruction.objects.get(pk=payment.pk).state == "reconciled"


def test_the_maker_may_still_import_a_return_of_their_payment(payee, officer, maker, checker):
    """The rule is about confirming money paid; a bank's return is recorded by anyone in finance."""
    payment = sent_payment(SpaceFactory(operator=payee), payee, officer, maker, checker)
    content = csv_bytes(f"2026-01-15,{payment.reference},1250000.00,returned,Account closed")
    services.statement_import(file_name="statement.csv", content=content, actor=maker)
    assert PaymentInstruction.objects.get(pk=payment.pk).state == "failed"
