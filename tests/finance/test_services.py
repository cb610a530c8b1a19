"""Payment services: idempotency per source, the maker-checker rules, the ledger, failures and retries."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from accounts import roles
from accounts.models import User
from audit.models import AuditEvent
from core.bilingual import isolated
from finance import hooks, selectors, services
from finance.errors import InvalidTransition, PermissionDenied, ValidationFailed
from finance.models import LedgerEntry, PaymentInstruction
from notifications.models import Notification
from tests.factories import SpaceFactory, UserFactory, make_iban

from .conftest import approved_payment, request_payment, sent_payment, today

pytestmark = pytest.mark.django_db


def kinds(instruction):
    return list(LedgerEntry.objects.filter(instruction=instruction).values_list("kind", flat=True))


def test_request_stores_the_source_and_is_idempotent(space, payee, officer):
    first = request_payment(space, payee, officer)
    again = request_payment(space, payee, officer)
    assert again.pk == first.pk
    assert PaymentInstruction.objects.count() == 1
    assert first.idempotency_key == f"spaces.space:{space.pk}"
    assert first.source == space
    assert first.state == "requested"
    assert first.reference.startswith("SHL-") and first.reference.endswith("-1")
    assert officer.pk in first.touched_by
    assert AuditEvent.objects.filter(action="payment.request", object_id=str(first.pk)).count() == 1
    assert selectors.payment_for_source(space) == first


def test_request_with_a_different_amount_for_a_live_payment_is_refused(space, payee, officer):
    request_payment(space, payee, officer)
    with pytest.raises(ValidationFailed, match="already exists"):
        request_payment(space, payee, officer, amount=Decimal("99.00"))


@pytest.mark.parametrize(
    "amount, message",
    [(1.5, "Decimal"), (Decimal("0"), "more than zero"), (Decimal("-5"), "more than zero"), (Decimal("1.005"), "two")],
)
def test_request_refuses_bad_amounts(space, payee, officer, amount, message):
    with pytest.raises(ValidationFailed, match=message):
        request_payment(space, payee, officer, amount=amount)
    assert not PaymentInstruction.objects.exists()


def test_a_second_request_adds_to_touched_by(space, payee, officer):
    reviewer = UserFactory(roles=[roles.FINANCE_CHECKER])
    first = request_payment(space, payee, officer)
    again = request_payment(space, payee, officer, touched_by={reviewer.pk})
    assert again.pk == first.pk
    assert reviewer.pk in again.touched_by


def test_prepare_snapshots_the_registered_iban_and_confirms_the_amount(space, payee, officer, maker):
    instruction = request_payment(space, payee, officer)
    with pytest.raises(ValidationFailed, match="not the amount requested"):
        services.payment_prepare(instruction=instruction, actor=maker, amount=Decimal("1250001"))
    prepared = services.payment_prepare(instruction=instruction, actor=maker, amount=Decimal("1250000"))
    assert prepared.state == "prepared"
    assert prepared.iban_snapshot == payee.iban
    assert prepared.payee_name_snapshot == payee.bank_account_title
    assert prepared.prepared_by == maker
    assert not prepared.iban_differs_from_registry


def test_prepare_refuses_a_foreign_or_broken_iban(space, payee, officer, maker):
    instruction = request_payment(space, payee, officer)
    with pytest.raises(ValidationFailed, match="Pakistani"):
        services.payment_prepare(instruction=instruction, actor=maker, iban="GB82WEST12345698765432")
    with pytest.raises(ValidationFailed, match="check digits"):
        services.payment_prepare(instruction=instruction, actor=maker, iban=make_iban(7)[:-1] + "9")
    corrected = make_iban(9999, bank="MEZN")
    prepared = services.payment_prepare(instruction=instruction, actor=maker, iban=corrected.lower())
    assert prepared.iban_snapshot == corrected
    assert prepared.iban_differs_from_registry


def test_the_maker_never_approves_their_own_payment(space, payee, officer):
    both = UserFactory(roles=[roles.FINANCE_MAKER, roles.FINANCE_CHECKER])
    instruction = request_payment(space, payee, officer)
    instruction = services.payment_prepare(instruction=instruction, actor=both)
    with pytest.raises(PermissionDenied, match="four-eyes"):
        services.payment_approve(instruction=instruction, actor=both)
    assert PaymentInstruction.objects.get(pk=instruction.pk).state == "prepared"
    assert not LedgerEntry.objects.exists()


def test_nobody_who_touched_the_case_approves(space, payee, officer, maker):
    reviewer_checker = UserFactory(roles=[roles.FINANCE_CHECKER])
    instruction = request_payment(space, payee, officer, touched_by={reviewer_checker.pk})
    instruction = services.payment_prepare(instruction=instruction, actor=maker)
    with pytest.raises(PermissionDenied, match="worked on the case"):
        services.payment_approve(instruction=instruction, actor=reviewer_checker)


def test_the_payees_own_staff_never_act_on_its_payments(space, payee, officer, maker):
    insider = UserFactory(roles=[roles.FINANCE_CHECKER, roles.FINANCE_MAKER])
    payee.members.add(insider)
    instruction = request_payment(space, payee, officer)
    with pytest.raises(PermissionDenied, match="staff of"):
        services.payment_prepare(instruction=instruction, actor=insider)
    instruction = services.payment_prepare(instruction=instruction, actor=maker)
    with pytest.raises(PermissionDenied, match="staff of"):
        services.payment_approve(instruction=instruction, actor=insider)


def test_the_database_refuses_a_checker_who_is_the_maker(space, payee, officer, maker, checker):
    instruction = approved_payment(space, payee, officer, maker, checker)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentInstruction.objects.filter(pk=instruction.pk).update(approved_by=maker)


def test_the_database_refuses_non_positive_amounts(space, payee, officer):
    instruction = request_payment(space, payee, officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentInstruction.objects.filter(pk=instruction.pk).update(amount=Decimal("0"))


def test_the_database_refuses_a_second_live_attempt(space, payee, officer):
    instruction = request_payment(space, payee, officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentInstruction.objects.create(
            idempotency_key=instruction.idempotency_key,
            attempt=2,
            reference="SHL-X-2",
            source_type_id=instruction.source_type_id,
            source_id=instruction.source_id,
            payee=payee,
            amount=instruction.amount,
            narration="twice",
            requested_at=instruction.requested_at,
        )


def test_full_path_writes_one_ledger_row_per_movement(space, payee, officer, maker, checker):
    instruction = sent_payment(space, payee, officer, maker, checker)
    assert instruction.state == "sent"
    instruction = services.payment_mark_paid(instruction=instruction, actor=checker)
    instruction = services.payment_reconcile(instruction=instruction, actor=checker)
    assert instruction.state == "reconciled"
    assert kinds(instruction) == ["approved", "sent", "paid"]
    entries = LedgerEntry.objects.filter(instruction=instruction)
    assert {e.amount for e in entries} == {Decimal("1250000.00")}
    assert [e.actor for e in entries] == [checker, maker, checker]  # the maker may not confirm it was paid (four-eyes)
    with pytest.raises(InvalidTransition):
        services.payment_mark_paid(instruction=instruction, actor=checker)


def test_the_ledger_is_append_only(space, payee, officer, maker, checker):
    instruction = approved_payment(space, payee, officer, maker, checker)
    entry = LedgerEntry.objects.get(instruction=instruction)
    entry.note = "edited"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        LedgerEntry.objects.filter(pk=entry.pk).update(note="edited")
    with pytest.raises(PermissionError):
        LedgerEntry.objects.all().delete()


def test_a_failed_payment_is_retried_as_a_new_attempt_never_paid_twice(space, payee, officer, maker, checker):
    first = sent_payment(space, payee, officer, maker, checker)
    first = services.payment_fail(instruction=first, actor=maker, reason="Account closed")
    assert first.state == "failed"
    assert kinds(first) == ["approved", "sent", "failed"]
    # Asking again for the same source does not start a second payment behind finance's back.
    assert request_payment(space, payee, officer).pk == first.pk
    second = services.payment_retry(instruction=first, actor=maker)
    assert second.attempt == 2 and second.previous_attempt == first and second.state == "requested"
    assert second.reference != first.reference
    assert PaymentInstruction.objects.get(pk=first.pk).state == "retried"
    with pytest.raises(InvalidTransition):
        services.payment_retry(instruction=first, actor=maker)
    # The retry pays once; the source then has exactly one successful payment.
    second = services.payment_prepare(instruction=second, actor=maker, iban=make_iban(4242, bank="MEZN"))
    second = services.payment_approve(instruction=second, actor=checker)
    batch = services.batch_create(actor=maker, value_date=today(), instructions=[second])
    services.batch_mark_sent(batch=batch, actor=maker)
    services.payment_mark_paid(instruction=second, actor=checker)
    attempts = selectors.attempts_for_source(space)
    assert [a.state for a in attempts] == ["retried", "paid"]
    assert LedgerEntry.objects.filter(idempotency_key=first.idempotency_key, kind="paid").count() == 1


def test_a_paid_payment_returned_by_the_bank_is_reversed(space, payee, officer, maker, checker):
    instruction = sent_payment(space, payee, officer, maker, checker)
    instruction = services.payment_mark_paid(instruction=instruction, actor=checker)
    instruction = services.payment_fail(instruction=instruction, actor=checker, reason="Returned: title mismatch")
    assert kinds(instruction) == ["approved", "sent", "paid", "reversal"]


def test_cancelling_an_approved_payment_reverses_it_and_frees_the_source(space, payee, officer, maker, checker):
    instruction = approved_payment(space, payee, officer, maker, checker)
    with pytest.raises(ValidationFailed):
        services.payment_cancel(instruction=instruction, actor=maker, reason=" ")
    instruction = services.payment_cancel(instruction=instruction, actor=maker, reason="Award terminated")
    assert instruction.state == "cancelled"
    assert kinds(instruction) == ["approved", "reversal"]
    again = request_payment(space, payee, officer)
    assert again.pk != instruction.pk and again.attempt == 2


def test_a_sent_batch_cannot_be_cancelled_from(space, payee, officer, maker, checker):
    instruction = sent_payment(space, payee, officer, maker, checker)
    with pytest.raises(InvalidTransition):
        services.payment_cancel(instruction=instruction, actor=maker, reason="Too late")


def test_batch_refuses_payments_that_are_not_approved_as_a_whole(payee, officer, maker, checker):
    good = approved_payment(SpaceFactory(operator=payee), payee, officer, maker, checker)
    not_yet = request_payment(SpaceFactory(operator=payee), payee, officer)
    with pytest.raises(ValidationFailed, match="not approved"):
        services.batch_create(actor=maker, value_date=today(), instructions=[good, not_yet])
    assert PaymentInstruction.objects.get(pk=good.pk).state == "approved"


def test_marking_a_batch_sent_twice_writes_nothing_twice(space, payee, officer, maker, checker):
    instruction = approved_payment(space, payee, officer, maker, checker)
    batch = services.batch_create(actor=maker, value_date=today(), instructions=[instruction])
    assert batch.reference.startswith("PB-")
    services.batch_mark_sent(batch=batch, actor=maker)
    services.batch_mark_sent(batch=batch, actor=maker)
    assert kinds(instruction) == ["approved", "sent"]
    assert AuditEvent.objects.filter(action="batch.mark_sent").count() == 1


def test_instruments_are_told_when_their_payment_moves(space, payee, officer, maker, checker):
    seen = []
    hooks.on_payment_state("spaces.space", lambda i, a, b: seen.append((i.source_id, a, b)))
    try:
        approved_payment(space, payee, officer, maker, checker)
    finally:
        hooks._callbacks.pop("spaces.space", None)
    assert seen == [(str(space.pk), "requested", "prepared"), (str(space.pk), "prepared", "approved")]


def test_request_keeps_the_application_and_its_space_for_the_reports(payee, officer):
    from tests.grants.factories import ApplicationFactory

    application = ApplicationFactory(operator=payee, state="approved")
    instruction = services.payment_request(
        source=application,
        payee=payee,
        amount=Decimal("500000.00"),
        narration="Tranche 1",
        actor=officer,
        application=application,
    )
    assert instruction.application == application
    assert instruction.space == application.space


def test_request_for_another_operators_application_or_space_is_refused(payee, officer):
    from tests.grants.factories import ApplicationFactory

    stranger = ApplicationFactory(state="approved")
    with pytest.raises(ValidationFailed, match="application's operator"):
        services.payment_request(
            source=stranger, payee=payee, amount=Decimal("1.00"), narration="x", actor=officer, application=stranger
        )
    with pytest.raises(ValidationFailed, match="space's operator"):
        services.payment_request(
            source=stranger, payee=payee, amount=Decimal("1.00"), narration="x", actor=officer, space=stranger.space
        )
    assert not PaymentInstruction.objects.exists()


def test_each_checker_is_told_of_a_prepared_payment_in_their_own_language(space, payee, officer, maker):
    urdu_checker = UserFactory(roles=[roles.FINANCE_CHECKER], email="urdu-checker@finance.example.pk")
    english_checker = UserFactory(roles=[roles.FINANCE_CHECKER], email="english-checker@finance.example.pk")
    User.objects.filter(pk=urdu_checker.pk).update(language="ur")
    instruction = services.payment_prepare(instruction=request_payment(space, payee, officer), actor=maker)
    with translation.override("ur"):
        expected = translation.gettext("Payment %(ref)s to approve") % {"ref": isolated(instruction.reference)}
    assert expected != f"Payment {instruction.reference} to approve"  # the catalogue has it in Urdu
    assert Notification.objects.get(recipient=urdu_checker).subject == expected
    in_english = Notification.objects.get(recipient=english_checker)
    assert in_english.subject == f"Payment {instruction.reference} to approve"
    assert in_english.body == f"PKR 1,250,000.00 to {payee}, prepared by {maker}."
