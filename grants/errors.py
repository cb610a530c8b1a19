"""Domain errors raised by the grants services.

Every error carries user-facing, translatable messages: a view catches `GrantsError` (or one of its
kinds), shows `error.messages` to the person, and changes nothing else — the service has already
rolled its transaction back.

- `PermissionDenied`: this person may not do this to this application (wrong company, wrong role, or
  the separation-of-duties rule). Views answer 403 (or 404 where the object must stay invisible).
- `InvalidTransition`: the application is not in a state that allows the action (e.g. withdrawing
  after a decision, or a second officer screening an application that is already screened).
- `ValidationFailed`: the input breaks a business rule, or something required is missing. `messages`
  lists every problem; `field_errors` maps form field names to their messages where one field is at
  fault, so a form can show them next to the field.
"""

from django.utils.translation import gettext_lazy as _

from subsidy.errors import DomainError


class GrantsError(DomainError):
    """Raised by the grants services; see subsidy.errors.DomainError."""


class PermissionDenied(GrantsError):
    default_message = _("You may not do this.")


class InvalidTransition(GrantsError):
    default_message = _("This application cannot do that in its current state.")


class ValidationFailed(GrantsError):
    default_message = _("Some information is missing or not acceptable.")
