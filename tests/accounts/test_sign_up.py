"""Public sign-up and email verification: what a new operator and an auditor would notice."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from accounts import roles
from accounts.models import User
from accounts.tokens import verify_email_token_make
from audit.models import AuditEvent

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LINK_RE = re.compile(r"https?://[^/\s]+(/accounts/verify/[^\s]+/)")

SIGN_UP = {
    "email": "Nadia.Khan@Example.pk",
    "full_name": "  Nadia   Khan ",
    "mobile": "0300 1234567",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


def sign_up(client, capture, **overrides):
    with capture(execute=True):
        return client.post(reverse("accounts:sign_up"), {**SIGN_UP, **overrides})


def link_path(message) -> str:
    match = LINK_RE.search(message.body)
    assert match, message.body
    return match.group(1)


def test_sign_up_creates_an_unverified_account_and_sends_one_email_with_a_link(
    client, django_capture_on_commit_callbacks
):
    response = sign_up(client, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:sign_up_done")
    user = User.objects.get()
    assert user.email == "nadia.khan@example.pk"
    assert user.full_name == "Nadia Khan"
    assert user.mobile == "0300-1234567"
    assert user.email_verified_at is None
    assert not user.groups.exists()
    assert user.check_password(PASSWORD)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nadia.khan@example.pk"]
    assert message.subject == "Confirm your email address for Sahulat"
    assert link_path(message).startswith("/accounts/verify/")
    assert "3 days" in message.body

    event = AuditEvent.objects.get(action="user.sign_up")
    assert event.actor_id == user.pk and event.to_state == "unverified"

    done = client.get(response["Location"])
    assert "nadia.khan@example.pk" in done.content.decode()


def test_the_link_verifies_the_address_grants_the_operator_role_and_signs_in(
    client, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks)
    path = link_path(mail.outbox[0])

    # Opening the link (as a mail scanner would) changes nothing; the button does.
    page = client.get(path)
    assert page.status_code == 200
    assert "nadia.khan@example.pk" in page.content.decode()
    assert User.objects.get().email_verified_at is None

    response = client.post(path)

    user = User.objects.get()
    assert user.email_verified_at is not None
    assert user.has_role(roles.OPERATOR)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:home")
    assert int(client.session["_auth_user_id"]) == user.pk
    landing = client.get(reverse("accounts:home"))
    assert landing["Location"] == reverse("portal:dashboard")
    event = AuditEvent.objects.get(action="user.verify_email")
    assert (event.from_state, event.to_state, event.actor_id) == ("unverified", "verified", user.pk)


def test_a_used_link_does_not_sign_anyone_in_again(client, django_capture_on_commit_callbacks):
    sign_up(client, django_capture_on_commit_callbacks)
    path = link_path(mail.outbox[0])
    client.post(path)
    client.logout()

    response = client.post(path, follow=True)

    assert "_auth_user_id" not in client.session
    assert "already confirmed" in response.content.decode()
    assert AuditEvent.objects.filter(action="user.verify_email").count() == 1


def test_an_expired_link_is_refused_with_a_message(client, django_capture_on_commit_callbacks):
    with time_machine.travel(dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        sign_up(client, django_capture_on_commit_callbacks)
    path = link_path(mail.outbox[0])

    with time_machine.travel(dt.datetime(2026, 1, 4, 9, 1, tzinfo=dt.UTC), tick=False):
        shown = client.get(path)
        posted = client.post(path)

    for response in (shown, posted):
        assert response.status_code == 400
        assert "This link has expired" in response.content.decode()
    user = User.objects.get()
    assert user.email_verified_at is None and not user.groups.exists()
    assert "_auth_user_id" not in client.session


def test_a_link_within_three_days_still_works(client, django_capture_on_commit_callbacks):
    with time_machine.travel(dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        sign_up(client, django_capture_on_commit_callbacks)
    path = link_path(mail.outbox[0])
    with time_machine.travel(dt.datetime(2026, 1, 4, 8, 59, tzinfo=dt.UTC), tick=False):
        client.post(path)
    assert User.objects.get().email_verified_at is not None


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # signature changed
        lambda token: "x" + token,  # payload changed
        lambda token: "not-a-token",
    ],
)
def test_a_tampered_link_is_refused_with_a_message(client, django_capture_on_commit_callbacks, tamper):
    sign_up(client, django_capture_on_commit_callbacks)
    token = link_path(mail.outbox[0]).split("/")[-2]
    path = reverse("accounts:verify_email", kwargs={"token": tamper(token)})

    for response in (client.get(path), client.post(path)):
        assert response.status_code == 400
        assert "This link is not valid" in response.content.decode()
    assert User.objects.get().email_verified_at is None


def test_a_link_for_an_address_the_account_no_longer_has_is_refused(client, django_capture_on_commit_callbacks):
    sign_up(client, django_capture_on_commit_callbacks)
    user = User.objects.get()
    token = verify_email_token_make(user_id=user.pk, email="someone.else@example.pk")

    response = client.post(reverse("accounts:verify_email", kwargs={"token": token}))

    assert response.status_code == 400
    assert User.objects.get().email_verified_at is None


def test_an_unverified_person_who_signs_in_is_told_to_verify_first(client, django_capture_on_commit_callbacks):
    sign_up(client, django_capture_on_commit_callbacks)

    response = client.post(reverse("accounts:login"), {"username": "nadia.khan@example.pk", "password": PASSWORD})

    assert response.status_code == 200
    body = response.content.decode()
    assert "You need to confirm your email address before you can sign in" in body
    assert reverse("accounts:resend_verification") in body
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_for_an_unverified_account_does_not_reveal_it_exists(
    client, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks)
    response = client.post(reverse("accounts:login"), {"username": "nadia.khan@example.pk", "password": "wrong"})
    body = response.content.decode()
    assert "The email address or password is not right." in body
    assert "confirm your email" not in body


def test_a_new_link_can_be_requested_and_works(client, django_capture_on_commit_callbacks):
    sign_up(client, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:resend_verification"), {"email": "NADIA.KHAN@example.pk"}, follow=True)

    assert "we have sent it a new link" in response.content.decode()
    assert len(mail.outbox) == 2
    client.post(link_path(mail.outbox[1]))
    assert User.objects.get().has_role(roles.OPERATOR)


def test_resending_says_the_same_for_unknown_and_verified_addresses_and_sends_nothing(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="verified@example.pk")
    for email in ("nobody@example.pk", "verified@example.pk"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("accounts:resend_verification"), {"email": email}, follow=True)
        assert "we have sent it a new link" in response.content.decode()
    assert mail.outbox == []


def test_resending_is_limited_to_one_link_a_minute(client, django_capture_on_commit_callbacks):
    sign_up(client, django_capture_on_commit_callbacks)
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("accounts:resend_verification"), {"email": "nadia.khan@example.pk"})
    assert len(mail.outbox) == 2  # the sign-up link and one resend


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"mobile": "042-35761234"}, "mobile", "This is a landline number"),
        ({"mobile": "12345"}, "mobile", "Pakistani mobile number"),
        ({"password2": "Something-else-99"}, "password2", "The two passwords are not the same."),
        ({"password1": "password123", "password2": "password123"}, "password1", "This password is too common."),
        ({"password1": "1234567890123", "password2": "1234567890123"}, "password1", "entirely numeric"),
        ({"email": "not-an-email"}, "email", "Enter an email address in the right format"),
        ({"full_name": "   "}, "full_name", "Enter your full name."),
    ],
)
def test_sign_up_mistakes_are_named_and_nothing_is_written(
    client, django_capture_on_commit_callbacks, overrides, field, message
):
    response = sign_up(client, django_capture_on_commit_callbacks, **overrides)

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    body = response.content.decode()
    assert 'class="error-summary"' in body and f'href="#id_{field}"' in body
    assert not User.objects.exists()
    assert mail.outbox == []
    assert not AuditEvent.objects.exists()


def test_signing_up_with_a_taken_address_answers_as_for_a_new_one_and_tells_the_owner(
    client, django_capture_on_commit_callbacks
):
    # Security issue #14: sign-up used to say "An account with this email address already exists",
    # which told anyone which addresses have accounts. Now both answers are the same page, and the
    # owner of the taken address is told by email (with links to sign in and to reset the password).
    owner = UserFactory(email="nadia.khan@example.pk")
    new = client_class_sign_up(django_capture_on_commit_callbacks, email="someone.new@example.pk")
    taken = sign_up(client, django_capture_on_commit_callbacks)

    assert taken.status_code == new.status_code == 302
    assert taken["Location"] == new["Location"] == reverse("accounts:sign_up_done")
    done = client.get(taken["Location"]).content.decode()
    assert "already exists" not in done and "nadia.khan@example.pk" in done
    assert User.objects.filter(email="nadia.khan@example.pk").count() == 1
    name_before = owner.full_name
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD) and owner.full_name == name_before  # the account is untouched
    to_owner = [m for m in mail.outbox if m.to == ["nadia.khan@example.pk"]]
    assert len(to_owner) == 1
    assert to_owner[0].subject == "Someone tried to create a Sahulat account with your address"
    assert "/accounts/login/" in to_owner[0].body and "/accounts/password-reset/" in to_owner[0].body
    assert not AuditEvent.objects.filter(action="user.sign_up", object_id=str(owner.pk)).exists()


def client_class_sign_up(capture, **overrides):
    from django.test import Client

    return sign_up(Client(), capture, **overrides)


def test_a_taken_address_does_not_flood_its_owner_with_email(client, django_capture_on_commit_callbacks):
    UserFactory(email="nadia.khan@example.pk")
    for _ in range(3):
        sign_up(client, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


def test_signing_in_is_still_throttled_after_five_failures(client):
    user = UserFactory(email="officer@example.pk", roles=[roles.PROGRAM_OFFICER])
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": user.email, "password": "wrong-password"})

    response = client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})

    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_freelancer_who_signs_up_gets_the_freelancer_role_and_lands_on_the_voucher_page(
    client, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks, signed_up_as="freelancer")
    client.post(link_path(mail.outbox[0]))
    user = User.objects.get()
    assert user.has_role(roles.FREELANCER) and not user.has_role(roles.OPERATOR)
    assert client.get(reverse("accounts:home"))["Location"] == reverse("vouchers:home")
    event = AuditEvent.objects.get(action="user.verify_email")
    assert event.data["role_added"] == roles.FREELANCER


def test_the_sign_up_page_asks_operator_or_freelancer_as_a_group_of_choices(client):
    html = client.get(reverse("accounts:sign_up")).content.decode()
    assert "<legend>I am</legend>" in html
    assert 'value="operator"' in html and 'value="freelancer"' in html
