"""The daily digest (issue #19): one email every morning to each person who chose it on the preferences
page, instead of an email per notification. Staff and an operator's people may choose it; a legal
notice (a decision, an information request) is emailed at once whatever they chose
(notifications.services.notify), so a digest never holds back what has legal effect.

It carries the notifications written since their last digest (the first: since yesterday morning) and
not yet emailed, counted by kind (with their subjects), and then:

- for staff, the items of their queues past their clock (notifications.needs_you: screening, tranche
  and claim verification, reviews, payments waiting for the checker), from the catalogue's
  `staff_digest` notice;
- for an operator's people, what their company must do soon (spaces.needed_next, the dashboard's own
  list: late, due within OPERATOR_DIGEST_DAYS, or with no deadline), from `operator_digest`.

Each is written in the person's language; a steward may keep either text (notifications.catalogue).

Idempotent: a `DigestSent` row per person and day, written in the transaction that marks the
notifications emailed, and the email is sent on commit; a second run that morning finds the row and
sends nothing. The portal copy of each notification is unchanged (they are still in the inbox).
"""

import datetime as dt
from collections import defaultdict
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User

from . import catalogue
from .kinds import LEGAL_KINDS, Kind
from .models import DigestSent, EmailDelivery, Notification
from .needs_you import past_clock

SUBJECTS_PER_KIND = 5
# An operator's digest lists the company's actions late or due within this many days (and those
# without a deadline): what they must do this week.
OPERATOR_DIGEST_DAYS = 7


def _pending(user: User, *, today: dt.date | None = None) -> list[Notification]:
    """The notifications to email in `user`'s digest: not emailed yet, written since their last digest
    (the first one: since yesterday morning), not legal notices; older ones stay in the inbox."""
    today = today or timezone.localdate()
    last = (
        DigestSent.objects.filter(user=user, day__lt=today).order_by("-day").values_list("sent_at", flat=True).first()
    )
    yesterday = dt.datetime.combine(today - dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone())
    since = last or yesterday
    return list(
        Notification.objects.filter(recipient=user, by_email=True, emailed_at__isnull=True, created_at__gte=since)
        .exclude(created_at__gte=dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min, tzinfo=since.tzinfo))
        # A legal notice is emailed at once, on its own (its task may not have run yet): never in a digest.
        .exclude(kind__in=LEGAL_KINDS)
        .order_by("created_at", "pk")
    )


def _summary(rows: list[Notification]) -> str:
    """By kind, in the kinds' order: "Payments: 3" and the newest subjects under it."""
    by_kind: dict[str, list[Notification]] = defaultdict(list)
    for row in rows:
        by_kind[row.kind].append(row)
    lines = []
    for kind in Kind:
        items = by_kind.get(kind.value)
        if not items:
            continue
        lines.append(f"{kind.label}: {len(items)}")
        lines += [f"  - {row.subject_in()}" for row in items[-SUBJECTS_PER_KIND:]]
        if len(items) > SUBJECTS_PER_KIND:
            lines.append("  " + _("… and %(n)s more in your notifications") % {"n": len(items) - SUBJECTS_PER_KIND})
    return "\n".join(lines) or _("No new notifications.")


def _late(actions: list[Any]) -> str:
    if not actions:
        return _("Nothing is past its clock.")
    return "\n".join(
        "- " + _("%(what)s (due %(due)s)") % {"what": action.text, "due": date_format(action.due, "j F Y")}
        for action in actions
    )


def _actions(actions: list[Any]) -> str:
    if not actions:
        return _("Nothing is due this week.")
    lines = []
    for action in actions:
        if action.due is None:
            lines.append(f"- {action.text}")
        elif action.is_late:
            lines.append("- " + _("%(what)s (was due %(due)s: late)") % {"what": action.text, "due": _date(action.due)})
        else:
            lines.append("- " + _("%(what)s (due %(due)s)") % {"what": action.text, "due": _date(action.due)})
    return "\n".join(lines)


def _date(day: dt.date) -> str:
    return date_format(day, "j F Y")


def operator_actions(user: User, *, today: dt.date) -> list[Any]:
    """What `user`'s company must do soon: late, due within OPERATOR_DIGEST_DAYS of `today`, or
    without a deadline; soonest first (spaces.needed_next)."""
    from spaces.needed_next import operator_owed_actions
    from spaces.selectors import operators_for_user

    horizon = today + dt.timedelta(days=OPERATOR_DIGEST_DAYS)
    owed = operator_owed_actions(operators_for_user(user).first())
    return [action for action in owed if action.due is None or action.due <= horizon]


def _content(
    user: User, audience: str, rows: list[Notification], today: dt.date
) -> tuple[str, dict[str, Any], int, int]:
    """The catalogue's notice for `audience`, its params (rendered in the active language), how many
    items it lists beside the notifications and how many of those are late."""
    summary = _summary(rows)
    if audience == "operator":
        actions = operator_actions(user, today=today)
        late = sum(1 for action in actions if action.due is not None and action.due < today)
        text = _actions(actions)
        # Passed as callables: whole paragraphs in the person's language, not names to isolate.
        return "operator_digest", {"summary": lambda: summary, "actions": lambda: text}, len(actions), late
    items = past_clock(user, today=today)
    text = _late(items)
    return "staff_digest", {"summary": lambda: summary, "late": lambda: text}, len(items), len(items)


def digest_for(user: User, *, today: dt.date) -> bool:
    """Send `user`'s digest of `today` unless it was sent; True when it is sent now. Nothing to say (no
    notification waiting, nothing past its clock or, for an operator's people, nothing due this week):
    the day is recorded, no email. `past_clock` counts the items late (for an operator's people, their
    company's actions past their deadline)."""
    from .services import digest_audience

    language = user.language or settings.LANGUAGE_CODE
    audience = digest_audience(user) or "staff"
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = DigestSent.objects.create(user=user, day=today, sent_at=timezone.now())
        except IntegrityError:
            return False
        rows = _pending(user, today=today)
        with translation.override(language):
            code, params, listed, late = _content(user, audience, rows, today)
            record.notifications = len(rows)
            record.past_clock = late
            record.emailed = bool((rows or listed) and user.email)
            record.save(update_fields=["notifications", "past_clock", "emailed"])
            if not record.emailed:
                return False
            subject, body = catalogue.render(code, day=lambda: _date(today), **params)
            subject_text, body_text = subject(), body()
            link = reverse("grants:notification_list")
        Notification.objects.filter(pk__in=[row.pk for row in rows]).update(emailed_at=timezone.now())
        base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
        body_text += f"\n\n{base}{link}"
        transaction.on_commit(lambda: send_mail(subject_text[:200], body_text, None, [user.email]))
    return True


def send_daily_digests(*, today: dt.date | None = None) -> int:
    """Every digest of `today` (default: today in Pakistan) not sent yet, staff's and operators';
    returns how many were sent."""
    today = today or timezone.localdate()
    people = User.objects.filter(email_delivery__mode=EmailDelivery.Mode.DAILY, is_active=True).order_by("pk")
    return sum(digest_for(person, today=today) for person in people)


@shared_task(name="notifications.digest.send_digests")
def send_digests(on: str | None = None) -> int:
    """Beat's morning digests for `on` (ISO date; default today). Idempotent: a row per person and day."""
    return send_daily_digests(today=dt.date.fromisoformat(on) if on else None)
