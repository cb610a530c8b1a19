"""Visit pages through the browser's eyes: who finds which visit (404 for everyone else), the public
check page for a real, unknown, cancelled and other-day code, the operator's answer, and the public
figures with their CSV."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from accounts import roles
from integrity.models import InspectionVisit
from integrity.services import visits as services
from tests.factories import UserFactory
from tests.integrity.visit_fixtures import ask_and_schedule, at

pytestmark = pytest.mark.django_db
THURSDAY = dt.date(2026, 12, 10)


@pytest.fixture
def scheduled(monday, pra_inspector, space, liaison):
    return ask_and_schedule(pra_inspector, space, THURSDAY, liaison)


def _visit_urls(visit):
    ref = visit.reference
    return [
        ("get", reverse("integrity:visit_detail", args=[ref])),
        ("get", reverse("integrity:visit_outcome", args=[ref])),
        ("get", reverse("integrity:portal_visit_answer", args=[ref])),
        ("post", reverse("integrity:visit_schedule", args=[ref])),
        ("post", reverse("integrity:visit_refuse", args=[ref])),
        ("post", reverse("integrity:visit_cancel", args=[ref])),
        ("post", reverse("integrity:visit_no_show", args=[ref])),
        ("get", reverse("integrity:visit_notice_download", args=[ref, 1])),
    ]


@pytest.mark.parametrize("role", sorted(set(roles.ROLE_LABELS) - {roles.INTEGRITY_OFFICER, roles.INTEGRITY_HEAD}))
def test_a_visit_is_not_found_by_anyone_it_does_not_concern(role, client, scheduled):
    """Another operator, another department's inspector, another association's liaison, every other
    role: 404 on every URL that names the visit, and the visit does not move."""
    outsider = UserFactory(roles=[role])
    client.force_login(outsider)
    for method, url in _visit_urls(scheduled):
        response = getattr(client, method)(url, {"reason": "x"} if method == "post" else None)
        assert response.status_code == 404, (role, url, response.status_code)
    assert InspectionVisit.objects.get(pk=scheduled.pk).state == InspectionVisit.State.SCHEDULED


def test_the_people_of_a_visit_find_it(client, scheduled, pra_inspector, liaison, operator_user):
    for person in (pra_inspector, liaison, operator_user, UserFactory(roles=[roles.INTEGRITY_OFFICER])):
        client.force_login(person)
        response = client.get(reverse("integrity:visit_detail", args=[scheduled.reference]))
        assert response.status_code == 200
        assert scheduled.code in response.content.decode()


def test_the_check_page_confirms_a_registered_visit_on_its_day_without_the_cnic(client, scheduled):
    with at(THURSDAY, hour=10):
        response = client.get(reverse("integrity:verify_visit", args=[scheduled.code.lower().replace("-", "")]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "This is a registered visit for today" in page
    assert "Inspector pra 0" in page and "Assistant Commissioner" in page and "Punjab Revenue Authority" in page
    assert "35202" not in page and "1234567" not in page  # never the CNIC


def test_the_check_page_says_plainly_when_it_is_not_a_registered_visit_for_today(client, scheduled, liaison):
    day_before = client.get(reverse("integrity:verify_visit", args=[scheduled.code]))  # Monday: not its day
    assert "This is not a registered visit for today" in day_before.content.decode()
    assert "10 December 2026" in day_before.content.decode()
    unknown = client.get(reverse("integrity:verify_visit", args=["ZZZZ-9999"]))
    assert unknown.status_code == 404
    assert "This is not a registered visit for today" in unknown.content.decode()
    assert reverse("integrity:grievance_public_new") in unknown.content.decode()
    services.visit_cancel(actor=liaison, visit=scheduled, reason="The inspector is ill.")
    with at(THURSDAY, hour=10):
        cancelled = client.get(reverse("integrity:verify_visit", args=[scheduled.code]))
    assert "This is not a registered visit for today" in cancelled.content.decode()
    assert "Cancelled" in cancelled.content.decode()


def test_the_check_page_in_urdu(client, scheduled):
    with at(THURSDAY, hour=10):
        response = client.get("/ur" + reverse("integrity:verify_visit", args=[scheduled.code]))
    assert response.status_code == 200
    assert 'dir="rtl"' in response.content.decode()


def test_the_operator_answers_from_the_portal_and_money_opens_a_grievance(client, scheduled, operator_user):
    url = reverse("integrity:portal_visit_answer", args=[scheduled.reference])
    with at(THURSDAY, hour=14):
        client.force_login(operator_user)  # a session lasts a working day
        refused = client.post(url, {"happened_as_registered": "yes", "asked_for_money": "yes", "treatment": "2"})
        assert refused.status_code == 200
        assert "Say what was asked for" in refused.content.decode()
        done = client.post(
            url,
            {"happened_as_registered": "yes", "asked_for_money": "yes", "treatment": "2", "comment": "PKR 10,000."},
            follow=True,
        )
    assert "GRV-2026-" in done.content.decode()
    assert InspectionVisit.objects.get(pk=scheduled.pk).asked_for_money is True


def test_an_inspector_asks_through_the_form_and_sees_the_rule_that_refuses(client, monday, pra_inspector, space):
    client.force_login(pra_inspector)
    form = client.get(reverse("integrity:visit_new"))
    assert form.status_code == 200
    purpose = pra_inspector.official.department.purposes.get()
    data = {"space": space.pk, "purpose": purpose.pk, "window_start": "10:00", "window_end": "12:00"}
    short = client.post(reverse("integrity:visit_new"), {**data, "window_date": "2026-12-08"})
    assert "at least 3 working days&#x27; notice" in short.content.decode()
    assert not InspectionVisit.objects.exists()
    done = client.post(reverse("integrity:visit_new"), {**data, "window_date": "2026-12-10"}, follow=True)
    assert "VIS-2026-00001" in done.content.decode()


def test_the_public_figures_and_their_csv_count_per_department(client, scheduled, liaison, pra_inspector, space):
    # A department name that looks like a formula is escaped in the CSV.
    department = pra_inspector.official.department
    department.name = "=HYPERLINK(1)"
    department.save()
    page = client.get(reverse("integrity:public_figures") + "?fy=2026-27")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'Registered visits in <bdi dir="ltr">FY2026-27</bdi>' in body
    rows = list(
        csv.reader(
            io.StringIO(client.get(reverse("integrity:public_figures_csv") + "?fy=2026").content.decode("utf-8-sig"))
        )
    )
    visit_rows = [row for row in rows if row[1] == "Visits"]
    assert visit_rows[0][2] == "'=HYPERLINK(1)"
    assert visit_rows[0][3] == "1"  # registered
    assert visit_rows[0][4] == "1"  # with notice


def test_an_operator_sees_the_inspection_burden_of_each_space(client, scheduled, operator_user):
    client.force_login(operator_user)
    page = client.get(reverse("integrity:portal_visits")).content.decode()
    assert 'Inspection burden in <bdi dir="ltr">FY2026-27</bdi>' in page
    assert "Punjab Revenue Authority: 1" in page
    assert scheduled.code in page


def test_the_visit_timeline_shows_labels_not_codes(client, scheduled):
    """Issue #17 item 6: "Visit requested", "Visit scheduled (Scheduled)", never "visit.scheduled"."""
    client.force_login(UserFactory(roles=[roles.INTEGRITY_OFFICER]))
    page = client.get(reverse("integrity:visit_detail", args=[scheduled.reference])).content.decode()
    assert "Visit requested" in page and "Visit scheduled" in page
    assert "visit.requested" not in page and "visit.scheduled" not in page and ": scheduled<" not in page
