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

# --- to finance ------------------------------------------------------------------------------------

TO_FINANCE_RETURNED_AFTER_REPAYMENTS = Notice(
    _("Loan %(s)s: disbursement returned after repayments"),
    _("The bank returned payment %(ref)s, but the loan already has repayments. Check it by hand."),
)
