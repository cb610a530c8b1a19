"""Who may move a report job: one table. Ministry viewers and finance ask for reports (the request is
a creation, not a transition); the Celery worker builds them (the system)."""

from django.utils.translation import gettext_lazy as _

from core.workflow import PermissionTable, Rule

ONLY_WORKER = _("Only the report worker builds reports.")

REPORT_JOBS = PermissionTable.of(
    "report_jobs",
    [
        Rule("start", frozenset(), ONLY_WORKER, system=True),
        Rule("finish", frozenset(), ONLY_WORKER, system=True),
        Rule("fail", frozenset(), ONLY_WORKER, system=True),
    ],
)
