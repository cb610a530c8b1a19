"""The operator portal: registering the company and its spaces, and who may see what."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts import roles
from audit.models import AuditEvent
from spaces.models import Operator, Space
from tests.accounts.factories import UserFactory

from .factories import added_space, make_iban, operator_post, operator_user, registered_operator, space_post

pytestmark = pytest.mark.django_db

WRONG_CHECK_DIGITS = make_iban(3)[:2] + "00" + make_iban(3)[4:]
CHECK_DIGITS_MESSAGE = "This IBAN's check digits do not match: please copy it again from the bank statement."


def test_registering_the_company_stores_identifiers_canonically_and_makes_the_person_a_member(client):
    user = operator_user()
    client.force_login(user)

    response = client.post(reverse("portal:operator_register"), operator_post(7))

    assert response.status_code == 302 and response["Location"] == reverse("portal:dashboard")
    operator = Operator.objects.get()
    assert operator.ntn == "4100007-7"
    assert operator.principal_cnic == "35202-1234507-2"
    assert operator.iban == make_iban(7)
    assert operator.contact_mobile == "0300-1234567"
    assert operator.verification_status == Operator.Verification.PENDING
    assert operator.verified_at is None
    assert list(operator.members.all()) == [user]
    event = AuditEvent.objects.get(action="operator.register")
    assert (event.actor_id, event.object_id, event.to_state) == (user.pk, str(operator.pk), "pending")

    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    assert operator.legal_name in dashboard
    assert "Pending verification" in dashboard
    assert "Add your first space" in dashboard
    assert "waiting for the secretariat to verify" in dashboard


def test_a_new_operator_is_asked_to_register_the_company_first(client):
    client.force_login(operator_user())
    body = client.get(reverse("portal:dashboard")).content.decode()
    assert "Register your company" in body
    assert reverse("portal:operator_register") in body


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("principal_cnic", "35202-123456-2", "A CNIC has 13 digits, written 12345-1234567-1."),
        ("principal_cnic", "05202-1234567-2", "This CNIC's first digit is not a province NADRA issues."),
        ("ntn", "12345-678", "An NTN is seven digits and a check digit, written 1234567-8."),
        ("iban", WRONG_CHECK_DIGITS, CHECK_DIGITS_MESSAGE),
        ("iban", "GB29NWBK60161331926819", "Only Pakistani IBANs are accepted: they start with PK."),
        ("iban", make_iban(3)[:-1], "A Pakistani IBAN has 24 characters; this one has 23."),
        ("contact_mobile", "042-35761234", "This is a landline number; a mobile number (03XX-XXXXXXX) is needed."),
        ("contact_mobile", "0300-12345", "This is not a valid Pakistani mobile number (03XX-XXXXXXX)."),
        ("secp_registration_number", "", "A company must give its SECP registration number."),
        ("legal_name", "", "Enter the company's legal name."),
    ],
)
def test_a_bad_identifier_is_named_specifically_and_nothing_is_written(client, field, value, message):
    client.force_login(operator_user())

    response = client.post(reverse("portal:operator_register"), operator_post(3, **{field: value}))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    body = response.content.decode()
    assert 'class="error-summary"' in body and f'href="#id_{field}"' in body
    assert f'id="id_{field}_error"' in body and 'aria-invalid="true"' in body
    assert not Operator.objects.exists()
    assert not AuditEvent.objects.exists()


def test_an_ntn_already_registered_is_refused_with_a_message(client):
    registered_operator(1)
    client.force_login(operator_user())
    response = client.post(reverse("portal:operator_register"), operator_post(2, ntn=operator_post(1)["ntn"]))
    assert response.context["form"].errors["ntn"][0].startswith("A company with this NTN is already registered.")
    assert Operator.objects.count() == 1


def test_a_person_acts_for_only_one_company(client):
    operator, member = registered_operator(1)
    client.force_login(member)

    response = client.post(reverse("portal:operator_register"), operator_post(2), follow=True)

    assert "You already act for a company" in response.content.decode()
    assert list(Operator.objects.all()) == [operator]


def test_staff_who_are_not_operators_cannot_use_the_portal(client):
    client.force_login(UserFactory(roles=[roles.PROGRAM_OFFICER]))
    assert client.get(reverse("portal:dashboard")).status_code == 403
    assert client.get(reverse("portal:operator_register")).status_code == 403


def test_members_see_their_identifiers_in_full(client):
    operator, member = registered_operator(1)
    client.force_login(member)
    body = client.get(reverse("portal:operator_detail", args=[operator.pk])).content.decode()
    assert operator.principal_cnic in body and operator.iban in body


def test_changing_the_iban_of_a_verified_company_sends_it_back_for_verification(client):
    operator, member = registered_operator(1)
    Operator.objects.filter(pk=operator.pk).update(verification_status="verified", verified_at="2025-07-01T10:00Z")
    client.force_login(member)

    response = client.post(
        reverse("portal:operator_update", args=[operator.pk]), operator_post(1, iban=make_iban(99)), follow=True
    )

    operator.refresh_from_db()
    assert operator.iban == make_iban(99)
    assert operator.verification_status == Operator.Verification.PENDING and operator.verified_at is None
    assert "it will verify your company again" in response.content.decode()
    event = AuditEvent.objects.get(action="operator.update")
    assert (event.from_state, event.to_state, event.data) == ("verified", "pending", {"changed": ["iban"]})


def test_changing_only_the_contact_keeps_the_verification(client):
    operator, member = registered_operator(1)
    Operator.objects.filter(pk=operator.pk).update(verification_status="verified", verified_at="2025-07-01T10:00Z")
    client.force_login(member)

    client.post(reverse("portal:operator_update", args=[operator.pk]), operator_post(1, contact_email="new@x.pk"))

    operator.refresh_from_db()
    assert operator.contact_email == "new@x.pk"
    assert operator.verification_status == Operator.Verification.VERIFIED


def test_adding_a_space_derives_the_division_from_the_district(client):
    operator, member = registered_operator(1)
    client.force_login(member)

    form_page = client.get(reverse("portal:space_create", args=[operator.pk])).content.decode()
    assert '<optgroup label="Dera Ghazi Khan">' in form_page

    response = client.post(
        reverse("portal:space_create", args=[operator.pk]),
        space_post(1, district="Taunsa", code="tns-001", latitude="30.7048123", longitude="70.6500"),
    )

    space = Space.objects.get()
    assert response["Location"] == reverse("portal:space_detail", args=[space.pk])
    assert (space.operator, space.district, space.division, space.code) == (
        operator,
        "Taunsa",
        "Dera Ghazi Khan",
        "TNS-001",
    )
    assert space.latitude == Decimal("30.704812")
    assert space.network_status == Space.NetworkStatus.APPLICANT
    assert AuditEvent.objects.get(action="space.create").data["district"] == "Taunsa"
    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    assert space.name in dashboard and "Add your first space" not in dashboard


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("latitude", "24.9", "Enter a number between 27.5 and 34.5: a place in Punjab."),
        ("longitude", "abc", "Enter the longitude as a number, like 74.358700."),
        ("district", "Karachi", "Choose a Punjab district from the list."),
        ("seats_offered", "0", "A space offers at least 1 seat."),
        ("code", "LHR1", "A space code is written ABC-001."),
    ],
)
def test_space_mistakes_are_named_and_nothing_is_written(client, field, value, message):
    operator, member = registered_operator(1)
    client.force_login(member)
    response = client.post(reverse("portal:space_create", args=[operator.pk]), space_post(1, **{field: value}))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert not Space.objects.exists()


def test_two_spaces_of_one_company_cannot_share_a_name(client):
    operator, member = registered_operator(1)
    added_space(operator, member, 1)
    client.force_login(member)
    response = client.post(reverse("portal:space_create", args=[operator.pk]), space_post(2, name="gulberg hub 1"))
    assert response.context["form"].errors["name"] == ["Your company already has a space with this name."]


def test_editing_a_space_moves_its_division_with_its_district(client):
    operator, member = registered_operator(1)
    space = added_space(operator, member, 1)
    client.force_login(member)

    data = space_post(1, district="Multan", latitude="30.1575", longitude="71.5249", seats_offered="60")
    data.pop("code")
    response = client.post(reverse("portal:space_update", args=[space.pk]), data)

    assert response.status_code == 302
    space.refresh_from_db()
    assert (space.district, space.division, space.seats_offered, space.code) == ("Multan", "Multan", 60, "LHR-001")
    event = AuditEvent.objects.get(action="space.update")
    assert event.data["changed"] == ["district", "division", "latitude", "longitude", "seats_offered"]


def test_another_company_gets_404_for_every_url_naming_this_company_or_its_spaces(client):
    operator_a, member_a = registered_operator(1)
    space_a = added_space(operator_a, member_a, 1)
    operator_b, member_b = registered_operator(2)
    client.force_login(member_b)
    before = (Operator.objects.get(pk=operator_a.pk).legal_name, Space.objects.get(pk=space_a.pk).name)

    urls = [
        (reverse("portal:operator_detail", args=[operator_a.pk]), None),
        (reverse("portal:operator_update", args=[operator_a.pk]), operator_post(1, legal_name="Taken over")),
        (reverse("portal:space_create", args=[operator_a.pk]), space_post(9)),
        (reverse("portal:space_detail", args=[space_a.pk]), None),
        (reverse("portal:space_update", args=[space_a.pk]), space_post(1, name="Taken over")),
    ]
    for url, data in urls:
        assert client.get(url).status_code == 404, url
        if data is not None:
            assert client.post(url, data).status_code == 404, url

    assert (Operator.objects.get(pk=operator_a.pk).legal_name, Space.objects.get(pk=space_a.pk).name) == before
    assert Space.objects.filter(operator=operator_a).count() == 1
    assert not AuditEvent.objects.filter(actor=member_b).exclude(action="operator.register").exists()
    # B's own pages still work, and name nothing of A's.
    body = client.get(reverse("portal:dashboard")).content.decode()
    assert operator_b.legal_name in body and operator_a.legal_name not in body
