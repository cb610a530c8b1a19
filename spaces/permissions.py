"""Who may move a registry import job: one table. A data steward queues the job (a creation, not a
transition: spaces.import_jobs.registry_import_job_queue checks the steward); the Celery worker runs it."""

from django.utils.translation import gettext_lazy as _

from core.workflow import PermissionTable, Rule

ONLY_WORKER = _("Only the import worker runs a registry import job.")

REGISTRY_IMPORT_JOBS = PermissionTable.of(
    "registry_import_jobs",
    [
        Rule("start", frozenset(), ONLY_WORKER, system=True),
        Rule("finish", frozenset(), ONLY_WORKER, system=True),
        Rule("fail", frozenset(), ONLY_WORKER, system=True),
    ],
)
