"""The pages of issue #22's loan servicing: the reversal's preview then confirmation, the prepayment
choice in the portal and the workbench, the plan in parts, the two-person write-off and recoveries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts import roles
from loans import services
from loans.models import DisbursementPart, Loan, Recovery, Repayment, ScheduleVersion, WriteOffProposal
from tests.factories import UserFactory

from .conftest import accepted_award, at, disburse, repay

pytestmark = pytest.mark.django_db


@pytest.fixture
def loan(loan_call, operator, space, people):
    """PKR 1,000,000 at 5% over 24 months from 10 Jan 2026: two instalments paid, the second with PKR
    200,000 more (a prepayment awaiting the borrower's choice)."""
    loan = disburse(
        loan_call, operator, space, people, amount=Decimal("1000000"), months=24, grace=0, on=dt.date(2026, 1, 10)
    )
    rows = list(ScheduleVersion.objects.get(loan=loan).instalments.order_by("number"))
    repay(loan, people, rows[0].instalment, dt.date(2026, 2, 10), "HBL-1")
    repay(loan, people, rows[1].instalment + Decimal("200000"), dt.date(2026, 3, 10), "HBL-2")
    return Loan.objects.get(pk=loan.pk)


def test_the_reversal_is_previewed_then_confirmed(client, loan, people):
    client.force_login(people["maker"])
    page = client.get(reverse("loans:loan", args=[loan.pk])).content.decode()
    first = Repayment.objects.get(loan=loan, bank_reference="HBL-1")
    url = reverse("loans:reverse", args=[loan.pk, first.pk])
    assert url in page  # any repayment, not only the latest
    preview = client.get(url)
    text = preview.content.decode()
    assert preview.status_code == 200 and "Before" in text and "After" in text and "HBL-2" in text
    assert Repayment.objects.filter(loan=loan, kind="reversal").count() == 0
    expect = preview.context["preview"].fingerprint
    # No reason: refused, nothing written.
    assert client.post(url, {"reason": "", "expect": expect}).status_code == 400
    response = client.post(url, {"reason": "Cheque bounced", "expect": expect})
    assert response.status_code == 302
    assert Repayment.objects.filter(loan=loan, kind="reversal").count() == 2
    assert Repayment.objects.filter(loan=loan, replay_of__bank_reference="HBL-2").exists()
    # An officer may not reverse.
    client.force_login(people["officer"])
    second = Repayment.objects.get(replay_of__bank_reference="HBL-2")
    assert client.get(reverse("loans:reverse", args=[loan.pk, second.pk])).status_code == 403


def test_the_borrower_chooses_in_the_portal(client, loan, people):
    client.force_login(people["operator_user"])
    page = client.get(reverse("loans:portal_loan", args=[loan.pk])).content.decode()
    url = reverse("loans:portal_prepayment", args=[loan.pk])
    assert url in page
    with at(dt.date(2026, 3, 11)):
        preview = client.get(url)
        assert preview.status_code == 200
        text = preview.content.decode()
        assert "Shorten the tenor" in text and "Re-amortise" in text
        expect = preview.context["options"].fingerprint
        response = client.post(url, {"choice": "reamortise", "reason": "", "expect": expect})
    assert response.status_code == 302
    assert ScheduleVersion.objects.get(loan=loan, is_current=True).prepayment_choice == "reamortise"
    # Another company's person does not find the page.
    client.force_login(UserFactory(roles=[roles.OPERATOR]))
    assert client.get(url).status_code == 404


def test_finance_records_the_choice_with_how_the_borrower_asked(client, loan, people):
    client.force_login(people["checker"])
    url = reverse("loans:prepayment", args=[loan.pk])
    with at(dt.date(2026, 3, 11)):
        expect = client.get(url).context["options"].fingerprint
        refused = client.post(url, {"choice": "shorten", "reason": "", "expect": expect})
        assert refused.status_code == 400 and "how the borrower asked" in refused.content.decode()
        assert client.post(url, {"choice": "shorten", "reason": "Phone call", "expect": expect}).status_code == 302
    assert ScheduleVersion.objects.get(loan=loan, is_current=True).prepayment_choice == "shorten"


def test_the_plan_in_parts_by_form(client, loan_call, operator, space, people):
    award = accepted_award(
        loan_call,
        operator,
        space,
        people["operator_user"],
        people["officer"],
        amount=Decimal("1000000"),
        months=24,
        grace=0,
    )
    client.force_login(people["officer"])
    url = reverse("loans:plan_disbursement", args=[award.pk])
    assert client.get(url).status_code == 200
    with at(dt.date(2026, 1, 5)):
        wrong = client.post(
            url, {"date_1": "2026-01-10", "amount_1": "600,000", "date_2": "2026-03-10", "amount_2": "300,000"}
        )
        assert wrong.status_code == 400 and "add up to" in wrong.content.decode()
        done = client.post(
            url, {"date_1": "2026-01-10", "amount_1": "600,000", "date_2": "2026-03-10", "amount_2": "400,000"}
        )
    assert done.status_code == 302
    assert list(DisbursementPart.objects.order_by("number").values_list("amount", flat=True)) == [
        Decimal("600000.00"),
        Decimal("400000.00"),
    ]
    client.force_login(people["chair"])
    assert client.get(url).status_code == 403


def test_two_people_write_off_and_a_recovery_through_the_pages(client, loan_call, operator, space, people):
    loan = disburse(
        loan_call, operator, space, people, amount=Decimal("500000"), months=36, grace=0, on=dt.date(2026, 1, 10)
    )
    day = dt.date(2026, 6, 9)
    client.force_login(people["chair"])
    with at(day):
        assert client.post(reverse("loans:write_off", args=[loan.pk]), {"reason": "Wound up"}).status_code == 302
    proposal = WriteOffProposal.objects.get(loan=loan)
    confirm = reverse("loans:write_off_decide", args=[loan.pk, proposal.pk, "confirm"])
    with at(day):
        refused = client.post(confirm, {"note": ""})
    assert refused.status_code == 403 and "four-eyes rule" in refused.content.decode()
    reviewer = UserFactory(roles=[roles.BOARD_REVIEWER])
    client.force_login(reviewer)
    with at(day):
        page = client.get(reverse("loans:loan", args=[loan.pk])).content.decode()
        assert "Confirm the write-off" in page
        assert client.post(confirm, {"note": "Checked"}).status_code == 302
    assert Loan.objects.get(pk=loan.pk).state == "written_off"
    client.force_login(people["maker"])
    with at(dt.date(2026, 6, 20)):
        response = client.post(
            reverse("loans:post_recovery", args=[loan.pk]),
            {"amount": "25,000", "received_on": "2026-06-20", "bank_reference": "GUAR-1"},
        )
        assert response.status_code == 302
        page = client.get(reverse("loans:loan", args=[loan.pk])).content.decode()
    assert "GUAR-1" in page and "Recovered since the write-off" in page
    recovery = Recovery.objects.get(loan=loan)
    with at(dt.date(2026, 6, 21)):
        client.post(reverse("loans:reverse_recovery", args=[loan.pk, recovery.pk]), {"reason": "Bounced"})
    assert Recovery.objects.filter(loan=loan, kind="reversal").count() == 1
    assert services.open_write_off_proposal(loan) is None
