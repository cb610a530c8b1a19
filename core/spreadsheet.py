"""Formula injection: the one escaping function for every cell Sahulat writes to a spreadsheet or CSV.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is evaluated by Excel and
LibreOffice as a formula (`=HYPERLINK(...)`, `@SUM(1)`, `-1+1`). Every export passes its text cells
through `escape_cell`; every importer refuses what `is_formula_like` finds (OWASP, "CSV Injection").
"""

import re
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
# A plain signed number such as "-5" or "-1.5" is data, not a formula.
PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def is_formula_like(value: object) -> bool:
    """True for text a spreadsheet program would evaluate rather than show."""
    if not isinstance(value, str):
        return False
    stripped = value.lstrip(" ")
    return stripped.startswith(FORMULA_PREFIXES) and not PLAIN_NUMBER.match(stripped)


def escape_cell(value: Any) -> Any:
    """Text that looks like a formula, prefixed with an apostrophe so it shows as text; anything else
    unchanged. Applied to every cell of every export (xlsx and csv), import-export resources included."""
    if is_formula_like(value):
        return "'" + value
    return value


# The name the report writers have always used.
safe_text = escape_cell
