"""Issue #23: passwords are hashed with Argon2id at a cost chosen in settings (OWASP's 19 MiB, 2 passes,
1 lane by default), and a PBKDF2 hash (every one made before) becomes Argon2id at the next sign-in."""

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, identify_hasher
from django.urls import reverse

from accounts.models import User
from subsidy.settings import base
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_hashers(settings):
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    return settings


def _sign_in(client, user):
    return client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})


def test_new_passwords_are_argon2id_with_the_settings_cost(production_hashers):
    user = UserFactory()
    user.set_password(PASSWORD)
    user.save()

    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_pbkdf2_hash_becomes_argon2id_at_the_next_sign_in(client, production_hashers):
    user = UserFactory()
    hasher = PBKDF2PasswordHasher()
    User.objects.filter(pk=user.pk).update(password=hasher.encode(PASSWORD, hasher.salt()))

    assert _sign_in(client, user).status_code == 302
    user.refresh_from_db()
    assert identify_hasher(user.password).algorithm == "argon2"
    assert "$m=19456,t=2,p=1$" in user.password


def test_a_wrong_password_leaves_the_old_hash_alone(client, production_hashers):
    user = UserFactory()
    hasher = PBKDF2PasswordHasher()
    old = hasher.encode(PASSWORD, hasher.salt())
    User.objects.filter(pk=user.pk).update(password=old)

    response = client.post(reverse("accounts:login"), {"username": user.email, "password": "not-the-password"})

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password == old


def test_raising_the_cost_rehashes_at_the_next_sign_in(client, production_hashers):
    user = UserFactory()
    user.set_password(PASSWORD)
    user.save()
    production_hashers.ARGON2_MEMORY_KIB = 47104  # OWASP's other setting: 46 MiB, 1 pass
    production_hashers.ARGON2_TIME_COST = 1

    assert _sign_in(client, user).status_code == 302
    user.refresh_from_db()
    assert "$m=47104,t=1,p=1$" in user.password
