"""Programs and calls may have an Urdu name (Program.name_ur, Call.title_ur): shown on Urdu pages when it is
filled in, the English one otherwise (issue #17 item 13)."""

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

URDU_PROGRAM = "کوورکنگ ترقیاتی گرانٹ"
URDU_CALL = "پہلا مرحلہ"


def test_the_urdu_name_is_shown_only_on_urdu_pages_and_only_when_given(grant_call):
    program = grant_call.program
    with translation.override("ur"):
        assert program.display_name == "Growth Grant" and program.name_is_english_on_urdu_page
        program.name_ur, grant_call.title_ur = URDU_PROGRAM, URDU_CALL
        assert program.display_name == URDU_PROGRAM and not program.name_is_english_on_urdu_page
        assert grant_call.display_title == URDU_CALL
    with translation.override("en"):
        assert program.display_name == "Growth Grant" and grant_call.display_title == grant_call.title
        assert not program.name_is_english_on_urdu_page


def test_open_calls_and_the_start_form_use_the_urdu_names(client, grant_call, operator, space, operator_user):
    program = grant_call.program
    program.name_ur = URDU_PROGRAM
    program.save(update_fields=["name_ur"])
    grant_call.title_ur = URDU_CALL
    grant_call.save(update_fields=["title_ur"])
    client.force_login(operator_user)
    with translation.override("ur"):
        calls_url, start_url = reverse("grants:portal_calls"), reverse("grants:portal_start")
    with translation.override("en"):
        english_calls = reverse("grants:portal_calls")
    html = client.get(calls_url).content.decode()
    assert URDU_PROGRAM in html and URDU_CALL in html
    assert "Growth Grant" not in html
    html = client.get(start_url).content.decode()
    assert f"{URDU_CALL} — {URDU_PROGRAM}" in html
    html = client.get(english_calls).content.decode()
    assert "Growth Grant" in html and grant_call.title in html and URDU_PROGRAM not in html


def test_notices_name_the_program_in_the_language_they_are_read_in(grant_call, operator, space, operator_user):
    from accounts import roles
    from grants import services
    from notifications.models import Notification

    from .conftest import complete_grant, make_reviewers, to_state
    from .factories import UserFactory

    program = grant_call.program
    program.name_ur = URDU_PROGRAM
    program.save(update_fields=["name_ur"])
    officer = UserFactory(roles=[roles.PROGRAM_OFFICER])
    app = to_state(
        complete_grant(grant_call, operator, space, operator_user),
        "in_review",
        operator_user=operator_user,
        officer=officer,
    )
    reviewers = make_reviewers(2)
    services.review_assign(application=app, actor=officer, reviewers=reviewers)
    note = Notification.objects.filter(recipient=reviewers[0]).latest("pk")
    assert "Growth Grant" in note.texts["en"]["body"] + note.texts["en"]["subject"]
    assert URDU_PROGRAM in note.texts["ur"]["body"] + note.texts["ur"]["subject"]
