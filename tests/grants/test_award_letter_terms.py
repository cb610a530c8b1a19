"""The award letter of a soft loan states its terms, and every letter is in the operator's language
(issue #17, item 4): read back from the PDF's text with pypdf."""

import datetime as dt
import io
import re
from decimal import Decimal

import arabic_reshaper
import pytest
from django.utils import translation
from pypdf import PdfReader

from grants.letters import award_letter_pdf, urdu
from grants.models import Award

from .conftest import complete_loan, decide, review_fully, to_state

pytestmark = pytest.mark.django_db

VERIFY = "https://sahulat.example.pk/verify/ABCD-EFGH-JKMN/"


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def loan_award(loan_call, operator, space, operator_user, officer, chair):
    app = to_state(
        complete_loan(loan_call, operator, space, operator_user, amount=Decimal("1000000")),
        "in_review",
        operator_user=operator_user,
        officer=officer,
    )
    decide(review_fully(app, officer=officer), chair)
    # Dated 30 January (the letter's date): the first instalment falls on the 28th, one month after.
    Award.objects.update(offered_at=dt.datetime(2027, 1, 30, 11, 0, tzinfo=dt.UTC))
    return Award.objects.select_related("application__call__program", "application__operator").get()


def test_a_loan_letter_states_the_terms_in_english(loan_award):
    text = pdf_text(award_letter_pdf(loan_award, verify_url=VERIFY, language="en"))

    assert "Terms of the loan" in text
    assert "5.00 percent a year, on the balance outstanding" in text  # tier 2's markup
    assert "60 months, grace months included" in text
    # Six grace months paying the markup only: 1,000,000 × 5% / 12 = 4,166.67 in the first month.
    assert "6 months; in them you pay the markup only (PKR 4,166.67 in the first month)" in text
    assert re.search(r"PKR 20,\d{3}(\.\d\d)? after the grace months", text)
    assert "28 February 2027 if it is paid on 30 January 2027" in text
    assert "Rupees ten lakh only" in text and loan_award.sanction_number in text


def test_a_loan_letter_in_urdu_has_an_urdu_body_with_the_terms(loan_award):
    text = pdf_text(award_letter_pdf(loan_award, verify_url=VERIFY, language="ur"))

    with translation.override("ur"):
        heading = translation.gettext("Terms of the loan")
        acceptance = translation.gettext("Acceptance")
    # pypdf gives the shaped letters back in reading order: the heading as drawn, joined and right to left.
    assert heading != "Terms of the loan" and arabic_reshaper.reshape(heading) in text
    assert arabic_reshaper.reshape(acceptance) in text
    assert urdu(heading) != heading
    assert "Terms of the loan" not in text and "I am pleased to inform you" not in text
    # Latin runs (the sanction number, the amounts' digits) are kept, drawn in a font that has them; the
    # amounts are written in rupees in Urdu ("4,166.67 روپے"), not "PKR".
    assert loan_award.sanction_number in text
    assert "4,166.67" in text and "5.00" in text and "PKR" not in text
    assert arabic_reshaper.reshape("روپے") in text
    assert "2027" in text


def test_the_letter_follows_the_language_the_operator_uses(loan_award):
    with translation.override("ur"):
        urdu_text = pdf_text(award_letter_pdf(loan_award, verify_url=VERIFY))
    with translation.override("en"):
        english_text = pdf_text(award_letter_pdf(loan_award, verify_url=VERIFY))
    assert "Terms of the loan" in english_text and "Terms of the loan" not in urdu_text
