"""Each role lands on its own queue after signing in."""

import pytest
from django.urls import reverse

from accounts import roles

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def land(client, user):
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD}, follow=True)
    return response


def test_an_operator_lands_on_the_portal_dashboard(client):
    user = UserFactory(roles=[roles.OPERATOR])
    response = land(client, user)
    assert response.redirect_chain[-1][0] == reverse("portal:dashboard")
    assert "What is needed from you next" in response.content.decode()


def test_a_program_officer_lands_on_the_workbench(client):
    user = UserFactory(roles=[roles.PROGRAM_OFFICER])
    client.force_login(user)
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    # /workbench/ itself once the workbench exists; until then the verification queue under it.
    assert response["Location"] in {"/workbench/", reverse("workbench_operators:list")}


def test_a_role_without_a_queue_sees_the_list_of_its_roles(client):
    user = UserFactory(roles=[roles.DATA_STEWARD])
    client.force_login(user)
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 200
    assert "Data steward" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (roles.BOARD_REVIEWER, "grants:workbench_reviews"),
        (roles.BOARD_CHAIR, "grants:workbench_board_agenda"),
        (roles.MINISTRY_VIEWER, "reporting:dashboard"),
        (roles.INTEGRITY_OFFICER, "integrity:grievance_desk"),
        (roles.INTEGRITY_HEAD, "integrity:grievance_desk"),
        (roles.INSPECTOR, "integrity:visit_mine"),
        (roles.ASSOCIATION_LIAISON, "integrity:visit_queue"),
        (roles.ONE_WINDOW_COORDINATOR, "onewindow:late_cases"),
    ],
)
def test_board_and_ministry_land_on_their_queue(client, role, landing):
    client.force_login(UserFactory(roles=[role]))
    response = client.get(reverse("accounts:home"), follow=True)
    assert response.redirect_chain[0][0] == reverse(landing)
    assert response.status_code == 200


def test_accounts_made_by_staff_are_verified_and_can_sign_in(client):
    user = UserFactory(roles=[roles.FINANCE_MAKER])
    assert user.email_verified_at is not None
    land(client, user)
    assert int(client.session["_auth_user_id"]) == user.pk


@pytest.mark.parametrize("role", [roles.FINANCE_MAKER, roles.FINANCE_CHECKER])
def test_finance_staff_land_on_their_payments_queue(client, role):
    client.force_login(UserFactory(roles=[role]))
    response = client.get(reverse("accounts:home"), follow=True)
    assert response.redirect_chain[0][0] == reverse("finance:home")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("role", "present", "absent"),
    [
        (roles.OPERATOR, ["Applications", "Monthly returns", "Notifications"], ["Screening queue", "Payments"]),
        (roles.PROGRAM_OFFICER, ["Screening queue", "Budgets", "Utilization returns", "Reports"], ["Payments"]),
        (roles.BOARD_REVIEWER, ["My reviews"], ["Board agenda", "Screening queue", "Budgets"]),
        (roles.BOARD_CHAIR, ["Board agenda", "Budgets"], ["My reviews", "Payments"]),
        (roles.FINANCE_MAKER, ["Payments"], ["Screening queue", "Budgets", "Reports"]),
        (roles.MINISTRY_VIEWER, ["Budgets", "Reports"], ["Payments", "Screening queue"]),
    ],
)
def test_each_role_sees_its_own_links(client, role, present, absent):
    client.force_login(UserFactory(roles=[role]))
    response = client.get(reverse("accounts:home"), follow=True)
    nav = response.content.decode().split('aria-label="Account"', 1)[1].split("</nav>", 1)[0]
    for label in present:
        assert f">{label}" in nav, label
    for label in absent:
        assert f">{label}<" not in nav, label
