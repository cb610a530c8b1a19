"""Data kept in both languages: an English value and an optional Urdu one (`name` and `name_ur`).

`in_active_language(english, urdu)` is the Urdu text while Urdu is the active language and it is filled
in, otherwise the English one, the same rule as the CMS pages' `_ur` fields (cms/localized.py).
"""

from typing import Any

from django.utils.translation import get_language

URDU = "ur"
FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"


def urdu_is_active() -> bool:
    return (get_language() or "").split("-")[0] == URDU


def in_active_language(english: str, urdu: str | None) -> str:
    """The Urdu text on an Urdu page when there is one; otherwise the English text."""
    if urdu_is_active() and urdu and urdu.strip():
        return urdu
    return english


def shown_in_english(urdu: str | None) -> bool:
    """True when an Urdu page shows the English text (no Urdu given): the template marks it lang="en"."""
    return urdu_is_active() and not (urdu and urdu.strip())


def isolated(value: Any) -> Any:
    """A text (a name, a reference, what a person typed) isolated on an Urdu page or in an Urdu notice
    (U+2068 ... U+2069), where markup cannot go: a select's option, a notice, a plain-text email. It
    keeps its own direction and the punctuation around it stays in place. Anything but a non-empty
    text, or any other language, as it is."""
    if isinstance(value, str) and value and urdu_is_active():
        return f"{FIRST_STRONG_ISOLATE}{value}{POP_DIRECTIONAL_ISOLATE}"
    return value
