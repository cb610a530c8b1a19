"""A grant tranche from request to bank statement in a real browser, each step by the right person:
the operator requests it with a progress report, the program officer verifies it, the finance maker
prepares the payment, the finance checker approves it, the maker batches it and marks the batch sent,
and the checker's bank statement upload reconciles it; the operator then sees the tranche paid."""

from decimal import Decimal

import pytest
from django.utils import timezone

from accounts import roles
from finance.models import LedgerEntry, PaymentInstruction
from grants.models import Award, Tranche
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD
from tests.grants.conftest import PDF_BYTES, PNG_BYTES
from tests.grants.factories import CallFactory, GrantProgramFactory, OperatorFactory, SpaceFactory, UserFactory
from tests.grants.payments import accepted_grant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page):
    page.locator("form[action$='/accounts/logout/'] button").click()
    page.wait_for_url("**/")


def messages_text(page) -> str:
    return page.locator(".messages").inner_text()


def test_a_tranche_goes_from_request_to_reconciled_through_the_ui(page):
    operator_user = UserFactory(roles=[roles.OPERATOR], email="ayesha@indus.example.pk", full_name="Ayesha Malik")
    operator = OperatorFactory(members=[operator_user], legal_name="Indus Hub Coworking (Pvt.) Ltd.")
    space = SpaceFactory(operator=operator, code="LHR-001", name="Indus Lahore Hub")
    officer = UserFactory(roles=[roles.PROGRAM_OFFICER], email="hamza@pitb.example.pk", full_name="Hamza Iqbal")
    maker = UserFactory(roles=[roles.FINANCE_MAKER], email="usman@finance.example.pk", full_name="Usman Tariq")
    checker = UserFactory(roles=[roles.FINANCE_CHECKER], email="nadia@finance.example.pk", full_name="Nadia Hussain")
    call = CallFactory(program=GrantProgramFactory(code="GR", name="Growth Grant", slug="growth-grant"))
    award = accepted_grant(call, operator, space, operator_user, officer)
    reference = award.application.reference

    # 1. The operator asks for the first tranche with a progress report and a photo.
    sign_in(page, operator_user.email, PASSWORD)
    page.goto(page.base_url + f"/portal/applications/{reference}/")
    assert "Seats installed" in page.locator("#tranches").inner_text()
    page.get_by_role("link", name="Request tranche 1").click()
    page.get_by_label("What has been done").fill("Forty seats installed; the first members moved in on Monday.")
    page.get_by_label("Progress report").set_input_files(
        {"name": "progress-report.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    page.get_by_label("Photo of the work").set_input_files(
        {"name": "seats.png", "mimeType": "image/png", "buffer": PNG_BYTES}
    )
    page.get_by_role("button", name="Send the request").click()
    assert "Tranche 1 is requested" in messages_text(page)
    assert page.locator("[data-tranche='1'] [data-tranche-state]").inner_text() == "Requested: waiting for the officer"
    sign_out(page)

    # 2. The program officer verifies it from the queue.
    sign_in(page, officer.email, PASSWORD)
    page.get_by_role("link", name="Tranches and claims").click()
    page.get_by_role("link", name=f"{reference}, tranche 1").click()
    assert "progress-report.pdf" in page.locator("main").inner_text()
    page.get_by_role("button", name="Verify and ask finance to pay").click()
    assert "finance is asked to pay PKR 2,000,000" in messages_text(page)
    payment = PaymentInstruction.objects.get()
    sign_out(page)

    # 3. The finance maker prepares the payment, confirming the amount.
    sign_in(page, maker.email, PASSWORD)
    page.goto(page.base_url + "/finance/prepare/")
    page.get_by_role("link", name=payment.reference).click()
    page.get_by_label("Confirm the amount (PKR)").fill("2000000.00")
    page.get_by_role("button", name="Prepare and send to a checker").click()
    payment.refresh_from_db()
    assert payment.state == "prepared" and payment.prepared_by == maker
    sign_out(page)

    # 4. The finance checker approves it.
    sign_in(page, checker.email, PASSWORD)
    page.goto(page.base_url + "/finance/approve/")
    page.get_by_role("link", name=payment.reference).click()
    page.get_by_role("button", name="Approve").click()
    payment.refresh_from_db()
    assert payment.state == "approved" and payment.approved_by == checker
    sign_out(page)

    # 5. The maker puts it in a batch and marks the batch sent to the bank.
    sign_in(page, maker.email, PASSWORD)
    page.goto(page.base_url + "/finance/batches/")
    page.get_by_label(payment.reference, exact=False).check()
    page.get_by_role("button", name="Create the batch").click()
    assert "is ready to download" in messages_text(page)
    page.get_by_role("button", name="Mark the batch sent").click()
    assert "is marked sent to the bank" in messages_text(page)
    payment.refresh_from_db()
    assert payment.state == "sent"
    sign_out(page)

    # 6. The checker uploads the bank statement, checks the preview and imports it.
    sign_in(page, checker.email, PASSWORD)
    page.goto(page.base_url + "/finance/statements/")
    statement = (
        "value_date,payment_reference,amount,status,bank_remarks\n"
        f"{timezone.localdate().isoformat()},{payment.reference},2000000.00,paid,IBFT credit\n"
    ).encode()
    page.get_by_label("Bank statement").set_input_files(
        {"name": "statement.csv", "mimeType": "text/csv", "buffer": statement}
    )
    page.get_by_role("button", name="Check the statement").click()
    assert payment.reference in page.locator("main").inner_text()
    page.get_by_role("button", name="Import the statement").click()
    payment.refresh_from_db()
    assert payment.state == "reconciled"
    sign_out(page)

    tranche = Tranche.objects.get(award=award, position=1)
    assert tranche.state == "paid"
    assert Award.objects.get(pk=award.pk).paid == Decimal("2000000.00")
    assert list(LedgerEntry.objects.filter(instruction=payment).order_by("id").values_list("kind", flat=True)) == [
        "approved",
        "sent",
        "paid",
    ]

    # 7. The operator sees the tranche paid, with its dates, and may ask for the next.
    sign_in(page, operator_user.email, PASSWORD)
    page.goto(page.base_url + f"/portal/applications/{reference}/")
    row = page.locator("[data-tranche='1']")
    assert row.locator("[data-tranche-state]").inner_text() == "Paid"
    assert "On the bank statement" in row.inner_text()
    assert "PKR 2,000,000 paid of PKR 4,000,000" in page.locator("#tranches").inner_text()
    assert page.get_by_role("link", name="Request tranche 2").count() == 1
