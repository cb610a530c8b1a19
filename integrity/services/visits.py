"""Registered visits: the only way an official visits a space on government business.

An inspector asks (space, purpose, window, routine or urgent); the liaison of the space's association,
or a program officer where the operator belongs to none, schedules it (possibly joined with another
department's visit into one trip) or refuses it with a reason; scheduling issues the verification code
the operator and the public check. After the window the inspector files the outcome (late: the
findings are void and the lapse counts against the department) and the operator answers: did it
happen as registered, were you asked for money (yes files a grievance), how were you treated.

Rules (each refusal names the rule and the figures; settings in subsidy/settings/base.py):
- notice: a routine visit at least VISIT_NOTICE_WORKING_DAYS working days ahead (core.calendar);
- one routine visit per department per space per fiscal year;
- at most VISIT_CAP_PER_SPACE trips per space per fiscal year across departments (a joint visit is
  one trip); past it a request can only join a scheduled visit;
- urgent visits (with a written reason) pass the notice and the caps, and are counted and published;
- no visit by an inspector while a grievance of the operator naming them is open.

Every state change goes through core.workflow.transition with the VISITS table; the request itself
and the operator's answer are recorded with core.workflow.record.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import roles
from core import workflow
from core.calendar import add_working_days, working_days_between
from core.uploads import read_upload
from grants.fiscal import FiscalYear
from notifications.services import notify

from .. import messages
from ..errors import InvalidTransition, PermissionDenied, ValidationFailed
from ..events import IntegrityEvent
from ..models import (
    AssociationMembership,
    Grievance,
    InspectionVisit,
    Official,
    VisitNotice,
    VisitPurpose,
    VisitSequence,
)
from ..permissions import VISITS

if TYPE_CHECKING:
    from accounts.models import User
    from spaces.models import Space

V = InspectionVisit.State
# States in which a visit counts against the rules: asked for, on the calendar, or done.
COUNTED_STATES = (V.REQUESTED, V.SCHEDULED, V.COMPLETED, V.NO_SHOW)
# A verification code: no 0/O, 1/I/L, so it can be read out on the phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


# --- who is who -------------------------------------------------------------------------------------


def official_of(user: Any) -> Official | None:
    if not workflow.is_active_person(user):
        return None
    try:
        return Official.objects.select_related("department", "association").get(user=user)
    except Official.DoesNotExist:
        return None


def association_ids_of(space: Space) -> set[int]:
    return set(
        AssociationMembership.objects.filter(operator=space.operator_id).values_list("association_id", flat=True)
    )


def is_scheduler_for(user: Any, visit: InspectionVisit) -> bool:
    """The liaison of an association the operator belongs to, or a program officer where it
    belongs to none."""
    if not workflow.is_active_person(user):
        return False
    associations = association_ids_of(visit.space)
    if associations:
        official = official_of(user)
        return bool(
            user.has_role(roles.ASSOCIATION_LIAISON)
            and official is not None
            and official.association_id in associations
        )
    return user.has_role(roles.PROGRAM_OFFICER)


def is_operator_member(user: Any, visit: InspectionVisit) -> bool:
    return workflow.is_active_person(user) and visit.space.operator.members.filter(pk=user.pk).exists()


def _may_schedule(visit: InspectionVisit, actor: Any) -> None:
    if not is_scheduler_for(actor, visit):
        raise PermissionDenied(
            _(
                "Visits to this space are scheduled by its association's liaison or, where the operator "
                "belongs to none, by a program officer."
            )
        )


def _own_request(visit: InspectionVisit, actor: Any) -> None:
    if visit.inspector_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the inspector who asked for this visit may do this."))


def _may_cancel(visit: InspectionVisit, actor: Any) -> None:
    if visit.inspector_id == getattr(actor, "pk", None):
        return
    _may_schedule(visit, actor)


def _may_mark_no_show(visit: InspectionVisit, actor: Any) -> None:
    if is_operator_member(actor, visit) or is_scheduler_for(actor, visit):
        return
    raise PermissionDenied(VISITS.rule("mark_no_show").refusal)


# --- the rules --------------------------------------------------------------------------------------


def _day(value: dt.date) -> str:
    return date_format(value, "j F Y")


def counted_visits(space: Space, fiscal_year: int) -> QuerySet[InspectionVisit]:
    return InspectionVisit.objects.filter(space=space, fiscal_year=fiscal_year, state__in=COUNTED_STATES)


def trips(space: Space, fiscal_year: int, *, exclude: InspectionVisit | None = None) -> int:
    """Trips to the space this fiscal year: visits not joined to another (a joint visit is one trip)."""
    visits = counted_visits(space, fiscal_year).filter(joint_with__isnull=True)
    if exclude is not None:
        visits = visits.exclude(pk=exclude.pk)
    return visits.count()


@dataclass(frozen=True)
class Window:
    date: dt.date
    start: dt.time
    end: dt.time


def _check_window(window: Window, errors: dict[str, list]) -> None:
    if not (isinstance(window.start, dt.time) and isinstance(window.end, dt.time)) or window.end <= window.start:
        errors.setdefault("window_end", []).append(_("The visit must end after it starts."))
    if window.date < timezone.localdate():
        errors.setdefault("window_date", []).append(_("The visit's date has passed."))


def _check_rules(
    *,
    space: Space,
    department_id: int,
    department_name: str,
    inspector: Any,
    window: Window,
    urgent: bool,
    joins: InspectionVisit | None,
    exclude: InspectionVisit | None = None,
    errors: dict[str, list],
) -> None:
    """The notice, the one-routine-visit rule, the cap and the grievance rule."""
    from ..selectors.grievances import has_open_grievance

    today = timezone.localdate()
    fiscal_year = FiscalYear.of(window.date)
    if not urgent:
        notice = working_days_between(today, window.date)
        needed = settings.VISIT_NOTICE_WORKING_DAYS
        if notice < needed:
            errors.setdefault("window_date", []).append(
                _(
                    "A routine visit needs at least %(needed)s working days' notice: from today to %(date)s is "
                    "%(notice)s (weekends and public holidays do not count). Choose %(earliest)s or later, or ask "
                    "for an urgent visit and say why."
                )
                % {
                    "needed": needed,
                    "date": _day(window.date),
                    "notice": notice,
                    "earliest": _day(add_working_days(today, needed)),
                }
            )
        earlier = counted_visits(space, fiscal_year.start_year).filter(
            department_id=department_id, urgency=InspectionVisit.Urgency.ROUTINE
        )
        if exclude is not None:
            earlier = earlier.exclude(pk=exclude.pk)
        first = earlier.order_by("window_date").first()
        if first is not None:
            errors.setdefault("purpose", []).append(
                _(
                    "%(department)s already has a routine visit to this space in %(year)s (%(reference)s, "
                    "%(date)s): one routine visit per department per space per fiscal year."
                )
                % {
                    "department": department_name,
                    "year": fiscal_year.label,
                    "reference": first.reference,
                    "date": _day(first.window_date),
                }
            )
        if joins is None:
            made = trips(space, fiscal_year.start_year, exclude=exclude)
            cap = settings.VISIT_CAP_PER_SPACE
            if made >= cap:
                errors.setdefault("joint_with", []).append(
                    _(
                        "This space has had %(made)s visits in %(year)s, the most allowed is %(cap)s: a further "
                        "routine visit can only join a visit already scheduled."
                    )
                    % {"made": made, "year": fiscal_year.label, "cap": cap}
                )
    if has_open_grievance(official_user=inspector, operator=space.operator):
        # Worded so the official learns nothing of a grievance: they are simply not the inspector here.
        errors.setdefault("space", []).append(
            _("You may not be the inspector for this space at present: your department can send another inspector.")
        )


def _check_join(visit_space_id: int, joins: InspectionVisit | None, errors: dict[str, list]) -> None:
    if joins is None:
        return
    if joins.space_id != visit_space_id or joins.state != V.SCHEDULED or joins.joint_with_id is not None:
        errors.setdefault("joint_with", []).append(
            _("A visit can only join a visit to the same space that is scheduled and not itself joined to another.")
        )


def _next_reference(year: int) -> str:
    VisitSequence.objects.bulk_create([VisitSequence(year=year)], ignore_conflicts=True)
    sequence = VisitSequence.objects.select_for_update().get(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"VIS-{year}-{sequence.last:05d}"


def _new_code() -> str:
    while True:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        code = f"{raw[:4]}-{raw[4:]}"
        if not InspectionVisit.objects.filter(code=code).exists():
            return code


def normalise_code(text: str) -> str:
    """What a person types (lower case, spaces, no dash) to the stored form ABCD-EF23."""
    raw = "".join(ch for ch in str(text or "").upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else raw


def _people(visit: InspectionVisit) -> dict[str, Any]:
    official = official_of(visit.inspector)
    return {
        "reference": visit.reference,
        "inspector": visit.inspector.get_full_name(),
        "designation": official.designation if official else "",
        # Rendered per recipient: the department's and the purpose's Urdu names in an Urdu notice.
        "department": lambda: visit.department.local_name,
        "space": visit.space.name,
        "date": lambda: _day(visit.window_date),
        "start": visit.window_start.strftime("%H:%M"),
        "end": visit.window_end.strftime("%H:%M"),
        "purpose": lambda: visit.purpose.local_name,
        "code": visit.code,
    }


def _schedulers(space: Space) -> list[Any]:
    from accounts.models import User

    associations = association_ids_of(space)
    if associations:
        return list(
            User.objects.filter(
                is_active=True,
                official__association__in=associations,
                groups__name=roles.ASSOCIATION_LIAISON,
            ).distinct()
        )
    return list(User.objects.filter(is_active=True, groups__name=roles.PROGRAM_OFFICER).distinct())


def _tell(recipients: Any, notice: Any, visit: InspectionVisit, **extra: Any) -> None:
    subject, body = notice.render(**_people(visit), **extra)
    url = reverse("integrity:visit_detail", kwargs={"reference": visit.reference})
    notify(recipients=recipients, subject=subject, body=body, url=url)


# --- the services -----------------------------------------------------------------------------------


def visit_request(
    *,
    actor: User,
    space: Space,
    purpose: VisitPurpose,
    window: Window,
    urgent: bool = False,
    urgent_reason: str = "",
    joins: InspectionVisit | None = None,
) -> InspectionVisit:
    """An inspector asks to visit a space. Pre: the actor is an inspector of the purpose's department.
    Post: a `requested` visit with a reference; its scheduler(s) are told. Refused with every rule it
    breaks, each with the figures."""
    official = official_of(actor)
    if official is None or not actor.has_role(roles.INSPECTOR) or official.department_id is None:
        raise PermissionDenied(_("Only an inspector of a department may ask for a visit."))
    errors: dict[str, list] = {}
    if purpose.department_id != official.department_id or not purpose.is_active:
        errors.setdefault("purpose", []).append(_("Choose one of your own department's visit purposes."))
    urgent_reason = " ".join(str(urgent_reason or "").split())
    if urgent and not urgent_reason:
        errors.setdefault("urgent_reason", []).append(_("An urgent visit needs a written reason (it is published)."))
    if space.network_status == space.NetworkStatus.EXITED:
        errors.setdefault("space", []).append(_("This space has left the network."))
    _check_window(window, errors)
    _check_join(space.pk, joins, errors)
    if joins is not None and not errors:
        window = Window(joins.window_date, joins.window_start, joins.window_end)
    if not errors:
        _check_rules(
            space=space,
            department_id=official.department_id,
            department_name=official.department.local_name if official.department else "",
            inspector=actor,
            window=window,
            urgent=urgent,
            joins=joins,
            errors=errors,
        )
    if errors:
        raise ValidationFailed(field_errors=errors)
    now = timezone.now()
    with transaction.atomic():
        visit = InspectionVisit.objects.create(
            reference=_next_reference(timezone.localdate().year),
            space=space,
            department_id=official.department_id,
            purpose=purpose,
            legal_basis=purpose.legal_basis,
            inspector=actor,
            urgency=InspectionVisit.Urgency.URGENT if urgent else InspectionVisit.Urgency.ROUTINE,
            urgent_reason=urgent_reason if urgent else "",
            window_date=window.date,
            window_start=window.start,
            window_end=window.end,
            fiscal_year=FiscalYear.of(window.date).start_year,
            requested_at=now,
            # Asked to join another department's scheduled visit: one trip (the scheduler confirms).
            joint_with=joins,
        )
        workflow.record(
            actor=actor,
            event=IntegrityEvent.VISIT_REQUESTED,
            obj=visit,
            to_state=visit.state,
            data={"urgent": urgent, "joins": joins.reference if joins else ""},
            at=now,
        )
        _tell(_schedulers(space), messages.VISIT_REQUESTED, visit)
    return visit


def visit_schedule(
    *, actor: User, visit: InspectionVisit, window: Window | None = None, joint_with: InspectionVisit | None = None
) -> InspectionVisit:
    """The scheduler puts a requested visit on the calendar, possibly moving its window or joining it
    to another department's scheduled visit (one trip). Post: `scheduled` with a verification code;
    the operator's people are told who comes, why, when and the code, in their language."""
    with transaction.atomic():
        visit = workflow.lock(InspectionVisit, visit.pk, gone=_("This visit no longer exists."))
        _may_schedule(visit, actor)
        # A request that asked to join a visit stays joined unless the scheduler joins it elsewhere.
        if joint_with is None and visit.joint_with_id is not None:
            joint_with = InspectionVisit.objects.get(pk=visit.joint_with_id)
        errors: dict[str, list] = {}
        _check_join(visit.space_id, joint_with, errors)
        if joint_with is not None and not errors:
            window = Window(joint_with.window_date, joint_with.window_start, joint_with.window_end)
        if window is None:
            window = Window(visit.window_date, visit.window_start, visit.window_end)
        _check_window(window, errors)
        if not errors and visit.state == V.REQUESTED:
            _check_rules(
                space=visit.space,
                department_id=visit.department_id,
                department_name=visit.department.local_name,
                inspector=visit.inspector,
                window=window,
                urgent=visit.is_urgent,
                joins=joint_with,
                exclude=visit,
                errors=errors,
            )
        if errors:
            raise ValidationFailed(field_errors=errors)
        now = timezone.now()
        moved = (window.date, window.start, window.end) != (visit.window_date, visit.window_start, visit.window_end)
        workflow.transition(
            visit,
            workflow.Step(
                "schedule",
                IntegrityEvent.VISIT_SCHEDULED,
                kwargs={
                    "by": actor,
                    "at": now,
                    "code": _new_code(),
                    "window": (window.date, window.start, window.end),
                    "joint_with": joint_with,
                    "fiscal_year": FiscalYear.of(window.date).start_year,
                },
                data={"joint_with": joint_with.reference if joint_with else "", "moved": moved},
                at=now,
            ),
            actor=actor,
            table=VISITS,
            wrong_state=_("Only a visit that is asked for can be scheduled."),
        )
        _tell(visit.space.operator.members.all(), messages.VISIT_SCHEDULED_OPERATOR, visit)
        _tell([visit.inspector], messages.VISIT_SCHEDULED_INSPECTOR, visit)
    return visit


