"""django-oauth-toolkit's scopes backend: a client gets only the scopes its registration gives it
(ApiClient.scopes), and nothing once revoked. A token request naming no scope gets all of them."""

from typing import Any

from django.conf import settings
from oauth2_provider.scopes import BaseScopes


def _client_scopes(application: Any) -> list[str]:
    if application is None:
        return []
    from .models import ApiClient

    client = ApiClient.objects.filter(application=application, is_active=True).only("scopes").first()
    return [scope for scope in (client.scopes if client else []) if scope in settings.API_SCOPES]


class ClientScopes(BaseScopes):
    def get_all_scopes(self) -> dict[str, str]:
        return dict(settings.API_SCOPES)

    def get_available_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        return _client_scopes(application)

    def get_default_scopes(self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any) -> list[str]:
        return _client_scopes(application)
