"""Who may act on a loan: one table, read by the loan's transitions (`permission=`), the loan pages
that show an action, and the permission-matrix tests. Object-level rule (in loans.services): the
borrower's own staff never act on its loan."""

from django.utils.translation import gettext_lazy as _

from accounts.roles import (
    BANK_CLIENT,
    BOARD_CHAIR,
    BOARD_REVIEWER,
    FINANCE_CHECKER,
    FINANCE_MAKER,
    PROGRAM_OFFICER,
)
from core.workflow import PermissionTable, Rule

FINANCE = frozenset({FINANCE_MAKER, FINANCE_CHECKER})
# Whoever moves the disbursement's payment (the officer asks, finance pays or the bank returns it):
# the loan follows in the same transaction (loans.services.disbursement_payment_moved).
PAYMENT_PEOPLE = FINANCE | {PROGRAM_OFFICER}
# The bank's collections are posted from its collection file by finance, or by the bank's own API
# client (issue #21), through the same service; a repayment may close the loan.
COLLECTIONS = FINANCE | {BANK_CLIENT}
ONLY_FINANCE = _("Only finance staff may post repayments.")
# A write-off is proposed by the board chair and confirmed by a second person: a board member (a
# reviewer or another chair) or the finance checker; never the proposer (checked in the service).
WRITE_OFF_CONFIRMERS = frozenset({BOARD_REVIEWER, BOARD_CHAIR, FINANCE_CHECKER})

LOANS = PermissionTable.of(
    "loans",
    [
        Rule(
            "request_disbursement",
            frozenset({PROGRAM_OFFICER, FINANCE_MAKER}),
            _("Only a program officer or a finance maker may ask for a loan's disbursement."),
        ),
        Rule("cancel_disbursement", PAYMENT_PEOPLE, ONLY_FINANCE, system=True),
        Rule("activate", PAYMENT_PEOPLE, ONLY_FINANCE, system=True),
        Rule("disbursement_returned", PAYMENT_PEOPLE, ONLY_FINANCE, system=True),
        # Posting a repayment (a person, or the bank's collection file) may close or reopen the loan.
        Rule("post_repayment", COLLECTIONS, ONLY_FINANCE),
        Rule("close", COLLECTIONS, ONLY_FINANCE),
        Rule("reopen", FINANCE, ONLY_FINANCE),
        Rule("restructure", frozenset({FINANCE_CHECKER}), _("Only a finance checker may restructure a loan.")),
        Rule(
            "plan_disbursement",
            frozenset({PROGRAM_OFFICER, FINANCE_MAKER}),
            _("Only a program officer or a finance maker may plan a loan's disbursement in parts."),
        ),
        # The borrower chooses in the portal (members); finance may record the choice at their request.
        Rule(
            "choose_prepayment",
            FINANCE,
            _("Only finance staff, at the borrower's request, or the borrower may choose what a prepayment does."),
        ),
        Rule("choose_prepayment_as_borrower", frozenset(), ONLY_FINANCE, members=True),
        Rule("propose_write_off", frozenset({BOARD_CHAIR}), _("Only the board chair may propose writing off a loan.")),
        Rule(
            "withdraw_write_off",
            frozenset({BOARD_CHAIR}),
            _("Only the board chair who proposed a write-off may withdraw it."),
        ),
        # The transition itself is taken by the person who confirms the chair's proposal.
        Rule(
            "write_off",
            WRITE_OFF_CONFIRMERS,
            _(
                "Only a board member (a board reviewer or another chair) or the finance checker may confirm a "
                "write-off."
            ),
        ),
        Rule("post_recovery", FINANCE, _("Only finance staff may post recoveries on a written-off loan.")),
    ],
)
