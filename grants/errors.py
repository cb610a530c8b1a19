"""The domain errors the grants services raise: the project's one hierarchy (core.errors), re-exported
so a view or test of this app imports them from here. `GrantsError` is every domain error."""

from core.errors import DomainError, InvalidTransition, PermissionDenied, ValidationFailed

GrantsError = DomainError

__all__ = ["GrantsError", "DomainError", "InvalidTransition", "PermissionDenied", "ValidationFailed"]
