"""Reads about grievances that pages, the visit rules and the retaliation guard share.

Only the integrity officers and the head of integrity read grievances (`grievances_for_desk`); an
officer never sees one that names them. The visit rules ask `has_open_grievance`, the retaliation
guard `retaliation_flag` and `open_grievances_naming`: they answer yes or no, or give rows only to
code that shows nothing of them to the official named.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth.hashers import check_password, make_password
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import roles
from grants.events import ADVERSE_ACTS, GrantsEvent

from ..models import OPEN_STATES, Grievance, GrievanceMessage, GrievanceState
from ..permissions import GRIEVANCES

if TYPE_CHECKING:
    from accounts.models import User
    from spaces.models import Operator

S = GrievanceState


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def _naming(user: Any) -> Q:
    """Grievances that name `user`: as the official, or as the inspector of the visit it is about."""
    return Q(official=user) | Q(visit__inspector=user)


def open_grievances_naming(official_user: User) -> QuerySet[Grievance]:
    """The open grievances (filed, acknowledged, investigating, under appeal) that name this official,
    with their companies: for the retaliation guard and the integrity desk only, never for the official."""
    return (
        Grievance.objects.filter(_naming(official_user), state__in=OPEN_STATES)
        .select_related("operator", "official")
        .distinct()
    )


def has_open_grievance(*, official_user: User, operator: Operator) -> bool:
    """Whether `operator` has an open grievance naming `official_user` (the visit rule: no visit by an
    inspector with an open grievance from that operator)."""
    if official_user is None or operator is None:
        return False
    return open_grievances_naming(official_user).filter(operator=operator).exists()


def retaliation_flag(*, official_user: User, operator: Operator) -> bool:
    """Whether an adverse act of `official_user` on `operator`'s cases needs a second officer: while a
    grievance of that operator naming that official is open (issue #15, the retaliation guard)."""
    return has_open_grievance(official_user=official_user, operator=operator)


@dataclass(frozen=True)
class FlaggedCase:
    operator: Any
    official: Any
    grievances: list[str]
    since: dt.datetime | None = None  # when the earliest of these grievances was filed


def flagged_cases() -> list[FlaggedCase]:
    """Companies whose open grievance names an official, with that official: the cases the integrity
    desk watches for retaliation. One row per (company, official)."""
    rows: dict[tuple[int, int], FlaggedCase] = {}
    queryset = (
        Grievance.objects.filter(state__in=OPEN_STATES, operator__isnull=False)
        .filter(Q(official__isnull=False) | Q(visit__isnull=False))
        .select_related("operator", "official", "visit__inspector")
        .order_by("filed_at", "id")
    )
    for grievance in queryset:
        official = grievance.official or (grievance.visit.inspector if grievance.visit else None)
        if official is None or grievance.operator is None:
            continue
        key = (grievance.operator.pk, official.pk)
        if key not in rows:
            rows[key] = FlaggedCase(
                operator=grievance.operator, official=official, grievances=[], since=grievance.filed_at
            )
        rows[key].grievances.append(grievance.reference)
    return list(rows.values())


# What the integrity desk reads for each adverse act (grants.events.ADVERSE_ACTS).
ADVERSE_ACT_LABELS = {
    GrantsEvent.APPLICATION_SCREEN_OUT: _("Screened out"),
    GrantsEvent.REVIEW_SUBMIT: _("Rejection recommended by a reviewer"),
    GrantsEvent.CLAIM_REJECT: _("Utility claim rejected"),
    GrantsEvent.TRANCHE_RETURN: _("Tranche evidence returned"),
}


@dataclass(frozen=True)
class AdverseAct:
    at: dt.datetime
    event: str  # a grants.events.GrantsEvent value
    what: Any  # its label, translated when shown
    reference: str  # the application's
    actor: Any  # the person who took it (None for the system)
    actor_label: str
    by_official: bool  # taken by the official the grievance names


def adverse_acts(case: FlaggedCase) -> list[AdverseAct]:
    """The adverse acts taken on the flagged company's cases since its grievance naming the official
    was filed (screened out, a reject recommendation, a claim rejected, tranche evidence returned:
    grants.events.ADVERSE_ACTS), oldest first, read from the audit events of its applications and
    their reviews. While the grievance is open the official named cannot take them alone (the
    retaliation guard), so these were taken by another officer; one by the official named is marked.
    A refused act changed nothing and wrote no event, so it is not here."""
    from audit.models import AuditEvent
    from grants.models import Application, Recommendation, Review

    applications = dict(Application.objects.filter(operator=case.operator).values_list("pk", "reference"))
    if not applications or case.since is None:
        return []
    reviews = dict(Review.objects.filter(application_id__in=applications).values_list("pk", "application_id"))
    events = [str(event) for event in ADVERSE_ACTS.values()]
    rows = (
        AuditEvent.objects.filter(action__in=events, created_at__gte=case.since)
        .filter(
            Q(object_type=Application._meta.label_lower, object_id__in=[str(pk) for pk in applications])
            | Q(object_type=Review._meta.label_lower, object_id__in=[str(pk) for pk in reviews])
        )
        .exclude(Q(action=GrantsEvent.REVIEW_SUBMIT) & ~Q(data__recommendation=Recommendation.REJECT))
        .select_related("actor")
        .order_by("created_at", "id")
    )
    acts = []
    for row in rows:
        application_id = reviews.get(int(row.object_id)) if row.object_type == Review._meta.label_lower else None
        reference = applications.get(application_id or int(row.object_id), "")
        acts.append(
            AdverseAct(
                at=row.created_at,
                event=row.action,
                what=ADVERSE_ACT_LABELS.get(GrantsEvent(row.action), row.action),
                reference=str(row.data.get("reference") or reference),
                actor=row.actor,
                actor_label=row.actor_label,
                by_official=row.actor_id == case.official.pk,
            )
        )
    return acts


def flagged_cases_with_acts(viewer: User) -> list[tuple[FlaggedCase, list[AdverseAct]]]:
    """The integrity desk's flagged page: each flagged case with the adverse acts since its grievance;
    none that names the officer reading it (an official never sees a grievance naming them)."""
    return [(case, adverse_acts(case)) for case in flagged_cases() if case.official.pk != viewer.pk]


# --- who may see and handle ------------------------------------------------------------------------


def may_view(user: Any, grievance: Grievance | None = None) -> bool:
    """An integrity officer or the head, not named in this grievance. Everyone else: no (the pages
    answer 404, so nobody else learns a grievance exists)."""
    if not (_active(user) and GRIEVANCES.role_allows(user, "view")):
        return False
    if grievance is None:
        return True
    inspector_id = grievance.visit.inspector_id if grievance.visit_id and grievance.visit else None
    return user.pk not in {grievance.official_id, inspector_id}


def grievances_for_desk(user: User) -> QuerySet[Grievance]:
    """Every grievance the integrity officer may read (none naming them), oldest first."""
    if not may_view(user):
        return Grievance.objects.none()
    return (
        Grievance.objects.exclude(_naming(user))
        .select_related("operator", "department", "assigned_to")
        .order_by("filed_at", "id")
    )


def works_on_operator_applications(officer: User, operator: Operator | None) -> bool:
    """Whether `officer` has acted on any application of `operator`: reviewed it or assigned its
    reviewers, asked it for information, decided it, or any audited step on it."""
    if operator is None:
        return False
    from audit.models import AuditEvent
    from grants.models import Application, Decision, InformationRequest, Review

    applications = Application.objects.filter(operator=operator)
    if Review.objects.filter(Q(reviewer=officer) | Q(assigned_by=officer), application__in=applications).exists():
        return True
    if InformationRequest.objects.filter(asked_by=officer, application__in=applications).exists():
        return True
    if Decision.objects.filter(decided_by=officer, application__in=applications).exists():
        return True
    ids = [str(pk) for pk in applications.values_list("pk", flat=True)]
    return (
        bool(ids)
        and AuditEvent.objects.filter(
            actor=officer, object_type=Application._meta.label_lower, object_id__in=ids
        ).exists()
    )


def is_named(grievance: Grievance, user: Any) -> bool:
    if not _active(user):
        return False
    inspector_id = grievance.visit.inspector_id if grievance.visit_id and grievance.visit else None
    return user.pk in {grievance.official_id, inspector_id}


def assignable_officers(grievance: Grievance) -> list[User]:
    """The integrity officers and heads who may handle this grievance (not named in it, not working
    on the filer's applications)."""
    from accounts.models import User

    people = (
        User.objects.filter(is_active=True, groups__name__in=[roles.INTEGRITY_OFFICER, roles.INTEGRITY_HEAD])
        .distinct()
        .order_by("full_name", "email")
    )
    return [
        person
        for person in people
        if not is_named(grievance, person) and not works_on_operator_applications(person, grievance.operator)
    ]


# --- the filer's view -------------------------------------------------------------------------------


def grievances_filed_by(user: User) -> QuerySet[Grievance]:
    """A signed-in filer's own grievances, newest first."""
    if not _active(user):
        return Grievance.objects.none()
    return Grievance.objects.filter(filed_by=user).select_related("operator").order_by("-filed_at", "-id")


def normalise_key(key: str) -> str:
    return "".join(ch for ch in str(key or "").upper() if ch.isalnum())


def grievance_for_tracking(reference: str, key: str) -> Grievance | None:
    """The grievance with this tracking number whose follow-up key matches, or None (the same answer
    for an unknown number and a wrong key, so the page tells nobody which numbers exist)."""
    reference = str(reference or "").strip().upper()
    grievance = Grievance.objects.filter(reference=reference).exclude(follow_up_key_hash="").first()
    candidate = normalise_key(key)
    if grievance is None or not candidate:
        make_password(candidate or "no key")  # about the same time either way
        return None
    return grievance if check_password(candidate, grievance.follow_up_key_hash) else None


def replies_for_filer(grievance: Grievance) -> QuerySet[GrievanceMessage]:
    """What the filer reads: the replies to them and their own words; never the internal notes."""
    return grievance.messages.filter(kind__in=[GrievanceMessage.Kind.REPLY, GrievanceMessage.Kind.FILER]).order_by(
        "written_at", "id"
    )


# --- clocks -----------------------------------------------------------------------------------------


def is_overdue(grievance: Grievance, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    if grievance.state == S.FILED and today > grievance.ack_due_on:
        return True
    return grievance.state in (S.FILED, S.ACKNOWLEDGED, S.INVESTIGATING) and today > grievance.resolve_due_on


def overdue_q(today: dt.date | None = None) -> Q:
    today = today or timezone.localdate()
    return Q(state=S.FILED, ack_due_on__lt=today) | Q(
        state__in=[S.FILED, S.ACKNOWLEDGED, S.INVESTIGATING], resolve_due_on__lt=today
    )


def late_acknowledgements(today: dt.date) -> QuerySet[Grievance]:
    """Filed, past the acknowledgement day, not yet escalated for it."""
    return Grievance.objects.filter(state=S.FILED, ack_due_on__lt=today, ack_escalated_at__isnull=True)


def late_resolutions(today: dt.date) -> QuerySet[Grievance]:
    """Still open with the resolve clock running, past the resolve day, not yet escalated for it."""
    return Grievance.objects.filter(
        state__in=[S.FILED, S.ACKNOWLEDGED, S.INVESTIGATING], resolve_due_on__lt=today, escalated_at__isnull=True
    )


def escalations_and_appeals() -> dict[str, QuerySet[Grievance]]:
    """What the head of integrity watches: escalated grievances still open, and appeals to decide."""
    base = Grievance.objects.select_related("operator", "assigned_to").order_by("filed_at", "id")
    return {
        "escalated": base.filter(state__in=[S.FILED, S.ACKNOWLEDGED, S.INVESTIGATING]).filter(
            Q(ack_escalated_at__isnull=False) | Q(escalated_at__isnull=False)
        ),
        "appeals": base.filter(state=S.UNDER_APPEAL),
    }
