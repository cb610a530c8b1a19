"""Registry tasks. They take ids and are idempotent: a redelivery (acks_late, a worker restart) or a
retry imports a job's file at most once."""

from celery import shared_task

from core.tasks import IDEMPOTENT_JOB


@shared_task(**IDEMPOTENT_JOB)
def run_registry_import(self, job_id: int) -> str:
    from .import_jobs import registry_import_job_run

    return registry_import_job_run(job_id=job_id)
