"""Voucher seats in the quarterly reports (issue #18): the utilization workbook's "Voucher seats" sheet
counts seats by space with women, men and age bands (no person named); a paid seat claim is in the
disbursements under the seat-voucher program and instrument, not "Unassigned"; the public figures
count vouchers issued, active and completed."""

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest

from accounts import roles
from finance import services as finance
from finance.models import PaymentInstruction
from grants.fiscal import FiscalQuarter
from reporting.disbursement_selectors import money_lines
from reporting.utilization_report import SHEET_VOUCHERS, build_utilization_xlsx
from tests.factories import UserFactory
from vouchers.selectors import public_figures
from vouchers.services.claims import seat_claim_approve, seat_claim_submit, seat_claim_verify
from vouchers.services.vouchers import voucher_apply, voucher_approve, voucher_start

from .conftest import at, make_freelancer, make_offer, make_round, operator_staff


@pytest.fixture
def october(now, officer):
    round_ = make_round(opens_at=now - dt.timedelta(days=60))
    offer = make_offer(round_, name="Plan9 Seats")
    holders = [
        make_freelancer(gender="woman", born=dt.date(2003, 3, 1)),
        make_freelancer(gender="man", born=dt.date(1990, 3, 1)),
    ]
    with at(dt.date(2026, 9, 30)):
        vouchers = [voucher_apply(actor=h, round=round_, offer=offer, seat_type="hot_desk") for h in holders]
        for voucher in vouchers:
            voucher_approve(actor=officer, voucher=voucher)
    with at(dt.date(2026, 10, 1)):
        for voucher in vouchers:
            voucher_start(actor=operator_staff(offer), voucher=voucher, start_date=dt.date(2026, 10, 1))
    return round_, offer


def test_the_utilization_workbook_counts_voucher_seats_without_naming_anyone(october, tmp_path):
    path = tmp_path / "utilization.xlsx"
    build_utilization_xlsx(FiscalQuarter.of(dt.date(2026, 10, 1)), path)
    sheet = openpyxl.load_workbook(path)[SHEET_VOUCHERS]
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert row["Space"] == "Plan9 Seats" and row["Division"] == "Lahore"
    assert (row["Seats"], row["Women"], row["Men"]) == (2, 1, 1)
    assert row["Ages 18–24"] == 1 and row["Ages 35–40"] == 1
    text = " ".join(str(cell.value) for line in sheet.iter_rows() for cell in line)
    assert "35202-" not in text and "Person" not in text


def test_a_paid_seat_claim_is_under_the_voucher_program_in_the_disbursements(october, officer):
    round_, offer = october
    claim = seat_claim_submit(actor=operator_staff(offer), round=round_, space=offer.space, month=dt.date(2026, 10, 1))
    seat_claim_verify(actor=officer, claim=claim)
    seat_claim_approve(actor=UserFactory(roles=[roles.PROGRAM_OFFICER]), claim=claim)
    maker, checker = UserFactory(roles=[roles.FINANCE_MAKER]), UserFactory(roles=[roles.FINANCE_CHECKER])
    instruction = PaymentInstruction.objects.get()
    finance.payment_prepare(instruction=instruction, actor=maker, amount=instruction.amount)
    finance.payment_approve(instruction=instruction, actor=checker)
    batch = finance.batch_create(actor=maker, value_date=dt.date(2026, 11, 2), instructions=[instruction])
    finance.batch_mark_sent(batch=batch, actor=maker)
    instruction.refresh_from_db()
    finance.payment_mark_paid(instruction=instruction, actor=checker)

    lines = [line for line in money_lines(FiscalQuarter.of(dt.date(2026, 11, 2))) if line.paid_in_quarter]
    assert len(lines) == 1
    assert lines[0].program == "e-Earn seat subsidy" and lines[0].instrument == "seat_voucher"
    assert lines[0].paid_in_quarter == Decimal("11200.00") and lines[0].space_name == "Plan9 Seats"


def test_public_figures_count_vouchers_by_state(october):
    assert public_figures() == {"issued": 2, "active": 2, "completed": 0, "waiting": 0}
