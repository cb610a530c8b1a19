"""The one check for every privately stored upload (application documents, tranche evidence, bills).

A file is judged by its bytes, never by its name: a PDF, JPEG or PNG, within DOCUMENT_MAX_BYTES, not
empty, with no folder parts in its name. Beyond the format it must be *inert*: no PDF that runs
JavaScript or launches a program when opened, and no file whose bytes also read as a web page or script
(a "polyglot" such as `%PDF` or a JPEG with `<script>` inside, which a browser sniffing the content
would run). The name kept for display and download ends with the extension of what the bytes are, so
`report.html` that is a PDF is served as `report.pdf`, and invisible direction marks
(`invoice<RLO>fdp.exe`) are shown, not silently dropped.
"""

import hashlib
import io
import re
import unicodedata
from typing import Any, NoReturn

import filetype
from django.conf import settings
from django.utils.translation import gettext as _

from .errors import ValidationFailed

ALLOWED_CONTENT_TYPES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
EXTENSION_FOR_CONTENT_TYPE = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
EXTENSIONS_ACCEPTED = {"application/pdf": {"pdf"}, "image/jpeg": {"jpg", "jpeg"}, "image/png": {"png"}}
PROGRAM_EXTENSIONS = {"exe", "elf", "dll", "msi", "dex", "sh", "bin", "dmg", "deb", "rpm"}

# Markup a browser would run if it ever sniffed the file as HTML, anywhere in the bytes. Long enough
# that compressed image or PDF data does not match by chance (a 4-letter tag such as `<svg` would, in
# about one 10 MB file in fifty; these in fewer than one in a million).
_ACTIVE_MARKUP = re.compile(rb"<(script|iframe|object|embed)[\s>/]|<(html|body)[\s>]|javascript:", re.IGNORECASE)
# PDF names that make a reader run code or open something when the file is opened or a page is shown.
_PDF_ACTIVE_KEYS = {"/JS", "/JavaScript", "/Launch", "/OpenAction", "/AA", "/RichMedia", "/XFA"}
_PDF_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/RichMediaExecute"}
# Only for a PDF pypdf cannot read at all: long, specific spellings, so compressed image data does not
# match them by chance (a bare `/JS` or `/AA` would, in about a third of 10 MB scans).
_PDF_RAW_MARKERS = re.compile(rb"/(JavaScript|Launch|OpenAction|RichMedia|XFA)\b|/JS\s*[(<]|/AA\s*<<")
LOCKED_PDF = "encrypted"  # what _pdf_active_content says of a PDF it cannot open
# Walking a hostile PDF's objects is bounded: no real supporting document has more.
_PDF_MAX_OBJECTS = 100_000


def sanitise_filename(name: str) -> str:
    """A display name safe anywhere: no folders, no control or odd characters, at most 120 long.

    Format characters (bidirectional overrides such as U+202E) become `_`, so `invoice<RLO>fdp.exe`
    reads `invoice_fdp.exe` and cannot pose as another extension."""
    name = unicodedata.normalize("NFKC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(
        ch if (ch.isalnum() or ch in "._- ()") else "_"
        for ch in name
        if unicodedata.category(ch) not in {"Cc", "Cs", "Co", "Cn"}
    )
    cleaned = cleaned.strip(" .") or "document"
    if len(cleaned) > 120:
        stem, dot, ext = cleaned.rpartition(".")
        cleaned = (stem[: 119 - len(ext)] + dot + ext) if dot and len(ext) <= 8 else cleaned[:120]
    return cleaned


def name_for_content(name: str, content_type: str) -> str:
    """The display name with the extension of what the bytes are: `report.html` holding a PDF becomes
    `report.pdf`; `scan.JPEG` stays; `invoice_fdp.exe` holding a PDF becomes `invoice_fdp_exe.pdf`."""
    stem, dot, ext = name.rpartition(".")
    if dot and ext.lower() in EXTENSIONS_ACCEPTED.get(content_type, set()):
        return name
    if dot and stem:
        name = f"{stem}_{ext}" if ext.lower() in PROGRAM_EXTENSIONS else stem
    extension = EXTENSION_FOR_CONTENT_TYPE[content_type]
    return f"{name[: 119 - len(extension)]}.{extension}"


def _looks_like(head: bytes) -> str | None:
    """Name a dangerous text format filetype cannot see (HTML, SVG), from the first bytes."""
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").lower().replace(b"\x00", b"")
    if b"<svg" in text[:2048] and (
        text.startswith(b"<svg") or text.startswith(b"<?xml") or text.startswith(b"<!doctype svg")
    ):
        return "svg"
    if (
        text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<iframe"))
        or b"<script" in text[:2048]
    ):
        return "html"
    return None


def _refuse(field: str, message: str) -> NoReturn:
    raise ValidationFailed(field_errors={field: [message]})


