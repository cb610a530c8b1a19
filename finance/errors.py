"""The domain errors the finance services raise: the project's one hierarchy (core.errors), re-exported
so a view or test of this app imports them from here. `FinanceError` is every domain error."""

from core.errors import DomainError, InvalidTransition, PermissionDenied, ValidationFailed

FinanceError = DomainError

__all__ = ["FinanceError", "DomainError", "InvalidTransition", "PermissionDenied", "ValidationFailed"]
