"""The API's own refusals, in the project's one hierarchy (core.errors), so the problem-details handler
(api/problems.py) treats them as it treats the services' refusals."""

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, InvalidTransition, PermissionDenied, ValidationFailed

__all__ = [
    "DomainError",
    "IdempotencyKeyMissing",
    "IdempotencyKeyReused",
    "InvalidTransition",
    "PermissionDenied",
    "UnknownReference",
    "ValidationFailed",
]


class UnknownReference(DomainError):
    """The request names something that does not exist (a payment reference, a batch): 404."""

    default_message = _("Nothing has this reference.")


class IdempotencyKeyMissing(DomainError):
    default_message = _("Send an Idempotency-Key header with every POST: a unique value per change you make.")


class IdempotencyKeyReused(DomainError):
    """The key was used before for another request (another body or another address): 422."""

    default_message = _("This Idempotency-Key was used before for a different request; use a new key.")
