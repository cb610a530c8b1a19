"""Security issue #14: a password alone never reaches the second step; device changes need a fresh
code, are audited and emailed; recovery codes; step-up before grave actions."""

import pytest
from django.core import mail
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles
from accounts.two_factor import Action, step_up_required
from audit.models import AuditEvent
from tests.factories import UserFactory

from .test_two_factor import code_for, enrol, sign_in

pytestmark = pytest.mark.django_db

NOW = "2026-11-26 10:00:00+05:00"


@pytest.fixture
def officer_with_device(client, time_machine, django_capture_on_commit_callbacks):
    """An officer who set up an authenticator (and kept the recovery codes), then signed out."""
    time_machine.move_to(NOW, tick=False)
    officer = UserFactory(roles=[roles.PROGRAM_OFFICER], email="officer@example.pk")
    client.force_login(officer)
    codes: list[str] = []
    with django_capture_on_commit_callbacks(execute=True):
        device = enrol(client, officer, codes)
    client.logout()
    mail.outbox.clear()
    time_machine.shift(31)
    return officer, device, codes


def test_a_password_alone_cannot_reach_set_up_or_replace_the_device(client, officer_with_device):
    officer, device, _codes = officer_with_device
    sign_in(client, officer)  # the attacker knows the password, not the code

    page = client.get(reverse("accounts:two_factor_setup"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("accounts:two_factor_verify"))
    # Even a pending device (say, left from an earlier visit) cannot be confirmed with a password alone.
    pending = TOTPDevice.objects.create(user=officer, name="attacker", confirmed=False)
    posted = client.post(reverse("accounts:two_factor_setup"), {"token": code_for(pending)})
    assert posted.status_code == 302 and posted["Location"].startswith(reverse("accounts:two_factor_verify"))
    for name in ("accounts:two_factor_recovery_codes", "accounts:two_factor_remove"):
        assert client.post(reverse(name))["Location"].startswith(reverse("accounts:two_factor_verify"))

    assert list(TOTPDevice.objects.filter(user=officer, confirmed=True)) == [device]
    assert client.get("/workbench/").status_code == 302  # still not signed in past the code
    assert not AuditEvent.objects.filter(action__in=[Action.REPLACE, Action.REMOVE]).exists()


def test_replacing_the_device_needs_a_fresh_code_and_takes_effect_only_when_confirmed(
    client, officer_with_device, time_machine, django_capture_on_commit_callbacks
):
    officer, old, _codes = officer_with_device
    sign_in(client, officer)
    client.post(reverse("accounts:two_factor_verify"), {"token": code_for(old)})
    time_machine.shift(16 * 60)  # the sign-in code is now older than STEP_UP_SECONDS

    page = client.get(reverse("accounts:two_factor_setup"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("accounts:two_factor_step_up"))
    client.post(page["Location"], {"token": code_for(old)})

    page = client.get(reverse("accounts:two_factor_setup"))
    assert page.status_code == 200 and "Move to a new phone" in page.content.decode()
    new = TOTPDevice.objects.get(user=officer, confirmed=False)
    # Until the new app is confirmed, the old one is the one that counts.
    assert TOTPDevice.objects.filter(user=officer, confirmed=True).get() == old

    time_machine.shift(31)
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("accounts:two_factor_setup"), {"token": code_for(new)})
    assert done.status_code == 302
    assert list(TOTPDevice.objects.filter(user=officer)) == [TOTPDevice.objects.get(pk=new.pk)]
    assert AuditEvent.objects.filter(action=Action.REPLACE, object_id=str(officer.pk)).count() == 1
    assert [m.subject for m in mail.outbox] == ["A new authenticator app is in use for your Sahulat account"]


def test_set_up_is_audited_and_emailed_with_ten_recovery_codes_stored_hashed(
    client, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOW, tick=False)
    officer = UserFactory(roles=[roles.PROGRAM_OFFICER])
    client.force_login(officer)
    codes: list[str] = []
    with django_capture_on_commit_callbacks(execute=True):
        enrol(client, officer, codes)
    assert len(set(codes)) == 10
    stored = set(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True))
    assert len(stored) == 10 and not stored & {c.replace("-", "") for c in codes} and not stored & set(codes)
    actions = set(AuditEvent.objects.filter(object_id=str(officer.pk)).values_list("action", flat=True))
    assert {Action.ENABLE, Action.RECOVERY_CODES_GENERATE} <= actions
    assert [m.subject for m in mail.outbox] == ["Two-step sign-in is on for your Sahulat account"]
    # Shown once: the set-up page now asks for a code first and never shows the codes again.
    assert codes[0] not in client.get(reverse("accounts:two_factor_setup")).content.decode()


