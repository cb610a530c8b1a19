"""Writing notifications.

`notify` writes one row per recipient in the caller's transaction and queues the email task with
`transaction.on_commit`, so an email is never sent for a change that was rolled back.

Each recipient reads in their own language. A subject or body given as a callable (a `Message`, e.g.
`lambda: _("Tranche %(n)s paid") % {"n": 2}`) is rendered once per recipient, with the recipient's
language (User.language, kept by accounts.middleware.RememberLanguage) active, into `subject`/`body`
(what the email says); it is also rendered in every language of the site into `texts`, so that the
inbox shows it in the language of the page being read (/ur/ in Urdu) whatever the recipient's profile
said when it was written. A plain string is written as it is, in the language active for the caller.

Each notice has a kind (notifications.kinds: decision, information request, payment, reminder, visit,
general); the recipient's preferences for that kind decide whether it is also emailed and sent by SMS
(the portal always shows it; legal notices are always emailed). The SMS goes only to a person with a
usable mobile number, as its own Celery task per row, queued on commit like the email.
"""

import contextlib
import contextvars
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.urls import translate_url
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core import reference, workflow
from core.errors import PermissionDenied
from core.messages import Rendered

from .events import NotificationsEvent
from .header_count import forget_needs_you_counts
from .kinds import LEGAL_KINDS, Channel, Kind, always_on, default_enabled
from .models import EmailDelivery, Notification, NotificationPreference, NotificationTemplate, ReminderSent
from .sms import sms_number

if TYPE_CHECKING:
    from accounts.models import User

# Demo data loading creates notifications but sends no email or SMS (see fixtures/demo_applications.py).
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


