"""Bank-statement reconciliation: preview, import (matched payments paid and reconciled, returned ones
failed) and resolving unmatched lines. The API is described in finance/services/__init__.py."""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from core import workflow
from core.dates import show_datetime

from ..errors import InvalidTransition, PermissionDenied, ValidationFailed
from ..events import FinanceEvent
from ..models import (
    BankStatement,
    PaymentInstruction,
    StatementLine,
    is_active_person,
)
from ..pending import file_hash
from ..statements import ParsedLine, read_statement
from ._common import (
    S,
    _state_label,
    settlement_refusal,
)
from .payments import payment_fail, payment_mark_paid, payment_reconcile

if TYPE_CHECKING:
    from accounts.models import User


# --- reconciliation --------------------------------------------------------------------------------


@dataclass
class PlannedLine:
    line: ParsedLine
    outcome: str  # StatementLine.Outcome
    problem: str = ""
    instruction: PaymentInstruction | None = None
    steps: list[str] = field(default_factory=list)  # transitions to run: mark_paid, reconcile, fail


@dataclass
class StatementPreview:
    file_name: str
    file_hash: str
    lines: list[PlannedLine]

    @property
    def matched(self) -> list[PlannedLine]:
        return [p for p in self.lines if p.outcome == StatementLine.Outcome.MATCHED]

    @property
    def returned(self) -> list[PlannedLine]:
        return [p for p in self.lines if p.outcome == StatementLine.Outcome.RETURNED]

    @property
    def unmatched(self) -> list[PlannedLine]:
        return [p for p in self.lines if p.outcome == StatementLine.Outcome.UNMATCHED]


def _plan(lines: list[ParsedLine], by_reference: dict[str, PaymentInstruction]) -> list[PlannedLine]:
    """What each line does, in file order, following each payment's state as earlier lines change it."""
    state = {ref: p.state for ref, p in by_reference.items()}
    seen: dict[str, int] = {}
    planned = []
    for line in lines:
        instruction = by_reference.get(line.reference)
        if instruction is None:
            planned.append(PlannedLine(line, "unmatched", _("No payment has this reference.")))
            continue
        if line.amount != instruction.amount:
            planned.append(
                PlannedLine(
                    line,
                    "unmatched",
                    _("The amount differs: the statement says PKR %(line)s, payment %(ref)s is PKR %(amount)s.")
                    % {
                        "line": f"{line.amount:,.2f}",
                        "ref": instruction.reference,
                        "amount": f"{instruction.amount:,.2f}",
                    },
                    instruction,
                )
            )
            continue
        current = state[line.reference]
        earlier = seen.get(line.reference)
        if line.bank_status == "paid":
            if current == S.SENT:
                steps = ["mark_paid", "reconcile"]
            elif current == S.PAID:
                steps = ["reconcile"]
            else:
                steps = None
            if steps:
                planned.append(PlannedLine(line, "matched", "", instruction, steps))
                state[line.reference] = S.RECONCILED
            else:
                problem = (
                    _("Payment %(ref)s is already %(state)s (line %(n)d of this statement).")
                    if earlier
                    else _("Payment %(ref)s is %(state)s, not waiting for the bank.")
                ) % {"ref": instruction.reference, "state": _state_label(current), "n": earlier or 0}
                planned.append(PlannedLine(line, "unmatched", problem, instruction))
        else:
            if current in (S.SENT, S.PAID):
                planned.append(PlannedLine(line, "returned", "", instruction, ["fail"]))
                state[line.reference] = S.FAILED
            else:
                planned.append(
                    PlannedLine(
                        line,
                        "unmatched",
                        _("The bank returned payment %(ref)s, but it is %(state)s: check it by hand.")
                        % {"ref": instruction.reference, "state": _state_label(current)},
                        instruction,
                    )
                )
        seen.setdefault(line.reference, line.line_number)
    return planned


def _refuse_duplicate(digest: str) -> None:
    existing = BankStatement.objects.filter(file_hash=digest).first()
    if existing is not None:
        raise ValidationFailed(
            _("This statement was already imported on %(when)s (as “%(name)s”); it is not imported twice.")
            % {"when": show_datetime(existing.uploaded_at), "name": existing.file_name}
        )


def statement_preview(*, file_name: str, content: bytes) -> StatementPreview:
    """Read and match a statement without writing anything. Raises ValidationFailed for a bad file."""
    digest = file_hash(content)
    _refuse_duplicate(digest)
    lines = read_statement(file_name=file_name, content=content)
    payments = PaymentInstruction.objects.filter(reference__in={line.reference for line in lines}).select_related(
        "payee"
    )
    return StatementPreview(file_name, digest, _plan(lines, {p.reference: p for p in payments}))


