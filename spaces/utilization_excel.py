"""The utilization returns Excel template: writing it for an operator and month, and reading it back.

The reader follows the registry import's rules (spaces/resources.py): every template column must be
there and no other, formula-like cells are refused, and every mistake is named by its row and column
("Row 4, column seat_days_used: …"). It never writes: the preview shows what would be filed, and
`utilization_import_apply` files it after the person confirms.
"""

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core.errors import ValidationFailed
from core.spreadsheet import is_formula_like, safe_text
from core.workbook import xlsx_rows

from .models import UTILIZATION_FIGURES, Operator, Space, UtilizationReturn
from .utilization import days_in, field_label, figure_problems, month_label, month_problem, parse_month

SHEET = "Returns"
TEMPLATE_COLUMNS = ("space_code", "space_name", "month", *UTILIZATION_FIGURES)


def template_workbook(operator: Operator, month: dt.date) -> bytes:
    """One row per space of the operator that may file for `month`, already-filed figures filled in."""
    spaces = list(operator.spaces.order_by("code"))
    filed = {r.space_id: r for r in UtilizationReturn.objects.filter(space__operator=operator, month=month)}
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    header_fill = PatternFill("solid", fgColor="00583A")
    ws.append(list(TEMPLATE_COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    row_number = 1
    for space in spaces:
        if month_problem(space, month):
            continue
        row_number += 1
        existing = filed.get(space.pk)
        values = [space.code, safe_text(space.name), month.strftime("%Y-%m")]
        for name in UTILIZATION_FIGURES:
            if existing is not None:
                values.append(getattr(existing, name))
            elif name == "seats_offered":
                values.append(space.seats_offered)  # from the registry; change it if it differed
            else:
                values.append(None)
        ws.append(values)
        for cell in ws[row_number][3:]:
            cell.protection = Protection(locked=False)
    first_figure = get_column_letter(4)
    last_figure = get_column_letter(len(TEMPLATE_COLUMNS))
    if row_number > 1:
        validation = DataValidation(
            type="whole",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_("Whole numbers only"),
            error=_("Enter a whole number, 0 or more."),
        )
        validation.add(f"{first_figure}2:{last_figure}{row_number}")
        ws.add_data_validation(validation)
    ws.freeze_panes = "D2"
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 32
    ws.column_dimensions["C"].width = 10
    for index in range(4, len(TEMPLATE_COLUMNS) + 1):
        ws.column_dimensions[get_column_letter(index)].width = 16
    # The header, codes and month are locked: the reader finds columns by these names.
    ws.protection.sheet = True
    ws.protection.formatColumns = False

    notes = wb.create_sheet(_("Instructions"))
    notes.column_dimensions["A"].width = 110
    lines = [
        _("Utilization returns for %(month)s — %(company)s")
        % {"month": month_label(month), "company": safe_text(operator.legal_name)},
        "",
        _("Fill one row per space on the sheet “Returns”, then upload this file in the operator portal."),
        _("Do not rename, add or remove columns; the space code and month columns are locked."),
        _(
            "Every figure is a whole number, 0 or more. To skip a space, leave its figures empty: seats_offered, "
            "filled in from the registry, may stay."
        ),
        _("seats_offered: seats the space offered this month (filled in from the registry; correct it if needed)."),
        _("seats_allotted: seats allotted to subsidized members; at most seats_offered."),
        _("seat_days_available: seats offered × days open; at most seats_offered × %(days)s, the days in %(month)s.")
        % {"days": days_in(month), "month": month_label(month)},
        _("seat_days_used: seat-days members actually used; at most seat_days_available."),
        _("members, women_members (at most members), freelancers and startups (each at most members)."),
        _("meeting_room_hours_available and meeting_room_hours_booked (at most the hours available)."),
        _("If a month is filed already, uploading it again replaces it only after you confirm."),
    ]
    for line in lines:
        notes.append([safe_text(line)])
    notes["A1"].font = Font(bold=True, size=14)

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@dataclass
class UploadResult:
    """What an uploaded template holds: rows ready to file, or the reasons it cannot be filed."""

    month: dt.date
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    file_error: str = ""
    skipped: list[str] = field(default_factory=list)  # space codes with an empty row
    existing: list[UtilizationReturn] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.errors and bool(self.rows)

    @property
    def nothing_to_file(self) -> bool:
        """Read without a problem, but every space's row is empty (a template uploaded as downloaded)."""
        return not self.file_error and not self.errors and not self.rows


def _cell_error(row: int, column: str, message: str) -> str:
    return _("Row %(row)s, column %(column)s: %(message)s") % {"row": row, "column": column, "message": message}


def _whole_number(value) -> tuple[int | None, str | None]:
    """A cell's value as a whole number, or why it is not one."""
    if isinstance(value, bool):
        return None, _("must hold a whole number; it holds %(value)s.") % {"value": value}
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            return None, _("must hold a whole number; it holds %(value)s.") % {"value": value}
        number = int(value)
    elif isinstance(value, str):
        if is_formula_like(value):
            return None, _("holds a formula (%(value)s); only plain values are accepted.") % {"value": value[:40]}
        text = value.strip().replace(",", "")
        try:
            number = int(text)
        except ValueError:
            return None, _("must hold a whole number; it holds “%(value)s”.") % {"value": value.strip()[:40]}
    else:
        return None, _("must hold a whole number; it holds %(value)s.") % {"value": str(value)[:40]}
    if number < 0:
        return None, _("cannot be negative (%(value)s).") % {"value": number}
    return number, None


def _month_of(value) -> dt.date | None:
    if isinstance(value, dt.datetime | dt.date):
        return dt.date(value.year, value.month, 1)
    if isinstance(value, str):
        return parse_month(value)
    return None


def read_upload(upload, *, operator: Operator, month: dt.date) -> UploadResult:
    """Read an uploaded template for `operator` and `month`. Writes nothing."""
    result = UploadResult(month=month)
    upload.seek(0)
    content = upload.read()
    # core.workbook checks the container and the declared rows before parsing; a formula arrives as
    # its text ("=A1*2") and is refused as a formula.
    rows = xlsx_rows(content, what=_("returns file"), max_rows=settings.UTILIZATION_MAX_ROWS, sheet=SHEET)
    try:
        header = next(rows, None) or ()
        headers = [str(h).strip() for h in header]
        while headers and headers[-1] in ("", "None"):
            headers.pop()
        missing = [c for c in TEMPLATE_COLUMNS if c not in headers]
        unknown = [h for h in headers if h not in TEMPLATE_COLUMNS]
        repeated = sorted({h for h in headers if headers.count(h) > 1})
        problems = []
        if missing:
            problems.append(_("missing columns: %(cols)s") % {"cols": ", ".join(missing)})
        if unknown:
            problems.append(_("unknown columns: %(cols)s") % {"cols": ", ".join(unknown)})
        if repeated:
            problems.append(_("repeated columns: %(cols)s") % {"cols": ", ".join(repeated)})
        if problems:
            result.file_error = _(
                "This file does not follow the utilization returns template (%(problems)s). "
                "Download the template again and copy your figures into it."
            ) % {"problems": "; ".join(problems)}
            return result
        index = {name: headers.index(name) for name in TEMPLATE_COLUMNS}
        spaces = {s.code: s for s in operator.spaces.all()}
        first_row_of: dict[str, int] = {}
        for row_number, values in enumerate(rows, start=2):
            values = tuple(values) + (None,) * (len(headers) - len(values))
            cell = {name: values[i] for name, i in index.items()}
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in cell.values()):
                continue
            _read_row(result, row_number, cell, spaces, first_row_of, operator, month)
    except ValidationFailed as refused:
        if refused.message.startswith(_("This file is not an Excel workbook (.xlsx) that can be read.")):
            result.file_error = _("This file is not an Excel workbook (.xlsx). Download the template and fill it in.")
        else:
            result.file_error = refused.message
        return result
    finally:
        rows.close()
    if result.rows and not result.errors:
        result.existing = list(
            UtilizationReturn.objects.filter(
                space__operator=operator, space__code__in=[r["space_code"] for r in result.rows], month=month
            ).select_related("space", "filed_by")
        )
    return result


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_row(result, row_number, cell, spaces: dict[str, Space], first_row_of, operator, month) -> None:
    errors = result.errors
    code_value = cell["space_code"]
    if is_formula_like(code_value):
        errors.append(_cell_error(row_number, "space_code", _("holds a formula; only plain values are accepted.")))
        return
    code = str(code_value or "").strip().upper()
    if not code:
        errors.append(_cell_error(row_number, "space_code", _("is empty; every row names its space.")))
        return
    if code in first_row_of:
        errors.append(
            _cell_error(
                row_number,
                "space_code",
                _("%(code)s appears again (first on row %(first)s); give each space one row.")
                % {"code": code, "first": first_row_of[code]},
            )
        )
        return
    first_row_of[code] = row_number
    space = spaces.get(code)
    if space is None:
        errors.append(
            _cell_error(
                row_number,
                "space_code",
                _("no space with code %(code)s belongs to %(company)s.")
                % {"code": code, "company": operator.legal_name},
            )
        )
        return
    row_month = _month_of(cell["month"])
    if row_month is None:
        errors.append(_cell_error(row_number, "month", _("must be a month written 2025-09.")))
    elif row_month != month:
        errors.append(
            _cell_error(
                row_number,
                "month",
                _("this row is for %(row)s, but you are uploading returns for %(month)s.")
                % {"row": month_label(row_month), "month": month_label(month)},
            )
        )
    else:
        problem = month_problem(space, month)
        if problem:
            errors.append(_cell_error(row_number, "month", problem))
    raw = {name: cell[name] for name in UTILIZATION_FIGURES}
    # The template fills seats_offered in from the registry, so that figure alone is not a return: a
    # row with nothing else is skipped, and a template uploaded as downloaded files nothing.
    if all(_blank(v) for name, v in raw.items() if name != "seats_offered"):
        result.skipped.append(code)
        return
    figures: dict[str, int] = {}
    row_ok = True
    for name, value in raw.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            errors.append(_cell_error(row_number, name, _("is empty; enter %(field)s.") % {"field": field_label(name)}))
            row_ok = False
            continue
        number, problem = _whole_number(value)
        if problem:
            errors.append(_cell_error(row_number, name, problem))
            row_ok = False
        else:
            figures[name] = number
    if not row_ok:
        return
    for name, message in figure_problems(figures, month).items():
        errors.append(_cell_error(row_number, name, message))
        row_ok = False
    if row_ok:
        result.rows.append({"space_code": code, "space_name": space.name, "row": row_number, **figures})
