from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """A message to one person: shown in their portal or workbench, and sent once by email.

    Write through `notifications.services.notify` only; `emailed_at` makes the email task idempotent.
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

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(subject=""), name="notification_subject_given"),
            models.CheckConstraint(
                condition=Q(read_at__isnull=True) | Q(read_at__gte=F("created_at")), name="notification_read_after_sent"
            ),
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
