"""The domain errors the integrity services raise: the project's one hierarchy (core.errors),
re-exported so a view or test of this app imports them from here."""

from core.errors import DomainError, InvalidTransition, PermissionDenied, ValidationFailed

__all__ = ["DomainError", "InvalidTransition", "PermissionDenied", "ValidationFailed"]
