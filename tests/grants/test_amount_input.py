"""Amounts typed into the application sections and the board's decision (security issue #14, finding 7):
`1e30`, `NaN`, `Infinity` and `1_000` gave a 500 because the parser quantized before its ceiling check.
Each now gets a specific message next to the field, and nothing is saved."""

import pytest
from django.urls import reverse

from grants.models import Application

from .conftest import to_state
from .test_views_portal import rows, section, start

pytestmark = pytest.mark.django_db

IMPOSSIBLE = [
    ("1e30", "must be an amount in rupees, like 1,250,000."),
    ("NaN", "must be an amount in rupees, like 1,250,000."),
    ("Infinity", "must be an amount in rupees, like 1,250,000."),
    ("1_000", "must be an amount in rupees, like 1,250,000."),
    ("99999999999999999999", "is far larger than any amount this program handles."),
    ("0.0000000000000000000001", "can have at most two decimal places (paisas)."),
]


@pytest.mark.parametrize(("typed", "message"), IMPOSSIBLE)
def test_grant_details_refuse_an_impossible_amount_with_its_reason(
    client, grant_call, operator, space, operator_user, typed, message
):
    client.force_login(operator_user)
    app = start(client, grant_call, space)
    data = {"purpose": "Forty more seats", "amount_requested": typed, "own_contribution": "1,000,000"}
    response = client.post(section(app.reference, "grant_details"), data)
    assert response.status_code == 200
    assert any(message in str(m) for m in response.context["form"].errors["amount_requested"])
    assert not hasattr(Application.objects.get(pk=app.pk), "grant_details") or (
        Application.objects.get(pk=app.pk).grant_details.amount_requested is None
    )


@pytest.mark.parametrize(("typed", "message"), IMPOSSIBLE[:3])
@pytest.mark.parametrize("code", ["budget", "milestones"])
def test_budget_lines_and_milestones_refuse_an_impossible_amount(
    client, grant_call, operator, space, operator_user, typed, message, code
):
    client.force_login(operator_user)
    app = start(client, grant_call, space)
    prefix = "lines" if code == "budget" else "milestones"
    item = {"description": "Chairs", "amount": typed}
    if code == "milestones":
        item = {"title": "Fit-out", "amount": typed, "due_date": "2027-03-01"}
    response = client.post(section(app.reference, code), rows(prefix, [item]))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not app.budget_lines.exists() and not app.milestones.exists()


@pytest.mark.parametrize(("typed", "message"), IMPOSSIBLE[:3])
def test_loan_details_refuse_an_impossible_amount(client, loan_call, operator, space, operator_user, typed, message):
    client.force_login(operator_user)
    app = start(client, loan_call, space)
    data = {
        "amount": typed,
        "tenure_months": "60",
        "grace_months": "0",
        "grace_kind": "interest_only",
        "purpose": "Fit-out",
        "equity_contribution": "200000",
    }
    response = client.post(section(app.reference, "loan_details"), data)
    assert response.status_code == 200
    assert any(message in str(m) for m in response.context["form"].errors["amount"])


def test_the_board_decision_refuses_an_impossible_amount(
    client, grant_call, operator, space, operator_user, officer, chair
):
    from .conftest import board_meeting, complete_grant, ensure_allocation

    app = complete_grant(grant_call, operator, space, operator_user)
    to_state(app, "recommended", operator_user=operator_user, officer=officer, chair=chair)
    ensure_allocation(grant_call.program)
    meeting = board_meeting(chair)
    client.force_login(chair)
    url = reverse("grants:workbench_board_decision", args=[meeting.pk, app.reference])
    data = {"outcome": "approve", "votes_for": "3", "votes_against": "0", "votes_abstain": "0", "amount": "1e30"}
    response = client.post(url, data)
    assert response.status_code in (200, 400)
    assert "must be an amount in rupees, like 1,250,000." in response.content.decode()
    assert Application.objects.get(pk=app.pk).state == "recommended"
