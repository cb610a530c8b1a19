"""An award's paid total: paid ≤ committed, by the service and by the database."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from grants.award_money import AwardOverpaid, award_headroom, award_record_payment
from grants.models import Award

from .conftest import complete_grant, to_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def award(grant_call, operator, space, operator_user, officer):
    app = complete_grant(grant_call, operator, space, operator_user)
    app = to_state(app, "approved", operator_user=operator_user, officer=officer)
    return app.award


def test_payments_add_up_and_returns_take_back(award):
    with transaction.atomic():
        award_record_payment(award=award, amount=Decimal("1500000.00"))
        award_record_payment(award=award, amount=Decimal("500000.00"))
    assert award_headroom(award) == award.amount - Decimal("2000000.00")
    with transaction.atomic():
        award_record_payment(award=award, amount=Decimal("-500000.00"))
    award.refresh_from_db()
    assert award.paid == Decimal("1500000.00")


def test_overpaying_is_refused_with_the_figures_and_changes_nothing(award):
    with pytest.raises(AwardOverpaid, match=award.sanction_number), transaction.atomic():
        award_record_payment(award=award, amount=award.amount + Decimal("0.01"))
    award.refresh_from_db()
    assert award.paid == Decimal("0")


def test_the_database_refuses_paid_above_committed_even_without_the_service(award):
    with pytest.raises(IntegrityError), transaction.atomic():
        Award.objects.filter(pk=award.pk).update(paid=award.amount + 1)


@pytest.mark.django_db(transaction=True)
def test_it_must_run_inside_the_payments_transaction(award):
    with pytest.raises(RuntimeError):
        award_record_payment(award=award, amount=Decimal("1.00"))
