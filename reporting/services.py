"""Report jobs: requesting a build and running it.

A request for a report that is already queued or being built joins that build (a partial unique
constraint backs this under concurrency). Running a job is idempotent: a job that is done stays done,
and a redelivered job (a worker died mid-build; tasks are acknowledged late) builds again into a fresh
temporary file. The finished file is renamed into place atomically, so a reader never sees half a file
and each job has exactly one file.
"""

import datetime as dt
import logging
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from accounts import roles
from accounts.models import User
from core import workflow
from core.replica import reading_from_replica
from grants.fiscal import FiscalQuarter
from reporting.events import ReportEvent
from reporting.permissions import REPORT_JOBS

from .models import ReportJob

logger = logging.getLogger(__name__)

# The writer of each report and format: a function (quarter, path, progress=None) that writes the file.
WRITERS = {
    ("utilization", "xlsx"): "reporting.utilization_report.build_utilization_xlsx",
    ("utilization", "pdf"): "reporting.utilization_pdf.build_utilization_pdf",
    ("disbursements", "xlsx"): "reporting.disbursements_report.build_disbursements_xlsx",
    ("disbursements", "pdf"): "reporting.disbursements_pdf.build_disbursements_pdf",
    ("loans", "xlsx"): "reporting.loans_report.build_loans_xlsx",
    ("loans", "pdf"): "reporting.loans_pdf.build_loans_pdf",
    ("integrity", "xlsx"): "reporting.integrity_report.build_integrity_xlsx",
    ("integrity", "pdf"): "reporting.integrity_pdf.build_integrity_pdf",
    ("onewindow", "xlsx"): "reporting.onewindow_report.build_onewindow_xlsx",
    ("onewindow", "pdf"): "reporting.onewindow_pdf.build_onewindow_pdf",
}
STALE_PART_SECONDS = 15 * 60


class ReportError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def may_use_reports(user: User | AnonymousUser | None) -> bool:
    """The download centre is for ministry viewers and program officers."""
    return bool(
        user is not None
        and user.is_authenticated
        and (user.has_role(roles.MINISTRY_VIEWER) or user.has_role(roles.PROGRAM_OFFICER))
    )


def available_reports() -> list[str]:
    """The reports that can be built now, in the order the download centre lists them."""
    return list(dict.fromkeys(kind for kind, _fmt in WRITERS))


def writer_for(kind: str, fmt: str) -> Callable:
    if (kind, fmt) not in WRITERS:
        raise ReportError(_("There is no report called %(kind)s.") % {"kind": kind})
    return import_string(WRITERS[(kind, fmt)])


def write_report_file(
    *, kind: str, quarter: FiscalQuarter, fmt: str, final: Path, progress: Callable[[int], None] | None = None
) -> int:
    """Build into a temporary file beside `final`, then rename it into place. Returns the size."""
    writer = writer_for(kind, fmt)
    final.parent.mkdir(parents=True, exist_ok=True)
    part = final.with_name(f".{final.name}.{uuid.uuid4().hex}.part")
    try:
        writer(quarter, part, progress=progress)
        size = part.stat().st_size
        os.replace(part, final)  # atomic on one file system: readers see no file or the whole file
    finally:
        part.unlink(missing_ok=True)
    return size


def _check_quarter(quarter: FiscalQuarter) -> None:
    if quarter.start > timezone.localdate():
        raise ReportError(_("%(quarter)s has not started yet.") % {"quarter": quarter.label})


