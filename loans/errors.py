"""Domain errors raised by the loan services (see subsidy.errors.DomainError).

- `PermissionDenied`: this person may not do this to this loan (wrong role, wrong company).
- `InvalidTransition`: the loan is not in a state that allows the action.
- `ValidationFailed`: the input breaks a rule (an amount above what is owed, a date in the future,
  a bank reference already posted, a collection file with bad rows...).
"""

from django.utils.translation import gettext_lazy as _

from subsidy.errors import DomainError


class LoansError(DomainError):
    """Raised by the loan services."""


class PermissionDenied(LoansError):
    default_message = _("You may not do this to this loan.")


class InvalidTransition(LoansError):
    default_message = _("This loan cannot do that in its current state.")


class ValidationFailed(LoansError):
    default_message = _("The loan could not be changed: check the details.")
