"""Issue #22 in Chromium: the finance checker reads the general ledger (trial balance, the ties, the
export) from the header, and an operator files a month's bills by the claims upload, previewed then
confirmed. axe-core finds no serious or critical violation on either page, and neither page scrolls
sideways on a 390 px phone."""

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from accounts import roles
from finance import services as finance
from grants import claim_upload
from grants.models import UtilityClaim
from tests.browser.conftest import sign_in
from tests.browser.test_public_site import AXE, serious_violations
from tests.factories import PASSWORD
from tests.grants.conftest import unique_pdf
from tests.grants.factories import CallFactory, OperatorFactory, SpaceFactory, UserFactory, UtilityProgramFactory
from tests.grants.payments import accepted_enrolment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_a_phone(page) -> bool:
    page.set_viewport_size({"width": 390, "height": 844})
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_checker_reads_the_ledger_and_downloads_the_export(page):
    operator_user = UserFactory(roles=[roles.OPERATOR])
    payee = OperatorFactory(members=[operator_user])
    space = SpaceFactory(operator=payee)
    officer = UserFactory(roles=[roles.PROGRAM_OFFICER])
    maker = UserFactory(roles=[roles.FINANCE_MAKER])
    checker = UserFactory(roles=[roles.FINANCE_CHECKER], email="nadia@finance.example.pk")
    amount = Decimal("1250000.00")
    instruction = finance.payment_request(source=space, payee=payee, amount=amount, narration="Tranche", actor=officer)
    instruction = finance.payment_prepare(instruction=instruction, actor=maker, amount=amount)
    finance.payment_approve(instruction=instruction, actor=checker)

    sign_in(page, checker.email, PASSWORD)
    page.get_by_role("link", name="General ledger").first.click()
    assert page.locator("h1").inner_text() == "General ledger"
    assert "Every entry balances" in page.locator("#ties").locator("..").inner_text()
    table = page.get_by_role("region", name="Trial balance", exact=True)
    assert "1,250,000.00" in table.inner_text() and "Balances" in table.inner_text()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0][0] == "Entry" and len(rows) == 3
    if AXE.exists():
        assert serious_violations(page) == []
    assert fits_a_phone(page)


def test_an_operator_files_a_months_bills_by_upload(page):
    operator_user = UserFactory(roles=[roles.OPERATOR], email="ayesha@indus.example.pk")
    operator = OperatorFactory(members=[operator_user])
    spaces = [SpaceFactory(operator=operator, code="LHR-001"), SpaceFactory(operator=operator, code="LHR-002")]
    officer = UserFactory(roles=[roles.PROGRAM_OFFICER])
    program = UtilityProgramFactory(code="US", name="Power Relief", slug="power-relief")
    program.max_amount = program.delegated_limit = Decimal("5000000")
    program.save(update_fields=["max_amount", "delegated_limit"])
    award = accepted_enrolment(CallFactory(program=program), operator, spaces, operator_user, officer)
    reference = award.application.reference
    month = timezone.localdate().strftime("%Y-%m")
    connections = list(award.application.connections.order_by("bill_reference"))
    sheet = io.StringIO()
    writer = csv.writer(sheet)
    writer.writerow(claim_upload.HEADINGS)
    bills = []
    for number, connection in enumerate(connections, start=1):
        writer.writerow([connection.bill_reference, month, 1500 + number, f"{150000 + number}", f"bill-{number}.pdf"])
        bills.append(
            {"name": f"bill-{number}.pdf", "mimeType": "application/pdf", "buffer": unique_pdf(f"bill {number}")}
        )

    sign_in(page, operator_user.email, PASSWORD)
    page.goto(page.base_url + f"/portal/applications/{reference}/")
    page.get_by_role("link", name="Claim many bills in one upload").click()
    page.locator("#id_sheet").set_input_files(
        {"name": "claims.csv", "mimeType": "text/csv", "buffer": sheet.getvalue().encode()}
    )
    page.locator("#id_bills").set_input_files(bills)
    page.get_by_role("button", name="Check the claims").click()
    assert page.locator("#preview-title").inner_text() == "Check the 2 claims before you file them"
    assert not UtilityClaim.objects.exists()
    if AXE.exists():
        assert serious_violations(page) == []
    page.get_by_role("button", name="File the 2 claims").click()
    assert "2 claims are filed" in page.locator(".messages").inner_text()
    assert UtilityClaim.objects.filter(state="submitted").count() == 2
    assert fits_a_phone(page)
