"""Shared set-up for the finance tests: the finance wing, a payee company with its staff, and helpers
that walk a payment through the services as the people would. A `spaces.Space` stands in for the
payment's source (the instruments in grants/ are wired later)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from accounts import roles
from finance import services
from tests.factories import OperatorFactory, SpaceFactory, UserFactory


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English, whatever language an earlier test left active in this thread."""
    with translation.override("en"):
        yield


@pytest.fixture
def maker(db):
    return UserFactory(roles=[roles.FINANCE_MAKER], email="maker@finance.example.pk", full_name="Usman Tariq")


@pytest.fixture
def checker(db):
    return UserFactory(roles=[roles.FINANCE_CHECKER], email="checker@finance.example.pk", full_name="Nadia Hussain")


@pytest.fixture
def officer(db):
    return UserFactory(roles=[roles.PROGRAM_OFFICER], email="officer@secretariat.example.pk", full_name="Hamza Iqbal")


@pytest.fixture
def operator_user(db):
    return UserFactory(roles=[roles.OPERATOR], email="ayesha@indus.example.pk")


@pytest.fixture
def payee(operator_user):
    return OperatorFactory(members=[operator_user], legal_name="Indus Hub Coworking (Pvt.) Ltd.")


@pytest.fixture
def space(payee):
    return SpaceFactory(operator=payee)


def request_payment(source, payee, officer, amount=Decimal("1250000.00"), touched_by=()):
    return services.payment_request(
        source=source,
        payee=payee,
        amount=amount,
        narration=f"Grant tranche for {source}",
        actor=officer,
        touched_by=set(touched_by),
    )


def approved_payment(source, payee, officer, maker, checker, amount=Decimal("1250000.00")):
    instruction = request_payment(source, payee, officer, amount)
    instruction = services.payment_prepare(instruction=instruction, actor=maker, amount=amount)
    return services.payment_approve(instruction=instruction, actor=checker)


def sent_payment(source, payee, officer, maker, checker, amount=Decimal("1250000.00")):
    instruction = approved_payment(source, payee, officer, maker, checker, amount)
    batch = services.batch_create(actor=maker, value_date=timezone.localdate(), instructions=[instruction])
    services.batch_mark_sent(batch=batch, actor=maker)
    instruction.refresh_from_db()
    return instruction


def today() -> dt.date:
    return timezone.localdate()
