"""The one domain-error hierarchy every service raises (grants, finance, loans, ...).

A domain error carries user-facing, translatable messages: a view catches it, shows `error.messages`
to the person and changes nothing else, because the service has already rolled its transaction back.
`field_errors` maps form field names to their messages where one field is at fault, so a form can
show them next to the field.

- `PermissionDenied`: this person may not do this to this object (wrong company, wrong role, the
  separation-of-duties rule). Views answer 403 (or 404 where the object must stay invisible).
- `InvalidTransition`: the object is not in a state that allows the action (including losing a race
  to a simultaneous action).
- `ValidationFailed`: the input breaks a business rule, or something required is missing. `messages`
  lists every problem.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    default_message = _("The request could not be completed.")

    def __init__(self, *messages: object, field_errors: dict | None = None) -> None:
        self.field_errors: dict[str, list[Any]] = {key: list(value) for key, value in (field_errors or {}).items()}
        collected: list[Any] = list(messages)
        for field_messages in self.field_errors.values():
            collected.extend(m for m in field_messages if m not in collected)
        self.messages = collected or [self.default_message]
        super().__init__(" ".join(str(m) for m in self.messages))

    @property
    def message(self) -> str:
        return " ".join(str(m) for m in self.messages)


class PermissionDenied(DomainError):
    default_message = _("You may not do this.")


class InvalidTransition(DomainError):
    default_message = _("This cannot be done in its current state.")


class ValidationFailed(DomainError):
    default_message = _("Some information is missing or not acceptable.")