def _reason(text: str, field: str, message: str) -> str:
    reason = " ".join(str(text or "").split())
    if not reason:
        raise ValidationFailed(field_errors={field: [message]})
    return reason


def visit_refuse(*, actor: User, visit: InspectionVisit, reason: str) -> InspectionVisit:
    """The scheduler refuses a request with a reason the inspector reads."""
    reason = _reason(reason, "reason", _("Say why the visit is refused: the inspector reads it."))
    with transaction.atomic():
        visit = workflow.lock(InspectionVisit, visit.pk, gone=_("This visit no longer exists."))
        now = timezone.now()
        workflow.transition(
            visit,
            workflow.Step("refuse", IntegrityEvent.VISIT_REFUSED, kwargs={"reason": reason, "at": now}, reason=reason),
            actor=actor,
            table=VISITS,
            guard=_may_schedule,
            wrong_state=_("Only a visit that is asked for can be refused."),
        )
        _tell([visit.inspector], messages.VISIT_REFUSED, visit, reason=reason)
    return visit


def visit_cancel(*, actor: User, visit: InspectionVisit, reason: str) -> InspectionVisit:
    """The inspector, or the scheduler, calls a visit off with a reason; a scheduled visit's operator
    is told the code no longer stands."""
    reason = _reason(reason, "reason", _("Say why the visit is cancelled."))
    with transaction.atomic():
        visit = workflow.lock(InspectionVisit, visit.pk, gone=_("This visit no longer exists."))
        was_scheduled = visit.state == V.SCHEDULED
        now = timezone.now()
        workflow.transition(
            visit,
            workflow.Step(
                "cancel", IntegrityEvent.VISIT_CANCELLED, kwargs={"reason": reason, "at": now}, reason=reason
            ),
            actor=actor,
            table=VISITS,
            guard=_may_cancel,
            wrong_state=_("Only a visit that is asked for or scheduled can be cancelled."),
        )
        recipients = [visit.inspector, *_schedulers(visit.space)]
        if was_scheduled:
            recipients += list(visit.space.operator.members.all())
        _tell([r for r in recipients if r.pk != actor.pk], messages.VISIT_CANCELLED, visit, reason=reason)
    return visit


