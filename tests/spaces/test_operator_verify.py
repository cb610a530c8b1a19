"""Program officers verify a company's registration; no one else can."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts import roles
from audit.models import AuditEvent
from spaces.models import Operator
from tests.accounts.factories import UserFactory

from .factories import registered_operator

pytestmark = pytest.mark.django_db


def officer():
    return UserFactory(roles=[roles.PROGRAM_OFFICER], full_name="Bilal Officer")


def test_the_queue_lists_companies_waiting_for_verification_only(client):
    pending, _member = registered_operator(1)
    verified, _other = registered_operator(2)
    Operator.objects.filter(pk=verified.pk).update(verification_status="verified", verified_at="2025-07-01T10:00Z")
    client.force_login(officer())

    response = client.get(reverse("workbench_operators:list"))

    assert list(response.context["operators"]) == [pending]
    assert reverse("workbench_operators:verify", args=[pending.pk]) in response.content.decode()


def test_an_officer_verifies_a_company_and_the_audit_log_records_it(client):
    operator, _member = registered_operator(1)
    person = officer()
    client.force_login(person)

    page = client.get(reverse("workbench_operators:verify", args=[operator.pk])).content.decode()
    assert operator.iban in page  # officers may see identifiers in full
    response = client.post(
        reverse("workbench_operators:verify", args=[operator.pk]), {"note": "NTN and SECP certificates checked."}
    )

    assert response["Location"] == reverse("workbench_operators:list")
    operator.refresh_from_db()
    assert operator.verification_status == Operator.Verification.VERIFIED
    assert operator.verified_at is not None
    event = AuditEvent.objects.get(action="operator.verify")
    assert (event.actor_id, event.object_id, event.from_state, event.to_state, event.reason) == (
        person.pk,
        str(operator.pk),
        "pending",
        "verified",
        "NTN and SECP certificates checked.",
    )


def test_verifying_twice_changes_nothing_the_second_time(client):
    operator, _member = registered_operator(1)
    client.force_login(officer())
    url = reverse("workbench_operators:verify", args=[operator.pk])
    client.post(url)
    response = client.post(url, follow=True)
    assert "is not waiting for verification" in response.content.decode()
    assert AuditEvent.objects.filter(action="operator.verify").count() == 1


def test_identifiers_are_masked_for_someone_who_may_verify_but_not_see_them(client):
    operator, _member = registered_operator(1)
    person = UserFactory()
    person.user_permissions.add(Permission.objects.get(codename="verify_operator"))
    client.force_login(person)

    body = client.get(reverse("workbench_operators:verify", args=[operator.pk])).content.decode()

    assert operator.iban not in body and operator.principal_cnic not in body
    assert operator.masked_iban in body and operator.masked_cnic in body


def test_an_operator_cannot_reach_the_verification_pages(client):
    operator, member = registered_operator(1)
    client.force_login(member)

    assert client.get(reverse("workbench_operators:list")).status_code == 403
    assert client.get(reverse("workbench_operators:verify", args=[operator.pk])).status_code == 403
    assert client.post(reverse("workbench_operators:verify", args=[operator.pk])).status_code == 403

    operator.refresh_from_db()
    assert operator.verification_status == Operator.Verification.PENDING
    assert not AuditEvent.objects.filter(action="operator.verify").exists()


def test_an_officer_cannot_verify_a_company_they_act_for(client):
    person = officer()
    person.groups.add(*person.groups.model.objects.filter(name=roles.OPERATOR))
    operator, _member = registered_operator(1, member=person)
    client.force_login(person)

    assert (
        "another officer must verify it"
        in client.get(reverse("workbench_operators:verify", args=[operator.pk])).content.decode()
    )
    assert client.post(reverse("workbench_operators:verify", args=[operator.pk])).status_code == 403
    operator.refresh_from_db()
    assert operator.verification_status == Operator.Verification.PENDING


def test_signing_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("workbench_operators:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
