"""The audit events of the grants concern: one catalogue, never a formatted string. The value is what
the audit log and the timelines store."""

from django.db import models


class GrantsEvent(models.TextChoices):
    # Applications: edits by the applicant ...
    APPLICATION_CREATE = "application.create"
    APPLICATION_SAVE_GRANT_DETAILS = "application.save_grant_details"
    APPLICATION_SAVE_BUDGET_LINES = "application.save_budget_lines"
    APPLICATION_SAVE_MILESTONES = "application.save_milestones"
    APPLICATION_SAVE_LOAN_DETAILS = "application.save_loan_details"
    APPLICATION_SAVE_UTILITY_CONNECTIONS = "application.save_utility_connections"
    APPLICATION_UPLOAD_DOCUMENT = "application.upload_document"
    APPLICATION_REMOVE_DOCUMENT = "application.remove_document"
    # ... and the state machine (grants.models.Application).
    APPLICATION_SUBMIT = "application.submit"
    APPLICATION_ANSWER_INFORMATION = "application.answer_information"
    APPLICATION_WITHDRAW = "application.withdraw"
    APPLICATION_START_SCREENING = "application.start_screening"
    APPLICATION_REQUEST_INFORMATION = "application.request_information"
    APPLICATION_SCREEN_OUT = "application.screen_out"
    APPLICATION_SEND_TO_REVIEW = "application.send_to_review"
    APPLICATION_ASSIGN_REVIEWERS = "application.assign_reviewers"
    APPLICATION_RECOMMEND = "application.recommend"
    APPLICATION_APPROVE = "application.approve"
    APPLICATION_APPROVE_DELEGATED = "application.approve_delegated"
    APPLICATION_REJECT = "application.reject"
    APPLICATION_DEFER = "application.defer"
    # Reviews, the board, budget and awards.
    REVIEW_DECLARE_NO_CONFLICT = "review.declare_no_conflict"
    REVIEW_DECLARE_CONFLICT = "review.declare_conflict"
    REVIEW_SUBMIT = "review.submit"
    BOARD_MEETING_RECORD = "board_meeting.record"
    BUDGET_COMMIT = "budget.commit"
    BUDGET_REVERSE = "budget.reverse"
    AWARD_OFFER = "award.offer"
    AWARD_ACCEPT = "award.accept"
    # Tranches and utility claims (recorded on their application's timeline).
    TRANCHE_SCHEDULE = "tranche.schedule"
    TRANCHE_REQUEST = "tranche.request"
    TRANCHE_RETURN = "tranche.return"
    TRANCHE_VERIFY = "tranche.verify"
    TRANCHE_PAID = "tranche.paid"
    TRANCHE_PAYMENT_RETURNED = "tranche.payment_returned"
    TRANCHE_PAY_AGAIN = "tranche.pay_again"
    CLAIM_SUBMIT = "claim.submit"
    CLAIM_VERIFY = "claim.verify"
    CLAIM_APPROVE = "claim.approve"
    CLAIM_REJECT = "claim.reject"
    CLAIM_PAID = "claim.paid"
    CLAIM_PAYMENT_RETURNED = "claim.payment_returned"
    CLAIM_PAY_AGAIN = "claim.pay_again"


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
