"""The service catalogue, kept by data stewards (issue #16): services, the documents and questions each
needs, and bundles. The Django admin (onewindow/admin.py) writes through here, as the integrity
registry's admin writes through integrity.services.registry.

Every write: the actor may add or change that kind of row (the steward's Django permissions,
accounts/roles.py), the row is fully validated (a question's choices and a service's legal forms
included, with a message naming the line or the value at fault), saved inside a transaction with the
stored row locked, and one audit event from onewindow/events.py names the fields that changed. Nothing
is deleted here: requests point at services, and a service leaves the catalogue by being closed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils.translation import gettext as _

from core import reference, workflow
from spaces.models import Operator

from ..errors import PermissionDenied, ValidationFailed
from ..events import OneWindowEvent
from ..models import Bundle, Service, ServiceDocument, ServiceQuestion

R = TypeVar("R", Service, ServiceDocument, ServiceQuestion, Bundle)

EVENTS: dict[type[models.Model], OneWindowEvent] = {
    Service: OneWindowEvent.SERVICE_SAVED,
    ServiceDocument: OneWindowEvent.SERVICE_DOCUMENT_SAVED,
    ServiceQuestion: OneWindowEvent.SERVICE_QUESTION_SAVED,
    Bundle: OneWindowEvent.BUNDLE_SAVED,
}
# A choice's value is stored as the answer and compared after spaces are collapsed: keep it plain.
CHOICE_VALUE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


# --- the rules the database cannot hold ---------------------------------------------------------------


def choices_problems(*, kind: str, text: str) -> list[str]:
    """What is wrong with a question's choices (one option per line, "value|English|Urdu"), or [].

    A choice question needs at least two options, each with a plain value (letters, digits, - or _)
    and its English words (the Urdu may be left empty: the English is shown instead); no value twice.
    Any other kind of question has no choices."""
    lines = [line for line in (text or "").splitlines() if line.strip()]
    if kind != ServiceQuestion.Kind.CHOICE:
        if lines:
            return [_("Only a choice question has choices: clear this box, or make the question a choice.")]
        return []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) > 3:
            problems.append(_("Line %(line)s has more than three parts: write value|English|Urdu.") % {"line": number})
            continue
        value = parts[0]
        english = parts[1] if len(parts) > 1 else ""
        if not CHOICE_VALUE.match(value):
            problems.append(
                _(
                    "Line %(line)s: the value “%(value)s” must be one word of letters, digits, - or _ "
                    "(at most 40), before the first |."
                )
                % {"line": number, "value": value[:40]}
            )
        elif value.lower() in seen:
            problems.append(
                _("Lines %(first)s and %(second)s both have the value “%(value)s”: each option needs its own.")
                % {"first": seen[value.lower()], "second": number, "value": value}
            )
        else:
            seen[value.lower()] = number
        if not english:
            problems.append(_("Line %(line)s has no English words: write value|English|Urdu.") % {"line": number})
    if not lines:
        problems.append(_("A choice question needs its options, one per line: value|English|Urdu."))
    elif len(lines) < 2 and not problems:
        problems.append(_("A choice question needs at least two options, one per line: value|English|Urdu."))
    return problems


def legal_forms_problems(value: Any) -> list[str]:
    """What is wrong with a service's legal forms (values of spaces.Operator.LegalForm; empty: every
    form may ask), or []."""
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return [_("Give the legal forms as a list of their values, or leave it empty for every form.")]
    known = ", ".join(Operator.LegalForm.values)
    problems = [
        _("“%(value)s” is not a legal form; use one of: %(known)s.") % {"value": item[:40], "known": known}
        for item in value
        if item not in Operator.LegalForm.values
    ]
    if len(set(value)) != len(value):
        problems.append(_("A legal form is named twice; name each once."))
    return problems


# --- the writes ---------------------------------------------------------------------------------------


REFUSAL = _("Only a data steward keeps the one-window catalogue.")


def may_keep(actor: Any, model: type[models.Model], *, creating: bool) -> bool:
    return reference.may_keep(actor, model, creating=creating)


def _require(actor: Any, model: type[models.Model], *, creating: bool) -> None:
    if not may_keep(actor, model, creating=creating):
        raise PermissionDenied(REFUSAL)


def _own_checks(obj: Any) -> dict[str, list[Any]]:
    """The catalogue's checks beyond the model's: a choice question's options, a service's legal forms."""
    if isinstance(obj, ServiceQuestion):
        return {"choices": choices_problems(kind=obj.kind, text=obj.choices)}
    if isinstance(obj, Service):
        return {"legal_forms": legal_forms_problems(obj.legal_forms)}
    return {}


def _validate(obj: models.Model) -> None:
    reference.validate(obj, _own_checks)


def _changed(obj: models.Model, before: models.Model | None) -> list[str]:
    return reference.changed_fields(obj, before)


def _save(*, actor: Any, obj: R, reason: str = "") -> R:
    """core.reference.steward_save with this concern's event, refusal and checks."""
    saved, _fields = reference.steward_save(
        actor=actor, obj=obj, event=EVENTS[type(obj)], refusal=REFUSAL, extra_checks=_own_checks, reason=reason
    )
    return saved


