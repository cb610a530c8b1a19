"""The daily voucher job (Celery beat): lapse vouchers not started in time (offering their places on in
order), then complete vouchers whose months are over. Idempotent: a second run changes nothing."""

import datetime as dt

from celery import shared_task

from .services.vouchers import vouchers_complete_due, vouchers_lapse_overdue


@shared_task(name="vouchers.tasks.vouchers_daily")
def vouchers_daily(today: str | None = None) -> dict[str, int]:
    day = dt.date.fromisoformat(today) if today else None
    return {"lapsed": vouchers_lapse_overdue(day), "completed": vouchers_complete_due(day)}
