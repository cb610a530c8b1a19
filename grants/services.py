"""Applications: every write goes through a function here.

The service API (issue 3)
=========================

All functions are keyword-only, take the acting person as `actor=`, run in one transaction, lock the
application row (`select_for_update`) before looking at its state, write an audit event
(`audit.services.audit_record`) in the same transaction, and queue notifications with
`transaction.on_commit`. They return the *fresh, locked* instance: use the return value, not the
object you passed in. On refusal they raise a `grants.errors.GrantsError` and change nothing:

- `PermissionDenied` — not this person (another company's application, wrong role, or a member of
  the applying company acting as staff: an applicant never screens or decides their own case);
- `InvalidTransition` — not in this state (including losing a race to a simultaneous transition);
- `ValidationFailed` — the input breaks a rule or something is missing; `.messages` lists every
  problem, `.field_errors` maps form fields to their messages.

Operator (a member of `application.operator`):
    application_create(*, actor, call, operator, space=None) -> Application
        grant / soft loan: `space` required (one of the operator's); utility subsidy: `space=None`,
        the spaces come with application_save_utility_connections.
    application_save_grant_details(*, application, actor, purpose, amount_requested, own_contribution)
    application_save_budget_lines(*, application, actor, lines)           # [{"description", "amount"}]
    application_save_milestones(*, application, actor, milestones)       # [{"title", "amount", "due_date"}]
    application_save_loan_details(*, application, actor, amount, tenure_months, grace_months, purpose,
                                  equity_contribution, grace_kind="interest_only")
                                  # tier and markup looked up; grace_kind "interest_only" | "none"
    application_save_utility_connections(*, application, actor, connections)
                                  # [{"space", "disco", "bill_reference", "average_monthly_bill"}]
    application_upload_document(*, application, actor, document_type, file) -> ApplicationDocument
    application_remove_document(*, document, actor)
    application_submit(*, application, actor)                      draft -> submitted
    application_answer_information(*, application, actor, answer) info_requested -> screening
    application_withdraw(*, application, actor, reason="")         any open state -> withdrawn
    Sections and documents may be changed in `draft` and in `info_requested` (answering a question
    may mean correcting the budget or a document), never otherwise.

Program officer:
    application_start_screening(*, application, actor)                submitted -> screening
    application_request_information(*, application, actor, question)  screening -> info_requested
    application_screen_out(*, application, actor, reason)             screening -> screened_out
    application_send_to_review(*, application, actor)                 screening -> in_review
        (every eligibility check passes and no question is open)

Review and decision (issue 4) live in grants/services_review.py and are re-exported here:
    review_assign, review_declare, review_submit (-> recommended when the last review is in),
    board_meeting_record, board_decision_record (-> approved | rejected | deferred),
    application_approve_delegated (utility enrolments within the officer's delegated limit),
    budget_commitment_reverse, award_accept. See that module's docstring.

Reads (queues, dashboards, the detail page, object-level visibility) are in grants/selectors.py; the
task list in grants/sections.py; the officer's eligibility list in grants/eligibility.py.

Notification links: `application_url()` reverses `grants:portal_application` (operators) and
`grants:workbench_application` (staff) with `reference=`; until those views exist links are empty.
"""

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from accounts import roles
from core import workflow
from core.messages import Notice
from core.uploads import read_upload, sanitise_filename  # noqa: F401 (sanitise_filename re-exported)
from notifications.services import Message, notify
from spaces.models import Operator, Space

from . import messages
from .documents import DocumentType
from .eligibility import eligibility_checks
from .errors import InvalidTransition, PermissionDenied, ValidationFailed
from .events import APPLICATION_EVENT, GrantsEvent
from .models import (
    APPLICATION_MAY,
    OPEN_STATES,
    Application,
    ApplicationDocument,
    ApplicationSequence,
    ApplicationState,
    BudgetLine,
    Call,
    Disco,
    GraceKind,
    GrantDetails,
    InformationRequest,
    LoanDetails,
    LoanTier,
    Milestone,
    Program,
    UtilityConnection,
    bill_reference_length,
    is_active_person,
    is_applicant,
)
from .money import parse_money, percent, pkr
from .sections import missing_for_submit, own_contribution_needed

S = ApplicationState
EDITABLE_STATES = (S.DRAFT, S.INFO_REQUESTED)
MAX_TEXT = 5000
MAX_ROWS = 50
# A sanity ceiling, not a program rule: no coworking space's monthly electricity bill comes near it.
MAX_MONTHLY_BILL = Decimal("10000000")


# --- helpers ---------------------------------------------------------------------------------------


def _lock(application: Application) -> Application:
    """The application row, locked until the transaction ends, with its state as committed."""
    try:
        return Application.objects.select_for_update().get(pk=application.pk)
    except Application.DoesNotExist:
        raise InvalidTransition(_("This application no longer exists.")) from None


def _members(operator: Operator):
    return operator.members.filter(is_active=True)


def _officers():
    from accounts.models import User

    return User.objects.filter(groups__name=roles.PROGRAM_OFFICER, is_active=True).distinct()


