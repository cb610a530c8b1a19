from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .kinds import Channel, Kind


class Notification(models.Model):
    """A message to one person: shown in their portal or workbench, sent once by email and, when they
    chose it and have a mobile number, once by SMS.

    Write through `notifications.services.notify` only; `emailed_at` and `sms_at` make the email and
    SMS tasks idempotent. `by_email`/`by_sms` are the channels the recipient's preferences asked for
    when it was written (notifications.kinds).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    # The same notice rendered in each of the site's languages when it was written ({"ur": {"subject": ...,
    # "body": ...}, ...}), so that the inbox is read in the language of the page, not of the recipient's
    # profile at the time. Empty for a notice written as plain text and for rows written before.
    texts = models.JSONField(_("texts by language"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("sent"), db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.GENERAL)
    by_email = models.BooleanField(_("to be emailed"), default=True)
    by_sms = models.BooleanField(_("to be sent by SMS"), default=False)
    sms_at = models.DateTimeField(_("sent by SMS"), null=True, blank=True)
    # Set while a worker is sending the SMS (a claim taken by one conditional UPDATE, no transaction
    # held open during the gateway call); cleared when it fails, so the retry may claim it again.
    sms_claimed_at = models.DateTimeField(_("SMS being sent since"), null=True, blank=True)
    # The catalogue's notice it was rendered from (notifications.catalogue, e.g. "grants.TO_OPERATOR_
    # SUBMITTED"; blank for a text written inline) and its params in each language, as they were filled
    # in ({"ur": {"ref": "…"}, ...}): the stewards preview a text against the latest real ones.
    notice = models.CharField(_("notice"), max_length=80, blank=True)
    params = models.JSONField(_("params by language"), default=dict, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["notice", "-created_at"], name="notification_notice_newest"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(subject=""), name="notification_subject_given"),
            models.CheckConstraint(
                condition=Q(read_at__isnull=True) | Q(read_at__gte=F("created_at")), name="notification_read_after_sent"
            ),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="notification_kind_valid"),
            models.CheckConstraint(condition=Q(sms_at__isnull=True) | Q(by_sms=True), name="notification_sms_if_asked"),
        ]

    def __str__(self):
        return f"{self.recipient}: {self.subject}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def _text(self, part: str, language: str | None) -> str:
        language = (language or translation.get_language() or "").split("-")[0]
        rendered = self.texts.get(language) if isinstance(self.texts, dict) else None
        if isinstance(rendered, dict) and rendered.get(part):
            return str(rendered[part])
        return str(getattr(self, part))

    def subject_in(self, language: str | None = None) -> str:
        """The subject in `language` (default: the active one) if it was rendered in it; else as stored."""
        return self._text("subject", language)

    def body_in(self, language: str | None = None) -> str:
        """The body in `language` (default: the active one) if it was rendered in it; else as stored."""
        return self._text("body", language)

    @property
    def shown_subject(self) -> str:
        """The subject in the language of the page being read (for templates)."""
        return self.subject_in()

    @property
    def shown_body(self) -> str:
        return self.body_in()


class NotificationPreference(models.Model):
    """One person's choice for one kind on one channel (email or SMS; the portal is always on). No row:
    the kind's default (notifications.kinds.default_enabled). Written through
    `notifications.services.notification_preferences_set` only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    enabled = models.BooleanField(_("wanted"))
    updated_at = models.DateTimeField(_("changed"))

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "channel"], name="notificationpreference_one_per_choice"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="notificationpreference_kind_valid"),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="notificationpreference_channel_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.kind} {self.channel}: {self.enabled}"


class ReminderSent(models.Model):
    """A reminder sent once: the reminder's code, what it is about (any row: a space, a loan, a question,
    an award), the date it counts from (the due date, or the day asked or offered) and the offset in
    days from it. The unique constraint is what makes a second run, or two runs at once, send nothing
    twice. Written through `notifications.services.reminder_record` only."""

    code = models.CharField(_("reminder"), max_length=40)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, verbose_name=_("about (type)"))
    object_id = models.PositiveBigIntegerField(_("about (id)"))
    subject = GenericForeignKey("content_type", "object_id")
    due_on = models.DateField(_("due or counted from"))
    offset_days = models.SmallIntegerField(_("days from that date"))
    sent_at = models.DateTimeField(_("sent"))
    recipients = models.PositiveIntegerField(_("people reminded"), default=0)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "content_type", "object_id", "due_on", "offset_days"], name="remindersent_once"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.content_type_id}:{self.object_id} {self.due_on} {self.offset_days:+d}"


class NotificationTemplate(models.Model):
    """A data steward's subject and body for one notice of the catalogue (notifications.catalogue), in
    English and Urdu, with `{placeholder}`s the notice declares. A blank field keeps the code's default
    for that part and language; no row: the defaults throughout. Written through
    `notifications.services.notification_template_save` only (checked and audited)."""

    code = models.CharField(_("notice"), max_length=80, unique=True)
    subject_en = models.CharField(_("subject (English)"), max_length=200, blank=True)
    body_en = models.TextField(_("message (English)"), blank=True)
    subject_ur = models.CharField(_("subject (Urdu)"), max_length=200, blank=True)
    body_ur = models.TextField(_("message (Urdu)"), blank=True)
    updated_at = models.DateTimeField(_("changed"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification text")
        verbose_name_plural = _("notification texts")
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=~Q(code=""), name="notificationtemplate_code_given")]

    def __str__(self):
        return self.code

    def part(self, name: str, language: str) -> str:
        """The steward's `subject` or `body` in `language` ("" when they kept the default)."""
        return str(getattr(self, f"{name}_{language}", "") or "")


class EmailDelivery(models.Model):
    """How a member of staff wants their emails: each one as it comes (no row) or one digest every
    morning. Written through `notifications.services.email_delivery_set` only."""

    class Mode(models.TextChoices):
        IMMEDIATE = "immediate", _("Each email as it comes")
        DAILY = "daily", _("One digest email every morning")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_delivery", verbose_name=_("person")
    )
    mode = models.CharField(_("emails"), max_length=12, choices=Mode.choices, default=Mode.IMMEDIATE)
    updated_at = models.DateTimeField(_("changed"))

    class Meta:
        verbose_name = _("email delivery")
        verbose_name_plural = _("email deliveries")
        constraints = [models.CheckConstraint(condition=Q(mode__in=["immediate", "daily"]), name="emaildelivery_mode")]

    def __str__(self):
        return f"{self.user}: {self.mode}"


class DigestSent(models.Model):
    """One person's digest of one morning: written once (unique person and day) in the transaction
    that marks the notifications it carries emailed, so a second run sends nothing twice. Written by
    notifications.digest only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests", verbose_name=_("person")
    )
    day = models.DateField(_("morning of"))
    notifications = models.PositiveIntegerField(_("notifications in it"), default=0)
    past_clock = models.PositiveIntegerField(_("items past their clock"), default=0)
    emailed = models.BooleanField(_("emailed"), default=False)
    sent_at = models.DateTimeField(_("sent"))

    class Meta:
        verbose_name = _("digest sent")
        verbose_name_plural = _("digests sent")
        ordering = ["-day", "user"]
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digestsent_once_a_day")]

    def __str__(self):
        return f"{self.user} {self.day}"
