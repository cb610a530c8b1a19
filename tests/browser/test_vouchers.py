"""A seat voucher in Urdu on a 390 px phone, in Chromium: a freelancer applies at a space, the program
officer approves from the queue, the operator records the start; then the operator files last month's
claim for the space's voucher seat (a seat that started last month, built through the services), the
officer verifies and approves it, finance pays it (maker, checker, batch, paid: through the finance
services) and the operator's claim page shows it paid. axe-core checks the pages where it is installed."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone, translation

from accounts import roles
from finance import services as finance
from finance.models import PaymentInstruction
from tests.browser.test_public_site import AXE, serious_violations
from tests.factories import PASSWORD, UserFactory
from tests.vouchers.conftest import KARACHI, make_freelancer, make_offer, make_round, operator_staff
from vouchers.models import SeatClaim, SeatClaimState, Voucher, VoucherState
from vouchers.services.vouchers import voucher_apply, voucher_approve, voucher_start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _phone(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ur-PK", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    return context, page


def _sign_in_urdu(page, email):
    page.goto(page.base_url + "/ur/accounts/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def _sign_out(page):
    page.locator("form[action$='/accounts/logout/'] button").click()
    page.wait_for_load_state()


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def _accessible(page, problems):
    if AXE.exists():
        found = serious_violations(page)
        if found:
            problems[page.url] = found


def _started_last_month(round_, offer, officer) -> Voucher:
    """A voucher whose seat started on the 3rd of last month, through the services."""
    first_of_this_month = timezone.localdate().replace(day=1)
    start = (first_of_this_month - dt.timedelta(days=1)).replace(day=3)
    with time_machine.travel(dt.datetime(start.year, start.month, start.day, 10, 0, tzinfo=KARACHI), tick=False):
        voucher = voucher_apply(actor=make_freelancer(), round=round_, offer=offer, seat_type="hot_desk")
        voucher_approve(actor=officer, voucher=voucher)
        voucher_start(actor=operator_staff(offer), voucher=voucher, start_date=start)
    voucher.refresh_from_db()
    return voucher


def test_apply_approve_start_claim_and_paid_in_urdu_on_a_phone(browser, live_server):
    now = timezone.now()
    round_ = make_round(
        opens_at=now - dt.timedelta(days=70),
        closes_at=now + dt.timedelta(days=60),
        last_start_date=(now + dt.timedelta(days=90)).date(),
        age_on=timezone.localdate(),
    )
    offer = make_offer(round_, seats=5, name="Indus Lahore Hub")
    staff = operator_staff(offer)
    officer = UserFactory(roles=[roles.PROGRAM_OFFICER], full_name="Hamza Iqbal")
    approver = UserFactory(roles=[roles.PROGRAM_OFFICER], full_name="Sana Iqbal")
    maker = UserFactory(roles=[roles.FINANCE_MAKER])
    checker = UserFactory(roles=[roles.FINANCE_CHECKER])
    earlier = _started_last_month(round_, offer, officer)
    freelancer = make_freelancer(cnic="35202-7654321-5")
    context, page = _phone(browser, live_server)
    problems: dict[str, list[str]] = {}

    # 1. The freelancer reads the round and applies for a hot desk at the space.
    _sign_in_urdu(page, freelancer.email)
    page.goto(page.base_url + "/ur/vouchers/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    _accessible(page, problems)
    page.goto(page.base_url + f"/ur/vouchers/rounds/{round_.reference}/")
    _fits(page)
    _accessible(page, problems)
    page.locator("select[name=offer]").select_option(str(offer.pk))
    page.locator("input[name=seat_type][value=hot_desk]").check()
    page.locator(f"form[action$='/vouchers/rounds/{round_.reference}/'] button").click()
    page.wait_for_load_state()
    voucher = Voucher.objects.get(freelancer__user=freelancer)
    assert voucher.state == VoucherState.APPLIED and voucher.reference in page.locator("h1").inner_text()
    assert "7654321" not in page.content()
    _fits(page)
    _accessible(page, problems)
    _sign_out(page)

    # 2. The program officer approves it from the queue (its checks all pass, so it is chosen).
    _sign_in_urdu(page, officer.email)
    page.goto(page.base_url + "/ur/workbench/vouchers/")
    row_box = page.locator(f"input[name=vouchers][value='{voucher.reference}']")
    assert row_box.is_checked()
    _accessible(page, problems)
    page.locator("form[action$='/workbench/vouchers/approve/'] button").click()
    page.wait_for_load_state()
    assert voucher.reference in page.locator(".messages").inner_text()
    voucher.refresh_from_db()
    assert voucher.state == VoucherState.APPROVED
    _sign_out(page)

    # 3. The operator records the day the freelancer took the seat (today).
    _sign_in_urdu(page, staff.email)
    page.goto(page.base_url + "/ur/vouchers/operator/seats/")
    page.get_by_role("link", name=voucher.reference).click()
    page.locator("input[name=start_date]").fill(timezone.localdate().isoformat())
    page.locator(f"form[action$='/vouchers/{voucher.reference}/start/'] button").click()
    page.wait_for_load_state()
    voucher.refresh_from_db()
    assert voucher.state == VoucherState.ACTIVE and voucher.start_date == timezone.localdate()
    _fits(page)

    # 4. The operator files last month's claim for the space: the seat that started then.
    page.goto(page.base_url + "/ur/vouchers/operator/claims/new/")
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    page.locator("select[name=offer]").select_option(str(offer.pk))
    page.locator("select[name=month]").select_option(last_month.strftime("%Y-%m"))
    page.locator("form[method=get] button").click()
    page.wait_for_load_state()
    assert earlier.reference in page.locator("main").inner_text()
    assert voucher.reference not in page.locator("main table").inner_text()
    _fits(page)
    _accessible(page, problems)
    page.locator("form[method=post][action$='/vouchers/operator/claims/new/'] button").click()
    page.wait_for_load_state()
    claim = SeatClaim.objects.get()
    assert claim.month == last_month and claim.lines.get().voucher == earlier
    _sign_out(page)

    # 5. The officer verifies the claim; another officer approves it (finance is asked to pay).
    _sign_in_urdu(page, officer.email)
    page.goto(page.base_url + "/ur/workbench/vouchers/claims/")
    page.get_by_role("link", name=claim.reference).click()
    _accessible(page, problems)
    page.locator(f"form[action$='/claims/{claim.reference}/verify/'] button").click()
    page.wait_for_load_state()
    _sign_out(page)
    _sign_in_urdu(page, approver.email)
    page.goto(page.base_url + f"/ur/workbench/vouchers/claims/{claim.reference}/")
    page.locator(f"form[action$='/claims/{claim.reference}/approve/'] button").click()
    page.wait_for_load_state()
    assert SeatClaim.objects.get().state == SeatClaimState.APPROVED
    _sign_out(page)

    # 6. Finance pays it: maker prepares, checker approves, batch sent, paid.
    instruction = PaymentInstruction.objects.get(idempotency_key=f"vouchers.seatclaim:{claim.pk}")
    finance.payment_prepare(instruction=instruction, actor=maker, amount=instruction.amount)
    instruction = finance.payment_approve(instruction=instruction, actor=checker)
    batch = finance.batch_create(actor=maker, value_date=timezone.localdate(), instructions=[instruction])
    finance.batch_mark_sent(batch=batch, actor=maker)
    instruction.refresh_from_db()
    finance.payment_mark_paid(instruction=instruction, actor=checker)
    assert SeatClaim.objects.get().state == SeatClaimState.PAID

    # 7. The operator's claim page shows it paid, in Urdu.
    _sign_in_urdu(page, staff.email)
    page.goto(page.base_url + f"/ur/vouchers/claims/{claim.reference}/")
    with translation.override("ur"):
        paid = str(SeatClaimState.PAID.label)
    assert page.locator("[data-claim-state]").inner_text().strip() == paid
    _fits(page)
    _accessible(page, problems)
    context.close()
    assert problems == {}
