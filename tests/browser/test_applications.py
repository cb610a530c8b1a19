"""The application's main path in a real browser: an operator completes and submits a grant
application with a document, the officer asks for information, the operator answers, and the officer
sends it to review."""

import datetime as dt
import io
import re

import pytest
from django.utils import timezone

from accounts import roles
from grants.models import Application
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD
from tests.grants.factories import CallFactory, GrantProgramFactory, OperatorFactory, SpaceFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def small_pdf(path, title: str):
    """A one-page PDF whose text (and so whose bytes) names the document: an application refuses the
    same file uploaded twice, so each document gets its own."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    document = canvas.Canvas(buffer, pagesize=A4)
    document.drawString(72, 800, f"Indus Hub Coworking: {title}")
    document.showPage()
    document.save()
    path.write_bytes(buffer.getvalue())
    return path


def sign_out(page):
    page.locator("form[action$='/accounts/logout/'] button").click()
    page.wait_for_url("**/")


def test_grant_application_from_draft_to_review(page, tmp_path):
    operator_user = UserFactory(roles=[roles.OPERATOR], email="ayesha@indus.example.pk", full_name="Ayesha Malik")
    operator = OperatorFactory(members=[operator_user], legal_name="Indus Hub Coworking (Pvt.) Ltd.")
    space = SpaceFactory(operator=operator, code="LHR-001", name="Indus Lahore Hub")
    officer = UserFactory(roles=[roles.PROGRAM_OFFICER], email="hamza@pitb.example.pk", full_name="Hamza Iqbal")
    call = CallFactory(
        title="Growth Grant round 1",
        program=GrantProgramFactory(code="GR", name="Growth Grant", slug="growth-grant"),
    )

    # The operator applies.
    sign_in(page, operator_user.email, PASSWORD)
    page.get_by_role("link", name="Applications", exact=True).click()
    page.get_by_role("link", name="See open calls and apply").click()
    page.get_by_role("link", name=f"Apply to {call.title}").click()
    page.get_by_label("Space").select_option(label=f"{space.name} ({space.code})")
    page.get_by_role("button", name="Start the application").click()
    reference = Application.objects.get().reference
    assert re.fullmatch(rf"GR-{timezone.localdate().year}-\d{{5}}", reference)
    assert page.locator("h1").inner_text() == f"Application {reference}"

    page.get_by_role("link", name="Grant: purpose and amounts").click()
    page.get_by_label("What will the grant pay for?").fill("Forty more seats and solar backup")
    page.get_by_label("Grant amount you ask for (PKR)").fill("4,000,000")
    page.get_by_label("Your own contribution (PKR)").fill("1,000,000")
    page.get_by_role("button", name="Save and continue").click()
    assert "Your answers are saved." in page.locator(".messages").inner_text()

    page.get_by_role("link", name="Project budget").click()
    page.fill("input[name=lines-0-description]", "Furniture for 40 seats")
    page.fill("input[name=lines-0-amount]", "2,000,000")
    page.fill("input[name=lines-1-description]", "Solar system 15 kW")
    page.fill("input[name=lines-1-amount]", "3,000,000")
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_role("link", name="Milestones and tranches").click()
    due = timezone.localdate() + dt.timedelta(days=90)
    page.fill("input[name=milestones-0-title]", "Seats installed")
    page.fill("input[name=milestones-0-amount]", "4000000")
    page.fill("input[name=milestones-0-due_date]", due.isoformat())
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_role("link", name="Documents", exact=True).click()
    for label, filename in (("CNIC copy of the principal", "cnic.pdf"), ("Business plan", "business-plan.pdf")):
        pdf = small_pdf(tmp_path / filename, label)
        page.get_by_label("Which document is this?").select_option(label=label)
        page.get_by_label("File").set_input_files(str(pdf))
        page.get_by_role("button", name="Upload", exact=True).click()
        assert f"is uploaded as {label}" in page.locator(".messages").inner_text()
    page.get_by_role("link", name="Done: back to the task list").click()
    assert page.get_by_text("You have completed 4 of 4 sections").is_visible()

    page.get_by_role("link", name="Check your answers and submit").click()
    assert page.get_by_text("Forty more seats and solar backup").is_visible()
    page.get_by_role("button", name="Submit the application").click()
    assert page.locator("h1").inner_text() == "Application submitted"
    assert page.locator(".reference").inner_text() == reference
    assert Application.objects.get().state == Application.State.SUBMITTED
    sign_out(page)

    # The officer screens and asks a question.
    sign_in(page, officer.email, PASSWORD)
    page.wait_for_url("**/workbench/")
    assert page.locator("h1").inner_text() == "Applications to screen"
    page.get_by_role("link", name=reference, exact=True).click()
    assert (
        page.locator(".tag--ok", has_text="Pass").count() == 6
    )  # the sixth: no other department's certificate required
    page.get_by_role("button", name="Start screening").click()
    assert page.locator("[data-state]").inner_text() == "Screening"
    page.get_by_label("Your question to the operator").fill("Please confirm the lease runs until 2030.")
    page.get_by_role("button", name="Send the question").click()
    assert page.locator("[data-state]").inner_text() == "Information requested"
    sign_out(page)

    # The operator answers.
    sign_in(page, operator_user.email, PASSWORD)
    assert "Notifications (" in page.locator("nav").inner_text()
    page.get_by_role("link", name=reference, exact=True).click()
    assert page.get_by_text("Please confirm the lease runs until 2030.").first.is_visible()
    page.get_by_label("Your answer").fill("Yes: the lease deed runs to June 2031.")
    page.get_by_role("button", name="Send your answer").click()
    assert page.locator("[data-state]").inner_text() == "Screening"
    sign_out(page)

    # The officer sends it to review.
    sign_in(page, officer.email, PASSWORD)
    page.get_by_role("link", name=reference, exact=True).click()
    assert page.get_by_text("Yes: the lease deed runs to June 2031.").is_visible()
    page.get_by_role("button", name="Send to review").click()
    assert f"{reference} is sent to review." in page.locator(".messages").inner_text()
    assert page.locator("[data-state]").inner_text() == "In review"
    application = Application.objects.get()
    assert application.state == Application.State.IN_REVIEW
    assert application.information_requests.get().answer == "Yes: the lease deed runs to June 2031."
    assert application.documents.get(document_type="business_plan").content_type == "application/pdf"
