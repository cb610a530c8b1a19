"""The audit events of people's accounts: one catalogue."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountEvent(models.TextChoices):
    SIGN_UP = "user.sign_up", _("Signed up")
    VERIFY_EMAIL = "user.verify_email", _("Email address verified")
    ROLE_GRANT = "user.role_grant", _("Role granted")
    PASSWORD_RESET = "user.password_reset", _("Password reset")  # noqa: S105 - an event name, not a password
    TWO_FACTOR_ENABLE = "user.two_factor_enable", _("Two-step sign-in turned on")
    TWO_FACTOR_REPLACE = "user.two_factor_replace", _("Two-step sign-in device replaced")
    TWO_FACTOR_REMOVE = "user.two_factor_remove", _("Two-step sign-in turned off")
    RECOVERY_CODES_GENERATE = "user.recovery_codes_generate", _("Recovery codes generated")
    RECOVERY_CODE_USE = "user.recovery_code_use", _("Recovery code used")
