import io

import pytest
from django.core.management import call_command

from fixtures.demo_network import DEMO_PASSWORD
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())


def test_home_page_renders_and_staff_sign_in(page, demo):
    page.goto(page.base_url + "/")
    assert page.locator("h1").inner_text().startswith("Sahulat: support for Punjab")
    assert page.locator("html").get_attribute("lang") == "en"
    # The skip link is the first thing a keyboard user reaches.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"

    page.get_by_role("link", name="Sign in").click()
    sign_in(page, "ministry@demo.sahulat.pk", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign out Imran").wait_for()
    assert "/login/" not in page.url


def test_wrong_password_keeps_the_user_out(page, demo):
    sign_in(page, "officer@demo.sahulat.pk", "not-the-password")
    assert page.get_by_role("alert").inner_text().find("not right") >= 0
    assert "/accounts/login/" in page.url


def test_editor_edits_the_home_page_in_wagtail(page, demo):
    from cms.models import HomePage

    page.goto(page.base_url + "/cms-admin/login/")
    page.fill("input[name=username]", "editor@demo.sahulat.pk")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("button[type=submit]").first.click()
    home = HomePage.objects.get()
    page.goto(page.base_url + f"/cms-admin/pages/{home.pk}/edit/")
    page.fill("input[name=intro]", "Apply online; every step is dated and signed.")
    page.locator("button.action-save").first.click()
    page.wait_for_load_state("networkidle")
    home.refresh_from_db()
    assert home.get_latest_revision().as_object().intro == "Apply online; every step is dated and signed."
