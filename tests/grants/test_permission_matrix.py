"""Who may make which transition in which state: the cells grants.permissions.APPLICATIONS (and REVIEWS,
for the review that completes the application's) allows, walked through the services. Any other cell
must be refused (PermissionDenied or InvalidTransition), leaving the state and the audit log untouched."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from accounts import roles
from audit.models import AuditEvent
from grants import services
from grants.errors import InvalidTransition, PermissionDenied
from grants.models import Application, Review
from grants.permissions import APPLICATIONS, REVIEWS
from tests.core.matrix import allowed

from .conftest import SCORES, board_meeting, complete_grant, ensure_allocation
from .factories import UserFactory
from .helpers import force_state

STATES = [s.value for s in Application.State]
ROLES = [
    "applicant",
    "other_operator",
    "officer",
    "applicant_officer",
    "board_chair",
    "board_reviewer",  # assigned to the application, no conflict declared, scoring
    "other_reviewer",  # a board reviewer not assigned to it
    "finance_maker",
]


def _review_of(application, reviewer):
    return Review.objects.get(application=application, reviewer=reviewer)


ACTIONS = {
    "submit": (lambda a, u, ctx: services.application_submit(application=a, actor=u), "submitted"),
    "start_screening": (
        lambda a, u, ctx: services.application_start_screening(application=a, actor=u),
        "screening",
    ),
    "request_information": (
        lambda a, u, ctx: services.application_request_information(application=a, actor=u, question="Send the lease."),
        "info_requested",
    ),
    "answer_information": (
        lambda a, u, ctx: services.application_answer_information(application=a, actor=u, answer="Attached."),
        "screening",
    ),
    "screen_out": (
        lambda a, u, ctx: services.application_screen_out(application=a, actor=u, reason="Outside Punjab."),
        "screened_out",
    ),
    "send_to_review": (lambda a, u, ctx: services.application_send_to_review(application=a, actor=u), "in_review"),
    "assign_reviewers": (
        lambda a, u, ctx: services.review_assign(application=a, actor=u, reviewers=ctx["fresh_reviewers"]),
        "in_review",
    ),
    # The last outstanding review completes the review: in_review -> recommended.
    "submit_review": (
        lambda a, u, ctx: services.review_submit(
            review=_review_of(a, ctx["people"]["board_reviewer"]),
            actor=u,
            scores=SCORES,
            recommendation="approve",
            comments="Sound plan.",
        ),
        "recommended",
    ),
    "approve": (
        lambda a, u, ctx: services.board_decision_record(
            meeting=ctx["meeting"],
            application=a,
            actor=u,
            outcome="approve",
            votes_for=3,
            votes_against=0,
            votes_abstain=0,
        ),
        "approved",
    ),
    "reject": (
        lambda a, u, ctx: services.board_decision_record(
            meeting=ctx["meeting"],
            application=a,
            actor=u,
            outcome="reject",
            votes_for=0,
            votes_against=3,
            votes_abstain=0,
            reasons="Quota full.",
        ),
        "rejected",
    ),
    "defer": (
        lambda a, u, ctx: services.board_decision_record(
            meeting=ctx["meeting"],
            application=a,
            actor=u,
            outcome="defer",
            votes_for=1,
            votes_against=1,
            votes_abstain=1,
            reasons="Ask for the lease first.",
        ),
        "recommended",
    ),
    # A grant is never within an officer's delegated limit: every cell denies.
    "approve_delegated": (
        lambda a, u, ctx: services.application_approve_delegated(application=a, actor=u),
        "approved",
    ),
    "withdraw": (
        lambda a, u, ctx: services.application_withdraw(application=a, actor=u, reason="Changed plans."),
        "withdrawn",
    ),
}

# Who each person is for the application under test (what the table cannot know: the object-level rule).
STANDING = {
    "applicant": {"members"},
    "other_operator": set(),  # an operator, of another company
    "officer": {roles.PROGRAM_OFFICER},
    # A member of the applying company acts for it, whatever staff role they also hold; never as its officer.
    "applicant_officer": {"members"},
    "board_chair": {roles.BOARD_CHAIR},
    "board_reviewer": {roles.BOARD_REVIEWER},  # assigned to this application
    "other_reviewer": set(),  # a board reviewer not assigned to it
    "finance_maker": {roles.FINANCE_MAKER},
}
_CELLS = allowed(APPLICATIONS, Application, STANDING)
_REVIEWERS = {person for person, action, _state in allowed(REVIEWS, Review, STANDING) if action == "submit"}
ALLOWED = {
    # approve_delegated: a grant is never within an officer's delegated limit, so the table's cells for it
    # are refused here (test_officer_may_approve_utility_within_delegated_limit_only walks the utility case).
    *{cell for cell in _CELLS if cell[1] not in ("recommend", "approve_delegated")},
    # The last review submitted completes the review: the reviewer's right (REVIEWS) in the states the
    # application's `recommend` starts from.
    *{(who, "submit_review", state) for who, action, state in _CELLS if action == "recommend" and who in _REVIEWERS},
}

# Audit events an allowed action writes (one unless listed): submitting the last review also records
# the recommendation; an approval records the budget commitment and the award offered too.
EVENTS = {"submit_review": 2, "approve": 3}


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
        "other_reviewer": UserFactory(roles=[roles.BOARD_REVIEWER]),
        "finance_maker": UserFactory(roles=[roles.FINANCE_MAKER]),
    }


def _with_reviews(app, people):
    """The assigned reviewer has declared no conflict and is scoring; a second reviewer has submitted."""
    now = timezone.now()
    officer = people["officer"]
    Review.objects.create(
        application=app,
        reviewer=people["board_reviewer"],
        state="declared",
        assigned_by=officer,
        assigned_at=now,
        declared_at=now,
    )
    Review.objects.create(
        application=app,
        reviewer=UserFactory(roles=[roles.BOARD_REVIEWER]),
        state="submitted",
        assigned_by=officer,
        assigned_at=now,
        declared_at=now,
        submitted_at=now,
        weighted_score=Decimal("4.00"),
        recommendation="approve",
        comments="Good.",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_permission_matrix(action, state, people, grant_call, operator, space, operator_user, officer, chair):
    app = force_state(complete_grant(grant_call, operator, space, operator_user), state, asked_by=officer)
    _with_reviews(app, people)
    ensure_allocation(grant_call.program)
    services.rubric_ensure(grant_call.program)
    ctx = {
        "people": people,
        "meeting": board_meeting(chair),
        "fresh_reviewers": [UserFactory(roles=[roles.BOARD_REVIEWER]) for _i in range(2)],
    }
    run, target = ACTIONS[action]
    for role in ROLES:
        events_before = AuditEvent.objects.count()
        if (role, action, state) in ALLOWED:
            try:
                with transaction.atomic():
                    run(app, people[role], ctx)
                    assert Application.objects.get(pk=app.pk).state == target, (role, action, state)
                    assert AuditEvent.objects.count() == events_before + EVENTS.get(action, 1), (role, action, state)
                    raise _Rollback
            except _Rollback:
                pass
        else:
            with pytest.raises((PermissionDenied, InvalidTransition)) as refusal:
                run(app, people[role], ctx)
            assert refusal.value.messages, (role, action, state)
            assert Application.objects.get(pk=app.pk).state == state, (role, action, state)
            assert AuditEvent.objects.count() == events_before, (role, action, state)


@pytest.mark.django_db
def test_officer_may_approve_utility_within_delegated_limit_only(utility_call, operator, space, operator_user, officer):
    from .conftest import complete_utility

    ensure_allocation(utility_call.program)
    app = force_state(complete_utility(utility_call, operator, [space], operator_user), "recommended")
    assert app.amount_requested <= utility_call.program.delegated_limit
    award = services.application_approve_delegated(application=app, actor=officer)
    approved = Application.objects.get(pk=app.pk)
    assert approved.state == "approved"
    assert approved.decided_at is not None
    assert award.amount == app.amount_requested
    assert award.decision.delegated and award.decision.meeting is None
    assert award.commitment.amount == app.amount_requested

    program = utility_call.program
    program.delegated_limit = app.amount_requested - 1
    program.save()
    other = force_state(complete_utility(utility_call, operator, [space], operator_user), "in_review")
    with pytest.raises(PermissionDenied) as refusal:
        services.application_approve_delegated(application=other, actor=officer)
    assert "over the officer's delegated limit" in refusal.value.message
    assert Application.objects.get(pk=other.pk).state == "in_review"


def test_the_matrix_walks_every_row_of_the_table():
    """A row added to the table without an action here would never be walked; and every action here is
    allowed somewhere (else the matrix would test refusals only)."""
    assert set(APPLICATIONS.rules) <= set(ACTIONS) | {"recommend"}  # recommend: walked as submit_review
    assert {action for _who, action, _state in ALLOWED} == set(ACTIONS) - {"approve_delegated"}
