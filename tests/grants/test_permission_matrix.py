"""Who may make which transition in which state: one table. Any cell not listed must be refused
(PermissionDenied or InvalidTransition), leaving the state and the audit log untouched."""

import pytest
from django.db import transaction

from accounts import roles
from audit.models import AuditEvent
from grants import services
from grants.errors import InvalidTransition, PermissionDenied
from grants.models import OPEN_STATES, Application

from .conftest import complete_grant
from .factories import UserFactory
from .helpers import force_state

STATES = [s.value for s in Application.State]
ROLES = [
    "applicant",
    "other_operator",
    "officer",
    "applicant_officer",
    "board_chair",
    "board_reviewer",
    "finance_maker",
]

ACTIONS = {
    "submit": (lambda a, u: services.application_submit(application=a, actor=u), "submitted"),
    "start_screening": (lambda a, u: services.application_start_screening(application=a, actor=u), "screening"),
    "request_information": (
        lambda a, u: services.application_request_information(application=a, actor=u, question="Send the lease."),
        "info_requested",
    ),
    "answer_information": (
        lambda a, u: services.application_answer_information(application=a, actor=u, answer="Attached."),
        "screening",
    ),
    "screen_out": (
        lambda a, u: services.application_screen_out(application=a, actor=u, reason="Outside Punjab."),
        "screened_out",
    ),
    "send_to_review": (lambda a, u: services.application_send_to_review(application=a, actor=u), "in_review"),
    "recommend": (lambda a, u: services.application_recommend(application=a, actor=u), "recommended"),
    "approve": (lambda a, u: services.application_approve(application=a, actor=u), "approved"),
    "reject": (lambda a, u: services.application_reject(application=a, actor=u, reason="Quota full."), "rejected"),
    "withdraw": (
        lambda a, u: services.application_withdraw(application=a, actor=u, reason="Changed plans."),
        "withdrawn",
    ),
}

ALLOWED = {
    # A member of the applying company acts for it, whatever staff role they also hold.
    *{(who, "submit", "draft") for who in ("applicant", "applicant_officer")},
    *{(who, "answer_information", "info_requested") for who in ("applicant", "applicant_officer")},
    *{(who, "withdraw", state) for who in ("applicant", "applicant_officer") for state in OPEN_STATES},
    ("officer", "start_screening", "submitted"),
    ("officer", "request_information", "screening"),
    ("officer", "screen_out", "screening"),
    ("officer", "send_to_review", "screening"),
    ("officer", "recommend", "in_review"),
    ("board_chair", "approve", "recommended"),
    ("board_chair", "reject", "recommended"),
}


class _Rollback(Exception):
    pass


@pytest.fixture
def people(operator_user, other_operator_user, officer, chair, operator):
    applicant_officer = UserFactory(roles=[roles.PROGRAM_OFFICER], email="officer-and-owner@example.pk")
    operator.members.add(applicant_officer)
    return {
        "applicant": operator_user,
        "other_operator": other_operator_user,
        "officer": officer,
        "applicant_officer": applicant_officer,  # separation of duties: may not screen their own company
        "board_chair": chair,
        "board_reviewer": UserFactory(roles=[roles.BOARD_REVIEWER]),
        "finance_maker": UserFactory(roles=[roles.FINANCE_MAKER]),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_permission_matrix(action, state, people, grant_call, operator, space, operator_user, officer):
    app = force_state(complete_grant(grant_call, operator, space, operator_user), state, asked_by=officer)
    run, target = ACTIONS[action]
    for role in ROLES:
        events_before = AuditEvent.objects.count()
        if (role, action, state) in ALLOWED:
            try:
                with transaction.atomic():
                    run(app, people[role])
                    assert Application.objects.get(pk=app.pk).state == target, (role, action, state)
                    assert AuditEvent.objects.count() == events_before + 1
                    raise _Rollback
            except _Rollback:
                pass
        else:
            with pytest.raises((PermissionDenied, InvalidTransition)) as refusal:
                run(app, people[role])
            assert refusal.value.messages, (role, action, state)
            assert Application.objects.get(pk=app.pk).state == state, (role, action, state)
            assert AuditEvent.objects.count() == events_before, (role, action, state)


@pytest.mark.django_db
def test_officer_may_approve_utility_within_delegated_limit_only(utility_call, operator, space, operator_user, officer):
    from .conftest import complete_utility

    app = force_state(complete_utility(utility_call, operator, [space], operator_user), "recommended")
    assert app.amount_requested <= utility_call.program.delegated_limit
    approved = services.application_approve(application=app, actor=officer)
    assert approved.state == "approved"
    assert approved.decided_at is not None

    program = utility_call.program
    program.delegated_limit = app.amount_requested - 1
    program.save()
    other = force_state(app, "recommended")  # back for the second try
    with pytest.raises(PermissionDenied):
        services.application_approve(application=other, actor=officer)
