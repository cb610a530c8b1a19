"""What the grants concern tells program officers: one catalogue, each notice lazily translated and
rendered in each officer's own language (core.messages.Notice)."""

from django.utils.translation import gettext_lazy as _

from core.messages import Notice

TO_OFFICERS_SUBMITTED = Notice(
    _("New application %(ref)s to screen"),
    _("%(operator)s submitted %(ref)s (%(amount)s)."),
)
TO_OFFICERS_WITHDRAWN = Notice(
    _("Application %(ref)s withdrawn"),
    _("%(operator)s withdrew %(ref)s."),
)
ON_THE_AGENDA = Notice(
    _("Application %(ref)s is on the board agenda"),
    _("All %(n)s reviews of %(ref)s are in (mean weighted score %(score)s of %(max)s)."),
)
TO_OFFICERS_REVIEWER_CONFLICT = Notice(
    _("Reviewer conflict on %(ref)s: assign another reviewer"),
    _("%(name)s declared a conflict of interest with %(operator)s and is removed from %(ref)s:\n\n%(reason)s"),
)
TO_OFFICERS_AWARD_ACCEPTED = Notice(
    _("Award %(sanction)s accepted"),
    _("%(operator)s accepted award %(sanction)s (%(amount)s) for %(ref)s."),
)
TO_OFFICERS_TRANCHE_TO_VERIFY = Notice(
    _("Tranche %(n)s of %(sanction)s to verify"),
    _("%(operator)s asks for tranche %(n)s (%(amount)s, “%(title)s”) of award %(sanction)s."),
)
TO_OFFICERS_CLAIM_TO_VERIFY = Notice(
    _("Utility claim to verify: %(claim)s"),
    _("%(operator)s claims %(subsidy)s on a bill of %(bill)s for %(month)s (%(space)s)."),
)
