"""Who may act on a match: one table, read by the transitions (`permission=`), the pages that show an
action, and the permission-matrix test.

The worklist is for the integrity office and the data stewards; a program officer sees the matches of
the case in front of them (the application page) and may clear one with a reason, since a matched case
cannot be sent on until it is cleared. Confirming a match opens a case at the integrity office in the
confirming person's name (integrity.services.grievance_file, channel "helpline"), so only the
integrity office confirms. Object rule (matches.services): no one decides a match on a company they
act for. Operators never see a match.
"""

from django.utils.translation import gettext_lazy as _

from accounts.roles import DATA_STEWARD, INTEGRITY_HEAD, INTEGRITY_OFFICER, PROGRAM_OFFICER
from core.workflow import PermissionTable, Rule

INTEGRITY = frozenset({INTEGRITY_OFFICER, INTEGRITY_HEAD})
WORKLIST = INTEGRITY | {DATA_STEWARD}

MATCHES = PermissionTable.of(
    "matches",
    [
        Rule("worklist", WORKLIST, _("Only the integrity office and the data stewards work the list of matches.")),
        Rule("export", WORKLIST, _("Only the integrity office and the data stewards export the matches.")),
        Rule(
            "view",
            WORKLIST | {PROGRAM_OFFICER},
            _("Only program officers, the integrity office and the data stewards see matches."),
        ),
        Rule(
            "clear",
            WORKLIST | {PROGRAM_OFFICER},
            _("Only program officers, the integrity office and the data stewards clear a match."),
        ),
        Rule(
            "confirm",
            INTEGRITY,
            _("Only the integrity office confirms a match: it opens the integrity case in their name."),
        ),
    ],
)
