"""The officer's workbench through the views: the screening queue (landing page, order, clock, filters,
query count), the application page (sections, eligibility, timeline) and the actions, which change
state and write audit events; other roles are kept out."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from audit.models import AuditEvent
from grants.models import Application
from spaces.models import Operator

from .conftest import complete_grant, complete_loan, to_state
from .factories import ApplicationFactory, CallFactory, LoanProgramFactory, UserFactory

pytestmark = pytest.mark.django_db


def body(response):
    return response.content.decode()


def action(name, app):
    return reverse(f"grants:{name}", args=[app.reference])


def test_a_program_officer_lands_on_the_screening_queue(client, officer):
    client.force_login(officer)
    response = client.get(reverse("accounts:home"))
    assert response["Location"] == "/workbench/" == reverse("grants:workbench")
    assert "Applications to screen" in body(client.get(response["Location"]))


def test_queue_is_oldest_first_with_clock_and_filters(client, officer):
    grant_call = CallFactory()
    loan_call = CallFactory(program=LoanProgramFactory(name="Soft Loan", slug="soft-loan"))
    now = timezone.now()
    old = ApplicationFactory(call=grant_call, state="screening", reference="GR-2026-00001")
    Application.objects.filter(pk=old.pk).update(
        created_at=now - dt.timedelta(days=10),
        submitted_at=now - dt.timedelta(days=9),
        state_entered_at=now - dt.timedelta(days=3),
    )
    new = ApplicationFactory(call=loan_call, state="submitted", reference="SL-2026-00002")
    Application.objects.filter(pk=new.pk).update(submitted_at=now - dt.timedelta(days=1), state_entered_at=now)
    ApplicationFactory(call=grant_call, state="draft", reference="GR-2026-00003")
    ApplicationFactory(call=grant_call, state="in_review", reference="GR-2026-00004")
    client.force_login(officer)

    response = client.get(reverse("grants:workbench"))
    assert [a.reference for a in response.context["applications"]] == ["GR-2026-00001", "SL-2026-00002"]
    page = body(response)
    assert "Waiting for 3 days" in page and "9 days in processing since submission" in page

    response = client.get(reverse("grants:workbench"), {"program": "soft-loan"})
    assert [a.reference for a in response.context["applications"]] == ["SL-2026-00002"]
    response = client.get(reverse("grants:workbench"), {"state": "screening"})
    assert [a.reference for a in response.context["applications"]] == ["GR-2026-00001"]


def test_queue_queries_do_not_grow_with_the_number_of_applications(client, officer):
    call = CallFactory()
    client.force_login(officer)

    def count(n):
        for _ in range(n):
            ApplicationFactory(call=call, state="submitted")
        cache.clear()  # the header's count is counted afresh each time, as on a first visit
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("grants:workbench"))
        assert len(response.context["applications"]) == Application.objects.count()
        return len(queries)

    assert count(5) == count(25)


def test_queue_pages_fifty_at_a_time_oldest_first_keeping_the_filter(client, officer):
    call = CallFactory()
    client.force_login(officer)
    for _ in range(55):
        ApplicationFactory(call=call, state="submitted")
    ApplicationFactory(call=call, state="screening")
    oldest_first = list(
        Application.objects.filter(state="submitted").order_by("submitted_at", "pk").values_list("reference", flat=True)
    )

    first = client.get(reverse("grants:workbench") + "?state=submitted")
    assert [a.reference for a in first.context["applications"]] == oldest_first[:50]
    page = body(first)
    assert "Showing 1 to 50 of 55" in page
    assert "state=submitted&amp;page=2" in page  # the next-page link keeps the filter

    second = client.get(reverse("grants:workbench") + "?state=submitted&page=2")
    assert [a.reference for a in second.context["applications"]] == oldest_first[50:]


def test_officer_screens_asks_and_sends_to_review_through_the_views(
    client, grant_call, operator, space, operator_user, officer
):
    app = complete_grant(grant_call, operator, space, operator_user)
    app = to_state(app, "submitted", operator_user=operator_user, officer=officer)
    client.force_login(officer)

    page = body(client.get(action("workbench_application", app)))
    assert "Forty more seats and solar backup" in page and "Solar system 15 kW" in page
    assert "Seats installed" in page and "cnic_copy.pdf" in page
    assert page.count('tag tag--ok">Pass') == 6 and "Fail" not in page.replace("fails", "")
    assert "Application started" in page and "Submitted" in page

    client.post(action("workbench_start_screening", app))
    app.refresh_from_db()
    assert app.state == Application.State.SCREENING

    response = client.post(action("workbench_request_information", app), {"question": "  "})
    assert response.status_code == 200
    assert response.context["question_form"].errors["question"] == ["This field is required."]
    app.refresh_from_db()
    assert app.state == Application.State.SCREENING

    client.post(action("workbench_request_information", app), {"question": "Please upload the lease deed."})
    app.refresh_from_db()
    assert app.state == Application.State.INFO_REQUESTED
    assert app.information_requests.get().question == "Please upload the lease deed."

    # Sending to review while a question is open is not possible in this state: a message, no change.
    response = client.post(action("workbench_send_to_review", app), follow=True)
    assert "is information requested, so this cannot be done now" in body(response)

    client.force_login(operator_user)
    client.post(reverse("grants:portal_answer", args=[app.reference]), {"answer": "Uploaded."})
    client.force_login(officer)
    response = client.post(action("workbench_send_to_review", app), follow=True)
    assert f"{app.reference} is sent to review." in body(response)
    app.refresh_from_db()
    assert app.state == Application.State.IN_REVIEW

    events = list(
        AuditEvent.objects.filter(
            object_id=str(app.pk),
            action__in=[
                "application.start_screening",
                "application.request_information",
                "application.answer_information",
                "application.send_to_review",
            ],
        ).values_list("action", "actor_id", "to_state", "reason")
    )
    assert events == [
        ("application.start_screening", officer.pk, "screening", ""),
        ("application.request_information", officer.pk, "info_requested", "Please upload the lease deed."),
        ("application.answer_information", operator_user.pk, "screening", ""),
        ("application.send_to_review", officer.pk, "in_review", ""),
    ]


def test_screen_out_needs_a_reason_and_records_it(client, grant_call, operator, space, operator_user, officer):
    app = complete_grant(grant_call, operator, space, operator_user)
    app = to_state(app, "screening", operator_user=operator_user, officer=officer)
    client.force_login(officer)

    response = client.post(action("workbench_screen_out", app), {"reason": ""})
    assert response.status_code == 200 and response.context["reason_form"].errors["reason"]
    app.refresh_from_db()
    assert app.state == Application.State.SCREENING

    client.post(action("workbench_screen_out", app), {"reason": "The space is not in the network."})
    app.refresh_from_db()
    assert app.state == Application.State.SCREENED_OUT
    assert app.closing_reason == "The space is not in the network."
    event = AuditEvent.objects.get(action="application.screen_out", object_id=str(app.pk))
    assert (event.actor_id, event.from_state, event.reason) == (officer.pk, "screening", app.closing_reason)


def test_send_to_review_refused_lists_the_failing_checks(client, loan_call, operator, space, operator_user, officer):
    app = complete_loan(loan_call, operator, space, operator_user)
    app = to_state(app, "screening", operator_user=operator_user, officer=officer)
    Operator.objects.filter(pk=operator.pk).update(
        verification_status=Operator.Verification.SUSPENDED, verified_at=None
    )
    client.force_login(officer)

    page = body(client.get(action("workbench_application", app)))
    assert 'tag tag--bad">Fail' in page and "is not verified yet (Suspended)" in page

    response = client.post(action("workbench_send_to_review", app))
    assert response.status_code == 200
    assert "It cannot go to review yet" in body(response)
    assert "is not verified yet (Suspended)" in body(response)
    app.refresh_from_db()
    assert app.state == Application.State.SCREENING


def test_an_invalid_transition_is_a_message_not_an_error_page(
    client, grant_call, operator, space, operator_user, officer
):
    app = complete_grant(grant_call, operator, space, operator_user)
    app = to_state(app, "screening", operator_user=operator_user, officer=officer)
    client.force_login(officer)
    response = client.post(action("workbench_start_screening", app), follow=True)
    assert response.status_code == 200
    assert f"Application {app.reference} is screening, so this cannot be done now." in body(response)


@pytest.mark.parametrize("role", [roles.BOARD_REVIEWER, roles.MINISTRY_VIEWER, roles.OPERATOR, roles.BOARD_CHAIR])
def test_other_roles_are_kept_out_of_the_workbench(client, role, grant_call, operator, space, operator_user, officer):
    app = complete_grant(grant_call, operator, space, operator_user)
    app = to_state(app, "submitted", operator_user=operator_user, officer=officer)
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse("grants:workbench")).status_code == 403
    assert client.get(action("workbench_application", app)).status_code in (403, 404)
    for name in ("workbench_start_screening", "workbench_send_to_review"):
        assert client.post(action(name, app)).status_code in (403, 404)
    assert client.post(action("workbench_screen_out", app), {"reason": "x"}).status_code in (403, 404)
    assert client.post(action("workbench_request_information", app), {"question": "x"}).status_code in (403, 404)
    app.refresh_from_db()
    assert app.state == Application.State.SUBMITTED
    assert not AuditEvent.objects.filter(action="application.start_screening").exists()


def test_an_officer_who_acts_for_the_company_cannot_screen_it(
    client, grant_call, operator, space, operator_user, officer
):
    app = complete_grant(grant_call, operator, space, operator_user)
    app = to_state(app, "submitted", operator_user=operator_user, officer=officer)
    operator.members.add(officer)
    client.force_login(officer)
    assert "another officer must screen this application" in body(client.get(action("workbench_application", app)))
    assert client.post(action("workbench_start_screening", app)).status_code == 403
    app.refresh_from_db()
    assert app.state == Application.State.SUBMITTED


def test_clock_on_the_application_page_counts_days(client, grant_call, operator, space, operator_user, officer):
    with time_machine.travel(timezone.now() - dt.timedelta(days=3), tick=False):
        app = complete_grant(grant_call, operator, space, operator_user)
        app = to_state(app, "submitted", operator_user=operator_user, officer=officer)
    client.force_login(officer)
    assert "Waiting for 3 days" in body(client.get(action("workbench_application", app)))


def test_the_officer_reads_what_the_borrower_pays_in_grace(client, loan_call, operator, space, operator_user, officer):
    app = complete_loan(loan_call, operator, space, operator_user, grace_kind="none")
    app = to_state(app, "screening", operator_user=operator_user, officer=officer)
    client.force_login(officer)
    page = body(client.get(action("workbench_application", app)))
    assert "<dt>Grace period</dt><dd>6 months</dd>" in page
    assert "<dt>During grace</dt><dd>Nothing paid: the markup is added to the loan</dd>" in page
