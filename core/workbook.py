"""Reading an uploaded spreadsheet without letting it cost more than its honest size.

An .xlsx is a zip of XML: a 290 KB file can declare two million blank rows, or a shared-strings part
that unpacks to a gigabyte. Before openpyxl parses anything, `workbook_rows` checks the zip's own
directory (the uncompressed size of every part and the compression ratio) and the sheet's declared
dimension; while reading, every row counts toward the cap, blank or not, so blank rows cannot be
used to spend CPU past it. CSV rows count the same way. Caps come from settings (SPREADSHEET_*), with
each importer passing its own row cap.
"""

import csv
import io
import zipfile
from collections.abc import Iterator

from defusedxml.ElementTree import iterparse
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from .errors import ValidationFailed

# No honest workbook of the program's templates unpacks to more, or compresses better than this.
DEFAULT_MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_RATIO = 200


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def check_xlsx_container(content: bytes, *, what: str) -> None:
    """Refuse a workbook whose parts unpack past SPREADSHEET_MAX_UNCOMPRESSED_BYTES or compress
    suspiciously well (a zip bomb), reading only the zip's central directory."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ValidationFailed(_("This file is not an Excel workbook (.xlsx) that can be read.")) from None
    limit = _limit("SPREADSHEET_MAX_UNCOMPRESSED_BYTES", DEFAULT_MAX_UNCOMPRESSED_BYTES)
    ratio = _limit("SPREADSHEET_MAX_COMPRESSION_RATIO", DEFAULT_MAX_RATIO)
    total = sum(member.file_size for member in members)
    worst = max(
        (member.file_size / max(member.compress_size, 1) for member in members if member.file_size > 1024 * 1024),
        default=0,
    )
    if total > limit or worst > ratio:
        raise ValidationFailed(
            _(
                "This %(what)s unpacks to %(size)s MB, far more than its rows need (at most %(limit)s MB); it is "
                "refused unread. Save the sheet again with only its rows, or export it as CSV."
            )
            % {"what": what, "size": f"{total / (1024 * 1024):,.0f}", "limit": f"{limit / (1024 * 1024):g}"}
        )


def check_sheet_rows(content: bytes, *, what: str, max_rows: int) -> None:
    """Count the <row> elements of every worksheet part, streaming, and stop past `max_rows` + 1.

    openpyxl, opening a workbook read-only, parses each sheet to its end when the sheet declares no
    dimension (it looks for the <dimension> element until </sheetData>): two million blank rows cost
    seconds before a single row is read. This pass stops at the cap instead."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    for member in archive.infolist():
        if not (member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")):
            continue
        rows = 0
        with archive.open(member) as stream:
            for _event, element in iterparse(stream, events=("start",)):
                if element.tag.rsplit("}", 1)[-1] == "row":
                    rows += 1
                    if rows > max_rows + 1:
                        raise _too_many(what, max_rows)


def _too_many(what: str, max_rows: int) -> ValidationFailed:
    return ValidationFailed(
        _("This %(what)s has more than %(n)s rows (blank rows count too); it is refused unread.")
        % {"what": what, "n": f"{max_rows:,}"}
    )


def xlsx_rows(
    content: bytes, *, what: str, max_rows: int, sheet: str | None = None, data_only: bool = False
) -> Iterator[list]:
    """The rows of the workbook's first sheet (or `sheet`), as lists of cell values, heading included.

    Raises ValidationFailed for a file that is not a workbook, a container that is too big, a sheet
    that declares or holds more than `max_rows` rows after its heading. Formulas arrive as their text
    unless `data_only` (then as the value Excel saved), so importers can refuse them."""
    check_xlsx_container(content, what=what)
    try:
        check_sheet_rows(content, what=what, max_rows=max_rows)
    except ValidationFailed:
        raise
    except Exception:  # noqa: BLE001 - malformed XML: openpyxl below says it is not a workbook
        raise ValidationFailed(_("This file is not an Excel workbook (.xlsx) that can be read.")) from None
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=data_only)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise ValidationFailed(_("This file is not an Excel workbook (.xlsx) that can be read.")) from None
    try:
        worksheet = workbook[sheet] if sheet and sheet in workbook.sheetnames else workbook.worksheets[0]
        declared = worksheet.max_row  # from the sheet's <dimension>, when it declares one
        if declared is not None and declared > max_rows + 1:
            raise _too_many(what, max_rows)
        for number, row in enumerate(worksheet.iter_rows(values_only=True), start=1):
            if number > max_rows + 1:
                raise _too_many(what, max_rows)
            yield list(row)
    finally:
        workbook.close()


def csv_rows(content: bytes, *, what: str, max_rows: int) -> Iterator[list]:
    """The rows of a UTF-8 CSV file, heading included; blank lines count toward `max_rows`."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed(_("This CSV file is not in UTF-8: save it again as “CSV UTF-8”.")) from None
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if number > max_rows + 1:
            raise _too_many(what, max_rows)
        yield row
