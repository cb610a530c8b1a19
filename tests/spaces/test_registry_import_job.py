"""Security issue #14, import limits: a registry file over REGISTRY_IMPORT_BACKGROUND_ROWS rows is
imported by the Celery worker, not in the steward's confirm request, with progress on the job's page.

Tasks run eagerly here (CELERY_TASK_ALWAYS_EAGER); the last test runs a real worker on Redis.
"""

import hashlib
import io
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.urls import reverse

from accounts import roles
from audit.models import AuditEvent
from spaces import import_jobs
from spaces.models import Operator, RegistryImportJob
from tests.factories import UserFactory
from tests.reporting.test_celery_worker import real_celery  # noqa: F401 - the real worker fixture

from .test_registry_import import OPERATOR_HEADERS, _format_value, _xlsx, operator_row

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _threshold(settings):
    settings.REGISTRY_IMPORT_BACKGROUND_ROWS = 3


def steward():
    return UserFactory(roles=[roles.DATA_STEWARD], is_staff=True)


def _csv(rows) -> bytes:
    lines = [",".join(OPERATOR_HEADERS)]
    lines += [",".join(f'"{row[h]}"' for h in OPERATOR_HEADERS) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def queue(actor, rows, *, capture) -> RegistryImportJob:
    content = _csv(rows)
    with capture(execute=True):
        return import_jobs.registry_import_job_queue(
            actor=actor, kind="operators", content=content, file_name="operators.csv", extension="csv", rows=len(rows)
        )


def _preview(client, rows):
    url = reverse("admin:spaces_operator_import")
    page = client.get(url)
    upload = io.BytesIO(_xlsx(OPERATOR_HEADERS, rows))
    upload.name = "registry.xlsx"
    return client.post(url, {"format": _format_value(page, "xlsx"), "import_file": upload, "resource": "0"})


def test_a_file_over_the_threshold_is_imported_by_the_worker_with_audit_events(
    client, django_capture_on_commit_callbacks
):
    person = steward()
    client.force_login(person)
    rows = [operator_row(n) for n in range(1, 6)]
    preview = _preview(client, rows)
    assert "imported in the background" in preview.content.decode()
    assert Operator.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(
            reverse("admin:spaces_operator_process_import"), preview.context["confirm_form"].initial
        )

    job = RegistryImportJob.objects.get()
    assert confirmed.status_code == 302
    assert confirmed.url == reverse("admin:spaces_registryimportjob_change", args=[job.pk])
    assert (job.state, job.progress, job.rows, job.new_count, job.updated_count, job.skipped_count) == (
        "done",
        100,
        5,
        5,
        0,
        0,
    )
    assert (job.requested_by, job.file_name, job.error) == (person, "registry.xlsx", "")
    assert len(job.sha256) == 64 and job.started_at and job.finished_at
    assert Operator.objects.count() == 5
    created = AuditEvent.objects.filter(action="operator.create")
    assert created.count() == 5 and set(created.values_list("actor", flat=True)) == {person.pk}
    assert list(
        AuditEvent.objects.filter(object_type="spaces.registryimportjob")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["registry_import.queue", "registry_import.start", "registry_import.done"]
    # The kept file is removed once imported; only its SHA-256 remains.
    assert job.stored_path == ""
    assert not any((Path(django_settings.PRIVATE_MEDIA_ROOT) / "registry_imports").glob("*"))

    page = client.get(confirmed.url)
    html = page.content.decode()
    assert "Imported: 5 new, 0 updated, 0 unchanged" in html
    assert 'http-equiv="refresh"' not in html  # a finished job's page stops refreshing


def test_the_job_page_of_a_running_job_refreshes_itself(client):
    person = steward()
    job = RegistryImportJob.objects.create(
        kind="operators", requested_by=person, file_name="a.csv", file_format="csv", sha256="0" * 64, rows=500
    )
    client.force_login(person)
    html = client.get(reverse("admin:spaces_registryimportjob_change", args=[job.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="5">' in html
    assert '<progress max="100" value="0">' in html
    assert "<script" not in html.split("</head>")[0].split("refresh")[1]  # no script added for the refresh


def test_a_bad_row_fails_the_job_with_its_message_and_nothing_is_written(django_capture_on_commit_callbacks):
    person = steward()
    rows = [operator_row(n) for n in range(1, 6)]
    rows[3]["iban"] = "PK37SCBL0000001123456702"  # row 4: wrong check digits, after three good rows

    job = queue(person, rows, capture=django_capture_on_commit_callbacks)

    job.refresh_from_db()
    assert (job.state, job.error_count, job.new_count) == ("failed", 1, 0)
    assert "Row 4, column iban:" in job.error and "check digits do not match" in job.error
    assert Operator.objects.count() == 0  # rows 1-3 were written in the transaction, then rolled back
    assert not AuditEvent.objects.filter(action="operator.create").exists()
    assert AuditEvent.objects.filter(action="registry_import.fail").count() == 1
    assert job.stored_path == ""


def test_running_a_finished_job_again_changes_nothing(django_capture_on_commit_callbacks):
    job = queue(steward(), [operator_row(n) for n in range(1, 5)], capture=django_capture_on_commit_callbacks)
    events = AuditEvent.objects.count()

    assert import_jobs.registry_import_job_run(job_id=job.pk) == "done"

    assert AuditEvent.objects.count() == events and Operator.objects.count() == 4


def test_a_kept_file_that_was_changed_is_not_imported(django_capture_on_commit_callbacks):
    person = steward()
    content = _csv([operator_row(n) for n in range(1, 5)])
    job = import_jobs.registry_import_job_queue(
        actor=person, kind="operators", content=content, file_name="o.csv", extension="csv", rows=4
    )
    path = Path(django_settings.PRIVATE_MEDIA_ROOT) / job.stored_path
    assert path.parent.name == "registry_imports" and path.name != "o.csv"  # a generated name
    assert hashlib.sha256(path.read_bytes()).hexdigest() == job.sha256
    path.write_bytes(content.replace(b"Imported", b"Tampered"))

    assert import_jobs.registry_import_job_run(job_id=job.pk) == "failed"
    assert Operator.objects.count() == 0


def test_only_data_stewards_queue_a_job():
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_jobs.registry_import_job_queue(
            actor=UserFactory(roles=[roles.PROGRAM_OFFICER], is_staff=True),
            kind="operators",
            content=_csv([operator_row(1)]),
            file_name="o.csv",
            extension="csv",
            rows=1,
        )
    assert not RegistryImportJob.objects.exists()


def test_progress_is_recorded_every_five_per_cent(monkeypatch, django_capture_on_commit_callbacks):
    written = []
    monkeypatch.setattr(import_jobs.ProgressWriter, "write", lambda self, pct: written.append(pct))

    job = queue(steward(), [operator_row(n) for n in range(1, 41)], capture=django_capture_on_commit_callbacks)

    assert written == list(range(5, 100, 5))
    job.refresh_from_db()
    assert (job.state, job.progress, job.new_count) == ("done", 100, 40)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("data_steward", 200),
        ("superuser", 200),
        ("program_officer", 403),
        ("finance_checker", 403),
        ("anonymous", 302),  # to the admin's sign-in
    ],
)
def test_only_stewards_and_superusers_see_import_jobs(client, who, status):
    owner = steward()
    job = RegistryImportJob.objects.create(
        kind="spaces", requested_by=owner, file_name="s.csv", file_format="csv", sha256="0" * 64, rows=300
    )
    if who == "superuser":
        client.force_login(UserFactory(is_staff=True, is_superuser=True))
    elif who != "anonymous":
        client.force_login(UserFactory(roles=[getattr(roles, who.upper())], is_staff=True))
    page = client.get(reverse("admin:spaces_registryimportjob_change", args=[job.pk]))
    listing = client.get(reverse("admin:spaces_registryimportjob_changelist"))
    assert (page.status_code, listing.status_code) == (status, status)
    if status == 200:
        assert "s.csv" in page.content.decode()


def test_a_file_under_the_threshold_still_imports_in_the_request(client):
    client.force_login(steward())
    preview = _preview(client, [operator_row(1), operator_row(2), operator_row(3)])
    assert "imported in the background" not in preview.content.decode()

    done = client.post(reverse("admin:spaces_operator_process_import"), preview.context["confirm_form"].initial)

    assert done.status_code == 302 and done.url == reverse("admin:spaces_operator_changelist")
    assert Operator.objects.count() == 3
    assert not RegistryImportJob.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_to_other_connections_while_the_import_runs(monkeypatch):
    """The import holds one transaction for the whole file; progress goes through a second connection."""
    seen = []
    write = import_jobs.ProgressWriter.write

    def write_and_look(self, pct):
        write(self, pct)
        observer = connections.create_connection("default")
        try:
            with observer.cursor() as cursor:
                cursor.execute("SELECT progress FROM spaces_registryimportjob WHERE id = %s", [self.job_id])
                seen.append(cursor.fetchone()[0])
                cursor.execute("SELECT count(*) FROM spaces_operator")
                seen.append(("operators", cursor.fetchone()[0]))
        finally:
            observer.close()

    monkeypatch.setattr(import_jobs.ProgressWriter, "write", write_and_look)
    job = import_jobs.registry_import_job_queue(
        actor=steward(),
        kind="operators",
        content=_csv([operator_row(n) for n in range(1, 21)]),
        file_name="o.csv",
        extension="csv",
        rows=20,
    )
    job.refresh_from_db()
    assert job.state == "done"
    assert seen[:4] == [5, ("operators", 0), 10, ("operators", 0)]  # progress seen, rows not yet


@pytest.mark.celery_worker
@pytest.mark.usefixtures("real_celery")
@pytest.mark.django_db(transaction=True)
def test_a_worker_on_redis_imports_a_big_registry_file():
    job = import_jobs.registry_import_job_queue(
        actor=steward(),
        kind="operators",
        content=_csv([operator_row(n) for n in range(1, 8)]),
        file_name="o.csv",
        extension="csv",
        rows=7,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_active:
            break
        time.sleep(0.2)
    assert (job.state, job.progress, job.new_count, job.error) == ("done", 100, 7, "")
    assert AuditEvent.objects.filter(action="operator.create").count() == 7


def test_the_failure_is_written_in_the_stewards_language(django_capture_on_commit_callbacks):
    person = steward()
    person.language = "ur"
    person.save(update_fields=["language"])
    rows = [operator_row(n) for n in range(1, 5)]
    rows[1]["iban"] = "PK37SCBL0000001123456702"

    job = queue(person, rows, capture=django_capture_on_commit_callbacks)

    job.refresh_from_db()
    assert job.state == "failed" and job.error.startswith("سطر 2، کالم iban:")
