"""Who may act in the grants concern: one table per state machine (applications, reviews, awards,
tranches, utility claims), role × action. Read by the `@transition(permission=)` predicates in
grants.models (which add the object-level rule: the operator's own staff act for their company, staff
never act on a company they belong to), by the views that show an action, and by the permission-matrix
tests. The state each action starts from is the transition's own `source`.
"""

from django.utils.translation import gettext_lazy as _

from accounts.roles import (
    BOARD_CHAIR,
    BOARD_REVIEWER,
    FINANCE_CHECKER,
    FINANCE_MAKER,
    OPERATOR,
    PROGRAM_OFFICER,
)
from core.workflow import PermissionTable, Rule

# The applicant company's own people act for it, whatever role they also hold (Rule.members).
APPLICANT = frozenset({OPERATOR})
OFFICER = frozenset({PROGRAM_OFFICER})
CHAIR = frozenset({BOARD_CHAIR})
REVIEWER = frozenset({BOARD_REVIEWER})
# Finance moves a payment; the tranche or claim it pays follows in the same transaction.
FINANCE = frozenset({FINANCE_MAKER, FINANCE_CHECKER})
BOARD = CHAIR | REVIEWER

ONLY_APPLICANT = _("Only the applicant company's staff may do this.")
ONLY_OFFICER = _("Only a program officer may do this.")
ONLY_CHAIR = _("Only the board chair may record the board's decision.")
ONLY_FINANCE = _("Only finance staff may do this.")

APPLICATIONS = PermissionTable.of(
    "applications",
    [
        Rule("submit", APPLICANT, ONLY_APPLICANT, members=True),
        Rule("answer_information", APPLICANT, ONLY_APPLICANT, members=True),
        Rule("withdraw", APPLICANT, ONLY_APPLICANT, members=True),
        Rule("start_screening", OFFICER, ONLY_OFFICER),
        Rule("request_information", OFFICER, ONLY_OFFICER),
        Rule("screen_out", OFFICER, ONLY_OFFICER),
        Rule("send_to_review", OFFICER, ONLY_OFFICER),
        # Not transitions (the application stays in its state): the services read these rows too.
        Rule("assign_reviewers", OFFICER, ONLY_OFFICER, states=frozenset({"in_review"})),
        Rule("defer", CHAIR, ONLY_CHAIR, states=frozenset({"recommended"})),
        # The last reviewer to submit completes the review; an officer may too (after a replacement).
        Rule("recommend", REVIEWER | OFFICER, _("Only an assigned reviewer or a program officer may do this.")),
        Rule("approve", CHAIR, ONLY_CHAIR),
        Rule("reject", CHAIR, ONLY_CHAIR),
        # A utility enrolment within the program's delegated limit: the officer, without the board.
        Rule("approve_delegated", OFFICER, ONLY_OFFICER),
    ],
)

REVIEWS = PermissionTable.of(
    "reviews",
    [
        Rule("declare_no_conflict", REVIEWER, _("Only the assigned reviewer may declare.")),
        Rule("declare_conflict", REVIEWER, _("Only the assigned reviewer may declare.")),
        Rule("submit", REVIEWER, _("Only the assigned reviewer may submit this review.")),
    ],
)

AWARDS = PermissionTable.of(
    "awards",
    [
        Rule("accept", APPLICANT, ONLY_APPLICANT, members=True),
        # The award's end (issue #22). The officer closes an award whose work is done.
        Rule("complete", OFFICER, _("Only a program officer may mark an award completed.")),
        # Termination takes two board members: the chair proposes, a second member (another chair or a
        # board reviewer, never the proposer) confirms; the proposer may withdraw while it is pending.
        Rule("propose_termination", CHAIR, _("Only the board chair may propose to terminate an award.")),
        Rule("withdraw_termination", CHAIR, _("Only the board chair who proposed the termination may withdraw it.")),
        Rule("terminate", BOARD, _("Only a board member (the chair or a board reviewer) may confirm a termination.")),
    ],
)

# The budget commitment ledger (issue #22): releasing an award's unpaid commitment, re-committing it
# against a new year's allocation. Not transitions: the award stays in its state.
BUDGET = PermissionTable.of(
    "budget",
    [
        Rule("release", OFFICER | CHAIR, _("Only a program officer or the board chair may release a commitment.")),
        Rule("recommit", OFFICER, _("Only a program officer may re-commit an award's budget.")),
        Rule("reverse", OFFICER, _("Only a program officer reverses a budget commitment.")),
        # The year-end close runs from the scheduler (no person) or a steward's command.
        Rule("close_year", OFFICER, _("Only a program officer may close a fiscal year."), system=True),
    ],
)

TRANCHES = PermissionTable.of(
    "tranches",
    [
        Rule("request", APPLICANT, ONLY_APPLICANT, members=True),
        Rule("send_back", OFFICER, ONLY_OFFICER),
        Rule("verify", OFFICER, ONLY_OFFICER),
        Rule("mark_paid", FINANCE, ONLY_FINANCE, system=True),
        Rule("payment_returned", FINANCE, ONLY_FINANCE, system=True),
    ],
)

CLAIMS = PermissionTable.of(
    "claims",
    [
        Rule("verify", OFFICER, ONLY_OFFICER),
        Rule("approve", OFFICER, ONLY_OFFICER),
        Rule("reject", OFFICER, ONLY_OFFICER),
        Rule("mark_paid", FINANCE, ONLY_FINANCE, system=True),
        Rule("payment_returned", FINANCE, ONLY_FINANCE, system=True),
    ],
)
