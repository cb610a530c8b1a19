"""Every write about a grievance: filing (portal, helpline, public form), assignment, the state machine,
replies and notes, evidence, reopening, rating and appeal, and the clock's escalations.

Conventions (as grants/, finance/, loans/): keyword-only, `actor=`, one transaction, the grievance row
locked before its state is read, the transition through core.workflow, the audit event in the same
transaction, notifications on commit. An audit event about a grievance carries no details: its reason
and data are empty, since people who must not learn what a grievance says read audit timelines; what
was written lives on the grievance, which only the integrity office reads.

Who may do what (integrity/permissions.py, GRIEVANCES; checked here with the reason):
    integrity officer or head   file from the helpline, assign, acknowledge, investigate, reply, note,
                                resolve, close; never on a grievance naming them, and never assigned to
                                one of a company whose applications they work on
    head of integrity           decides appeals
    the filer                   reopens once within GRIEVANCE_REOPEN_DAYS of the resolution or closure;
                                rates a resolution 1-5 (1 or 2 opens an appeal). Signed in: the person
                                who filed it; otherwise the follow-up key (checked by the caller, who
                                passes actor=None)
    the clock                   escalates a breach once (integrity.tasks)
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts import roles
from core import workflow
from core.calendar import add_working_days
from core.uploads import read_upload
from notifications.services import notify

from .. import messages
from ..errors import InvalidTransition, PermissionDenied, ValidationFailed
from ..events import IntegrityEvent
from ..models import (
    Department,
    Grievance,
    GrievanceEvidence,
    GrievanceMessage,
    GrievanceSequence,
    GrievanceState,
    InspectionVisit,
)
from ..permissions import GRIEVANCES
from ..selectors import grievances as selectors

if TYPE_CHECKING:
    from accounts.models import User
    from grants.models import Application
    from spaces.models import Operator

S = GrievanceState
E = IntegrityEvent
KEY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone
MAX_EVIDENCE_FILES = 5


def ack_working_days() -> int:
    return int(getattr(settings, "GRIEVANCE_ACK_WORKING_DAYS", 2))


def resolve_days() -> int:
    return int(getattr(settings, "GRIEVANCE_RESOLVE_DAYS", 30))


def reopen_days() -> int:
    return int(getattr(settings, "GRIEVANCE_REOPEN_DAYS", 30))


@dataclass(frozen=True)
class Filed:
    """A new grievance and, for a filer without an account, the follow-up key (shown once, kept only
    as a hash)."""

    grievance: Grievance
    follow_up_key: str | None


# --- helpers -----------------------------------------------------------------------------------------


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def _url(name: str, **kwargs: Any) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _day(day: dt.date) -> Callable[[], str]:
    """A date rendered in the recipient's language."""
    return lambda: formats.date_format(day, "j F Y")


def _state_label(state: str) -> Callable[[], str]:
    return lambda: str(GrievanceState(state).label)


