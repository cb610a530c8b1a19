"""Loan pages: who sees what, the statement PDF, the calculator, the loan book's queries."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from accounts import roles
from loans.models import Repayment
from tests.factories import UserFactory

from .conftest import disburse, repay

pytestmark = pytest.mark.django_db


@pytest.fixture
def loan(loan_call, operator, space, people):
    loan = disburse(
        loan_call, operator, space, people, amount=Decimal("500000"), months=36, grace=0, on=dt.date(2026, 1, 10)
    )
    repay(loan, people, "13889", dt.date(2026, 2, 9), "MCB-77")
    return loan


def login(client, user):
    client.force_login(user)
    return client


def loan_urls(loan):
    repayment = Repayment.objects.filter(loan=loan).first()
    return {
        "get": [
            reverse("loans:portal_loan", args=[loan.pk]),
            reverse("loans:portal_statement", args=[loan.pk]),
        ],
        "staff_get": [reverse("loans:loan", args=[loan.pk]), reverse("loans:statement", args=[loan.pk])],
        "staff_post": [
            reverse("loans:post_repayment", args=[loan.pk]),
            reverse("loans:reverse", args=[loan.pk, repayment.pk]),
            reverse("loans:restructure", args=[loan.pk]),
            reverse("loans:write_off", args=[loan.pk]),
        ],
    }


def test_operator_sees_own_loan_and_statement_pdf(client, loan, operator_user):
    login(client, operator_user)
    page = client.get(reverse("loans:portal_loans"))
    assert loan.sanction_number in page.content.decode()
    detail = client.get(reverse("loans:portal_loan", args=[loan.pk])).content.decode()
    assert "MCB-77" in detail and "13,889.00" in detail
    response = client.get(reverse("loans:portal_statement", args=[loan.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert loan.sanction_number in text and "Repayment schedule" in text and "MCB-77" in text
    assert "13,885.00" in text  # the last instalment


def test_the_statement_from_the_urdu_portal_is_readable(client, loan, operator_user):
    """Downloaded from /ur/, the statement is the English document under a bilingual heading: no
    Urdu label is drawn in a font without Urdu letters."""
    login(client, operator_user)
    with translation.override("ur"):
        url = reverse("loans:portal_statement", args=[loan.pk])
    assert url.startswith("/ur/")
    response = client.get(url)
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Repayment schedule" in text and "Outstanding principal" in text and "13,885.00" in text
    fonts = {str(font.get_object()["/BaseFont"]) for font in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any("NotoNaskhArabic" in name for name in fonts), fonts


def test_another_operator_gets_404_on_every_loan_url(client, loan, other_operator_user):
    login(client, other_operator_user)
    urls = loan_urls(loan)
    for url in urls["get"]:
        assert client.get(url).status_code == 404, url
    for url in urls["staff_get"] + urls["staff_post"]:
        assert client.get(url).status_code in (403, 405), url  # not staff: the workbench is closed
        assert client.post(url, {"reason": "x"}).status_code == 403, url


def test_borrower_staff_with_a_finance_role_does_not_find_the_loan(client, loan, operator):
    insider = UserFactory(roles=[roles.FINANCE_MAKER])
    operator.members.add(insider)
    login(client, insider)
    for url in loan_urls(loan)["staff_get"] + loan_urls(loan)["staff_post"]:
        response = client.get(url) if url.endswith(("/", ".pdf")) and "repayments" not in url else client.post(url)
        assert response.status_code in (404, 405), url
    assert client.post(reverse("loans:post_repayment", args=[loan.pk]), {}).status_code == 404


def test_finance_posts_a_repayment_by_form(client, loan, people):
    login(client, people["maker"])
    page = client.get(reverse("loans:loan", args=[loan.pk])).content.decode()
    assert "Post a repayment" in page and "Restructure" not in page and "Write off the loan" not in page
    statement = client.get(reverse("loans:statement", args=[loan.pk]))
    assert statement.status_code == 200 and statement.content.startswith(b"%PDF")
    response = client.post(
        reverse("loans:post_repayment", args=[loan.pk]),
        {"amount": "13889", "received_on": "2026-02-09", "bank_reference": "MCB-78"},
    )
    assert response.status_code == 302
    assert Repayment.objects.filter(loan=loan, bank_reference="MCB-78", posted_by=people["maker"]).exists()
    # Too much: the figures are shown next to the amount, nothing posted.
    response = client.post(
        reverse("loans:post_repayment", args=[loan.pk]),
        {"amount": "9999999", "received_on": "2026-02-09", "bank_reference": "MCB-79"},
    )
    assert response.status_code == 400
    assert "is more than the loan&#x27;s whole outstanding balance" in response.content.decode()
    assert not Repayment.objects.filter(bank_reference="MCB-79").exists()


def test_actions_are_refused_for_roles_that_may_not(client, loan, people):
    # An officer reads the book but may not post money, restructure or write off.
    login(client, people["officer"])
    assert client.get(reverse("loans:loan", args=[loan.pk])).status_code == 200
    response = client.post(
        reverse("loans:post_repayment", args=[loan.pk]),
        {"amount": "100", "received_on": "2026-02-09", "bank_reference": "X"},
    )
    assert response.status_code == 403
    response = client.post(
        reverse("loans:restructure", args=[loan.pk]),
        {"months": "36", "grace_months": "0", "grace_kind": "interest_only", "first_due": "2099-01-01", "reason": "r"},
    )
    assert response.status_code == 403
    assert client.post(reverse("loans:write_off", args=[loan.pk]), {"reason": "r"}).status_code == 403
    # A ministry viewer does not come in at all.
    client.logout()
    login(client, UserFactory(roles=[roles.MINISTRY_VIEWER]))
    assert client.get(reverse("loans:book")).status_code == 403


def test_calculator_shows_the_worked_figures(client, operator_user, loan_call):
    login(client, operator_user)
    response = client.get(
        reverse("loans:calculator"),
        {"amount": "1000000", "annual_rate": "5", "months": "96", "grace_months": "12", "grace_kind": "interest_only"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("PKR 4,166.67") >= 12 and html.count("PKR 14,134.00") >= 83 and "PKR 14,125.00" in html
    assert '<label for="id_amount">' in html
    # By tier: 500,000 in tier 1 (0%), 36 months.
    tier = loan_call.program.loan_tiers.get(number=1)
    html = client.get(
        reverse("loans:calculator"),
        {"amount": "500000", "tier": tier.pk, "months": "36", "grace_months": "0", "grace_kind": "interest_only"},
    ).content.decode()
    assert html.count("PKR 13,889.00") >= 35 and "PKR 13,885.00" in html
    # Outside the tier: refused with the reason.
    response = client.get(
        reverse("loans:calculator"),
        {"amount": "900000", "tier": tier.pk, "months": "36", "grace_months": "0", "grace_kind": "interest_only"},
    )
    assert response.status_code == 400 and "Tier 1 lends PKR 100,000 to 500,000." in response.content.decode()


def test_loan_book_filters_and_constant_queries(client, loan_call, operator, space, people):
    from loans.services import loan_refresh_positions

    disburse(loan_call, operator, space, people, amount=Decimal("500000"), months=36, grace=0, on=dt.date(2026, 1, 10))
    login(client, people["checker"])
    url = reverse("loans:book")
    cache.clear()  # the header's count is counted afresh for each page, as on a first visit
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for amount in ("400000", "300000"):
        disburse(
            loan_call, operator, space, people, amount=Decimal(amount), months=36, grace=0, on=dt.date(2026, 1, 10)
        )
    loan_refresh_positions(as_of=dt.date(2026, 3, 1))
    cache.clear()
    with CaptureQueriesContext(connection) as three:
        response = client.get(url)
    assert len(three.captured_queries) == len(one.captured_queries)
    assert response.content.decode().count("SAN-SL-") == 3
    filtered = client.get(url, {"bucket": "1_30"}).content.decode()
    assert filtered.count("SAN-SL-") == 3  # 10 Feb unpaid on 1 Mar: 19 days
    assert client.get(url, {"bucket": "61_90"}).content.decode().count("SAN-SL-") == 0


def test_the_loan_timeline_shows_labels_not_codes(client, loan, people):
    """Issue #17 item 6: the loan's history reads "Loan opened", "Repayment posted", never "loan.open"."""
    login(client, people["officer"])
    page = client.get(reverse("loans:loan", args=[loan.pk])).content.decode()
    assert "Disbursement requested" in page and "Repayment posted" in page
    for code in ("loan.open", "loan.request_disbursement", "loan.repayment", "loan.activate"):
        assert code not in page, code
    with translation.override("ur"):
        page = client.get(reverse("loans:loan", args=[loan.pk])).content.decode()
    assert "قسط درج کی گئی" in page and "loan.repayment" not in page
