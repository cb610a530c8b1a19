"""Reads for the decision (issue 4): the board's agenda and meetings, and awards."""

from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet

from ..models import (
    Application,
)

if TYPE_CHECKING:
    from accounts.models import User

    from ..models import Award, BoardMeeting


def board_agenda() -> list[Application]:
    """Recommended applications, longest waiting first, each with its reviews' mean score as
    `row.score` and the number of deferrals as `row.deferrals`."""
    from django.db.models import Avg, Count

    from ..models import Decision, Review

    rows = list(
        Application.objects.filter(state=Application.State.RECOMMENDED)
        .select_related("call__program", "operator", "space")
        .annotate(
            score_avg=Avg("reviews__weighted_score", filter=Q(reviews__state=Review.State.SUBMITTED)),
            deferrals=Count("decisions", filter=Q(decisions__outcome=Decision.Outcome.DEFER), distinct=True),
        )
        .order_by("state_entered_at", "pk")
    )
    from ..scoring import TWO_PLACES

    for row in rows:
        row.score = row.score_avg.quantize(TWO_PLACES) if row.score_avg is not None else None
    return rows


def board_meetings() -> "QuerySet[BoardMeeting]":
    from django.db.models import Count

    from ..models import BoardMeeting

    return (
        BoardMeeting.objects.select_related("chair")
        .annotate(present=Count("members_present", distinct=True), decided=Count("decisions", distinct=True))
        .order_by("-held_on", "-pk")
    )


def meeting_detail(meeting_id: int) -> "BoardMeeting":
    from ..models import BoardMeeting, Decision

    return (
        BoardMeeting.objects.select_related("chair")
        .prefetch_related(
            "members_present",
            Prefetch(
                "decisions",
                queryset=Decision.objects.select_related("application__operator", "application__call__program"),
            ),
        )
        .get(pk=meeting_id)
    )


def award_for_operator(*, user: "User", reference: str) -> "Award":
    """The award of one of the user's companies' applications; Award.DoesNotExist otherwise."""
    from ..models import Award

    return Award.objects.select_related("application__call__program", "application__operator", "decision").get(
        application__reference=reference, application__operator__members=user
    )


def award_by_verification_code(code: str) -> "Award":
    """The award a letter's verification code names (case and spaces forgiven); DoesNotExist else."""
    from ..models import Award

    cleaned = "".join(ch for ch in str(code).upper() if ch.isalnum())
    if len(cleaned) != 12:
        raise Award.DoesNotExist
    formatted = f"{cleaned[:4]}-{cleaned[4:8]}-{cleaned[8:]}"
    return Award.objects.select_related("application__call__program", "application__operator").get(
        verification_code=formatted
    )