def outcome_due(visit: InspectionVisit) -> dt.date:
    """The last day the inspector may file the outcome without voiding the findings."""
    return add_working_days(visit.window_date, settings.VISIT_OUTCOME_WORKING_DAYS)


def answer_due(visit: InspectionVisit) -> dt.date:
    return visit.window_date + dt.timedelta(days=settings.VISIT_ANSWER_DAYS)


def _window_started(visit: InspectionVisit) -> bool:
    start = timezone.make_aware(dt.datetime.combine(visit.window_date, visit.window_start))
    return timezone.now() >= start


def _window_ended(visit: InspectionVisit) -> bool:
    end = timezone.make_aware(dt.datetime.combine(visit.window_date, visit.window_end))
    return timezone.now() >= end


def visit_file_outcome(*, actor: User, visit: InspectionVisit, findings: str, notice: Any = None) -> InspectionVisit:
    """The inspector files what they found, with any notice they issued (a PDF), from the start of
    the window. Filed after `outcome_due`, the findings are void (and count against the department).
    There is no fee: the program collects nothing at the door."""
    findings = str(findings or "").strip()
    errors: dict[str, list] = {}
    if not findings:
        errors["findings"] = [_("Write what you found, even if it is “nothing to report”.")]
    stored = None
    if notice:
        try:
            stored = read_upload(notice, "notice")
        except ValidationFailed as error:
            errors.update(error.field_errors)
        else:
            if stored["content_type"] != "application/pdf":
                errors["notice"] = [_("A notice must be a PDF.")]
    if errors:
        raise ValidationFailed(field_errors=errors)
    with transaction.atomic():
        visit = workflow.lock(InspectionVisit, visit.pk, gone=_("This visit no longer exists."))
        _own_request(visit, actor)
        if visit.state == V.SCHEDULED and not _window_started(visit):
            raise InvalidTransition(_("The outcome can be filed once the visit's window has started."))
        now = timezone.now()
        late = timezone.localdate() > outcome_due(visit)
        workflow.transition(
            visit,
            workflow.Step(
                "complete",
                IntegrityEvent.VISIT_COMPLETED,
                kwargs={"findings": findings, "at": now, "late": late},
                data={"late": late, "notice": bool(stored)},
                at=now,
            ),
            actor=actor,
            table=VISITS,
            guard=_own_request,
            wrong_state=_("Only a scheduled visit's outcome can be filed."),
        )
        if stored:
            VisitNotice.objects.create(visit=visit, file=notice, uploaded_by=actor, uploaded_at=now, **stored)
        _tell(
            visit.space.operator.members.all(), messages.VISIT_OUTCOME_FILED, visit, due=lambda: _day(answer_due(visit))
        )
    return visit


