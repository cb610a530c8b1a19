"""A call page's status comes from the Call's dates, counted in Pakistan time."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from cms.call_status import call_status
from tests.factories import CallFactory

PKT = ZoneInfo("Asia/Karachi")
OPENS = dt.datetime(2026, 8, 1, 9, 0, tzinfo=PKT)
CLOSES = dt.datetime(2026, 10, 31, 17, 0, tzinfo=PKT)

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen_call(call):
    call.opens_at, call.closes_at = OPENS, CLOSES
    call.save()
    return call


@pytest.mark.parametrize(
    ("moment", "code", "label", "is_open"),
    [
        (dt.datetime(2026, 7, 20, 12, 0, tzinfo=PKT), "upcoming", "Opens on 1 August 2026", False),
        (dt.datetime(2026, 8, 1, 8, 59, tzinfo=PKT), "upcoming", "Opens on 1 August 2026", False),
        (dt.datetime(2026, 8, 1, 9, 0, tzinfo=PKT), "open", "Open", True),
        (dt.datetime(2026, 10, 16, 12, 0, tzinfo=PKT), "open", "Open", True),  # 15 days left
        (dt.datetime(2026, 10, 17, 12, 0, tzinfo=PKT), "closing", "Closing in 14 days", True),
        (dt.datetime(2026, 10, 30, 23, 0, tzinfo=PKT), "closing", "Closing in 1 day", True),
        (dt.datetime(2026, 10, 31, 0, 30, tzinfo=PKT), "closing", "Closes today", True),
        (dt.datetime(2026, 10, 31, 16, 59, tzinfo=PKT), "closing", "Closes today", True),
        (dt.datetime(2026, 10, 31, 17, 0, tzinfo=PKT), "closed", "Closed", False),
        (dt.datetime(2027, 1, 1, 12, 0, tzinfo=PKT), "closed", "Closed", False),
    ],
)
def test_status_on_frozen_dates(frozen_call, moment, code, label, is_open):
    with time_machine.travel(moment, tick=False), translation.override("en"):
        status = call_status(frozen_call)
    assert (status.code, status.label, status.is_open) == (code, label, is_open)
    assert status.is_open == frozen_call.is_open(moment)  # the page never disagrees with the portal


def test_status_in_urdu(frozen_call):
    with time_machine.travel(dt.datetime(2026, 10, 26, 12, 0, tzinfo=PKT), tick=False), translation.override("ur"):
        assert call_status(frozen_call).label == "5 دن میں بند ہو رہی ہے"


def test_the_call_page_offers_apply_only_while_open(client, call_page, frozen_call):
    url = call_page.url
    with time_machine.travel(dt.datetime(2026, 10, 26, 12, 0, tzinfo=PKT), tick=False):
        page = client.get(url).content.decode()
    assert "Closing in 5 days" in page
    assert f'href="/portal/applications/start/?call={frozen_call.reference}"' in page
    assert "31 October 2026, 17:00" in page

    with time_machine.travel(dt.datetime(2026, 7, 1, 12, 0, tzinfo=PKT), tick=False):
        page = client.get(url).content.decode()
    assert "Opens on 1 August 2026" in page
    assert "/portal/applications/start/" not in page

    with time_machine.travel(dt.datetime(2026, 11, 2, 12, 0, tzinfo=PKT), tick=False):
        page = client.get(url).content.decode()
    assert "This call is closed" in page
    assert "/portal/applications/start/" not in page


def test_open_calls_are_listed_on_the_home_and_program_pages(client, home, call_page, program_page):
    other = CallFactory(program=program_page.program, reference="closed-round")
    other.opens_at, other.closes_at = OPENS - dt.timedelta(days=400), CLOSES - dt.timedelta(days=400)
    other.save()
    from cms.models import CallPage

    program_page.add_child(instance=CallPage(title="Old round", slug="old-round", call=other))
    home_html = client.get(home.url).content.decode()
    assert "Round 1" in home_html and "Old round" not in home_html
    program_html = client.get(program_page.url).content.decode()
    assert program_html.index("Round 1") < program_html.index("Old round")  # open calls first
    assert "Closed" in program_html
