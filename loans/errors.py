"""The domain errors the loans services raise: the project's one hierarchy (core.errors), re-exported
so a view or test of this app imports them from here. `LoansError` is every domain error."""

from core.errors import DomainError, InvalidTransition, PermissionDenied, ValidationFailed

LoansError = DomainError

__all__ = ["LoansError", "DomainError", "InvalidTransition", "PermissionDenied", "ValidationFailed"]
