"""Who may do what to a grievance (the matrix read from the GRIEVANCES table), each transition and what
is refused, assignment conflicts, reopening once within the window, the rating that opens an appeal,
and audit events that carry no details."""

import datetime as dt

import pytest
import time_machine

from accounts import roles
from audit.models import AuditEvent
from integrity.errors import InvalidTransition, PermissionDenied, ValidationFailed
from integrity.models import Grievance
from integrity.permissions import GRIEVANCES
from integrity.selectors import grievances as selectors
from integrity.services import grievances as services
from tests.factories import UserFactory

from .grievance_fixtures import MONDAY, file_portal, file_public, pdf, to_state

pytestmark = pytest.mark.django_db

ALL_ROLES = sorted(roles.ROLE_LABELS)


def _in_state(state, *, filer, officer, head):
    grievance = file_portal(filer, evidence=[pdf()])
    return to_state(grievance, state, officer=officer, filer=filer, head=head)


# action: (state it starts from, how a person of a role takes it)
STAFF_ACTIONS = {
    "view": ("filed", lambda g, user, officer: selectors.may_view(user, g) or _refuse()),
    "file_helpline": (
        "filed",
        lambda g, user, officer: services.grievance_file(
            channel="helpline", entered_by=user, category="other", what_happened="Caller says so."
        ),
    ),
    "assign": ("filed", lambda g, user, officer: services.grievance_assign(grievance=g, actor=user, officer=officer)),
    "acknowledge": ("filed", lambda g, user, officer: services.grievance_acknowledge(grievance=g, actor=user)),
    "investigate": ("assigned", lambda g, user, officer: services.grievance_investigate(grievance=g, actor=user)),
    "reply": (
        "filed",
        lambda g, user, officer: services.grievance_write(grievance=g, actor=user, kind="reply", text="Hi"),
    ),
    "note": (
        "filed",
        lambda g, user, officer: services.grievance_write(grievance=g, actor=user, kind="note", text="N"),
    ),
    "resolve": (
        "investigating",
        lambda g, user, officer: services.grievance_resolve(
            grievance=g, actor=user, outcome="partly", action_taken="A warning."
        ),
    ),
    "close": (
        "filed",
        lambda g, user, officer: services.grievance_close(grievance=g, actor=user, kind="out_of_scope", reason="Tax."),
    ),
    "download_evidence": (
        "filed",
        lambda g, user, officer: services.grievance_evidence_for_download(evidence=g.evidence.get(), actor=user),
    ),
    "decide_appeal": (
        "under_appeal",
        lambda g, user, officer: services.grievance_decide_appeal(
            grievance=g, actor=user, outcome="upheld", reason="The handling was right."
        ),
    ),
}


def _refuse():
    raise PermissionDenied("not allowed")


def test_the_matrix_covers_every_rule_of_the_table():
    filer_actions = {"reopen", "rate", "appeal", "escalate"}
    assert set(GRIEVANCES.rules) == set(STAFF_ACTIONS) | filer_actions


@pytest.mark.parametrize("action", sorted(STAFF_ACTIONS))
def test_permission_matrix(action, monday, filer, operator, integrity_officer, head):
    rule = GRIEVANCES.rule(action)
    state, take = STAFF_ACTIONS[action]
    for role in ALL_ROLES:
        person = UserFactory(roles=[role])
        if state == "assigned":
            grievance = _in_state("filed", filer=filer, officer=integrity_officer, head=head)
            services.grievance_assign(grievance=grievance, actor=integrity_officer, officer=integrity_officer)
        else:
            grievance = _in_state(state, filer=filer, officer=integrity_officer, head=head)
        if role in rule.roles:
            take(grievance, person, integrity_officer)
        else:
            with pytest.raises(PermissionDenied):
                take(grievance, person, integrity_officer)
            assert Grievance.objects.get(pk=grievance.pk).state == grievance.state, (action, role)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_the_filer_reopens_and_rates(role, monday, filer, operator, integrity_officer, head):
    someone = UserFactory(roles=[role])
    resolved = _in_state("resolved", filer=filer, officer=integrity_officer, head=head)
    with pytest.raises(PermissionDenied):
        services.grievance_reopen(grievance=resolved, actor=someone, reason="Not fixed.")
    with pytest.raises(PermissionDenied):
        services.grievance_rate(grievance=resolved, actor=someone, rating=1)
    # A signed-in filer's grievance is not reopened by someone holding only a key (actor None).
    with pytest.raises(PermissionDenied):
        services.grievance_reopen(grievance=resolved, actor=None, reason="Not fixed.")
    assert Grievance.objects.get(pk=resolved.pk).state == "resolved"


