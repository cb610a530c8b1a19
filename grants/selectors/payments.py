"""Reads of tranches and utility claims that the portal, the workbench and the demo share.

Object-level permission follows the application: a tranche or a claim is visible to whoever may see
its application (`grants.selectors.applications.applications_visible_to`); the portal's lookups also require the
person to work for the company, so another company's staff get DoesNotExist (the views answer 404).
Each tranche and claim carries `.payment`: its latest payment attempt (or None), loaded in one query.
"""

from typing import TYPE_CHECKING, TypeVar

from django.db.models import Prefetch, QuerySet
from django.utils import formats
from django.utils.translation import gettext as _

from finance.models import PaymentInstruction

from ..models import Application, Tranche, TrancheEvidence, TrancheState, UtilityClaim, UtilityClaimState
from .applications import applications_visible_to

if TYPE_CHECKING:
    from accounts.models import User

    from ..models import Award

Payable = TypeVar("Payable", Tranche, UtilityClaim)

TRANCHE_RELATED = (
    "award__application__operator",
    "award__application__call__program",
    "award__application__space",
    "requested_by",
    "verified_by",
    "returned_by",
)
CLAIM_RELATED = (
    "connection__space",
    "connection__application__operator",
    "connection__application__call__program",
    "submitted_by",
    "verified_by",
    "approved_by",
    "rejected_by",
)
EVIDENCE_PREFETCH = Prefetch("evidence", queryset=TrancheEvidence.objects.order_by("uploaded_at", "pk"))


def with_payments(rows: list[Payable]) -> list[Payable]:
    """Attach `.payment` (the latest attempt, or None) to each tranche or claim: one query."""
    if not rows:
        return rows
    keys = {f"{row._meta.label_lower}:{row.pk}": row for row in rows}
    for row in rows:
        row.payment = None  # type: ignore[attr-defined]  # attached here for the templates, not a field
    for instruction in PaymentInstruction.objects.filter(idempotency_key__in=keys).order_by("attempt"):
        keys[instruction.idempotency_key].payment = instruction  # type: ignore[attr-defined]  # as above
    return rows


def award_tranches(award: "Award") -> list[Tranche]:
    """The award's tranches in order, with their evidence and payment."""
    rows = list(
        Tranche.objects.filter(award=award)
        .select_related("requested_by", "verified_by", "returned_by")
        .prefetch_related(EVIDENCE_PREFETCH)
        .order_by("position")
    )
    return with_payments(rows)


def next_requestable(tranches: list[Tranche]) -> Tranche | None:
    """The one tranche the operator may ask for now (the first not verified, if it is scheduled or
    returned and every earlier one is verified), or None."""
    for tranche in tranches:
        if tranche.state in (TrancheState.VERIFIED, TrancheState.PAID):
            continue
        return tranche if tranche.state in (TrancheState.SCHEDULED, TrancheState.RETURNED) else None
    return None


def tranche_for_operator(*, user: "User", reference: str, position: int) -> Tranche:
    """A tranche of one of the user's companies' awards; Tranche.DoesNotExist otherwise."""
    return (
        Tranche.objects.select_related(*TRANCHE_RELATED)
        .prefetch_related(EVIDENCE_PREFETCH)
        .get(award__application__reference=reference, award__application__operator__members=user, position=position)
    )


def tranche_for_staff(*, user: "User", reference: str, position: int) -> Tranche:
    """A tranche whose application the user may see; Tranche.DoesNotExist otherwise."""
    tranche = (
        Tranche.objects.select_related(*TRANCHE_RELATED)
        .prefetch_related(EVIDENCE_PREFETCH)
        .get(
            award__application__reference=reference,
            award__application__in=applications_visible_to(user),
            position=position,
        )
    )
    return with_payments([tranche])[0]


def tranches_to_verify() -> QuerySet[Tranche]:
    """The officers' queue: requested tranches, oldest request first."""
    return (
        Tranche.objects.filter(state=TrancheState.REQUESTED)
        .select_related(*TRANCHE_RELATED)
        .order_by("requested_at", "pk")
    )


def evidence_for_download(*, user: "User", evidence_id: int) -> TrancheEvidence:
    return TrancheEvidence.objects.select_related("tranche__award__application").get(
        pk=evidence_id, tranche__award__application__in=applications_visible_to(user)
    )


def enrolment_claims(application: Application) -> list[UtilityClaim]:
    """An enrolment's claims, latest billing month first, with their payment."""
    rows = list(
        UtilityClaim.objects.filter(connection__application=application)
        .select_related("connection__space", "rejected_by")
        .order_by("-billing_month", "-submitted_at")
    )
    return with_payments(rows)


def claims_to_decide() -> QuerySet[UtilityClaim]:
    """The officers' queue: claims submitted (to verify) or verified (to approve), oldest first."""
    return (
        UtilityClaim.objects.filter(state__in=[UtilityClaimState.SUBMITTED, UtilityClaimState.VERIFIED])
        .select_related(*CLAIM_RELATED)
        .order_by("submitted_at", "pk")
    )


def claim_for_staff(*, user: "User", claim_id: int) -> UtilityClaim:
    claim = UtilityClaim.objects.select_related(*CLAIM_RELATED).get(
        pk=claim_id, connection__application__in=applications_visible_to(user)
    )
    return with_payments([claim])[0]


def tranche_payment_label(tranche_id: str) -> str:
    """How finance names a tranche's payment (finance/hooks.py): "Tranche 2 of GR-2026-00012"."""
    tranche = Tranche.objects.select_related("award__application").filter(pk=tranche_id).first()
    if tranche is None:
        return ""
    return str(
        _("Tranche %(position)s of %(reference)s")
        % {"position": tranche.position, "reference": tranche.award.application.reference}
    )


def claim_payment_label(claim_id: str) -> str:
    """How finance names a utility claim's payment: "Utility claim for March 2026 of UT-2026-00003"."""
    claim = UtilityClaim.objects.select_related("connection__application").filter(pk=claim_id).first()
    if claim is None:
        return ""
    return str(
        _("Utility claim for %(month)s of %(reference)s")
        % {
            "month": formats.date_format(claim.billing_month, "YEAR_MONTH_FORMAT"),
            "reference": claim.connection.application.reference,
        }
    )
