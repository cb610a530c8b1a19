"""Helpers shared by the grants services: locking, the transition path, notifications, input checks.

The sub-domain modules (applications, application_sections, reviews, decisions, payments, utility_claims)
import from here; this module imports none of them, so the services package has no import cycle. Services
import selectors (at the top); selectors never import services (an import-linter contract)."""

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.db.models import QuerySet, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from accounts import roles
from core import workflow
from core.messages import Notice
from integrity.selectors.grievances import retaliation_flag
from notifications.kinds import Kind
from notifications.services import Message, notify
from spaces.models import Operator

from ..errors import InvalidTransition, PermissionDenied, ValidationFailed
from ..events import ADVERSE_ACTS, APPLICATION_EVENT
from ..models import (
    APPLICATION_MAY,
    OPEN_STATES,
    Application,
    ApplicationDocument,
    ApplicationState,
    Recommendation,
    Review,
    ReviewState,
    is_active_person,
    is_applicant,
    remember_membership,
)
from ..money import parse_money
from ..selectors import application_visible_to

if TYPE_CHECKING:
    from accounts.models import User

    from ..models import Tranche

S = ApplicationState
EDITABLE_STATES = (S.DRAFT, S.INFO_REQUESTED)
MAX_TEXT = 5000
MAX_ROWS = 50
# A sanity ceiling, not a program rule: no coworking space's monthly electricity bill comes near it.
MAX_MONTHLY_BILL = Decimal("10000000")


# --- helpers ---------------------------------------------------------------------------------------


def _lock(application: Application) -> Application:
    """The application row, locked until the transaction ends, with its state as committed, its call and
    program read with it (every service's checks read them: issue #23) but not locked. Whether a
    person is on the applicant's staff is asked of the database once for it (remember_membership)."""
    try:
        locked = Application.objects.select_related("call__program").select_for_update(of=("self",))
        return remember_membership(locked.get(pk=application.pk))
    except Application.DoesNotExist:
        raise InvalidTransition(_("This application no longer exists.")) from None


def _members(operator: Operator) -> "QuerySet[User]":
    return operator.members.filter(is_active=True)


def _officers() -> "QuerySet[User]":
    from accounts.models import User

    return User.objects.filter(groups__name=roles.PROGRAM_OFFICER, is_active=True).distinct()


def application_url(application: Application, *, staff: bool) -> str:
    name = "grants:workbench_application" if staff else "grants:portal_application"
    try:
        return reverse(name, kwargs={"reference": application.reference})
    except NoReverseMatch:
        return ""


def _tell_operator(application: Application, subject: Message, body: Message, kind: str = Kind.GENERAL) -> None:
    """Notify the operator's people, each in their own language: `subject, body` from a grants.messages
    notice's `render(...)` (see core.messages); `kind` decides the channels (notifications.kinds)."""
    notify(
        recipients=_members(application.operator),
        subject=subject,
        body=body,
        url=application_url(application, staff=False),
        kind=kind,
    )


def _tell_officers(application: Application, notice: Notice, **params: Any) -> None:
    """Notify the program officers, each in their own language (notices in grants/messages.py)."""
    subject, body = notice.render(**params)
    notify(recipients=_officers(), subject=subject, body=body, url=application_url(application, staff=True))


def _require_applicant(application: Application, actor: "User") -> None:
    if not is_applicant(application, actor):
        raise PermissionDenied(
            _("Only staff of %(operator)s may change this application.") % {"operator": application.operator}
        )


def _require_editable(application: Application, actor: "User") -> None:
    _require_applicant(application, actor)
    if application.state not in EDITABLE_STATES:
        raise InvalidTransition(
            _("Application %(ref)s is %(state)s; it can only be changed as a draft or while answering a question.")
            % {"ref": application.reference, "state": application.get_state_display().lower()}
        )


def _may_see(application: Application, actor: "User") -> bool:
    return application_visible_to(actor, application)


_TAKES_REASON = {"screen_out", "reject", "withdraw"}


