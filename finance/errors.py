"""Domain errors raised by the finance services.

Each carries user-facing, translatable messages; a view shows `error.messages` and changes nothing
else (the service has already rolled its transaction back).

- `PermissionDenied`: not this person (wrong role, the maker approving their own payment, someone who
  touched the case, a member of the payee company). Views answer 403.
- `InvalidTransition`: the payment or batch is not in a state that allows the action (including
  losing a race to a simultaneous action).
- `ValidationFailed`: the input breaks a rule (an IBAN that is not Pakistani, a statement with unknown
  columns, a duplicate statement...). `messages` lists every problem.
"""

from django.utils.translation import gettext_lazy as _

from subsidy.errors import DomainError


class FinanceError(DomainError):
    """Raised by the finance services; see subsidy.errors.DomainError."""


class PermissionDenied(FinanceError):
    default_message = _("You may not do this.")


class InvalidTransition(FinanceError):
    default_message = _("This payment cannot do that in its current state.")


class ValidationFailed(FinanceError):
    default_message = _("Some information is missing or not acceptable.")
