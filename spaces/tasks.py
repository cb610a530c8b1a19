"""Registry tasks. They take ids and are idempotent: a redelivery (acks_late, a worker restart) or a
retry imports a job's file at most once."""

from celery import shared_task
from django.db import DatabaseError


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    max_retries=3,
)
def run_registry_import(self, job_id: int) -> str:
    from .import_jobs import registry_import_job_run

    return registry_import_job_run(job_id=job_id)
