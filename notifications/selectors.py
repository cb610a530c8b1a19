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


def preferences_for(user: User) -> dict[tuple[str, str], bool]:
    """What `user` gets, {(kind, channel): wanted}, for every kind and channel: their choice where they
    made one, else the kind's default; a legal notice's email is always on (one query)."""
    from .kinds import Channel, Kind, always_on, default_enabled
    from .models import NotificationPreference

    chosen = {(row.kind, row.channel): row.enabled for row in NotificationPreference.objects.filter(user=user)}
    return {
        (kind, channel): always_on(kind, channel) or chosen.get((kind, channel), default_enabled(kind, channel))
        for kind in Kind
        for channel in Channel
    }
