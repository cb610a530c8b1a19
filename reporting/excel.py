"""Small helpers every spreadsheet writer shares."""

import re

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def is_formula_like(value) -> bool:
    """True for text a spreadsheet program would evaluate rather than show (formula injection)."""
    # A plain signed number such as "-5" is data, not a formula: let the column's own rules judge it.
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not PLAIN_NUMBER.match(value)


def safe_text(value):
    """Make text that looks like a formula display as text in Excel and LibreOffice."""
    if is_formula_like(value):
        return "'" + value
    return value