def test_a_recovery_code_signs_in_once_instead_of_the_six_digits(
    client, officer_with_device, django_capture_on_commit_callbacks
):
    officer, _device, codes = officer_with_device
    sign_in(client, officer)
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(reverse("accounts:two_factor_verify"), {"token": codes[0].upper(), "next": "/workbench/"})
    assert ok.status_code == 302 and ok["Location"] == "/workbench/"
    assert client.get("/workbench/").status_code == 200
    event = AuditEvent.objects.get(action=Action.RECOVERY_CODE_USE)
    assert event.data == {"codes_left": 9}
    assert mail.outbox[-1].subject == "A recovery code was used to sign in to your Sahulat account"
    assert "9 unused recovery codes left" in mail.outbox[-1].body

    client.logout()
    sign_in(client, officer)
    again = client.post(reverse("accounts:two_factor_verify"), {"token": codes[0]})
    assert "That recovery code is not right, or it has been used already." in again.content.decode()
    assert client.get("/workbench/").status_code == 302


def test_new_recovery_codes_replace_the_old_ones(client, officer_with_device, django_capture_on_commit_callbacks):
    officer, device, old_codes = officer_with_device
    sign_in(client, officer)
    client.post(reverse("accounts:two_factor_verify"), {"token": code_for(device)})
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("accounts:two_factor_recovery_codes"))
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    new_codes = page.content.decode().count("<code>")
    assert new_codes == 10 and old_codes[1] not in page.content.decode()
    assert mail.outbox[-1].subject == "New recovery codes for your Sahulat account"

    client.logout()
    sign_in(client, officer)
    refused = client.post(reverse("accounts:two_factor_verify"), {"token": old_codes[1]})
    assert "has been used already" in refused.content.decode()


def test_removing_two_step_sign_in_needs_a_fresh_code_and_is_audited(
    client, officer_with_device, time_machine, django_capture_on_commit_callbacks
):
    officer, device, _codes = officer_with_device
    sign_in(client, officer)
    client.post(reverse("accounts:two_factor_verify"), {"token": code_for(device)})
    time_machine.shift(16 * 60)
    stale = client.post(reverse("accounts:two_factor_remove"))
    assert stale["Location"].startswith(reverse("accounts:two_factor_step_up"))
    assert TOTPDevice.objects.filter(user=officer, confirmed=True).exists()

    time_machine.shift(31)
    client.post(reverse("accounts:two_factor_step_up"), {"token": code_for(device)})
    with django_capture_on_commit_callbacks(execute=True):
        removed = client.post(reverse("accounts:two_factor_remove"))
    assert removed.status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert not StaticToken.objects.filter(device__user=officer).exists()
    assert AuditEvent.objects.filter(action=Action.REMOVE, object_id=str(officer.pk)).count() == 1
    assert mail.outbox[-1].subject == "Two-step sign-in is off for your Sahulat account"


def test_device_emails_are_in_the_person_s_language(client, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(NOW, tick=False)
    officer = UserFactory(roles=[roles.PROGRAM_OFFICER], language="ur")
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/ur/accounts/two-factor/")
        device = TOTPDevice.objects.get(user=officer, confirmed=False)
        client.post("/ur/accounts/two-factor/", {"token": code_for(device)})
    assert mail.outbox[0].subject == "آپ کے سہولت اکاؤنٹ کے لیے دو مرحلہ سائن اِن فعال ہے"


# --- step-up -------------------------------------------------------------------------------------


@step_up_required
def grave_action(request):
    return HttpResponse("done")


def _request(client, method="post"):
    """A request carrying the test client's session and user, as the middleware leaves them."""
    from django.contrib.auth import get_user
    from django_otp.middleware import OTPMiddleware

    request = getattr(RequestFactory(), method)(
        "/finance/payments/1/approve/", HTTP_REFERER="http://testserver/finance/payments/1/"
    )
    request.session = client.session
    request.user = get_user(request)
    OTPMiddleware(lambda r: None)(request)
    request._messages = __import__("django.contrib.messages.storage.fallback", fromlist=["x"]).FallbackStorage(request)
    return request


def test_step_up_asks_for_a_new_code_after_step_up_seconds_and_comes_back(
    client, officer_with_device, time_machine, settings
):
    settings.STEP_UP_SECONDS = 900
    officer, device, _codes = officer_with_device
    sign_in(client, officer)
    client.post(reverse("accounts:two_factor_verify"), {"token": code_for(device)})

    time_machine.shift(899)
    assert grave_action(_request(client)).content == b"done"

    time_machine.shift(2)
    response = grave_action(_request(client))
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("accounts:two_factor_step_up") + "?next=http%3A%2F%2Ftestserver%2Ffinance%2Fpayments%2F1%2F"
    )
    back = client.post(response["Location"], {"token": code_for(device)})
    assert back["Location"] == "http://testserver/finance/payments/1/"
    assert grave_action(_request(client)).content == b"done"


def test_step_up_lets_people_without_a_device_act_with_their_password_where_2fa_is_off(client, settings):
    settings.STAFF_2FA_REQUIRED = False
    chair = UserFactory(roles=[roles.BOARD_CHAIR])
    client.force_login(chair)
    assert grave_action(_request(client)).content == b"done"


def test_step_up_sends_staff_without_a_device_to_set_up_where_2fa_is_required(client, settings):
    settings.STAFF_2FA_REQUIRED = True
    chair = UserFactory(roles=[roles.BOARD_CHAIR])
    client.force_login(chair)
    response = grave_action(_request(client))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:two_factor_setup")
