"""Who may act on seat vouchers and seat claims: one table each, read by the transitions
(`permission=`), the pages that show an action, and the permission-matrix tests.

Object-level rules (vouchers.services): a freelancer acts only on their own vouchers; an operator's
people act only on vouchers and claims of their own spaces (anyone else: 404).
"""

from django.utils.translation import gettext_lazy as _

from accounts.roles import FREELANCER, PROGRAM_OFFICER
from core.workflow import PermissionTable, Rule

OFFICERS = frozenset({PROGRAM_OFFICER})
ONLY_OFFICER = _("Only a program officer decides on seat vouchers.")
ONLY_FREELANCER = _("Only the freelancer who holds the voucher may do this.")
ONLY_OPERATOR = _("Only the people of the space's operator may do this.")

VOUCHERS = PermissionTable.of(
    "vouchers",
    [
        Rule("apply", frozenset({FREELANCER}), ONLY_FREELANCER),
        Rule("withdraw", frozenset({FREELANCER}), ONLY_FREELANCER),
        Rule("confirm_month", frozenset({FREELANCER}), ONLY_FREELANCER),
        Rule("approve", OFFICERS, ONLY_OFFICER),
        Rule("waitlist", OFFICERS, ONLY_OFFICER),
        # From the waiting list, in order, when a voucher lapses or ends early: by the system (the
        # lapse or end that freed the place) or by an officer.
        Rule("offer_place", OFFICERS, ONLY_OFFICER, system=True),
        Rule("refuse", OFFICERS, ONLY_OFFICER),
        Rule("start", frozenset(), ONLY_OPERATOR, members=True),
        Rule("end", frozenset(), ONLY_OPERATOR, members=True),
        # The operator reports a no-show; the daily job lapses a voucher not started in time.
        Rule("lapse", frozenset(), ONLY_OPERATOR, members=True, system=True),
        Rule("complete", frozenset(), _("A voucher completes by itself at the end of its months."), system=True),
    ],
)

SEAT_CLAIMS = PermissionTable.of(
    "seat_claims",
    [
        Rule("submit", frozenset(), ONLY_OPERATOR, members=True),
        Rule("verify", OFFICERS, _("Only a program officer verifies seat claims.")),
        Rule("approve", OFFICERS, _("Only a program officer approves seat claims.")),
        Rule("reject", OFFICERS, _("Only a program officer rejects seat claims.")),
        Rule("mark_paid", frozenset(), _("Finance's payment marks a claim paid."), system=True),
        Rule("payment_returned", frozenset(), _("Finance's payment marks a claim paid."), system=True),
    ],
)
