"""Report tasks. They take ids and are idempotent: a redelivery (acks_late, a worker restart) or a
retry builds at most one file per job."""

from celery import shared_task

from core.tasks import IDEMPOTENT_JOB


@shared_task(**IDEMPOTENT_JOB)
def build_report(self, job_id: int) -> str:
    from .services import report_job_run

    return report_job_run(job_id=job_id)


@shared_task(acks_late=True)
def build_finished_quarter_reports() -> list[int]:
    """Beat, at each quarter's end: queue the finished quarter's reports (once per quarter)."""
    from .services import scheduled_reports_request

    return [job.pk for job in scheduled_reports_request()]
