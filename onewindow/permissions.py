"""Who may act on a one-window request: one table, read by the request's transitions
(`permission=`), the pages that show an action, and the permission-matrix tests.

Object-level rules (onewindow.services): the operator's own people file, answer and withdraw; a desk
officer acts only on their own department's requests (anyone else: 404).
"""

from django.utils.translation import gettext_lazy as _

from accounts.roles import DEPARTMENT_DESK
from core.workflow import PermissionTable, Rule

DESK = frozenset({DEPARTMENT_DESK})
ONLY_DESK = _("Only the department's desk acts on its requests.")
ONLY_OPERATOR = _("Only the operator's own people may do this.")

REQUESTS = PermissionTable.of(
    "onewindow",
    [
        Rule("submit", frozenset(), ONLY_OPERATOR, members=True),
        Rule("withdraw", frozenset(), ONLY_OPERATOR, members=True),
        Rule("answer", frozenset(), ONLY_OPERATOR, members=True),
        Rule("start", DESK, ONLY_DESK),
        Rule("request_info", DESK, ONLY_DESK),
        Rule("issue", DESK, ONLY_DESK),
        Rule("refuse", DESK, ONLY_DESK),
    ],
)
