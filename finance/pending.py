"""Uploaded bank files held between their preview and the person's confirmation.

The preview page carries only a token (the file's SHA-256) and the file's name; the bytes wait in
private storage, so the confirm step imports exactly the file that was previewed. Used by the bank
statement (finance) and the loan collection file (loans).
"""

import hashlib
import re
from pathlib import Path

from django.conf import settings


def file_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def safe_file_name(name: str) -> str:
    """The uploaded file's name, kept only as display text: no path, no odd characters."""
    return re.sub(r"[^\w.\- ]", "_", name or "")[:200]


class TamperedUpload(Exception):
    """The held file's content does not match the token it was asked for by."""


class PendingUploads:
    def __init__(self, *folder: str):
        self.folder = folder

    def _path(self, token: str, file_name: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{64}", token or ""):
            raise TamperedUpload(token)
        suffix = ".xlsx" if file_name.lower().endswith(".xlsx") else ".csv"
        return Path(settings.PRIVATE_MEDIA_ROOT).joinpath(*self.folder) / f"{token}{suffix}"

    def keep(self, content: bytes, file_name: str) -> str:
        """Hold the file; returns its token."""
        token = file_hash(content)
        path = self._path(token, file_name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        return token

    def load(self, token: str, file_name: str) -> bytes | None:
        """The held file, or None when it has expired or was already imported. Raises TamperedUpload
        when the bytes are not the ones the token names."""
        path = self._path(token, file_name)
        if not path.exists():
            return None
        content = path.read_bytes()
        if file_hash(content) != token:
            raise TamperedUpload(token)
        return content

    def discard(self, token: str, file_name: str) -> None:
        self._path(token, file_name).unlink(missing_ok=True)
