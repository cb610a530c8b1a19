"""Email delivery of notifications. Takes ids; sending twice is impossible because each row is
locked and marked `emailed_at` in the same transaction that sends it."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Notification


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def send_notification_emails(self, notification_ids: list[int]) -> int:
    """Email each notification not yet emailed; returns how many were sent now."""
    sent = 0
    for pk in notification_ids:
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update()
                .select_related("recipient")
                .filter(pk=pk, emailed_at__isnull=True)
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
