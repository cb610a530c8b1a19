"""Writes to the registry of operators and spaces.

Each service checks who may act, runs in one transaction, locks the rows it changes, validates the
whole object (`full_clean`, so the model's rules hold whoever calls), and writes its audit event in
the same transaction.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import roles
from audit.services import audit_record

from .geography import DIVISION_OF
from .models import Operator, Space

# What an operator's own staff may write; status, verification and membership are never among them.
OPERATOR_EDITABLE_FIELDS = (
    "legal_name",
    "legal_form",
    "ntn",
    "secp_registration_number",
    "pseb_registration_number",
    "principal_name",
    "principal_cnic",
    "contact_email",
    "contact_mobile",
    "bank_account_title",
    "iban",
    "registered_address",
)
# Changing any of these after verification sends the company back for verification: the secretariat
# verified this identity and this bank account, and money must not follow an unchecked IBAN.
OPERATOR_VERIFIED_FIELDS = frozenset(
    {
        "legal_name",
        "legal_form",
        "ntn",
        "secp_registration_number",
        "principal_name",
        "principal_cnic",
        "bank_account_title",
        "iban",
    }
)
SPACE_EDITABLE_FIELDS = (
    "code",
    "name",
    "address",
    "district",
    "postal_code",
    "latitude",
    "longitude",
    "seats_offered",
    "private_offices",
    "meeting_rooms",
    "internet_bandwidth_mbps",
    "power_backup",
    "opening_date",
)


class RegistryError(Exception):
    """A business rule refused the change; the message is safe to show the person."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _check_fields(details: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(details) - set(allowed)
    if unknown:
        raise ValueError(f"These fields cannot be written here: {', '.join(sorted(unknown))}")


def _require_member(actor, operator: Operator) -> None:
    if not operator.members.filter(pk=actor.pk).exists():
        raise PermissionDenied("Only the company's own staff may change it.")


def operator_register(*, actor, details: dict[str, Any]) -> Operator:
    """Register the actor's company; the actor becomes its first member.

    Before: the actor has the operator role and acts for no company yet (one company per person for
    now). After: an operator pending verification, with the actor as member, and an audit event.
    Raises django.core.exceptions.ValidationError (field by field) if the details are not valid.
    """
    _check_fields(details, OPERATOR_EDITABLE_FIELDS)
    if not actor.has_role(roles.OPERATOR):
        raise PermissionDenied("Only operator accounts register a company.")
    with transaction.atomic():
        # Lock the person's row so that two registrations sent at once cannot both pass the check.
        get_user_model().objects.select_for_update().get(pk=actor.pk)
        if Operator.objects.filter(members=actor).exists():
            raise RegistryError(_("You already act for a company. One account acts for one company."))
        operator = Operator(**details, verification_status=Operator.Verification.PENDING, verified_at=None)
        operator.full_clean()
        operator.save()
        operator.members.add(actor)
        audit_record(
            actor=actor,
            action="operator.register",
            obj=operator,
            to_state=operator.verification_status,
            data={"ntn": operator.ntn, "legal_form": operator.legal_form},
        )
    return operator


def operator_update(*, actor, operator: Operator, details: dict[str, Any]) -> Operator:
    """Change a company's details (its members only).

    After: the details are saved and audited with the names of the changed fields. A verified company
    that changed an identity or bank field is pending verification again.
    """
    _check_fields(details, OPERATOR_EDITABLE_FIELDS)
    with transaction.atomic():
        operator = Operator.objects.select_for_update().get(pk=operator.pk)
        _require_member(actor, operator)
        before = {field: getattr(operator, field) for field in OPERATOR_EDITABLE_FIELDS}
        for field, value in details.items():
            setattr(operator, field, value)
        operator.full_clean()
        changed = sorted(field for field in OPERATOR_EDITABLE_FIELDS if getattr(operator, field) != before[field])
        if not changed:
            return operator
        from_state = operator.verification_status
        if from_state == Operator.Verification.VERIFIED and OPERATOR_VERIFIED_FIELDS.intersection(changed):
            operator.verification_status = Operator.Verification.PENDING
            operator.verified_at = None
        operator.save()
        audit_record(
            actor=actor,
            action="operator.update",
            obj=operator,
            from_state=from_state,
            to_state=operator.verification_status,
            data={"changed": changed},
        )
    return operator


def operator_verify(*, actor, operator: Operator, note: str = "") -> Operator:
    """A program officer confirms a company's registration after checking its documents.

    Before: the company is pending; the actor may verify operators and is not one of its members (no
    one verifies their own company). After: verified, with the time, and an audit event.
    """
    if not actor.has_perm("spaces.verify_operator"):
        raise PermissionDenied("Only program officers verify operators.")
    with transaction.atomic():
        operator = Operator.objects.select_for_update().get(pk=operator.pk)
        if operator.members.filter(pk=actor.pk).exists():
            raise PermissionDenied("No one verifies a company they act for.")
        if operator.verification_status != Operator.Verification.PENDING:
            raise RegistryError(
                _("This company is not waiting for verification (it is %(status)s).")
                % {"status": operator.get_verification_status_display()}
            )
        from_state = operator.verification_status
        operator.verification_status = Operator.Verification.VERIFIED
        operator.verified_at = timezone.now()
        operator.save(update_fields=["verification_status", "verified_at", "updated_at"])
        audit_record(
            actor=actor,
            action="operator.verify",
            obj=operator,
            from_state=from_state,
            to_state=operator.verification_status,
            reason=note,
        )
    return operator


def _apply_space_details(space: Space, details: dict[str, Any]) -> None:
    for field, value in details.items():
        setattr(space, field, value)
    # The division follows from the district; the operator never chooses it separately.
    space.division = DIVISION_OF.get(space.district, "")


def space_create(*, actor, operator: Operator, details: dict[str, Any]) -> Space:
    """Add a space to the actor's company. The space starts as applying to join the network."""
    _check_fields(details, SPACE_EDITABLE_FIELDS)
    with transaction.atomic():
        operator = Operator.objects.select_for_update().get(pk=operator.pk)
        _require_member(actor, operator)
        if operator.verification_status == Operator.Verification.SUSPENDED:
            raise RegistryError(_("A suspended company cannot add spaces. Contact the program secretariat."))
        space = Space(operator=operator, network_status=Space.NetworkStatus.APPLICANT)
        _apply_space_details(space, details)
        space.full_clean()
        space.save()
        audit_record(
            actor=actor,
            action="space.create",
            obj=space,
            to_state=space.network_status,
            data={"operator_id": operator.pk, "code": space.code, "district": space.district},
        )
    return space


def space_update(*, actor, space: Space, details: dict[str, Any]) -> Space:
    """Change a space's details (the company's members only); audited with the changed field names."""
    _check_fields(details, SPACE_EDITABLE_FIELDS)
    with transaction.atomic():
        space = Space.objects.select_for_update().select_related("operator").get(pk=space.pk)
        _require_member(actor, space.operator)
        before = {field: getattr(space, field) for field in (*SPACE_EDITABLE_FIELDS, "division")}
        _apply_space_details(space, details)
        space.full_clean()
        changed = sorted(field for field in before if getattr(space, field) != before[field])
        if not changed:
            return space
        space.save()
        audit_record(
            actor=actor,
            action="space.update",
            obj=space,
            from_state=space.network_status,
            to_state=space.network_status,
            data={"changed": changed},
        )
    return space
