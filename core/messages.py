"""Notification texts as data: each concern keeps its notices in `<app>/messages.py`, lazily
translated, and `Notice.render(**params)` gives the subject and body as callables that
notifications.services.notify renders once per recipient, in that recipient's language.

A parameter may itself be a callable (e.g. a month's name) so it is rendered in the recipient's
language too; other parameters (references, names, what a person typed) are the same in every language,
and in an Urdu text each is isolated (U+2068 ... U+2069) so that a Latin name or a reference keeps its
own direction and the punctuation around it stays in place.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

from .bilingual import isolated


@dataclass(frozen=True)
class Notice:
    subject: Promise
    body: Promise

    def render(self, **params: Any) -> tuple[Callable[[], str], Callable[[], str]]:
        def values() -> dict[str, Any]:
            return {key: value() if callable(value) else isolated(value) for key, value in params.items()}

        return (lambda: str(self.subject) % values()), (lambda: str(self.body) % values())


def joined(*parts: Any) -> Callable[[], str]:
    """One message from parts, for a notice with an optional sentence: each part is rendered per recipient
    (a callable, such as a rendered Notice's body, is called; a lazy string is translated then), and the
    rest (a reason a person typed, a separator) is written as it is."""
    return lambda: "".join(str(part() if callable(part) else part) for part in parts)