def test_the_whole_path_and_what_each_state_refuses(monday, filer, operator, integrity_officer, head):
    grievance = file_portal(filer)
    with pytest.raises(InvalidTransition, match="is filed"):
        services.grievance_resolve(grievance=grievance, actor=integrity_officer, outcome="partly", action_taken="x")
    with pytest.raises(InvalidTransition, match="Assign an integrity officer"):
        services.grievance_investigate(grievance=grievance, actor=integrity_officer)
    grievance = services.grievance_acknowledge(grievance=grievance, actor=integrity_officer)
    with pytest.raises(InvalidTransition):
        services.grievance_acknowledge(grievance=grievance, actor=integrity_officer)
    services.grievance_assign(grievance=grievance, actor=integrity_officer, officer=integrity_officer)
    grievance = services.grievance_investigate(grievance=grievance, actor=integrity_officer)
    with pytest.raises(ValidationFailed) as missing:
        services.grievance_resolve(grievance=grievance, actor=integrity_officer, outcome="maybe", action_taken=" ")
    assert set(missing.value.field_errors) == {"outcome", "action_taken"}
    grievance = services.grievance_resolve(
        grievance=grievance, actor=integrity_officer, outcome="substantiated", action_taken="Inspector suspended."
    )
    assert (grievance.state, grievance.outcome) == ("resolved", "substantiated")
    with pytest.raises(InvalidTransition):
        services.grievance_close(grievance=grievance, actor=integrity_officer, kind="duplicate", reason="x")
    events = list(
        AuditEvent.objects.filter(object_type="integrity.grievance", object_id=str(grievance.pk))
        .order_by("id")
        .values_list("action", "from_state", "to_state")
    )
    assert events == [
        ("grievance.filed", "", "filed"),
        ("grievance.acknowledged", "filed", "acknowledged"),
        ("grievance.assigned", "acknowledged", ""),
        ("grievance.investigating", "acknowledged", "investigating"),
        ("grievance.resolved", "investigating", "resolved"),
    ]


def test_audit_events_about_a_grievance_carry_no_details(monday, filer, operator, integrity_officer, head, inspector):
    grievance = file_portal(filer, official=inspector, official_name_text="Tariq Mehmood", stage="site inspection")
    services.grievance_write(grievance=grievance, actor=integrity_officer, kind="reply", text="We are on it.")
    to_state(grievance, "appeal_decided", officer=integrity_officer, filer=filer, head=head)
    events = AuditEvent.objects.filter(object_type="integrity.grievance")
    assert events.count() >= 8
    for event in events:
        assert (event.reason, event.data) == ("", {}), event.action
        assert event.object_label == grievance.reference
        for secret in ("Tariq", "50,000", "suspended", "Handled well", "site inspection"):
            assert secret not in f"{event.reason}{event.data}{event.object_label}"


def test_an_officer_named_or_working_on_the_companys_applications_cannot_be_assigned(
    monday, filer, operator, integrity_officer, second_officer, head
):
    from grants.models import Application
    from tests.grants.factories import ApplicationFactory

    grievance = file_portal(filer, official=second_officer)
    with pytest.raises(PermissionDenied, match="is named in this grievance"):
        services.grievance_assign(grievance=grievance, actor=integrity_officer, officer=second_officer)
    with pytest.raises(PermissionDenied, match="named in this grievance"):
        services.grievance_acknowledge(grievance=grievance, actor=second_officer)

    application = ApplicationFactory(operator=operator)
    assert isinstance(application, Application)
    from django.db import transaction

    from core import workflow

    with transaction.atomic():  # the head once screened one of the company's applications
        workflow.record(actor=head, event="application.screen", obj=application)
    other = file_portal(filer)
    with pytest.raises(PermissionDenied, match="works on applications of"):
        services.grievance_assign(grievance=other, actor=integrity_officer, officer=head)
    with pytest.raises(PermissionDenied, match="is not an integrity officer"):
        services.grievance_assign(grievance=other, actor=integrity_officer, officer=filer)
    assert selectors.assignable_officers(other) == [second_officer, integrity_officer]  # by name


