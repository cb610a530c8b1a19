"""What the one-window desk tells people, as data (core.messages.Notice), rendered per recipient in
their own language."""

from django.utils.translation import gettext_lazy as _

from core.messages import Notice

REQUEST_SUBMITTED = Notice(
    _("New request %(reference)s: %(service)s"),
    _("%(operator)s asks for %(service)s (%(reference)s). It is due by %(due)s."),
)
REQUEST_WITHDRAWN = Notice(
    _("Request %(reference)s withdrawn"),
    _("%(operator)s has withdrawn its request for %(service)s (%(reference)s)."),
)
REQUEST_INFO_REQUESTED = Notice(
    _("%(department)s asks about your request %(reference)s"),
    _(
        "%(department)s asks, about your request for %(service)s: %(question)s\n\nAnswer on the request's page; "
        "the department's clock is stopped until you do."
    ),
)
REQUEST_ANSWERED = Notice(
    _("Answer on request %(reference)s"),
    _("%(operator)s has answered your question on %(reference)s. The clock runs again: due by %(due)s."),
)
REQUEST_ISSUED = Notice(
    _("Issued: %(service)s (%(reference)s)"),
    _("%(department)s has issued %(service)s, number %(number)s. Download it from the request's page."),
)
CERTIFICATE_CORRECTED = Notice(
    _("Corrected: %(service)s (%(reference)s)"),
    _("%(department)s has issued a correction of %(service)s: the new number is %(number)s. Both are kept."),
)
REQUEST_REFUSED = Notice(
    _("Refused: %(service)s (%(reference)s)"),
    _("%(department)s has refused your request for %(service)s: %(reason)s (rule: %(rule)s)."),
)
REQUEST_LATE_COORDINATOR = Notice(
    _("Late: %(reference)s at %(department)s"),
    _("%(operator)s's request for %(service)s (%(reference)s) was due by %(due)s and is %(days)s working days late."),
)
REQUEST_LATE_OPERATOR = Notice(
    _("Your request %(reference)s is late"),
    _(
        "%(department)s promised %(service)s by %(due)s. It is %(days)s working days late; the program's one-window "
        "coordinator has been told and follows it up."
    ),
)
CERTIFICATE_EXPIRING = Notice(
    _("%(service)s expires on %(until)s"),
    _(
        "Your %(service)s, number %(number)s, is valid until %(until)s. Ask for its renewal in time from the "
        "one-window page."
    ),
)
