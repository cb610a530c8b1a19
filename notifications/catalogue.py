"""Every notice people are sent, declared once (issue #19): each with its code, its label, its kind, the
placeholders it may use (what each one is) and where real cases for the preview come from; data
stewards may keep its subject and body in English and Urdu (NotificationTemplate).

Two sources, one catalogue:

- the reminders' and digests' notices (notifications/messages.py), declared by hand below (`ENTRIES`,
  with their codes of before, "return_due_soon", and case loaders in notifications/previews.py);
- every other concern's notices, discovered: each `core.messages.Notice` of a project app's
  `<app>/messages.py` is the entry "<app>.<NAME>" (e.g. "grants.TO_OPERATOR_SUBMITTED"), labelled by its
  app and its subject, its placeholders read from the default texts' %(name)s and described in
  notifications/notices.py (with its kind). A notice added to a messages module is in the catalogue
  the next time the project starts; a test fails if one of its placeholders is described nowhere.

The code ships the defaults (translated in locale/ur/); a steward's text replaces a part (subject or
body) in a language when it is filled in, wherever the notice is rendered: NotificationsConfig.ready
registers `kept_for` with core.messages, which every `Notice.render` asks (one query per render).
"""

import importlib
import importlib.util
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.utils import translation
from django.utils.functional import Promise, lazy
from django.utils.module_loading import import_string
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.messages import Kept, Notice, Rendered

from . import messages, notices, templating
from .kinds import Kind
from .models import NotificationTemplate

Params = dict[str, Any]
Cases = list[tuple[str, Params]]
PROJECT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Entry:
    """One notice: `placeholders` {name: what it is}; `cases` names a function (limit) -> [(label,
    params)] giving real cases to preview it against (notifications.previews); `required` are the
    placeholders a steward's body must keep (what a person typed, notifications.notices.TYPED)."""

    code: str
    label: Promise | str
    notice: Notice
    kind: str
    placeholders: Mapping[str, Promise | str] = field(default_factory=dict)
    cases: str = ""
    required: frozenset[str] = frozenset()

    def default(self, part: str) -> str:
        """The code's `subject` or `body` in the active language, in the stewards' markup."""
        return templating.from_percent(str(getattr(self.notice, part)))

    def load_cases(self, limit: int = 20) -> Cases:
        """Real cases from the entry's loader (notifications.previews, named so that notifying, which
        every concern does, does not import the concerns the loaders read); see previews.cases_for."""
        if not self.cases:
            return []
        function: Callable[[int], Cases] = import_string(self.cases)
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
    Entry(
        "operator_digest",
        _("Operator's digest (every morning)"),
        messages.OPERATOR_DIGEST,
        Kind.GENERAL,
        {
            "day": _("the day of the digest"),
            "summary": _("the notifications by kind, with counts"),
            "actions": _("what the company must do soon, each with its deadline"),
        },
        P + "operator_digests",
    ),
]
BY_CODE: dict[str, Entry] = {}
BY_NOTICE: dict[int, Entry] = {}  # id(notice) -> its entry (notices are module constants)


def _placeholders(notice: Notice) -> tuple[set[str], set[str]]:
    """The placeholders of the default subject and body, read from the code's text (the msgids)."""
    with translation.override(None):
        return (
            templating.placeholders_in_percent(str(notice.subject)),
            templating.placeholders_in_percent(str(notice.body)),
        )


def _subject_label(notice: Notice) -> str:
    return templating.from_percent(str(notice.subject))


def _discovered_entry(app: str, verbose_name: Any, name: str, notice: Notice) -> Entry:
    code = f"{app}.{name}"
    subject, body = _placeholders(notice)
    described = {**notices.PLACEHOLDERS.get(app, {}), **notices.PLACEHOLDERS_OF.get(code, {})}
    return Entry(
        code=code,
        label=format_lazy("{}: {}", verbose_name, lazy(_subject_label, str)(notice)),
        notice=notice,
        kind=notices.KINDS.get(code, Kind.GENERAL),
        placeholders={placeholder: described.get(placeholder, "") for placeholder in sorted(subject | body)},
        required=frozenset(body & notices.TYPED),
    )


def discover() -> list[Entry]:
    """Every Notice of the project apps' messages modules (not notifications', declared above), in the
    order of the apps and of the module."""
    found = []
    for config in apps.get_app_configs():
        if config.label == "notifications" or Path(config.path).resolve().parent != PROJECT:
            continue
        name = f"{config.name}.messages"
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        for attribute, value in vars(module).items():
            if isinstance(value, Notice):
                found.append(_discovered_entry(config.label, config.verbose_name, attribute, value))
    return found


def _register(entries: list[Entry]) -> None:
    for item in entries:
        BY_CODE[item.code] = item
        BY_NOTICE[id(item.notice)] = item


_register(ENTRIES)
DISCOVERED = discover()
_register(DISCOVERED)
ENTRIES = ENTRIES + DISCOVERED


def choices() -> list[tuple[str, Any]]:
    return [(item.code, format_lazy("{} ({})", item.label, item.code)) for item in ENTRIES]


def entry(code: str) -> Entry:
    try:
        return BY_CODE[code]
    except KeyError:
        raise ValueError(f"Unknown notice {code!r}.") from None


def entry_of(part: Any) -> Entry | None:
    """The catalogue's entry of a rendered notice's part (a `Notice.render` result), else None."""
    notice = getattr(part, "notice", None) if isinstance(part, Rendered) else None
    return BY_NOTICE.get(id(notice)) if notice is not None else None


def template_for(code: str) -> NotificationTemplate | None:
    return NotificationTemplate.objects.filter(code=code).first()


def kept(template: NotificationTemplate | None) -> Kept | None:
    """A steward's texts as core.messages reads them: the part in the language, its values filled in,
    or None where the field is blank (the default stands)."""
    if template is None:
        return None

    def fill(part: str, language: str, values: Mapping[str, Any]) -> str | None:
        text = template.part(part, language)
        return templating.fill(text, values) if text else None

    return fill


def kept_for(notice: Notice) -> Kept | None:
    """The lookup core.messages asks once per render (registered by NotificationsConfig.ready): the
    steward's texts of `notice`, one query; None for a notice outside the catalogue."""
    found = BY_NOTICE.get(id(notice))
    return kept(template_for(found.code)) if found is not None else None


def render_with(
    code: str, template: NotificationTemplate | None, **params: Any
) -> tuple[Callable[[], str], Callable[[], str]]:
    """The notice's subject and body as callables rendered in the active language: the steward's text
    for that language where `template` has one, else the code's default. A parameter may be a callable
    (rendered in the language too); a text is isolated in Urdu (core.messages)."""
    return entry(code).notice.render_from(kept(template), **params)


def render(code: str, **params: Any) -> tuple[Callable[[], str], Callable[[], str]]:
    """As render_with, reading the steward's template of `code` (one query, when first rendered)."""
    return entry(code).notice.render(**params)


def rendered_in(code: str, template: NotificationTemplate | None, params: Params, language: str) -> dict[str, str]:
    """{"subject", "body"} of `code` with `params` in `language` (the preview)."""
    subject, body = render_with(code, template, **params)
    with translation.override(language):
        return {"subject": subject(), "body": body()}
