"""Who may act on payments and batches: one table, read by the transitions (`permission=`), the
views that show an action, and the permission-matrix tests. Object-level rules (payee staff never act
on their company's payments; four-eyes) are in finance.models' predicates and services.approval_refusal.
"""

from django.utils.translation import gettext_lazy as _

from accounts.roles import BANK_CLIENT, FINANCE_CHECKER, FINANCE_MAKER
from core.workflow import PermissionTable, Rule

MAKER = frozenset({FINANCE_MAKER})
CHECKER = frozenset({FINANCE_CHECKER})
FINANCE = MAKER | CHECKER
# What the bank reports (paid, returned) is taken by finance from its statement, or by the bank's own
# API client (issue #21), through the same services and rules.
BANK_REPORTS = FINANCE | {BANK_CLIENT}

ONLY_MAKER = _("Only a finance maker may do this.")
ONLY_FINANCE = _("Only finance staff may do this.")

PAYMENTS = PermissionTable.of(
    "payments",
    [
        Rule("prepare", MAKER, ONLY_MAKER),
        Rule("approve", CHECKER, _("Only a finance checker may approve payments.")),
        # The checker may send a prepared payment back to the maker with a reason (issue #17).
        Rule("send_back", CHECKER, _("Only a finance checker may send a payment back to the maker.")),
        Rule("add_to_batch", MAKER, ONLY_MAKER),
        Rule("mark_sent", MAKER, ONLY_MAKER),
        Rule("retry", MAKER, ONLY_MAKER),
        Rule("cancel", MAKER, ONLY_MAKER),
        # The bank's statement says a payment was paid or failed: any finance person imports it.
        Rule("mark_paid", BANK_REPORTS, ONLY_FINANCE),
        Rule("reconcile", BANK_REPORTS, ONLY_FINANCE),
        Rule("fail", BANK_REPORTS, ONLY_FINANCE),
    ],
)

BATCHES = PermissionTable.of("batches", [Rule("mark_sent", MAKER, ONLY_MAKER)])
