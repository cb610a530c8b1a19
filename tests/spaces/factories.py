"""Companies and spaces for the portal tests, built through the services as a user would."""

from accounts import roles
from spaces.services import operator_register, space_create
from tests.factories import UserFactory, make_iban


def operator_post(n: int = 1, **overrides) -> dict:
    """What a person types into the company form (identifiers in loose, everyday forms)."""
    data = {
        "legal_name": f"Indus Hub {n} (Pvt.) Ltd.",
        "legal_form": "private_limited",
        "ntn": f"{4100000 + n:07d}{n % 10}",
        "secp_registration_number": f"0{123400 + n}",
        "pseb_registration_number": "",
        "principal_name": "Ayesha Malik",
        "principal_cnic": f"35202{1234500 + n:07d}2",
        "contact_email": f"info{n}@indushub.example.pk",
        "contact_mobile": "+92 300 1234567",
        "bank_account_title": f"Indus Hub {n} (Pvt.) Ltd.",
        "iban": " ".join(make_iban(n)[i : i + 4] for i in range(0, 24, 4)).lower(),
        "registered_address": "12 Jail Road, Lahore",
    }
    data.update(overrides)
    return data


def space_post(n: int = 1, **overrides) -> dict:
    data = {
        "code": f"LHR-{n:03d}",
        "name": f"Gulberg Hub {n}",
        "address": "45 Main Boulevard, Gulberg",
        "district": "Lahore",
        "postal_code": "54000",
        "latitude": "31.5204",
        "longitude": "74.3587",
        "seats_offered": "40",
        "private_offices": "2",
        "meeting_rooms": "1",
        "internet_bandwidth_mbps": "200",
        "power_backup": "solar",
        "opening_date": "2024-03-01",
    }
    data.update(overrides)
    return data


def operator_user(**kwargs):
    return UserFactory(roles=[roles.OPERATOR], **kwargs)


def registered_operator(n: int = 1, *, member=None):
    """A company registered through the portal's service by its (new) member."""
    from spaces.forms import OperatorForm

    member = member or operator_user()
    form = OperatorForm(operator_post(n))
    assert form.is_valid(), form.errors
    details = {name: form.cleaned_data[name] for name in form.Meta.fields}
    return operator_register(actor=member, details=details), member


def added_space(operator, member, n: int = 1, **overrides):
    from spaces.forms import SpaceForm

    form = SpaceForm(space_post(n, **overrides), operator=operator)
    assert form.is_valid(), form.errors
    return space_create(actor=member, operator=operator, details=form.details())
