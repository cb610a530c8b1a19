"""What the integrity concern tells people, as data (core.messages.Notice): lazily translated, rendered
per recipient in their own language by notifications.services.notify.

Visits first, then grievances. A notice about a grievance never names the filer to anyone but the
integrity office.
"""

from django.utils.translation import gettext_lazy as _

from core.messages import Notice

# --- visits -----------------------------------------------------------------------------------------

VISIT_REQUESTED = Notice(
    _("Visit requested: %(department)s at %(space)s on %(date)s"),
    _(
        "%(inspector)s (%(designation)s, %(department)s) asks to visit %(space)s on %(date)s, %(start)s–%(end)s, "
        "for: %(purpose)s. Schedule it, join it to another visit, or refuse it with a reason (%(reference)s)."
    ),
)
VISIT_SCHEDULED_OPERATOR = Notice(
    _("Registered visit on %(date)s: %(department)s, code %(code)s"),
    _(
        "%(inspector)s (%(designation)s, %(department)s) will visit %(space)s on %(date)s between %(start)s and "
        "%(end)s, for: %(purpose)s. The visit's code is %(code)s: ask the official for it and check it on "
        "Sahulat's visit check page. Nobody may ask you for money, a gift or a favour; if anyone does, say so in "
        "your answer to the visit or file a grievance."
    ),
)
VISIT_SCHEDULED_INSPECTOR = Notice(
    _("Your visit %(reference)s is scheduled for %(date)s"),
    _(
        "Your visit to %(space)s is scheduled for %(date)s, %(start)s–%(end)s. Its code is %(code)s: show it "
        "to the operator. File the outcome in Sahulat after the visit."
    ),
)
VISIT_REFUSED = Notice(
    _("Visit %(reference)s refused"),
    _("Your request to visit %(space)s on %(date)s was refused: %(reason)s"),
)
VISIT_CANCELLED = Notice(
    _("Visit %(reference)s cancelled"),
    _(
        "The visit of %(department)s to %(space)s on %(date)s is cancelled: %(reason)s. Its code %(code)s no "
        "longer stands: nobody should come on its strength."
    ),
)
VISIT_OUTCOME_FILED = Notice(
    _("Tell us how the visit %(reference)s went"),
    _(
        "%(inspector)s of %(department)s has filed the outcome of the visit to %(space)s on %(date)s. Please "
        "answer by %(due)s: did it happen as registered, were you asked for money, a gift or a favour, and how "
        "were you treated."
    ),
)
VISIT_NO_SHOW = Notice(
    _("Visit %(reference)s: nobody came"),
    _("The operator of %(space)s says nobody came for the visit of %(department)s on %(date)s."),
)


# --- grievances ------------------------------------------------------------------------------------

GRIEVANCE_FILED = Notice(
    subject=_("New grievance %(reference)s"),
    body=_(
        "A grievance was filed (%(channel)s). Acknowledge it by %(ack_due)s; it is to be resolved by "
        "%(resolve_due)s. Open the integrity desk to read it."
    ),
)
GRIEVANCE_RECEIVED = Notice(
    subject=_("Your grievance %(reference)s was received"),
    body=_(
        "Only the program's integrity officers read it. It will be acknowledged by %(ack_due)s and, we aim, "
        "resolved by %(resolve_due)s. You can follow it on your grievances page."
    ),
)
GRIEVANCE_ASSIGNED = Notice(
    subject=_("Grievance %(reference)s is assigned to you"),
    body=_("You handle grievance %(reference)s. It is to be resolved by %(resolve_due)s."),
)
GRIEVANCE_STATE_CHANGED = Notice(
    subject=_("Your grievance %(reference)s: %(state)s"),
    body=_("Your grievance %(reference)s is now: %(state)s. Open it to read what the integrity office wrote."),
)
GRIEVANCE_REPLIED = Notice(
    subject=_("A reply on your grievance %(reference)s"),
    body=_("The integrity office replied on your grievance %(reference)s. Open it to read the reply."),
)
GRIEVANCE_REOPENED = Notice(
    subject=_("Grievance %(reference)s was reopened by its filer"),
    body=_("The filer reopened grievance %(reference)s. It is to be resolved by %(resolve_due)s."),
)
GRIEVANCE_APPEALED = Notice(
    subject=_("Appeal on grievance %(reference)s"),
    body=_(
        "The filer rated the handling of grievance %(reference)s %(rating)s out of 5, which opens an appeal to "
        "you. Read the grievance and decide the appeal."
    ),
)
GRIEVANCE_APPEAL_DECIDED = Notice(
    subject=_("The appeal on your grievance %(reference)s is decided"),
    body=_("The head of integrity decided your appeal on grievance %(reference)s: %(outcome)s."),
)
GRIEVANCE_LATE_ACKNOWLEDGEMENT = Notice(
    subject=_("Grievance %(reference)s was not acknowledged in time"),
    body=_(
        "Grievance %(reference)s was to be acknowledged by %(due)s (%(days)s working days after it was filed) "
        "and has not been. It is escalated to you."
    ),
)
GRIEVANCE_LATE_RESOLUTION = Notice(
    subject=_("Grievance %(reference)s was not resolved in time"),
    body=_(
        "Grievance %(reference)s was to be resolved by %(due)s and is still open (%(state)s). It is escalated to you."
    ),
)
GRIEVANCE_DELAYED = Notice(
    subject=_("Your grievance %(reference)s is taking longer than promised"),
    body=_(
        "Your grievance %(reference)s was not handled by %(due)s as promised. The head of integrity has been told "
        "and follows it up. We are sorry for the delay."
    ),
)
