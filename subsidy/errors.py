"""The base of every domain error a service raises (grants, finance, ...).

A domain error carries user-facing, translatable messages: a view catches it, shows `error.messages`
to the person and changes nothing else, because the service has already rolled its transaction back.
`field_errors` maps form field names to their messages where one field is at fault, so a form can
show them next to the field. Each package subclasses it with its own kinds (PermissionDenied,
InvalidTransition, ValidationFailed) and default messages.
"""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
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
