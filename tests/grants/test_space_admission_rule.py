"""Only a space active in the network is named in a new application (issue #17, item 3): a space still
applying to join, declined or suspended is refused with its status, for every instrument."""

import pytest

from grants import services
from grants.errors import ValidationFailed
from grants.models import Application

from .factories import SpaceFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("status", "label"), [("applicant", "Applying to join"), ("declined", "Not admitted"), ("suspended", "Suspended")]
)
def test_a_grant_or_loan_names_only_an_active_space(grant_call, loan_call, operator, operator_user, status, label):
    space = SpaceFactory(operator=operator, code="LHR-321", name="New Floor", network_status=status)
    for call in (grant_call, loan_call):
        with pytest.raises(ValidationFailed) as refused:
            services.application_create(actor=operator_user, call=call, operator=operator, space=space)
        (message,) = refused.value.field_errors["space"]
        assert f"New Floor is not active in the network (it is “{label}”)" in str(message)
        assert "only a space a program officer has admitted" in str(message)
    assert not Application.objects.exists()


def test_a_utility_enrolment_names_only_active_spaces(utility_call, operator, operator_user, space):
    applying = SpaceFactory(operator=operator, code="LHR-322", name="New Floor", network_status="applicant")
    app = services.application_create(actor=operator_user, call=utility_call, operator=operator)
    rows = [
        {"space": space, "disco": "LESCO", "bill_reference": "04110000000001", "average_monthly_bill": "180000"},
        {"space": applying, "disco": "LESCO", "bill_reference": "04110000000002", "average_monthly_bill": "90000"},
    ]
    with pytest.raises(ValidationFailed) as refused:
        services.application_save_utility_connections(application=app, actor=operator_user, connections=rows)
    (message,) = refused.value.field_errors["connections-2"]
    assert str(message).startswith("Connection 2: New Floor is not active in the network")
    assert not refused.value.field_errors.get("connections-1")
    assert not app.connections.exists()
