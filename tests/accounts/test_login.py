import pytest
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_people_sign_in_with_their_email_in_any_case(client):
    UserFactory(email="hamza@punjab.gov.pk")
    response = client.post(reverse("accounts:login"), {"username": "Hamza@Punjab.gov.pk", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")


def test_wrong_password_is_refused_with_a_message(client):
    UserFactory(email="hamza@punjab.gov.pk")
    response = client.post(reverse("accounts:login"), {"username": "hamza@punjab.gov.pk", "password": "nope"})
    assert response.status_code == 200
    assert "email address or password is not right" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_account_for_that_address(client, settings):
    UserFactory(email="target@punjab.gov.pk")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "target@punjab.gov.pk", "password": "guess"})
    # Even the right password is refused while locked: login throttling (django-axes).
    response = client.post(reverse("accounts:login"), {"username": "target@punjab.gov.pk", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_email_is_the_identity_and_unique():
    User.objects.create_user(email="Same@Example.pk", password="x-long-password")
    assert User.objects.get(email="same@example.pk")
    with pytest.raises(Exception):  # noqa: B017 — the database refuses the duplicate
        User.objects.create_user(email="same@example.pk", password="x-long-password")
