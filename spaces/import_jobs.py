"""Registry imports too big for a web request: queued by the steward's confirm, run by the worker.

A file with more than REGISTRY_IMPORT_BACKGROUND_ROWS rows (default 200) is not imported in the
confirm request: registry_import_job_queue keeps the previewed file under PRIVATE_MEDIA_ROOT (a
generated name, never served), records a RegistryImportJob and queues spaces.tasks.run_registry_import
when the transaction commits. registry_import_job_run imports the file with the same resource as a
small file (spaces.resources, every row through spaces.services, audited, in the steward's name), in
one transaction: a bad row fails the job with its message and nothing is written. Running a job is
idempotent: a done or failed job is left as it is, and a redelivered job (a worker died; its import
transaction rolled back) imports again from the kept file.

Progress: the import's transaction is open for the whole file, so a progress write inside it would
not be seen until the end. On PostgreSQL progress is written every ~5% through a second, autocommit
connection (it touches only the job row, which the import's transaction never locks). SQLite allows
one writer at a time, so there (the demo, where tasks run eagerly in the request) the job shows 0%
until it ends.
"""

import contextlib
import hashlib
import logging
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from import_export.formats import base_formats

from accounts import roles
from core import workflow

from .events import RegistryEvent
from .models import RegistryImportJob
from .permissions import REGISTRY_IMPORT_JOBS
from .resources import RESOURCES, import_problems

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

    from accounts.models import User

logger = logging.getLogger(__name__)

FOLDER = Path("registry_imports")
PROGRESS_STEP = 5  # per cent between two progress writes


def is_registry_importer(user: "User | AnonymousUser | None") -> bool:
    """Data stewards (and superusers) import the registry and follow its import jobs. Program officers
    may change an operator in the admin, but they neither import nor see the import files."""
    if not workflow.is_active_person(user):
        return False
    person = cast("User", user)  # an active person is a saved, active User
    return person.is_superuser or person.has_role(roles.DATA_STEWARD)


def background_rows() -> int:
    """Files with more rows than this are imported by the worker, not in the confirm request."""
    return int(getattr(settings, "REGISTRY_IMPORT_BACKGROUND_ROWS", 200))


def input_format(extension: str) -> base_formats.Format:
    """The import-export format of a kept file, by the extension the admin's format gave it."""
    for format_class in base_formats.DEFAULT_FORMATS:
        if format_class.is_available() and format_class().get_extension() == extension:
            return format_class(encoding="utf-8-sig")  # the admin's from_encoding; binary formats ignore it
    raise ValueError(f"no import format for {extension!r}")


def _stored(relative: str) -> Path:
    """The kept file, checked to lie inside PRIVATE_MEDIA_ROOT/registry_imports."""
    root = (Path(settings.PRIVATE_MEDIA_ROOT) / FOLDER).resolve()
    path = (Path(settings.PRIVATE_MEDIA_ROOT) / relative).resolve()
    if not relative or root not in path.parents:
        raise FileNotFoundError(relative)
    return path


def _keep(content: bytes, extension: str) -> str:
    """Write the file under a generated name; returns its path relative to PRIVATE_MEDIA_ROOT."""
    relative = FOLDER / f"{uuid.uuid4().hex}.{extension}"
    path = Path(settings.PRIVATE_MEDIA_ROOT) / relative
    path.parent.mkdir(mode=0o750, parents=True, exist_ok=True)
    path.write_bytes(content)
    path.chmod(0o640)
    return str(relative)


def _discard(relative: str) -> None:
    if relative:
        with contextlib.suppress(FileNotFoundError):  # a path outside the folder is never removed
            _stored(relative).unlink(missing_ok=True)


def registry_import_job_queue(
    *, actor: "User", kind: str, content: bytes, file_name: str, extension: str, rows: int
) -> RegistryImportJob:
    """Queue the import of a previewed registry file. Pre: `actor` is a data steward, `kind` a
    RegistryImportJob.Kind and `content` the bytes the dry run read. Post: the file is kept under
    PRIVATE_MEDIA_ROOT, a queued job records who, what and its SHA-256 (audited), and the worker's
    task is queued when the transaction commits."""
    if not is_registry_importer(actor):
        raise PermissionDenied("Only data stewards import the registry.")
    if kind not in RegistryImportJob.Kind.values:
        raise ValueError(f"unknown registry kind {kind!r}")
    input_format(extension)  # a format the worker can read
    relative = _keep(content, extension)
    try:
        with transaction.atomic():
            job = RegistryImportJob.objects.create(
                kind=kind,
                requested_by=actor,
                file_name=file_name[:200],
                file_format=extension,
                stored_path=relative,
                sha256=hashlib.sha256(content).hexdigest(),
                rows=rows,
            )
            workflow.record(
                actor=actor,
                event=RegistryEvent.IMPORT_QUEUE,
                obj=job,
                to_state=job.state,
                data={"kind": kind, "file_name": job.file_name, "sha256": job.sha256, "rows": rows},
            )
            transaction.on_commit(lambda: _enqueue(job.pk))
    except BaseException:
        _discard(relative)
        raise
    return job


