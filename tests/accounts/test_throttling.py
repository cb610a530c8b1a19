"""Security issue #14: sign-in throttling behind the TLS proxy (django-axes reads the client's address
from X-Forwarded-For) and the project's own password reset."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts import roles
from accounts.axes import client_ip_address
from audit.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


def behind_proxy(client_address: str) -> Client:
    """A browser behind the TLS proxy: every request reaches Django from the proxy's address."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address)


def sign_in(client, email, password):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


@pytest.fixture(autouse=True)
def _one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def test_two_people_behind_the_proxy_do_not_lock_each_other_out(settings):
    chair = UserFactory(email="chair@example.pk", roles=[roles.BOARD_CHAIR])
    attacker, chair_browser = behind_proxy("203.0.113.5"), behind_proxy("198.51.100.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(attacker, chair.email, "guess")

    assert sign_in(attacker, chair.email, PASSWORD).status_code == 429
    response = sign_in(chair_browser, chair.email, PASSWORD)
    assert response.status_code == 302 and chair_browser.session.get("_auth_user_id") == str(chair.pk)


def test_one_address_spraying_a_password_across_accounts_is_locked(settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 10
    people = [UserFactory(email=f"person{i}@example.pk") for i in range(11)]
    sprayer = behind_proxy("203.0.113.9")
    for person in people[:9]:  # one guess per account: never five on any one of them
        assert sign_in(sprayer, person.email, "Summer2026!").status_code == 200
    assert sign_in(sprayer, people[9].email, "Summer2026!").status_code == 429  # the tenth reaches the cap

    # The address is locked across accounts, even for a right password; others are not.
    assert sign_in(sprayer, people[10].email, PASSWORD).status_code == 429
    assert sign_in(behind_proxy("198.51.100.7"), people[10].email, PASSWORD).status_code == 302


def test_signing_in_to_an_own_account_does_not_clear_the_address_count(settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 6
    mine = UserFactory(email="mine@example.pk")
    victims = [UserFactory(email=f"v{i}@example.pk") for i in range(6)]
    sprayer = behind_proxy("203.0.113.10")
    for victim in victims[:3]:
        sign_in(sprayer, victim.email, "guess")
    assert sign_in(sprayer, mine.email, PASSWORD).status_code == 302
    sprayer.logout()
    for victim in victims[3:]:
        sign_in(sprayer, victim.email, "guess")
    assert sign_in(sprayer, victims[0].email, PASSWORD).status_code == 429


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # the client wrote the left entry: not trusted
        (2, "203.0.113.5, 192.0.2.1", "203.0.113.5"),  # a load balancer in front of the proxy
        (0, "6.6.6.6", PROXY),  # no proxy configured: the header is ignored
        (1, "not-an-address", PROXY),
        (2, "203.0.113.5", PROXY),  # fewer entries than proxies: not through them, use the peer
    ],
)
def test_the_client_address_trusts_exactly_the_configured_proxies(rf, settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip_address(request) == expected


# --- password reset ------------------------------------------------------------------------------

LINK_RE = re.compile(r"https?://[^/\s]+(/accounts/password-reset/[^\s]+/[^\s]+/)")


def ask_reset(client, email, capture):
    with capture(execute=True):
        return client.post(reverse("accounts:password_reset"), {"email": email})


def test_the_sign_in_page_links_to_the_password_reset(client):
    assert reverse("accounts:password_reset") in client.get(reverse("accounts:login")).content.decode()


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(client, django_capture_on_commit_callbacks):
    UserFactory(email="officer@example.pk", roles=[roles.PROGRAM_OFFICER])
    known = ask_reset(client, "officer@example.pk", django_capture_on_commit_callbacks)
    unknown = ask_reset(client, "nobody@example.pk", django_capture_on_commit_callbacks)
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("accounts:password_reset_done")
    assert [m.to for m in mail.outbox] == [["officer@example.pk"]]


def test_a_reset_link_sets_a_new_password_once_and_is_audited(client, django_capture_on_commit_callbacks):
    officer = UserFactory(email="officer@example.pk", roles=[roles.PROGRAM_OFFICER])
    ask_reset(client, officer.email, django_capture_on_commit_callbacks)
    assert mail.outbox[0].subject == "Set a new password for Sahulat"
    path = LINK_RE.search(mail.outbox[0].body).group(1)
    form_page = client.get(path, follow=True)
    assert "Set a new password" in form_page.content.decode()
    new_password = "A-much-better-passphrase-2026"
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
        )
    assert done.status_code == 302 and done["Location"] == reverse("accounts:password_reset_complete")
    officer.refresh_from_db()
    assert officer.check_password(new_password)
    assert AuditEvent.objects.filter(action="user.password_reset", object_id=str(officer.pk)).count() == 1
    assert mail.outbox[-1].subject == "Your Sahulat password was changed"
    assert "cannot be used" in client.get(path, follow=True).content.decode()


def test_password_reset_is_throttled_per_email_silently(client, settings, django_capture_on_commit_callbacks):
    settings.PASSWORD_RESET_LIMIT_PER_HOUR = 5
    UserFactory(email="officer@example.pk")
    for i in range(7):
        response = ask_reset(
            Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}"),
            "officer@example.pk",
            django_capture_on_commit_callbacks,
        )
        assert response.status_code == 302  # the same answer each time
    assert len(mail.outbox) == 5


def test_password_reset_is_throttled_per_address(settings, django_capture_on_commit_callbacks):
    settings.PASSWORD_RESET_LIMIT_PER_HOUR = 5
    client = behind_proxy("203.0.113.20")
    for i in range(5):
        assert ask_reset(client, f"p{i}@example.pk", django_capture_on_commit_callbacks).status_code == 302
    refused = ask_reset(client, "p9@example.pk", django_capture_on_commit_callbacks)
    assert refused.status_code == 429 and "Try again in an hour" in refused.content.decode()
    other = ask_reset(behind_proxy("198.51.100.1"), "p9@example.pk", django_capture_on_commit_callbacks)
    assert other.status_code == 302


def test_the_password_reset_page_is_in_urdu(client):
    page = client.get("/ur/accounts/password-reset/").content.decode()
    assert "پاس ورڈ بھول گئے؟" in page


def test_wagtail_s_own_password_reset_is_switched_off(client):
    assert client.get("/cms-admin/password_reset/").status_code == 404
