"""Reads of the registry that views, reports and the admin share."""

from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from .models import Operator, Space

if TYPE_CHECKING:
    from accounts.models import User


def can_see_identifiers(user: "User | AnonymousUser | None", operator: Operator | None = None) -> bool:
    """Full CNICs and IBANs: staff who need them (officers, finance, integrity, data stewards) and the
    operator's own people; everyone else sees the last four characters."""
    if user is None or not user.is_authenticated:
        return False
    if user.has_perm("spaces.view_sensitive_identifiers"):
        return True
    return operator is not None and operator.members.filter(pk=user.pk).exists()


def operators_for_user(user: "User") -> QuerySet[Operator]:
    """The operators a person acts for (their company, for operator staff)."""
    return Operator.objects.filter(members=user)


def spaces_for_user(user: "User") -> QuerySet[Space]:
    return Space.objects.filter(operator__members=user).select_related("operator")


def operator_for_member(user: "User", pk: int) -> QuerySet[Operator]:
    """The operator with this id, only if the user is one of its members (else an empty QuerySet)."""
    return operators_for_user(user).filter(pk=pk)


def operator_spaces(operator: Operator) -> QuerySet[Space]:
    return operator.spaces.order_by("name")


def operators_pending_verification() -> QuerySet[Operator]:
    """The officers' queue: companies waiting for verification, oldest first."""
    return (
        Operator.objects.filter(verification_status=Operator.Verification.PENDING)
        .prefetch_related("members", "spaces")
        .order_by("created_at", "pk")
    )


def spaces_applying() -> QuerySet[Space]:
    """The officers' admission queue: spaces applying to join the network, oldest first."""
    return (
        Space.objects.filter(network_status=Space.NetworkStatus.APPLICANT)
        .select_related("operator")
        .order_by("created_at", "pk")
    )
