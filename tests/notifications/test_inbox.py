"""The inbox (issue #19): "what needs you" first (actions with their deadline, from the dashboard's own
selector) apart from information-only notifications; notifications grouped by case with unread
counts; "mark all read" (or one case); the header counts actions, not messages."""

import re

import pytest
from django.urls import reverse

from accounts import roles
from notifications.kinds import Kind
from notifications.models import Notification
from notifications.selectors import case_key
from notifications.services import notify
from spaces.needed_next import operator_owed_actions
from tests.grants.conftest import complete_grant, to_state
from tests.grants.factories import CallFactory, GrantProgramFactory, OperatorFactory, SpaceFactory, UserFactory

pytestmark = pytest.mark.django_db
INBOX = "/notifications/"


@pytest.fixture
def people(db):
    bilal = UserFactory(roles=[roles.OPERATOR], email="bilal@indus.example.pk")
    operator = OperatorFactory(members=[bilal], legal_name="Indus Hub Coworking (Pvt.) Ltd.")
    officer = UserFactory(roles=[roles.PROGRAM_OFFICER])
    call = CallFactory(program=GrantProgramFactory(code="GR", name="Growth Grant", slug="growth-grant"))
    asked = to_state(
        complete_grant(call, operator, SpaceFactory(operator=operator), bilal), "info_requested",
        operator_user=bilal, officer=officer,
    )  # fmt: skip
    submitted = to_state(
        complete_grant(call, operator, SpaceFactory(operator=operator), bilal), "submitted",
        operator_user=bilal, officer=officer,
    )  # fmt: skip
    return {"bilal": bilal, "operator": operator, "officer": officer, "asked": asked, "submitted": submitted}


def html_of(client, url=INBOX) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_case_is_the_page_a_notification_links_to():
    assert case_key("/ur/portal/applications/GR-2026-0001/#answer") == "/portal/applications/GR-2026-0001/"
    assert case_key("/portal/applications/GR-2026-0001/") == "/portal/applications/GR-2026-0001/"
    assert case_key("") == ""


def test_what_needs_you_comes_first_with_deadlines_apart_from_the_information(client, people):
    bilal, asked, submitted = people["bilal"], people["asked"], people["submitted"]
    client.force_login(bilal)
    html = html_of(client)
    needs = html[html.index('id="needs-you"') : html.index('id="for-information"')]
    owed = operator_owed_actions(people["operator"])  # the dashboard's list: the question, the returns
    assert "information_request" in {a.kind for a in owed}
    assert f"What needs you ({len(owed)})" in needs
    assert needs.count("<li data-action=") == len(owed)
    assert f"Answer the program officer&#x27;s question on {asked.reference}" in needs
    # The information: each application its own case, with its messages and unread count.
    info = html[html.index('id="for-information"') :]
    cases = re.findall(r'data-case="([^"]*)"', info)
    assert (
        f"/portal/applications/{asked.reference}/" in cases and f"/portal/applications/{submitted.reference}/" in cases
    )
    asked_case = info[info.index(f'data-case="/portal/applications/{asked.reference}/"') :].split("</details>")[0]
    count = Notification.objects.filter(recipient=bilal, url__contains=asked.reference).count()
    assert count >= 2  # submitted, then the question
    assert f"{count} messages" in asked_case and f"{count} unread" in asked_case
    # Reading the inbox does not mark the messages read; the header counts what needs doing.
    assert Notification.objects.filter(recipient=bilal, read_at__isnull=True).count() >= count
    assert f"Notifications ({len(owed)} to do)" in html


def test_mark_one_case_read_then_all(client, people):
    bilal, asked = people["bilal"], people["asked"]
    stranger = UserFactory(roles=[roles.OPERATOR])
    notify(recipients=[stranger], subject="Not yours", body="", url=f"/portal/applications/{asked.reference}/")
    client.force_login(bilal)
    case = f"/portal/applications/{asked.reference}/"
    client.post(reverse("grants:notifications_mark_read"), {"case": case})
    unread = Notification.objects.filter(recipient=bilal, read_at__isnull=True)
    assert not [n for n in unread.all() if case_key(n.url) == case]
    assert unread.all().exists()  # the other application's messages are still unread
    client.post(reverse("grants:notifications_mark_read"))
    assert not unread.all().exists()  # .all(): a fresh query, not the list read above
    assert Notification.objects.get(recipient=stranger).read_at is None  # nobody else's
    assert "0 unread." in html_of(client)


def test_opening_a_notification_marks_it_read(client, people):
    bilal = people["bilal"]
    notification = Notification.objects.filter(recipient=bilal).exclude(url="").first()
    client.force_login(bilal)
    client.get(reverse("grants:notification_open", args=[notification.pk]))
    notification.refresh_from_db()
    assert notification.is_read


def test_staff_see_their_queue_with_its_clock_and_the_header_counts_it(client, people):
    officer, submitted, asked = people["officer"], people["submitted"], people["asked"]
    client.force_login(officer)
    html = html_of(client)
    needs = html[html.index('id="needs-you"') : html.index('id="for-information"')]
    assert f"Screen {submitted.reference} (Indus Hub Coworking (Pvt.) Ltd.)" in needs
    assert asked.reference not in needs  # waiting for the operator: its clock is paused
    assert "Notifications (1 to do)" in html
    assert re.search(r"by \d+ \w+ \d{4}", needs)


def test_the_inbox_in_urdu(client, people):
    client.force_login(people["bilal"])
    notify(recipients=[people["bilal"]], subject="Hello", body="", kind=Kind.GENERAL)
    html = html_of(client, "/ur" + INBOX)
    assert "What needs you" not in html and "For your information" not in html
    assert "Mark all read" not in html
