"""Celery options every background job shares (report builds, registry imports): acknowledged only
when done, so a worker that dies mid-job hands it back; retried on transient database errors. The
task itself must be idempotent (take the job's id; a done or failed job is left as it is)."""

from typing import Any

from django.db import DatabaseError

IDEMPOTENT_JOB: dict[str, Any] = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 5,
    "max_retries": 3,
}
