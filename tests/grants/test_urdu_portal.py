"""The operator's tranche, utility-claim and loan screens in Urdu under /ur/: headings, state labels,
form errors, refusals from the services and flash messages come from the .mo catalogue, and the
English pages stay English."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

import tests.loans.conftest as loan_helpers
from accounts import roles

from .conftest import PDF_BYTES
from .factories import UserFactory
from .payments import accepted_enrolment, accepted_grant

pytestmark = pytest.mark.django_db

KHI = ZoneInfo("Asia/Karachi")


@pytest.fixture
def clock():
    """The enrolment is decided on 10 July 2026 (the call is made then, open); claims are filed later."""
    with time_machine.travel(dt.datetime(2026, 7, 10, 11, 0, tzinfo=KHI), tick=False) as traveller:
        yield traveller


def ur(name, *args) -> str:
    with translation.override("ur"):
        url = reverse(name, args=args)
    assert url.startswith("/ur/")
    return url


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ur" dir="rtl">' in html
    return html


def test_the_loan_calculator_is_in_urdu(client, operator_user, loan_call):
    client.force_login(operator_user)
    html = page(client, ur("loans:calculator"))
    assert "<h1>قرض کیلکولیٹر</h1>" in html
    assert "قرض کی رقم (روپے)" in html  # the amount's label
    assert "میں مارک اپ خود درج کروں گا" in html  # the tier list's first choice
    html = page(
        client,
        ur("loans:calculator") + "?amount=1000000&annual_rate=5&months=96&grace_months=12&grace_kind=interest_only",
    )
    assert "<h2>شیڈول</h2>" in html and "معمول کی قسط" in html and "<caption>ماہ بہ ماہ</caption>" in html
    # A refusal of the form, in Urdu with its figures.
    tier = loan_call.program.loan_tiers.get(number=1)
    response = client.get(
        ur("loans:calculator"),
        {"amount": "900000", "tier": tier.pk, "months": "36", "grace_months": "0", "grace_kind": "interest_only"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "<h2>اعداد و شمار کی جانچ کریں</h2>" in html
    assert "درجہ 1 میں 100,000 سے 500,000 روپے تک قرض دیا جاتا ہے۔" in html
    # The English calculator is unchanged.
    with translation.override("en"):
        english = client.get(reverse("loans:calculator")).content.decode()
    assert '<html lang="en" dir="ltr">' in english and "<h1>Loan calculator</h1>" in english


def test_a_company_without_a_loan_reads_so_in_urdu(client, operator_user):
    client.force_login(operator_user)
    html = page(client, ur("loans:portal_loans"))
    assert "<h1>آپ کے قرضے</h1>" in html
    assert "آپ کی کمپنی کا ابھی کوئی آسان قرضہ نہیں۔" in html
    assert "قرض کیلکولیٹر: درخواست دینے سے پہلے شیڈول دیکھیں" in html


def test_a_disbursed_loan_shows_its_position_and_schedule_in_urdu(client, loan_call, operator, space, operator_user):
    people = {
        "operator_user": operator_user,
        "officer": UserFactory(roles=[roles.PROGRAM_OFFICER]),
        "maker": UserFactory(roles=[roles.FINANCE_MAKER]),
        "checker": UserFactory(roles=[roles.FINANCE_CHECKER]),
        "chair": UserFactory(roles=[roles.BOARD_CHAIR]),
    }
    loan = loan_helpers.disburse(
        loan_call, operator, space, people, amount=Decimal("500000"), months=36, grace=0, on=dt.date(2026, 1, 10)
    )
    client.force_login(operator_user)
    html = page(client, ur("loans:portal_loans"))
    assert "واجب الادا اصل رقم" in html and "اگلی قسط" in html and "بقایا جات" in html
    html = page(client, ur("loans:portal_loan", loan.pk))
    assert f'<h1>قرض <bdi dir="ltr">{loan.sanction_number}</bdi></h1>' in html
    assert "قرض کا گوشوارہ ڈاؤن لوڈ کریں (PDF)" in html
    assert "<caption>واپس ادائیگی کا شیڈول</caption>" in html and "باقی قابلِ ادا" in html
    assert "ابھی کوئی واپس ادائیگی نہیں ہوئی۔" in html
    assert ">جاری<" in html  # the loan's state, Active


def test_the_tranche_cards_and_request_are_in_urdu(client, grant_call, operator, space, operator_user, officer):
    award = accepted_grant(grant_call, operator, space, operator_user, officer)
    ref = award.application.reference
    client.force_login(operator_user)
    html = page(client, ur("grants:portal_application", ref))
    assert 'aria-label="ایوارڈ کی اقساط"' in html
    assert "قسط 1 کی درخواست دیں" in html and "شیڈول شدہ" in html and "ابھی درخواست نہیں دی گئی" in html

    url = ur("grants:portal_tranche_request", ref, 1)
    html = page(client, url)
    assert "<h1>قسط 1 کی درخواست دیں</h1>" in html
    assert "پیش رفت کی رپورٹ" in html  # the evidence's label

    def send(position):
        report = SimpleUploadedFile("report.pdf", PDF_BYTES, content_type="application/pdf")
        return client.post(
            ur("grants:portal_tranche_request", ref, position),
            {"progress_note": "Forty seats installed; members moved in on Monday.", "progress_report": report},
            follow=position == 2,
        )

    # Tranche 2 before tranche 1 is verified: the service refuses, in Urdu.
    refused = send(2).content.decode()
    assert "قسط 2 کی درخواست قسط 1 کی تصدیق کے بعد دی جا سکتی ہے؛ قسط 1 کی کیفیت شیڈول شدہ ہے۔" in refused
    response = send(1)
    assert response.status_code == 302 and response["Location"].startswith("/ur/")
    html = page(client, response["Location"])
    assert "قسط 1 کی درخواست دے دی گئی ہے۔ پروگرام افسر آپ کے ثبوت کی تصدیق کرے گا۔" in html  # flash
    assert "درخواست دی گئی: افسر کی کارروائی کا انتظار" in html  # the tranche's state
    assert "قسط کی درخواست دی گئی" in html  # the application's history


def test_filing_a_utility_claim_is_in_urdu_with_its_refusals(
    clock, client, utility_call, operator, space, operator_user, officer
):
    award = accepted_enrolment(utility_call, operator, [space], operator_user, officer)
    clock.move_to(dt.datetime(2026, 11, 15, 11, 0, tzinfo=KHI))
    ref = award.application.reference
    connection = award.application.connections.get()
    client.force_login(operator_user)
    html = page(client, ur("grants:portal_application", ref))
    assert "بل کا دعویٰ کریں" in html and "ابھی کوئی دعویٰ جمع نہیں ہوا۔" in html

    url = ur("grants:portal_claim_new", ref)
    html = page(client, url)
    assert "<h1>بجلی کے ماہانہ بل کا دعویٰ کریں</h1>" in html
    assert "بل پر درج ریفرنس نمبر" in html and "بل کا مہینہ" in html

    form = {
        "connection": str(connection.pk),
        "disco": "LESCO",
        "bill_reference": "0411 0000 0000 01",
        "billing_month": "2026-10",
        "units": "3400",
        "bill_amount": "185,400",
    }

    def post(**changes):
        bill = SimpleUploadedFile("bill.pdf", PDF_BYTES, content_type="application/pdf")
        return client.post(url, {**form, **changes, "file": bill})

    response = post()
    assert response.status_code == 302
    html = page(client, response["Location"])
    assert "جمع شدہ: افسر کی کارروائی کا انتظار" in html  # the claim's state
    assert "کے لیے آپ کا دعویٰ جمع ہو گیا ہے" in html  # flash
    # The same bill again, a month to come: refused in Urdu.
    again = post().content.decode()
    assert "کا دعویٰ پہلے ہی کیا جا چکا ہے" in again and "ہر بل کا دعویٰ صرف ایک بار ہوتا ہے۔" in again
    assert (
        "ابھی آیا نہیں: بل کا دعویٰ بل جاری ہونے کے بعد کیا جا سکتا ہے۔"
        in post(billing_month="2027-01").content.decode()
    )
