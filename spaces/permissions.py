"""Who may act in the registry's state machines: one table each.

REGISTRY_IMPORT_JOBS: a data steward queues the job (a creation, not a transition:
spaces.import_jobs.registry_import_job_queue checks the steward); the Celery worker runs it.

SPACES: a space applying to join the network is admitted (with the admission checklist) or declined
(with a reason the operator reads) by a program officer: spaces.services.space_admit / space_decline.
"""

from django.utils.translation import gettext_lazy as _

from accounts.roles import PROGRAM_OFFICER
from core.workflow import PermissionTable, Rule

ONLY_WORKER = _("Only the import worker runs a registry import job.")
ONLY_OFFICER_ADMITS = _("Only a program officer admits a space to the network or declines it.")

REGISTRY_IMPORT_JOBS = PermissionTable.of(
    "registry_import_jobs",
    [
        Rule("start", frozenset(), ONLY_WORKER, system=True),
        Rule("finish", frozenset(), ONLY_WORKER, system=True),
        Rule("fail", frozenset(), ONLY_WORKER, system=True),
    ],
)

SPACES = PermissionTable.of(
    "spaces",
    [
        Rule("admit", frozenset({PROGRAM_OFFICER}), ONLY_OFFICER_ADMITS),
        Rule("decline", frozenset({PROGRAM_OFFICER}), ONLY_OFFICER_ADMITS),
    ],
)