def visit_mark_no_show(*, actor: User, visit: InspectionVisit) -> InspectionVisit:
    """The operator (or the scheduler) says nobody came: only once the window has ended."""
    with transaction.atomic():
        visit = workflow.lock(InspectionVisit, visit.pk, gone=_("This visit no longer exists."))
        _may_mark_no_show(visit, actor)
        if visit.state == V.SCHEDULED and not _window_ended(visit):
            raise InvalidTransition(_("You can say nobody came once the visit's window has ended."))
        workflow.transition(
            visit,
            workflow.Step("mark_no_show", IntegrityEvent.VISIT_NO_SHOW, kwargs={"at": timezone.now()}),
            actor=actor,
            table=VISITS,
            guard=_may_mark_no_show,
            wrong_state=_("Only a scheduled visit can be marked as not having happened."),
        )
        _tell([visit.inspector, *_schedulers(visit.space)], messages.VISIT_NO_SHOW, visit)
    return visit


@dataclass(frozen=True)
class Answer:
    happened_as_registered: bool
    asked_for_money: bool
    treatment: int
    comment: str = ""


def visit_answer(*, actor: User, visit: InspectionVisit, answer: Answer) -> Any:
    """The operator's answer to a visit, once, within VISIT_ANSWER_DAYS of it. Asked for money, a gift
    or a favour: a grievance is filed from the visit, naming its inspector and department, and
    returned (else None)."""
    from .grievances import grievance_file

    errors: dict[str, list] = {}
    if answer.treatment not in InspectionVisit.Treatment.values:
        errors["treatment"] = [_("Say how you were treated, from 1 (very poorly) to 5 (very well).")]
    comment = str(answer.comment or "").strip()
    if answer.asked_for_money and not comment:
        errors["comment"] = [_("Say what was asked for, by whom and when: the integrity office reads it.")]
    if errors:
        raise ValidationFailed(field_errors=errors)
    with transaction.atomic():
        visit = workflow.lock(InspectionVisit, visit.pk, gone=_("This visit no longer exists."))
        if not is_operator_member(actor, visit):
            raise PermissionDenied(_("Only the operator of the space answers for a visit."))
        if visit.state not in (V.SCHEDULED, V.COMPLETED, V.NO_SHOW) or not _window_started(visit):
            raise InvalidTransition(_("A visit can be answered for once its window has started."))
        if visit.answered_at is not None:
            raise InvalidTransition(_("This visit has been answered for already."))
        if timezone.localdate() > answer_due(visit):
            raise InvalidTransition(
                _("The answer was due by %(date)s. If something went wrong at the visit, file a grievance.")
                % {"date": _day(answer_due(visit))}
            )
        now = timezone.now()
        InspectionVisit.objects.filter(pk=visit.pk).update(
            answered_by=actor,
            answered_at=now,
            happened_as_registered=answer.happened_as_registered,
            asked_for_money=answer.asked_for_money,
            treatment=answer.treatment,
            operator_comment=comment,
        )
        workflow.record(
            actor=actor,
            event=IntegrityEvent.VISIT_ANSWERED,
            obj=visit,
            data={"as_registered": answer.happened_as_registered, "treatment": answer.treatment},
            at=now,
        )
        visit.refresh_from_db()
        grievance = None
        if answer.asked_for_money:
            grievance = grievance_file(
                category=Grievance.Category.MONEY_DEMAND,
                what_happened=comment,
                filed_by=actor,
                operator=visit.space.operator,
                channel=Grievance.Channel.PORTAL,
                visit=visit,
                department=visit.department,
                official=visit.inspector,
            ).grievance
    return grievance


