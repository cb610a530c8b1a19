"""What the finance concern tells its makers and checkers: one catalogue, each notice lazily translated
and rendered in each recipient's own language (core.messages.Notice)."""

from django.utils.translation import gettext_lazy as _

from core.messages import Notice

TO_MAKERS_REQUESTED = Notice(
    _("Payment %(ref)s to prepare"),
    _("PKR %(amount)s to %(payee)s: %(narration)s"),
)
TO_CHECKERS_PREPARED = Notice(
    _("Payment %(ref)s to approve"),
    _("PKR %(amount)s to %(payee)s, prepared by %(maker)s."),
)
TO_MAKERS_FAILED = Notice(
    _("Payment %(ref)s failed at the bank"),
    _("%(payee)s, PKR %(amount)s: %(reason)s. Correct the details and retry."),
)
