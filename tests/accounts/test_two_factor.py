"""Two-step sign-in (TOTP) for staff: set-up, the code after the password, and the staff rule."""

import re

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles
from audit.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def code_for(device: TOTPDevice, offset_steps: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset_steps):06d}"


def sign_in(client, user):
    return client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})


RECOVERY_CODE_RE = re.compile(r"<code>([a-z2-7]{5}-[a-z2-7]{5})</code>")


def enrol(client, user, codes: list | None = None) -> TOTPDevice:
    """Set up an authenticator. The confirmation now answers with the recovery codes, shown once
    (it used to redirect straight home); they are appended to `codes` when a list is given."""
    page = client.get(reverse("accounts:two_factor_setup"))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("accounts:two_factor_setup"), {"token": code_for(device)})
    assert response.status_code == 200, response.content.decode()[:500]
    shown = RECOVERY_CODE_RE.findall(response.content.decode())
    assert len(shown) == 10
    if codes is not None:
        codes.extend(shown)
    device.refresh_from_db()
    return device


def test_officer_sets_up_an_authenticator_and_is_asked_for_a_code_at_the_next_sign_in(client, time_machine):
    time_machine.move_to("2026-11-26 10:00:00+05:00", tick=False)
    officer = UserFactory(roles=[roles.PROGRAM_OFFICER])
    client.force_login(officer)
    device = enrol(client, officer)
    assert device.confirmed
    assert AuditEvent.objects.filter(action="user.two_factor_enable", object_id=str(officer.pk)).count() == 1

    client.logout()
    sign_in(client, officer)
    # The password alone reaches nothing: every page sends the person to the code page.
    response = client.get("/workbench/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))

    wrong = client.post(reverse("accounts:two_factor_verify"), {"token": "000000", "next": "/workbench/"})
    assert "That code is not right" in wrong.content.decode()
    assert client.get("/workbench/").status_code == 302

    # A code is good once: the set-up code cannot be replayed, so sign in with the next one, after
    # the one-second back-off that the wrong code above started.
    time_machine.shift(31)
    device.refresh_from_db()
    ok = client.post(reverse("accounts:two_factor_verify"), {"token": code_for(device), "next": "/workbench/"})
    assert ok.status_code == 302 and ok["Location"] == "/workbench/"
    assert client.get("/workbench/").status_code == 200


def test_a_wrong_set_up_code_leaves_two_step_sign_in_off(client):
    officer = UserFactory(roles=[roles.PROGRAM_OFFICER])
    client.force_login(officer)
    client.get(reverse("accounts:two_factor_setup"))
    response = client.post(reverse("accounts:two_factor_setup"), {"token": "12345"})
    assert "Enter the six digits" in response.content.decode()
    response = client.post(reverse("accounts:two_factor_setup"), {"token": "000000"})
    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=officer, confirmed=True).exists()


def test_where_required_staff_without_an_authenticator_must_set_one_up_first(client, settings):
    settings.STAFF_2FA_REQUIRED = True
    officer = UserFactory(roles=[roles.PROGRAM_OFFICER])
    client.force_login(officer)
    response = client.get("/workbench/")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:two_factor_setup")
    enrol(client, officer)
    assert client.get("/workbench/").status_code == 200


def test_the_staff_rule_does_not_apply_to_operators(client, settings):
    settings.STAFF_2FA_REQUIRED = True
    operator = UserFactory(roles=[roles.OPERATOR])
    client.force_login(operator)
    assert client.get(reverse("portal:dashboard")).status_code == 200


def test_repeated_wrong_codes_are_throttled(client, time_machine):
    time_machine.move_to("2026-11-26 10:00:00+05:00", tick=False)
    officer = UserFactory(roles=[roles.PROGRAM_OFFICER])
    client.force_login(officer)
    device = enrol(client, officer)
    client.logout()
    sign_in(client, officer)
    time_machine.shift(31)
    for _ in range(3):
        client.post(reverse("accounts:two_factor_verify"), {"token": "000000"})
    # Even the right code waits while the throttle holds (django-otp's back-off).
    response = client.post(reverse("accounts:two_factor_verify"), {"token": code_for(device)})
    assert "Too many wrong codes" in response.content.decode()
    assert client.get("/workbench/").status_code == 302
