"""The one window in Urdu on a 390 px phone, in Chromium: the operator asks for a service with its
answers and a document, the department's desk asks a question, the operator answers, the desk issues
the certificate and the operator downloads it."""

import pytest

from accounts import roles
from onewindow.models import ServiceRequest
from tests.factories import PASSWORD, OperatorFactory, UserFactory
from tests.onewindow.conftest import PDF, make_department, make_desk, make_service

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


def test_file_ask_answer_issue_download_in_urdu_on_a_phone(browser, live_server):
    department = make_department()
    service = make_service(department)
    desk = make_desk(department)
    operator_user = UserFactory(roles=[roles.OPERATOR], full_name="Ayesha Malik", language="ur")
    OperatorFactory(members=[operator_user])
    context, page = _phone(browser, live_server)

    # 1. The operator finds the service in the Urdu catalogue and asks for it.
    _sign_in_urdu(page, operator_user.email)
    page.goto(page.base_url + f"/ur/services/{service.code}/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert "آگ سے حفاظت کا سرٹیفکیٹ" in page.locator("h1").inner_text()
    _fits(page)
    page.locator("main form button[type=submit]").click()
    request = ServiceRequest.objects.get()
    page.locator("input[name=q_floors]").fill("2")
    page.locator("select[name=q_alarm]").select_option("yes")
    page.locator(f"form[action$='/one-window/{request.reference}/answers/'] button").click()
    page.locator("select[name=document_type]").select_option("lease_agreement")
    page.locator("input[name=upload]").set_input_files(
        {"name": "lease.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.locator(f"form[action$='/one-window/{request.reference}/documents/'] button").click()
    page.locator(f"form[action$='/one-window/{request.reference}/submit/'] button").click()
    assert "درخواست محکمے کے پاس ہے" in page.locator(".messages").inner_text()
    _fits(page)
    _sign_out(page)

    # 2. The desk takes it up and asks a question.
    _sign_in_urdu(page, desk.email)
    page.goto(page.base_url + "/ur/desk/one-window/")
    page.get_by_role("link", name=request.reference).click()
    page.locator(f"form[action$='/one-window/{request.reference}/start/'] button").click()
    page.locator(f"form[action$='/one-window/{request.reference}/ask/'] textarea").fill(
        "Please send the floor plan with the exits marked."
    )
    page.locator(f"form[action$='/one-window/{request.reference}/ask/'] button").click()
    assert ServiceRequest.objects.get().state == "info_requested"
    _sign_out(page)

    # 3. The operator reads the question (the clock is stopped) and answers.
    _sign_in_urdu(page, operator_user.email)
    page.goto(page.base_url + f"/ur/one-window/{request.reference}/")
    assert "floor plan" in page.locator("main").inner_text()
    assert "گھڑی رکی ہوئی ہے" in page.locator("main").inner_text()
    page.locator(f"form[action$='/one-window/{request.reference}/answer/'] textarea").fill(
        "Two exits, marked on the plan."
    )
    page.locator(f"form[action$='/one-window/{request.reference}/answer/'] button").click()
    assert ServiceRequest.objects.get().state == "in_process"
    _sign_out(page)

    # 4. The desk issues the certificate.
    _sign_in_urdu(page, desk.email)
    page.goto(page.base_url + f"/ur/one-window/{request.reference}/")
    issue = page.locator(f"form[action$='/one-window/{request.reference}/issue/']")
    issue.locator("input[name=number]").fill("R1122/LHR/2026/0500")
    issue.locator("input[name=pdf]").set_input_files(
        {"name": "certificate.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    issue.locator("button").click()
    assert ServiceRequest.objects.get().state == "issued"
    _sign_out(page)

    # 5. The operator downloads it.
    _sign_in_urdu(page, operator_user.email)
    page.goto(page.base_url + f"/ur/one-window/{request.reference}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="R1122/LHR/2026/0500").click()
    assert download.value.suggested_filename.endswith(".pdf")
    _fits(page)
    context.close()
