"""Loan servicing: every write to the loan book goes through a function of this package.

One module per sub-domain: `disbursement` (opening, disbursing, finance's hook), `repayments`,
`restructuring` (restructure, write off), `balances` (the schedule in force, positions, the daily
pass), and `_common` (who may act, the locked loan, the workflow transition; it imports none of the
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
    board chair                        loan_write_off: writing off public money is the board's call, as
                                       lending it was; only a loan more than 90 days past due (the
                                       prudential "loss" threshold starts there), always with a reason
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
    loan_reverse_repayment(*, repayment, actor, reason) -> Repayment    the latest repayment only
    loan_restructure(*, loan, actor, months, grace_months, grace_kind, first_due, reason,
                     annual_rate_percent=None) -> ScheduleVersion
        the outstanding principal plus overdue interest (capitalised) on a new schedule version.
    loan_write_off(*, loan, actor, reason) -> Loan
    loan_refresh_positions(*, as_of, loan_ids=None) -> int              the daily bulk pass
"""

from ._common import (
    DUE_DAY_LATEST,
    WRITE_OFF_MIN_DAYS,
    is_borrower_staff,
    may_post_repayments,
    may_request_disbursement,
    may_restructure,
    may_write_off,
)
from .balances import current_version, loan_payoff, loan_position, loan_refresh_positions
from .disbursement import disbursement_payment_moved, loan_open, loan_request_disbursement
from .repayments import loan_post_repayment, loan_reverse_repayment
from .restructuring import loan_restructure, loan_write_off

__all__ = [
    "DUE_DAY_LATEST",
    "WRITE_OFF_MIN_DAYS",
    "current_version",
    "disbursement_payment_moved",
    "is_borrower_staff",
    "loan_open",
    "loan_payoff",
    "loan_position",
    "loan_post_repayment",
    "loan_refresh_positions",
    "loan_request_disbursement",
    "loan_restructure",
    "loan_reverse_repayment",
    "loan_write_off",
    "may_post_repayments",
    "may_request_disbursement",
    "may_restructure",
    "may_write_off",
]
