"""What the admins of reference data share: rows kept by stewards or superusers are never deleted."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


class NoDeletes:
    """Kept, never deleted: history stays (other rows point at these)."""

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        raise PermissionDenied

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
