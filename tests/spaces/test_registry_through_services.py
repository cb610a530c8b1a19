"""Security issue #14: every registry write goes through spaces.services, from the admin and imports too.

A data steward changed a verified company's IBAN and added another company's user in the admin: the
company stayed verified, nothing was audited, the user saw the company's applications and the maker's
payment form defaulted to the new IBAN. These tests hold the fixed behaviour.
"""

import pytest
import tablib
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts import roles
from audit.models import AuditEvent
from audit.services import audit_verify_chain
from notifications.models import Notification
from spaces import services
from spaces.models import Operator
from spaces.resources import OperatorResource
from tests.factories import UserFactory, make_iban

from .factories import operator_user, registered_operator

pytestmark = pytest.mark.django_db


def steward():
    return UserFactory(roles=[roles.DATA_STEWARD], is_staff=True)


def verified_company(n=1):
    operator, member = registered_operator(n)
    services.operator_verify(actor=UserFactory(roles=[roles.PROGRAM_OFFICER]), operator=operator)
    operator.refresh_from_db()
    return operator, member


def admin_change_data(operator, **changes):
    data = {
        name: getattr(operator, name)
        for name in (
            "legal_name",
            "legal_form",
            "ntn",
            "secp_registration_number",
            "pseb_registration_number",
            "principal_name",
            "principal_cnic",
            "contact_email",
            "contact_mobile",
            "bank_account_title",
            "registered_address",
        )
    }
    data.update({"spaces-TOTAL_FORMS": "0", "spaces-INITIAL_FORMS": "0", "_save": "Save"})
    data.update(changes)
    return data


def test_verification_remembers_the_iban_it_checked():
    operator, _member = verified_company()
    assert operator.verified_iban == operator.iban
    assert AuditEvent.objects.get(action="operator.verify").data == {"iban": operator.iban}


def test_the_admin_change_page_shows_iban_and_members_read_only(client):
    operator, member = verified_company()
    client.force_login(steward())
    url = reverse("admin:spaces_operator_change", args=[operator.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    assert "iban" not in form.fields and "members" not in form.fields
    assert reverse("admin:spaces_operator_members", args=[operator.pk]) in page.content.decode()

    other_iban = make_iban(777)
    other_user = operator_user()
    response = client.post(url, admin_change_data(operator, iban=other_iban, members=[other_user.pk]))
    assert response.status_code == 302
    operator.refresh_from_db()
    assert operator.iban != other_iban and list(operator.members.all()) == [member]


def test_an_admin_edit_of_the_legal_name_is_audited_sends_the_company_back_and_tells_its_people(client):
    operator, member = verified_company()
    person = steward()
    client.force_login(person)
    response = client.post(
        reverse("admin:spaces_operator_change", args=[operator.pk]),
        admin_change_data(operator, legal_name="Other Name (Pvt.) Ltd."),
    )
    assert response.status_code == 302
    operator.refresh_from_db()
    assert operator.legal_name == "Other Name (Pvt.) Ltd."
    assert operator.verification_status == Operator.Verification.PENDING
    event = AuditEvent.objects.filter(action="operator.update").latest("id")
    assert (event.actor_id, event.from_state, event.to_state, event.data) == (
        person.pk,
        "verified",
        "pending",
        {"changed": ["legal_name"]},
    )
    note = Notification.objects.get(recipient=member)
    assert "registration details changed" in note.subject and "verified again" in note.body
    assert audit_verify_chain().ok


def test_membership_changes_only_through_the_audited_service(client):
    operator, member = verified_company(1)
    _other_company, other_member = registered_operator(2)
    newcomer = operator_user(email="newcomer@example.pk")
    person = steward()
    client.force_login(person)
    url = reverse("admin:spaces_operator_members", args=[operator.pk])

    refused = client.post(url, {"email": other_member.email, "reason": "letter of 3 March"})
    assert "already acts for another company" in refused.content.decode()
    assert not operator.members.filter(pk=other_member.pk).exists()

    client.post(url, {"email": "newcomer@example.pk", "reason": "letter of 3 March"})
    assert operator.members.filter(pk=newcomer.pk).exists()
    event = AuditEvent.objects.get(action="operator.member_add")
    assert (event.actor_id, event.reason, event.data["user_id"]) == (person.pk, "letter of 3 March", newcomer.pk)
    assert Notification.objects.filter(recipient=member, subject__contains="can now act").exists()

    client.post(url, {"remove": newcomer.pk, "reason": "left the company"})
    assert not operator.members.filter(pk=newcomer.pk).exists()
    assert AuditEvent.objects.filter(action="operator.member_remove", data__user_id=newcomer.pk).exists()


def test_only_stewards_change_membership():
    operator, member = verified_company()
    with pytest.raises(PermissionDenied):
        services.operator_member_add(actor=member, operator=operator, user=operator_user())


def test_an_import_with_a_new_iban_goes_through_the_service():
    operator, member = verified_company()
    headers = list(OperatorResource.Meta.fields)
    row = [getattr(operator, h) for h in headers]
    row[headers.index("iban")] = make_iban(555)
    person = steward()
    result = OperatorResource().import_data(
        tablib.Dataset(row, headers=headers), dry_run=False, use_transactions=True, user=person
    )
    assert not result.has_errors() and not result.has_validation_errors(), result.invalid_rows
    operator.refresh_from_db()
    assert operator.iban == make_iban(555)
    assert operator.verification_status == Operator.Verification.PENDING
    assert operator.verified_iban != make_iban(555)  # payments still go to the IBAN as verified
    event = AuditEvent.objects.filter(action="operator.update").latest("id")
    assert event.actor_id == person.pk and event.data == {"changed": ["iban"]}
    assert Notification.objects.filter(recipient=member, subject__contains="registration details changed").exists()


def test_an_imported_new_company_is_created_by_the_service_and_audited():
    person = steward()
    headers = list(OperatorResource.Meta.fields)
    operator, _member = registered_operator(3)
    row = [getattr(operator, h) for h in headers]
    row[headers.index("ntn")] = "7654321-0"
    row[headers.index("legal_name")] = "Brand New (Pvt.) Ltd."
    result = OperatorResource().import_data(
        tablib.Dataset(row, headers=headers), dry_run=False, use_transactions=True, user=person
    )
    assert not result.has_errors(), [e.error for r in result.row_errors() for e in r[1]]
    created = Operator.objects.get(ntn="7654321-0")
    assert created.verification_status == "pending" and not created.members.exists()
    assert AuditEvent.objects.filter(action="operator.create", object_id=str(created.pk), actor=person).exists()


def test_the_makers_payment_form_defaults_to_the_verified_iban_and_flags_the_edited_one():
    from finance.models import PaymentInstruction

    operator, _member = verified_company()
    verified = operator.iban
    services.operator_update(actor=steward(), operator=operator, details={"iban": make_iban(556)})
    operator.refresh_from_db()
    assert operator.verified_iban == verified
    instruction = PaymentInstruction(payee=operator, iban_snapshot=make_iban(556))
    assert instruction.iban_differs_from_registry
    assert not PaymentInstruction(payee=operator, iban_snapshot=verified).iban_differs_from_registry


def test_a_steward_cannot_delete_registry_rows_in_the_admin(client):
    operator, _member = verified_company()
    client.force_login(steward())
    assert client.get(reverse("admin:spaces_operator_delete", args=[operator.pk])).status_code == 403