def service_save(*, actor: Any, service: Service, reason: str = "") -> Service:
    """Add or change one service of the catalogue.

    Before: `actor` holds the add (new) or change permission on services. After: the service is valid
    (its legal forms are values of Operator.LegalForm, each once) and saved, and one audit event
    `onewindow.service_saved` names the changed fields; saved unchanged, nothing is written. Raises
    PermissionDenied or ValidationFailed (per field)."""
    with transaction.atomic():
        return _save(actor=actor, obj=service, reason=reason)


def service_document_save(*, actor: Any, document: ServiceDocument, reason: str = "") -> ServiceDocument:
    """Add or change a document a service needs (its type once per service). Audited as
    `onewindow.service_document_saved`. Raises PermissionDenied or ValidationFailed."""
    with transaction.atomic():
        return _save(actor=actor, obj=document, reason=reason)


def service_question_save(*, actor: Any, question: ServiceQuestion, reason: str = "") -> ServiceQuestion:
    """Add or change a question a service asks. A choice question's options are checked line by line
    (`choices_problems`); another kind has none. Audited as `onewindow.service_question_saved`. Raises
    PermissionDenied or ValidationFailed (per field)."""
    with transaction.atomic():
        return _save(actor=actor, obj=question, reason=reason)


def bundle_save(*, actor: Any, bundle: Bundle, services: Iterable[Service] | None = None, reason: str = "") -> Bundle:
    """Add or change a bundle and, when `services` is given, the services it holds (at least one).

    After: the bundle is saved with its services, and one audit event `onewindow.bundle_saved` names the
    changed fields (`services` when the set changed, with the codes added and removed). Raises
    PermissionDenied or ValidationFailed (per field)."""
    creating = bundle.pk is None
    with transaction.atomic():
        if services is None:
            return _save(actor=actor, obj=bundle, reason=reason)
        _require(actor, Bundle, creating=creating)
        chosen = {service.pk: service.code for service in services}
        if not chosen:
            raise ValidationFailed(field_errors={"services": [_("A bundle holds at least one service.")]})
        before = {} if creating else dict(Bundle.objects.get(pk=bundle.pk).services.values_list("pk", "code"))
        added = sorted(code for pk, code in chosen.items() if pk not in before)
        removed = sorted(code for pk, code in before.items() if pk not in chosen)
        _validate(bundle)
        stored = None if creating else Bundle.objects.select_for_update().get(pk=bundle.pk)
        changed = _changed(bundle, stored) + (["services"] if added or removed else [])
        if not changed:
            return bundle
        bundle.save()
        bundle.services.set(list(chosen))
        data: dict[str, Any] = {"created": creating, "fields": changed}
        if added or removed:
            data.update(services_added=added, services_removed=removed)
        workflow.record(actor=actor, event=OneWindowEvent.BUNDLE_SAVED, obj=bundle, reason=reason, data=data)
    return bundle
