"""The operator portal for applications, through the views: start, sections, documents, check your
answers, submit (and its refusal), confirmation, answering a question, withdrawing, the dashboard panel
and the notifications page."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from grants import services
from grants.models import Application
from notifications.models import Notification

from .conftest import PDF_BYTES, complete_grant, complete_utility, to_state, unique_pdf
from .factories import ApplicationFactory, CallFactory

pytestmark = pytest.mark.django_db


def rows(prefix, items):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(items)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for number, item in enumerate(items):
        for key, value in item.items():
            data[f"{prefix}-{number}-{key}"] = value
    return data


def start(client, call, space):
    response = client.post(reverse("grants:portal_start"), {"call": call.reference, "space": str(space.pk)})
    assert response.status_code == 302, response.content.decode()
    return Application.objects.latest("pk")


def section(ref, code):
    return reverse("grants:portal_section", args=[ref, code])


def body(response):
    return response.content.decode()


def test_operator_completes_and_submits_a_grant_application_through_the_views(
    client, grant_call, operator, space, operator_user
):
    client.force_login(operator_user)
    calls_page = body(client.get(reverse("grants:portal_calls")))
    assert grant_call.title in calls_page and "Growth Grant" in calls_page
    assert grant_call.closes_at.astimezone(timezone.get_current_timezone()).strftime("%-d %B %Y") in calls_page

    app = start(client, grant_call, space)
    ref = app.reference
    assert ref.startswith(f"GR-{timezone.localdate().year}-")
    tasks = body(client.get(reverse("grants:portal_tasks", args=[ref])))
    assert tasks.count("Not started") == 4 and "You have completed 0 of 4 sections" in tasks
    assert "CNIC copy of the principal" in tasks and "Business plan" in tasks

    response = client.post(
        section(ref, "grant_details"),
        {"purpose": "Forty more seats", "amount_requested": "4,000,000", "own_contribution": "1,000,000"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("grants:portal_tasks", args=[ref])

    response = client.post(
        section(ref, "budget"),
        rows(
            "lines",
            [
                {"description": "Furniture for 40 seats", "amount": "2,000,000"},
                {"description": "", "amount": ""},  # a blank row is ignored
                {"description": "Solar system 15 kW", "amount": "3000000"},
            ],
        ),
    )
    assert response.status_code == 302
    due = timezone.localdate() + dt.timedelta(days=90)
    response = client.post(
        section(ref, "milestones"),
        rows(
            "milestones",
            [
                {"title": "Seats installed", "amount": "2000000", "due_date": due.isoformat()},
                {
                    "title": "Solar commissioned",
                    "amount": "2000000",
                    "due_date": (due + dt.timedelta(days=90)).isoformat(),
                },
            ],
        ),
    )
    assert response.status_code == 302
    for code in ("cnic_copy", "business_plan"):
        response = client.post(
            reverse("grants:portal_documents", args=[ref]),
            {"document_type": code, "file": SimpleUploadedFile(f"{code}.pdf", unique_pdf(code), "application/pdf")},
        )
        assert response.status_code == 302

    tasks = body(client.get(reverse("grants:portal_tasks", args=[ref])))
    assert tasks.count("Complete") >= 4 and "You have completed 4 of 4 sections" in tasks
    check = body(client.get(reverse("grants:portal_check", args=[ref])))
    assert "Check your answers before submitting" in check
    assert "Forty more seats" in check and "PKR 4,000,000" in check and "Solar system 15 kW" in check
    assert "cnic_copy.pdf" in check

    response = client.post(reverse("grants:portal_submit", args=[ref]))
    assert response["Location"] == reverse("grants:portal_confirmation", args=[ref])
    confirmation = body(client.get(response["Location"]))
    assert "Application submitted" in confirmation and ref in confirmation

    app.refresh_from_db()
    assert app.state == Application.State.SUBMITTED
    assert app.amount_requested == Decimal("4000000")
    assert list(app.budget_lines.values_list("description", flat=True)) == [
        "Furniture for 40 seats",
        "Solar system 15 kW",
    ]
    assert AuditEvent.objects.filter(action="application.submit", object_id=str(app.pk), actor=operator_user).exists()
    # Once submitted, the sections are closed to changes.
    response = client.get(section(ref, "grant_details"))
    assert response["Location"] == reverse("grants:portal_application", args=[ref])


def test_submit_refused_lists_what_is_missing_with_links_to_the_sections(
    client, grant_call, operator, space, operator_user
):
    client.force_login(operator_user)
    app = start(client, grant_call, space)
    client.post(
        section(app.reference, "grant_details"),
        {"purpose": "Seats", "amount_requested": "1000000", "own_contribution": "250000"},
    )

    response = client.post(reverse("grants:portal_submit", args=[app.reference]))

    assert response.status_code == 200
    page = body(response)
    assert "The application cannot be submitted yet" in page
    assert "Add the lines of your project budget." in page
    assert "Upload: CNIC copy of the principal." in page
    assert f'href="{section(app.reference, "budget")}">Add the lines of your project budget.' in page
    documents_url = reverse("grants:portal_documents", args=[app.reference])
    assert f'href="{documents_url}">Upload: Business plan.' in page
    app.refresh_from_db()
    assert app.state == Application.State.DRAFT


def test_section_refusals_are_shown_next_to_the_field(client, grant_call, operator, space, operator_user):
    client.force_login(operator_user)
    app = start(client, grant_call, space)
    response = client.post(
        section(app.reference, "grant_details"),
        {"purpose": "Seats", "amount_requested": "9,000,000", "own_contribution": "0"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["amount_requested"] == [
        "The grant amount is more than the program's largest, PKR 5,000,000."
    ]
    assert 'class="error-summary"' in body(response) and 'href="#id_amount_requested"' in body(response)

    response = client.post(section(app.reference, "budget"), rows("lines", [{"description": "Chairs", "amount": "-5"}]))
    assert response.status_code == 200
    assert "The cost on line 1 cannot be negative." in body(response)
    assert not app.budget_lines.exists()


def test_add_another_row_keeps_what_was_typed_and_saves_nothing(client, grant_call, operator, space, operator_user):
    client.force_login(operator_user)
    app = start(client, grant_call, space)
    data = rows("lines", [{"description": "Chairs", "amount": "100000"}])
    data["add_row"] = "1"
    response = client.post(section(app.reference, "budget"), data)
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 2
    assert 'value="Chairs"' in body(response)
    assert not app.budget_lines.exists()


def test_loan_section_shows_the_tier_found_and_the_refusal_outside_every_tier(
    client, loan_call, operator, space, operator_user
):
    client.force_login(operator_user)
    app = start(client, loan_call, space)
    url = section(app.reference, "loan_details")
    data = {
        "amount": "1,000,000",
        "tenure_months": "60",
        "grace_months": "6",
        "grace_kind": "interest_only",
        "purpose": "Second floor fit-out",
        "equity_contribution": "200000",
    }
    response = client.post(url, data, follow=True)
    assert "falls in tier 2: markup 5% a year" in body(response)
    page = body(client.get(url))
    assert "Tier 2" in page and "Markup 5% a year" in page

    response = client.post(url, {**data, "amount": "50,000"})
    assert response.status_code == 200
    [message] = response.context["form"].errors["amount"]
    assert message.startswith("The loan amount is less than the program's smallest, PKR 100,000")


def test_loan_section_asks_what_is_paid_in_grace_and_check_your_answers_shows_it(
    client, loan_call, operator, space, operator_user
):
    client.force_login(operator_user)
    app = start(client, loan_call, space)
    url = section(app.reference, "loan_details")
    page = body(client.get(url))
    # A radio group in a fieldset, its question the legend, the plain-words explanation tied to it.
    assert '<fieldset class="field" id="id_grace_kind" aria-describedby="id_grace_kind_helptext">' in page
    assert "<legend>What will you pay during the grace months?</legend>" in page
    assert "each grace month you pay only that month&#x27;s markup" in page
    assert "each month&#x27;s markup is added to the loan" in page
    assert 'value="interest_only" id="id_grace_kind_0" required checked' in page  # the customary kind, preselected
    assert 'value="none" id="id_grace_kind_1"' in page

    data = {
        "amount": "1,000,000",
        "tenure_months": "60",
        "grace_months": "6",
        "grace_kind": "none",
        "purpose": "Second floor fit-out",
        "equity_contribution": "200000",
    }
    assert client.post(url, data).status_code == 302
    app.refresh_from_db()
    assert (app.loan_details.grace_months, app.loan_details.grace_kind) == (6, "none")
    page = body(client.get(url))
    assert 'value="none" id="id_grace_kind_1" required checked' in page
    # The estimate: the calculator, filled in with the saved terms, shows nothing paid in grace.
    calculator = reverse("loans:calculator")
    link = page.split(f'href="{calculator}?', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert link == f"amount=1000000.00&tier={app.loan_details.tier_id}&months=60&grace_months=6&grace_kind=none"
    schedule = client.get(f"{calculator}?{link}").context["schedule"]
    assert [row.instalment for row in schedule[:6]] == [Decimal("0")] * 6
    assert schedule[6].instalment > 0 and schedule[5].balance > Decimal("1000000")

    check = body(client.get(reverse("grants:portal_check", args=[app.reference])))
    assert "<dt>During grace</dt><dd>Nothing paid: the markup is added to the loan</dd>" in check

    assert client.post(url, {**data, "grace_kind": "interest_only"}).status_code == 302
    check = body(client.get(reverse("grants:portal_check", args=[app.reference])))
    assert "<dt>During grace</dt><dd>The markup only is paid each month</dd>" in check

    # No grace: nothing to choose, so the check page does not mention it and interest_only is stored.
    assert client.post(url, {**data, "grace_months": "0", "grace_kind": "none"}).status_code == 302
    app.refresh_from_db()
    assert (app.loan_details.grace_months, app.loan_details.grace_kind) == (0, "interest_only")
    assert "During grace" not in body(client.get(reverse("grants:portal_check", args=[app.reference])))


@pytest.mark.parametrize(("kind", "message"), [("deferred", "Select a valid choice."), ("", "This field is required.")])
def test_loan_section_refuses_an_unknown_or_missing_grace_kind(
    client, loan_call, operator, space, operator_user, kind, message
):
    client.force_login(operator_user)
    app = start(client, loan_call, space)
    data = {
        "amount": "1000000",
        "tenure_months": "60",
        "grace_months": "6",
        "grace_kind": kind,
        "purpose": "Second floor fit-out",
        "equity_contribution": "200000",
    }
    response = client.post(section(app.reference, "loan_details"), data)
    assert response.status_code == 200
    [error] = response.context["form"].errors["grace_kind"]
    assert error.startswith(message)
    app.refresh_from_db()
    assert not hasattr(app, "loan_details")


def test_utility_connections_are_saved_as_rows_with_the_estimate(
    client, utility_call, operator, space, second_space, operator_user
):
    client.force_login(operator_user)
    response = client.post(reverse("grants:portal_start"), {"call": utility_call.reference})
    app = Application.objects.get()
    assert response.status_code == 302 and app.space is None
    response = client.post(
        section(app.reference, "connections"),
        rows(
            "connections",
            [
                {
                    "space": str(space.pk),
                    "disco": "LESCO",
                    "bill_reference": "04111234567890",
                    "average_monthly_bill": "200000",
                },
                {
                    "space": str(second_space.pk),
                    "disco": "GEPCO",
                    "bill_reference": "123",
                    "average_monthly_bill": "100000",
                },
            ],
        ),
    )
    assert response.status_code == 200
    assert "Connection 2: the GEPCO bill reference number is 14 digits, with nothing else." in body(response)
    response = client.post(
        section(app.reference, "connections"),
        rows(
            "connections",
            [
                {
                    "space": str(space.pk),
                    "disco": "LESCO",
                    "bill_reference": "04111234567890",
                    "average_monthly_bill": "200000",
                }
            ],
        ),
    )
    assert response.status_code == 302
    app.refresh_from_db()
    # min(50% × 200,000, 150,000 cap) × 12
    assert app.amount_requested == Decimal("1200000")
    assert "Estimated subsidy for a year: PKR 1,200,000" in body(client.get(section(app.reference, "connections")))


def test_upload_refusal_shows_the_service_message(client, grant_call, operator, space, operator_user):
    client.force_login(operator_user)
    app = start(client, grant_call, space)
    response = client.post(
        reverse("grants:portal_documents", args=[app.reference]),
        {
            "document_type": "cnic_copy",
            "file": SimpleUploadedFile("cnic.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "“cnic.pdf” is a web page (HTML), not a document. Only PDF, JPEG or PNG documents are accepted."
    ]
    assert not app.documents.exists()


def test_removing_a_document(client, grant_call, operator, space, operator_user):
    client.force_login(operator_user)
    app = start(client, grant_call, space)
    client.post(
        reverse("grants:portal_documents", args=[app.reference]),
        {"document_type": "cnic_copy", "file": SimpleUploadedFile("cnic.pdf", PDF_BYTES)},
    )
    document = app.documents.get()
    response = client.post(reverse("grants:portal_document_remove", args=[app.reference, document.pk]))
    assert response.status_code == 302
    assert not app.documents.exists()
    assert AuditEvent.objects.filter(action="application.remove_document").count() == 1


def test_operator_answers_the_question_and_the_clock_resumes(
    client, grant_call, operator, space, operator_user, officer
):
    app = complete_grant(grant_call, operator, space, operator_user)
    app = to_state(app, "info_requested", operator_user=operator_user, officer=officer)
    client.force_login(operator_user)
    page = body(client.get(reverse("grants:portal_application", args=[app.reference])))
    assert "The program officer asks" in page and "Lease?" in page
    assert "Paused: waiting for the operator" in page

    response = client.post(reverse("grants:portal_answer", args=[app.reference]), {"answer": ""})
    assert response.status_code == 200 and response.context["answer_form"].errors["answer"]

    response = client.post(reverse("grants:portal_answer", args=[app.reference]), {"answer": "Lease deed uploaded."})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == Application.State.SCREENING
    assert app.information_requests.get().answer == "Lease deed uploaded."


def test_withdraw_asks_for_confirmation_then_closes_the_application(client, grant_call, operator, space, operator_user):
    client.force_login(operator_user)
    app = start(client, grant_call, space)
    url = reverse("grants:portal_withdraw", args=[app.reference])
    assert "Are you sure you want to withdraw" in body(client.get(url))
    app.refresh_from_db()
    assert app.state == Application.State.DRAFT

    response = client.post(url, {"reason": "We found other funding."}, follow=True)
    app.refresh_from_db()
    assert app.state == Application.State.WITHDRAWN and app.closing_reason == "We found other funding."
    assert "is withdrawn" in body(response)
    assert "Withdraw this application" not in body(response)


def test_dashboard_panel_lists_applications_with_state_clock_and_next_step(
    client, grant_call, operator, space, second_space, operator_user, officer
):
    submitted = complete_grant(grant_call, operator, space, operator_user)
    services.application_submit(application=submitted, actor=operator_user)
    draft = services.application_create(actor=operator_user, call=grant_call, operator=operator, space=second_space)
    client.force_login(operator_user)

    page = body(client.get(reverse("portal:dashboard")))

    assert submitted.reference in page and draft.reference in page
    assert 'data-state="submitted"' in page and 'data-state="draft"' in page
    assert "Waiting for less than a minute" in page
    assert "Complete the application (5 items missing)" in page
    assert "Nothing: the secretariat is working on it" in page


def test_dashboard_queries_do_not_grow_with_the_number_of_applications(client, operator, operator_user):
    call = CallFactory()
    client.force_login(operator_user)

    def count(n):
        for _ in range(n):
            ApplicationFactory(call=call, operator=operator, state="draft", created_by=operator_user)
        cache.clear()  # the header's count is counted afresh each time, as on a first visit
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("portal:dashboard"))
        assert response.status_code == 200
        # The dashboard shows the ten most recent; the rest are a link away (paginated list).
        assert body(response).count('data-state="draft"') == min(Application.objects.count(), 10)
        return len(queries)

    few = count(5)
    many = count(25)
    assert many == few


def test_full_application_list_pages_fifty_at_a_time_newest_first(client, operator, operator_user):
    call = CallFactory()
    client.force_login(operator_user)
    for _ in range(60):
        ApplicationFactory(call=call, operator=operator, state="draft", created_by=operator_user)
    newest_first = list(Application.objects.order_by("-created_at", "-pk").values_list("reference", flat=True))

    cache.clear()  # the header's count is counted afresh for each page, as on a first visit
    with CaptureQueriesContext(connection) as first_queries:
        first = body(client.get(reverse("grants:portal_applications")))
    assert first.count('data-state="draft"') == 50
    assert "Showing 1 to 50 of 60" in first
    assert first.index(newest_first[0]) < first.index(newest_first[49])
    assert newest_first[50] not in first

    cache.clear()
    with CaptureQueriesContext(connection) as second_queries:
        second = body(client.get(reverse("grants:portal_applications") + "?page=2"))
    assert second.count('data-state="draft"') == 10
    assert "Showing 51 to 60 of 60" in second and newest_first[59] in second
    assert len(second_queries) == len(first_queries)


def test_notifications_page_shows_new_ones_and_marks_them_read(client, grant_call, operator, space, operator_user):
    app = complete_grant(grant_call, operator, space, operator_user)
    services.application_submit(application=app, actor=operator_user)
    client.force_login(operator_user)
    # The header counts what needs the person's action (issue #19), not every message: the unread
    # "submitted" notification is not among them (a return may be due, depending on the day).
    from notifications.needs_you import needs_you

    owed = needs_you(operator_user)
    assert not [action for action in owed.actions if app.reference in action.text]
    assert f"Notifications ({owed.count} to do)" in body(client.get(reverse("portal:dashboard")))

    page = body(client.get(reverse("grants:notification_list")))
    assert f"Application {app.reference} submitted" in page and "New" in page
    client.post(reverse("grants:notifications_mark_read"))
    assert not Notification.objects.filter(recipient=operator_user, read_at__isnull=True).exists()
    assert "New" not in body(client.get(reverse("grants:notification_list"))).split('id="for-information"')[1]

    notification = Notification.objects.get(recipient=operator_user)
    response = client.get(reverse("grants:notification_open", args=[notification.pk]))
    assert response["Location"] == reverse("grants:portal_application", args=[app.reference])


def test_start_refuses_a_space_with_an_open_application(client, grant_call, operator, space, operator_user):
    client.force_login(operator_user)
    first = start(client, grant_call, space)
    response = client.post(reverse("grants:portal_start"), {"call": grant_call.reference, "space": str(space.pk)})
    assert response.status_code == 200
    assert response.context["form"].errors["space"] == [
        f"{space.name} already has an open application to this program: {first.reference}."
    ]


def test_signed_out_nav_offers_an_account_and_every_page_a_language_switcher(client, db):
    page = body(client.get(reverse("accounts:login")))
    assert "Create an account" in page and reverse("accounts:sign_up") in page
    assert 'action="/i18n/setlang/"' in page and "اردو" in page


def test_a_utility_enrolment_through_the_views_reaches_check_your_answers(
    client, utility_call, operator, space, operator_user
):
    app = complete_utility(utility_call, operator, [space], operator_user)
    client.force_login(operator_user)
    page = body(client.get(reverse("grants:portal_check", args=[app.reference])))
    assert "04110000000001" in page and "Estimated subsidy for a year: PKR 1,080,000" in page
    assert "The application cannot be submitted yet" not in page