def new_follow_up_key() -> str:
    """Sixteen characters in four groups (80 bits), easy to read out over the phone."""
    raw = "".join(secrets.choice(KEY_ALPHABET) for _i in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def _next_reference(year: int) -> str:
    sequence, _created = GrievanceSequence.objects.select_for_update().get_or_create(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"GRV-{year}-{sequence.last:05d}"


def _lock(grievance: Grievance) -> Grievance:
    try:
        return (
            Grievance.objects.select_for_update(of=("self",))
            .select_related("operator", "visit", "filed_by", "assigned_to")
            .get(pk=grievance.pk)
        )
    except Grievance.DoesNotExist:
        raise InvalidTransition(_("This grievance no longer exists.")) from None


def _integrity_people() -> Any:
    from accounts.models import User

    return User.objects.filter(
        is_active=True, groups__name__in=[roles.INTEGRITY_OFFICER, roles.INTEGRITY_HEAD]
    ).distinct()


def _heads() -> Any:
    from accounts.models import User

    return User.objects.filter(is_active=True, groups__name=roles.INTEGRITY_HEAD).distinct()


def _desk_url(grievance: Grievance) -> str:
    return _url("integrity:grievance_detail", reference=grievance.reference)


def _tell_filer(grievance: Grievance, notice: Any, **params: Any) -> None:
    """A signed-in filer is told in the portal (and by email); a filer without an account reads the
    track page, and nobody else is told anything."""
    if grievance.filed_by is None:
        return
    subject, body = notice.render(reference=grievance.reference, **params)
    notify(
        recipients=[grievance.filed_by],
        subject=subject,
        body=body,
        url=_url("integrity:portal_grievance", reference=grievance.reference),
    )


def _tell(recipients: Iterable[Any], grievance: Grievance, notice: Any, **params: Any) -> None:
    people = [person for person in recipients if not selectors.is_named(grievance, person)]
    subject, body = notice.render(reference=grievance.reference, **params)
    notify(recipients=people, subject=subject, body=body, url=_desk_url(grievance))


def _refuse_named(grievance: Grievance, actor: Any) -> None:
    """The workflow guard: staff act only on grievances they may read, and never on one naming them."""
    if actor is None:
        return
    if selectors.is_named(grievance, actor):
        raise PermissionDenied(_("You are named in this grievance, so you may not handle it."))


def _text(value: object, field: str, message: str, *, limit: int = 10_000) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationFailed(field_errors={field: [message]})
    if len(text) > limit:
        raise ValidationFailed(
            field_errors={field: [_("Keep it under %(limit)s characters.") % {"limit": f"{limit:,}"}]}
        )
    return text


def _transition(
    grievance: Grievance,
    name: str,
    actor: Any,
    *,
    event: IntegrityEvent,
    rules: Callable[[Grievance, Any], None] | None = None,
    **kwargs: Any,
) -> str:
    """One transition of a locked grievance on the workflow path; the event has no reason or data."""
    return workflow.transition(
        grievance,
        workflow.Step(name, event, kwargs=kwargs),
        actor=actor,
        table=GRIEVANCES,
        guard=_refuse_named,
        rules=rules,
        wrong_state=_("Grievance %(reference)s is %(state)s: that cannot be done now.")
        % {"reference": grievance.reference, "state": str(GrievanceState(grievance.state).label).lower()},
        raced=_("Someone else changed grievance %(reference)s at the same moment; reload it.")
        % {"reference": grievance.reference},
    )


def _store_evidence(grievance: Grievance, files: Iterable[Any], uploaded_by: Any) -> list[GrievanceEvidence]:
    files = [file for file in files if file]
    if len(files) > MAX_EVIDENCE_FILES:
        raise ValidationFailed(
            field_errors={"evidence": [_("Attach at most %(count)s files.") % {"count": MAX_EVIDENCE_FILES}]}
        )
    checked = [(file, read_upload(file, "evidence")) for file in files]  # every file checked before any is kept
    stored: list[GrievanceEvidence] = []
    try:
        for file, columns in checked:
            evidence = GrievanceEvidence(
                grievance=grievance, **columns, uploaded_by=uploaded_by, uploaded_at=timezone.now()
            )
            evidence.file.save(evidence.original_filename, file, save=False)
            evidence.save()
            stored.append(evidence)
    except Exception:
        for evidence in stored:
            evidence.file.storage.delete(str(evidence.file.name))
        raise
    return stored


# --- filing -----------------------------------------------------------------------------------------


def grievance_file(
    *,
    category: str,
    what_happened: str,
    channel: str,
    filed_by: User | None = None,
    entered_by: User | None = None,
    operator: Operator | None = None,
    visit: InspectionVisit | None = None,
    department: Department | None = None,
    official: User | None = None,
    official_name_text: str = "",
    application: Application | None = None,
    stage: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    evidence: Iterable[Any] = (),
    follow_up_key: str | None = None,
    about_operator: Operator | None = None,
) -> Filed:
    """File a grievance. Returns it and, unless filed by a signed-in person, the follow-up key (shown
    once; only its hash is kept).

    channel "portal": `filed_by` is the signed-in person (an operator's member: `operator` defaults to
    their company, and must be one of theirs). "helpline": `entered_by` is the integrity officer who
    typed in the call. "public": nobody signed in. A `visit` fills the department, the official (its
    inspector) and the company when they are not given. `follow_up_key` is passed only by the demo
    loader, so the README can print the key. `about_operator` is passed only by another service that
    has checked the filer's tie to a company they are not staff of (a freelancer's voucher seat at its
    space). Post: state filed, the acknowledgement and resolve days
    set, the event `grievance.filed` without details, the integrity office told on commit.
    """
    errors: dict[str, list[Any]] = {}
    if category not in Grievance.Category.values:
        errors["category"] = [_("Choose what the grievance is about.")]
    text = str(what_happened or "").strip()
    if not text:
        errors["what_happened"] = [_("Say what happened: when, where, who, and what was asked or done.")]
    elif len(text) > 10_000:
        errors["what_happened"] = [_("Keep it under %(limit)s characters.") % {"limit": "10,000"}]
    if channel not in Grievance.Channel.values:
        raise ValidationFailed(_("Unknown channel."))
    if channel == Grievance.Channel.PORTAL:
        if not _active(filed_by):
            raise PermissionDenied(_("Sign in to file a grievance from the portal."))
        companies = list(filed_by.operators.all()) if filed_by is not None else []
        if operator is None and visit is not None:
            operator = visit.space.operator
        if operator is None and len(companies) == 1:
            operator = companies[0]
        if operator is not None and operator.pk not in {company.pk for company in companies}:
            raise PermissionDenied(_("You may file a grievance only for your own company."))
        operator = operator or about_operator
        entered_by = None
    elif channel == Grievance.Channel.HELPLINE:
        if not (_active(entered_by) and GRIEVANCES.role_allows(entered_by, "file_helpline")):
            raise PermissionDenied(GRIEVANCES.rule("file_helpline").refusal)
        filed_by = None
    else:
        filed_by, entered_by = None, None
    if visit is not None:
        department = department or visit.department
        official = official or visit.inspector
        if operator is None:
            operator = visit.space.operator
    if errors:
        raise ValidationFailed(field_errors=errors)
    key = None if channel == Grievance.Channel.PORTAL else (follow_up_key or new_follow_up_key())
    now = timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        grievance = Grievance(
            reference=_next_reference(today.year),
            category=category,
            channel=channel,
            filed_at=now,
            filed_by=filed_by,
            entered_by=entered_by,
            operator=operator,
            department=department,
            official=official,
            official_name_text=str(official_name_text or "").strip()[:160],
            application=application,
            visit=visit,
            stage=str(stage or "").strip()[:160],
            what_happened=text,
            contact_name=str(contact_name or "").strip()[:120],
            contact_phone=str(contact_phone or "").strip()[:30],
            contact_email=str(contact_email or "").strip()[:254],
            follow_up_key_hash=make_password(selectors.normalise_key(key)) if key else "",
            ack_due_on=add_working_days(today, ack_working_days()),
            resolve_due_on=today + dt.timedelta(days=resolve_days()),
        )
        grievance.save()
        _store_evidence(grievance, evidence, filed_by or entered_by)
        workflow.record(actor=filed_by or entered_by, event=E.GRIEVANCE_FILED, obj=grievance, to_state=S.FILED, at=now)
        channel_label = Grievance.Channel(channel).label

        def tell() -> None:
            _tell(
                _integrity_people(),
                grievance,
                messages.GRIEVANCE_FILED,
                channel=lambda: str(channel_label),
                ack_due=_day(grievance.ack_due_on),
                resolve_due=_day(grievance.resolve_due_on),
            )
            _tell_filer(
                grievance,
                messages.GRIEVANCE_RECEIVED,
                ack_due=_day(grievance.ack_due_on),
                resolve_due=_day(grievance.resolve_due_on),
            )

        transaction.on_commit(tell)
    return Filed(grievance=grievance, follow_up_key=key)


# --- the integrity office ---------------------------------------------------------------------------


def _require_staff(grievance: Grievance, actor: Any, action: str) -> None:
    GRIEVANCES.require(actor, action)
    _refuse_named(grievance, actor)


def assignment_conflict(grievance: Grievance, officer: Any) -> str | None:
    """Why `officer` may not handle this grievance, or None."""
    if not (_active(officer) and GRIEVANCES.role_allows(officer, "resolve")):
        return _("%(name)s is not an integrity officer.") % {"name": officer}
    if selectors.is_named(grievance, officer):
        return _("%(name)s is named in this grievance, so may not handle it.") % {"name": officer}
    if selectors.works_on_operator_applications(officer, grievance.operator):
        return _("%(name)s works on applications of %(operator)s, the company that filed it, so may not handle it.") % {
            "name": officer,
            "operator": grievance.operator,
        }
    return None


def grievance_assign(*, grievance: Grievance, actor: User, officer: User) -> Grievance:
    """Give the grievance to an integrity officer (or the head). Refused, with the reason, for an
    officer named in it or working on the filer's applications. Any open state; a record event."""
    with transaction.atomic():
        grievance = _lock(grievance)
        _require_staff(grievance, actor, "assign")
        if grievance.state not in (S.FILED, S.ACKNOWLEDGED, S.INVESTIGATING, S.UNDER_APPEAL):
            raise InvalidTransition(
                _("Grievance %(reference)s is %(state)s: it is no longer assigned.")
                % {"reference": grievance.reference, "state": str(GrievanceState(grievance.state).label).lower()}
            )
        conflict = assignment_conflict(grievance, officer)
        if conflict:
            raise PermissionDenied(conflict)
        if grievance.assigned_to_id == officer.pk:
            return grievance
        grievance.assigned_to = officer
        grievance.save(update_fields=["assigned_to"])
        workflow.record(actor=actor, event=E.GRIEVANCE_ASSIGNED, obj=grievance, from_state=grievance.state)
        if officer.pk != actor.pk:
            transaction.on_commit(
                lambda: _tell(
                    [officer], grievance, messages.GRIEVANCE_ASSIGNED, resolve_due=_day(grievance.resolve_due_on)
                )
            )
    return grievance


def _on_commit_tell_filer_state(grievance: Grievance) -> None:
    state = grievance.state
    transaction.on_commit(lambda: _tell_filer(grievance, messages.GRIEVANCE_STATE_CHANGED, state=_state_label(state)))


def grievance_acknowledge(*, grievance: Grievance, actor: User) -> Grievance:
    """filed -> acknowledged. The filer is told."""
    with transaction.atomic():
        grievance = _lock(grievance)
        _require_staff(grievance, actor, "acknowledge")
        _transition(grievance, "acknowledge", actor, event=E.GRIEVANCE_ACKNOWLEDGED, at=timezone.now())
        _on_commit_tell_filer_state(grievance)
    return grievance


def _assigned(grievance: Grievance, _actor: Any) -> None:
    # Said here, before the transition's own condition would refuse it without a reason.
    if grievance.assigned_to_id is None:
        raise InvalidTransition(_("Assign an integrity officer to the grievance before the investigation starts."))


def grievance_investigate(*, grievance: Grievance, actor: User) -> Grievance:
    """filed | acknowledged -> investigating; needs an assigned officer (acknowledges it if need be)."""
    with transaction.atomic():
        grievance = _lock(grievance)
        _require_staff(grievance, actor, "investigate")
        _transition(
            grievance,
            "investigate",
            actor,
            event=E.GRIEVANCE_INVESTIGATING,
            rules=_assigned,
            at=timezone.now(),
        )
        _on_commit_tell_filer_state(grievance)
    return grievance


def grievance_resolve(*, grievance: Grievance, actor: User, outcome: str, action_taken: str) -> Grievance:
    """investigating -> resolved, with the outcome and the action taken (the filer reads both)."""
    errors: dict[str, list[Any]] = {}
    if outcome not in Grievance.Outcome.values:
        errors["outcome"] = [_("Choose the outcome of the investigation.")]
    action = str(action_taken or "").strip()
    if not action:
        errors["action_taken"] = [_("Say what action was taken (the filer reads it).")]
    with transaction.atomic():
        grievance = _lock(grievance)
        _require_staff(grievance, actor, "resolve")
        if errors:
            raise ValidationFailed(field_errors=errors)
        _transition(
            grievance,
            "resolve",
            actor,
            event=E.GRIEVANCE_RESOLVED,
            outcome=outcome,
            action_taken=action,
            at=timezone.now(),
        )
        _on_commit_tell_filer_state(grievance)
    return grievance


def grievance_close(*, grievance: Grievance, actor: User, kind: str, reason: str) -> Grievance:
    """filed | acknowledged | investigating -> closed: a duplicate, withdrawn or out of scope, with the
    reason (the filer reads it)."""
    errors: dict[str, list[Any]] = {}
    if kind not in Grievance.CloseKind.values:
        errors["kind"] = [_("Choose why the grievance is closed.")]
    text = str(reason or "").strip()
    if not text:
        errors["reason"] = [_("Say why it is closed (the filer reads it).")]
    with transaction.atomic():
        grievance = _lock(grievance)
        _require_staff(grievance, actor, "close")
        if errors:
            raise ValidationFailed(field_errors=errors)
        _transition(grievance, "close", actor, event=E.GRIEVANCE_CLOSED, kind=kind, reason=text, at=timezone.now())
        _on_commit_tell_filer_state(grievance)
    return grievance


def grievance_write(*, grievance: Grievance, actor: User, kind: str, text: str) -> GrievanceMessage:
    """A reply to the filer (they read it, and a signed-in filer is told) or an internal note (never
    shown to the filer). Not on a grievance naming the actor."""
    action = "reply" if kind == GrievanceMessage.Kind.REPLY else "note"
    if kind not in (GrievanceMessage.Kind.REPLY, GrievanceMessage.Kind.NOTE):
        raise ValidationFailed(_("Unknown kind of message."))
    body = _text(text, "text", _("Write the reply or the note."))
    with transaction.atomic():
        grievance = _lock(grievance)
        _require_staff(grievance, actor, action)
        message = GrievanceMessage.objects.create(
            grievance=grievance, kind=kind, text=body, written_by=actor, written_at=timezone.now()
        )
        if kind == GrievanceMessage.Kind.REPLY:
            workflow.record(actor=actor, event=E.GRIEVANCE_REPLIED, obj=grievance, from_state=grievance.state)
            transaction.on_commit(lambda: _tell_filer(grievance, messages.GRIEVANCE_REPLIED))
    return message


def grievance_decide_appeal(*, grievance: Grievance, actor: User, outcome: str, reason: str) -> Grievance:
    """under_appeal -> appeal_decided (the resolution is upheld) or investigating (sent back, the
    resolve clock restarted). Only the head of integrity; the reasons are kept and the filer reads them."""
    errors: dict[str, list[Any]] = {}
    if outcome not in Grievance.AppealOutcome.values:
        errors["outcome"] = [_("Choose the decision on the appeal.")]
    text = str(reason or "").strip()
    if not text:
        errors["reason"] = [_("Give the reasons for the decision (the filer reads them).")]
    with transaction.atomic():
        grievance = _lock(grievance)
        _require_staff(grievance, actor, "decide_appeal")
        if errors:
            raise ValidationFailed(field_errors=errors)
        now = timezone.now()
        if outcome == Grievance.AppealOutcome.REINVESTIGATE and grievance.assigned_to_id is None:
            raise InvalidTransition(_("Assign an integrity officer before sending it back to be investigated."))
        _transition(
            grievance,
            "decide_appeal",
            actor,
            event=E.GRIEVANCE_APPEAL_DECIDED,
            outcome=outcome,
            reason=text,
            by=actor,
            at=now,
            resolve_due_on=timezone.localdate(now) + dt.timedelta(days=resolve_days()),
        )
        GrievanceMessage.objects.create(
            grievance=grievance, kind=GrievanceMessage.Kind.REPLY, text=text, written_by=actor, written_at=now
        )
        label = Grievance.AppealOutcome(outcome).label
        transaction.on_commit(
            lambda: _tell_filer(grievance, messages.GRIEVANCE_APPEAL_DECIDED, outcome=lambda: str(label))
        )
    return grievance


def grievance_evidence_for_download(*, evidence: GrievanceEvidence, actor: User) -> GrievanceEvidence:
    """The evidence row, for an integrity officer who may read its grievance; refused otherwise."""
    if not selectors.may_view(actor, evidence.grievance):
        raise PermissionDenied(GRIEVANCES.rule("download_evidence").refusal)
    return evidence


# --- the filer ----------------------------------------------------------------------------------------


def _filer_guard(grievance: Grievance, actor: Any) -> None:
    """Signed in: only the person who filed it. Without a person (actor None): the caller has checked
    the follow-up key."""
    if actor is None:
        if grievance.filed_by_id is not None:
            raise PermissionDenied(GRIEVANCES.rule("reopen").refusal)
        return
    if not _active(actor) or grievance.filed_by_id != actor.pk:
        raise PermissionDenied(GRIEVANCES.rule("reopen").refusal)


def _ended_at(grievance: Grievance) -> dt.datetime | None:
    return grievance.resolved_at if grievance.state == S.RESOLVED else grievance.closed_at


def may_reopen(grievance: Grievance, now: dt.datetime | None = None) -> bool:
    ended = _ended_at(grievance)
    now = now or timezone.now()
    return (
        grievance.state in (S.RESOLVED, S.CLOSED)
        and grievance.reopen_count == 0
        and grievance.rating is None
        and ended is not None
        and now - ended <= dt.timedelta(days=reopen_days())
    )


def grievance_reopen(*, grievance: Grievance, actor: User | None, reason: str) -> Grievance:
    """resolved | closed -> investigating (back with its officer; acknowledged when nobody had it yet),
    once, within GRIEVANCE_REOPEN_DAYS of the resolution or closure, by the filer, with their reasons.
    The resolve clock restarts."""
    text = _text(reason, "reason", _("Say why you reopen the grievance."))
    with transaction.atomic():
        grievance = _lock(grievance)
        _filer_guard(grievance, actor)
        now = timezone.now()

        def within_window(locked: Grievance, _actor: Any) -> None:
            if locked.reopen_count:
                raise InvalidTransition(_("A grievance can be reopened only once, and this one already was."))
            if locked.rating is not None:
                raise InvalidTransition(_("You rated the handling; a low rating opens an appeal instead."))
            ended = _ended_at(locked)
            if ended is None or now - ended > dt.timedelta(days=reopen_days()):
                raise InvalidTransition(
                    _("A grievance can be reopened only within %(days)s days of being resolved or closed.")
                    % {"days": reopen_days()}
                )

        _transition(
            grievance,
            "reopen",
            actor,
            event=E.GRIEVANCE_REOPENED,
            rules=within_window,
            at=now,
            resolve_due_on=timezone.localdate(now) + dt.timedelta(days=resolve_days()),
        )
        GrievanceMessage.objects.create(
            grievance=grievance, kind=GrievanceMessage.Kind.FILER, text=text, written_at=now
        )
        people = [grievance.assigned_to] if grievance.assigned_to else list(_integrity_people())
        transaction.on_commit(
            lambda: _tell(people, grievance, messages.GRIEVANCE_REOPENED, resolve_due=_day(grievance.resolve_due_on))
        )
    return grievance


def grievance_rate(*, grievance: Grievance, actor: User | None, rating: int, comment: str = "") -> Grievance:
    """The filer rates the handling of a resolved grievance, 1 (very poor) to 5 (very good), once per
    resolution. A rating of 1 or 2 opens an appeal to the head of integrity (resolved -> under_appeal)."""
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise ValidationFailed(field_errors={"rating": [_("Rate the handling from 1 (very poor) to 5 (very good).")]})
    words = str(comment or "").strip()[:2000]
    with transaction.atomic():
        grievance = _lock(grievance)
        _filer_guard(grievance, actor)
        if grievance.state != S.RESOLVED:
            raise InvalidTransition(_("Only a resolved grievance can be rated."))
        if grievance.rating is not None:
            raise InvalidTransition(_("You have already rated the handling of this grievance."))
        now = timezone.now()
        grievance.rating, grievance.rated_at = rating, now
        grievance.save(update_fields=["rating", "rated_at"])
        workflow.record(actor=actor, event=E.GRIEVANCE_RATED, obj=grievance, from_state=grievance.state, at=now)
        if words:
            GrievanceMessage.objects.create(
                grievance=grievance, kind=GrievanceMessage.Kind.FILER, text=words, written_at=now
            )
        if rating <= 2 and not grievance.appeal_outcome:
            _transition(grievance, "appeal", actor, event=E.GRIEVANCE_APPEALED, at=now)
            transaction.on_commit(lambda: _tell(_heads(), grievance, messages.GRIEVANCE_APPEALED, rating=rating))
    return grievance


# --- the clock ------------------------------------------------------------------------------------------


def grievance_escalate_breaches(*, today: dt.date | None = None) -> int:
    """Escalate every breach of a clock once: a grievance not acknowledged within
    GRIEVANCE_ACK_WORKING_DAYS, and one not resolved within GRIEVANCE_RESOLVE_DAYS. The heads of integrity
    are told, and a signed-in filer is told of the delay. Each breach is marked (ack_escalated_at,
    escalated_at) under the row's lock, so a second run or a duplicate delivery escalates nothing twice.
    Returns the number of breaches escalated."""
    today = today or timezone.localdate()
    count = 0
    for kind, queryset in (
        ("ack", selectors.late_acknowledgements(today)),
        ("resolve", selectors.late_resolutions(today)),
    ):
        for pk in list(queryset.values_list("pk", flat=True)):
            with transaction.atomic():
                grievance = Grievance.objects.select_for_update().filter(pk=pk).first()
                if grievance is None or not _still_breached(grievance, kind, today):
                    continue
                now = timezone.now()
                if kind == "ack":
                    grievance.ack_escalated_at = now
                    grievance.save(update_fields=["ack_escalated_at"])
                else:
                    grievance.escalated_at = now
                    grievance.save(update_fields=["escalated_at"])
                workflow.record(
                    actor=None, event=E.GRIEVANCE_ESCALATED, obj=grievance, from_state=grievance.state, at=now
                )
                transaction.on_commit(_escalation_notices(grievance, kind))
                count += 1
    return count


def _still_breached(grievance: Grievance, kind: str, today: dt.date) -> bool:
    if kind == "ack":
        return grievance.state == S.FILED and grievance.ack_due_on < today and grievance.ack_escalated_at is None
    return (
        grievance.state in (S.FILED, S.ACKNOWLEDGED, S.INVESTIGATING)
        and grievance.resolve_due_on < today
        and grievance.escalated_at is None
    )


def _escalation_notices(grievance: Grievance, kind: str) -> Callable[[], None]:
    def send() -> None:
        if kind == "ack":
            due = grievance.ack_due_on
            _tell(_heads(), grievance, messages.GRIEVANCE_LATE_ACKNOWLEDGEMENT, due=_day(due), days=ack_working_days())
        else:
            due = grievance.resolve_due_on
            _tell(
                _heads(),
                grievance,
                messages.GRIEVANCE_LATE_RESOLUTION,
                due=_day(due),
                state=_state_label(grievance.state),
            )
        _tell_filer(grievance, messages.GRIEVANCE_DELAYED, due=_day(due))

    return send