def _guard(application: Application, name: str, actor: "User") -> None:
    """Who may take transition `name` at all, before the state is looked at (so a person who may
    not touch the application learns nothing of its state): the transition's `permission=`, built
    from grants.permissions.APPLICATIONS and the object-level rule."""
    if not APPLICATION_MAY[name](application, actor if is_active_person(actor) else None):
        if not _may_see(application, actor):
            raise PermissionDenied(_("You may not act on this application."))
        raise PermissionDenied(
            _("Your role does not allow this step on application %(ref)s.") % {"ref": application.reference}
        )
    if not can_proceed(getattr(application, name), check_conditions=False):
        raise InvalidTransition(
            _("Application %(ref)s is %(state)s, so this cannot be done now.")
            % {"ref": application.reference, "state": application.get_state_display().lower()}
        )


# --- the retaliation guard (issue #15) ---------------------------------------------------------------


def is_adverse(obj: Any, name: str) -> bool:
    """Whether taking transition `name` of `obj` is an adverse act on the company's case
    (grants.events.ADVERSE_ACTS): screening out, a reject recommendation, a claim rejected, tranche
    evidence returned."""
    key = (obj._meta.model_name, name)
    if key not in ADVERSE_ACTS:
        return False
    return key != ("review", "submit") or obj.recommendation == Recommendation.REJECT


def _countersigned(review: Review, actor: "User", operator: Operator) -> bool:
    """Another reviewer, not themselves named by the company, already recommended rejection: the
    named reviewer's reject then has its second officer."""
    others = (
        Review.objects.filter(
            application_id=review.application_id, state=ReviewState.SUBMITTED, recommendation=Recommendation.REJECT
        )
        .exclude(reviewer=actor)
        .select_related("reviewer")
    )
    return any(not retaliation_flag(official_user=other.reviewer, operator=operator) for other in others)


def retaliation_guard(name: str, application: Application) -> Callable[[Any, Any], None]:
    """The `rules=` of every grants transition on a company's case (core.workflow.transition).

    Retaliation guard (issue #15): while a grievance of the company naming an official is open
    (integrity.selectors.grievances.retaliation_flag), an adverse act of that official on the
    company's cases is not taken by them alone. An officer's act (screen out, reject a claim, return
    tranche evidence) is refused and another program officer takes it; a reviewer's reject
    recommendation is refused until another reviewer has recommended rejection too. Nothing else is
    affected. The refusal says a second officer is needed and nothing of the grievance; being refused
    changes nothing and records nothing.
    """

    def rule(obj: Any, actor: Any) -> None:
        if not is_adverse(obj, name) or not is_active_person(actor):
            return
        operator = application.operator
        if not retaliation_flag(official_user=actor, operator=operator):
            return
        if isinstance(obj, Review):
            if _countersigned(obj, actor, operator):
                return
            raise PermissionDenied(
                _(
                    "A recommendation to reject this company's application needs a second reviewer at present "
                    "(integrity rule): it can be submitted once another reviewer has recommended rejection. "
                    "Ask the program officer to assign another reviewer."
                )
            )
        raise PermissionDenied(
            _(
                "This decision on this company's case needs a second officer at present (integrity rule); "
                "ask another program officer to take it."
            )
        )

    return rule


def _transition(
    application: Application,
    name: str,
    actor: "User",
    *,
    reason: str = "",
    data: dict | None = None,
    **kwargs: Any,
) -> tuple[str, str]:
    """One transition of a locked application on the workflow path (core.workflow). Returns
    (from_state, to_state)."""
    at = timezone.now()
    if name in _TAKES_REASON:
        kwargs["reason"] = reason
    source = workflow.transition(
        application,
        workflow.Step(
            name,
            APPLICATION_EVENT[name],
            kwargs={"at": at, **kwargs},
            reason=reason,
            data={"reference": application.reference, **(data or {})},
            at=at,
        ),
        actor=actor,
        table=None,  # the permission= predicate reads APPLICATIONS; _guard says why it refuses
        guard=lambda obj, who: _guard(obj, name, who),
        rules=retaliation_guard(name, application),
        raced=_("Someone else changed application %(ref)s at the same moment. Reload it and try again.")
        % {"ref": application.reference},
    )
    return source, application.state


