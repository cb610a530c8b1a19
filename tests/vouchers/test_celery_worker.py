"""A real Celery worker on Redis (not eager) runs the daily voucher job end to end, as beat would queue
it: a voucher not started in time lapses and its place goes to the first on the waiting list."""

import datetime as dt
import time

import pytest

from tests.reporting.test_celery_worker import real_celery  # noqa: F401 - the fixture
from vouchers.models import Voucher, VoucherState
from vouchers.services.vouchers import voucher_apply, vouchers_approve

from .conftest import NOW, at, make_freelancer, make_offer, make_round


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_on_redis_lapses_a_voucher_and_offers_its_place(real_celery, officer):  # noqa: F811
    from vouchers.tasks import vouchers_daily

    with at(NOW.date()):
        round_ = make_round(quota=1)
        offer = make_offer(round_)
        first = voucher_apply(actor=make_freelancer(), round=round_, offer=offer, seat_type="hot_desk")
    with at(NOW.date(), hour=12):
        waiting = voucher_apply(actor=make_freelancer(), round=round_, offer=offer, seat_type="hot_desk")
        vouchers_approve(actor=officer, vouchers=[first, waiting])
    first.refresh_from_db()
    day_after = (first.start_by + dt.timedelta(days=1)).isoformat()

    vouchers_daily.delay(day_after)

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if Voucher.objects.get(pk=waiting.pk).state == VoucherState.APPROVED:
            break
        time.sleep(0.2)
    assert Voucher.objects.get(pk=first.pk).state == VoucherState.LAPSED
    assert Voucher.objects.get(pk=waiting.pk).state == VoucherState.APPROVED
    # A second delivery changes nothing.
    vouchers_daily.delay(day_after)
    time.sleep(2)
    assert Voucher.objects.filter(state=VoucherState.LAPSED).count() == 1
