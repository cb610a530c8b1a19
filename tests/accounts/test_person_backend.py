"""Issue #23: on every signed-in request the person is read with the names of their roles and whether
they have a confirmed second factor, in one query (accounts.backends.PersonBackend). Nothing is kept
between requests: a role taken away or a device added counts on the next page."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles
from accounts.backends import PersonBackend
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_the_person_their_roles_and_their_device_are_one_query(django_assert_num_queries):
    officer = UserFactory(roles=[roles.PROGRAM_OFFICER, roles.BOARD_REVIEWER])
    TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)

    with django_assert_num_queries(1):
        person = PersonBackend().get_user(officer.pk)
        assert person == officer
        assert person.has_role(roles.PROGRAM_OFFICER) and person.has_role(roles.BOARD_REVIEWER)
        assert not person.has_role(roles.OPERATOR)
        assert person.confirmed_device_on_arrival is True


@pytest.mark.parametrize(
    ("device", "expected"),
    [
        (None, False),
        (lambda user: TOTPDevice.objects.create(user=user, name="phone", confirmed=False), False),
        (lambda user: StaticDevice.objects.create(user=user, name="backup", confirmed=True), True),
    ],
    ids=["no device", "an unconfirmed authenticator", "confirmed recovery codes"],
)
def test_only_a_confirmed_device_of_any_kind_counts_and_no_role_is_no_role(device, expected):
    person = UserFactory()
    if device:
        device(person)

    read = PersonBackend().get_user(person.pk)

    assert read._role_cache == set()
    assert read.confirmed_device_on_arrival is expected


def test_without_the_compiled_query_the_orm_reads_the_same(monkeypatch):
    """The SQL is compiled once per process (accounts.backends._person_query); were the ORM's
    parameters ever other than the id and constants, each request builds the query instead."""
    from accounts import backends

    officer = UserFactory(roles=[roles.PROGRAM_OFFICER])
    StaticDevice.objects.create(user=officer, name="backup", confirmed=True)
    compiled = PersonBackend().get_user(officer.pk)
    monkeypatch.setattr(backends, "_person_query", lambda using: None)

    built = PersonBackend().get_user(officer.pk)

    assert built == compiled == officer
    assert built._role_cache == compiled._role_cache == {roles.PROGRAM_OFFICER}
    assert built.confirmed_device_on_arrival is compiled.confirmed_device_on_arrival is True


def test_an_inactive_or_unknown_person_is_nobody():
    gone = UserFactory(is_active=False)
    assert PersonBackend().get_user(gone.pk) is None
    assert PersonBackend().get_user(gone.pk + 1000) is None


def test_a_role_taken_away_counts_on_the_next_page(client):
    officer = UserFactory(roles=[roles.PROGRAM_OFFICER])
    client.force_login(officer)
    assert client.get("/workbench/").status_code == 200

    officer.groups.remove(Group.objects.get(name=roles.PROGRAM_OFFICER))

    assert client.get("/workbench/").status_code == 403


def test_a_device_confirmed_since_the_last_page_asks_for_a_code(client):
    person = UserFactory(roles=[roles.OPERATOR])
    client.post("/accounts/login/", {"username": person.email, "password": PASSWORD})
    assert client.get("/portal/").status_code == 200

    TOTPDevice.objects.create(user=person, name="phone", confirmed=True)  # set up in another session

    response = client.get("/portal/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:two_factor_verify"))
