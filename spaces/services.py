"""Writes to the registry of operators and spaces.

Each service checks who may act, runs in one transaction, locks the rows it changes, validates the
whole object (`full_clean`, so the model's rules hold whoever calls), and writes its audit event in
the same transaction.
"""

from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Field
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from accounts import roles
from core import workflow
from core.errors import InvalidTransition, ValidationFailed
from core.errors import PermissionDenied as DomainPermissionDenied
from core.messages import joined
from notifications.services import Message, notify
from spaces.events import RegistryEvent

from . import messages
from .geography import DIVISION_OF
from .models import ADMISSION_CHECKLIST, ADMISSION_REQUIRED, Operator, Space, SpaceAdmission
from .permissions import SPACES

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

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
# Identity and bank fields whose change the company's people are told about at once.
OPERATOR_NOTIFIED_FIELDS = frozenset({"legal_name", "ntn", "principal_cnic", "iban"})
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
# Stewards also set a space's place in the network (admin, import); the operator's staff never do.
SPACE_STEWARD_FIELDS = (*SPACE_EDITABLE_FIELDS, "network_status")


class RegistryError(Exception):
    """A business rule refused the change; the message is safe to show the person."""

    def __init__(self, message: StrOrPromise):
        super().__init__(message)
        self.message = message


