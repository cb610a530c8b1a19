"""Data kept in both languages: an English value and an optional Urdu one (`name` and `name_ur`).

`in_active_language(english, urdu)` is the Urdu text while Urdu is the active language and it is filled
in, otherwise the English one, the same rule as the CMS pages' `_ur` fields (cms/localized.py).
"""

from django.utils.translation import get_language

URDU = "ur"


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
