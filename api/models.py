"""API clients (machine-to-machine OAuth 2.0 clients with their scopes) and the idempotency keys of
their writes.

A client is a django-oauth-toolkit `Application` (client credentials, secret stored hashed) plus what
Sahulat needs to know of it: its scopes, its own throttle, whether it is still allowed in, and the
account it acts through. That account is a `User` that cannot sign in (no usable password), named
"api-client:<name>", so every audit event, ledger row and repayment the client causes names it as the
actor, through the same services as a person's action.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

SCOPE_CHOICES = [(name, name) for name in settings.API_SCOPES]
BANK_SCOPES = frozenset({"bank:payments", "bank:collections"})


class ApiClient(models.Model):
    name = models.SlugField(
        _("name"),
        max_length=60,
        unique=True,
        help_text=_("Short and unique, e.g. hbl-payments or ministry-dashboard: audit events show api-client:<name>."),
    )
    description = models.CharField(_("who runs it"), max_length=200, blank=True)
    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL, on_delete=models.PROTECT, related_name="api_client"
    )
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_client", verbose_name=_("account")
    )
    scopes = models.JSONField(_("scopes"), default=list)
    throttle_rate = models.CharField(
        _("throttle"),
        max_length=20,
        blank=True,
        help_text=_("Requests allowed, e.g. 600/minute; empty: the default (API_CLIENT_THROTTLE_RATE)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by")
    )
    created_at = models.DateTimeField(_("registered at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_active=True, revoked_at__isnull=True) | Q(is_active=False, revoked_at__isnull=False),
                name="api_client_revoked_matches_active",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def actor_label(self) -> str:
        return f"api-client:{self.name}"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class IdempotencyKey(models.Model):
    """One write a client made, under the key it chose (the `Idempotency-Key` header): written in the
    transaction of the change, so it exists exactly when the change does. The same key with the same
    request answers the stored response again; with another request it is refused."""

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="idempotency_keys")
    key = models.CharField(_("idempotency key"), max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    request_hash = models.CharField(_("SHA-256 of the request"), max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="api_idempotency_key_unique")]

    def __str__(self):
        return f"{self.client_id}:{self.key}"
