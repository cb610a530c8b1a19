"""The audit events of people's accounts: one catalogue."""

from django.db import models


class AccountEvent(models.TextChoices):
    SIGN_UP = "user.sign_up"
    VERIFY_EMAIL = "user.verify_email"
    ROLE_GRANT = "user.role_grant"
    PASSWORD_RESET = "user.password_reset"  # noqa: S105 - an event name, not a password
    TWO_FACTOR_ENABLE = "user.two_factor_enable"
    TWO_FACTOR_REPLACE = "user.two_factor_replace"
    TWO_FACTOR_REMOVE = "user.two_factor_remove"
    RECOVERY_CODES_GENERATE = "user.recovery_codes_generate"
    RECOVERY_CODE_USE = "user.recovery_code_use"
