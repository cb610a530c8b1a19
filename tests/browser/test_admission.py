"""Space admission and the operator's "needed next" list, in Chromium (issue #17): a program officer
admits a space with the checklist; the operator, on a 390 px phone in Urdu, then sees on the dashboard
what is needed from them next — the new space's first utilization return and a seat voucher's start to
record — and follows the link."""

import datetime as dt

import pytest

from accounts import roles
from spaces.models import Space
from tests.factories import PASSWORD, OperatorFactory, SpaceFactory, UserFactory
from tests.vouchers.conftest import make_freelancer, make_offer, make_round
from vouchers.services.vouchers import voucher_apply, voucher_approve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, email, prefix=""):
    page.goto(page.base_url + f"{prefix}/accounts/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def test_an_officer_admits_a_space_and_the_operator_sees_what_is_needed_next(browser, live_server):
    officer = UserFactory(roles=[roles.PROGRAM_OFFICER], full_name="Hamza Iqbal")
    operator_user = UserFactory(roles=[roles.OPERATOR], full_name="Ayesha Malik", language="ur")
    operator = OperatorFactory(members=[operator_user], legal_name="Indus Hub Coworking (Pvt.) Ltd.")
    applying = SpaceFactory(
        operator=operator,
        name="Indus Johar Town",
        network_status=Space.NetworkStatus.APPLICANT,
        opening_date=dt.date(2025, 1, 10),
    )
    # A seat voucher approved at another of the company's spaces: its start is the operator's to record.
    round_ = make_round()
    offer = make_offer(round_, space=SpaceFactory(operator=operator, name="Indus Gulberg"))
    voucher = voucher_apply(actor=make_freelancer(), round=round_, offer=offer, seat_type="hot_desk")
    voucher_approve(actor=officer, voucher=voucher)

    # 1. The officer admits the space with the checklist (desktop).
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = desk.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    _sign_in(page, officer.email)
    page.goto(page.base_url + "/workbench/operators/spaces/")
    page.get_by_role("link", name="Indus Johar Town").click()
    page.get_by_label("Address verified on site").check()
    page.get_by_label("Seats counted").check()
    page.get_by_label("Seats found").fill("58")
    page.get_by_label("Internet connection checked").check()
    page.get_by_label("Backup power in place").check()
    page.get_by_role("button", name="Admit to the network").click()
    assert "Indus Johar Town is admitted to the network." in page.locator(".messages").inner_text()
    applying.refresh_from_db()
    assert applying.network_status == Space.NetworkStatus.ACTIVE
    desk.close()

    # 2. The operator, on a phone in Urdu, sees what is needed next and follows the link.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="ur-PK", is_mobile=True)
    page = phone.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    _sign_in(page, operator_user.email, prefix="/ur")
    page.goto(page.base_url + "/ur/portal/")
    needed = page.locator("#needed-next")
    text = needed.inner_text()
    assert "Indus Johar Town" in text  # its first utilization return
    assert voucher.reference in text  # the voucher's start to record
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    needed.get_by_role("link", name=voucher.reference, exact=False).first.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/ur/vouchers/{voucher.reference}/")
    phone.close()
