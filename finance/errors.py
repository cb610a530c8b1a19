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


class FinanceError(Exception):
    default_message = _("The request could not be completed.")

    def __init__(self, *messages, field_errors: dict | None = None):
        self.field_errors: dict[str, list] = {key: list(value) for key, value in (field_errors or {}).items()}
        collected = list(messages)
        for field_messages in self.field_errors.values():
            collected.extend(m for m in field_messages if m not in collected)
        self.messages = collected or [self.default_message]
        super().__init__(" ".join(str(m) for m in self.messages))

    @property
    def message(self) -> str:
        return " ".join(str(m) for m in self.messages)


class PermissionDenied(FinanceError):
    default_message = _("You may not do this.")


class InvalidTransition(FinanceError):
    default_message = _("This payment cannot do that in its current state.")


class ValidationFailed(FinanceError):
    default_message = _("Some information is missing or not acceptable.")