def report_job_request(
    *, actor: User | None, kind: str, quarter: FiscalQuarter, fmt: str, scheduled: bool = False
) -> tuple[ReportJob, bool]:
    """Ask for a report. Returns (job, created): the queued or running build of the same report when
    there is one (or, for the scheduled build, the quarter's scheduled job), else a new queued job
    whose build is queued when the transaction commits."""
    if not scheduled and not may_use_reports(actor):
        raise PermissionDenied("Only ministry viewers and program officers build reports.")
    writer_for(kind, fmt)
    _check_quarter(quarter)
    key = {"kind": kind, "fiscal_year": quarter.fiscal_year.start_year, "quarter": quarter.number, "format": fmt}
    with transaction.atomic():
        if scheduled:
            existing = ReportJob.objects.filter(**key, scheduled=True).first()
        else:
            existing = ReportJob.objects.filter(**key, state__in=ReportJob.ACTIVE_STATES).first()
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                job = ReportJob.objects.create(**key, requested_by=actor, scheduled=scheduled)
        except IntegrityError:
            # The same report was asked for a moment ago, or is being built: join that build.
            active = ReportJob.objects.filter(**key, state__in=ReportJob.ACTIVE_STATES).first()
            return active or ReportJob.objects.get(**key, scheduled=True), False
        workflow.record(
            actor=actor or "scheduler",
            event=ReportEvent.REQUEST,
            obj=job,
            to_state=job.state,
            data={**key, "scheduled": scheduled},
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job, True


def _enqueue(job_id: int) -> None:
    from .tasks import build_report

    try:
        build_report.delay(job_id)
    except Exception:  # a broker outage must not turn the request into an error page; the job stays queued
        if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
            raise
        logger.exception("Could not queue report job %s", job_id)


def _final_path(job: ReportJob) -> Path:
    return (
        Path(job.kind)
        / job.fiscal_quarter.fiscal_year.label
        / f"Q{job.quarter}"
        / (f"{job.kind}-{job.fiscal_quarter.label.replace(' ', '-')}-job{job.pk}.{job.format}")
    )


def _remove_stale_parts(final: Path) -> None:
    """Temporary files a killed worker left behind (not a build running right now)."""
    if not final.parent.exists():
        return
    cutoff = time.time() - STALE_PART_SECONDS
    for part in final.parent.glob(f".{final.name}.*.part"):
        if part.stat().st_mtime < cutoff:
            part.unlink(missing_ok=True)


def _move(job: ReportJob, name: str, event: ReportEvent, *, kwargs: dict, data: dict | None = None) -> str:
    """One step of a locked job on the workflow path (core.workflow), taken by the worker."""
    return workflow.transition(
        job,
        workflow.Step(name, event, kwargs=kwargs, data=data or {}),
        actor="worker",
        table=REPORT_JOBS,
        wrong_state=_("This report job cannot do that now."),
    )


def report_job_run(*, job_id: int) -> str:
    """Build a job's file. Idempotent: a done or failed job is left as it is. Returns the final state.

    Transient database errors propagate so that the task retries; any other error fails the job with
    its message (the person can start it again).
    """
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().get(pk=job_id)
        if job.state in (ReportJob.State.DONE, ReportJob.State.FAILED):
            return job.state
        _move(job, "start", ReportEvent.START, kwargs={"at": timezone.now()}, data={"attempt": job.attempts + 1})
    relative = _final_path(job)
    final = Path(settings.REPORTS_ROOT) / relative
    _remove_stale_parts(final)
    last = {"pct": 0}

    def progress(pct: int) -> None:
        pct = max(0, min(int(pct), 99))
        if pct >= last["pct"] + 5:
            last["pct"] = pct
            ReportJob.objects.filter(pk=job_id, state=ReportJob.State.RUNNING).update(progress=pct)

    try:
        # The report's rows are read from the replica when there is one (core/replica.py).
        with reading_from_replica():
            size = write_report_file(
                kind=job.kind, quarter=job.fiscal_quarter, fmt=job.format, final=final, progress=progress
            )
    except Exception as error:
        from django.db import DatabaseError

        if isinstance(error, DatabaseError):
            raise
        logger.exception("Report job %s failed", job_id)
        with transaction.atomic():
            job = ReportJob.objects.select_for_update().get(pk=job_id)
            if job.state == ReportJob.State.RUNNING:
                _move(
                    job,
                    "fail",
                    ReportEvent.FAIL,
                    kwargs={"at": timezone.now(), "error": f"{type(error).__name__}: {error}"[:2000]},
                )
        return ReportJob.State.FAILED
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().get(pk=job_id)
        if job.state == ReportJob.State.DONE:
            return job.state  # a duplicate delivery finished first; the file is the same path
        _move(
            job,
            "finish",
            ReportEvent.BUILD,
            kwargs={"at": timezone.now(), "file_path": str(relative), "size": size},
            data={"file": str(relative), "size": size},
        )
    return job.state


def report_file(job: ReportJob) -> Path:
    """The job's file on disk, checked to lie inside REPORTS_ROOT."""
    root = Path(settings.REPORTS_ROOT).resolve()
    path = (root / job.file_path).resolve()
    if not job.file_path or root not in path.parents or not path.is_file():
        raise FileNotFoundError(job.file_path)
    return path


def previous_quarter(today: dt.date | None = None) -> FiscalQuarter:
    current = FiscalQuarter.of(today or timezone.localdate())
    return FiscalQuarter.of(current.start - dt.timedelta(days=1))


def scheduled_reports_request(today: dt.date | None = None) -> list[ReportJob]:
    """At a quarter's end: queue the finished quarter's reports once. Returns the jobs created now."""
    quarter = previous_quarter(today)
    created = []
    for kind in available_reports():
        for fmt in (ReportJob.Format.XLSX, ReportJob.Format.PDF):
            job, was_created = report_job_request(actor=None, kind=kind, quarter=quarter, fmt=fmt, scheduled=True)
            if was_created:
                created.append(job)
    return created
