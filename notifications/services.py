"""Writing notifications.

`notify` writes one row per recipient in the caller's transaction and queues the email task with
`transaction.on_commit`, so an email is never sent for a change that was rolled back.

Each recipient reads in their own language. A subject or body given as a callable (a `Message`, e.g.
`lambda: _("Tranche %(n)s paid") % {"n": 2}`) is rendered once per recipient, with the recipient's
language (User.language, kept by accounts.middleware.RememberLanguage) active, into `subject`/`body`
(what the email says); it is also rendered in every language of the site into `texts`, so that the
inbox shows it in the language of the page being read (/ur/ in Urdu) whatever the recipient's profile
said when it was written. A plain string is written as it is, in the language active for the caller.
"""

import contextlib
import contextvars
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.urls import translate_url
from django.utils import timezone, translation

from .models import Notification

if TYPE_CHECKING:
    from accounts.models import User

# Demo data loading creates notifications but sends no email (see fixtures/demo_applications.py).
_emails_suppressed = contextvars.ContextVar("notifications_emails_suppressed", default=False)


@contextlib.contextmanager
def emails_suppressed() -> Iterator[None]:
    token = _emails_suppressed.set(True)
    try:
        yield
    finally:
        _emails_suppressed.reset(token)


Message = str | Callable[[], str]


def _render(message: Message) -> str:
    return str(message() if callable(message) else message)


def _texts(subject: Message, body: Message) -> dict[str, dict[str, str]]:
    """The notice rendered in each of the site's languages; empty when neither part is a callable
    (a plain string is in one language only)."""
    if not (callable(subject) or callable(body)):
        return {}
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = {"subject": _render(subject)[:200], "body": _render(body)}
    return texts


def notify(*, recipients: Iterable, subject: Message, body: Message, url: str = "") -> list[Notification]:
    """Write a notification for each distinct active recipient and email them after commit.

    Pre: `subject` is non-empty. A callable subject or body is rendered per recipient in the
    recipient's language; a string is written as it is. Post: one unread row per recipient; the email
    task is queued once, on commit, with the new rows' ids.
    """
    now = timezone.now()
    seen: set[int] = set()
    rows = []
    texts = _texts(subject, body)
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        language = getattr(user, "language", "") or settings.LANGUAGE_CODE
        with translation.override(language):
            text_subject, text_body = _render(subject), _render(body)
        # The link opens the page in the recipient's language too (/ur/… or unprefixed English).
        link = translate_url(url, language) if url else ""
        rows.append(
            Notification(
                recipient=user, subject=text_subject[:200], body=text_body, texts=texts, url=link, created_at=now
            )
        )
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created]
    if not _emails_suppressed.get():
        from .tasks import send_notification_emails

        transaction.on_commit(lambda: send_notification_emails.delay(ids))
    return created


def notification_mark_read(*, notification: Notification, actor: "User") -> Notification:
    """Mark one of the actor's own notifications read (idempotent). Another person's is refused."""
    if notification.recipient_id != actor.pk:
        raise PermissionError("A notification can only be marked read by its recipient.")
    with transaction.atomic():
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    notification.refresh_from_db(fields=["read_at"])
    return notification
