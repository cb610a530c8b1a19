"""A round's terms are kept by a superuser, validated and audited (vouchers.services.rounds), and the
Django admin writes through that service."""

from decimal import Decimal

import pytest

from accounts import roles
from audit.models import AuditEvent
from tests.factories import ProgramFactory, UserFactory
from vouchers.errors import PermissionDenied, ValidationFailed
from vouchers.models import RoundSpace, VoucherRound
from vouchers.services.rounds import round_part_save

from .conftest import make_offer


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True)


def test_a_round_with_unknown_codes_or_a_grant_program_is_refused_per_field(round_, superuser):
    round_.domiciles = ["punjab", "narnia"]
    round_.seat_types = []
    round_.program = ProgramFactory()
    with pytest.raises(ValidationFailed) as refused:
        round_part_save(actor=superuser, obj=round_)
    errors = refused.value.field_errors
    assert set(errors) >= {"domiciles", "seat_types", "program"}
    assert "narnia" not in VoucherRound.objects.get(pk=round_.pk).domiciles


def test_a_change_is_saved_and_audited_with_the_fields_named(round_, superuser):
    round_.monthly_cap = Decimal("7500.00")
    round_part_save(actor=superuser, obj=round_)
    event = AuditEvent.objects.filter(action="voucher.round_saved").latest("id")
    assert event.data["fields"] == ["monthly_cap"]
    # Saved unchanged, nothing is written.
    count = AuditEvent.objects.count()
    round_part_save(actor=superuser, obj=VoucherRound.objects.get(pk=round_.pk))
    assert AuditEvent.objects.count() == count


def test_a_space_without_a_fee_for_a_covered_seat_type_is_refused(round_, superuser):
    offer = make_offer(round_)
    offer.dedicated_desk_fee = None
    with pytest.raises(ValidationFailed) as refused:
        round_part_save(actor=superuser, obj=offer)
    assert "dedicated_desk_fee" in refused.value.field_errors
    assert RoundSpace.objects.get(pk=offer.pk).dedicated_desk_fee == Decimal("12000.00")


def test_only_a_superuser_keeps_rounds(round_):
    for role in (roles.PROGRAM_OFFICER, roles.DATA_STEWARD, roles.FREELANCER):
        with pytest.raises(PermissionDenied):
            round_part_save(actor=UserFactory(roles=[role]), obj=round_)


def test_the_admin_shows_the_checks_on_the_form_and_saves_through_the_service(client, round_, superuser):
    client.force_login(superuser)
    page = client.get(f"/django-admin/vouchers/voucherround/{round_.pk}/change/")
    assert page.status_code == 200
    steward = UserFactory(roles=[roles.DATA_STEWARD], is_staff=True)
    client.force_login(steward)
    assert client.get("/django-admin/vouchers/voucherround/").status_code == 403
