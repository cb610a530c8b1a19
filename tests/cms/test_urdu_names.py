"""The public pages name districts, divisions, programs and calls in Urdu on /ur/ (issue #17 item 13)."""

import pytest

from tests.factories import SpaceFactory

pytestmark = pytest.mark.django_db


def test_the_urdu_directory_names_districts_and_divisions_in_urdu(client, directory_page):
    SpaceFactory(code="MUX-003", name="Sutlej Multan Loft", division="Multan", district="Khanewal")
    html = client.get("/ur/spaces/").content.decode()
    assert "خانیوال" in html and "ملتان" in html
    assert "Khanewal district" not in html
    # The filter's choices keep the English values and show Urdu labels.
    assert '<option value="Khanewal">خانیوال</option>' in html
    assert '<optgroup label="ملتان">' in html
    english = client.get("/spaces/").content.decode()
    assert "Khanewal district, Multan division" in english


def test_a_call_page_without_an_urdu_title_uses_the_calls_urdu_title(client, call_page):
    call = call_page.call
    call.title_ur = "پہلا مرحلہ"
    call.save(update_fields=["title_ur"])
    program = call.program
    program.name_ur = "ترقیاتی گرانٹ"
    program.save(update_fields=["name_ur"])
    html = client.get("/ur/programs/growth-grant/round-1/").content.decode()
    assert "<h1>پہلا مرحلہ</h1>" in html
    html = client.get("/ur/programs/growth-grant/").content.decode()
    assert 'href="/ur/programs/growth-grant/round-1/">پہلا مرحلہ</a>' in html
    assert "<h1>Round 1</h1>" in client.get("/programs/growth-grant/round-1/").content.decode()
