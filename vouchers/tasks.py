"""The daily voucher jobs (Celery beat): lapse vouchers not started in time (offering their places
on), and complete vouchers whose months are over. Both are idempotent."""

from celery import shared_task

from .services.vouchers import vouchers_complete_due, vouchers_lapse_overdue


@shared_task(name="vouchers.daily")
def vouchers_daily() -> dict[str, int]:
    return {"lapsed": vouchers_lapse_overdue(), "completed": vouchers_complete_due()}
