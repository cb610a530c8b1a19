"""Applications: every write goes through a function here.

The service API (issue 3)
=========================

All functions are keyword-only, take the acting person as `actor=`, run in one transaction, lock the
application row (`select_for_update`) before looking at its state, write an audit event
(`audit.services.audit_record`) in the same transaction, and queue notifications with
`transaction.on_commit`. They return the *fresh, locked* instance: use the return value, not the
object you passed in. On refusal they raise a `grants.errors.GrantsError` and change nothing:

- `PermissionDenied` — not this person (another company's application, wrong role, or a member of
  the applying company acting as staff: an applicant never screens or decides their own case);
- `InvalidTransition` — not in this state (including losing a race to a simultaneous transition);
- `ValidationFailed` — the input breaks a rule or something is missing; `.messages` lists every
  problem, `.field_errors` maps form fields to their messages.

Operator (a member of `application.operator`):
    application_create(*, actor, call, operator, space=None) -> Application
        grant / soft loan: `space` required (one of the operator's); utility subsidy: `space=None`,
        the spaces come with application_save_utility_connections.
    application_save_grant_details(*, application, actor, purpose, amount_requested, own_contribution)
    application_save_budget_lines(*, application, actor, lines)           # [{"description", "amount"}]
    application_save_milestones(*, application, actor, milestones)       # [{"title", "amount", "due_date"}]
    application_save_loan_details(*, application, actor, amount, tenure_months, grace_months, purpose,
                                  equity_contribution, grace_kind="interest_only")
                                  # tier and markup looked up; grace_kind "interest_only" | "none"
    application_save_utility_connections(*, application, actor, connections)
                                  # [{"space", "disco", "bill_reference", "average_monthly_bill"}]
    application_upload_document(*, application, actor, document_type, file) -> ApplicationDocument
    application_remove_document(*, document, actor)
    application_submit(*, application, actor)                      draft -> submitted
    application_answer_information(*, application, actor, answer) info_requested -> screening
    application_withdraw(*, application, actor, reason="")         any open state -> withdrawn
    Sections and documents may be changed in `draft` and in `info_requested` (answering a question
    may mean correcting the budget or a document), never otherwise.

Program officer:
    application_start_screening(*, application, actor)                submitted -> screening
    application_request_information(*, application, actor, question)  screening -> info_requested
    application_screen_out(*, application, actor, reason)             screening -> screened_out
    application_send_to_review(*, application, actor)                 screening -> in_review
        (every eligibility check passes and no question is open)

Review and decision (issue 4), re-exported here: grants/services/reviews.py (review_assign,
review_declare, review_submit (-> recommended when the last review is in)) and
grants/services/decisions.py (board_meeting_record, board_decision_record (-> approved | rejected |
deferred), application_approve_delegated (utility enrolments within the officer's delegated limit),
budget_commitment_reverse, award_accept). See those modules' docstrings.

The award's end and the budget (issue #22), re-exported here: grants/services/awards.py (award_complete,
award_termination_propose / _withdraw / _confirm), grants/services/budget.py (commitment_row_write, the
one writer of the commitment ledger and its journal entries; budget_release, award_recommit,
budget_allocation_set, award_payment_refusal) and grants/services/year_end.py (fiscal_year_close).

Paying awards (issue 5), re-exported here: grants/services/payments.py (grant tranches) and
grants/services/utility_claims.py; finance's hooks are registered by grants/services/hooks.py.

Layout: one module per sub-domain (applications, application_sections, reviews, decisions, payments,
utility_claims); the helpers they share are in _common.py, which imports none of them. This module only
re-exports, explicitly, so `from grants import services; services.application_submit(...)` works.

Reads (queues, dashboards, the detail page, object-level visibility) are in grants/selectors/; the
task list in grants/sections.py; the officer's eligibility list in grants/eligibility.py.

Notification links: `application_url()` reverses `grants:portal_application` (operators) and
`grants:workbench_application` (staff) with `reference=`; until those views exist links are empty.
"""

