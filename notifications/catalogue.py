"""The notices whose texts data stewards may keep (issue #19): each declared once here with its code,
its kind, the placeholders it may use (what each one is) and where a real case for the preview comes from.

The code ships the defaults (the `Notice`s of notifications/messages.py, translated in locale/ur/);
a steward's NotificationTemplate replaces a part (subject or body) in a language when it is filled in.
`render(code, **params)` gives the subject and body as callables that notify renders once per
recipient, in the recipient's language, reading the steward's text for that language when there is one.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from core.messages import Notice

from . import messages, templating
from .kinds import Kind
from .models import NotificationTemplate

Params = dict[str, Any]


@dataclass(frozen=True)
class Entry:
    """One notice: `placeholders` {name: what it is}; `cases` names a function (limit) -> [(label,
    params)] giving real cases to preview it against (notifications.previews)."""

    code: str
    label: Promise
    notice: Notice
    kind: str
    placeholders: dict[str, Promise] = field(default_factory=dict)
    cases: str = ""

    def default(self, part: str) -> str:
        """The code's `subject` or `body` in the active language, in the stewards' markup."""
        return templating.from_percent(str(getattr(self.notice, part)))

    def load_cases(self, limit: int = 20) -> list[tuple[str, Params]]:
        if not self.cases:
            return []
        function: Callable[[int], list[tuple[str, Params]]] = import_string(self.cases)
        return function(limit)


SPACE = _("the space's name")
MONTH = _("the month of the return")
DUE = _("the due date")
SANCTION = _("the loan's or award's sanction number")
REF = _("the application's reference")
P = "notifications.previews."

ENTRIES = [
    Entry(
        "return_due_soon",
        _("Utilization return due soon"),
        messages.RETURN_DUE_SOON,
        Kind.REMINDER,
        {"space": SPACE, "month": MONTH, "due": DUE},
        P + "returns",
    ),
    Entry(
        "return_due_today",
        _("Utilization return due today"),
        messages.RETURN_DUE_TODAY,
        Kind.REMINDER,
        {"space": SPACE, "month": MONTH, "due": DUE},
        P + "returns",
    ),
    Entry(
        "return_late",
        _("Utilization return late"),
        messages.RETURN_LATE,
        Kind.REMINDER,
        {"space": SPACE, "month": MONTH, "due": DUE},
        P + "returns",
    ),
    Entry(
        "instalment_due_soon",
        _("Loan instalment due soon"),
        messages.INSTALMENT_DUE_SOON,
        Kind.REMINDER,
        {"sanction": SANCTION, "due": DUE, "amount": _("the instalment's amount (not in the SMS subject)")},
        P + "instalments_due",
    ),
    Entry(
        "instalment_past_due",
        _("Loan instalment past due"),
        messages.INSTALMENT_PAST_DUE,
        Kind.REMINDER,
        {"sanction": SANCTION, "due": DUE, "overdue": _("the amount overdue (not in the SMS subject)")},
        P + "instalments_past_due",
    ),
    Entry(
        "information_unanswered",
        _("Question of the program officer unanswered"),
        messages.INFORMATION_UNANSWERED,
        Kind.REMINDER,
        {"ref": REF, "asked": _("the day it was asked"), "question": _("the officer's question")},
        P + "questions",
    ),
    Entry(
        "award_not_accepted",
        _("Award not accepted"),
        messages.AWARD_NOT_ACCEPTED,
        Kind.REMINDER,
        {"sanction": SANCTION, "ref": REF, "offered": _("the day it was offered")},
        P + "awards",
    ),
    Entry(
        "milestone_due",
        _("Milestone due, tranche not asked for"),
        messages.MILESTONE_DUE,
        Kind.REMINDER,
        {"n": _("the tranche's number"), "ref": REF, "milestone": _("the milestone"), "due": DUE},
        P + "milestones",
    ),
    Entry(
        "review_due",
        _("Review not submitted before the board meets"),
        messages.REVIEW_DUE,
        Kind.REMINDER,
        {"ref": REF, "meeting": _("the day of the board meeting"), "program": _("the program")},
        P + "reviews",
    ),
    Entry(
        "arrears_worse",
        _("Loans entering a worse arrears bucket (weekly, finance)"),
        messages.ARREARS_WORSE,
        Kind.GENERAL,
        {"count": _("how many loans"), "day": _("the last day of the week"), "loans": _("the list, one loan a line")},
        P + "arrears",
    ),
    Entry(
        "staff_digest",
        _("Staff digest (every morning)"),
        messages.STAFF_DIGEST,
        Kind.GENERAL,
        {
            "day": _("the day of the digest"),
            "summary": _("the notifications by kind, with counts"),
            "late": _("the items past their clock"),
        },
        P + "digests",
    ),
]
BY_CODE = {entry.code: entry for entry in ENTRIES}
CHOICES = [(entry.code, entry.label) for entry in ENTRIES]


def entry(code: str) -> Entry:
    try:
        return BY_CODE[code]
    except KeyError:
        raise ValueError(f"Unknown notice {code!r}.") from None


def template_for(code: str) -> NotificationTemplate | None:
    return NotificationTemplate.objects.filter(code=code).first()


def render_with(
    code: str, template: NotificationTemplate | None, **params: Any
) -> tuple[Callable[[], str], Callable[[], str]]:
    """The notice's subject and body as callables rendered in the active language: the steward's text
    for that language where `template` has one, else the code's default. A parameter may be a callable
    (rendered in the language too)."""
    notice = entry(code).notice

    def values() -> Params:
        return {key: value() if callable(value) else value for key, value in params.items()}

    def part(name: str) -> Callable[[], str]:
        def rendered() -> str:
            language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
            text = template.part(name, language) if template is not None else ""
            if text:
                return templating.fill(text, values())
            return str(getattr(notice, name)) % values()

        return rendered

    return part("subject"), part("body")


def render(code: str, **params: Any) -> tuple[Callable[[], str], Callable[[], str]]:
    """As render_with, reading the steward's template of `code` now (one query)."""
    return render_with(code, template_for(code), **params)


def rendered_in(code: str, template: NotificationTemplate | None, params: Params, language: str) -> dict[str, str]:
    """{"subject", "body"} of `code` with `params` in `language` (the preview)."""
    subject, body = render_with(code, template, **params)
    with translation.override(language):
        return {"subject": subject(), "body": body()}
