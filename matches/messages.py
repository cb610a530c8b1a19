"""What the match checks tell people (lazily translated, rendered in the reader's language)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The refusal at each gate: what waits, which match holds it, and what to do next.
OPEN_MATCH_REFUSAL = _(
    "Match %(ref)s (%(rule)s, with %(other)s) is open on this company's case, so %(action)s waits. "
    "Open the match (%(url)s): clear it with the reason it is not a duplicate, or have the integrity "
    "office confirm it; then try again."
)
CONFIRMED_MATCH_REFUSAL = _(
    "Match %(ref)s (%(rule)s, with %(other)s) was confirmed and is with the integrity office as "
    "%(grievance)s, so %(action)s waits until that case is resolved. Ask the integrity office."
)
MORE_MATCHES = _("%(count)s more matches hold this case too.")

SEND_TO_REVIEW = _("sending it to review")
VERIFY_COMPANY = _("verifying the company")
VERIFY_TRANCHE = _("verifying the tranche")
VERIFY_CLAIM = _("verifying the claim")
PREPARE_PAYMENT = _("preparing the payment")

# The grievance a confirmation opens at the integrity office.
CONFIRMED_GRIEVANCE = _(
    "Duplicate check %(ref)s confirmed by %(who)s: %(rule)s. %(left)s and %(right)s share %(compares)s "
    "(%(value)s). Reason given: %(reason)s Payments to both companies are held until this case is resolved."
)

CLEAR_NEEDS_REASON = _(
    "Say why this is not a duplicate (e.g. “same family, different businesses, checked on site”); "
    "the reason is kept with the match."
)
CONFIRM_NEEDS_REASON = _("Say what you checked: the integrity office reads it with the case.")
NOT_OPEN = _("Match %(ref)s is no longer open (it is %(state)s).")
OWN_COMPANY = _("No one decides a match on a company they act for.")
RACED = _("Someone else decided match %(ref)s at the same moment. Reload it.")
GONE = _("This match no longer exists.")

# Where a match was found (Match.found_by keeps the plain code; pages show these, after the date).
FOUND_BY = {
    "company verification": pgettext_lazy("where a match was found", "company verification"),
    "application submit": pgettext_lazy("where a match was found", "application submit"),
    "tranche request": pgettext_lazy("where a match was found", "tranche request"),
    "utility claim": pgettext_lazy("where a match was found", "utility claim"),
    "nightly sweep": pgettext_lazy("where a match was found", "nightly sweep"),
}
