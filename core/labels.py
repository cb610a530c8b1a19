"""Labels for the codes the audit log stores: event names ("payment.prepare") and state codes
("prepared"), shown translated wherever a timeline is rendered.

Every app keeps its own catalogue: its events in `<app>/events.py` (a `TextChoices` whose members carry
a lazily translated label) and its states as the `choices` of its models' `state` fields. Core imports
no app, so the catalogues are discovered through Django's app registry, the way the admin discovers
`admin.py`: an app adds an event by adding a member to its catalogue, and every timeline shows it.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util

from django.apps import apps
from django.db import models


@functools.cache
def _event_labels() -> dict[str, object]:
    labels: dict[str, object] = {}
    for config in apps.get_app_configs():
        name = f"{config.name}.events"
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, models.TextChoices) and value.__module__ == name:
                labels.update(dict(zip(value.values, value.labels, strict=True)))
    return labels


@functools.cache
def _state_labels() -> dict[str, dict[str, object]]:
    """{model label ("finance.paymentinstruction"): {state code: label}} for every model with a `state`
    field that has choices."""
    catalogues: dict[str, dict[str, object]] = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            choices = getattr(field, "flatchoices", None)
            if field.name in ("state", "network_status") and choices:
                catalogues.setdefault(model._meta.label_lower, {}).update({code: label for code, label in choices})
    return catalogues


def event_label(code: str) -> str:
    """The translated label of an audit event's code; the code itself if no catalogue names it."""
    return str(_event_labels().get(code, code))


def state_label(code: str, object_type: str = "") -> str:
    """The translated label of a state code, looked up first in the catalogue of `object_type` (the
    audit event's model label) and then in every catalogue; the code itself if none names it."""
    if not code:
        return ""
    catalogues = _state_labels()
    own = catalogues.get(object_type, {})
    if code in own:
        return str(own[code])
    for catalogue in catalogues.values():
        if code in catalogue:
            return str(catalogue[code])
    return code
