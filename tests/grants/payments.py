"""Helpers for the tests of tranches and utility claims: accepted awards built through the services,
evidence files, and a payment walked through finance as its people would."""

from decimal import Decimal

from django.utils import timezone

from accounts import roles
from finance import services as finance
from finance.models import PaymentInstruction
from grants import services
from grants.models import Application

from .conftest import complete_grant, complete_utility, ensure_allocation, fresh_pdf, fresh_png, to_state
from .factories import UserFactory


def report(name="progress-report.pdf"):
    return fresh_pdf(name)


def photo(name="seats.png"):
    return fresh_png(name)


def accepted_grant(call, operator, space, operator_user, officer, amount=Decimal("4000000"), chair=None):
    app = complete_grant(call, operator, space, operator_user, amount=amount)
    app = to_state(app, "approved", operator_user=operator_user, officer=officer, chair=chair)
    services.award_accept(award=app.award, actor=operator_user)
    return Application.objects.select_related("award").get(pk=app.pk).award


def accepted_enrolment(call, operator, spaces, operator_user, officer):
    app = complete_utility(call, operator, spaces, operator_user)
    app = to_state(app, "in_review", operator_user=operator_user, officer=officer)
    ensure_allocation(call.program)
    award = services.application_approve_delegated(application=app, actor=officer)
    services.award_accept(award=award, actor=operator_user)
    award.refresh_from_db()
    return award


def request_tranche(tranche, operator_user, note="Forty seats are installed and in use."):
    return services.tranche_request(
        tranche=tranche,
        actor=operator_user,
        progress_note=note,
        evidence=[("progress_report", report()), ("photo", photo())],
    )


def finance_people():
    maker = UserFactory(roles=[roles.FINANCE_MAKER], email="maker@finance.example.pk")
    checker = UserFactory(roles=[roles.FINANCE_CHECKER], email="checker@finance.example.pk")
    return maker, checker


def payment_for(source) -> PaymentInstruction:
    return PaymentInstruction.objects.filter(idempotency_key=f"{source._meta.label_lower}:{source.pk}").latest(
        "attempt"
    )


def pay_through_finance(source, maker, checker) -> PaymentInstruction:
    """prepare -> approve -> batch -> sent -> the bank statement reconciles it."""
    instruction = payment_for(source)
    instruction = finance.payment_prepare(instruction=instruction, actor=maker, amount=instruction.amount)
    instruction = finance.payment_approve(instruction=instruction, actor=checker)
    batch = finance.batch_create(actor=maker, value_date=timezone.localdate(), instructions=[instruction])
    finance.batch_mark_sent(batch=batch, actor=maker)
    statement = (
        "value_date,payment_reference,amount,status,bank_remarks\n"
        f"{timezone.localdate().isoformat()},{instruction.reference},{instruction.amount},paid,IBFT credit\n"
    ).encode()
    finance.statement_import(file_name=f"statement-{instruction.reference}.csv", content=statement, actor=checker)
    instruction.refresh_from_db()
    return instruction
