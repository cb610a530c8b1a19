"""What accounts writes to a person about their own account's security, lazily translated so each
email is rendered in the recipient's language (accounts.tasks.send_security_email)."""

from django.utils.translation import gettext_lazy as _

SECURITY_SUBJECTS = {
    "two_factor_enable": _("Two-step sign-in is on for your Sahulat account"),
    "two_factor_replace": _("A new authenticator app is in use for your Sahulat account"),
    "two_factor_remove": _("Two-step sign-in is off for your Sahulat account"),
    "recovery_codes_generate": _("New recovery codes for your Sahulat account"),
    "recovery_code_use": _("A recovery code was used to sign in to your Sahulat account"),
    "sign_up_existing": _("Someone tried to create a Sahulat account with your address"),
    "password_reset_done": _("Your Sahulat password was changed"),
}

SECURITY_TEXTS = {
    "two_factor_enable": _(
        "Two-step sign-in was turned on for your account: signing in now needs your password and a code "
        "from your authenticator app. Ten recovery codes were made and shown once."
    ),
    "two_factor_replace": _(
        "A new authenticator app was confirmed for your account. The old one no longer gives working codes."
    ),
    "two_factor_remove": _(
        "Two-step sign-in was turned off for your account. Your authenticator app and recovery codes no longer work."
    ),
    "recovery_codes_generate": _("New recovery codes were made for your account. The old ones no longer work."),
    "recovery_code_use": _("One of your recovery codes was used to sign in to your account."),
    "sign_up_existing": _(
        "Someone (perhaps you) tried to create a new Sahulat account with this email address. You already "
        "have an account, so no new one was made."
    ),
    "password_reset_done": _("The password of your Sahulat account was changed with a reset link."),
}