def _text(value: object, label: str, errors: dict, field: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if required and not text:
        errors.setdefault(field, []).append(_("Enter %(label)s.") % {"label": label})
    elif len(text) > limit:
        errors.setdefault(field, []).append(
            _("%(label)s is too long (at most %(limit)s characters).") % {"label": label, "limit": limit}
        )
    return text


def _money(value: object, label: str, errors: dict, field: str, *, positive: bool = True) -> Decimal | None:
    amount, problem = parse_money(value, label)
    if problem:
        errors.setdefault(field, []).append(problem)
        return None
    amount = cast(Decimal, amount)  # no problem: parse_money gave the amount
    if positive and amount <= 0:
        errors.setdefault(field, []).append(_("%(label)s must be more than zero.") % {"label": label})
        return None
    return amount


def _whole(value: object, label: str, errors: dict, field: str, *, low: int, high: int) -> int | None:
    if isinstance(value, bool):
        value = None
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        errors.setdefault(field, []).append(_("%(label)s must be a whole number.") % {"label": label})
        return None
    if not low <= number <= high:
        errors.setdefault(field, []).append(
            _("%(label)s must be from %(low)s to %(high)s.") % {"label": label, "low": low, "high": high}
        )
        return None
    return number


def _row(item: object, name: str) -> Any:
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)


def _raise_if(errors: dict) -> None:
    if errors:
        raise ValidationFailed(field_errors=errors)


def _record_edit(application: Application, actor: "User", action: str, data: dict) -> None:
    application.updated_at = timezone.now()
    application.save(update_fields=["updated_at", "amount_requested"])
    workflow.record(
        actor=actor,
        event=action,
        obj=application,
        from_state=application.state,
        to_state=application.state,
        data={"reference": application.reference, **data},
    )


def _open_elsewhere(program_id: int, space_ids: Iterable[int], exclude_pk: int | None = None) -> list[str]:
    from ..eligibility import models_q_for_spaces

    qs = Application.objects.filter(call__program_id=program_id, state__in=OPEN_STATES).filter(
        models_q_for_spaces(list(space_ids))
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return sorted(set(qs.values_list("reference", flat=True)))


def refuse_repeated_upload(
    application: Application, columns: dict, field: str, *, tranche: "Tranche | None" = None
) -> None:
    """One file (by SHA-256) once per case: refuse a file already uploaded to this application as a
    document, as evidence of another tranche, or as the bill of a claim not rejected, naming where.

    A tranche's own earlier evidence does not count: a returned request is made again with what
    was already good."""
    from ..models import TrancheEvidence, UtilityClaim

    digest = columns["sha256"]
    places = {
        ApplicationDocument: ApplicationDocument.objects.filter(application=application, sha256=digest),
        TrancheEvidence: TrancheEvidence.objects.filter(tranche__award__application=application, sha256=digest).exclude(
            tranche=tranche
        ),
        UtilityClaim: UtilityClaim.objects.filter(connection__application=application, sha256=digest).exclude(
            state="rejected"
        ),
    }
    # One query asks all three places (issue #23: each of an application's uploads asked three times);
    # the earlier upload itself is read only when there is one, to name it.
    found = (
        Application.objects.filter(pk=application.pk)
        .values_list(*(Subquery(qs.order_by("pk").values("pk")[:1]) for qs in places.values()))
        .first()
    ) or (None, None, None)
    earlier = next((model.objects.get(pk=pk) for model, pk in zip(places, found, strict=True) if pk), None)
    if earlier is not None:
        raise ValidationFailed(
            field_errors={
                field: [
                    _("“%(name)s” is already uploaded to this application as “%(earlier)s”; upload each file once.")
                    % {"name": columns["original_filename"], "earlier": str(earlier)}
                ]
            }
        )
