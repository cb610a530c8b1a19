"""The demo loader makes every state for every instrument, through the services, once."""

from collections import Counter

import pytest

from audit.services import audit_verify_chain
from fixtures.demo_applications import load_demo_applications
from fixtures.demo_network import load_demo_network
from grants.models import Application

pytestmark = pytest.mark.django_db


def test_demo_applications_every_state_every_instrument_idempotent():
    load_demo_network()
    total = load_demo_applications()
    assert total == 30
    states = Counter(Application.objects.values_list("instrument", "state"))
    for instrument in ("grant", "soft_loan", "utility_subsidy"):
        for state in Application.State.values:
            assert states[(instrument, state)] == 1, (instrument, state)
    assert load_demo_applications() == 30
    assert audit_verify_chain().ok
