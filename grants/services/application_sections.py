"""The sections of an application: grant details, budget lines, milestones, loan details and utility
connections. Changed only while the application is a draft or answering a question (see __init__)."""

import dataclasses
import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spaces.models import Space

from ..errors import ValidationFailed
from ..events import GrantsEvent
from ..models import (
    Application,
    BudgetLine,
    Disco,
    GraceKind,
    GrantDetails,
    LoanDetails,
    LoanTier,
    Milestone,
    Program,
    UtilityConnection,
    bill_reference_length,
)
from ..money import parse_money, percent, pkr
from ..sections import own_contribution_needed
from ._common import (
    MAX_MONTHLY_BILL,
    MAX_ROWS,
    _lock,
    _money,
    _open_elsewhere,
    _raise_if,
    _record_edit,
    _require_editable,
    _row,
    _text,
    _whole,
)
from .applications import space_not_in_network

if TYPE_CHECKING:
    from accounts.models import User

# --- sections --------------------------------------------------------------------------------------


def _require_instrument(application: Application, instrument: str) -> None:
    if application.instrument != instrument:
        raise ValidationFailed(
            _("This section does not belong to a %(instrument)s application.")
            % {"instrument": application.get_instrument_display().lower()}
        )


def _within_program(program: Program, amount: Decimal | None, label: str, errors: dict, field: str) -> None:
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
    *,
    application: Application,
    actor: "User",
    purpose: str,
    amount_requested: Decimal | str | None,
    own_contribution: Decimal | str | None,
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
        # Each None above came with an error, so _raise_if has refused it.
        amount, contribution = cast(Decimal, amount), cast(Decimal, contribution)
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


def application_save_budget_lines(
    *, application: Application, actor: "User", lines: Iterable[object]
) -> list[BudgetLine]:
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
            # A None amount came with an error: _raise_if refuses the rows before they are saved.
            rows.append(
                BudgetLine(
                    application=application, position=number, description=description, amount=cast(Decimal, amount)
                )
            )
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


def application_save_milestones(
    *, application: Application, actor: "User", milestones: Iterable[object]
) -> list[Milestone]:
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
            # A None amount came with an error: _raise_if refuses the rows before they are saved.
            rows.append(
                Milestone(
                    application=application, position=number, title=title, amount=cast(Decimal, amount), due_date=due
                )
            )
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
    actor: "User",
    amount: Decimal | str | None,
    tenure_months: int | str | None,
    grace_months: int | str | None,
    purpose: str,
    equity_contribution: Decimal | str | None,
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
                # A tier was found, so the loan amount is there.
                needed = own_contribution_needed(tier.min_equity_percent, cast(Decimal, loan))
                if equity < needed:
                    errors.setdefault("equity_contribution", []).append(
                        _("Tier %(n)s needs own equity of at least %(needed)s (%(pct)s%% of the project).")
                        % {"n": tier.number, "needed": pkr(needed), "pct": percent(tier.min_equity_percent)}
                    )
        if tenure is not None and grace is not None and grace >= tenure:
            errors.setdefault("grace_months", []).append(_("The grace period must be shorter than the tenure."))
        kind = _grace_kind(grace_kind, grace, errors)
        _raise_if(errors)
        # Each None above came with an error (no tier: the amount's), so _raise_if has refused it.
        loan, equity, tier = cast(Decimal, loan), cast(Decimal, equity), cast(LoanTier, tier)
        tenure, grace, kind = cast(int, tenure), cast(int, grace), cast(str, kind)
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


def _grace_kind(value: object, grace_months: int | None, errors: dict) -> str | None:
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
    *, application: Application, actor: "User", connections: Iterable[object]
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
            elif refusal := space_not_in_network(space):
                errors.setdefault(key, []).append(
                    _("Connection %(n)s: %(refusal)s") % {"n": number, "refusal": refusal}
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
                    average_monthly_bill=cast(Decimal, bill),  # None came with an error: refused below
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
