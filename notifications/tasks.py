"""Delivery of notifications by email and SMS, and the daily reminders. Tasks take ids (or a date).

Email: sending twice is impossible because each row is locked and marked `emailed_at` in the same
transaction that sends it. SMS: each row is claimed by one conditional UPDATE (`sms_claimed_at`), sent
outside any transaction (a slow gateway never holds a database lock), then marked `sms_at`; a failure
releases the claim and Celery retries with back-off, a delivery after success finds `sms_at` set and
sends nothing.

The daily reminders' task is `notifications.reminders.send_reminders` (kept beside the reminders, so
that notifying, which every concern does, does not import the concerns the reminders read).
"""

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Notification
from .sms import SmsError, SmsMessage, get_backend, sms_number, sms_text


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def send_notification_emails(self, notification_ids: list[int]) -> int:
    """Email each notification not yet emailed (and meant to be); returns how many were sent now."""
    sent = 0
    for pk in notification_ids:
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update()
                .select_related("recipient")
                .filter(pk=pk, emailed_at__isnull=True, by_email=True)
                .first()
            )
            if notification is None or not notification.recipient.email:
                continue
            body = notification.body
            if notification.url:
                base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
                body = f"{body}\n\n{base}{notification.url}"
            send_mail(notification.subject, body, None, [notification.recipient.email])
            Notification.objects.filter(pk=pk).update(emailed_at=timezone.now())
            sent += 1
    return sent


def _claim_expiry() -> dt.timedelta:
    # A claim older than this belongs to a worker that died mid-send: it may be taken again.
    return dt.timedelta(seconds=float(settings.SMS_GATEWAY_TIMEOUT) * 3 + 60)


@shared_task(
    bind=True,
    autoretry_for=(SmsError,),
    retry_backoff=30,  # 30 s, 60 s, 120 s, ... (with jitter), at most 30 minutes apart
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=6,
)
def send_notification_sms(self, notification_id: int) -> bool:
    """Send one notification by SMS unless it was sent already; True when it was sent now."""
    now = timezone.now()
    claimed = (
        Notification.objects.filter(pk=notification_id, by_sms=True, sms_at__isnull=True)
        .filter(Q(sms_claimed_at__isnull=True) | Q(sms_claimed_at__lt=now - _claim_expiry()))
        .update(sms_claimed_at=now)
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    number = sms_number(notification.recipient.mobile)
    if number is None or not notification.recipient.is_active:
        # The number was removed since the notice was written: nothing to send, and nothing to retry.
        Notification.objects.filter(pk=notification_id).update(sms_claimed_at=None)
        return False
    message = SmsMessage(
        to=number, text=sms_text(notification.subject, notification.url), reference=f"sahulat-{notification.pk}"
    )
    try:
        get_backend().send(message)
    except SmsError:
        Notification.objects.filter(pk=notification_id).update(sms_claimed_at=None)
        raise
    Notification.objects.filter(pk=notification_id).update(sms_at=timezone.now(), sms_claimed_at=None)
    return True
