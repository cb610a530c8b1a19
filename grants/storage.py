"""Private storage for applicants' documents.

Files live under settings.PRIVATE_MEDIA_ROOT, outside every served directory, and the storage has no
base URL, so `url()` raises: a document can only reach a browser through a view that checks
`grants.selectors.application_visible_to` and streams it. Stored names are generated (application id
and a random token), never taken from the uploaded name, so no user input ever becomes a path.
"""

import secrets

from django.conf import settings
from django.core.files.storage import FileSystemStorage

from core.uploads import EXTENSION_FOR_CONTENT_TYPE


class PrivateDocumentStorage(FileSystemStorage):
    @property
    def base_url(self):  # never served directly: FileSystemStorage.url() raises when this is None
        return None


def private_document_storage() -> PrivateDocumentStorage:
    # A callable, so migrations record the function rather than this machine's path.
    return PrivateDocumentStorage(
        location=settings.PRIVATE_MEDIA_ROOT, file_permissions_mode=0o640, directory_permissions_mode=0o750
    )


def application_document_path(instance, filename: str) -> str:
    """applications/<application id>/<random>.<extension from the detected content type>."""
    extension = EXTENSION_FOR_CONTENT_TYPE.get(instance.content_type, "bin")
    return f"applications/{instance.application_id}/{secrets.token_hex(16)}.{extension}"