def _check_format(name: str, head: bytes, field: str) -> str:
    """The detected content type of an acceptable document, or ValidationFailed saying why not."""
    kind = filetype.guess(head)
    if kind is not None and kind.mime in ALLOWED_CONTENT_TYPES:
        return kind.mime
    accepted = _("Only PDF, JPEG or PNG documents are accepted.")
    if kind is not None and kind.extension in PROGRAM_EXTENSIONS:
        _refuse(
            field,
            _("“%(name)s” is a program (%(kind)s), not a document, whatever its name says. %(accepted)s")
            % {"name": name, "kind": kind.mime, "accepted": accepted},
        )
    sniffed = _looks_like(head)
    if sniffed == "svg":
        _refuse(
            field,
            _("“%(name)s” is an SVG drawing, which can carry scripts; it is not accepted. %(accepted)s")
            % {"name": name, "accepted": accepted},
        )
    if sniffed == "html":
        _refuse(
            field,
            _("“%(name)s” is a web page (HTML), not a document. %(accepted)s") % {"name": name, "accepted": accepted},
        )
    detected = kind.mime if kind is not None else _("an unrecognised format")
    _refuse(
        field,
        _("“%(name)s” contains %(detected)s, not a PDF, JPEG or PNG, whatever its name says. %(accepted)s")
        % {"name": name, "detected": detected, "accepted": accepted},
    )
    raise AssertionError("unreachable")  # pragma: no cover


def _pdf_active_content(content: bytes) -> str | None:
    """The first thing in a PDF that would run when opened (JavaScript, a launch or open action),
    or None. Reads every object with pypdf, so markers hidden in compressed object streams or spelt
    with #-escapes are found too; a PDF pypdf cannot read at all is judged by its raw bytes."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return LOCKED_PDF  # its objects cannot be read, so it cannot be judged
        ids = [(num, gen) for gen, table in reader.xref.items() for num in table]
        ids += [(num, 0) for num in reader.xref_objStm]
    except Exception:  # noqa: BLE001 - any parse failure falls back to the byte scan
        raw = _PDF_RAW_MARKERS.search(content)
        return raw.group(0).decode("latin-1") if raw else None
    seen: set[int] = set()

    def active(value: object) -> str | None:
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, IndirectObject):
                continue  # every indirect object is visited from the cross-reference table
            if isinstance(item, DictionaryObject):
                if item.get("/S") in _PDF_ACTIVE_ACTIONS:
                    return str(item.get("/S"))
                for key, child in item.items():
                    if key in _PDF_ACTIVE_KEYS:
                        return str(key)
                    stack.append(child)
            elif isinstance(item, ArrayObject):
                stack.extend(item)
        return None

    found = active(reader.trailer)
    for num, gen in ids[:_PDF_MAX_OBJECTS]:
        if found:
            break
        if num in seen:
            continue
        seen.add(num)
        try:
            found = active(reader.get_object(IndirectObject(num, gen, reader)))
        except Exception:  # noqa: BLE001, S112 - a damaged object holds nothing a reader would run
            continue
    return found


def _check_inert(name: str, content_type: str, content: bytes, field: str) -> None:
    if _ACTIVE_MARKUP.search(content):
        _refuse(
            field,
            _(
                "“%(name)s” also contains web-page code (HTML or script) hidden inside the document; "
                "it is not accepted. Save or scan the document again and upload that copy."
            )
            % {"name": name},
        )
    if content_type == "application/pdf":
        found = _pdf_active_content(content)
        if found == LOCKED_PDF:
            _refuse(
                field,
                _("“%(name)s” is a password-protected PDF; save a copy without the password and upload that.")
                % {"name": name},
            )
        if found:
            _refuse(
                field,
                _(
                    "“%(name)s” is a PDF that runs actions when it is opened (%(found)s), such as JavaScript "
                    "or launching a program; it is not accepted. Print it to a new PDF and upload that copy."
                )
                % {"name": name, "found": found},
            )


def read_upload(file: Any, field: str) -> dict[str, Any]:
    """Check an uploaded file and return the StoredFile columns of the row that will hold it
    (`original_filename`, `size`, `sha256`, `content_type`); errors name `field`.

    Refused, each with its own message: folder parts in the name; an empty file; a file over
    settings.DOCUMENT_MAX_BYTES; content that is not PDF, JPEG or PNG by its bytes; a PDF with
    JavaScript or launch/open actions; a file whose bytes also hold HTML or script.
    """
    raw_name = str(getattr(file, "name", "") or "")
    if "/" in raw_name or "\\" in raw_name or ".." in raw_name or "\x00" in raw_name:
        _refuse(field, _("A file name must not contain folder parts such as “../”, “/” or “\\”; rename the file."))
    name = sanitise_filename(raw_name)
    limit = settings.DOCUMENT_MAX_BYTES
    file.seek(0)
    digest, size, parts = hashlib.sha256(), 0, []
    for chunk in file.chunks():
        size += len(chunk)
        if size > limit:
            break
        digest.update(chunk)
        parts.append(chunk)
    if size == 0:
        _refuse(field, _("“%(name)s” is empty.") % {"name": name})
    if size > limit:
        _refuse(
            field,
            _("“%(name)s” is larger than the limit of %(limit)s MB.")
            % {"name": name, "limit": f"{limit / (1024 * 1024):g}"},
        )
    content = b"".join(parts)
    content_type = _check_format(name, content[:8192], field)
    _check_inert(name, content_type, content, field)
    file.seek(0)
    return {
        "original_filename": name_for_content(name, content_type),
        "size": size,
        "sha256": digest.hexdigest(),
        "content_type": content_type,
    }
