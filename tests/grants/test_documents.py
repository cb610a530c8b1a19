"""Uploads: judged by their bytes, stored privately, refused each with its own message."""

import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from audit.models import AuditEvent
from grants import services
from grants.errors import ValidationFailed
from grants.models import ApplicationDocument

from .conftest import PDF_BYTES, PNG_BYTES

pytestmark = pytest.mark.django_db

EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
HTML_BYTES = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG_BYTES = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'


@pytest.fixture
def draft(grant_call, operator, space, operator_user):
    return services.application_create(actor=operator_user, call=grant_call, operator=operator, space=space)


def _stored_files():
    return sorted(Path(settings.PRIVATE_MEDIA_ROOT).rglob("*.*"))


def upload(app, user, file, document_type="cnic_copy"):
    return services.application_upload_document(application=app, actor=user, document_type=document_type, file=file)


def test_pdf_is_stored_privately_with_its_hash(draft, operator_user):
    document = upload(draft, operator_user, SimpleUploadedFile("My CNIC (front).pdf", PDF_BYTES))
    assert document.content_type == "application/pdf"
    assert document.size == len(PDF_BYTES)
    assert document.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert document.original_filename == "My CNIC (front).pdf"
    stored = Path(document.file.path)
    assert stored.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
    assert stored.read_bytes() == PDF_BYTES
    assert stored.suffix == ".pdf" and "CNIC" not in stored.name  # generated name, not the user's
    with pytest.raises(ValueError, match="not accessible via a URL"):
        _ = document.file.url
    event = AuditEvent.objects.get(action="application.upload_document")
    assert event.data["sha256"] == document.sha256


def test_png_named_pdf_is_stored_as_png(draft, operator_user):
    document = upload(draft, operator_user, SimpleUploadedFile("bill.pdf", PNG_BYTES), "electricity_bill")
    assert document.content_type == "image/png"
    assert document.file.name.endswith(".png")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "statement.pdf",
            EXE_BYTES,
            "“statement.pdf” is a program (application/x-msdownload), not a document, whatever its name says. "
            "Only PDF, JPEG or PNG documents are accepted.",
        ),
        ("empty.pdf", b"", "“empty.pdf” is empty."),
        (
            "lease.pdf",
            HTML_BYTES,
            "“lease.pdf” is a web page (HTML), not a document. Only PDF, JPEG or PNG documents are accepted.",
        ),
        (
            "logo.png",
            SVG_BYTES,
            "“logo.png” is an SVG drawing, which can carry scripts; it is not accepted. "
            "Only PDF, JPEG or PNG documents are accepted.",
        ),
        (
            "notes.pdf",
            b"just some text, not a pdf",
            "“notes.pdf” contains an unrecognised format, not a PDF, JPEG or PNG, whatever its name says. "
            "Only PDF, JPEG or PNG documents are accepted.",
        ),
    ],
)
def test_refused_contents(draft, operator_user, name, content, message):
    files_before = _stored_files()
    with pytest.raises(ValidationFailed) as refusal:
        upload(draft, operator_user, SimpleUploadedFile(name, content))
    assert [str(m) for m in refusal.value.field_errors["file"]] == [message]
    assert not ApplicationDocument.objects.exists()
    assert _stored_files() == files_before


@override_settings(DOCUMENT_MAX_BYTES=1024 * 1024)
def test_oversize_refused(draft, operator_user):
    big = PDF_BYTES + b"0" * (1024 * 1024)
    with pytest.raises(ValidationFailed) as refusal:
        upload(draft, operator_user, SimpleUploadedFile("plan.pdf", big))
    assert refusal.value.message == "“plan.pdf” is larger than the limit of 1 MB."
    assert not ApplicationDocument.objects.exists()


@pytest.mark.parametrize("name", ["../../etc/passwd", "..\\..\\windows\\evil.pdf", "/etc/passwd", "a/../../b.pdf"])
def test_path_like_names_refused(draft, operator_user, name):
    # Django's multipart parser already strips folders; a direct caller (or a tampered client) is refused.
    with pytest.raises(ValidationFailed) as refusal:
        upload(draft, operator_user, File(ContentFile(PDF_BYTES), name=name))
    assert (
        refusal.value.message
        == "A file name must not contain folder parts such as “../”, “/” or “\\”; rename the file."
    )
    assert not ApplicationDocument.objects.exists()


def test_odd_names_are_sanitised(draft, operator_user):
    document = upload(draft, operator_user, SimpleUploadedFile("bank\x07 statement <2025>;rm -rf.pdf", PDF_BYTES))
    assert document.original_filename == "bank statement _2025__rm -rf.pdf"


def test_unknown_document_type_refused(draft, operator_user):
    with pytest.raises(ValidationFailed) as refusal:
        upload(draft, operator_user, SimpleUploadedFile("x.pdf", PDF_BYTES), document_type="passport")
    assert refusal.value.field_errors == {"document_type": ["Choose which document this is."]}


def test_another_operator_cannot_upload(draft, other_operator_user):
    from grants.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        upload(draft, other_operator_user, SimpleUploadedFile("x.pdf", PDF_BYTES))
    assert not ApplicationDocument.objects.exists()


def test_remove_document_while_draft(draft, operator_user, django_capture_on_commit_callbacks):
    document = upload(draft, operator_user, SimpleUploadedFile("x.pdf", PDF_BYTES))
    path = Path(document.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_remove_document(document=document, actor=operator_user)
    assert not ApplicationDocument.objects.exists()
    assert not path.exists()
    assert AuditEvent.objects.filter(action="application.remove_document").count() == 1
