"""The domain errors the match services raise: the project's one hierarchy (core.errors)."""

from core.errors import DomainError, InvalidTransition, PermissionDenied, ValidationFailed

__all__ = ["DomainError", "InvalidTransition", "PermissionDenied", "ValidationFailed"]
