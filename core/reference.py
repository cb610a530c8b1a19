"""Reference data kept by data stewards (departments, officials, the one-window catalogue...): the one
audited write every concern's admin and importers go through.

`steward_save` checks that the actor may add (or change) that kind of row (their Django permission,
given by accounts/roles.py), validates the row fully (plus the concern's own checks), locks the stored
row, saves only when something changed, and records one audit event naming the changed fields, never
their values (a CNIC stays out of the audit timeline). Must run inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import Promise

from . import workflow
from .errors import PermissionDenied, ValidationFailed

M = TypeVar("M", bound=models.Model)


def may_keep(actor: Any, model: type[models.Model], *, creating: bool) -> bool:
    """Whether `actor` may add (or change) rows of `model`: a data steward, or a superuser."""
    codename = f"{model._meta.app_label}.{'add' if creating else 'change'}_{model._meta.model_name}"
    return workflow.is_active_person(actor) and bool(actor.has_perm(codename))


def validate(obj: models.Model, extra: Callable[[Any], dict[str, list[Any]]] | None = None) -> None:
    """`full_clean`, then the concern's own checks for fields that passed; every problem per field."""
    errors: dict[str, list[Any]] = {}
    try:
        obj.full_clean()
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise ValidationFailed(*error.messages) from None
        errors = dict(error.message_dict)
    if extra is not None:
        for field, problems in extra(obj).items():
            if problems and field not in errors:
                errors[field] = problems
    if errors:
        raise ValidationFailed(field_errors=errors)


def changed_fields(obj: models.Model, before: models.Model | None) -> list[str]:
    """The fields that differ from the stored row (all filled-in fields of a new row)."""
    names = [f.attname for f in obj._meta.concrete_fields if not f.primary_key]
    if before is None:
        return [name for name in names if getattr(obj, name) not in (None, "", [])]
    return [name for name in names if getattr(obj, name) != getattr(before, name)]


def steward_save(
    *,
    actor: Any,
    obj: M,
    event: Any,
    refusal: str | Promise,
    extra_checks: Callable[[Any], dict[str, list[Any]]] | None = None,
    reason: str = "",
) -> tuple[M, list[str]]:
    """Check, validate, lock, save and record one reference row. Returns the row and the changed field
    names (none: nothing was saved nor recorded)."""
    model = type(obj)
    creating = obj.pk is None
    if not may_keep(actor, model, creating=creating):
        raise PermissionDenied(refusal)
    validate(obj, extra_checks)
    before = None if creating else model._default_manager.select_for_update().get(pk=obj.pk)
    changed = changed_fields(obj, before)
    if not changed:
        return obj, []
    obj.save()
    workflow.record(actor=actor, event=event, obj=obj, reason=reason, data={"created": creating, "fields": changed})
    return obj, changed
