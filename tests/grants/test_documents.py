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


# --- security issue #14, finding 8: active content, polyglots, names, the same file twice ------------


def _pdf_with(extra_catalog: bytes) -> bytes:
    """A well-formed PDF (pypdf can read it) whose catalog carries `extra_catalog`."""
    import io

    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if extra_catalog == b"openaction-js":
        action = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
        )
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    elif extra_catalog == b"launch":
        action = DictionaryObject(
            {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")}
        )
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    elif extra_catalog == b"page-aa":
        action = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("x")}
        )
        writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): writer._add_object(action)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("kind", [b"openaction-js", b"launch", b"page-aa"])
def test_a_pdf_that_runs_actions_when_opened_is_refused(draft, operator_user, kind):
    with pytest.raises(ValidationFailed) as refused:
        upload(draft, operator_user, SimpleUploadedFile("plan.pdf", _pdf_with(kind)))
    assert "is a PDF that runs actions when it is opened" in refused.value.message
    assert not ApplicationDocument.objects.exists()


def test_a_pdf_hiding_javascript_in_a_compressed_object_stream_is_found(draft, operator_user):
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf_with(b"openaction-js"))))
    writer.compress_identical_objects()
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ValidationFailed, match="runs actions when it is opened"):
        upload(draft, operator_user, SimpleUploadedFile("plan.pdf", out.getvalue()))


def test_a_clean_real_pdf_is_accepted(draft, operator_user):
    document = upload(draft, operator_user, SimpleUploadedFile("plan.pdf", _pdf_with(b"")))
    assert document.content_type == "application/pdf"


@pytest.mark.parametrize(
    "content",
    [
        PDF_BYTES + b"\n<script>alert(document.cookie)</script>\n",
        PNG_BYTES + b"<html><body onload=alert(1)>",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40 + b"<iframe src=//evil.example>",
        PDF_BYTES + b"/URI (javascript:alert(1))",
    ],
)
def test_a_polyglot_that_also_reads_as_a_web_page_is_refused(draft, operator_user, content):
    files_before = _stored_files()
    with pytest.raises(ValidationFailed) as refused:
        upload(draft, operator_user, SimpleUploadedFile("scan.pdf", content))
    assert "also contains web-page code" in refused.value.message
    assert not ApplicationDocument.objects.exists() and _stored_files() == files_before


@pytest.mark.parametrize(
    ("name", "content", "kept"),
    [
        ("report.html", PDF_BYTES, "report.pdf"),
        ("invoice\u202efdp.exe", PDF_BYTES, "invoice_fdp_exe.pdf"),
        ("photo.JPEG.pdf", PNG_BYTES, "photo.JPEG.png"),
        ("Scan 12.jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40, "Scan 12.jpeg"),
        ("noextension", PDF_BYTES, "noextension.pdf"),
    ],
)
def test_the_kept_name_ends_with_what_the_bytes_are(draft, operator_user, name, content, kept):
    document = upload(draft, operator_user, SimpleUploadedFile(name, content))
    assert document.original_filename == kept
    assert document.file.name.rsplit(".", 1)[1] == {"application/pdf": "pdf", "image/png": "png"}.get(
        document.content_type, "jpg"
    )


def test_the_same_file_twice_on_one_application_is_refused_naming_the_first(draft, operator_user):
    upload(draft, operator_user, SimpleUploadedFile("cnic.pdf", PDF_BYTES), "cnic_copy")
    with pytest.raises(ValidationFailed) as refused:
        upload(draft, operator_user, SimpleUploadedFile("plan.pdf", PDF_BYTES), "business_plan")
    assert "“plan.pdf” is already uploaded to this application as “CNIC copy" in refused.value.message
    assert ApplicationDocument.objects.count() == 1


def test_the_same_file_on_another_companys_application_is_not_refused_here(
    draft, operator_user, grant_call, other_operator, other_space, other_operator_user
):
    other = services.application_create(
        actor=other_operator_user, call=grant_call, operator=other_operator, space=other_space
    )
    upload(draft, operator_user, SimpleUploadedFile("cnic.pdf", PDF_BYTES))
    upload(other, other_operator_user, SimpleUploadedFile("cnic.pdf", PDF_BYTES))
    assert ApplicationDocument.objects.count() == 2


def test_binary_data_that_happens_to_hold_pdf_action_names_is_not_mistaken_for_javascript(draft, operator_user):
    """Compressed image data contains `/JS` or `/AA` by chance in about a third of 10 MB scans: only the
    objects pypdf reads count, not stray bytes."""
    import io

    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    blob = DecodedStreamObject()
    blob.set_data(b"\x00\x91/JS \x07/AA\x00\xfe/OpenActio" * 50)
    writer.pages[0][NameObject("/PieceInfo")] = writer._add_object(blob)
    out = io.BytesIO()
    writer.write(out)
    document = upload(draft, operator_user, SimpleUploadedFile("scan.pdf", out.getvalue()))
    assert document.content_type == "application/pdf"


def test_a_password_protected_pdf_is_refused_with_what_to_do(draft, operator_user):
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ValidationFailed) as refused:
        upload(draft, operator_user, SimpleUploadedFile("plan.pdf", out.getvalue()))
    assert "is a password-protected PDF; save a copy without the password" in refused.value.message


def test_a_pdf_locked_only_for_editing_opens_and_is_accepted(draft, operator_user):
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    assert (
        upload(draft, operator_user, SimpleUploadedFile("plan.pdf", out.getvalue())).content_type == "application/pdf"
    )
