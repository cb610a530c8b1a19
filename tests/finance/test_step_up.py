"""Step-up on a real sensitive view (security issue #14): a checker whose last code is older than
STEP_UP_SECONDS is asked for a fresh one before approving a payment, and nothing moves until then."""

import pytest
from django.urls import reverse

from accounts import roles
from finance.models import PaymentInstruction
from tests.accounts.test_two_factor import code_for, enrol, sign_in
from tests.factories import UserFactory

from .conftest import request_payment

pytestmark = pytest.mark.django_db


def test_approving_a_payment_asks_for_a_fresh_code_first(client, time_machine, settings, space, payee, officer, maker):
    from finance import services

    settings.STEP_UP_SECONDS = 900
    time_machine.move_to("2026-11-26 10:00:00+05:00", tick=False)
    checker = UserFactory(roles=[roles.FINANCE_CHECKER], email="checker-2fa@example.pk")
    client.force_login(checker)
    device = enrol(client, checker)
    client.logout()
    time_machine.shift(31)
    sign_in(client, checker)
    client.post(reverse("accounts:two_factor_verify"), {"token": code_for(device)})

    payment = services.payment_prepare(instruction=request_payment(space, payee, officer), actor=maker)
    url = reverse("finance:payment_approve", args=[payment.pk])

    time_machine.shift(901)
    response = client.post(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:two_factor_step_up"))
    assert PaymentInstruction.objects.get(pk=payment.pk).state == "prepared"

    client.post(response["Location"], {"token": code_for(device)})
    response = client.post(url)
    assert response.status_code == 302
    assert PaymentInstruction.objects.get(pk=payment.pk).state == "approved"