def _texts(subject: Message, body: Message) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, Any]]]:
    """The notice rendered in each of the site's languages, and its params in each (for a notice of
    the catalogue, core.messages.Rendered); both empty when neither part is a callable (a plain string
    is in one language only)."""
    if not (callable(subject) or callable(body)):
        return {}, {}
    texts, params = {}, {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = {"subject": _render(subject)[:200], "body": _render(body)}
            if isinstance(subject, Rendered):
                params[code] = subject.stored_values()
    return texts, params


def _queue_sms(pk: int) -> Callable[[], None]:
    def queue_sms() -> None:
        from .tasks import send_notification_sms

        send_notification_sms.delay(pk)

    return queue_sms


def _chosen(users: list["User"], kind: str) -> dict[tuple[int, str], bool]:
    """The recipients' choices for `kind`, {(user id, channel): wanted}, in one query."""
    rows = NotificationPreference.objects.filter(user__in=[u.pk for u in users], kind=kind)
    return {(row.user_id, row.channel): row.enabled for row in rows}


def wants(user: "User", kind: str, channel: str, chosen: Mapping[tuple[int, str], bool] | None = None) -> bool:
    """Whether `user` gets `kind` on `channel`: always for a legal notice by email; else their choice,
    or the kind's default when they made none. SMS also needs a usable mobile number."""
    if channel == Channel.SMS and sms_number(user.mobile) is None:
        return False
    if always_on(kind, channel):
        return True
    if chosen is None:
        chosen = _chosen([user], kind)
    return chosen.get((user.pk, channel), default_enabled(kind, channel))


def _on_digest(users: list["User"]) -> set[int]:
    return set(
        EmailDelivery.objects.filter(user__in=[u.pk for u in users], mode=EmailDelivery.Mode.DAILY).values_list(
            "user_id", flat=True
        )
    )


def notify(
    *, recipients: Iterable, subject: Message, body: Message, url: str = "", kind: str | None = None
) -> list[Notification]:
    """Write a notification for each distinct active recipient; email them and send them an SMS after
    commit, as their preferences for `kind` say.

    Pre: `subject` is non-empty; `kind`, when given, is one of notifications.kinds.Kind; when not, it is
    the kind the catalogue declares for the notice `subject` was rendered from (notifications.notices),
    else "other messages". A callable subject or body is rendered per recipient in the recipient's
    language; a string is written as it is. Post: one unread row per recipient, with the channels
    chosen and the notice's code and params; on commit the email task is queued once with the rows to
    email, and one SMS task per row to send by SMS.
    """
    from .catalogue import entry_of

    declared = entry_of(subject)
    if kind is None:
        kind = declared.kind if declared is not None else Kind.GENERAL
    if kind not in Kind.values:
        raise ValueError(f"Unknown notification kind {kind!r}.")
    now = timezone.now()
    seen: set[int] = set()
    users = []
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        users.append(user)
    if not users:
        return []
    chosen = _chosen(users, kind)
    # People on the daily digest get this by email in the next morning's digest (a legal notice: now).
    digest = set() if kind in LEGAL_KINDS else _on_digest(users)
    rows = []
    texts, params = _texts(subject, body)
    for user in users:
        language = getattr(user, "language", "") or settings.LANGUAGE_CODE
        with translation.override(language):
            text_subject, text_body = _render(subject), _render(body)
        # The link opens the page in the recipient's language too (/ur/… or unprefixed English).
        link = translate_url(url, language) if url else ""
        rows.append(
            Notification(
                recipient=user,
                subject=text_subject[:200],
                body=text_body,
                texts=texts,
                notice=declared.code if declared is not None else "",
                params=params,
                url=link,
                created_at=now,
                kind=kind,
                by_email=wants(user, kind, Channel.EMAIL, chosen),
                by_sms=wants(user, kind, Channel.SMS, chosen),
            )
        )
    created = Notification.objects.bulk_create(rows)
    # What the notice tells may change what waits for them: their header counts afresh (once committed).
    recipient_ids = [user.pk for user in users]
    transaction.on_commit(lambda: forget_needs_you_counts(recipient_ids), robust=True)
    if not _emails_suppressed.get():
        from .tasks import send_notification_emails

        email_ids = [n.pk for n in created if n.by_email and n.recipient_id not in digest]
        sms_ids = [n.pk for n in created if n.by_sms]
        if email_ids:
            transaction.on_commit(lambda: send_notification_emails.delay(email_ids))
        # robust: where tasks run in the web process (no broker), a gateway that still fails after its
        # retries is logged, never turned into an error page for a change already committed.
        for pk in sms_ids:
            transaction.on_commit(_queue_sms(pk), robust=True)
    return created


def notification_mark_read(*, notification: Notification, actor: "User") -> Notification:
    """Mark one of the actor's own notifications read (idempotent). Another person's is refused."""
    if notification.recipient_id != actor.pk:
        raise PermissionError("A notification can only be marked read by its recipient.")
    with transaction.atomic():
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_read(*, actor: "User", case: str | None = None) -> int:
    """Mark read every unread notification of the actor's own (those of one case, a selectors.case_key,
    when given); returns how many. Nobody else's are touched."""
    from .selectors import unread_in_case

    ids = unread_in_case(actor, case)
    with transaction.atomic():
        return Notification.objects.filter(pk__in=ids, recipient=actor, read_at__isnull=True).update(
            read_at=timezone.now()
        )


def notification_preferences_set(
    *, actor: "User", choices: Mapping[tuple[str, str], bool]
) -> list[NotificationPreference]:
    """Keep the actor's own choices, {(kind, channel): wanted}, for email and SMS (the portal is always
    on). A legal notice's email cannot be turned off: that choice is ignored. Post: one row per kind
    and channel given; the rest keep their defaults."""
    now = timezone.now()
    kept = []
    with transaction.atomic():
        for (kind, channel), enabled in choices.items():
            if kind not in Kind.values or channel not in Channel.values:
                raise ValueError(f"Unknown kind or channel: {kind!r}, {channel!r}.")
            if always_on(kind, channel):
                continue
            row, _created = NotificationPreference.objects.update_or_create(
                user=actor, kind=kind, channel=channel, defaults={"enabled": bool(enabled), "updated_at": now}
            )
            kept.append(row)
    return kept


def reminder_record(
    *, code: str, subject: models.Model, due_on: dt.date, offset_days: int, recipients: int = 0
) -> ReminderSent | None:
    """Record that reminder `code` about `subject` (counted from `due_on`, `offset_days` from it) is sent,
    in the caller's transaction; None when it was recorded before (by an earlier run, or by another run
    at the same moment: the unique constraint decides). The caller notifies only when a row is
    returned, in the same transaction, so a reminder is sent exactly once."""
    content_type = ContentType.objects.get_for_model(subject)
    try:
        with transaction.atomic():
            return ReminderSent.objects.create(
                code=code,
                content_type=content_type,
                object_id=subject.pk,
                due_on=due_on,
                offset_days=offset_days,
                sent_at=timezone.now(),
                recipients=recipients,
            )
    except IntegrityError:
        return None


# --- the daily digest's choice -----------------------------------------------------------------------


def digest_audience(user: "User") -> str:
    """Who may take their emails as one digest each morning, and which digest they get: "staff" (any
    workbench role: the items of their queues past their clock), "operator" (an operator's people: what
    their company must do soon), or "" (freelancers and anyone else: each email as it comes; their few
    notices are mostly decisions on their voucher)."""
    from accounts.roles import OPERATOR, STAFF_ROLES

    if not workflow.is_active_person(user):
        return ""
    if any(user.has_role(role) for role in STAFF_ROLES):
        return "staff"
    return "operator" if user.has_role(OPERATOR) else ""


def may_choose_digest(user: "User") -> bool:
    """Staff and an operator's people may take their emails as one digest each morning; a legal notice
    (a decision, an information request) is emailed at once whatever they chose."""
    return bool(digest_audience(user))


def email_delivery_set(*, actor: "User", mode: str) -> EmailDelivery:
    """Keep the actor's own choice: each email as it comes, or one digest every morning.

    Pre: the actor holds a staff role or acts for an operator (else PermissionDenied); `mode` is an
    EmailDelivery.Mode. Post: one row for the actor with that mode; a change is audited
    (`email_delivery.set`)."""
    if mode not in EmailDelivery.Mode.values:
        raise ValueError(f"Unknown email delivery {mode!r}.")
    if not may_choose_digest(actor):
        raise PermissionDenied(_("Only staff and the people of an operator may take their emails as a daily digest."))
    with transaction.atomic():
        row = EmailDelivery.objects.select_for_update().filter(user=actor).first()
        if row is not None and row.mode == mode:
            return row
        before = row.mode if row is not None else EmailDelivery.Mode.IMMEDIATE
        if row is None:
            row = EmailDelivery(user=actor)
        row.mode = mode
        row.updated_at = timezone.now()
        row.save()
        workflow.record(
            actor=actor,
            event=NotificationsEvent.EMAIL_DELIVERY_SET,
            obj=row,
            from_state=before,
            to_state=mode,
        )
    return row


def email_delivery_of(user: "User") -> str:
    row = EmailDelivery.objects.filter(user=user).first()
    return row.mode if row is not None else EmailDelivery.Mode.IMMEDIATE


# --- the texts kept by data stewards ----------------------------------------------------------------


def template_problems(template: NotificationTemplate) -> dict[str, list[str]]:
    """What is wrong with a steward's texts, per field, each problem naming its line: an unknown notice,
    an unknown placeholder (the catalogue declares which each notice may use), a brace not closed; and a
    message that drops what a person typed (a reason, a question: the catalogue's `required`)."""
    from . import catalogue, templating

    if template.code not in catalogue.BY_CODE:
        return {"code": [str(_("Choose a notice of the catalogue."))]}
    entry = catalogue.BY_CODE[template.code]
    found: dict[str, list[str]] = {}
    for language, _name in settings.LANGUAGES:
        for part in ("subject", "body"):
            text = template.part(part, language)
            problems = templating.problems(text, entry.placeholders, single_line=part == "subject") if text else []
            if text and part == "body" and not problems:
                problems = templating.missing(text, entry.required)
            if problems:
                found[f"{part}_{language}"] = problems
    return found


def notification_template_save(*, actor: "User", template: NotificationTemplate) -> NotificationTemplate:
    """Add or change a data steward's texts for one notice of the catalogue.

    Pre: the actor holds the add (new) or change permission on notification texts (data stewards,
    accounts/roles.py). Post: every filled-in text uses only its notice's placeholders and its braces
    are closed, the row is saved, and one audit event `notification_template.save` names the changed
    fields; saved unchanged, nothing is written. Raises PermissionDenied or ValidationFailed (per
    field, each problem with its line)."""
    template.updated_at = timezone.now()
    with transaction.atomic():
        if template.pk is not None:
            stored = NotificationTemplate.objects.filter(pk=template.pk).values(
                "subject_en", "body_en", "subject_ur", "body_ur"
            )
            if stored and all(getattr(template, k) == v for k, v in stored[0].items()):
                return template
        saved, _fields = reference.steward_save(
            actor=actor,
            obj=template,
            event=NotificationsEvent.TEMPLATE_SAVE,
            refusal=_("Only a data steward may change the texts of notifications."),
            extra_checks=template_problems,
        )
    return saved