def application_url(application: Application, *, staff: bool) -> str:
    name = "grants:workbench_application" if staff else "grants:portal_application"
    try:
        return reverse(name, kwargs={"reference": application.reference})
    except NoReverseMatch:
        return ""


def _tell_operator(application: Application, subject: Message, body: Message) -> None:
    """Notify the operator's people, each in their own language (pass lambdas: see notify)."""
    notify(
        recipients=_members(application.operator),
        subject=subject,
        body=body,
        url=application_url(application, staff=False),
    )


def _tell_officers(application: Application, notice: Notice, **params) -> None:
    """Notify the program officers, each in their own language (notices in grants/messages.py)."""
    subject, body = notice.render(**params)
    notify(recipients=_officers(), subject=subject, body=body, url=application_url(application, staff=True))


def _require_applicant(application: Application, actor) -> None:
    if not is_applicant(application, actor):
        raise PermissionDenied(
            _("Only staff of %(operator)s may change this application.") % {"operator": application.operator}
        )


def _require_editable(application: Application, actor) -> None:
    _require_applicant(application, actor)
    if application.state not in EDITABLE_STATES:
        raise InvalidTransition(
            _("Application %(ref)s is %(state)s; it can only be changed as a draft or while answering a question.")
            % {"ref": application.reference, "state": application.get_state_display().lower()}
        )


def _may_see(application: Application, actor) -> bool:
    from .selectors import application_visible_to

    return application_visible_to(actor, application)


_TAKES_REASON = {"screen_out", "reject", "withdraw"}


def _guard(application: Application, name: str, actor) -> None:
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


def _transition(application: Application, name: str, actor, *, reason: str = "", data: dict | None = None, **kwargs):
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
        raced=_("Someone else changed application %(ref)s at the same moment. Reload it and try again.")
        % {"ref": application.reference},
    )
    return source, application.state


def _text(value, label: str, errors: dict, field: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if required and not text:
        errors.setdefault(field, []).append(_("Enter %(label)s.") % {"label": label})
    elif len(text) > limit:
        errors.setdefault(field, []).append(
            _("%(label)s is too long (at most %(limit)s characters).") % {"label": label, "limit": limit}
        )
    return text


def _money(value, label: str, errors: dict, field: str, *, positive: bool = True) -> Decimal | None:
    amount, problem = parse_money(value, label)
    if problem:
        errors.setdefault(field, []).append(problem)
        return None
    if positive and amount <= 0:
        errors.setdefault(field, []).append(_("%(label)s must be more than zero.") % {"label": label})
        return None
    return amount


def _whole(value, label: str, errors: dict, field: str, *, low: int, high: int) -> int | None:
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


def _row(item, name: str):
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)


def _raise_if(errors: dict) -> None:
    if errors:
        raise ValidationFailed(field_errors=errors)


def _record_edit(application: Application, actor, action: str, data: dict) -> None:
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