def _check_fields(details: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(details) - set(allowed)
    if unknown:
        raise ValueError(f"These fields cannot be written here: {', '.join(sorted(unknown))}")


def _require_member(actor: "User", operator: Operator) -> None:
    if not operator.members.filter(pk=actor.pk).exists():
        raise PermissionDenied("Only the company's own staff may change it.")


def is_steward(actor: "User | AnonymousUser") -> bool:
    """Data stewards keep the registry from the Django admin and imports (never as a company member)."""
    return bool(getattr(actor, "is_active", False)) and actor.has_perm("spaces.change_operator")


def _require_member_or_steward(actor: "User | None", operator: Operator) -> None:
    if actor is None or not getattr(actor, "pk", None):
        raise PermissionDenied("A registry change needs a signed-in person.")
    if is_steward(actor):
        return
    _require_member(actor, operator)


def _url(name: str, **kwargs: Any) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _tell_members(operator: Operator, subject: Message, body: Message) -> None:
    """Notify the company's people, each in their own language: `subject, body` from a spaces.messages
    notice's `render(...)` (see core.messages); the email goes after commit."""
    notify(
        recipients=operator.members.filter(is_active=True),
        subject=subject,
        body=body,
        url=_url("portal:operator_detail", pk=operator.pk),
    )


def operator_create(*, actor: "User", details: dict[str, Any]) -> Operator:
    """A data steward adds a company to the registry (admin or import).

    After: an operator pending verification, with no members (a steward adds them through
    `operator_member_add`), and an audit event. Imports never verify anyone.
    """
    _check_fields(details, OPERATOR_EDITABLE_FIELDS)
    if not is_steward(actor):
        raise PermissionDenied("Only data stewards add companies to the registry.")
    with transaction.atomic():
        operator = Operator(**details, verification_status=Operator.Verification.PENDING, verified_at=None)
        operator.full_clean()
        operator.save()
        workflow.record(
            actor=actor,
            event=RegistryEvent.OPERATOR_CREATE,
            obj=operator,
            to_state=operator.verification_status,
            data={"ntn": operator.ntn, "legal_form": operator.legal_form},
        )
    return operator


def operator_register(*, actor: "User", details: dict[str, Any]) -> Operator:
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
        workflow.record(
            actor=actor,
            event=RegistryEvent.OPERATOR_REGISTER,
            obj=operator,
            to_state=operator.verification_status,
            data={"ntn": operator.ntn, "legal_form": operator.legal_form},
        )
    return operator


def operator_update(*, actor: "User", operator: Operator, details: dict[str, Any]) -> Operator:
    """Change a company's details: its members (portal) or a data steward (admin, import).

    After: the details are saved and audited with the names of the changed fields. A verified company
    that changed an identity or bank field is pending verification again (payments keep using the IBAN
    as verified, `verified_iban`). A change of IBAN, NTN, CNIC or legal name is told to the company's
    people, so that a change they did not make is noticed.
    """
    _check_fields(details, OPERATOR_EDITABLE_FIELDS)
    with transaction.atomic():
        operator = Operator.objects.select_for_update().get(pk=operator.pk)
        _require_member_or_steward(actor, operator)
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
        workflow.record(
            actor=actor,
            event=RegistryEvent.OPERATOR_UPDATE,
            obj=operator,
            from_state=from_state,
            to_state=operator.verification_status,
            data={"changed": changed},
        )
        notified = sorted(OPERATOR_NOTIFIED_FIELDS.intersection(changed))
        if notified:
            labels = [cast(Field, Operator._meta.get_field(name)).verbose_name for name in notified]  # concrete fields
            again = from_state == Operator.Verification.VERIFIED and operator.verification_status != from_state
            subject, body = messages.TO_MEMBERS_DETAILS_CHANGED.render(
                company=operator.legal_name,
                who=str(actor),
                fields=lambda: ", ".join(str(label) for label in labels),
            )
            if again:
                body = joined(body, " ", messages.VERIFY_AGAIN)
            _tell_members(operator, subject, joined(body, " ", messages.IF_UNEXPECTED))
    return operator


def operator_member_add(*, actor: "User", operator: Operator, user: "User", reason: str = "") -> Operator:
    """A data steward gives a person portal access to a company (never an admin inline).

    Before: the actor is a data steward; the person has the operator role, is active, and acts for no
    company yet (one account acts for one company: a member of another company would see this one's
    applications and payments). After: the person is a member, an audit event names them, and the
    company's people (the new member too) are told.
    """
    if not is_steward(actor):
        raise PermissionDenied("Only data stewards change who acts for a company.")
    with transaction.atomic():
        operator = Operator.objects.select_for_update().get(pk=operator.pk)
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        if not user.is_active or not user.has_role(roles.OPERATOR):
            raise RegistryError(_("Only an active operator account can act for a company."))
        if operator.members.filter(pk=user.pk).exists():
            raise RegistryError(_("%(person)s already acts for this company.") % {"person": user})
        if Operator.objects.filter(members=user).exists():
            raise RegistryError(
                _("%(person)s already acts for another company. One account acts for one company.") % {"person": user}
            )
        operator.members.add(user)
        workflow.record(
            actor=actor,
            event=RegistryEvent.OPERATOR_MEMBER_ADD,
            obj=operator,
            from_state=operator.verification_status,
            to_state=operator.verification_status,
            reason=reason,
            data={"user_id": user.pk, "user": str(user)},
        )
        _tell_members(operator, *messages.TO_MEMBERS_MEMBER_ADDED.render(company=operator.legal_name, person=str(user)))
    return operator


def operator_member_remove(*, actor: "User", operator: Operator, user: "User", reason: str = "") -> Operator:
    """A data steward takes a person's portal access to a company away; audited and told."""
    if not is_steward(actor):
        raise PermissionDenied("Only data stewards change who acts for a company.")
    with transaction.atomic():
        operator = Operator.objects.select_for_update().get(pk=operator.pk)
        if not operator.members.filter(pk=user.pk).exists():
            raise RegistryError(_("%(person)s does not act for this company.") % {"person": user})
        recipients = list(operator.members.filter(is_active=True))
        operator.members.remove(user)
        workflow.record(
            actor=actor,
            event=RegistryEvent.OPERATOR_MEMBER_REMOVE,
            obj=operator,
            from_state=operator.verification_status,
            to_state=operator.verification_status,
            reason=reason,
            data={"user_id": user.pk, "user": str(user)},
        )
        subject, body = messages.TO_MEMBERS_MEMBER_REMOVED.render(company=operator.legal_name, person=str(user))
        # Told to the people who acted for the company before the change (the one removed too).
        notify(recipients=recipients, subject=subject, body=body, url=_url("portal:operator_detail", pk=operator.pk))
    return operator


def operator_verify(*, actor: "User", operator: Operator, note: str = "") -> Operator:
    """A program officer confirms a company's registration after checking its documents.

    Before: the company is pending; the actor may verify operators and is not one of its members (no
    one verifies their own company); no duplicate match holds the company (matches.gates; the checks
    run first and keep what they find). After: verified, with the time, and an audit event.
    """
    from matches import gates
    from matches import messages as match_messages
    from matches.services.checks import matches_check_operator

    if not actor.has_perm("spaces.verify_operator"):
        raise PermissionDenied("Only program officers verify operators.")
    # The duplicate checks (issue #20) run first and keep what they find even when the gate below
    # refuses: a match found is a fact, and it holds the company until someone decides it.
    matches_check_operator(operator=operator, actor=actor)
    with transaction.atomic():
        operator = Operator.objects.select_for_update().get(pk=operator.pk)
        if operator.members.filter(pk=actor.pk).exists():
            raise PermissionDenied("No one verifies a company they act for.")
        if operator.verification_status != Operator.Verification.PENDING:
            raise RegistryError(
                _("This company is not waiting for verification (it is %(status)s).")
                % {"status": operator.get_verification_status_display()}
            )
        held = gates.refusal([operator.pk], action=match_messages.VERIFY_COMPANY)
        if held is not None:
            raise RegistryError(held)
        from_state = operator.verification_status
        operator.verification_status = Operator.Verification.VERIFIED
        operator.verified_at = timezone.now()
        operator.verified_iban = operator.iban  # payments compare with the IBAN as verified
        operator.save(update_fields=["verification_status", "verified_at", "verified_iban", "updated_at"])
        workflow.record(
            actor=actor,
            event=RegistryEvent.OPERATOR_VERIFY,
            obj=operator,
            from_state=from_state,
            to_state=operator.verification_status,
            reason=note,
            data={"iban": operator.iban},
        )
    return operator


def _apply_space_details(space: Space, details: dict[str, Any]) -> None:
    for field, value in details.items():
        setattr(space, field, value)
    # The division follows from the district; the operator never chooses it separately.
    space.division = DIVISION_OF.get(space.district, "")


def _space_fields_for(actor: "User") -> tuple[str, ...]:
    return SPACE_STEWARD_FIELDS if is_steward(actor) else SPACE_EDITABLE_FIELDS


def space_create(*, actor: "User", operator: Operator, details: dict[str, Any]) -> Space:
    """Add a space to a company: by its staff (portal) or a data steward (admin, import).

    The space starts as applying to join the network, unless a steward gives its network status.
    """
    with transaction.atomic():
        operator = Operator.objects.select_for_update().get(pk=operator.pk)
        _require_member_or_steward(actor, operator)
        _check_fields(details, _space_fields_for(actor))
        if operator.verification_status == Operator.Verification.SUSPENDED:
            raise RegistryError(_("A suspended company cannot add spaces. Contact the program secretariat."))
        space = Space(operator=operator, network_status=Space.NetworkStatus.APPLICANT)
        _apply_space_details(space, details)
        space.full_clean()
        space.save()
        workflow.record(
            actor=actor,
            event=RegistryEvent.SPACE_CREATE,
            obj=space,
            to_state=space.network_status,
            data={"operator_id": operator.pk, "code": space.code, "district": space.district},
        )
    return space


# The states only the admission decision enters or leaves (space_admit, space_decline).
ADMISSION_STATES = frozenset({Space.NetworkStatus.APPLICANT, Space.NetworkStatus.DECLINED})


def _refuse_admission_by_edit(space: Space, details: dict[str, Any]) -> None:
    """A steward's edit (admin, import) keeps a space's place in the network up to date, but a space
    applying to join is admitted or declined by a program officer with the admission checklist."""
    wanted = details.get("network_status", space.network_status)
    if wanted != space.network_status and ADMISSION_STATES.intersection({wanted, space.network_status}):
        raise RegistryError(
            _(
                "Space %(code)s: a space applying to join is admitted or declined by a program officer "
                "with the admission checklist, not by an edit."
            )
            % {"code": space.code}
        )


def space_update(*, actor: "User", space: Space, details: dict[str, Any]) -> Space:
    """Change a space's details (the company's members, or a data steward); audited with the changed
    field names. The space's company never changes here."""
    with transaction.atomic():
        space = Space.objects.select_for_update().select_related("operator").get(pk=space.pk)
        _require_member_or_steward(actor, space.operator)
        _check_fields(details, _space_fields_for(actor))
        from_state = space.network_status
        _refuse_admission_by_edit(space, details)
        before = {field: getattr(space, field) for field in (*SPACE_STEWARD_FIELDS, "division")}
        _apply_space_details(space, details)
        space.full_clean()
        changed = sorted(field for field in before if getattr(space, field) != before[field])
        if not changed:
            return space
        space.save()
        workflow.record(
            actor=actor,
            event=RegistryEvent.SPACE_UPDATE,
            obj=space,
            from_state=from_state,
            to_state=space.network_status,
            data={"changed": changed},
        )
    return space


# --- admission to the network ----------------------------------------------------------------------


def _admission_guard(space: Space, actor: "User") -> None:
    # No one admits a space of a company they act for (the officer would be judging their own site).
    if space.operator.members.filter(pk=actor.pk).exists():
        raise DomainPermissionDenied(_("No one admits or declines a space of a company they act for."))


def _admission_row(
    space: Space, actor: "User", decision: str, checklist: dict[str, Any], reason: str
) -> SpaceAdmission:
    return SpaceAdmission.objects.create(
        space=space,
        decision=decision,
        **{item: bool(checklist.get(item)) for item in ADMISSION_CHECKLIST},
        seats_found=checklist.get("seats_found"),
        reason=reason,
        decided_by=actor,
        decided_at=timezone.now(),
    )


def space_admit(*, actor: "User", space: Space, checklist: dict[str, Any], note: str = "") -> Space:
    """A program officer admits a space applying to join the network, after checking it on site.

    Before: the space is applying to join; its company is verified; the officer acts for no company of
    the space; the checklist has the address verified, the seats counted and the internet checked
    (ADMISSION_REQUIRED; backup power and women's facilities are recorded as found). After: the space is
    active (in the directory, files returns, can be named in applications), a SpaceAdmission row keeps
    the checklist with who and when, an audit event `space.admit`, and the company's people are told.
    """
    with transaction.atomic():
        space = workflow.lock(Space, space.pk, gone=_("This space no longer exists."))

        def rules(space: Space, actor: Any) -> None:
            if not space.operator.is_verified:
                raise InvalidTransition(
                    _("%(company)s is not verified yet: verify the company before admitting its spaces.")
                    % {"company": space.operator.legal_name}
                )
            missing = [
                str(cast(Field, SpaceAdmission._meta.get_field(item)).verbose_name)
                for item in ADMISSION_REQUIRED
                if not checklist.get(item)
            ]
            if missing:
                raise InvalidTransition(
                    _("A space is admitted only when the checklist confirms: %(items)s.")
                    % {"items": ", ".join(missing)}
                )

        workflow.transition(
            space,
            workflow.Step(
                "admit",
                RegistryEvent.SPACE_ADMIT,
                reason=note,
                data={item: bool(checklist.get(item)) for item in ADMISSION_CHECKLIST}
                | {"seats_found": checklist.get("seats_found")},
                state_field="network_status",
            ),
            actor=actor,
            table=SPACES,
            guard=_admission_guard,
            rules=rules,
            wrong_state=_("This space is not applying to join (it is %(status)s).")
            % {"status": space.get_network_status_display()},
        )
        _admission_row(space, actor, SpaceAdmission.Decision.ADMITTED, checklist, note)
        _tell_members(space.operator, *messages.TO_MEMBERS_SPACE_ADMITTED.render(space=space.name))
    return space


def space_decline(*, actor: "User", space: Space, reason: str, checklist: dict[str, Any] | None = None) -> Space:
    """A program officer declines a space applying to join, with a reason the company's people read.

    Before: the space is applying to join; the reason is not empty. After: the space is "not admitted",
    a SpaceAdmission row keeps the reason and the checklist as found, an audit event `space.decline`,
    and the company's people are told the reason (it is also on the space's page in the portal).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(field_errors={"reason": [_("Say why the space is declined; the company reads it.")]})
    checklist = checklist or {}
    with transaction.atomic():
        space = workflow.lock(Space, space.pk, gone=_("This space no longer exists."))
        workflow.transition(
            space,
            workflow.Step("decline", RegistryEvent.SPACE_DECLINE, reason=reason, state_field="network_status"),
            actor=actor,
            table=SPACES,
            guard=_admission_guard,
            wrong_state=_("This space is not applying to join (it is %(status)s).")
            % {"status": space.get_network_status_display()},
        )
        _admission_row(space, actor, SpaceAdmission.Decision.DECLINED, checklist, reason)
        _tell_members(space.operator, *messages.TO_MEMBERS_SPACE_DECLINED.render(space=space.name, reason=reason))
    return space
