"""Review and decision in a real browser: two board reviewers declare no conflict and score, the
chair records a meeting and approves, the operator downloads the award letter and accepts the award."""

import io

import pytest
from django.utils import timezone

from accounts import roles
from grants import services
from grants.models import Application, Award
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD
from tests.grants.conftest import SCORES, complete_grant, ensure_allocation, to_state
from tests.grants.factories import CallFactory, GrantProgramFactory, OperatorFactory, SpaceFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page):
    page.locator("form[action$='/accounts/logout/'] button").click()
    page.wait_for_url("**/")


def review_in_browser(page, reviewer, reference, recommendation):
    sign_in(page, reviewer.email, PASSWORD)
    page.goto(page.base_url + "/workbench/reviews/")
    assert page.locator("h1").inner_text() == "My reviews"
    page.get_by_role("link", name=reference).click()
    assert page.get_by_text("Forty more seats and solar backup").count() == 0  # nothing before declaring
    page.get_by_label("No: I have no family").check()
    page.get_by_role("button", name="Declare").click()
    assert "You declared no conflict" in page.locator(".messages").inner_text()
    for code, score in SCORES.items():
        page.check(f"#id_score_{code}_{score - 1}")
    page.get_by_label(recommendation, exact=True).check()
    page.get_by_label("Comments for the board").fill(f"{reviewer.full_name}: a sound plan in an underserved district.")
    page.get_by_role("button", name="Submit your review").click()
    assert "weighted score 3.95" in page.locator(".messages").inner_text()
    sign_out(page)


def test_two_reviewers_score_the_chair_approves_the_operator_downloads_the_letter(page):
    from pypdf import PdfReader

    operator_user = UserFactory(roles=[roles.OPERATOR], email="ayesha@indus.example.pk", full_name="Ayesha Malik")
    operator = OperatorFactory(members=[operator_user], legal_name="Indus Hub Coworking (Pvt.) Ltd.")
    space = SpaceFactory(operator=operator, code="LHR-001", name="Indus Lahore Hub")
    officer = UserFactory(roles=[roles.PROGRAM_OFFICER], email="hamza@pitb.example.pk", full_name="Hamza Iqbal")
    chair = UserFactory(roles=[roles.BOARD_CHAIR], email="saima@pitb.example.pk", full_name="Saima Rafiq")
    first = UserFactory(roles=[roles.BOARD_REVIEWER], email="farah@board.example.pk", full_name="Farah Naz")
    second = UserFactory(roles=[roles.BOARD_REVIEWER], email="kamran@board.example.pk", full_name="Kamran Siddiqui")
    call = CallFactory(program=GrantProgramFactory(code="GR", name="Growth Grant", slug="growth-grant"))
    ensure_allocation(call.program)
    app = to_state(
        complete_grant(call, operator, space, operator_user), "in_review", operator_user=operator_user, officer=officer
    )
    services.review_assign(application=app, actor=officer, reviewers=[first, second])
    reference = app.reference

    review_in_browser(page, first, reference, "Approve")
    review_in_browser(page, second, reference, "Approve")
    assert Application.objects.get(pk=app.pk).state == "recommended"

    # The chair records the meeting and the decision.
    sign_in(page, chair.email, PASSWORD)
    page.goto(page.base_url + "/workbench/board/")
    assert reference in page.locator("table").inner_text()
    page.get_by_role("link", name="Record a board meeting").click()
    page.get_by_label("Date of the meeting").fill(timezone.localdate().isoformat())
    page.get_by_label("Farah Naz").check()
    page.get_by_label("Kamran Siddiqui").check()
    page.get_by_role("button", name="Record the meeting").click()
    page.get_by_role("link", name=f"Record the decision on {reference}").click()
    assert "3.95" in page.locator("main").inner_text()
    page.get_by_label("Approve", exact=True).check()
    page.get_by_label("Votes for").fill("3")
    page.get_by_label("Votes against").fill("0")
    page.get_by_label("Abstentions").fill("0")
    page.get_by_role("button", name="Record the decision").click()
    assert f"Decision on {reference} recorded: approve." in page.locator(".messages").inner_text()
    award = Award.objects.get()
    sign_out(page)

    # The operator downloads the letter and accepts the award.
    sign_in(page, operator_user.email, PASSWORD)
    page.goto(page.base_url + f"/portal/applications/{reference}/")
    assert award.sanction_number in page.locator("main").inner_text()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the award letter (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"award-letter-{award.sanction_number}.pdf"
    with open(download.path(), "rb") as handle:
        text = " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(handle.read())).pages)
    text = " ".join(text.split())
    assert award.sanction_number in text and "Rupees forty lakh only" in text
    page.get_by_role("button", name="Accept the award").click()
    assert f"You accepted award {award.sanction_number}." in page.locator(".messages").inner_text()
    assert page.locator("[data-award-state]").inner_text() == "Award accepted"
    award.refresh_from_db()
    assert award.state == "award_accepted"

    # Anyone can check the letter's code.
    page.goto(page.base_url + f"/verify/award/{award.verification_code}/")
    assert page.locator("h1").inner_text() == "This award letter is genuine"
