"""What a company owes the program next: one selector for every place that lists it (issue #17).

The operator's dashboard shows this list; a reminder or a notice that wants "what is waiting for the
operator" asks here too, so the lists never disagree. Each action carries its deadline where the
program sets one:

- an award offered, to accept (no deadline is set by the program);
- a question of the program officer on an application, to answer (the clock is paused meanwhile);
- a tranche returned for evidence, to send again, by the tranche's due date;
- the next scheduled tranche of an accepted grant, to ask for when its milestone is reached, by its
  due date;
- last month's utilization return of each space that files returns, not yet filed (due now; the
  program sets no day of the month);
- a one-window request on which another department asked for information, to answer;
- an inspection visit, to answer for, within VISIT_ANSWER_DAYS of the visit;
- a freelancer's approved seat voucher at one of its spaces, whose start to record, by its start-by day;
- last month's seat claim of each space with voucher seats in it, not yet filed (issue #18).

Reads only; a fixed number of queries whatever the size of the company.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from grants.models import ApplicationState as A
from grants.models import Award, AwardState, InformationRequest, Tranche, TrancheState
from integrity.models import InspectionVisit
from onewindow.models import RequestState, ServiceRequest

from .models import Operator, Space, UtilizationReturn
from .utilization import FILING_STATUSES, add_months, last_closed_month, month_label


@dataclass(frozen=True)
class OwedAction:
    """One thing the company must do: what (a translated sentence), where (a link) and by when
    (None when the program sets no deadline)."""

    kind: str
    text: str
    url: str
    due: dt.date | None = None

    @property
    def is_late(self) -> bool:
        return self.due is not None and self.due < timezone.localdate()


def _sort_key(action: OwedAction) -> tuple[int, dt.date, str]:
    # Dated actions first, the soonest on top; undated ones after, in a stable order.
    return (0, action.due, action.text) if action.due else (1, dt.date.max, action.text)


def _application_url(reference: str, anchor: str) -> str:
    return reverse("grants:portal_application", kwargs={"reference": reference}) + anchor


def _awards(operator: Operator) -> list[OwedAction]:
    awards = Award.objects.filter(application__operator=operator, state=AwardState.OFFERED).select_related(
        "application"
    )
    return [
        OwedAction(
            kind="award_accept",
            text=_("Accept the award for %(ref)s (download the letter first)") % {"ref": award.application.reference},
            url=_application_url(award.application.reference, "#award"),
        )
        for award in awards
    ]


def _questions(operator: Operator) -> list[OwedAction]:
    questions = InformationRequest.objects.filter(
        application__operator=operator, application__state=A.INFO_REQUESTED, answered_at__isnull=True
    ).select_related("application")
    return [
        OwedAction(
            kind="information_request",
            text=_("Answer the program officer's question on %(ref)s") % {"ref": question.application.reference},
            url=_application_url(question.application.reference, "#answer"),
        )
        for question in questions
    ]


def _tranches(operator: Operator) -> list[OwedAction]:
    tranches = (
        Tranche.objects.filter(
            award__application__operator=operator,
            award__state=AwardState.ACCEPTED,
            state__in=[TrancheState.SCHEDULED, TrancheState.RETURNED],
        )
        .select_related("award__application")
        .order_by("award", "position")
    )
    actions = []
    next_asked_for: set[int] = set()
    for tranche in tranches:
        reference = tranche.award.application.reference
        params = {"n": tranche.position, "ref": reference, "milestone": tranche.title}
        if tranche.state == TrancheState.RETURNED:
            text = _("Send new evidence for tranche %(n)s of %(ref)s (%(milestone)s)") % params
        elif tranche.award_id in next_asked_for:
            continue  # only the next scheduled tranche of each award is owed now
        else:
            next_asked_for.add(tranche.award_id)
            text = _("Ask for tranche %(n)s of %(ref)s when “%(milestone)s” is reached") % params
        actions.append(
            OwedAction(kind="tranche", text=text, url=_application_url(reference, "#tranches"), due=tranche.due_date)
        )
    return actions


def _returns(operator: Operator, today: dt.date) -> list[OwedAction]:
    month = last_closed_month(today)
    filed = UtilizationReturn.objects.filter(space=OuterRef("pk"), month=month)
    spaces = (
        Space.objects.filter(
            operator=operator, network_status__in=FILING_STATUSES, opening_date__lt=add_months(month, 1)
        )
        .exclude(Exists(filed))
        .order_by("name")
    )
    url = reverse("portal:utilization")
    return [
        OwedAction(
            kind="utilization_return",
            text=_("File the utilization return of %(space)s for %(month)s")
            % {"space": space.name, "month": month_label(month)},
            url=url,
            due=today,
        )
        for space in spaces
    ]


def _one_window(operator: Operator) -> list[OwedAction]:
    requests = ServiceRequest.objects.filter(operator=operator, state=RequestState.INFO_REQUESTED).select_related(
        "service"
    )
    return [
        OwedAction(
            kind="one_window_question",
            text=_("Answer the department's question on %(ref)s (%(service)s)")
            % {"ref": request.reference, "service": request.service.name},
            url=reverse("onewindow:request_detail", kwargs={"reference": request.reference}),
        )
        for request in requests
    ]


def _visits(operator: Operator, now: dt.datetime) -> list[OwedAction]:
    today = timezone.localdate(now)
    days = dt.timedelta(days=settings.VISIT_ANSWER_DAYS)  # integrity.services.visits.answer_due
    visits = InspectionVisit.objects.filter(
        space__operator=operator,
        state__in=[InspectionVisit.State.SCHEDULED, InspectionVisit.State.COMPLETED, InspectionVisit.State.NO_SHOW],
        answered_at__isnull=True,
        window_date__lte=today,
        window_date__gte=today - days,
    ).select_related("space")
    local_time = timezone.localtime(now).time()
    return [
        OwedAction(
            kind="visit_answer",
            text=_("Say how the visit %(ref)s to %(space)s went") % {"ref": visit.reference, "space": visit.space.name},
            url=reverse("integrity:portal_visit_answer", kwargs={"reference": visit.reference}),
            due=visit.window_date + days,
        )
        for visit in visits
        if visit.window_date < today or visit.window_start <= local_time  # answered once the window starts
    ]


def _vouchers(operator: Operator, today: dt.date) -> list[OwedAction]:
    from vouchers.models import SeatClaim, Voucher, VoucherState
    from vouchers.selectors import seats_in_month

    actions = [
        OwedAction(
            kind="voucher_start",
            text=_("Record the start of voucher %(reference)s at %(space)s (or report a no-show)")
            % {"reference": voucher.reference, "space": voucher.space.name},
            url=reverse("vouchers:voucher", kwargs={"reference": voucher.reference}),
            due=voucher.start_by,
        )
        for voucher in Voucher.objects.filter(space__operator=operator, state=VoucherState.APPROVED)
        .select_related("space")
        .order_by("start_by", "reference")
    ]
    month = last_closed_month(today)
    claimed = set(
        SeatClaim.objects.filter(space__operator=operator, month=month)
        .exclude(state=SeatClaim.State.REJECTED)
        .values_list("round_id", "space_id")
    )
    offers = operator.spaces.filter(voucher_rounds__isnull=False).values_list("voucher_rounds__round_id", "pk", "name")
    for round_id, space_id, name in offers.order_by("name").distinct():
        if (round_id, space_id) in claimed:
            continue
        if not seats_in_month(round_id, space_id, month):
            continue
        actions.append(
            OwedAction(
                kind="seat_claim",
                text=_("Claim the voucher seats of %(space)s for %(month)s")
                % {"space": name, "month": month_label(month)},
                url=reverse("vouchers:claim_new"),
                due=None,
            )
        )
    return actions


def operator_owed_actions(operator: Operator | None, *, now: dt.datetime | None = None) -> list[OwedAction]:
    """Every action the company owes, soonest deadline first, then those without a deadline."""
    if operator is None:
        return []
    now = now or timezone.now()
    today = timezone.localdate(now)
    actions = [
        *_awards(operator),
        *_questions(operator),
        *_tranches(operator),
        *_returns(operator, today),
        *_one_window(operator),
        *_visits(operator, now),
        *_vouchers(operator, today),
    ]
    return sorted(actions, key=_sort_key)
