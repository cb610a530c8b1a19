"""Registered visits: the rules (notice, one routine visit per department, the yearly cap, urgent
visits, the grievance rule), who may schedule, the outcome clock, the operator's answer and the
permission table. Each refusal is checked for what it says."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts import roles
from audit.models import AuditEvent
from core.workflow import Step, transition
from integrity.errors import InvalidTransition, PermissionDenied, ValidationFailed
from integrity.events import IntegrityEvent
from integrity.models import InspectionVisit
from integrity.permissions import VISITS
from integrity.services import visits as services
from notifications.models import Notification
from tests.factories import UserFactory
from tests.integrity.visit_fixtures import ask, ask_and_schedule, at, make_inspector, window

pytestmark = pytest.mark.django_db
THURSDAY = dt.date(2026, 12, 10)
V = InspectionVisit.State


def messages_of(error) -> str:
    return " ".join(str(m) for m in error.value.messages)


# --- asking -----------------------------------------------------------------------------------------


def test_a_routine_visit_with_three_working_days_notice_is_asked_for_and_the_liaison_told(
    monday, pra_inspector, space, liaison
):
    visit = ask(pra_inspector, space, THURSDAY)
    assert visit.state == V.REQUESTED
    assert visit.reference == "VIS-2026-00001"
    assert visit.legal_basis == "Punjab Revenue Authority Act, s. 10"
    assert visit.fiscal_year == 2026
    assert Notification.objects.filter(recipient=liaison, subject__contains="Punjab Revenue Authority").exists()
    assert AuditEvent.objects.filter(action=IntegrityEvent.VISIT_REQUESTED, object_id=str(visit.pk)).exists()


def test_too_little_notice_is_refused_with_the_figures(monday, pra_inspector, space):
    with pytest.raises(ValidationFailed) as error:
        ask(pra_inspector, space, dt.date(2026, 12, 9))
    text = messages_of(error)
    assert "at least 3 working days' notice" in text
    assert "is 2" in text
    assert "10 December 2026" in text  # the earliest day allowed
    assert not InspectionVisit.objects.exists()


def test_weekends_and_public_holidays_do_not_count_as_notice(pra_inspector, space):
    # Tuesday 22 December: Wed 23 and Thu 24 are working days, Fri 25 is Quaid-e-Azam Day.
    with at(dt.date(2026, 12, 22)):
        with pytest.raises(ValidationFailed) as error:
            ask(pra_inspector, space, dt.date(2026, 12, 25))
        assert "is 2" in messages_of(error)
        # Monday 28 December: 23, 24 and 28 are three working days.
        assert ask(pra_inspector, space, dt.date(2026, 12, 28)).state == V.REQUESTED


def test_an_urgent_visit_needs_a_reason_and_then_passes_the_notice(monday, pra_inspector, space):
    with pytest.raises(ValidationFailed) as error:
        ask(pra_inspector, space, dt.date(2026, 12, 8), urgent=True)
    assert "urgent visit needs a written reason" in messages_of(error)
    visit = ask(pra_inspector, space, dt.date(2026, 12, 8), urgent=True, urgent_reason="Fire reported in the building")
    assert visit.urgency == "urgent"


def test_one_routine_visit_per_department_per_space_per_fiscal_year(monday, inspectors, space, liaison):
    first = ask_and_schedule(inspectors[0], space, THURSDAY, liaison)
    colleague = make_inspector(inspectors[0].official.department, n=2)
    with pytest.raises(ValidationFailed) as error:
        ask(colleague, space, dt.date(2027, 2, 15))
    text = messages_of(error)
    assert first.reference in text
    assert "one routine visit per department per space per fiscal year" in text
    assert "FY2026-27" in text
    # Another space of the same operator, or the next fiscal year, is not affected.
    assert ask(colleague, space, dt.date(2027, 7, 15)).fiscal_year == 2027


def test_the_yearly_cap_counts_trips_and_past_it_a_request_can_only_join(monday, inspectors, space, liaison):
    lead = None
    for n, inspector in enumerate(inspectors[:4]):
        visit = ask_and_schedule(inspector, space, THURSDAY + dt.timedelta(days=7 * n), liaison)
        lead = lead or visit
    with pytest.raises(ValidationFailed) as error:
        ask(inspectors[4], space, dt.date(2027, 1, 20))
    text = messages_of(error)
    assert "has had 4 visits in FY2026-27, the most allowed is 4" in text
    assert "can only join a visit already scheduled" in text
    joined = ask(inspectors[4], space, dt.date(2027, 1, 20), joins=lead)
    assert joined.joint_with == lead
    assert (joined.window_date, joined.window_start) == (lead.window_date, lead.window_start)  # the trip's window
    scheduled = services.visit_schedule(actor=liaison, visit=joined)
    assert scheduled.state == V.SCHEDULED and scheduled.joint_with == lead


def test_urgent_visits_pass_the_cap_but_are_counted(monday, inspectors, space, liaison):
    for n, inspector in enumerate(inspectors[:4]):
        ask_and_schedule(inspector, space, THURSDAY + dt.timedelta(days=7 * n), liaison)
    urgent = ask(inspectors[4], space, dt.date(2026, 12, 8), urgent=True, urgent_reason="Gas leak reported")
    assert urgent.state == V.REQUESTED
    assert services.trips(space, 2026) == 5


def test_an_inspector_named_in_an_open_grievance_of_the_operator_may_not_visit(
    monday, pra_inspector, space, operator_user
):
    from integrity.services.grievances import grievance_file

    grievance_file(
        category="money_demand",
        what_happened="Asked for PKR 50,000 to pass the inspection.",
        filed_by=operator_user,
        operator=space.operator,
        channel="portal",
        official=pra_inspector,
    )
    with pytest.raises(ValidationFailed) as error:
        ask(pra_inspector, space, THURSDAY)
    text = messages_of(error)
    assert "may not be the inspector for this space at present" in text
    assert "grievance" not in text.lower()  # the official learns nothing of it


def test_only_an_inspector_of_the_purposes_department_may_ask(monday, inspectors, space, officer):
    from integrity.models import VisitPurpose

    other_purpose = VisitPurpose.objects.get(department=inspectors[1].official.department)
    with pytest.raises(ValidationFailed) as error:
        services.visit_request(actor=inspectors[0], space=space, purpose=other_purpose, window=window(THURSDAY))
    assert "your own department's visit purposes" in messages_of(error)
    with pytest.raises(PermissionDenied):
        services.visit_request(actor=officer, space=space, purpose=other_purpose, window=window(THURSDAY))


# --- scheduling -------------------------------------------------------------------------------------


def test_the_liaison_schedules_and_the_operator_is_told_in_urdu_with_the_code(
    monday, pra_inspector, space, liaison, operator_user
):
    visit = ask_and_schedule(pra_inspector, space, THURSDAY, liaison)
    assert visit.state == V.SCHEDULED
    assert len(visit.code) == 9 and visit.code[4] == "-"
    told = Notification.objects.get(recipient=operator_user)
    assert visit.code in told.subject
    assert "Punjab Revenue Authority" in told.body
    assert "Inspector pra 0" in told.body
    assert "Assistant Commissioner" in told.body
    assert any("\u0600" <= ch <= "\u06ff" for ch in told.subject)  # rendered in Urdu, the operator's language


def test_only_the_operators_association_schedules_its_visits(
    monday, pra_inspector, space, liaison, other_liaison, officer
):
    visit = ask(pra_inspector, space, THURSDAY)
    for outsider in (other_liaison, officer):
        with pytest.raises(PermissionDenied) as error:
            services.visit_schedule(actor=outsider, visit=visit)
        assert "association's liaison" in messages_of(error)
    assert InspectionVisit.objects.get(pk=visit.pk).state == V.REQUESTED


def test_a_program_officer_schedules_for_an_operator_in_no_association(
    monday, pra_inspector, lone_space, officer, liaison
):
    visit = ask(pra_inspector, lone_space, THURSDAY)
    with pytest.raises(PermissionDenied):
        services.visit_schedule(actor=liaison, visit=visit)
    assert services.visit_schedule(actor=officer, visit=visit).state == V.SCHEDULED


def test_refusal_needs_a_reason_which_the_inspector_reads(monday, pra_inspector, space, liaison):
    visit = ask(pra_inspector, space, THURSDAY)
    with pytest.raises(ValidationFailed):
        services.visit_refuse(actor=liaison, visit=visit, reason="  ")
    refused = services.visit_refuse(actor=liaison, visit=visit, reason="The space was inspected last month.")
    assert refused.state == V.REFUSED
    assert Notification.objects.filter(recipient=pra_inspector, body__contains="inspected last month").exists()
    with pytest.raises(InvalidTransition):
        services.visit_schedule(actor=liaison, visit=refused)


def test_a_moved_window_is_checked_against_the_notice_again(monday, pra_inspector, space, liaison):
    visit = ask(pra_inspector, space, THURSDAY)
    with pytest.raises(ValidationFailed) as error:
        services.visit_schedule(actor=liaison, visit=visit, window=window(dt.date(2026, 12, 8)))
    assert "working days' notice" in messages_of(error)


# --- after the window -------------------------------------------------------------------------------


def test_the_outcome_is_filed_from_the_window_and_late_findings_are_void(monday, pra_inspector, space, liaison):
    visit = ask_and_schedule(pra_inspector, space, THURSDAY, liaison)
    with pytest.raises(InvalidTransition) as error:
        services.visit_file_outcome(actor=pra_inspector, visit=visit, findings="All in order.")
    assert "once the visit's window has started" in messages_of(error)
    # Due two working days after Thursday 10: Friday 11 and Monday 14. Filed on Tuesday 15: void.
    assert services.outcome_due(visit) == dt.date(2026, 12, 14)
    with at(dt.date(2026, 12, 15)):
        done = services.visit_file_outcome(actor=pra_inspector, visit=visit, findings="All in order.")
    assert done.state == V.COMPLETED and done.findings_void


def test_an_outcome_filed_in_time_keeps_its_findings_and_notice(monday, pra_inspector, space, liaison, operator_user):
    visit = ask_and_schedule(pra_inspector, space, THURSDAY, liaison)
    pdf = SimpleUploadedFile("notice.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")
    with at(THURSDAY, hour=13):
        done = services.visit_file_outcome(actor=pra_inspector, visit=visit, findings="Fire exits clear.", notice=pdf)
    assert done.state == V.COMPLETED and not done.findings_void
    assert done.notices.count() == 1
    assert Notification.objects.filter(recipient=operator_user, url__contains=visit.reference).count() == 2


def test_a_notice_that_is_not_a_pdf_is_refused_and_nothing_is_filed(monday, pra_inspector, space, liaison):
    visit = ask_and_schedule(pra_inspector, space, THURSDAY, liaison)
    html = SimpleUploadedFile("notice.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")
    with at(THURSDAY, hour=13), pytest.raises(ValidationFailed):
        services.visit_file_outcome(actor=pra_inspector, visit=visit, findings="x", notice=html)
    assert InspectionVisit.objects.get(pk=visit.pk).state == V.SCHEDULED


def test_only_its_inspector_files_the_outcome(monday, inspectors, space, liaison):
    visit = ask_and_schedule(inspectors[0], space, THURSDAY, liaison)
    with at(THURSDAY, hour=13), pytest.raises(PermissionDenied):
        services.visit_file_outcome(actor=inspectors[1], visit=visit, findings="x")


def test_the_daily_pass_voids_unfiled_outcomes_once(monday, pra_inspector, space, liaison):
    visit = ask_and_schedule(pra_inspector, space, THURSDAY, liaison)
    assert services.visits_void_late_outcomes(today=dt.date(2026, 12, 14)) == 0
    assert services.visits_void_late_outcomes(today=dt.date(2026, 12, 15)) == 1
    assert services.visits_void_late_outcomes(today=dt.date(2026, 12, 16)) == 0
    assert InspectionVisit.objects.get(pk=visit.pk).findings_void
    assert AuditEvent.objects.filter(action=IntegrityEvent.VISIT_FINDINGS_VOIDED).count() == 1


def test_the_operator_says_nobody_came_only_after_the_window(monday, pra_inspector, space, liaison, operator_user):
    visit = ask_and_schedule(pra_inspector, space, THURSDAY, liaison)
    with at(THURSDAY, hour=11), pytest.raises(InvalidTransition):
        services.visit_mark_no_show(actor=operator_user, visit=visit)
    with at(THURSDAY, hour=13):
        assert services.visit_mark_no_show(actor=operator_user, visit=visit).state == V.NO_SHOW


def test_asked_for_money_in_the_answer_files_a_grievance_naming_the_inspector(
    monday, pra_inspector, space, liaison, operator_user
):
    visit = ask_and_schedule(pra_inspector, space, THURSDAY, liaison)
    answer = services.Answer(happened_as_registered=True, asked_for_money=True, treatment=2, comment="")
    with at(THURSDAY, hour=13):
        with pytest.raises(ValidationFailed) as error:
            services.visit_answer(actor=operator_user, visit=visit, answer=answer)
        assert "Say what was asked for" in messages_of(error)
        answer = services.Answer(True, True, 2, "He asked for PKR 20,000 to sign the report.")
        grievance = services.visit_answer(actor=operator_user, visit=visit, answer=answer)
        assert grievance.visit_id == visit.pk
        assert grievance.official_id == pra_inspector.pk
        assert grievance.reference.startswith("GRV-2026-")
        with pytest.raises(InvalidTransition):
            services.visit_answer(actor=operator_user, visit=visit, answer=answer)
    visit.refresh_from_db()
    assert visit.asked_for_money and visit.treatment == 2


def test_the_answer_is_due_within_seven_days(monday, pra_inspector, space, liaison, operator_user):
    visit = ask_and_schedule(pra_inspector, space, THURSDAY, liaison)
    with at(dt.date(2026, 12, 18)), pytest.raises(InvalidTransition) as error:
        services.visit_answer(actor=operator_user, visit=visit, answer=services.Answer(True, False, 4))
    assert "17 December 2026" in messages_of(error)


# --- the permission table ---------------------------------------------------------------------------

EVERY_ROLE = sorted(roles.ROLE_LABELS)


@pytest.mark.parametrize("action", sorted(VISITS.rules))
def test_the_table_decides_who_may_take_each_transition(action, monday, pra_inspector, space, liaison):
    """Every role the VISITS table does not allow is refused by the one workflow path; nothing moves."""
    from django.db import transaction

    visit = ask(pra_inspector, space, THURSDAY)
    if action in ("complete", "mark_no_show"):
        visit = services.visit_schedule(actor=liaison, visit=visit)
    rule = VISITS.rule(action)
    kwargs = {
        "schedule": {"by": None, "at": None, "code": "AAAA-BBBB"},
        "refuse": {"reason": "x", "at": None},
        "cancel": {"reason": "x", "at": None},
        "complete": {"findings": "x", "at": None, "late": False},
        "mark_no_show": {"at": None},
    }[action]
    refused = 0
    for role in EVERY_ROLE:
        person = UserFactory(roles=[role])
        allowed = VISITS.allows(person, action)
        assert allowed == (role in rule.roles or rule.members), role
        if allowed:
            continue  # the object rules (whose visit, whose association) are tested above
        with transaction.atomic(), pytest.raises(PermissionDenied):
            transition(visit, Step(action, IntegrityEvent.VISIT_SCHEDULED, kwargs=kwargs), actor=person, table=VISITS)
        refused += 1
    assert refused == len(EVERY_ROLE) - (0 if not rule.members else len(EVERY_ROLE)) - (
        0 if rule.members else len(rule.roles)
    )
    assert InspectionVisit.objects.get(pk=visit.pk).state == visit.state
