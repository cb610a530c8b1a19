"""On PostgreSQL: a round's quota is never over-given under concurrent approvals, and one person cannot
get two vouchers by applying at two spaces at the same moment."""

import datetime as dt

import pytest
import time_machine
from django.db import connection

from tests.concurrency import race
from tests.factories import UserFactory
from vouchers.models import Voucher, VoucherState
from vouchers.services.vouchers import freelancer_profile_save, voucher_apply, voucher_approve

from .conftest import NOW, make_freelancer, make_offer, make_round

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twelve_approvals_at_once_give_exactly_the_divisions_quota():
    assert connection.vendor == "postgresql"
    with time_machine.travel(NOW, tick=False):
        round_ = make_round(quota=4)
        offers = [make_offer(round_, seats=10) for _i in range(3)]
        vouchers = [
            voucher_apply(actor=make_freelancer(), round=round_, offer=offers[i % 3], seat_type="hot_desk")
            for i in range(12)
        ]
        officers = [UserFactory(roles=["program_officer"]) for _i in range(3)]
    outcomes = race(
        *[(lambda v=v, i=i: voucher_approve(actor=officers[i % 3], voucher=v)) for i, v in enumerate(vouchers)]
    )
    assert all(kind == "ok" for kind, _result in outcomes), outcomes
    states = sorted(Voucher.objects.values_list("state", flat=True))
    assert states.count(VoucherState.APPROVED) == 4
    assert states.count(VoucherState.WAITLISTED) == 8


def test_the_same_cnic_applying_at_two_spaces_at_once_gets_one_voucher():
    with time_machine.travel(NOW, tick=False):
        round_ = make_round()
        first, second = make_offer(round_), make_offer(round_)
        person = make_freelancer(cnic="35202-7654321-5")
        # A second account of the same person cannot be made (one profile per CNIC); the race is the
        # same account applying from two phones.
        other = UserFactory(roles=["freelancer"])
        with pytest.raises(Exception, match="already registered"):
            freelancer_profile_save(
                actor=other,
                cnic="35202-7654321-5",
                date_of_birth=dt.date(2000, 1, 1),
                gender="man",
                domicile="punjab",
                skills="Design",
            )
    outcomes = race(
        lambda: voucher_apply(actor=person, round=round_, offer=first, seat_type="hot_desk"),
        lambda: voucher_apply(actor=person, round=round_, offer=second, seat_type="hot_desk"),
    )
    kinds = sorted(kind for kind, _result in outcomes)
    assert kinds == ["ok", "refused"], outcomes
    refusal = next(result for kind, result in outcomes if kind == "refused")
    assert "One voucher per person" in str(refusal)
    assert Voucher.objects.count() == 1
