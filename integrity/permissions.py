"""Who may act on a visit or a grievance: one table each, read by the transitions (`permission=`),
the pages that show an action, and the permission-matrix tests.

Object-level rules (integrity.services): an inspector acts only on their own requests; a liaison only
on visits to spaces of their association's members; a program officer schedules visits to spaces whose
operator belongs to no association; an operator's people answer only for their own spaces. Grievances
are seen only by integrity officers and the head of integrity, and an officer named in a grievance or
working on the filer's applications is never assigned to it.
"""

from django.utils.translation import gettext_lazy as _

from accounts.roles import (
    ASSOCIATION_LIAISON,
    INSPECTOR,
    INTEGRITY_HEAD,
    INTEGRITY_OFFICER,
    PROGRAM_OFFICER,
)
from core.workflow import PermissionTable, Rule

# Who schedules visits: the liaison of the space's association, or a program officer where the
# operator belongs to none (the object rule decides which).
SCHEDULERS = frozenset({ASSOCIATION_LIAISON, PROGRAM_OFFICER})
ONLY_SCHEDULERS = _("Only the association's liaison or a program officer may schedule or refuse a visit.")
INTEGRITY = frozenset({INTEGRITY_OFFICER, INTEGRITY_HEAD})
ONLY_INTEGRITY = _("Only the integrity officers handle grievances.")

VISITS = PermissionTable.of(
    "visits",
    [
        Rule("schedule", SCHEDULERS, ONLY_SCHEDULERS),
        Rule("refuse", SCHEDULERS, ONLY_SCHEDULERS),
        Rule(
            "cancel",
            SCHEDULERS | {INSPECTOR},
            _("Only the inspector who asked, the association's liaison or a program officer may cancel a visit."),
        ),
        Rule("complete", frozenset({INSPECTOR}), _("Only the inspector of the visit files its outcome.")),
        # The operator's people say the inspector never came; so may whoever scheduled it.
        Rule(
            "mark_no_show",
            SCHEDULERS,
            _("Only the operator, the association's liaison or a program officer may say nobody came."),
            members=True,
        ),
    ],
)

# Grievances: the integrity officers and the head handle them (the head also decides appeals); the
# filer (signed in, as a member of the company; or anonymous with the follow-up key: no person, so
# `system`) reopens and rates. The escalation task is the system. Object rules in
# integrity.services.grievances: an officer named in the grievance or working on the filer's
# applications neither handles it nor sees it named to them.
FILER = _("Only the person who filed the grievance may do this.")

GRIEVANCES = PermissionTable.of(
    "grievances",
    [
        Rule("view", INTEGRITY, ONLY_INTEGRITY),
        Rule("file_helpline", INTEGRITY, _("Only the integrity officers type in a grievance from the helpline.")),
        Rule("assign", INTEGRITY, ONLY_INTEGRITY),
        Rule("acknowledge", INTEGRITY, ONLY_INTEGRITY),
        Rule("investigate", INTEGRITY, ONLY_INTEGRITY),
        Rule("reply", INTEGRITY, ONLY_INTEGRITY),
        Rule("note", INTEGRITY, ONLY_INTEGRITY),
        Rule("resolve", INTEGRITY, ONLY_INTEGRITY),
        Rule("close", INTEGRITY, ONLY_INTEGRITY),
        Rule("download_evidence", INTEGRITY, ONLY_INTEGRITY),
        Rule("reopen", frozenset(), FILER, system=True, members=True),
        Rule("rate", frozenset(), FILER, system=True, members=True),
        Rule("appeal", frozenset(), FILER, system=True, members=True),
        Rule(
            "decide_appeal",
            frozenset({INTEGRITY_HEAD}),
            _("Only the head of integrity decides an appeal against a grievance's handling."),
        ),
        Rule("escalate", frozenset(), _("Only the clock escalates a late grievance."), system=True),
    ],
)
