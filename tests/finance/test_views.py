"""Finance pages: only finance roles (403 for others, 404 for payments they may not see), the maker's
and checker's paths through the pages, batches and downloads, statement upload with preview."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts import roles
from finance.models import BankStatement, PaymentBatch, PaymentInstruction, StatementLine
from tests.factories import UserFactory

from .conftest import approved_payment, request_payment, sent_payment

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("finance:home", {}),
        ("finance:maker_queue", {}),
        ("finance:checker_queue", {}),
        ("finance:batches", {}),
        ("finance:statement_upload", {}),
        ("finance:unmatched", {}),
        ("finance:payment", {"pk": 1}),
    ],
)
def test_only_finance_roles_come_in(client, officer, operator_user, name, kwargs):
    url = reverse(name, kwargs=kwargs)
    assert client.get(url).status_code == 302  # to sign in
    for user in (officer, operator_user):
        client.logout()
        assert signed_in(client, user).get(url).status_code == 403


def test_payments_to_ones_own_company_are_not_found(client, space, payee, officer):
    insider = UserFactory(roles=[roles.FINANCE_MAKER, roles.FINANCE_CHECKER])
    payee.members.add(insider)
    payment = request_payment(space, payee, officer)
    signed_in(client, insider)
    assert client.get(reverse("finance:payment", args=[payment.pk])).status_code == 404
    assert client.post(reverse("finance:payment_prepare", args=[payment.pk])).status_code == 404
    assert payment.reference not in client.get(reverse("finance:maker_queue")).content.decode()


def test_maker_prepares_from_the_queue(client, space, payee, officer, maker):
    payment = request_payment(space, payee, officer)
    signed_in(client, maker)
    page = client.get(reverse("finance:maker_queue")).content.decode()
    assert payment.reference in page and "PKR 1,250,000.00" in page
    detail = client.get(reverse("finance:payment", args=[payment.pk])).content.decode()
    assert payee.iban in detail  # the registered IBAN is filled in
    url = reverse("finance:payment_prepare", args=[payment.pk])
    response = client.post(url, {"iban": payee.iban, "amount": "1250000.01"})
    assert response.status_code == 400 and "not the amount requested" in response.content.decode()
    response = client.post(url, {"iban": "GB82WEST12345698765432", "amount": "1250000"})
    assert response.status_code == 400 and "Only Pakistani IBANs" in response.content.decode()
    response = client.post(url, {"iban": payee.iban, "amount": "1250000.00"})
    assert response.status_code == 302
    assert PaymentInstruction.objects.get(pk=payment.pk).state == "prepared"


def test_checker_is_refused_clearly_as_maker_and_approves_others(client, space, payee, officer, maker, checker):
    both = UserFactory(roles=[roles.FINANCE_MAKER, roles.FINANCE_CHECKER], full_name="Both Hats")
    from finance import services

    mine = services.payment_prepare(instruction=request_payment(space, payee, officer), actor=both)
    signed_in(client, both)
    queue = client.get(reverse("finance:checker_queue")).content.decode()
    assert "You prepared this payment" in queue
    assert reverse("finance:payment_approve", args=[mine.pk]) not in queue
    response = client.post(reverse("finance:payment_approve", args=[mine.pk]))
    assert response.status_code == 403
    assert "four-eyes" in response.content.decode()
    assert PaymentInstruction.objects.get(pk=mine.pk).state == "prepared"

    client.logout()
    signed_in(client, checker)
    assert (
        reverse("finance:payment_approve", args=[mine.pk])
        in client.get(reverse("finance:checker_queue")).content.decode()
    )
    assert client.post(reverse("finance:payment_approve", args=[mine.pk])).status_code == 302
    assert PaymentInstruction.objects.get(pk=mine.pk).state == "approved"


def test_batch_pages_downloads_and_mark_sent(client, space, payee, officer, maker, checker):
    payment = approved_payment(space, payee, officer, maker, checker)
    signed_in(client, maker)
    page = client.get(reverse("finance:batches")).content.decode()
    assert payment.reference in page
    response = client.post(reverse("finance:batches"), {"value_date": "2000-01-01", "payments": [payment.pk]})
    assert response.status_code == 400 and "past" in response.content.decode()
    from django.utils import timezone

    response = client.post(
        reverse("finance:batches"), {"value_date": timezone.localdate().isoformat(), "payments": [payment.pk]}
    )
    batch = PaymentBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("finance:batch", args=[batch.pk])
    sheet = load_workbook(io.BytesIO(client.get(reverse("finance:batch_file", args=[batch.pk, "xlsx"])).content))
    assert list(sheet.worksheets[0].iter_rows(values_only=True))[1][1] == payee.iban
    csv_text = client.get(reverse("finance:batch_file", args=[batch.pk, "csv"])).content.decode()
    assert f"{payee.iban},1250000.00" in csv_text
    pdf = client.get(reverse("finance:payment_voucher", args=[payment.pk])).content
    assert "PKR 1,250,000.00" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    # A checker sees the batch but may not send it.
    client.logout()
    signed_in(client, checker)
    assert client.get(reverse("finance:batch", args=[batch.pk])).status_code == 200
    assert client.post(reverse("finance:batch_send", args=[batch.pk])).status_code == 403
    client.logout()
    signed_in(client, maker)
    assert client.post(reverse("finance:batch_send", args=[batch.pk])).status_code == 302
    assert PaymentInstruction.objects.get(pk=payment.pk).state == "sent"


def test_statement_upload_preview_confirm_and_resolve(client, space, payee, officer, maker, checker):
    payment = sent_payment(space, payee, officer, maker, checker)
    content = (
        "value_date,payment_reference,amount,status,bank_remarks\n"
        f"2026-01-15,{payment.reference},1250000.00,paid,\n"
        "2026-01-15,UNKNOWN-REF,900.00,paid,Bank charge\n"
    ).encode()
    signed_in(client, checker)
    response = client.post(
        reverse("finance:statement_upload"), {"file": SimpleUploadedFile("jan.csv", content, "text/csv")}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Import the statement" in page
    assert "Matched: paid" in page and "No payment has this reference" in page
    assert PaymentInstruction.objects.get(pk=payment.pk).state == "sent"  # nothing written yet
    token = response.context["confirm"].initial["token"]
    response = client.post(reverse("finance:statement_confirm"), {"token": token, "file_name": "jan.csv"})
    statement = BankStatement.objects.get()
    assert response.status_code == 302 and response.url == reverse("finance:statement", args=[statement.pk])
    assert PaymentInstruction.objects.get(pk=payment.pk).state == "reconciled"

    again = client.post(reverse("finance:statement_upload"), {"file": SimpleUploadedFile("jan2.csv", content)})
    assert again.status_code == 400 and "already imported" in again.content.decode()
    bad = client.post(
        reverse("finance:statement_upload"),
        {"file": SimpleUploadedFile("bad.csv", b"date,ref,amount\n2026-01-01,X,5\n")},
    )
    assert bad.status_code == 400 and "does not follow the template" in bad.content.decode()

    line = StatementLine.objects.get(outcome="unmatched")
    assert "UNKNOWN-REF" in client.get(reverse("finance:unmatched")).content.decode()
    client.post(reverse("finance:line_resolve", args=[line.pk]), {"resolution": "Bank charge for January"})
    line.refresh_from_db()
    assert line.outcome == "resolved" and line.resolved_by == checker
    assert "Every statement line is matched" in client.get(reverse("finance:unmatched")).content.decode()


def test_failed_payment_is_retried_from_its_page(client, space, payee, officer, maker, checker):
    from finance import services

    payment = services.payment_fail(
        instruction=sent_payment(space, payee, officer, maker, checker, amount=Decimal("5000")),
        actor=maker,
        reason="Account closed",
    )
    signed_in(client, maker)
    assert "Account closed" in client.get(reverse("finance:maker_queue")).content.decode()
    response = client.post(reverse("finance:payment_retry", args=[payment.pk]))
    new = PaymentInstruction.objects.get(previous_attempt=payment)
    assert response.url == reverse("finance:payment", args=[new.pk])
    assert new.state == "requested" and new.attempt == 2


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1e30", "must be an amount in rupees, like 1,250,000."),
        ("NaN", "must be an amount in rupees, like 1,250,000."),
        ("99999999999999999999", "far larger than any amount this program handles."),
        ("1_250_000", "must be an amount in rupees, like 1,250,000."),
    ],
)
def test_maker_typing_an_impossible_amount_is_told_what_is_wrong(client, space, payee, officer, maker, typed, message):
    payment = request_payment(space, payee, officer)
    signed_in(client, maker)
    response = client.post(reverse("finance:payment_prepare", args=[payment.pk]), {"iban": payee.iban, "amount": typed})
    assert response.status_code == 400 and message in response.content.decode()
    assert PaymentInstruction.objects.get(pk=payment.pk).state == "requested"


@pytest.mark.parametrize("typed", ["1,250,000", "12,50,000", "1,250,000.00"])
def test_maker_may_type_the_amount_with_thousands_separators(client, space, payee, officer, maker, typed):
    payment = request_payment(space, payee, officer)
    signed_in(client, maker)
    response = client.post(reverse("finance:payment_prepare", args=[payment.pk]), {"iban": payee.iban, "amount": typed})
    assert response.status_code == 302
    assert PaymentInstruction.objects.get(pk=payment.pk).state == "prepared"


def test_maker_types_900_000_as_people_write_it(client, space, payee, officer, maker):
    """Issue #17, item 5: `900,000` was "Enter a number"; it is read as nine hundred thousand rupees."""
    payment = request_payment(space, payee, officer, amount=Decimal("900000.00"))
    signed_in(client, maker)
    response = client.post(
        reverse("finance:payment_prepare", args=[payment.pk]), {"iban": payee.iban, "amount": "900,000"}
    )
    assert response.status_code == 302
    prepared = PaymentInstruction.objects.get(pk=payment.pk)
    assert (prepared.state, prepared.amount) == ("prepared", Decimal("900000.00"))
