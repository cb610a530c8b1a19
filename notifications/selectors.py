import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
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


_LANGUAGE_PREFIX = re.compile("^/(" + "|".join(code for code, _name in settings.LANGUAGES) + ")(?=/)")
_REFERENCE = re.compile(r"^[A-Z][A-Z0-9]*-[A-Z0-9-]*\d[A-Z0-9-]*$")


def case_key(url: str) -> str:
    """What a notification is about, from its link: the page's path without the language prefix, the
    query or the anchor ("" for a notification without a link)."""
    if not url:
        return ""
    path = urlsplit(url).path
    return _LANGUAGE_PREFIX.sub("", path) or "/"


def case_reference(key: str) -> str:
    """The case's reference when the path names one (GR-2025-0001, LN-...), else ""."""
    for segment in reversed([part for part in key.split("/") if part]):
        if _REFERENCE.match(segment):
            return segment
    return ""


@dataclass
class Case:
    """The notifications of one case (one page they link to), newest first."""

    key: str
    notifications: list[Notification] = field(default_factory=list)

    @property
    def unread(self) -> int:
        return sum(1 for n in self.notifications if not n.is_read)

    @property
    def newest(self) -> Notification:
        return self.notifications[0]

    @property
    def reference(self) -> str:
        return case_reference(self.key)


def cases_of(notifications: list[Notification]) -> list[Case]:
    """Notifications (newest first) grouped by case: the cases with something unread first, then by
    their newest notification; those without a link together at the end."""
    cases: dict[str, Case] = {}
    for notification in notifications:
        key = case_key(notification.url)
        cases.setdefault(key, Case(key)).notifications.append(notification)
    return sorted(cases.values(), key=lambda c: (c.key == "", c.unread == 0))


def unread_in_case(user: User, case: str | None) -> list[int]:
    """The ids of `user`'s unread notifications (of one case, when given)."""
    rows = unread_notifications_for(user).values_list("pk", "url")
    return [pk for pk, url in rows if case is None or case_key(url) == case]
