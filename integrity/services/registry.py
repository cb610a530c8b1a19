"""Who visits, kept by data stewards (issue #15 A): departments and their visit purposes, associations
and their members, and the officials of both. The Django admin (integrity/admin.py) and its imports
(integrity/resources.py) write through here, as the registry's admin writes through spaces.services.

Every write: the actor may add or change that kind of row (the steward's Django permissions,
accounts/roles.py), the row is fully validated, saved inside a transaction, and one audit event from
integrity/events.py names the fields that changed (never their values: an official's CNIC stays out of
the audit timeline). Nothing is deleted here: visits and grievances point at these rows.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from accounts import roles
from accounts.services import role_grant
from core import reference, workflow

from ..errors import PermissionDenied, ValidationFailed
from ..events import IntegrityEvent
from ..models import Association, AssociationMembership, Department, Official, VisitPurpose

R = TypeVar("R", Department, VisitPurpose, Association, AssociationMembership, Official)

EVENTS: dict[type[models.Model], IntegrityEvent] = {
    Department: IntegrityEvent.DEPARTMENT_SAVED,
    VisitPurpose: IntegrityEvent.VISIT_PURPOSE_SAVED,
    Association: IntegrityEvent.ASSOCIATION_SAVED,
    AssociationMembership: IntegrityEvent.ASSOCIATION_MEMBERSHIP_SAVED,
    Official: IntegrityEvent.OFFICIAL_SAVED,
}


REFUSAL = _("Only a data steward keeps departments, associations and officials.")


def may_keep(actor: Any, model: type[models.Model], *, creating: bool) -> bool:
    return reference.may_keep(actor, model, creating=creating)


def _require(actor: Any, model: type[models.Model], *, creating: bool) -> None:
    if not may_keep(actor, model, creating=creating):
        raise PermissionDenied(REFUSAL)


def _save(*, actor: Any, obj: R, reason: str = "") -> tuple[R, list[str]]:
    """core.reference.steward_save with this concern's event and refusal."""
    return reference.steward_save(actor=actor, obj=obj, event=EVENTS[type(obj)], refusal=REFUSAL, reason=reason)


def reference_save(*, actor: Any, obj: R, reason: str = "") -> R:
    """Add or change one department, visit purpose, association or membership.

    Before: `actor` holds the add (new row) or change permission of its kind. After: the row is valid
    and saved, and one audit event (`department.saved`, ...) names the changed fields; a row saved
    unchanged writes nothing. Raises PermissionDenied or ValidationFailed (per field)."""
    if isinstance(obj, Official):
        raise TypeError("Officials are saved with official_save (their account and role go with them).")
    with transaction.atomic():
        saved, _fields = _save(actor=actor, obj=obj, reason=reason)
    return saved


# A department's official is its inspector, or the desk officer of its one-window requests.
DEPARTMENT_ROLES = (roles.INSPECTOR, roles.DEPARTMENT_DESK)


def official_role(official: Official, requested: str = "") -> str:
    """The role an official's account holds: a department's inspector (or, when asked, its one-window
    desk officer) or an association's liaison."""
    if not official.department_id:
        return roles.ASSOCIATION_LIAISON
    return requested if requested in DEPARTMENT_ROLES else roles.INSPECTOR


def _account(*, actor: Any, email: str, full_name: str) -> Any:
    """The account of this address; a new one (no usable password: the person sets one through the
    password reset) when there is none."""
    user_model = get_user_model()
    address = user_model.objects.normalize_email(email.strip()).lower()
    if not address:
        raise ValidationFailed(field_errors={"email": [_("An official needs an email address.")]})
    user = user_model.objects.filter(email__iexact=address).first()
    if user is not None:
        return user  # the person's own account: its name is theirs to keep
    if not full_name.strip():
        raise ValidationFailed(field_errors={"full_name": [_("A new official's account needs their full name.")]})
    user = user_model(email=address, full_name=full_name.strip())
    user.set_unusable_password()
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:
        raise ValidationFailed(field_errors=error.message_dict) from None
    user.save()
    workflow.record(actor=actor, event=IntegrityEvent.OFFICIAL_ACCOUNT_CREATED, obj=user, data={"official": True})
    return user


def official_account_problem(*, actor: Any, email: str, official: Official | None = None) -> str:
    """Why the account of `email` cannot be this official's (shown beside the email), or ""."""
    user = get_user_model().objects.filter(email__iexact=email.strip()).first()
    if user is None:
        return ""
    others = Official.objects.filter(user=user)
    if official is not None and official.pk is not None:
        others = others.exclude(pk=official.pk)
    taken = others.exists()
    if taken:
        return _("This email already belongs to another official.")
    if getattr(actor, "is_superuser", False):
        return ""
    if user.pk == getattr(actor, "pk", None) or user.is_staff or user.is_superuser:
        return _("This email belongs to a staff account: an administrator links it to an official.")
    if user.groups.exclude(name__in=roles.GRANTED_BY_STEWARDS).exists():
        return _("This email belongs to an account with other roles: an administrator links it to an official.")
    return ""


def official_save(
    *, actor: Any, official: Official, email: str = "", full_name: str = "", reason: str = "", role: str = ""
) -> Official:
    """Add or change one official, with their account and role.

    Before: `actor` may add (or change) officials. A new official names their `email`: the account of
    that address, or a new one without a usable password (the person sets it through the password
    reset). An official stays with the kind of body they were registered for (a department or an
    association). After: the official is valid and saved, the account holds the role of its body
    (`inspector` for a department, `association_liaison` for an association) through
    accounts.services.role_grant (audited), and one audit event `official.saved` names the changed
    fields. Raises PermissionDenied or ValidationFailed (per field)."""
    creating = official.pk is None
    _require(actor, Official, creating=creating)
    with transaction.atomic():
        if creating and official.user_id is None:
            problem = official_account_problem(actor=actor, email=email)
            if problem:
                raise ValidationFailed(field_errors={"email": [problem]})
            official.user = _account(actor=actor, email=email, full_name=full_name)
        if not creating:
            stored = Official.objects.get(pk=official.pk)
            if bool(stored.department_id) != bool(official.department_id):
                raise ValidationFailed(
                    field_errors={
                        "department" if stored.department_id else "association": [
                            _(
                                "An official stays with the kind of body they were registered for (a department "
                                "or an association); register the person again for the other."
                            )
                        ]
                    }
                )
        saved, _fields = _save(actor=actor, obj=official, reason=reason)
        try:
            role_grant(
                actor=actor, user=saved.user, role=official_role(saved, role), reason=reason or "Official registered"
            )
        except DjangoPermissionDenied:
            raise PermissionDenied(
                _("This account holds other roles: an administrator gives it the official's role.")
            ) from None
    return saved
