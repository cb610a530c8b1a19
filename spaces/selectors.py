"""Reads of the registry that views, reports and the admin share."""

from django.db.models import QuerySet

from .models import Operator, Space


def can_see_identifiers(user, operator: Operator | None = None) -> bool:
    """Full CNICs and IBANs: staff who need them (officers, finance, integrity, data stewards) and the
    operator's own people; everyone else sees the last four characters."""
    if user is None or not user.is_authenticated:
        return False
    if user.has_perm("spaces.view_sensitive_identifiers"):
        return True
    return operator is not None and operator.members.filter(pk=user.pk).exists()


def operators_for_user(user) -> QuerySet[Operator]:
    """The operators a person acts for (their company, for operator staff)."""
    return Operator.objects.filter(members=user)


def spaces_for_user(user) -> QuerySet[Space]:
    return Space.objects.filter(operator__members=user).select_related("operator")


def active_spaces() -> QuerySet[Space]:
    return Space.objects.filter(network_status=Space.NetworkStatus.ACTIVE).select_related("operator")
