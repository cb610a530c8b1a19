"""Reads: who sees what, and a fixed number of queries however many rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import roles
from grants import selectors
from grants.eligibility import eligibility_checks
from grants.models import Application, ApplicationDocument
from grants.sections import section_statuses

from .conftest import complete_grant, complete_utility
from .factories import SpaceFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_visibility(grant_call, operator, space, operator_user, other_operator_user, officer, chair):
    app = complete_grant(grant_call, operator, space, operator_user)
    assert list(selectors.applications_visible_to(operator_user)) == [app]
    assert list(selectors.applications_visible_to(other_operator_user)) == []
    assert list(selectors.applications_visible_to(officer)) == [app]
    assert list(selectors.applications_visible_to(chair)) == []
    assert selectors.application_visible_to(operator_user, app)
    assert not selectors.application_visible_to(other_operator_user, app)
    with pytest.raises(Application.DoesNotExist):
        selectors.application_detail(user=other_operator_user, reference=app.reference)
    with pytest.raises(ApplicationDocument.DoesNotExist):
        selectors.document_for_download(user=other_operator_user, document_id=app.documents.first().pk)


def test_detail_has_documents_requests_and_timeline(grant_call, operator, space, operator_user, officer):
    from grants import services

    app = services.application_submit(
        application=complete_grant(grant_call, operator, space, operator_user), actor=operator_user
    )
    app = services.application_start_screening(application=app, actor=officer)
    services.application_request_information(application=app, actor=officer, question="Lease?")
    detail = selectors.application_detail(user=operator_user, reference=app.reference)
    assert detail.application.state == "info_requested"
    assert [d.document_type for d in detail.documents] == ["business_plan", "cnic_copy"]
    assert detail.open_information_request.question == "Lease?"
    assert detail.timeline[-1].action == "application.request_information"
    assert detail.eligibility == []  # the operator does not see the officer's checklist
    assert detail.clock.is_paused
    officer_view = selectors.application_detail(user=officer, reference=app.reference)
    assert [c.passed for c in officer_view.eligibility] == [True] * 6


def _make(n, call, operator, user):
    from grants import services

    for _i in range(n):
        space = SpaceFactory(operator=operator)
        app = complete_grant(call, operator, space, user)
        services.application_submit(application=app, actor=user)


def test_queue_and_dashboard_query_counts_do_not_grow(grant_call, operator, operator_user, officer):
    _make(2, grant_call, operator, operator_user)
    officer.has_role(roles.PROGRAM_OFFICER)  # the role cache is filled once per request, not per row
    with CaptureQueriesContext(connection) as small:
        rows = list(selectors.screening_queue(user=officer))
        [(r.reference, r.operator.legal_name, r.space.name, r.call.program.name, r.clock()) for r in rows]
    with CaptureQueriesContext(connection) as small_dash:
        rows = list(selectors.operator_applications(user=operator_user))
        [section_statuses(r) for r in rows]
    _make(4, grant_call, operator, operator_user)
    with CaptureQueriesContext(connection) as large:
        rows = list(selectors.screening_queue(user=officer))
        [(r.reference, r.operator.legal_name, r.space.name, r.call.program.name, r.clock()) for r in rows]
    with CaptureQueriesContext(connection) as large_dash:
        rows = list(selectors.operator_applications(user=operator_user))
        [section_statuses(r) for r in rows]
    assert len(rows) == 6
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(large_dash.captured_queries) == len(small_dash.captured_queries)


def test_eligibility_flags_problems(utility_call, operator, space, operator_user):
    app = complete_utility(utility_call, operator, [space], operator_user)
    operator.verification_status = "pending"
    operator.verified_at = None
    operator.save()
    app.call.program.required_documents = ["electricity_bill", "ntn_certificate"]
    app.call.program.save()
    app = Application.objects.get(pk=app.pk)
    results = {c.code: (c.passed, c.detail) for c in eligibility_checks(app)}
    assert results["operator_verified"] == (
        False,
        "Indus Hub Coworking (Pvt.) Ltd. is not verified yet (Pending verification).",
    )
    assert results["space_in_punjab"] == (True, "LHR-001 (Lahore)")
    assert results["documents_present"] == (False, "Missing: NTN certificate.")
    assert results["one_open_application"][0] is True
    label, passed, detail = eligibility_checks(app)[0]
    assert (label, passed) == ("Registered and verified operator", False)


def test_staff_without_officer_role_sees_nothing(grant_call, operator, space, operator_user):
    complete_grant(grant_call, operator, space, operator_user)
    ministry = UserFactory(roles=[roles.MINISTRY_VIEWER])
    assert selectors.applications_visible_to(ministry).count() == 0
