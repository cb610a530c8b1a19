"""Notification texts as data: each concern keeps its notices in `<app>/messages.py`, lazily
translated, and `Notice.render(**params)` gives the subject and body as callables that
notifications.services.notify renders once per recipient, in that recipient's language.

A parameter may itself be a callable (e.g. a month's name) so it is rendered in the recipient's
language too; other parameters (references, names, what a person typed) are the same in every language,
and in an Urdu text each is isolated (U+2068 ... U+2069) so that a Latin name or a reference keeps its
own direction and the punctuation around it stays in place.

The code's texts are the defaults. Data stewards may keep their own subject and body of a notice, per
language (notifications.catalogue, issue #19). core imports no app, so the app that keeps them
registers a lookup here (`keep_texts_from`, from its AppConfig.ready): `render` asks it once per render,
on the first part rendered, and each part reads the steward's text for the language being rendered,
else the default. The params are filled in the same way either way (callables per language, texts
isolated in Urdu).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise

from .bilingual import isolated

# A steward's texts of one notice: (part, language, values) -> the text with its values filled in, or
# None where the default stands for that part and language.
Kept = Callable[[str, str, Mapping[str, Any]], str | None]
# The registered lookup: the notice -> its kept texts (None: none kept, or a notice no one keeps).
KeptLookup = Callable[["Notice"], Kept | None]

_lookup: list[KeptLookup] = []


def keep_texts_from(lookup: KeptLookup | None) -> None:
    """Register (or, with None, remove) where stewards' texts of notices are read from."""
    _lookup.clear()
    if lookup is not None:
        _lookup.append(lookup)


def active_language() -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]


def _jsonable(value: Any) -> Any:
    return value if isinstance(value, int | float | bool) or value is None else str(value)


class _Once:
    """The kept texts of one render, looked up the first time a part is rendered (one query)."""

    def __init__(self, find: Callable[[], Kept | None]):
        self._find = find
        self._found: list[Kept | None] = []

    def __call__(self) -> Kept | None:
        if not self._found:
            self._found.append(self._find())
        return self._found[0]


class Rendered:
    """One part (subject or body) of a rendered notice: call it for the text in the active language.
    `notice` and `values()` say what it was rendered from (notify keeps them for the stewards'
    preview)."""

    def __init__(self, notice: "Notice", part: str, params: Mapping[str, Any], kept: Callable[[], Kept | None]):
        self.notice = notice
        self.part = part
        self.params = dict(params)
        self._kept = kept

    def values(self) -> dict[str, Any]:
        """The params in the active language: callables called, texts isolated in Urdu."""
        return {key: value() if callable(value) else isolated(value) for key, value in self.params.items()}

    def stored_values(self) -> dict[str, Any]:
        """values() as JSON can keep them (numbers as numbers, anything else as text)."""
        return {key: _jsonable(value) for key, value in self.values().items()}

    def __call__(self) -> str:
        values = self.values()
        kept = self._kept()
        if kept is not None:
            text = kept(self.part, active_language(), values)
            if text:
                return text
        return str(getattr(self.notice, self.part)) % values


@dataclass(frozen=True)
class Notice:
    subject: Promise
    body: Promise

    def render(self, **params: Any) -> tuple[Callable[[], str], Callable[[], str]]:
        """Subject and body, rendered per call in the active language, from the steward's texts where
        the registered lookup has them (asked once, when the first part is rendered). Each is a
        `Rendered` (typed as the plain callable callers pass to notify and `joined`)."""

        def find() -> Kept | None:
            return _lookup[0](self) if _lookup else None

        once = _Once(find)
        return Rendered(self, "subject", params, once), Rendered(self, "body", params, once)

    def render_from(self, kept: Kept | None, **params: Any) -> tuple[Callable[[], str], Callable[[], str]]:
        """As render, with the kept texts given (a steward's draft being previewed; None: the defaults)."""
        return Rendered(self, "subject", params, lambda: kept), Rendered(self, "body", params, lambda: kept)


def joined(*parts: Any) -> Callable[[], str]:
    """One message from parts, for a notice with an optional sentence: each part is rendered per recipient
    (a callable, such as a rendered Notice's body, is called; a lazy string is translated then), and the
    rest (a reason a person typed, a separator) is written as it is."""
    return lambda: "".join(str(part() if callable(part) else part) for part in parts)
