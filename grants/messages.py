"""What the grants concern tells program officers, reviewers and operators' people: one catalogue, each
notice lazily translated and rendered in each recipient's own language (core.messages.Notice)."""

from django.utils.translation import gettext_lazy as _

from core.messages import Notice

# --- to the program officers ----------------------------------------------------------------------

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

# --- to the operator's people ----------------------------------------------------------------------

TO_OPERATOR_SUBMITTED = Notice(
    _("Application %(ref)s submitted"),
    _("We received application %(ref)s to %(call)s. You can follow its progress and clock in the portal."),
)
TO_OPERATOR_WITHDRAWN = Notice(
    _("Application %(ref)s withdrawn"),
    _("Application %(ref)s has been withdrawn. You can start a new application while the call is open."),
)
TO_OPERATOR_SCREENING = Notice(
    _("Application %(ref)s is being screened"),
    _("A program officer has started screening %(ref)s."),
)
TO_OPERATOR_INFORMATION_REQUESTED = Notice(
    _("Application %(ref)s: information requested"),
    _("The program officer asks:\n\n%(question)s\n\nThe clock is paused until you answer."),
)
TO_OPERATOR_SCREENED_OUT = Notice(
    _("Application %(ref)s was not taken forward"),
    _("Application %(ref)s was screened out:\n\n%(reason)s"),
)
TO_OPERATOR_SENT_TO_REVIEW = Notice(
    _("Application %(ref)s passed screening"),
    _("Application %(ref)s met the program's eligibility rules and goes to review."),
)
TO_OPERATOR_APPROVED = Notice(
    _("Application %(ref)s approved"),
    _(
        "Application %(ref)s is approved: award %(sanction)s for %(amount)s. Download the award letter and "
        "accept the award in the portal."
    ),
)
# Follows TO_OPERATOR_APPROVED's body when the award has conditions (then the conditions as typed).
AWARD_CONDITIONS = _("Conditions:")
TO_OPERATOR_REJECTED = Notice(
    _("Decision on application %(ref)s"),
    _("The approval board did not approve application %(ref)s. Its reasons:\n\n%(reasons)s"),
)
# The board's reasons, when it gave any, follow the body as typed.
TO_OPERATOR_DEFERRED = Notice(
    _("Application %(ref)s deferred"),
    _("The approval board deferred its decision on %(ref)s to a later meeting."),
)
TO_OPERATOR_TRANCHE_RETURNED = Notice(
    _("Tranche %(n)s of %(sanction)s: evidence returned"),
    _("The program officer returned your request for tranche %(n)s: %(reason)s"),
)
TO_OPERATOR_TRANCHE_VERIFIED = Notice(
    _("Tranche %(n)s of %(sanction)s verified"),
    _("Tranche %(n)s (%(amount)s) is verified and with finance for payment, reference %(ref)s."),
)
TO_OPERATOR_TRANCHE_PAID = Notice(
    _("Tranche %(n)s of %(sanction)s paid"),
    _("The bank has paid tranche %(n)s, %(amount)s, to your account (payment %(ref)s)."),
)
TO_OPERATOR_CLAIM_APPROVED = Notice(
    _("Utility claim approved: %(bill)s"),
    _("Your claim for %(month)s is approved: %(subsidy)s, with finance for payment, reference %(ref)s."),
)
TO_OPERATOR_CLAIM_REJECTED = Notice(
    _("Utility claim rejected: %(bill)s"),
    _("Your claim for %(month)s was rejected: %(reason)s"),
)

# --- to one officer or reviewer --------------------------------------------------------------------

TO_ASKER_INFORMATION_RECEIVED = Notice(
    _("Application %(ref)s: information received"),
    _("%(operator)s answered your question on %(ref)s."),
)
TO_REVIEWERS_ASSIGNED = Notice(
    _("Please review application %(ref)s"),
    _(
        "You are asked to review %(ref)s (%(program)s). First declare whether you have a conflict of "
        "interest with the applicant; then score it against the program's rubric."
    ),
)

# --- the award's end (issue #22) -------------------------------------------------------------------

TO_BOARD_TERMINATION_PROPOSED = Notice(
    _("Termination of award %(sanction)s proposed: a second board member confirms"),
    _(
        "The board chair proposes to terminate award %(sanction)s of %(operator)s. The reason:\n\n%(reason)s\n\n"
        "A second board member (not the proposer) confirms or leaves it in the workbench's award page."
    ),
)
TO_OPERATOR_AWARD_TERMINATED = Notice(
    _("Award %(sanction)s terminated"),
    _(
        "The approval board has terminated award %(sanction)s. Its reason:\n\n%(reason)s\n\nTranches not yet with "
        "finance will not be paid; payments already with finance go ahead. You can read this on your award's page."
    ),
)
TO_OPERATOR_AWARD_COMPLETED = Notice(
    _("Award %(sanction)s completed"),
    _("The program officer marked award %(sanction)s completed, with %(amount)s paid. Thank you."),
)
TO_OFFICERS_AWARD_TERMINATED = Notice(
    _("Award %(sanction)s terminated"),
    _("Award %(sanction)s of %(operator)s is terminated; %(amount)s of its budget was released. Reason:\n\n%(reason)s"),
)