def _enqueue(job_id: int) -> None:
    from .tasks import run_registry_import

    try:
        run_registry_import.delay(job_id)
    except Exception:  # a broker outage must not turn the confirm into an error page; the job stays queued
        if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
            raise
        logger.exception("Could not queue registry import job %s", job_id)


def _move(job: RegistryImportJob, name: str, event: RegistryEvent, *, kwargs: dict, data: dict | None = None) -> str:
    return workflow.transition(
        job,
        workflow.Step(name, event, kwargs=kwargs, data=data or {}),
        actor="worker",
        table=REGISTRY_IMPORT_JOBS,
        wrong_state=_("This registry import job cannot do that now."),
    )


class ProgressWriter:
    """Called with each row's number; writes the job's progress every PROGRESS_STEP per cent (at most
    99: 100 is written with the result). See the module's docstring for the second connection."""

    def __init__(self, job_id: int, total: int):
        self.job_id, self.total = job_id, max(total, 1)
        self.written = 0
        self.side: BaseDatabaseWrapper | None = None

    def __call__(self, row_number: int) -> None:
        pct = min(row_number * 100 // self.total, 99)
        if pct < self.written + PROGRESS_STEP:
            return
        self.written = pct
        self.write(pct)

    def write(self, pct: int) -> None:
        if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
            return  # SQLite: one writer at a time, and the import holds it
        try:
            if self.side is None:
                self.side = connections.create_connection(DEFAULT_DB_ALIAS)
            table = self.side.ops.quote_name(RegistryImportJob._meta.db_table)
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET progress = %s WHERE id = %s AND state = %s",  # noqa: S608 - our table name
                    [pct, self.job_id, RegistryImportJob.State.RUNNING],
                )
        except DatabaseError:  # progress is a courtesy; the import goes on
            logger.warning("Could not record the progress of registry import job %s", self.job_id, exc_info=True)

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def registry_import_job_run(*, job_id: int) -> str:
    """Import a queued job's file. Idempotent: a done or failed job is left as it is. Returns the
    final state. Post: either every row is written (through spaces.services, audited, as the steward
    who confirmed) and the job is done at 100% with its counts, or nothing is written and the job is
    failed with the rows' messages. Transient database errors propagate, so that the task retries."""
    with transaction.atomic():
        job = RegistryImportJob.objects.select_for_update().get(pk=job_id)
        if job.state in (RegistryImportJob.State.DONE, RegistryImportJob.State.FAILED):
            return job.state
        _move(
            job, "start", RegistryEvent.IMPORT_START, kwargs={"at": timezone.now()}, data={"attempt": job.attempts + 1}
        )
    steward = job.requested_by
    with translation.override(steward.language or settings.LANGUAGE_CODE):
        try:
            content = _stored(job.stored_path).read_bytes()
            dataset = input_format(job.file_format).create_dataset(content)
        except Exception as error:  # the kept file is gone or unreadable: nothing can be imported
            logger.exception("Registry import job %s could not read its file", job_id)
            return _fail(
                job_id, _("The uploaded file could not be read (%(error)s).") % {"error": type(error).__name__}
            )
        if hashlib.sha256(content).hexdigest() != job.sha256:
            return _fail(job_id, _("The kept file is not the file that was previewed; import it again."))
        progress = ProgressWriter(job_id, len(dataset))
        try:
            with transaction.atomic():
                result = RESOURCES[job.kind]().import_data(
                    dataset,
                    dry_run=False,
                    raise_errors=False,
                    use_transactions=True,
                    rollback_on_validation_errors=True,  # import-export rolls its savepoint back
                    user=steward,
                    file_name=job.file_name,
                    registry_progress=progress,
                )
                if result.has_errors() or result.has_validation_errors():
                    bad_rows, message = import_problems(result)
                    return _fail(job_id, message or _("The import failed."), error_count=bad_rows)
                job = RegistryImportJob.objects.select_for_update().get(pk=job_id)
                if job.state != RegistryImportJob.State.RUNNING:
                    # A duplicate delivery ended the job first: write nothing twice.
                    transaction.set_rollback(True)
                    return job.state
                totals = result.totals
                kept = job.stored_path
                _move(
                    job,
                    "finish",
                    RegistryEvent.IMPORT_DONE,
                    kwargs={
                        "at": timezone.now(),
                        "new": totals["new"],
                        "updated": totals["update"],
                        "skipped": totals["skip"],
                    },
                    data={"new": totals["new"], "updated": totals["update"], "skipped": totals["skip"]},
                )
                transaction.on_commit(lambda: _discard(kept))
        finally:
            progress.close()
    return job.state


def _fail(job_id: int, error: str, *, error_count: int = 0) -> str:
    """End a running job as failed with `error` (in its own savepoint when inside the import's
    transaction, whose rows were already rolled back), and remove the kept file."""
    with transaction.atomic():
        job = RegistryImportJob.objects.select_for_update().get(pk=job_id)
        if job.state != RegistryImportJob.State.RUNNING:
            return job.state
        kept = job.stored_path
        _move(
            job,
            "fail",
            RegistryEvent.IMPORT_FAIL,
            kwargs={"at": timezone.now(), "error": error[:4000], "error_count": error_count},
            data={"error_count": error_count},
        )
        transaction.on_commit(lambda: _discard(kept))
    return job.state
