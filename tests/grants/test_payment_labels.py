"""Staff read what a payment is for and what happened to it in words, in both languages, never the
internal codes the audit log stores ("grants.tranche:7", "payment.prepare", "prepared") (issue #17
item 6)."""

import pytest
from django.urls import reverse
from django.utils import translation

from finance import services as finance
from grants import services
from grants.models import Tranche

from .payments import accepted_grant, finance_people, payment_for, request_tranche

pytestmark = pytest.mark.django_db


def test_the_payment_page_names_the_tranche_and_labels_its_timeline(
    client, grant_call, operator, space, operator_user, officer
):
    award = accepted_grant(grant_call, operator, space, operator_user, officer)
    tranche = services.tranche_verify(
        tranche=request_tranche(Tranche.objects.get(award=award, position=1), operator_user), actor=officer
    )
    maker, _checker = finance_people()
    instruction = finance.payment_prepare(instruction=payment_for(tranche), actor=maker, amount=tranche.amount)
    client.force_login(maker)
    url = reverse("finance:payment", args=[instruction.pk])

    page = client.get(url).content.decode()
    assert f"Tranche 1 of {award.application.reference}" in page
    assert "Payment requested" in page and "Payment prepared" in page
    assert "(Requested → Prepared)" in page
    for code in (f"grants.tranche:{tranche.pk}", "payment.request", "payment.prepare", "→ prepared"):
        assert code not in page, code

    with translation.override("ur"):
        page = client.get(reverse("finance:payment", args=[instruction.pk])).content.decode()
    assert f"{award.application.reference} کی قسط 1" in page
    assert "ادائیگی تیار کی گئی" in page and "payment.prepare" not in page and "Payment prepared" not in page
