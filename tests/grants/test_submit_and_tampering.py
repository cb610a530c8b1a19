"""What the operator is refused, and why, with nothing changed."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from audit.models import AuditEvent
from grants import services
from grants.errors import InvalidTransition, PermissionDenied, ValidationFailed
from grants.models import Application, BudgetLine, GrantDetails
from grants.sections import COMPLETE, IN_PROGRESS, NOT_STARTED, section_statuses

from .conftest import complete_grant, pdf
from .factories import OperatorFactory, SpaceFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_reference_numbers_per_program_and_year(grant_call, loan_call, operator, space, second_space, operator_user):
    first = services.application_create(actor=operator_user, call=grant_call, operator=operator, space=space)
    second = services.application_create(actor=operator_user, call=grant_call, operator=operator, space=second_space)
    loan = services.application_create(actor=operator_user, call=loan_call, operator=operator, space=space)
    year = timezone.localdate().year
    assert [first.reference, second.reference, loan.reference] == [
        f"GR-{year}-00001",
        f"GR-{year}-00002",
        f"SL-{year}-00001",
    ]
    assert first.state == "draft" and first.instrument == "grant"
    assert AuditEvent.objects.filter(action="application.create").count() == 3


def test_submit_refused_listing_everything_missing(grant_call, operator, space, operator_user):
    app = services.application_create(actor=operator_user, call=grant_call, operator=operator, space=space)
    assert [s.status for s in section_statuses(app)] == [NOT_STARTED] * 4
    with pytest.raises(ValidationFailed) as refusal:
        services.application_submit(application=app, actor=operator_user)
    messages = [str(m) for m in refusal.value.messages]
    assert messages == [
        "Say what the grant pays for and how much you ask for.",
        "Add the lines of your project budget.",
        "Add at least one milestone with its tranche and due date.",
        "Upload: CNIC copy of the principal.",
        "Upload: Business plan.",
    ]
    assert Application.objects.get(pk=app.pk).state == "draft"


def test_submit_lists_inconsistent_sections(grant_call, operator, space, operator_user):
    app = services.application_create(actor=operator_user, call=grant_call, operator=operator, space=space)
    services.application_save_grant_details(
        application=app, actor=operator_user, purpose="Seats", amount_requested="4,000,000", own_contribution="1000000"
    )
    services.application_save_budget_lines(
        application=app, actor=operator_user, lines=[{"description": "Seats", "amount": Decimal("3000000")}]
    )
    services.application_upload_document(application=app, actor=operator_user, document_type="cnic_copy", file=pdf())
    statuses = {s.code: s for s in section_statuses(Application.objects.get(pk=app.pk))}
    assert statuses["grant_details"].status == COMPLETE
    assert statuses["budget"].status == IN_PROGRESS
    assert statuses["budget"].missing == [
        "The budget lines add up to PKR 3,000,000 but the project costs PKR 5,000,000 (grant plus own contribution)."
    ]
    assert statuses["documents"].status == IN_PROGRESS
    assert statuses["documents"].missing == ["Upload: Business plan."]


def test_submit_refused_when_the_call_has_closed(grant_call, operator, space, operator_user):
    app = complete_grant(grant_call, operator, space, operator_user)
    with time_machine.travel(grant_call.closes_at + dt.timedelta(minutes=1)):
        with pytest.raises(ValidationFailed) as refusal:
            services.application_submit(application=app, actor=operator_user)
    assert "can no longer be submitted" in refusal.value.message
    assert Application.objects.get(pk=app.pk).state == "draft"


def test_complete_application_submits(grant_call, operator, space, operator_user):
    app = complete_grant(grant_call, operator, space, operator_user)
    assert all(s.status == COMPLETE for s in section_statuses(app))
    submitted = services.application_submit(application=app, actor=operator_user)
    assert submitted.state == "submitted"
    assert submitted.submitted_at is not None


def test_create_refused_for_another_operators_space(grant_call, operator, other_space, operator_user):
    with pytest.raises(ValidationFailed) as refusal:
        services.application_create(actor=operator_user, call=grant_call, operator=operator, space=other_space)
    assert refusal.value.field_errors["space"] == ["That space is not one of Indus Hub Coworking (Pvt.) Ltd.'s spaces."]
    assert Application.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_create_refused_for_a_company_the_actor_does_not_work_for(
    grant_call, other_operator, other_space, operator_user
):
    with pytest.raises(PermissionDenied):
        services.application_create(actor=operator_user, call=grant_call, operator=other_operator, space=other_space)
    assert Application.objects.count() == 0


def test_create_refused_on_a_closed_call(grant_call, operator, space, operator_user):
    grant_call.closes_at = timezone.now() - dt.timedelta(days=1)
    grant_call.opens_at = timezone.now() - dt.timedelta(days=30)
    grant_call.save()
    with pytest.raises(ValidationFailed) as refusal:
        services.application_create(actor=operator_user, call=grant_call, operator=operator, space=space)
    assert "is not open for applications" in refusal.value.message
    assert Application.objects.count() == 0


def test_second_open_application_for_the_same_space_refused(grant_call, operator, space, operator_user):
    first = services.application_create(actor=operator_user, call=grant_call, operator=operator, space=space)
    with pytest.raises(ValidationFailed) as refusal:
        services.application_create(actor=operator_user, call=grant_call, operator=operator, space=space)
    assert first.reference in refusal.value.message
    services.application_withdraw(application=first, actor=operator_user)
    again = services.application_create(actor=operator_user, call=grant_call, operator=operator, space=space)
    assert again.reference == first.reference[:-1] + "2"


@pytest.mark.parametrize(
    ("amount", "contribution", "field", "message"),
    [
        ("-5000", "0", "amount_requested", "The grant amount cannot be negative."),
        (
            "9999999999999999",
            "0",
            "amount_requested",
            "The grant amount is far larger than any amount this program handles.",
        ),
        (
            "6000000",
            "2000000",
            "amount_requested",
            "The grant amount is more than the program's largest, PKR 5,000,000.",
        ),
        ("100000", "50000", "amount_requested", "The grant amount is less than the program's smallest, PKR 250,000."),
        ("1000000.005", "300000", "amount_requested", "The grant amount can have at most two decimal places (paisas)."),
        ("NaN", "0", "amount_requested", "The grant amount must be an amount in rupees, like 1,250,000."),
        (1000000.5, "0", "amount_requested", "The grant amount must be a whole amount in rupees and paisas."),
        ("4000000", "-1", "own_contribution", "Your own contribution cannot be negative."),
        (
            "4000000",
            "500000",
            "own_contribution",
            "Your own contribution must be at least PKR 1,000,000 (20% of the project).",
        ),
    ],
)
def test_grant_details_refuse_bad_amounts(
    grant_call, operator, space, operator_user, amount, contribution, field, message
):
    app = services.application_create(actor=operator_user, call=grant_call, operator=operator, space=space)
    with pytest.raises(ValidationFailed) as refusal:
        services.application_save_grant_details(
            application=app,
            actor=operator_user,
            purpose="Seats",
            amount_requested=amount,
            own_contribution=contribution,
        )
    assert [str(m) for m in refusal.value.field_errors[field]] == [message]
    assert not GrantDetails.objects.exists()
    assert Application.objects.get(pk=app.pk).amount_requested == 0


def test_budget_lines_refuse_negative_and_empty(grant_call, operator, space, operator_user):
    app = services.application_create(actor=operator_user, call=grant_call, operator=operator, space=space)
    with pytest.raises(ValidationFailed) as refusal:
        services.application_save_budget_lines(
            application=app,
            actor=operator_user,
            lines=[{"description": "Seats", "amount": "-10"}, {"description": "", "amount": "100"}],
        )
    assert refusal.value.field_errors == {
        "lines-1": ["The cost on line 1 cannot be negative."],
        "lines-2": ["Enter the item on line 2."],
    }
    assert not BudgetLine.objects.exists()


def test_milestones_must_be_due_in_the_future(grant_call, operator, space, operator_user):
    app = services.application_create(actor=operator_user, call=grant_call, operator=operator, space=space)
    with pytest.raises(ValidationFailed) as refusal:
        services.application_save_milestones(
            application=app,
            actor=operator_user,
            milestones=[{"title": "Done", "amount": "1000", "due_date": timezone.localdate()}],
        )
    assert refusal.value.field_errors == {"milestones-1": ["Milestone 1 must be due after today."]}


def test_another_operator_cannot_edit_or_submit(grant_call, operator, space, operator_user, other_operator_user):
    app = complete_grant(grant_call, operator, space, operator_user)
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.application_save_grant_details(
            application=app,
            actor=other_operator_user,
            purpose="x",
            amount_requested="300000",
            own_contribution="100000",
        )
    with pytest.raises(PermissionDenied) as refusal:
        services.application_submit(application=app, actor=other_operator_user)
    assert refusal.value.message == "You may not act on this application."
    assert AuditEvent.objects.count() == events
    assert Application.objects.get(pk=app.pk).amount_requested == Decimal("4000000")


def test_sections_frozen_after_submission(grant_call, operator, space, operator_user):
    app = services.application_submit(
        application=complete_grant(grant_call, operator, space, operator_user), actor=operator_user
    )
    with pytest.raises(InvalidTransition) as refusal:
        services.application_save_grant_details(
            application=app, actor=operator_user, purpose="x", amount_requested="300000", own_contribution="100000"
        )
    assert "can only be changed as a draft" in refusal.value.message


def test_withdraw_refused_after_decision(grant_call, operator, space, operator_user, officer, chair):
    from .conftest import to_state

    app = to_state(
        complete_grant(grant_call, operator, space, operator_user),
        "approved",
        operator_user=operator_user,
        officer=officer,
        chair=chair,
    )
    with pytest.raises(InvalidTransition) as refusal:
        services.application_withdraw(application=app, actor=operator_user)
    assert refusal.value.message == f"Application {app.reference} is approved, so this cannot be done now."


def test_inactive_member_is_refused(grant_call, operator, space, operator_user):
    app = complete_grant(grant_call, operator, space, operator_user)
    operator_user.is_active = False
    operator_user.save()
    with pytest.raises(PermissionDenied):
        services.application_submit(application=app, actor=operator_user)


def test_send_to_review_refused_with_failing_checks(grant_call, space, operator, operator_user, officer):
    app = complete_grant(grant_call, operator, space, operator_user)
    app = services.application_submit(application=app, actor=operator_user)
    app = services.application_start_screening(application=app, actor=officer)
    operator.verification_status = "suspended"
    operator.verified_at = None
    operator.save()
    with pytest.raises(ValidationFailed) as refusal:
        services.application_send_to_review(application=app, actor=officer)
    assert refusal.value.message.startswith(
        "Registered and verified operator: Indus Hub Coworking (Pvt.) Ltd. is not verified"
    )
    assert Application.objects.get(pk=app.pk).state == "screening"


def test_screen_out_needs_a_reason(grant_call, space, operator, operator_user, officer):
    app = services.application_submit(
        application=complete_grant(grant_call, operator, space, operator_user), actor=operator_user
    )
    app = services.application_start_screening(application=app, actor=officer)
    with pytest.raises(ValidationFailed) as refusal:
        services.application_screen_out(application=app, actor=officer, reason="   ")
    assert refusal.value.field_errors == {"reason": ["Enter the reason for screening out."]}
    out = services.application_screen_out(application=app, actor=officer, reason="The space is not yet open.")
    assert (out.state, out.closing_reason) == ("screened_out", "The space is not yet open.")
    assert out.closed_at is not None


def test_unverified_operator_may_still_start(grant_call, db):
    user = UserFactory()
    op = OperatorFactory(members=[user], verification_status="pending", verified_at=None)
    app = services.application_create(actor=user, call=grant_call, operator=op, space=SpaceFactory(operator=op))
    assert app.state == "draft"
