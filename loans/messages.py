"""What the loans concern tells borrowers' people and finance: one catalogue, each notice lazily
translated and rendered in each recipient's own language (core.messages.Notice)."""

from django.utils.translation import gettext_lazy as _

from core.messages import Notice

# --- to the borrower's people ----------------------------------------------------------------------

TO_BORROWER_DISBURSEMENT_REQUESTED = Notice(
    _("Loan %(s)s: disbursement requested"),
    _(
        "Finance has been asked to pay %(amount)s to your account. Your repayment schedule starts when "
        "the bank has paid."
    ),
)
TO_BORROWER_DISBURSED = Notice(
    _("Loan %(s)s disbursed: your repayment schedule"),
    _(
        "%(amount)s was paid to your account on %(day)s. Your first payment of %(first)s is due on "
        "%(due)s. See the schedule in the portal."
    ),
)
TO_BORROWER_REPAYMENT_RECEIVED = Notice(
    _("Loan %(s)s: repayment received"),
    _(
        "We received %(amount)s on %(day)s (reference %(ref)s): %(principal)s to principal, %(interest)s to "
        "interest. Outstanding principal: %(outstanding)s."
    ),
)
# Follows TO_BORROWER_REPAYMENT_RECEIVED's body when the repayment closed the loan.
LOAN_CLOSED = _("The loan is repaid in full and closed.")
TO_BORROWER_RESTRUCTURED = Notice(
    _("Loan %(s)s restructured"),
    _(
        "Your loan is rescheduled: %(principal)s over %(months)d months, the first instalment due on "
        "%(due)s. Reason: %(reason)s"
    ),
)
TO_BORROWER_WRITTEN_OFF = Notice(
    _("Loan %(s)s written off"),
    _("The board has written off your loan's outstanding principal of %(amount)s. Reason: %(reason)s"),
)

# Follows TO_BORROWER_REPAYMENT_RECEIVED's body when the repayment paid more than was due.
PREPAYMENT_CHOOSE = _(
    "You paid more than was due: choose in the portal whether to shorten the tenor (same instalment, fewer "
    "months) or to lower the instalment (same end date)."
)
TO_BORROWER_REPAYMENT_REVERSED = Notice(
    _("Loan %(s)s: repayment reversed"),
    _(
        "Your repayment of %(amount)s received on %(day)s (reference %(ref)s) is reversed. Reason: %(reason)s. "
        "Repayments received after it were split again on your schedule: %(replayed)d."
    ),
)
TO_BORROWER_PREPAYMENT_SCHEDULE = Notice(
    _("Loan %(s)s: your schedule after the prepayment"),
    _("%(choice)s: the instalment is now %(instalment)s, the last one due on %(end)s (%(months)d months)."),
)
TO_BORROWER_PART_DISBURSED = Notice(
    _("Loan %(s)s: part %(n)d of the disbursement paid"),
    _(
        "%(amount)s was paid to your account on %(day)s. Your schedule is rebuilt from that day: the next "
        "instalment is %(first)s, due on %(due)s. See the schedule in the portal."
    ),
)
TO_BORROWER_RECOVERY = Notice(
    _("Loan %(s)s: payment received after the write-off"),
    _("We received %(amount)s on %(day)s (reference %(ref)s) towards your written-off loan."),
)

# --- to the people who confirm a write-off -----------------------------------------------------------

TO_CONFIRMERS_WRITE_OFF_PROPOSED = Notice(
    _("Loan %(s)s: write-off proposed, a second person confirms"),
    _(
        "%(proposer)s proposed writing off %(amount)s of principal (%(days)d days past due). Reason: %(reason)s. "
        "A board member or the finance checker other than the proposer confirms it; the proposer may withdraw it."
    ),
)

# --- to finance ------------------------------------------------------------------------------------

TO_FINANCE_RETURNED_AFTER_REPAYMENTS = Notice(
    _("Loan %(s)s: disbursement returned after repayments"),
    _("The bank returned payment %(ref)s, but the loan already has repayments. Check it by hand."),
)
