"""Small helpers every spreadsheet writer shares."""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    """True for text a spreadsheet program would evaluate rather than show (formula injection)."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def safe_text(value):
    """Make text that looks like a formula display as text in Excel and LibreOffice."""
    if is_formula_like(value):
        return "'" + value
    return value