def statement_import(*, file_name: str, content: bytes, actor: "User") -> BankStatement:
    """Import a statement in one transaction: matched payments become paid and reconciled, returned or
    failed lines fail their payments, everything else is kept as an unmatched line for a person.

    Refused whole (nothing written) for a bad file, a file already imported (same SHA-256) or an
    actor who is not finance staff.
    """
    if not is_active_person(actor) or not (
        actor.has_role(roles.FINANCE_MAKER) or actor.has_role(roles.FINANCE_CHECKER)
    ):
        raise PermissionDenied(_("Only finance staff may import bank statements."))
    digest = file_hash(content)
    lines = read_statement(file_name=file_name, content=content)
    with transaction.atomic():
        _refuse_duplicate(digest)
        payments = list(
            PaymentInstruction.objects.select_for_update()
            .filter(reference__in={line.reference for line in lines})
            .order_by("id")
        )
        plan = _plan(lines, {p.reference: p for p in payments})
        # Four-eyes rule: nobody confirms the settlement of a payment they prepared. Refused whole,
        # before anything is written, naming every such payment.
        own = [
            refusal
            for item in plan
            if "mark_paid" in item.steps
            for refusal in [settlement_refusal(cast(PaymentInstruction, item.instruction), actor)]
            if refusal
        ]
        if own:
            raise PermissionDenied(*own)
        try:
            with transaction.atomic():
                statement = BankStatement.objects.create(
                    file_name=file_name[:200],
                    file_hash=digest,
                    uploaded_by=actor,
                    uploaded_at=timezone.now(),
                    line_count=len(lines),
                )
        except IntegrityError:
            raise ValidationFailed(_("This statement was imported a moment ago by someone else.")) from None
        for item in plan:
            row = StatementLine.objects.create(
                statement=statement,
                line_number=item.line.line_number,
                value_date=item.line.value_date,
                reference=item.line.reference,
                amount=item.line.amount,
                bank_status=item.line.bank_status,
                bank_remarks=item.line.bank_remarks,
                outcome=item.outcome,
                problem=item.problem[:300],
                instruction=item.instruction,
            )
            # A line with steps was matched to a payment (see _plan).
            instruction = cast(PaymentInstruction, item.instruction)
            for step in item.steps:
                if step == "mark_paid":
                    payment_mark_paid(instruction=instruction, actor=actor, statement_line=row)
                elif step == "reconcile":
                    payment_reconcile(instruction=instruction, actor=actor, statement_line=row)
                elif step == "fail":
                    reason = item.line.bank_remarks or (
                        _("Returned by the bank") if item.line.bank_status == "returned" else _("Failed at the bank")
                    )
                    payment_fail(instruction=instruction, actor=actor, reason=reason, statement_line=row)
        counts = {o: sum(1 for p in plan if p.outcome == o) for o in ("matched", "returned", "unmatched")}
        workflow.record(
            actor=actor, event=FinanceEvent.STATEMENT_IMPORT, obj=statement, data={"file_hash": digest, **counts}
        )
    return statement


def statement_line_resolve(*, line: StatementLine, actor: "User", resolution: str) -> StatementLine:
    """unmatched -> resolved, with what the person found (e.g. "bank fee, not a payment")."""
    if not is_active_person(actor) or not (
        actor.has_role(roles.FINANCE_MAKER) or actor.has_role(roles.FINANCE_CHECKER)
    ):
        raise PermissionDenied(_("Only finance staff may resolve statement lines."))
    resolution = " ".join(str(resolution or "").split())
    if not resolution:
        raise ValidationFailed(
            _("Say how the line was resolved."), field_errors={"resolution": [_("Enter what you found.")]}
        )
    with transaction.atomic():
        line = StatementLine.objects.select_for_update().get(pk=line.pk)
        if line.outcome != StatementLine.Outcome.UNMATCHED:
            raise InvalidTransition(_("This line is not waiting to be resolved."))
        StatementLine.objects.filter(pk=line.pk).update(
            outcome=StatementLine.Outcome.RESOLVED,
            resolved_by=actor,
            resolved_at=timezone.now(),
            resolution=resolution[:500],
        )
        line.refresh_from_db()
        workflow.record(
            actor=actor,
            event=FinanceEvent.STATEMENT_LINE_RESOLVE,
            obj=line,
            from_state="unmatched",
            to_state="resolved",
            reason=resolution,
        )
    return line
