"""The audit events of notifications: one catalogue."""

from django.db import models


class NotificationsEvent(models.TextChoices):
    TEMPLATE_SAVE = "notification_template.save"
    EMAIL_DELIVERY_SET = "email_delivery.set"
