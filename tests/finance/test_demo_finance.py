"""The demo loader makes payments in every interesting state, through the services, once."""

from collections import Counter

import pytest

from audit.services import audit_verify_chain
from finance.models import LedgerEntry, PaymentInstruction, StatementLine
from fixtures.demo_finance import load_demo_finance
from fixtures.demo_network import load_demo_network

pytestmark = pytest.mark.django_db


def test_demo_finance_states_and_idempotent():
    load_demo_network()
    assert load_demo_finance() == 8
    states = Counter(PaymentInstruction.objects.values_list("state", flat=True))
    assert states == {"requested": 2, "prepared": 2, "approved": 1, "sent": 1, "reconciled": 1, "failed": 1}
    assert StatementLine.objects.filter(outcome="unmatched").count() == 1
    ledger = LedgerEntry.objects.count()
    assert load_demo_finance() == 8
    assert PaymentInstruction.objects.count() == 8 and LedgerEntry.objects.count() == ledger
    prepared = PaymentInstruction.objects.filter(state="prepared").select_related("prepared_by").first()
    assert prepared.prepared_by.email == "maker@demo.sahulat.pk"
    assert audit_verify_chain().ok
