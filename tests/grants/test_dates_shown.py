"""Dates as people read them (issue #17 item 8): in Pakistan time and in the page's language, never
UTC through strftime with English month names."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from grants.models import Call

pytestmark = pytest.mark.django_db
KARACHI = ZoneInfo("Asia/Karachi")


def test_a_call_closing_at_2_12_on_5_february_closes_on_5_february_in_both_languages(
    client, grant_call, operator, operator_user
):
    # 02:12 in Karachi is still 4 February in UTC: formatting the stored time would say "04 Feb 2027".
    Call.objects.filter(pk=grant_call.pk).update(closes_at=dt.datetime(2027, 2, 5, 2, 12, tzinfo=KARACHI))
    client.force_login(operator_user)

    page = client.get(reverse("grants:portal_start")).content.decode()
    assert "(closes 5 February 2027)" in page
    assert "04 Feb" not in page

    with translation.override("ur"):
        url = reverse("grants:portal_start")
    page = client.get(url).content.decode()
    assert "5 فروری 2027" in page
    assert "February" not in page and "Feb 2027" not in page
