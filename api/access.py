"""Who may call: OAuth 2.0 bearer tokens (django-oauth-toolkit), the scope each endpoint needs, and a
throttle per client.

No token (or an expired or unknown one): 401 with `WWW-Authenticate: Bearer`. A token without the
endpoint's scope: 403 naming the scope. A token of a client revoked since: 401. Each client has its
own bucket of requests (ApiClient.throttle_rate, else API_CLIENT_THROTTLE_RATE), whatever address it
calls from; past it, 429 with Retry-After.
"""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from oauth2_provider.contrib.rest_framework import OAuth2Authentication, TokenHasScope
from rest_framework import exceptions
from rest_framework.pagination import CursorPagination
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiClient

__all__ = ["ClientHasScope", "ClientRateThrottle", "OAuth2Authentication", "StableCursorPagination", "client_of"]


def client_of(request: Any) -> ApiClient:
    """The API client behind the request's token (set by ClientHasScope)."""
    return request.api_client


class ClientHasScope(TokenHasScope):
    """The token's client is active and the token carries the view's `required_scopes`."""

    def has_permission(self, request: Any, view: Any) -> bool:
        token = request.auth
        if not token or not hasattr(token, "scope"):
            return False  # REST framework answers 401 (no valid token) with the Bearer challenge
        client = ApiClient.objects.select_related("account").filter(application_id=token.application_id).first()
        if client is None or not client.is_active:
            raise exceptions.AuthenticationFailed(_("This client's access has been revoked."))
        request.api_client = client
        required = self.get_scopes(request, view)
        if token.allow_scopes(required):
            return True
        missing = [scope for scope in required if not token.allow_scopes([scope])]
        error = exceptions.PermissionDenied(
            _("This token does not carry the scope %(scopes)s, which this endpoint needs.")
            % {"scopes": ", ".join(missing)}
        )
        error.missing_scopes = missing
        raise error


class ClientRateThrottle(SimpleRateThrottle):
    scope = "api_client"

    def __init__(self) -> None:  # the rate is the client's, read per request
        self.rate = settings.API_CLIENT_THROTTLE_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def allow_request(self, request: Any, view: Any) -> bool:
        client = getattr(request, "api_client", None)
        if client is None:
            return True
        self.rate = client.throttle_rate or settings.API_CLIENT_THROTTLE_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        client = getattr(request, "api_client", None)
        return None if client is None else f"throttle_api_client_{client.pk}"


class StableCursorPagination(CursorPagination):
    """Pages in ascending id order: a row added while a client pages through lands after the rows it
    has, so no row is skipped or given twice; `next` is null on the last page. No count query."""

    ordering = "id"
    page_size = settings.API_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE
