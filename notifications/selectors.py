from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from accounts.models import User

from .models import Notification


def unread_notifications_for(user: User | AnonymousUser | None) -> QuerySet[Notification]:
    """A person's unread notifications, newest first."""
    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user, read_at__isnull=True).order_by("-created_at", "-id")


def notifications_for(user: User | AnonymousUser | None) -> QuerySet[Notification]:
    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")