def test_the_filer_reopens_once_within_thirty_days(monday, filer, operator, integrity_officer, head):
    grievance = _in_state("resolved", filer=filer, officer=integrity_officer, head=head)
    with time_machine.travel(MONDAY + dt.timedelta(days=29), tick=False):
        grievance = services.grievance_reopen(grievance=grievance, actor=filer, reason="Still asked for money.")
        assert (grievance.state, grievance.reopen_count, grievance.outcome) == ("investigating", 1, "")
        assert grievance.resolve_due_on == (MONDAY + dt.timedelta(days=29 + 30)).date()
        grievance = services.grievance_resolve(
            grievance=grievance, actor=integrity_officer, outcome="substantiated", action_taken="Transferred."
        )
        with pytest.raises(InvalidTransition, match="only once"):
            services.grievance_reopen(grievance=grievance, actor=filer, reason="Again.")
    assert grievance.messages.filter(kind="filer").get().text == "Still asked for money."


def test_reopening_after_thirty_days_is_refused(monday, integrity_officer):
    filed = file_public()
    grievance = services.grievance_close(
        grievance=filed.grievance, actor=integrity_officer, kind="withdrawn", reason="The caller withdrew it."
    )
    with time_machine.travel(MONDAY + dt.timedelta(days=31), tick=False):
        with pytest.raises(InvalidTransition, match="within 30 days"):
            services.grievance_reopen(grievance=grievance, actor=None, reason="Changed my mind.")
    with time_machine.travel(MONDAY + dt.timedelta(days=3), tick=False):
        grievance = services.grievance_reopen(grievance=grievance, actor=None, reason="Changed my mind.")
    # Nobody had it: it waits, acknowledged, to be assigned.
    assert (grievance.state, grievance.close_kind) == ("acknowledged", "")


def test_a_good_rating_ends_it_and_a_low_rating_opens_an_appeal_to_the_head(
    monday, filer, operator, integrity_officer, head, django_capture_on_commit_callbacks
):
    from notifications.models import Notification

    happy = _in_state("resolved", filer=filer, officer=integrity_officer, head=head)
    happy = services.grievance_rate(grievance=happy, actor=filer, rating=4)
    assert (happy.state, happy.rating) == ("resolved", 4)
    with pytest.raises(InvalidTransition, match="already rated"):
        services.grievance_rate(grievance=happy, actor=filer, rating=1)
    with pytest.raises(InvalidTransition, match="appeal instead"):
        services.grievance_reopen(grievance=happy, actor=filer, reason="x")

    unhappy = _in_state("resolved", filer=filer, officer=integrity_officer, head=head)
    with pytest.raises(ValidationFailed):
        services.grievance_rate(grievance=unhappy, actor=filer, rating=6)
    with django_capture_on_commit_callbacks(execute=True):
        unhappy = services.grievance_rate(grievance=unhappy, actor=filer, rating=2, comment="Nobody called me.")
    assert unhappy.state == "under_appeal"
    assert Notification.objects.filter(recipient=head, subject__contains="Appeal on grievance").exists()
    assert not Notification.objects.filter(recipient=integrity_officer, subject__contains="Appeal").exists()

    with pytest.raises(PermissionDenied, match="head of integrity"):
        services.grievance_decide_appeal(grievance=unhappy, actor=integrity_officer, outcome="upheld", reason="ok")
    back = services.grievance_decide_appeal(
        grievance=unhappy, actor=head, outcome="reinvestigate", reason="The filer was never called: call them."
    )
    assert (back.state, back.rating, back.outcome) == ("investigating", None, "")
    back = services.grievance_resolve(grievance=back, actor=integrity_officer, outcome="partly", action_taken="Called.")
    back = services.grievance_rate(grievance=back, actor=filer, rating=1)
    assert back.state == "resolved"  # one appeal per grievance


def test_an_anonymous_filer_rates_with_the_key(monday, integrity_officer, head):
    filed = file_public()
    grievance = to_state(filed.grievance, "resolved", officer=integrity_officer)
    grievance = services.grievance_rate(grievance=grievance, actor=None, rating=1)
    assert grievance.state == "under_appeal"
    decided = services.grievance_decide_appeal(grievance=grievance, actor=head, outcome="upheld", reason="Fine.")
    assert decided.state == "appeal_decided"


def test_the_database_holds_the_invariants(monday, filer, operator):
    from django.db import IntegrityError, transaction

    grievance = file_portal(filer)
    for change in (
        {"state": "resolved"},  # no outcome
        {"state": "investigating"},  # nobody assigned
        {"rating": 7},
        {"reopen_count": 2},
        {"channel": "public"},  # a signed-in filer is not the public form
        {"category": "gossip"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Grievance.objects.filter(pk=grievance.pk).update(**change)
