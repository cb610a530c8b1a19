"""Uploaded bank files held between their preview and the person's confirmation.

The preview page carries only a token (the file's SHA-256) and the file's name; the bytes wait in
private storage, so the confirm step imports exactly the file that was previewed. Used by the bank
statement (finance) and the loan collection file (loans): their views call `preview_and_hold` on the
upload and `confirm_held` on the confirmation, so the two flows are one.
"""

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.contrib import messages
from django.http import Http404

T = TypeVar("T")


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

    def preview_and_hold(
        self,
        form: Any,
        *,
        max_bytes: int,
        too_large: str,
        preview: Callable[[str, bytes], T],
        refused: type[Exception],
    ) -> tuple[T, dict[str, str]] | None:
        """The upload step, on a valid form with a `file`: a file over `max_bytes` is refused with
        `too_large`; otherwise `preview(file_name, content)` says what importing it would do (its
        `refused` errors become the file field's errors) and the file is held until confirmed.
        Returns the preview and the confirm form's initial data, or None (the form has the errors)."""
        upload = form.cleaned_data["file"]
        file_name = safe_file_name(upload.name)
        if upload.size > max_bytes:
            form.add_error("file", too_large)
            return None
        content = upload.read()
        try:
            result = preview(file_name, content)
        except refused as error:
            for message in getattr(error, "messages", [str(error)]):
                form.add_error("file", message)
            return None
        token = self.keep(content, file_name)
        return result, {"token": token, "file_name": file_name}

    def confirm_held(
        self,
        request: Any,
        form: Any,
        *,
        again: str,
        expired: str,
        run: Callable[[str, bytes], T],
        refused: type[Exception],
    ) -> T | None:
        """The confirm step: `run(file_name, content)` imports the held file the form's token names,
        which is then let go, and its result is returned. Otherwise None, with what went wrong in the
        request's messages (`again` for a broken form, `expired` for a file no longer held, the
        `refused` errors of `run`); the caller sends the person back to the upload page. A token
        that names other bytes than the ones held answers 404."""
        if not form.is_valid():
            messages.error(request, again)
            return None
        token, file_name = form.cleaned_data["token"], form.cleaned_data["file_name"]
        try:
            content = self.load(token, file_name)
        except TamperedUpload:
            raise Http404 from None
        if content is None:
            messages.error(request, expired)
            return None
        try:
            result = run(file_name, content)
        except refused as error:
            for message in getattr(error, "messages", [str(error)]):
                messages.error(request, message)
            return None
        self.discard(token, file_name)
        return result
