"""Once only (issue #16): a document the operator filed before and that was accepted (an earlier
application's, once past screening, or an issued one-window request's; never an expired one) is
offered in a new application instead of a new upload. The new row points at the same stored file,
with its source, so nothing is copied and the officer sees what was filed."""

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import workflow
from onewindow.models import RequestDocument
from onewindow.selectors.requests import Reusable, reusable_documents

from ..errors import ValidationFailed
from ..events import GrantsEvent
from ..models import Application, ApplicationDocument
from ._common import _lock, _require_editable

if TYPE_CHECKING:
    from accounts.models import User


def _source(key: str) -> ApplicationDocument | RequestDocument | None:
    kind, pk = key.split(":", 1)
    if kind == "app":
        return ApplicationDocument.objects.filter(pk=pk).first()
    return RequestDocument.objects.filter(pk=pk).first()


def documents_to_reuse(application: Application) -> list[Reusable]:
    """What the operator may reuse in this application: its company's accepted documents, not those
    already attached to this application."""
    # The application's documents as the page already read them (prefetched); the offered ones carry
    # their stored file's name, so this costs the two queries of reusable_documents and no more.
    attached = {document.file.name for document in application.documents.all()}
    return [item for item in reusable_documents(application.operator) if item.file_name not in attached]


def application_reuse_document(*, application: Application, actor: "User", key: str) -> ApplicationDocument:
    """Attach a document filed before (`key` from `documents_to_reuse`). Pre: editable application,
    actor a member of the operator. Post: a new document row on the same stored file, with the source
    named in the audit event `application.upload_document`."""
    with transaction.atomic():
        application = _lock(application)
        _require_editable(application, actor)
        offered = {item.key: item for item in documents_to_reuse(application)}
        if key not in offered:
            raise ValidationFailed(
                field_errors={"reuse": [_("That document is not one you may reuse (expired, not yours, or attached).")]}
            )
        source = _source(key)
        if source is None:  # gone between the offer and the choice
            raise ValidationFailed(field_errors={"reuse": [_("That document is no longer on file.")]})
        document = ApplicationDocument(
            application=application,
            document_type=source.document_type,
            original_filename=source.original_filename,
            size=source.size,
            sha256=source.sha256,
            content_type=source.content_type,
            uploaded_by=actor,
            uploaded_at=timezone.now(),
        )
        document.file.name = source.file.name  # the same stored file: filed once, used again
        document.save()
        workflow.record(
            actor=actor,
            event=GrantsEvent.APPLICATION_UPLOAD_DOCUMENT,
            obj=application,
            from_state=application.state,
            to_state=application.state,
            data={
                "reference": application.reference,
                "document_type": document.document_type,
                "file": document.original_filename,
                "sha256": document.sha256,
                "size": document.size,
                "reused_from": offered[key].source,
            },
        )
    return document
