"""What needs a person's action, with its deadline: the inbox's "what needs you", the header's count
and the staff digest's "past their clock" read it here, so they never disagree with the dashboard.

- An operator's people: the company's actions from spaces.needed_next (the dashboard's own list).
- Program officers: applications to screen (submitted or screening; clock STAFF_CLOCK_SCREENING_DAYS of
  processing, pauses excluded), tranches to verify (STAFF_CLOCK_TRANCHE_DAYS from the request) and
  utility claims to decide (STAFF_CLOCK_CLAIM_DAYS from submission).
- Board reviewers: their reviews not submitted, due on the reminder's day before the next meeting.
- Finance checkers: payments prepared by someone else, waiting for their approval (STAFF_CLOCK_CHECKER_DAYS).

Each staff queue is listed (soonest deadline first, at most `limit` rows) and counted in one query (a
window count on each row), so a long screening queue costs the same as a short one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, QuerySet, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from spaces.needed_next import OwedAction, operator_owed_actions
from spaces.selectors import operators_for_user
from spaces.utilization import month_label

from .header_count import count_key

if TYPE_CHECKING:
    from accounts.models import User


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=int(n))


@dataclass(frozen=True)
class Queue:
    """One staff queue: who works it, its rows, and each row as an action with its deadline."""

    role: str
    rows: Callable[[User], QuerySet[Any]]
    action: Callable[[Any], OwedAction]


def _screening(user: User) -> QuerySet[Any]:
    from grants.models import ApplicationState as A
    from grants.selectors import screening_queue

    return screening_queue(user=user).filter(state__in=[A.SUBMITTED, A.SCREENING])


def _screening_action(application: Any) -> OwedAction:
    started = timezone.localdate(application.submitted_at + application.paused_for)
    return OwedAction(
        kind="screening",
        text=_("Screen %(ref)s (%(company)s)")
        % {"ref": application.reference, "company": application.operator.legal_name},
        url=reverse("grants:workbench_application", kwargs={"reference": application.reference}),
        due=started + _days(settings.STAFF_CLOCK_SCREENING_DAYS),
    )


def _tranches(user: User) -> QuerySet[Any]:
    from grants.selectors import tranches_to_verify

    return tranches_to_verify()


def _tranche_action(tranche: Any) -> OwedAction:
    reference = tranche.award.application.reference
    return OwedAction(
        kind="tranche_verify",
        text=_("Verify tranche %(n)s of %(ref)s") % {"n": tranche.position, "ref": reference},
        url=reverse("grants:workbench_tranche", kwargs={"reference": reference, "position": tranche.position}),
        due=timezone.localdate(tranche.requested_at) + _days(settings.STAFF_CLOCK_TRANCHE_DAYS),
    )


def _claims(user: User) -> QuerySet[Any]:
    from grants.selectors import claims_to_decide

    return claims_to_decide()


def _claim_action(claim: Any) -> OwedAction:
    return OwedAction(
        kind="claim_verify",
        text=_("Decide the utility claim of %(space)s for %(month)s")
        % {"space": claim.connection.space.name, "month": month_label(claim.billing_month)},
        url=reverse("grants:workbench_claim", kwargs={"pk": claim.pk}),
        due=timezone.localdate(claim.submitted_at) + _days(settings.STAFF_CLOCK_CLAIM_DAYS),
    )


def _reviews(user: User) -> QuerySet[Any]:
    from .reminders import _reviews_open

    return _reviews_open().filter(reviewer=user)


def _review_action(review: Any) -> OwedAction:
    from .reminders import next_board_meeting

    meeting = next_board_meeting(timezone.localdate())
    return OwedAction(
        kind="review",
        text=_("Submit your review of %(ref)s") % {"ref": review.application.reference},
        url=reverse("grants:workbench_review", kwargs={"reference": review.application.reference}),
        due=meeting + _days(min(settings.REMINDER_REVIEW_OFFSETS or [0])),
    )


def _to_check(user: User) -> QuerySet[Any]:
    from finance.selectors import checker_queue

    # Four eyes: a payment one prepared is never one's own to approve.
    return checker_queue(user=user).exclude(prepared_by=user).select_related("payee")


def _check_action(payment: Any) -> OwedAction:
    return OwedAction(
        kind="payment_check",
        text=_("Approve payment %(ref)s to %(payee)s") % {"ref": payment.reference, "payee": payment.payee.legal_name},
        url=reverse("finance:payment", kwargs={"pk": payment.pk}),
        due=timezone.localdate(payment.prepared_at) + _days(settings.STAFF_CLOCK_CHECKER_DAYS),
    )


QUEUES = (
    Queue(roles.PROGRAM_OFFICER, _screening, _screening_action),
    Queue(roles.PROGRAM_OFFICER, _tranches, _tranche_action),
    Queue(roles.PROGRAM_OFFICER, _claims, _claim_action),
    Queue(roles.BOARD_REVIEWER, _reviews, _review_action),
    Queue(roles.FINANCE_CHECKER, _to_check, _check_action),
)


def _sort_key(action: OwedAction) -> tuple[int, dt.date, str]:
    return (0, action.due, action.text) if action.due else (1, dt.date.max, action.text)


@dataclass(frozen=True)
class NeedsYou:
    """What needs the person: `actions` (soonest deadline first, at most the limit of each queue) and
    `count`, every one of them (the header's figure)."""

    actions: list[OwedAction]
    count: int

    @property
    def late(self) -> list[OwedAction]:
        return [action for action in self.actions if action.is_late]


def needs_you(user: User | Any, *, limit: int = 20) -> NeedsYou:
    """Everything that waits for `user`'s action (an operator's company's, or the staff queues of
    their roles), each with its deadline."""
    if user is None or not getattr(user, "is_authenticated", False):
        return NeedsYou([], 0)
    actions: list[OwedAction] = []
    count = 0
    if user.has_role(roles.OPERATOR):
        owed = operator_owed_actions(operators_for_user(user).first())
        actions += owed
        count += len(owed)
    for queue in QUEUES:
        if not user.has_role(queue.role):
            continue
        # The first `limit` rows and the queue's total in one query (a window count on each row), so
        # the header costs the same number of queries whatever the queue's length.
        rows = list(queue.rows(user).annotate(queue_total=Window(Count("pk")))[:limit])
        actions += [queue.action(row) for row in rows]
        count += rows[0].queue_total if rows else 0
    return NeedsYou(sorted(actions, key=_sort_key), count)


def needs_you_for_request(request: Any) -> NeedsYou:
    """needs_you for the signed-in person, computed once per request (the header and the page)."""
    cached = getattr(request, "_needs_you", None)
    if cached is None:
        cached = needs_you(getattr(request, "user", None))
        request._needs_you = cached
    return cached


def needs_you_count_for_request(request: Any) -> int:
    """The header's figure on every page (issue #23: computing it cost ten queries on each of the
    operator's pages). Kept in the cache for NEEDS_YOU_COUNT_SECONDS per person and forgotten when the
    person writes anything (notifications.middleware) or is notified (services.notify), so what the
    person did, or was asked, shows at once; what changes by the calendar alone (a return falling due)
    shows within that time. A page that lists the actions (the inbox, the dashboard) computes them
    fresh, and the header then shows that page's figure."""
    computed = getattr(request, "_needs_you", None)
    if computed is not None:
        return int(computed.count)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    key = count_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = needs_you_for_request(request).count
        cache.set(key, count, settings.NEEDS_YOU_COUNT_SECONDS)
    return int(count)


def past_clock(user: User, *, today: dt.date | None = None, limit: int = 50) -> list[OwedAction]:
    """The staff items waiting for `user` whose clock has run out (deadline before `today`)."""
    today = today or timezone.localdate()
    late: list[OwedAction] = []
    for queue in QUEUES:
        if user.has_role(queue.role):
            late += [a for a in (queue.action(row) for row in queue.rows(user)[:limit]) if a.due and a.due < today]
    return sorted(late, key=_sort_key)
