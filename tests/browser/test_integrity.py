"""A registered visit and a bribe report in a real browser, each step by the right person: the
inspector asks for a visit, the association's liaison schedules it, on the day the operator checks the
code on a phone-size page, then answers that money was asked, and the integrity officer acknowledges
the grievance that answer filed. An axe-free check is out of reach here; the page structure (one h1,
labelled fields) is asserted instead."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts import roles
from core.calendar import add_working_days
from integrity.models import Association, Grievance, InspectionVisit
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, UserFactory
from tests.integrity.visit_fixtures import make_department, make_inspector, make_liaison, make_member_space

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page):
    page.locator("form[action$='/accounts/logout/'] button").click()
    page.wait_for_url("**/")


def test_inspector_liaison_operator_and_integrity_officer_through_the_ui(page, browser):
    department = make_department("pra", "Punjab Revenue Authority")
    inspector = make_inspector(department)
    association = Association.objects.create(code="pasha", name="P@SHA")
    liaison = make_liaison(association)
    operator_user = UserFactory(roles=[roles.OPERATOR], full_name="Ayesha Malik")
    space = make_member_space(association, operator_user)
    integrity = UserFactory(roles=[roles.INTEGRITY_OFFICER], email="sana@integrity.example.pk")
    day = add_working_days(timezone.localdate(), 3)

    # 1. The inspector asks; too little notice first, refused with the rule and the figures.
    sign_in(page, inspector.email, PASSWORD)
    page.goto(page.base_url + "/visits/new/")
    page.get_by_label("Space", exact=True).select_option(label=f"{space.name} — {space.district}")
    page.get_by_label("Purpose", exact=True).select_option(index=1)
    page.get_by_label("Date", exact=True).fill(timezone.localdate().isoformat())
    page.get_by_label("From", exact=True).fill("10:00")
    page.get_by_label("Until", exact=True).fill("12:00")
    page.get_by_role("button", name="Ask for the visit").click()
    assert "working days' notice" in page.locator(".field--error").first.inner_text()
    page.get_by_label("Date", exact=True).fill(day.isoformat())
    page.get_by_role("button", name="Ask for the visit").click()
    assert "VIS-" in page.locator(".messages").inner_text()
    visit = InspectionVisit.objects.get()
    sign_out(page)

    # 2. The liaison of the operator's association schedules it.
    sign_in(page, liaison.email, PASSWORD)
    page.goto(page.base_url + "/visits/queue/")
    page.get_by_role("link", name=visit.reference).click()
    page.get_by_role("button", name="Schedule the visit").click()
    assert "The visit is scheduled" in page.locator(".messages").inner_text()
    visit.refresh_from_db()
    assert visit.state == InspectionVisit.State.SCHEDULED and visit.code
    sign_out(page)

    # The day comes (the test moves the visit to today rather than the clock, which the live server shares).
    InspectionVisit.objects.filter(pk=visit.pk).update(
        window_date=timezone.localdate(), window_start=dt.time(0, 0), window_end=dt.time(23, 59)
    )

    # 3. On a phone, the operator checks the code the inspector shows.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB", is_mobile=True)
    mobile = phone.new_page()
    mobile.goto(page.base_url + "/verify/visit/")
    mobile.get_by_label("Visit code").fill(visit.code.lower().replace("-", " "))
    mobile.get_by_role("button", name="Check").click()
    assert mobile.locator("h1").inner_text() == "This is a registered visit for today"
    assert mobile.locator("h1").count() == 1
    details = mobile.locator(".summary-list").inner_text()
    assert inspector.full_name in details and department.name in details
    # Nothing is wider than the phone.
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
    phone.close()

    # 4. The operator answers: money was asked. A grievance is filed; the inspector will not see it.
    sign_in(page, operator_user.email, PASSWORD)
    page.goto(page.base_url + "/portal/visits/")
    assert visit.code in page.locator("main").inner_text()
    page.goto(page.base_url + f"/portal/visits/{visit.reference}/answer/")
    page.locator("fieldset", has_text="happen as registered").get_by_label("Yes").check()
    page.locator("fieldset", has_text="asked for money").get_by_label("Yes").check()
    page.locator("fieldset", has_text="How were you treated").get_by_label("Very poorly").check()
    page.get_by_role("button", name="Send the answer").click()
    assert "Say what was asked for" in page.locator("main").inner_text()
    page.locator("fieldset", has_text="happen as registered").get_by_label("Yes").check()
    page.locator("fieldset", has_text="asked for money").get_by_label("Yes").check()
    page.locator("fieldset", has_text="How were you treated").get_by_label("Very poorly").check()
    page.get_by_label("What happened").fill("He asked for PKR 20,000 in cash to write a clean report.")
    page.get_by_role("button", name="Send the answer").click()
    grievance = Grievance.objects.get()
    assert grievance.reference in page.locator(".messages").inner_text()
    assert grievance.official_id == inspector.pk
    sign_out(page)

    # The inspector finds no trace of it.
    sign_in(page, inspector.email, PASSWORD)
    response = page.goto(page.base_url + f"/integrity/desk/grievances/{grievance.reference}/")
    assert response.status == 404
    page.goto(page.base_url + "/visits/mine/")
    sign_out(page)

    # 5. The integrity officer acknowledges it.
    sign_in(page, integrity.email, PASSWORD)
    page.goto(page.base_url + f"/integrity/desk/grievances/{grievance.reference}/")
    page.get_by_role("button", name="Acknowledge").click()
    grievance.refresh_from_db()
    assert grievance.state == Grievance.State.ACKNOWLEDGED