# The errors the services raise, so callers may write `services.PermissionDenied`.
from ..errors import GrantsError, InvalidTransition, PermissionDenied, ValidationFailed
from ._common import (
    EDITABLE_STATES,
    MAX_MONTHLY_BILL,
    MAX_ROWS,
    MAX_TEXT,
    application_url,
    refuse_repeated_upload,
)
from .application_sections import (
    BudgetLineInput,
    MilestoneInput,
    UtilityConnectionInput,
    application_save_budget_lines,
    application_save_grant_details,
    application_save_loan_details,
    application_save_milestones,
    application_save_utility_connections,
    loan_tier_for,
    utility_estimate,
)
from .applications import (
    application_answer_information,
    application_create,
    application_remove_document,
    application_request_information,
    application_screen_out,
    application_send_to_review,
    application_start_screening,
    application_submit,
    application_upload_document,
    application_withdraw,
)
from .awards import (
    award_complete,
    award_termination_confirm,
    award_termination_propose,
    award_termination_withdraw,
)
from .budget import (
    award_payment_refusal,
    award_recommit,
    award_require_payable,
    budget_allocation_set,
    budget_release,
    commitment_row_write,
)
from .decisions import (
    application_approve_delegated,
    award_accept,
    board_decision_record,
    board_meeting_record,
    budget_commitment_reverse,
)
from .hooks import (
    register_payment_hooks,
)
from .payments import (
    tranche_pay_again,
    tranche_payment_moved,
    tranche_request,
    tranche_return,
    tranche_schedule_create,
    tranche_verify,
)
from .reuse import application_reuse_document, documents_to_reuse
from .reviews import (
    STANDARD_RUBRIC,
    review_assign,
    review_declare,
    review_submit,
    reviewer_refusal,
    rubric_ensure,
)
from .utility_claims import (
    claim_payment_moved,
    month_label,
    utility_claim_approve,
    utility_claim_pay_again,
    utility_claim_reject,
    utility_claim_submit,
    utility_claim_verify,
    utility_subsidy_for,
)
from .year_end import YearEndReport, finished_fiscal_year, fiscal_year_close

__all__ = [
    "application_reuse_document",
    "documents_to_reuse",
    "GrantsError",
    "InvalidTransition",
    "PermissionDenied",
    "ValidationFailed",
    "application_answer_information",
    "application_approve_delegated",
    "application_create",
    "application_remove_document",
    "application_request_information",
    "application_save_budget_lines",
    "application_save_grant_details",
    "application_save_loan_details",
    "application_save_milestones",
    "application_save_utility_connections",
    "application_screen_out",
    "application_send_to_review",
    "application_start_screening",
    "application_submit",
    "application_upload_document",
    "application_url",
    "application_withdraw",
    "award_accept",
    "award_complete",
    "award_payment_refusal",
    "award_recommit",
    "award_require_payable",
    "award_termination_confirm",
    "award_termination_propose",
    "award_termination_withdraw",
    "budget_allocation_set",
    "budget_release",
    "commitment_row_write",
    "finished_fiscal_year",
    "fiscal_year_close",
    "YearEndReport",
    "board_decision_record",
    "board_meeting_record",
    "budget_commitment_reverse",
    "BudgetLineInput",
    "claim_payment_moved",
    "EDITABLE_STATES",
    "loan_tier_for",
    "MAX_MONTHLY_BILL",
    "MAX_ROWS",
    "MAX_TEXT",
    "MilestoneInput",
    "month_label",
    "refuse_repeated_upload",
    "register_payment_hooks",
    "review_assign",
    "review_declare",
    "review_submit",
    "reviewer_refusal",
    "rubric_ensure",
    "STANDARD_RUBRIC",
    "tranche_pay_again",
    "tranche_payment_moved",
    "tranche_request",
    "tranche_return",
    "tranche_schedule_create",
    "tranche_verify",
    "utility_claim_approve",
    "utility_claim_pay_again",
    "utility_claim_reject",
    "utility_claim_submit",
    "utility_claim_verify",
    "utility_estimate",
    "utility_subsidy_for",
    "UtilityConnectionInput",
]
