"""The demo's grievances: every state, one past its clock and escalated, the anonymous one whose number
and key the README prints; a second load changes nothing."""

import pytest

from fixtures.demo_grievances import README_KEY, README_REFERENCE, load_demo_grievances
from fixtures.demo_integrity import load_demo_integrity
from fixtures.demo_network import load_demo_network
from integrity.models import Grievance
from integrity.selectors import grievances as selectors

pytestmark = pytest.mark.django_db


def test_the_demo_has_grievances_in_every_state_and_the_readme_key_works():
    load_demo_network()
    load_demo_integrity()
    count = load_demo_grievances()

    states = set(Grievance.objects.values_list("state", flat=True))
    assert states == set(Grievance.State.values)
    assert Grievance.objects.filter(ack_escalated_at__isnull=False).exists()
    assert selectors.flagged_cases()
    readme = selectors.grievance_for_tracking(README_REFERENCE, README_KEY)
    assert readme is not None and readme.state == "resolved" and readme.channel == "public"
    assert load_demo_grievances() == count
