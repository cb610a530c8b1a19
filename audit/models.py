from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import chain


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only: events are never updated.")

    def delete(self):
        raise PermissionError("The audit log is append-only: events are never deleted.")


class AuditEvent(models.Model):
    """One state change or money movement: who, when, what, from which state to which, and why.

    Append-only and hash-chained: each event's hash is an HMAC (key outside the database) of its own
    fields and the previous event's hash, so editing or removing any row breaks the chain from there
    on, and recomputing the hashes needs the key (`manage.py verify_audit`). The head (last id, count,
    hash) is published every hour outside the database, so a cut tail or a rewrite with the key is
    caught too (`manage.py verify_audit --against HEADS`). On PostgreSQL a trigger refuses UPDATE and
    DELETE on the table (migration 0003).
    Write events only through `audit.services.audit_record`.
    """

    created_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=200, help_text=_("Kept even if the account is renamed."))
    action = models.CharField(_("action"), max_length=80)
    object_type = models.CharField(_("object type"), max_length=80)
    object_id = models.CharField(_("object id"), max_length=64)
    object_label = models.CharField(_("object"), max_length=200, blank=True)
    from_state = models.CharField(_("from"), max_length=40, blank=True)
    to_state = models.CharField(_("to"), max_length=40, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id", "id"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}#{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit log is append-only: events are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only: events are never deleted.")

    def canonical_payload(self) -> str:
        """The text the hash covers (see audit.chain)."""
        return chain.payload_of(self)

    def compute_hash(self) -> str:
        """HMAC-SHA256 of the canonical text under the key held outside the database."""
        return chain.keyed_hash(self.canonical_payload())
