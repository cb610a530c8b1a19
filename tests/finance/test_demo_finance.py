"""The demo loader pays grant tranches and files utility claims through the services, in every
interesting state, once."""

from collections import Counter
from decimal import Decimal

import pytest

from audit.services import audit_verify_chain
from finance.models import LedgerEntry, PaymentInstruction, StatementLine
from fixtures.demo_applications import load_demo_applications
from fixtures.demo_finance import load_demo_finance
from fixtures.demo_network import load_demo_network
from fixtures.demo_reviews import load_demo_reviews
from grants.models import Award, Tranche, UtilityClaim

pytestmark = pytest.mark.django_db


def test_demo_finance_states_and_idempotent():
    load_demo_network()
    load_demo_applications()
    load_demo_reviews()
    assert load_demo_finance() == 5
    states = Counter(PaymentInstruction.objects.values_list("state", flat=True))
    assert states == {"requested": 1, "prepared": 1, "approved": 1, "reconciled": 1, "failed": 1}
    # Every demo payment pays a tranche: no stand-in sources are left.
    assert {p.split(":")[0] for p in PaymentInstruction.objects.values_list("idempotency_key", flat=True)} == {
        "grants.tranche"
    }
    assert Counter(Tranche.objects.values_list("state", flat=True)) == {"paid": 1, "requested": 1, "verified": 4}
    assert Counter(UtilityClaim.objects.values_list("state", flat=True)) == {"rejected": 1, "submitted": 1}
    assert StatementLine.objects.filter(outcome="unmatched").count() == 1
    # The reconciled payment's tranche is paid and its award has recorded it; the others have not.
    reconciled = PaymentInstruction.objects.get(state="reconciled")
    paid_tranche = Tranche.objects.get(state="paid")
    assert reconciled.idempotency_key == f"grants.tranche:{paid_tranche.pk}"
    assert Award.objects.get(pk=paid_tranche.award_id).paid == paid_tranche.amount == reconciled.amount
    assert sum(Award.objects.values_list("paid", flat=True), Decimal("0")) == reconciled.amount
    # Tranches are asked for only on accepted awards.
    assert (
        not Award.objects.filter(tranches__state__in=["requested", "verified", "paid"])
        .exclude(state="award_accepted")
        .exists()
    )

    ledger = LedgerEntry.objects.count()
    assert load_demo_finance() == 5
    assert PaymentInstruction.objects.count() == 5 and LedgerEntry.objects.count() == ledger
    assert UtilityClaim.objects.count() == 2
    prepared = PaymentInstruction.objects.filter(state="prepared").select_related("prepared_by").first()
    assert prepared.prepared_by.email == "maker@demo.sahulat.pk"
    assert audit_verify_chain().ok
