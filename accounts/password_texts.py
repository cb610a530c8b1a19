"""Django's password validators' texts, named here only so that `makemessages` keeps their Urdu in
locale/ur: Django ships no Urdu for them, and the project's catalogue comes first (LOCALE_PATHS), so
the sign-up, password-reset and password-change pages read them in Urdu. Nothing imports this module;
the texts must match django/contrib/auth/password_validation.py of the pinned Django (a test checks).
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

TEXTS = [
    _("Your password can’t be too similar to your other personal information."),
    _("The password is too similar to the %(verbose_name)s."),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "min_length",
    ),
    _("Your password can’t be a commonly used password."),
    _("This password is too common."),
    _("Your password can’t be entirely numeric."),
    _("This password is entirely numeric."),
]
