"""Private storage for applicants' documents.

Files live under settings.PRIVATE_MEDIA_ROOT, outside every served directory, and the storage has no
base URL, so `url()` raises: a document can only reach a browser through a view that checks
`grants.selectors.application_visible_to` and streams it. Stored names are generated (application id
and a random token), never taken from the uploaded name, so no user input ever becomes a path.
"""

import secrets

# The storage itself is core's (every concern's private files share it); the name stays importable
# here because the grants migrations record `grants.storage.private_document_storage`.
from core.files import PrivateDocumentStorage, private_document_storage
from core.uploads import EXTENSION_FOR_CONTENT_TYPE

__all__ = ["PrivateDocumentStorage", "application_document_path", "private_document_storage"]


def application_document_path(instance, filename: str) -> str:
    """applications/<application id>/<random>.<extension from the detected content type>."""
    extension = EXTENSION_FOR_CONTENT_TYPE.get(instance.content_type, "bin")
    return f"applications/{instance.application_id}/{secrets.token_hex(16)}.{extension}"
