"""The markup of the texts data stewards keep (notifications.models.NotificationTemplate).

A steward writes plain text with placeholders in braces, `{space}`, each one a name the notice
declares in the catalogue (notifications.catalogue). `{{` and `}}` write a brace itself. Nothing else
is markup: a template cannot reach any attribute, filter or tag (unlike a Django template, which would
let a steward's text read whatever the context holds).

`problems(text, allowed)` lists what is wrong, each with the line at fault; `fill(text, values)` puts
the values in a text that has no problem. The code's defaults are written with Python's `%(name)s`
(gettext's convention, so translators see the same placeholders); `from_percent` shows them in braces.
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

# One piece: an escaped brace, a placeholder, or a lone brace (an error).
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}\n]*)\}|[{}]")
_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_PERCENT = re.compile(r"%\((\w+)\)[sd]|%%")


def problems(text: str, allowed: Iterable[str], *, single_line: bool = False) -> list[str]:
    """What is wrong with `text` as a template that may use the placeholders `allowed`: an unknown
    placeholder, a brace not closed or not opened, an empty or malformed name; each message names its
    line (1 is the first). Empty list: the text is fine."""
    names = set(allowed)
    found: list[str] = []
    lines = text.splitlines() or [""]
    if single_line and len(lines) > 1:
        found.append(_("Line 2: a subject is one line; remove the line break."))
    for number, line in enumerate(lines, start=1):
        for match in _TOKEN.finditer(line):
            piece = match.group(0)
            if piece in ("{{", "}}"):
                continue
            if piece == "{":
                found.append(_("Line %(line)s: a “{” is not closed (write {{ for a brace itself).") % {"line": number})
            elif piece == "}":
                found.append(
                    _("Line %(line)s: a “}” has no “{” before it (write }} for a brace itself).") % {"line": number}
                )
            else:
                name = (match.group(1) or "").strip()
                if not _NAME.match(name):
                    found.append(
                        _("Line %(line)s: “%(piece)s” is not a placeholder (a name in small letters, e.g. {ref}).")
                        % {"line": number, "piece": piece}
                    )
                elif name not in names:
                    found.append(
                        _("Line %(line)s: unknown placeholder {%(name)s}; this notice may use %(allowed)s.")
                        % {
                            "line": number,
                            "name": name,
                            "allowed": ", ".join(f"{{{n}}}" for n in sorted(names)) or "—",
                        }
                    )
    return found


def missing(text: str, required: Iterable[str]) -> list[str]:
    """The placeholders of `required` that `text` does not use: what a person typed (a reason, a
    question) must reach the reader whatever a steward writes around it."""
    used = {(match.group(1) or "").strip() for match in _TOKEN.finditer(text) if match.group(1) is not None}
    absent = sorted(set(required) - used)
    if not absent:
        return []
    return [
        _("The message must keep %(names)s: it carries what a person typed, which the reader must see.")
        % {"names": ", ".join(f"{{{name}}}" for name in absent)}
    ]


def fill(text: str, values: Mapping[str, Any]) -> str:
    """`text` with each placeholder replaced by its value (a text checked by `problems`)."""

    def replace(match: re.Match[str]) -> str:
        piece = match.group(0)
        if piece == "{{":
            return "{"
        if piece == "}}":
            return "}"
        if match.group(1) is None:
            return piece
        return str(values.get(match.group(1).strip(), piece))

    return _TOKEN.sub(replace, text)


def placeholders_in_percent(text: str) -> set[str]:
    """The `%(name)s` (or `%(name)d`) placeholders of a default text."""
    return {m.group(1) for m in _PERCENT.finditer(text) if m.group(1)}


def from_percent(text: str) -> str:
    """A default text (`%(name)s`, `%(name)d`) written in the stewards' markup (`{name}`)."""
    text = text.replace("{", "{{").replace("}", "}}")
    return _PERCENT.sub(lambda m: "{" + m.group(1) + "}" if m.group(1) else "%", text)