def _next_reference(program: Program, year: int) -> str:
    """GR-2026-00042: take the next number of the program's counter for the year, under a row lock.

    The counter row is created if missing (ON CONFLICT DO NOTHING on PostgreSQL, so two first
    applications of a year do not collide), then locked; concurrent creators queue on the lock.
    """
    ApplicationSequence.objects.bulk_create([ApplicationSequence(program=program, year=year)], ignore_conflicts=True)
    sequence = ApplicationSequence.objects.select_for_update().get(program=program, year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{program.code}-{year}-{sequence.last_number:05d}"


def _open_elsewhere(program_id: int, space_ids: Iterable[int], exclude_pk: int | None = None) -> list[str]:
    from .eligibility import models_q_for_spaces

    qs = Application.objects.filter(call__program_id=program_id, state__in=OPEN_STATES).filter(
        models_q_for_spaces(list(space_ids))
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return sorted(set(qs.values_list("reference", flat=True)))


# --- starting an application -----------------------------------------------------------------------


def application_create(*, actor, call: Call, operator: Operator, space: Space | None = None) -> Application:
    """Start a draft application to `call` for `operator`.

    Pre: `actor` is an active member of `operator`; the call is open and its program active; for a
    grant or soft loan `space` is one of the operator's spaces with no other open application to the
    same program; for a utility subsidy `space` is None (spaces are named per connection).
    Post: a draft with a fresh reference (program code, year, sequence), an audit event
    `application.create`.
    """
    if not (is_active_person(actor) and operator.members.filter(pk=actor.pk).exists()):
        raise PermissionDenied(_("You can only apply for a company whose staff you are."))
    program = call.program
    if not program.is_active or not call.is_open():
        now = timezone.now()
        moment, when = (call.opens_at, _("it opens")) if now < call.opens_at else (call.closes_at, _("it closed"))
        raise ValidationFailed(
            _("The call “%(call)s” is not open for applications (%(when)s %(at)s).")
            % {"call": call.title, "when": when, "at": timezone.localtime(moment).strftime("%d %b %Y %H:%M")}
        )
    instrument = program.instrument
    with transaction.atomic():
        if instrument == Program.Instrument.UTILITY_SUBSIDY:
            if space is not None:
                raise ValidationFailed(
                    field_errors={
                        "space": [_("A utility enrolment names its spaces with their electricity connections.")]
                    }
                )
        else:
            if space is None:
                raise ValidationFailed(field_errors={"space": [_("Choose the space this application is for.")]})
            # Lock the space so two drafts for it cannot start at the same moment.
            space = Space.objects.select_for_update().get(pk=space.pk)
            if space.operator_id != operator.pk:
                raise ValidationFailed(
                    field_errors={
                        "space": [_("That space is not one of %(operator)s's spaces.") % {"operator": operator}]
                    }
                )
            others = _open_elsewhere(program.pk, [space.pk])
            if others:
                raise ValidationFailed(
                    field_errors={
                        "space": [
                            _("%(space)s already has an open application to this program: %(refs)s.")
                            % {"space": space.name, "refs": ", ".join(others)}
                        ]
                    }
                )
        now = timezone.now()
        application = Application.objects.create(
            reference=_next_reference(program, timezone.localdate(now).year),
            call=call,
            instrument=instrument,
            operator=operator,
            space=space,
            created_by=actor,
            created_at=now,
            updated_at=now,
            state_entered_at=now,
        )
        workflow.record(
            actor=actor,
            event=GrantsEvent.APPLICATION_CREATE,
            obj=application,
            to_state=application.state,
            data={"reference": application.reference, "call": call.reference, "space": space.code if space else ""},
            at=now,
        )
    return application


# --- sections --------------------------------------------------------------------------------------


def _require_instrument(application: Application, instrument: str) -> None:
    if application.instrument != instrument:
        raise ValidationFailed(
            _("This section does not belong to a %(instrument)s application.")
            % {"instrument": application.get_instrument_display().lower()}
        )


def _within_program(program: Program, amount: Decimal, label: str, errors: dict, field: str) -> None:
    if amount is None:
        return
    if amount > program.max_amount:
        errors.setdefault(field, []).append(
            _("%(label)s is more than the program's largest, %(max)s.")
            % {"label": label, "max": pkr(program.max_amount)}
        )
    elif amount < program.min_amount:
        errors.setdefault(field, []).append(
            _("%(label)s is less than the program's smallest, %(min)s.")
            % {"label": label, "min": pkr(program.min_amount)}
        )


def application_save_grant_details(
    *, application: Application, actor, purpose: str, amount_requested, own_contribution
) -> GrantDetails:
    """Save a grant's purpose, the grant asked for and the operator's own contribution.

    Pre: grant application, editable (draft or info_requested), actor a member of the operator.
    Rules: amounts are non-negative PKR with at most two decimals; the grant is within the program's
    min and max; the own contribution is at least the program's percentage of the project (grant +
    contribution). Post: GrantDetails saved, Application.amount_requested set, audit event.
    """
    with transaction.atomic():
        application = _lock(application)
        _require_editable(application, actor)
        _require_instrument(application, Program.Instrument.GRANT)
        program = application.call.program
        errors: dict = {}
        purpose = _text(purpose, _("what the grant pays for"), errors, "purpose")
        amount = _money(amount_requested, _("The grant amount"), errors, "amount_requested")
        contribution = _money(own_contribution, _("Your own contribution"), errors, "own_contribution", positive=False)
        _within_program(program, amount, _("The grant amount"), errors, "amount_requested")
        if amount is not None and contribution is not None and "amount_requested" not in errors:
            needed = own_contribution_needed(program.own_contribution_percent, amount)
            if contribution < needed:
                errors.setdefault("own_contribution", []).append(
                    _("Your own contribution must be at least %(needed)s (%(pct)s%% of the project).")
                    % {"needed": pkr(needed), "pct": percent(program.own_contribution_percent)}
                )
        _raise_if(errors)
        details, _created = GrantDetails.objects.update_or_create(
            application=application, defaults={"purpose": purpose, "own_contribution": contribution}
        )
        application.amount_requested = amount
        _record_edit(
            application,
            actor,
            GrantsEvent.APPLICATION_SAVE_GRANT_DETAILS,
            {"amount_requested": str(amount), "own_contribution": str(contribution)},
        )
    return details


@dataclasses.dataclass
class BudgetLineInput:
    description: str
    amount: Decimal


def application_save_budget_lines(*, application: Application, actor, lines: Iterable) -> list[BudgetLine]:
    """Replace a grant's budget lines (`lines`: mappings or objects with description and amount).

    Rules: 1 to 50 lines; each with a description and an amount above zero; their total within the
    largest amount a column holds. Whether the total equals grant + contribution is reported by the
    task list (sections.py), so a half-finished budget can still be saved.
    """
    with transaction.atomic():
        application = _lock(application)
        _require_editable(application, actor)
        _require_instrument(application, Program.Instrument.GRANT)
        lines = list(lines)
        errors: dict = {}
        if not lines:
            errors["lines"] = [_("Add at least one budget line.")]
        if len(lines) > MAX_ROWS:
            errors["lines"] = [_("A budget has at most %(n)s lines.") % {"n": MAX_ROWS}]
        rows = []
        for number, item in enumerate(lines, start=1):
            line_errors: dict = {}
            description = _text(
                _row(item, "description"), _("the item on line %(n)s") % {"n": number}, line_errors, "d", limit=200
            )
            amount = _money(_row(item, "amount"), _("The cost on line %(n)s") % {"n": number}, line_errors, "a")
            for messages in line_errors.values():
                errors.setdefault(f"lines-{number}", []).extend(messages)
            rows.append(BudgetLine(application=application, position=number, description=description, amount=amount))
        _raise_if(errors)
        total = sum((row.amount for row in rows), Decimal("0"))
        _budget_total_error = parse_money(total, _("The budget total"))[1]
        if _budget_total_error:
            raise ValidationFailed(_budget_total_error)
        application.budget_lines.all().delete()
        created = BudgetLine.objects.bulk_create(rows)
        _record_edit(
            application, actor, GrantsEvent.APPLICATION_SAVE_BUDGET_LINES, {"lines": len(rows), "total": str(total)}
        )
    return created


@dataclasses.dataclass
class MilestoneInput:
    title: str
    amount: Decimal
    due_date: dt.date


def application_save_milestones(*, application: Application, actor, milestones: Iterable) -> list[Milestone]:
    """Replace a grant's milestones (mappings or objects with title, amount, due_date).

    Rules: 1 to 50; each titled, with a tranche above zero and a due date after today, in date
    order; the tranches together no more than the program's largest grant. That they add up to the
    grant asked for is reported by the task list.
    """
    with transaction.atomic():
        application = _lock(application)
        _require_editable(application, actor)
        _require_instrument(application, Program.Instrument.GRANT)
        program = application.call.program
        items = list(milestones)
        errors: dict = {}
        if not items:
            errors["milestones"] = [_("Add at least one milestone.")]
        if len(items) > MAX_ROWS:
            errors["milestones"] = [_("A grant has at most %(n)s milestones.") % {"n": MAX_ROWS}]
        today = timezone.localdate()
        rows = []
        previous_due = None
        for number, item in enumerate(items, start=1):
            row_errors: dict = {}
            title = _text(
                _row(item, "title"), _("the title of milestone %(n)s") % {"n": number}, row_errors, "t", limit=200
            )
            amount = _money(_row(item, "amount"), _("The tranche of milestone %(n)s") % {"n": number}, row_errors, "a")
            due = _row(item, "due_date")
            if not isinstance(due, dt.date) or isinstance(due, dt.datetime):
                row_errors.setdefault("d", []).append(_("Give milestone %(n)s a due date.") % {"n": number})
                due = None
            elif due <= today:
                row_errors.setdefault("d", []).append(_("Milestone %(n)s must be due after today.") % {"n": number})
            elif previous_due and due < previous_due:
                row_errors.setdefault("d", []).append(
                    _("Milestone %(n)s is due before the one above it; list them in date order.") % {"n": number}
                )
            previous_due = due or previous_due
            for messages in row_errors.values():
                errors.setdefault(f"milestones-{number}", []).extend(messages)
            rows.append(Milestone(application=application, position=number, title=title, amount=amount, due_date=due))
        _raise_if(errors)
        total = sum((row.amount for row in rows), Decimal("0"))
        if total > program.max_amount:
            raise ValidationFailed(
                _("The tranches add up to %(total)s, more than the program's largest grant, %(max)s.")
                % {"total": pkr(total), "max": pkr(program.max_amount)}
            )
        application.milestones.all().delete()
        created = Milestone.objects.bulk_create(rows)
        _record_edit(
            application, actor, GrantsEvent.APPLICATION_SAVE_MILESTONES, {"milestones": len(rows), "total": str(total)}
        )
    return created


def loan_tier_for(program: Program, amount: Decimal) -> LoanTier:
    """The program's loan tier whose band holds `amount`; ValidationFailed naming the tiers if none."""
    tiers = list(program.loan_tiers.order_by("number"))
    for tier in tiers:
        if tier.min_amount <= amount <= tier.max_amount:
            return tier
    bands = "; ".join(
        _("tier %(n)s: %(low)s to %(high)s") % {"n": t.number, "low": pkr(t.min_amount), "high": pkr(t.max_amount)}
        for t in tiers
    )
    raise ValidationFailed(
        field_errors={
            "amount": [
                _("%(amount)s is outside every loan tier of this program (%(bands)s).")
                % {"amount": pkr(amount), "bands": bands or _("none defined")}
            ]
        }
    )


def application_save_loan_details(
    *,
    application: Application,
    actor,
    amount,
    tenure_months,
    grace_months,
    purpose: str,
    equity_contribution,
    grace_kind: str | None = GraceKind.INTEREST_ONLY,
) -> LoanDetails:
    """Save a soft loan's terms; look up its tier and markup from the program's LoanTier rows.

    Rules: the amount is within the program's limits and inside a tier (else refused with the
    tiers listed); tenure from 1 to the tier's longest; grace from 0 to the tier's longest and
    shorter than the tenure; own equity at least the tier's percentage of the project (loan +
    equity). grace_kind is what the borrower pays in grace: "interest_only" (the markup each month)
    or "none" (nothing; the markup is capitalised). Any other value is refused; with grace months it
    must be given; without them it is stored as "interest_only" whatever was sent (there is nothing
    to choose). No program limits the kind today, so both are allowed everywhere (a LoanTier rule
    would be checked here). Post: LoanDetails with tier and markup copied, amount_requested = loan
    amount, audit.
    """
    with transaction.atomic():
        application = _lock(application)
        _require_editable(application, actor)
        _require_instrument(application, Program.Instrument.SOFT_LOAN)
        program = application.call.program
        errors: dict = {}
        purpose = _text(purpose, _("what the loan pays for"), errors, "purpose")
        loan = _money(amount, _("The loan amount"), errors, "amount")
        equity = _money(equity_contribution, _("Your own equity"), errors, "equity_contribution", positive=False)
        _within_program(program, loan, _("The loan amount"), errors, "amount")
        tenure = _whole(tenure_months, _("The tenure in months"), errors, "tenure_months", low=1, high=360)
        grace = _whole(grace_months, _("The grace period in months"), errors, "grace_months", low=0, high=120)
        tier = None
        if loan is not None and "amount" not in errors:
            try:
                tier = loan_tier_for(program, loan)
            except ValidationFailed as refusal:
                errors.setdefault("amount", []).extend(refusal.field_errors["amount"])
        if tier is not None:
            if tenure is not None and tenure > tier.max_tenor_months:
                errors.setdefault("tenure_months", []).append(
                    _("Tier %(n)s loans run at most %(max)s months.") % {"n": tier.number, "max": tier.max_tenor_months}
                )
            if grace is not None and grace > tier.max_grace_months:
                errors.setdefault("grace_months", []).append(
                    _("Tier %(n)s allows at most %(max)s months' grace.")
                    % {"n": tier.number, "max": tier.max_grace_months}
                )
            if equity is not None:
                needed = own_contribution_needed(tier.min_equity_percent, loan)
                if equity < needed:
                    errors.setdefault("equity_contribution", []).append(
                        _("Tier %(n)s needs own equity of at least %(needed)s (%(pct)s%% of the project).")
                        % {"n": tier.number, "needed": pkr(needed), "pct": percent(tier.min_equity_percent)}
                    )
        if tenure is not None and grace is not None and grace >= tenure:
            errors.setdefault("grace_months", []).append(_("The grace period must be shorter than the tenure."))
        kind = _grace_kind(grace_kind, grace, errors)
        _raise_if(errors)
        details, _created = LoanDetails.objects.update_or_create(
            application=application,
            defaults={
                "amount": loan,
                "tenure_months": tenure,
                "grace_months": grace,
                "grace_kind": kind,
                "purpose": purpose,
                "equity_contribution": equity,
                "tier": tier,
                "annual_markup_percent": tier.annual_markup_percent,
            },
        )
        application.amount_requested = loan
        _record_edit(
            application,
            actor,
            GrantsEvent.APPLICATION_SAVE_LOAN_DETAILS,
            {
                "amount": str(loan),
                "tier": tier.number,
                "markup": str(tier.annual_markup_percent),
                "tenure": tenure,
                "grace": grace,
                "grace_kind": kind,
            },
        )
    return details


def _grace_kind(value, grace_months: int | None, errors: dict) -> str | None:
    """The grace kind to store: refused when unknown, or missing while grace months are asked for;
    interest_only when there is no grace (the one stored form of "no grace", a database constraint)."""
    text = str(value or "").strip()
    if text and text not in GraceKind.values:
        errors.setdefault("grace_kind", []).append(
            _("Choose what you pay during the grace months: the markup only, or nothing (the markup is added).")
        )
        return None
    if not grace_months:
        return GraceKind.INTEREST_ONLY
    if not text:
        errors.setdefault("grace_kind", []).append(
            _("You asked for a grace period: choose what you pay during the grace months.")
        )
        return None
    return text


@dataclasses.dataclass
class UtilityConnectionInput:
    space: Space
    disco: str
    bill_reference: str
    average_monthly_bill: Decimal


def utility_estimate(program: Program, bills: Iterable[Decimal]) -> Decimal:
    """A year's subsidy: 12 × Σ min(share × average bill, monthly cap), to the paisa."""
    share = program.subsidy_share or Decimal("0")
    cap = program.monthly_cap if program.monthly_cap is not None else Decimal("Infinity")
    monthly = sum((min((bill * share).quantize(Decimal("0.01")), cap) for bill in bills), Decimal("0"))
    return (monthly * 12).quantize(Decimal("0.01"))


def application_save_utility_connections(
    *, application: Application, actor, connections: Iterable
) -> list[UtilityConnection]:
    """Replace a utility enrolment's spaces and connections (mappings or objects with space, disco,
    bill_reference, average_monthly_bill; `space` may be a Space or its id).

    Rules: 1 to 50 connections; each space one of the operator's, named once, with no other open
    enrolment in this program; the DISCO one of Pakistan's; the bill reference digits only, 14 long
    (KE: 13); the average bill above zero and plausible. Post: connections replaced,
    amount_requested = a year's estimated subsidy (utility_estimate), audit event.
    """
    with transaction.atomic():
        application = _lock(application)
        _require_editable(application, actor)
        _require_instrument(application, Program.Instrument.UTILITY_SUBSIDY)
        program = application.call.program
        items = list(connections)
        errors: dict = {}
        if not items:
            errors["connections"] = [_("Add at least one space with its electricity connection.")]
        if len(items) > MAX_ROWS:
            errors["connections"] = [_("An enrolment covers at most %(n)s spaces.") % {"n": MAX_ROWS}]
        own_spaces = {space.pk: space for space in Space.objects.filter(operator=application.operator)}
        rows, seen_spaces, seen_refs = [], set(), set()
        for number, item in enumerate(items, start=1):
            key = f"connections-{number}"
            raw_space = _row(item, "space")
            space_id = getattr(raw_space, "pk", raw_space)
            space = own_spaces.get(space_id) if isinstance(space_id, int) else None
            if space is None:
                errors.setdefault(key, []).append(
                    _("Connection %(n)s: that space is not one of %(operator)s's spaces.")
                    % {"n": number, "operator": application.operator}
                )
            elif space.pk in seen_spaces:
                errors.setdefault(key, []).append(
                    _("Connection %(n)s: %(space)s is named twice.") % {"n": number, "space": space.name}
                )
            disco = _row(item, "disco")
            if disco not in Disco.values:
                errors.setdefault(key, []).append(
                    _("Connection %(n)s: choose the electricity company.") % {"n": number}
                )
            reference = str(_row(item, "bill_reference") or "").strip().replace(" ", "")
            length = bill_reference_length(disco)
            if not (reference.isascii() and reference.isdigit()) or len(reference) != length:
                errors.setdefault(key, []).append(
                    _("Connection %(n)s: the %(disco)s bill reference number is %(length)s digits, with nothing else.")
                    % {"n": number, "disco": disco if disco in Disco.values else _("bill"), "length": length}
                )
            elif reference in seen_refs:
                errors.setdefault(key, []).append(
                    _("Connection %(n)s: the same bill reference is given twice.") % {"n": number}
                )
            bill = _money(
                _row(item, "average_monthly_bill"),
                _("Connection %(n)s: the average monthly bill") % {"n": number},
                errors,
                key,
            )
            if bill is not None and bill > MAX_MONTHLY_BILL:
                errors.setdefault(key, []).append(
                    _("Connection %(n)s: an average bill of %(bill)s is not plausible for a coworking space.")
                    % {"n": number, "bill": pkr(bill)}
                )
            if space is not None:
                seen_spaces.add(space.pk)
            seen_refs.add(reference)
            rows.append(
                UtilityConnection(
                    application=application,
                    space=space,
                    disco=disco,
                    bill_reference=reference,
                    average_monthly_bill=bill,
                )
            )
        if not errors:
            others = _open_elsewhere(program.pk, seen_spaces, exclude_pk=application.pk)
            if others:
                errors["connections"] = [
                    _("Some of these spaces already have an open application to this program: %(refs)s.")
                    % {"refs": ", ".join(others)}
                ]
        _raise_if(errors)
        estimate = utility_estimate(program, [row.average_monthly_bill for row in rows])
        application.connections.all().delete()
        created = UtilityConnection.objects.bulk_create(rows)
        application.amount_requested = estimate
        _record_edit(
            application,
            actor,
            GrantsEvent.APPLICATION_SAVE_UTILITY_CONNECTIONS,
            {"spaces": sorted(own_spaces[pk].code for pk in seen_spaces), "annual_estimate": str(estimate)},
        )
    return created


# --- documents -------------------------------------------------------------------------------------


def refuse_repeated_upload(application: Application, columns: dict, field: str, *, tranche=None) -> None:
    """One file (by SHA-256) once per case: refuse a file already uploaded to this application as a
    document, as evidence of another tranche, or as the bill of a claim not rejected, naming where.

    A tranche's own earlier evidence does not count: a returned request is made again with what
    was already good."""
    from .models import TrancheEvidence, UtilityClaim

    digest = columns["sha256"]
    earlier = (
        ApplicationDocument.objects.filter(application=application, sha256=digest).first()
        or TrancheEvidence.objects.filter(tranche__award__application=application, sha256=digest)
        .exclude(tranche=tranche)
        .first()
        or UtilityClaim.objects.filter(connection__application=application, sha256=digest)
        .exclude(state="rejected")
        .first()
    )
    if earlier is not None:
        raise ValidationFailed(
            field_errors={
                field: [
                    _("“%(name)s” is already uploaded to this application as “%(earlier)s”; upload each file once.")
                    % {"name": columns["original_filename"], "earlier": str(earlier)}
                ]
            }
        )


def application_upload_document(*, application: Application, actor, document_type: str, file) -> ApplicationDocument:
    """Store one document for the application, privately.

    `file` is a Django File/UploadedFile (anything with `.name`, `.size`, `.chunks()`, `.seek()`).
    Refused, each with its own message: a name with folder parts ('../', '/', '\\'); an empty file;
    a file over settings.DOCUMENT_MAX_BYTES; content that is not PDF, JPEG or PNG judged by its
    bytes (a renamed .exe, an HTML page, an SVG), whatever the name says. Pre: editable
    application, actor a member of the operator. Post: the file is under PRIVATE_MEDIA_ROOT with a
    generated name; the row holds the sanitised original name, size, SHA-256 and detected type;
    an audit event `application.upload_document`.
    """
    with transaction.atomic():
        application = _lock(application)
        _require_editable(application, actor)
        if document_type not in DocumentType.values:
            raise ValidationFailed(field_errors={"document_type": [_("Choose which document this is.")]})
        columns = read_upload(file, "file")
        refuse_repeated_upload(application, columns, "file")
        document = ApplicationDocument(
            application=application,
            document_type=document_type,
            **columns,
            uploaded_by=actor,
            uploaded_at=timezone.now(),
        )
        document.file.save(document.original_filename, file, save=False)
        stored = document.file.name
        try:
            document.save()
            workflow.record(
                actor=actor,
                event=GrantsEvent.APPLICATION_UPLOAD_DOCUMENT,
                obj=application,
                from_state=application.state,
                to_state=application.state,
                data={
                    "reference": application.reference,
                    "document_type": document_type,
                    "file": document.original_filename,
                    "sha256": document.sha256,
                    "size": document.size,
                },
            )
        except Exception:
            document.file.storage.delete(stored)
            raise
    return document


def application_remove_document(*, document: ApplicationDocument, actor) -> None:
    """Remove an uploaded document while the application is editable; the file is deleted after
    commit. The audit event keeps its name and SHA-256."""
    with transaction.atomic():
        application = _lock(document.application)
        _require_editable(application, actor)
        document = ApplicationDocument.objects.select_for_update().get(pk=document.pk, application=application)
        storage, stored = document.file.storage, document.file.name
        workflow.record(
            actor=actor,
            event=GrantsEvent.APPLICATION_REMOVE_DOCUMENT,
            obj=application,
            from_state=application.state,
            to_state=application.state,
            data={
                "reference": application.reference,
                "document_type": document.document_type,
                "file": document.original_filename,
                "sha256": document.sha256,
            },
        )
        document.delete()
        transaction.on_commit(lambda: storage.delete(stored))


# --- the operator's transitions --------------------------------------------------------------------


def application_submit(*, application: Application, actor) -> Application:
    """Submit a draft. Refused with every missing item listed (sections and documents) and when the
    call has closed. Post: submitted, the clock starts; the operator gets a confirmation and the
    program officers a notice."""
    with transaction.atomic():
        application = _lock(application)
        _guard(application, "submit", actor)
        problems = []
        if not application.call.is_open():
            problems.append(
                _("The call “%(call)s” closed on %(closed)s; the application can no longer be submitted.")
                % {
                    "call": application.call.title,
                    "closed": timezone.localtime(application.call.closes_at).strftime("%d %b %Y %H:%M"),
                }
            )
        problems += missing_for_submit(application)
        if problems:
            raise ValidationFailed(*problems)
        _transition(application, "submit", actor)
        ref = application.reference
        _tell_operator(
            application,
            lambda: _("Application %(ref)s submitted") % {"ref": ref},
            lambda: (
                _("We received application %(ref)s to %(call)s. You can follow its progress and clock in the portal.")
                % {"ref": ref, "call": application.call.title}
            ),
        )
        _tell_officers(
            application,
            messages.TO_OFFICERS_SUBMITTED,
            operator=str(application.operator),
            ref=ref,
            amount=pkr(application.amount_requested),
        )
    return application


def application_answer_information(*, application: Application, actor, answer: str) -> Application:
    """Answer the open information request; screening resumes and its clock restarts.
    Post: the request holds the answer; the officer who asked is told."""
    with transaction.atomic():
        application = _lock(application)
        errors: dict = {}
        answer = _text(answer, _("your answer"), errors, "answer")
        _guard(application, "answer_information", actor)
        _raise_if(errors)
        _transition(application, "answer_information", actor)
        request = application.information_requests.select_for_update().get(answered_at__isnull=True)
        request.answer = answer
        request.answered_by = actor
        request.answered_at = application.state_entered_at
        request.save(update_fields=["answer", "answered_by", "answered_at"])
        notify(
            recipients=[request.asked_by],
            subject=_("Application %(ref)s: information received") % {"ref": application.reference},
            body=_("%(operator)s answered your question on %(ref)s.")
            % {"operator": application.operator, "ref": application.reference},
            url=application_url(application, staff=True),
        )
    return application


def application_withdraw(*, application: Application, actor, reason: str = "") -> Application:
    """The operator withdraws the application, in any state before a decision. Post: withdrawn
    (closed, the clock stops); officers are told if it had been submitted."""
    with transaction.atomic():
        application = _lock(application)
        errors: dict = {}
        reason = _text(reason, _("the reason"), errors, "reason", required=False)
        _raise_if(errors)
        source, _target = _transition(application, "withdraw", actor, reason=reason)
        _tell_operator(
            application,
            lambda: _("Application %(ref)s withdrawn") % {"ref": application.reference},
            lambda: (
                _("Application %(ref)s has been withdrawn. You can start a new application while the call is open.")
                % {"ref": application.reference}
            ),
        )
        if source != S.DRAFT:
            _tell_officers(
                application,
                messages.TO_OFFICERS_WITHDRAWN,
                operator=str(application.operator),
                ref=application.reference,
            )
    return application


# --- the program officer's transitions -------------------------------------------------------------


def application_start_screening(*, application: Application, actor) -> Application:
    """An officer takes a submitted application into screening. Post: screening; operator told."""
    with transaction.atomic():
        application = _lock(application)
        _transition(application, "start_screening", actor)
        _tell_operator(
            application,
            lambda: _("Application %(ref)s is being screened") % {"ref": application.reference},
            lambda: _("A program officer has started screening %(ref)s.") % {"ref": application.reference},
        )
    return application


def application_request_information(*, application: Application, actor, question: str) -> InformationRequest:
    """Ask the operator a question during screening. The clock pauses until they answer.

    Pre: screening, actor an officer, a non-empty question. Post: info_requested, one open
    InformationRequest (the database allows only one), operator told with the question.
    """
    with transaction.atomic():
        application = _lock(application)
        errors: dict = {}
        question = _text(question, _("the question"), errors, "question")
        _guard(application, "request_information", actor)
        _raise_if(errors)
        _transition(application, "request_information", actor, reason=question)
        request = InformationRequest.objects.create(
            application=application, asked_by=actor, question=question, asked_at=application.state_entered_at
        )
        _tell_operator(
            application,
            lambda: _("Application %(ref)s: information requested") % {"ref": application.reference},
            lambda: (
                _("The program officer asks:\n\n%(question)s\n\nThe clock is paused until you answer.")
                % {"question": question}
            ),
        )
    return request


def application_screen_out(*, application: Application, actor, reason: str) -> Application:
    """End the application at screening, with the reason the operator will read (required)."""
    with transaction.atomic():
        application = _lock(application)
        errors: dict = {}
        reason = _text(reason, _("the reason for screening out"), errors, "reason")
        _guard(application, "screen_out", actor)
        _raise_if(errors)
        _transition(application, "screen_out", actor, reason=reason)
        _tell_operator(
            application,
            lambda: _("Application %(ref)s was not taken forward") % {"ref": application.reference},
            lambda: (
                _("Application %(ref)s was screened out:\n\n%(reason)s")
                % {"ref": application.reference, "reason": reason}
            ),
        )
    return application


def application_send_to_review(*, application: Application, actor) -> Application:
    """Send a screened application to review. Refused, with the failing checks listed, unless every
    eligibility check passes (grants/eligibility.py) and no question is open."""
    with transaction.atomic():
        application = _lock(application)
        _guard(application, "send_to_review", actor)
        failing = [f"{check.label}: {check.detail}" for check in eligibility_checks(application) if not check.passed]
        if failing:
            raise ValidationFailed(*failing)
        checks = {check.code: check.passed for check in eligibility_checks(application)}
        _transition(application, "send_to_review", actor, data={"eligibility": checks})
        _tell_operator(
            application,
            lambda: _("Application %(ref)s passed screening") % {"ref": application.reference},
            lambda: (
                _("Application %(ref)s met the program's eligibility rules and goes to review.")
                % {"ref": application.reference}
            ),
        )
    return application


# --- re-exported here: review and decision (grants/services_review.py) and paying awards --------------
# (grants/services_payments.py: grant tranches and utility claims).

from .services_payments import (  # noqa: E402 - they import this module's helpers first
    tranche_pay_again,
    tranche_request,
    tranche_return,
    tranche_schedule_create,
    tranche_verify,
    utility_claim_approve,
    utility_claim_pay_again,
    utility_claim_reject,
    utility_claim_submit,
    utility_claim_verify,
    utility_subsidy_for,
)
from .services_review import (  # noqa: E402
    STANDARD_RUBRIC,
    application_approve_delegated,
    award_accept,
    board_decision_record,
    board_meeting_record,
    budget_commitment_reverse,
    review_assign,
    review_declare,
    review_submit,
    reviewer_refusal,
    rubric_ensure,
)

__all__ = [  # what `grants.services` offers besides its own functions (views and tests import from here)
    "STANDARD_RUBRIC",
    "application_approve_delegated",
    "award_accept",
    "board_decision_record",
    "board_meeting_record",
    "budget_commitment_reverse",
    "review_assign",
    "review_declare",
    "review_submit",
    "reviewer_refusal",
    "rubric_ensure",
    "tranche_pay_again",
    "tranche_request",
    "tranche_return",
    "tranche_schedule_create",
    "tranche_verify",
    "utility_claim_approve",
    "utility_claim_pay_again",
    "utility_claim_reject",
    "utility_claim_submit",
    "utility_claim_verify",
    "utility_subsidy_for",
]