def visits_void_late_outcomes(*, today: dt.date | None = None) -> int:
    """The daily pass (integrity.tasks): every scheduled visit whose outcome is past due has its
    findings voided, once (idempotent). Returns how many were voided now."""
    today = today or timezone.localdate()
    voided = 0
    candidates = InspectionVisit.objects.filter(state=V.SCHEDULED, findings_void=False, window_date__lt=today)
    for visit_id in candidates.values_list("pk", flat=True):
        with transaction.atomic():
            visit = workflow.lock(InspectionVisit, visit_id, gone=_("This visit no longer exists."))
            if visit.state != V.SCHEDULED or visit.findings_void or today <= outcome_due(visit):
                continue
            InspectionVisit.objects.filter(pk=visit.pk).update(findings_void=True)
            workflow.record(
                actor=None,
                event=IntegrityEvent.VISIT_FINDINGS_VOIDED,
                obj=visit,
                data={"due": outcome_due(visit).isoformat()},
            )
            voided += 1
    return voided


def department_purposes(actor: Any) -> QuerySet[VisitPurpose]:
    official = official_of(actor)
    if official is None or official.department_id is None:
        return VisitPurpose.objects.none()
    return VisitPurpose.objects.filter(department_id=official.department_id, is_active=True)


__all__ = [
    "Answer",
    "Window",
    "answer_due",
    "is_operator_member",
    "is_scheduler_for",
    "normalise_code",
    "official_of",
    "outcome_due",
    "visit_answer",
    "visit_cancel",
    "visit_file_outcome",
    "visit_mark_no_show",
    "visit_refuse",
    "visit_request",
    "visit_schedule",
    "visits_void_late_outcomes",
]
