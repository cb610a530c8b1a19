"""Grant tranches: the schedule from the milestones, the operator's request with evidence, the
officer's verification, finance's payment through to the bank statement, and every refusal."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts import roles
from audit.selectors import audit_events_for
from audit.services import audit_verify_chain
from finance import services as finance
from finance.errors import PermissionDenied as FinancePermissionDenied
from finance.models import LedgerEntry, PaymentInstruction
from grants import services
from grants.award_money import AwardOverpaid
from grants.errors import InvalidTransition, PermissionDenied, ValidationFailed
from grants.models import Award, Tranche, TrancheEvidence

from .conftest import complete_grant, to_state
from .factories import UserFactory
from .payments import (
    accepted_grant,
    finance_people,
    pay_through_finance,
    payment_for,
    photo,
    request_tranche,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def award(grant_call, operator, space, operator_user, officer):
    return accepted_grant(grant_call, operator, space, operator_user, officer)


def tranches(award):
    return list(Tranche.objects.filter(award=award).order_by("position"))


# --- the schedule ----------------------------------------------------------------------------------


def test_accepting_a_grant_makes_one_tranche_per_milestone_adding_up_to_the_award(award):
    rows = tranches(award)
    milestones = list(award.application.milestones.order_by("position"))
    assert [(t.position, t.title, t.amount, t.due_date) for t in rows] == [
        (m.position, m.title, m.amount, m.due_date) for m in milestones
    ]
    assert sum(t.amount for t in rows) == award.amount == Decimal("4000000.00")
    assert {t.state for t in rows} == {"scheduled"}


def test_a_smaller_award_scales_the_tranches_and_the_last_takes_the_remainder(
    grant_call, operator, space, operator_user, officer, chair
):
    app = complete_grant(grant_call, operator, space, operator_user, amount=Decimal("4000000"))
    app = to_state(app, "recommended", operator_user=operator_user, officer=officer)
    from .conftest import decide

    decide(app, chair, "approve", amount=Decimal("1000000.01"))
    app.refresh_from_db()
    services.award_accept(award=app.award, actor=operator_user)
    amounts = [t.amount for t in tranches(app.award)]
    assert amounts == [Decimal("500000.00"), Decimal("500000.01")]
    assert sum(amounts) == app.award.amount


def test_an_offered_award_has_no_tranches_and_none_can_be_requested(
    grant_call, operator, space, operator_user, officer
):
    app = to_state(
        complete_grant(grant_call, operator, space, operator_user),
        "approved",
        operator_user=operator_user,
        officer=officer,
    )
    assert app.award.state == "award_offered"
    assert not Tranche.objects.filter(award=app.award).exists()


# --- requesting ------------------------------------------------------------------------------------


def test_the_operator_requests_the_first_tranche_with_evidence(award, operator_user):
    first = tranches(award)[0]
    first = request_tranche(first, operator_user)
    assert first.state == "requested" and first.requested_by == operator_user and first.requested_at
    evidence = list(TrancheEvidence.objects.filter(tranche=first).order_by("kind"))
    assert [(e.kind, e.content_type) for e in evidence] == [
        ("photo", "image/png"),
        ("progress_report", "application/pdf"),
    ]
    assert all(e.file.name.startswith(f"payments/tranches/{first.pk}/") for e in evidence)


def test_requesting_out_of_order_twice_or_for_another_company_is_refused(award, operator_user, other_operator_user):
    first, second = tranches(award)
    with pytest.raises(InvalidTransition, match="once tranche 1 is verified"):
        request_tranche(second, operator_user)
    with pytest.raises(PermissionDenied, match="Only staff of"):
        request_tranche(first, other_operator_user)
    request_tranche(first, operator_user)
    with pytest.raises(InvalidTransition, match="is requested: waiting for the officer"):
        request_tranche(first, operator_user)
    with pytest.raises(InvalidTransition, match="once tranche 1 is verified; tranche 1 is requested"):
        request_tranche(second, operator_user)


def test_a_request_needs_a_note_and_a_progress_report_that_is_really_a_document(award, operator_user):
    first = tranches(award)[0]
    with pytest.raises(ValidationFailed) as error:
        services.tranche_request(tranche=first, actor=operator_user, progress_note="  ", evidence=[])
    assert "progress_note" in error.value.field_errors
    with pytest.raises(ValidationFailed) as error:
        services.tranche_request(
            tranche=first, actor=operator_user, progress_note="Done", evidence=[("photo", photo())]
        )
    assert error.value.field_errors["progress_report"] == ["Upload the progress report (PDF, JPEG or PNG)."]
    from django.core.files.base import ContentFile

    fake = ContentFile(b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00", name="report.pdf")
    with pytest.raises(ValidationFailed) as error:
        services.tranche_request(
            tranche=first, actor=operator_user, progress_note="Done", evidence=[("progress_report", fake)]
        )
    assert "whatever its name says" in " ".join(error.value.field_errors["progress_report"])
    first.refresh_from_db()
    assert first.state == "scheduled" and not TrancheEvidence.objects.exists()


def test_no_tranche_of_an_award_not_accepted(grant_call, operator, space, operator_user, officer):
    app = to_state(
        complete_grant(grant_call, operator, space, operator_user),
        "approved",
        operator_user=operator_user,
        officer=officer,
    )
    # A schedule made by hand on an offered award: the request is still refused.
    with transaction.atomic():
        services.tranche_schedule_create(award=app.award, actor=officer)
    with pytest.raises(InvalidTransition, match="not accepted yet"):
        request_tranche(tranches(app.award)[0], operator_user)


# --- verifying and returning -----------------------------------------------------------------------


def test_the_officer_returns_the_evidence_with_a_reason_and_the_operator_asks_again(award, operator_user, officer):
    first = request_tranche(tranches(award)[0], operator_user)
    with pytest.raises(ValidationFailed):
        services.tranche_return(tranche=first, actor=officer, reason="")
    first = services.tranche_return(tranche=first, actor=officer, reason="The photos do not show the seats.")
    assert first.state == "returned" and first.return_reason == "The photos do not show the seats."
    first = request_tranche(first, operator_user, note="New photos of all forty seats.")
    assert first.state == "requested" and first.progress_note == "New photos of all forty seats."


def test_verifying_asks_finance_to_pay_the_operator_with_everyone_who_touched_the_case(
    award, operator_user, officer, operator
):
    first = request_tranche(tranches(award)[0], operator_user)
    verifier = UserFactory(roles=[roles.PROGRAM_OFFICER])
    first = services.tranche_verify(tranche=first, actor=verifier)
    assert first.state == "verified" and first.verified_by == verifier
    instruction = payment_for(first)
    assert instruction.state == "requested"
    assert (instruction.payee, instruction.amount, instruction.application) == (
        operator,
        first.amount,
        award.application,
    )
    assert instruction.space == award.application.space
    touched = set(instruction.touched_by)
    reviewers = set(award.application.reviews.values_list("reviewer_id", flat=True))
    chair_id = award.decision.decided_by_id
    assert {officer.pk, verifier.pk, chair_id} | reviewers <= touched
    assert operator_user.pk not in touched


def test_verifying_is_for_program_officers_not_on_the_company_staff(award, operator_user, operator):
    first = request_tranche(tranches(award)[0], operator_user)
    with pytest.raises(PermissionDenied, match="Only a program officer"):
        services.tranche_verify(tranche=first, actor=UserFactory(roles=[roles.FINANCE_CHECKER]))
    own_staff_officer = UserFactory(roles=[roles.PROGRAM_OFFICER, roles.OPERATOR])
    operator.members.add(own_staff_officer)
    with pytest.raises(PermissionDenied, match="You are on the staff of"):
        services.tranche_verify(tranche=first, actor=own_staff_officer)
    with pytest.raises(PermissionDenied):
        services.tranche_verify(tranche=first, actor=operator_user)
    first.refresh_from_db()
    assert first.state == "requested" and not PaymentInstruction.objects.exists()


def test_verifying_twice_is_refused_and_makes_one_payment(award, operator_user, officer):
    first = request_tranche(tranches(award)[0], operator_user)
    services.tranche_verify(tranche=first, actor=officer)
    with pytest.raises(InvalidTransition, match="is verified: with finance for payment"):
        services.tranche_verify(tranche=first, actor=officer)
    assert PaymentInstruction.objects.count() == 1


# --- paying ----------------------------------------------------------------------------------------


def test_full_path_request_verify_prepare_approve_batch_sent_reconciled(award, operator_user, officer):
    maker, checker = finance_people()
    first = services.tranche_verify(tranche=request_tranche(tranches(award)[0], operator_user), actor=officer)
    instruction = pay_through_finance(first, maker, checker)
    assert instruction.state == "reconciled"
    first.refresh_from_db()
    award.refresh_from_db()
    assert first.state == "paid" and first.paid_at is not None
    assert award.paid == first.amount == Decimal("2000000.00")
    kinds = list(LedgerEntry.objects.filter(instruction=instruction).values_list("kind", flat=True).order_by("id"))
    assert kinds == ["approved", "sent", "paid"]
    # The second tranche may now be asked for.
    second = request_tranche(tranches(award)[1], operator_user)
    assert second.state == "requested"
    actions = list(audit_events_for(award.application).values_list("action", flat=True))
    for action in ("tranche.schedule", "tranche.request", "tranche.verify", "tranche.paid"):
        assert action in actions
    assert audit_verify_chain().ok


def test_a_checker_who_touched_the_application_is_refused(award, operator_user, officer):
    maker, checker = finance_people()
    # The officer who screened the application later moves to the finance wing as a checker; another
    # officer verifies the tranche. Having touched the case, the former officer may not approve.
    officer.groups.add(Group.objects.get_or_create(name=roles.FINANCE_CHECKER)[0])
    officer._role_cache = None
    verifier = UserFactory(roles=[roles.PROGRAM_OFFICER])
    first = services.tranche_verify(tranche=request_tranche(tranches(award)[0], operator_user), actor=verifier)
    instruction = finance.payment_prepare(instruction=payment_for(first), actor=maker, amount=first.amount)
    with pytest.raises(FinancePermissionDenied, match="You worked on the case"):
        finance.payment_approve(instruction=instruction, actor=officer)
    assert finance.payment_approve(instruction=instruction, actor=checker).state == "approved"


def test_a_paid_tranche_returned_by_the_bank_is_taken_back_from_the_award(award, operator_user, officer):
    maker, checker = finance_people()
    first = services.tranche_verify(tranche=request_tranche(tranches(award)[0], operator_user), actor=officer)
    instruction = finance.payment_prepare(instruction=payment_for(first), actor=maker, amount=first.amount)
    instruction = finance.payment_approve(instruction=instruction, actor=checker)
    batch = finance.batch_create(actor=maker, value_date=timezone.localdate(), instructions=[instruction])
    finance.batch_mark_sent(batch=batch, actor=maker)
    instruction = finance.payment_mark_paid(instruction=instruction, actor=checker)
    award.refresh_from_db()
    assert award.paid == first.amount
    finance.payment_fail(instruction=instruction, actor=checker, reason="Beneficiary account closed")
    first.refresh_from_db()
    award.refresh_from_db()
    assert first.state == "verified" and first.paid_at is None and award.paid == Decimal("0")
    kinds = list(LedgerEntry.objects.filter(instruction=instruction).values_list("kind", "amount").order_by("id"))
    assert kinds[-1] == ("reversal", first.amount)


def test_a_payment_that_would_overpay_the_award_is_refused_with_the_payment(award, operator_user, officer):
    maker, checker = finance_people()
    first = services.tranche_verify(tranche=request_tranche(tranches(award)[0], operator_user), actor=officer)
    instruction = finance.payment_prepare(instruction=payment_for(first), actor=maker, amount=first.amount)
    instruction = finance.payment_approve(instruction=instruction, actor=checker)
    batch = finance.batch_create(actor=maker, value_date=timezone.localdate(), instructions=[instruction])
    finance.batch_mark_sent(batch=batch, actor=maker)
    # Something else has already been paid on the award (e.g. a correction): only 1,000,000 is left.
    Award.objects.filter(pk=award.pk).update(paid=award.amount - Decimal("1000000"))
    with pytest.raises(AwardOverpaid, match=award.sanction_number):
        finance.payment_mark_paid(instruction=instruction, actor=checker)
    instruction.refresh_from_db()
    first.refresh_from_db()
    assert instruction.state == "sent" and first.state == "verified"
    assert not LedgerEntry.objects.filter(instruction=instruction, kind="paid").exists()


def test_a_payment_the_bank_returned_is_retried_and_its_new_attempt_pays_the_tranche(award, operator_user, officer):
    maker, checker = finance_people()
    first = services.tranche_verify(tranche=request_tranche(tranches(award)[0], operator_user), actor=officer)
    instruction = finance.payment_prepare(instruction=payment_for(first), actor=maker, amount=first.amount)
    instruction = finance.payment_approve(instruction=instruction, actor=checker)
    batch = finance.batch_create(actor=maker, value_date=timezone.localdate(), instructions=[instruction])
    finance.batch_mark_sent(batch=batch, actor=maker)
    finance.payment_fail(instruction=instruction, actor=checker, reason="Beneficiary account closed")
    first.refresh_from_db()
    assert first.state == "verified"
    retry = finance.payment_retry(instruction=PaymentInstruction.objects.get(pk=instruction.pk), actor=maker)
    # The new attempt is still for the same application and space (the reports read them).
    assert (retry.attempt, retry.application_id, retry.space_id) == (
        2,
        award.application_id,
        award.application.space_id,
    )
    assert pay_through_finance(first, maker, checker).state == "reconciled"
    first.refresh_from_db()
    award.refresh_from_db()
    assert first.state == "paid" and award.paid == first.amount


def test_after_finance_cancels_the_payment_the_officer_asks_again_through_the_workbench(
    client, award, operator_user, officer
):
    from django.urls import reverse

    maker, _checker = finance_people()
    first = services.tranche_verify(tranche=request_tranche(tranches(award)[0], operator_user), actor=officer)
    with pytest.raises(InvalidTransition, match="no cancelled payment"):
        services.tranche_pay_again(tranche=first, actor=officer)
    finance.payment_cancel(instruction=payment_for(first), actor=maker, reason="The company is changing its bank")
    ref = award.application.reference
    client.force_login(officer)
    page = client.get(reverse("grants:workbench_tranche", args=[ref, 1])).content.decode()
    assert "The company is changing its bank" in page and "Ask finance to pay again" in page
    response = client.post(reverse("grants:workbench_tranche_pay_again", args=[ref, 1]))
    assert response.status_code == 302
    attempts = list(
        PaymentInstruction.objects.filter(idempotency_key=f"grants.tranche:{first.pk}")
        .order_by("attempt")
        .values_list("attempt", "state")
    )
    assert attempts == [(1, "cancelled"), (2, "requested")]
    with pytest.raises(InvalidTransition):
        services.tranche_pay_again(tranche=first, actor=officer)
