"""Small helpers every spreadsheet writer shares: formula-injection escaping and openpyxl write-only
cells with styles, dates in Pakistan time, headers and column widths."""

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter

from core.spreadsheet import escape_cell, is_formula_like, safe_text  # noqa: F401 (re-exported)

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="00583A")
TOTAL_FONT = Font(bold=True)


class CellStyles:
    """Prototype cells per style: copying a prototype's style array is much cheaper than assigning
    fonts and formats cell by cell (which looks each one up in the workbook's style tables)."""

    def __init__(self, ws):
        self.ws = ws
        self._protos: dict[tuple, WriteOnlyCell] = {}

    def _proto(self, number_format=None, bold=False, header=False) -> WriteOnlyCell:
        key = (number_format, bold, header)
        proto = self._protos.get(key)
        if proto is None:
            proto = WriteOnlyCell(self.ws)
            if number_format:
                proto.number_format = number_format
            if header:
                proto.font = HEADER_FONT
                proto.fill = HEADER_FILL
                proto.alignment = Alignment(wrap_text=True, vertical="top")
            elif bold:
                proto.font = TOTAL_FONT
            self._protos[key] = proto
        return proto

    def cell(self, value, number_format=None, bold=False, header=False):
        cell = WriteOnlyCell(self.ws, value)
        style = self._proto(number_format, bold, header)._style
        if style is not None:  # an unstyled prototype has no style array at all
            cell._style = StyleArray(style)
        return cell

    def typed(self, value, number_format: str, data_type: str):
        """The detail sheets' hot path: a formatted number ("n") or date ("d") whose type is known,
        so openpyxl's value sniffing (and its default date format look-up) is skipped."""
        if value is None:
            return None
        cell = WriteOnlyCell(self.ws)
        cell._style = StyleArray(self._proto(number_format)._style)
        cell._value = value
        cell.data_type = data_type
        return cell


_LOCAL_ZONE = ZoneInfo(settings.TIME_ZONE)


def excel_local(value: dt.datetime) -> dt.datetime:
    """Excel has no time zones: write Pakistan time, naive."""
    return value.astimezone(_LOCAL_ZONE).replace(tzinfo=None)


def local_date(value: dt.datetime) -> dt.date:
    """The day in Pakistan on which an instant fell."""
    return value.astimezone(_LOCAL_ZONE).date()


def stream_cells_directly(ws) -> None:
    """Let a write-only sheet take ready-made cells without openpyxl's value sniffing.

    openpyxl 3.1's `_values_to_row` first tries every value as a plain value and only treats it as a
    Cell after `_bind_value` raised (and formatted) a ValueError: several times per detail row, about
    a sixth of a writer's CPU time. This per-sheet replacement checks for a Cell first and otherwise
    does what openpyxl does (measured in bench/; openpyxl is pinned in requirements.txt: this replaces
    a private function, so recheck it when openpyxl is upgraded).
    """

    def values_to_row(values, row_idx):
        cell = WriteOnlyCell(ws)
        for col_idx, value in enumerate(values, 1):
            if value is None:
                continue
            if type(value) is Cell:
                value.column = col_idx
                value.row = row_idx
                yield value
                continue
            cell.value = value
            cell.column = col_idx
            cell.row = row_idx
            yield cell
            if cell.has_style:  # a date took a number format: the next value needs a clean cell
                cell = WriteOnlyCell(ws)

    if hasattr(ws, "_values_to_row"):
        ws._values_to_row = values_to_row


def write_header(ws, styles: CellStyles, headers: Iterable[str]) -> None:
    ws.append([styles.cell(safe_text(str(h)), header=True) for h in headers])


def set_widths(ws, widths: Iterable[int]) -> None:
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
