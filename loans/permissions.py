"""Who may act on a loan: one table, read by the loan's transitions (`permission=`), the loan pages
that show an action, and the permission-matrix tests. Object-level rule (in loans.services): the
borrower's own staff never act on its loan."""

from django.utils.translation import gettext_lazy as _

from accounts.roles import BANK_CLIENT, BOARD_CHAIR, FINANCE_CHECKER, FINANCE_MAKER, PROGRAM_OFFICER
from core.workflow import PermissionTable, Rule

FINANCE = frozenset({FINANCE_MAKER, FINANCE_CHECKER})
# Whoever moves the disbursement's payment (the officer asks, finance pays or the bank returns it):
# the loan follows in the same transaction (loans.services.disbursement_payment_moved).
PAYMENT_PEOPLE = FINANCE | {PROGRAM_OFFICER}
# The bank's collections are posted from its collection file by finance, or by the bank's own API
# client (issue #21), through the same service; a repayment may close the loan.
COLLECTIONS = FINANCE | {BANK_CLIENT}
ONLY_FINANCE = _("Only finance staff may post repayments.")

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
        Rule("write_off", frozenset({BOARD_CHAIR}), _("Only the board chair may write off a loan.")),
    ],
)
