"""Loan servicing: every write to the loan book goes through a function of this package.

One module per sub-domain: `disbursement` (opening, disbursing at once or in parts, finance's hooks),
`repayments` (posting, reversing any with the later ones replayed, the prepayment choice),
`restructuring`, `write_off` (two-person write-off, recoveries), `rebuild` (a schedule rebuilt on top
of the one in force), `balances` (the schedule in force, positions, the daily pass), and `_common`
(who may act, the locked loan, the workflow transition; it imports none of the
others). Every public name is re-exported here, so `from loans import services; services.X` works
whichever module X lives in.

Conventions (as grants/ and finance/): keyword-only, `actor=`, one transaction, the loan row locked
(`select_for_update`) before its state is read, the django-fsm transition, an audit event in the same
transaction, notifications on commit, and a `loans.errors.LoansError` that changes nothing on refusal.

Who may do what (checked here, with the reason; the pages offer only what the person may do):
    program officer or finance maker   loan_request_disbursement (opens the loan for an accepted award)
    finance maker or finance checker   loan_post_repayment, loan_reverse_repayment, collection import
    finance checker                    loan_restructure: a credit decision, so the senior finance role
                                       that already checks every payment; never the person who posts
                                       the money (makers), never the company's own staff
    board chair                        loan_propose_write_off: writing off public money is the board's
                                       call, as lending it was; only a loan more than 90 days past due
                                       (the prudential "loss" threshold starts there), with a reason
    board reviewer, another chair or   loan_confirm_write_off: the second pair of eyes; never the
    the finance checker                proposer (who may only withdraw: loan_withdraw_write_off)
    finance maker or finance checker   loan_post_recovery, loan_reverse_recovery (written-off loans)
    the borrower's people (portal),    loan_choose_prepayment
    or finance at their request
Nobody on the borrower company's staff acts on its loan.

API
    loan_open(*, award, actor) -> Loan                                  (none) -> sanctioned
        terms (markup, tenor, grace months and grace kind) copied from the application's LoanDetails.
    loan_request_disbursement(*, award, actor) -> Loan                  sanctioned -> disbursement_requested
        asks finance.services.payment_request(source=loan, ...); idempotent (the payment's key is the loan).
    disbursement_payment_moved(instruction, from_state, to_state)       the finance hook
        paid: disbursement_requested -> active, award_record_payment, schedule version 1 from the paid
        date (first instalment one month later). Idempotent: a loan already active is left alone, and
        at most one schedule version is current (also a database constraint).
        cancelled: back to sanctioned. A paid disbursement the bank returned: back to
        disbursement_requested, the award's paid total taken back, the schedule no longer current.
    loan_post_repayment(*, loan, actor, amount, received_on, bank_reference, collection=None) -> Repayment
        allocation order in loans/positions.py; more than the payoff is refused with the figures; the
        payoff closes the loan (early when before the last due date).
    loan_reverse_repayment(*, repayment, actor, reason, expect=None) -> Repayment
        any repayment that stands: the later ones are reversed and replayed in order (their splits
        re-derived); `loan_reversal_preview` shows the positions before and after first.
    loan_choose_prepayment(*, repayment, actor, choice, reason, expect=None) -> ScheduleVersion
        SHORTEN or REAMORTISE after a prepayment; `prepayment_options` previews both.
    loan_plan_disbursement(*, award, actor, parts) -> Loan            the parts (date, amount)
    loan_restructure(*, loan, actor, months, grace_months, grace_kind, first_due, reason,
                     annual_rate_percent=None) -> ScheduleVersion
        the outstanding principal plus overdue interest (capitalised) on a new schedule version.
    loan_propose_write_off / loan_confirm_write_off / loan_withdraw_write_off
    loan_post_recovery / loan_reverse_recovery
    loan_refresh_positions(*, as_of, loan_ids=None) -> int              the daily bulk pass
"""

from ._common import (
    DUE_DAY_LATEST,
    WRITE_OFF_MIN_DAYS,
    is_borrower_staff,
    may_post_repayments,
    may_request_disbursement,
    may_restructure,
)
from .balances import current_version, loan_payoff, loan_position, loan_refresh_positions
from .disbursement import (
    disbursement_payment_moved,
    loan_open,
    loan_plan_disbursement,
    loan_request_disbursement,
    part_payment_moved,
)
from .repayments import (
    PrepaymentOptions,
    ReversalPreview,
    Snapshot,
    loan_choose_prepayment,
    loan_fingerprint,
    loan_post_repayment,
    loan_reversal_preview,
    loan_reverse_repayment,
    pending_prepayment,
    prepayment_options,
    snapshot,
)
from .restructuring import loan_restructure
from .write_off import (
    loan_confirm_write_off,
    loan_post_recovery,
    loan_propose_write_off,
    loan_reverse_recovery,
    loan_withdraw_write_off,
    may_confirm_write_off,
    may_post_recoveries,
    may_propose_write_off,
    open_write_off_proposal,
)

__all__ = [
    "DUE_DAY_LATEST",
    "WRITE_OFF_MIN_DAYS",
    "PrepaymentOptions",
    "ReversalPreview",
    "Snapshot",
    "current_version",
    "disbursement_payment_moved",
    "is_borrower_staff",
    "loan_choose_prepayment",
    "loan_confirm_write_off",
    "loan_fingerprint",
    "loan_open",
    "loan_payoff",
    "loan_plan_disbursement",
    "loan_position",
    "loan_post_recovery",
    "loan_post_repayment",
    "loan_propose_write_off",
    "loan_refresh_positions",
    "loan_request_disbursement",
    "loan_restructure",
    "loan_reversal_preview",
    "loan_reverse_recovery",
    "loan_reverse_repayment",
    "loan_withdraw_write_off",
    "may_confirm_write_off",
    "may_post_recoveries",
    "may_post_repayments",
    "may_propose_write_off",
    "may_request_disbursement",
    "may_restructure",
    "open_write_off_proposal",
    "part_payment_moved",
    "pending_prepayment",
    "prepayment_options",
    "snapshot",
]
