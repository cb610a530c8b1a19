"""Registering, re-keying and revoking API clients (a superuser or a data steward).

A client's secret is generated here, returned once to be shown once, and stored only as a hash
(django-oauth-toolkit's Application.hash_client_secret): nobody can read it back, a lost one is
replaced (api_client_new_secret).
"""

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.generators import generate_client_id, generate_client_secret
from oauth2_provider.models import AccessToken, Application

from accounts import roles
from accounts.events import AccountEvent
from core import workflow

from ..errors import PermissionDenied, ValidationFailed
from ..events import ApiEvent
from ..models import BANK_SCOPES, ApiClient

if TYPE_CHECKING:
    from accounts.models import User

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$")
RATE_RE = re.compile(r"^\d{1,6}/(s|sec|m|min|minute|h|hour|d|day)$")
ACCOUNT_DOMAIN = "api-clients.sahulat.invalid"  # .invalid: never a mailbox, never delivered to


def may_register_clients(user: "User | None") -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_role(roles.DATA_STEWARD))
    )


def _require_registrar(actor: "User") -> None:
    if not may_register_clients(actor):
        raise PermissionDenied(_("Only a superuser or a data steward may register API clients."))


def _clean(name: str, scopes: Iterable[str], throttle_rate: str) -> tuple[str, list[str], str]:
    name = (name or "").strip().lower()
    problems: dict[str, list[str]] = {}
    if not NAME_RE.match(name):
        problems["name"] = [_("3 to 60 lowercase letters, digits and hyphens, e.g. hbl-payments.")]
    chosen = sorted(set(scopes or []))
    unknown = [scope for scope in chosen if scope not in settings.API_SCOPES]
    if unknown or not chosen:
        problems["scopes"] = [
            _("Choose one or more of: %(scopes)s.") % {"scopes": ", ".join(settings.API_SCOPES)},
        ]
    throttle_rate = (throttle_rate or "").strip()
    if throttle_rate and not RATE_RE.match(throttle_rate):
        problems["throttle_rate"] = [_("Write it as requests per period, e.g. 600/minute or 10/second.")]
    if problems:
        raise ValidationFailed(field_errors=problems)
    return name, chosen, throttle_rate


def api_client_register(
    *,
    name: str,
    scopes: Iterable[str],
    actor: "User",
    description: str = "",
    throttle_rate: str = "",
    client_id: str | None = None,
    secret: str | None = None,
) -> tuple[ApiClient, str]:
    """Register a machine client with `scopes`; returns it and its secret (shown once, kept hashed).

    The client acts through its own account (cannot sign in; named api-client:<name>), which holds the
    bank's role when a bank scope is given. `client_id` and `secret` are for the demo's fixed
    credentials only (fixtures/demo_api.py): left out, both are generated.
    """
    _require_registrar(actor)
    name, chosen, throttle_rate = _clean(name, scopes, throttle_rate)
    secret = secret or generate_client_secret()
    from accounts.models import User

    with transaction.atomic():
        if ApiClient.objects.filter(name=name).exists():
            raise ValidationFailed(field_errors={"name": [_("An API client has this name already.")]})
        account = User(
            email=f"{name}@{ACCOUNT_DOMAIN}",
            full_name=f"api-client:{name}",
            email_verified_at=timezone.now(),
        )
        account.set_unusable_password()  # a client authenticates with its token, never signs in
        account.save()
        if set(chosen) & BANK_SCOPES:
            # The bank's role, which no person holds (accounts.services.role_grant gives people's roles),
            # audited as every role given is.
            account.groups.add(Group.objects.get_or_create(name=roles.BANK_CLIENT)[0])
            workflow.record(
                actor=actor,
                event=AccountEvent.ROLE_GRANT,
                obj=account,
                reason=_("The account of API client %(name)s") % {"name": name},
                data={"role": roles.BANK_CLIENT},
            )
        application = Application.objects.create(
            name=f"api-client:{name}",
            client_id=client_id or generate_client_id(),
            client_secret=secret,
            hash_client_secret=True,
            user=account,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            redirect_uris="",
            skip_authorization=True,
        )
        client = ApiClient.objects.create(
            name=name,
            description=(description or "").strip()[:200],
            application=application,
            account=account,
            scopes=chosen,
            throttle_rate=throttle_rate,
            created_by=actor,
            created_at=timezone.now(),
        )
        workflow.record(
            actor=actor,
            event=ApiEvent.CLIENT_REGISTER,
            obj=client,
            data={"client_id": application.client_id, "scopes": chosen, "throttle_rate": throttle_rate},
        )
    return client, secret


def api_client_new_secret(*, client: ApiClient, actor: "User") -> str:
    """A new secret (returned once); the old one stops working, tokens already issued are deleted."""
    _require_registrar(actor)
    secret = generate_client_secret()
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().select_related("application").get(pk=client.pk)
        if not client.is_active:
            raise ValidationFailed(_("This client is revoked; register a new one."))
        application = client.application
        application.client_secret = secret
        application.save(update_fields=["client_secret", "updated"])
        AccessToken.objects.filter(application=application).delete()
        workflow.record(actor=actor, event=ApiEvent.CLIENT_NEW_SECRET, obj=client)
    return secret


def api_client_revoke(*, client: ApiClient, actor: "User") -> ApiClient:
    """The client gets no more tokens and its tokens stop working at once. Kept, with its account and
    keys, for the audit trail; a revoked client is not brought back (register a new one)."""
    _require_registrar(actor)
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().select_related("application").get(pk=client.pk)
        if not client.is_active:
            return client
        application = client.application
        application.client_secret = generate_client_secret()  # nobody knows it: no token is issued again
        application.save(update_fields=["client_secret", "updated"])
        AccessToken.objects.filter(application=application).delete()
        ApiClient.objects.filter(pk=client.pk).update(is_active=False, revoked_at=timezone.now())
        client.refresh_from_db()
        workflow.record(actor=actor, event=ApiEvent.CLIENT_REVOKE, obj=client, from_state="active", to_state="revoked")
    return client
