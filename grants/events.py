"""The audit events of the grants concern: one catalogue, never a formatted string. The value is what
the audit log and the timelines store."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class GrantsEvent(models.TextChoices):
    # Applications: edits by the applicant ...
    APPLICATION_CREATE = "application.create", _("Application started")
    APPLICATION_SAVE_GRANT_DETAILS = "application.save_grant_details", _("Grant details saved")
    APPLICATION_SAVE_BUDGET_LINES = "application.save_budget_lines", _("Budget saved")
    APPLICATION_SAVE_MILESTONES = "application.save_milestones", _("Milestones saved")
    APPLICATION_SAVE_LOAN_DETAILS = "application.save_loan_details", _("Loan terms saved")
    APPLICATION_SAVE_UTILITY_CONNECTIONS = "application.save_utility_connections", _("Connections saved")
    APPLICATION_UPLOAD_DOCUMENT = "application.upload_document", _("Document uploaded")
    APPLICATION_REMOVE_DOCUMENT = "application.remove_document", _("Document removed")
    # ... and the state machine (grants.models.Application).
    APPLICATION_SUBMIT = "application.submit", _("Submitted")
    APPLICATION_ANSWER_INFORMATION = "application.answer_information", _("Information given")
    APPLICATION_WITHDRAW = "application.withdraw", _("Withdrawn")
    APPLICATION_START_SCREENING = "application.start_screening", _("Screening started")
    APPLICATION_REQUEST_INFORMATION = "application.request_information", _("Information requested")
    APPLICATION_SCREEN_OUT = "application.screen_out", _("Screened out")
    APPLICATION_SEND_TO_REVIEW = "application.send_to_review", _("Sent to review")
    APPLICATION_ASSIGN_REVIEWERS = "application.assign_reviewers", _("Reviewers assigned")
    APPLICATION_RECOMMEND = "application.recommend", _("All reviews in: recommended to the board")
    APPLICATION_APPROVE = "application.approve", _("Approved by the board")
    APPLICATION_APPROVE_DELEGATED = (
        "application.approve_delegated",
        _("Approved by the program officer (delegated limit)"),
    )
    APPLICATION_REJECT = "application.reject", _("Not approved by the board")
    APPLICATION_DEFER = "application.defer", _("Board decision deferred")
    # Reviews, the board, budget and awards.
    REVIEW_DECLARE_NO_CONFLICT = "review.declare_no_conflict", _("Reviewer declared no conflict of interest")
    REVIEW_DECLARE_CONFLICT = "review.declare_conflict", _("Reviewer declared a conflict of interest")
    REVIEW_SUBMIT = "review.submit", _("Review submitted")
    BOARD_MEETING_RECORD = "board_meeting.record", _("Board meeting recorded")
    BUDGET_COMMIT = "budget.commit", _("Budget committed")
    BUDGET_REVERSE = "budget.reverse", _("Budget commitment reversed")
    AWARD_OFFER = "award.offer", _("Award offered")
    AWARD_ACCEPT = "award.accept", _("Award accepted")
    # The award's end and the budget after it (issue #22).
    AWARD_COMPLETE = "award.complete", _("Award completed")
    AWARD_TERMINATION_PROPOSE = "award.termination_propose", _("Termination of the award proposed")
    AWARD_TERMINATION_WITHDRAW = "award.termination_withdraw", _("Proposed termination withdrawn")
    AWARD_TERMINATE = "award.terminate", _("Award terminated (confirmed by a second board member)")
    BUDGET_RELEASE = "budget.release", _("Unpaid commitment released")
    BUDGET_RECOMMIT = "budget.recommit", _("Budget re-committed against a new year's allocation")
    BUDGET_LAPSE = "budget.lapse", _("Unpaid commitment lapsed at year end")
    BUDGET_CARRY_FORWARD = "budget.carry_forward", _("Unpaid commitment carried forward into the new year")
    BUDGET_ALLOCATION_SET = "budget.allocation_set", _("Budget allocation set")
    FISCAL_YEAR_CLOSE = "budget.fiscal_year_close", _("Fiscal year closed")
    # Tranches and utility claims (recorded on their application's timeline).
    TRANCHE_SCHEDULE = "tranche.schedule", _("Tranche schedule made")
    TRANCHE_REQUEST = "tranche.request", _("Tranche requested")
    TRANCHE_RETURN = "tranche.return", _("Tranche evidence returned")
    TRANCHE_VERIFY = "tranche.verify", _("Tranche verified: payment requested")
    TRANCHE_PAID = "tranche.paid", _("Tranche paid")
    TRANCHE_PAYMENT_RETURNED = "tranche.payment_returned", _("Tranche payment returned by the bank")
    TRANCHE_PAY_AGAIN = "tranche.pay_again", _("Tranche payment asked for again")
    TRANCHE_CANCEL = "tranche.cancel", _("Tranche cancelled: award ended")
    CLAIM_SUBMIT = "claim.submit", _("Utility claim filed")
    CLAIM_VERIFY = "claim.verify", _("Utility claim verified")
    CLAIM_APPROVE = "claim.approve", _("Utility claim approved: payment requested")
    CLAIM_REJECT = "claim.reject", _("Utility claim rejected")
    CLAIM_PAID = "claim.paid", _("Utility claim paid")
    CLAIM_PAYMENT_RETURNED = "claim.payment_returned", _("Utility claim payment returned by the bank")
    CLAIM_PAY_AGAIN = "claim.pay_again", _("Utility claim payment asked for again")


# The event of each Application transition, by the transition's name.
APPLICATION_EVENT = {
    event.value.removeprefix("application."): event for event in GrantsEvent if event.startswith("application.")
}


# The adverse acts on a company's cases (issue #15, the retaliation guard): an official named in an
# open grievance of that company does not take them alone (grants.services._common.retaliation_guard).
# Keyed by (model name, transition); the value is the event the act records, which the integrity desk
# reads back (integrity.selectors.grievances.adverse_acts). A review's submit is adverse only when it
# recommends rejection.
ADVERSE_ACTS: dict[tuple[str, str], GrantsEvent] = {
    ("application", "screen_out"): GrantsEvent.APPLICATION_SCREEN_OUT,
    ("review", "submit"): GrantsEvent.REVIEW_SUBMIT,
    ("utilityclaim", "reject"): GrantsEvent.CLAIM_REJECT,
    ("tranche", "send_back"): GrantsEvent.TRANCHE_RETURN,
}
