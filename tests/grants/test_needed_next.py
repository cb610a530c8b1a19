""" "Needed next" (issue #17): one selector lists every action the company owes, with its deadline, and
the operator's dashboard shows it (no "Nothing is waiting for you" while something is)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.models import Award
from spaces.needed_next import operator_owed_actions
from spaces.utilization import last_closed_month, month_label

from .conftest import complete_grant, to_state
from .factories import OperatorFactory, SpaceFactory, UserFactory
from .payments import accepted_grant

pytestmark = pytest.mark.django_db


def kinds(actions):
    return [action.kind for action in actions]


def test_a_company_with_nothing_owed_is_told_nothing_is_waiting(client, operator_user, operator):
    SpaceFactory(operator=operator, opening_date=timezone.localdate() + dt.timedelta(days=40))  # no return yet
    assert operator_owed_actions(operator) == []
    client.force_login(operator_user)
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert "Nothing is waiting for you right now." in page


def test_an_award_to_accept_a_question_to_answer_and_a_return_due_are_listed(
    client, grant_call, operator, space, operator_user, officer
):
    offered = to_state(
        complete_grant(grant_call, operator, space, operator_user),
        "approved",
        operator_user=operator_user,
        officer=officer,
    )
    asked = to_state(
        complete_grant(grant_call, operator, space, operator_user),
        "info_requested",
        operator_user=operator_user,
        officer=officer,
    )
    returns_space = SpaceFactory(operator=operator, name="Indus Multan Floor")

    actions = operator_owed_actions(operator)

    # The return is due now (dated, so first); the award and the question have no deadline.
    month = month_label(last_closed_month())
    assert [(a.kind, a.text, a.due) for a in actions] == [
        ("utilization_return", f"File the utilization return of {space.name} for {month}", timezone.localdate()),
        (
            "utilization_return",
            f"File the utilization return of {returns_space.name} for {month}",
            timezone.localdate(),
        ),
        ("award_accept", f"Accept the award for {offered.reference} (download the letter first)", None),
        ("information_request", f"Answer the program officer's question on {asked.reference}", None),
    ]
    by_kind = {a.kind: a for a in actions}
    assert by_kind["award_accept"].url.endswith(f"/{offered.reference}/#award")
    assert by_kind["information_request"].url.endswith(f"/{asked.reference}/#answer")

    client.force_login(operator_user)
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert "Nothing is waiting for you right now." not in page
    assert f"Accept the award for {offered.reference}" in page
    assert f"Answer the program officer&#x27;s question on {asked.reference}" in page
    assert "no deadline" in page


def test_only_the_next_tranche_of_an_accepted_grant_is_owed_by_its_due_date(
    grant_call, operator, space, operator_user, officer
):
    award = accepted_grant(grant_call, operator, space, operator_user, officer)
    first, second = award.tranches.order_by("position")
    owed = [a for a in operator_owed_actions(operator) if a.kind == "tranche"]
    assert [(a.text, a.due) for a in owed] == [
        (f"Ask for tranche 1 of {award.application.reference} when “{first.title}” is reached", first.due_date)
    ]
    assert second.due_date > first.due_date
    assert not owed[0].is_late
    assert not Award.objects.filter(pk=award.pk, state="award_offered").exists()  # accepted: no longer owed
    assert "award_accept" not in kinds(operator_owed_actions(operator))


def test_a_return_already_filed_or_a_space_not_yet_admitted_owes_nothing(operator):
    SpaceFactory(operator=operator, network_status="applicant")
    SpaceFactory(operator=operator, opening_date=timezone.localdate() + dt.timedelta(days=40))
    assert operator_owed_actions(operator) == []


def test_another_company_s_actions_are_not_listed(grant_call, operator, space, operator_user, officer):
    to_state(
        complete_grant(grant_call, operator, space, operator_user),
        "approved",
        operator_user=operator_user,
        officer=officer,
    )
    other = OperatorFactory(members=[UserFactory()])
    assert operator_owed_actions(other) == []
