"""Paying awards (issue 5): grant tranches, and the helpers the utility claims share
(grants/services/utility_claims.py).

The conventions are those of grants/services/__init__.py: keyword-only, `actor=`, one transaction, the row
locked (`select_for_update`) before its state is read, a django-fsm transition, an audit event in the
same transaction (recorded on the *application*, so its timeline tells the whole story), notifications
written in the transaction and emailed on commit, and a `grants.errors.GrantsError` that changes
nothing on refusal. Re-exported by grants/services/__init__.py.

Grant tranches
--------------
    tranche_schedule_create(*, award, actor) -> list[Tranche]
        Called by award_accept for a grant: one tranche per milestone (position, title, due date,
        amount). When the board approved less than the milestones add up to, each tranche is scaled
        down in proportion (rounded down to the paisa) and the last takes the remainder, so the
        tranches always add up to the award exactly. Idempotent.
    tranche_request(*, tranche, actor, progress_note, evidence)       scheduled | returned -> requested
        Operator staff of the award's company. `evidence` is [(kind, file)], with at least one
        progress report. Refused: the award not accepted; an earlier tranche not yet verified
        (tranches are requested in order: the secretariat pays for work in the order it was planned,
        and one open request at a time keeps the evidence of each milestone separate); a tranche
        already requested, verified or paid.
    tranche_return(*, tranche, actor, reason)                          requested -> returned
    tranche_verify(*, tranche, actor) -> Tranche                       requested -> verified
        A program officer who is not on the company's staff. Asks finance to pay
        (finance.services.payment_request) in the same transaction, with `touched_by` = everyone who
        worked on the application (officers, reviewers, the board chair, the verifier), so none of
        them can be the finance checker.
    tranche_pay_again(*, tranche, actor) -> Tranche                    verified, payment cancelled
        The officer asks finance again after finance cancelled the payment (a new attempt).

Finance's hooks (grants/services/hooks.py, registered in GrantsConfig.ready): a payment that becomes
`paid` marks its tranche paid and adds the amount to the award; a paid payment that fails takes it back.
"""

from collections.abc import Iterable
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import workflow
from core.uploads import read_upload
from matches import gates as match_gates
from matches import messages as match_messages
from matches.services.checks import matches_check_tranche
from notifications.kinds import Kind

from .. import messages
from ..award_money import award_record_payment
from ..errors import InvalidTransition, PermissionDenied, ValidationFailed
from ..events import GrantsEvent
from ..models import (
    Application,
    Award,
    AwardState,
    Tranche,
    TrancheEvidence,
    TrancheState,
    is_applicant,
    is_program_officer,
    remember_membership,
)
from ..money import pkr_each
from ..selectors import people_who_touched
from ._common import (
    _tell_officers,
    _tell_operator,
    refuse_repeated_upload,
    retaliation_guard,
)
from .budget import award_require_payable

if TYPE_CHECKING:
    from accounts.models import User
    from finance.models import PaymentInstruction

    from ..models import UtilityClaim

PAISA = Decimal("0.01")
MAX_NOTE = 2000
MAX_UNITS = 10_000_000


# --- helpers ---------------------------------------------------------------------------------------


def _clean_text(value: object, label: str, field: str, *, required: bool = True, limit: int = MAX_NOTE) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationFailed(field_errors={field: [_("Enter %(label)s.") % {"label": label}]})
    if len(text) > limit:
        raise ValidationFailed(
            field_errors={
                field: [_("%(label)s is too long (at most %(n)s characters).") % {"label": label, "n": limit}]
            }
        )
    return text


def _move(
    obj: "Tranche | UtilityClaim",
    name: str,
    event: GrantsEvent,
    actor: "User | str",
    *,
    application: Application,
    reason: str = "",
    data: dict[str, Any] | None = None,
    kwargs: dict[str, Any] | None = None,
) -> str:
    """One transition of a locked tranche or claim on the workflow path (core.workflow), recorded on
    its application's timeline. The services say first, in their own words, who may and what is wrong;
    the transition's permission= (grants.permissions) and state are checked again here, and an adverse
    act passes the retaliation guard (issue #15)."""
    return workflow.transition(
        obj,
        workflow.Step(
            name, event, kwargs=kwargs or {}, reason=reason, data={"reference": application.reference, **(data or {})}
        ),
        actor=actor,
        table=None,
        rules=retaliation_guard(name, application),
        audit_obj=application,
        raced=_("Someone else changed this %(what)s at the same moment. Reload it and try again.")
        % {"what": obj._meta.verbose_name},
    )


def _record(
    application: Application,
    actor: "User | str",
    action: str,
    *,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    workflow.record(
        actor=actor,
        event=action,
        obj=application,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data={"reference": application.reference, **(data or {})},
    )


# --- grant tranches --------------------------------------------------------------------------------


def _schedule_amounts(milestone_amounts: list[Decimal], award_amount: Decimal) -> list[Decimal]:
    total = sum(milestone_amounts, Decimal("0"))
    if total == award_amount:
        return list(milestone_amounts)
    scaled = [(amount * award_amount / total).quantize(PAISA, rounding=ROUND_DOWN) for amount in milestone_amounts]
    scaled[-1] = award_amount - sum(scaled[:-1], Decimal("0"))
    return scaled


def tranche_schedule_create(*, award: Award, actor: "User") -> list[Tranche]:
    """The award's tranches from its application's milestones (see the module docstring). Must run in
    the caller's transaction (award_accept's). Idempotent: an award with tranches keeps them."""
    existing = list(award.tranches.order_by("position"))
    if existing:
        return existing
    application = award.application
    milestones = list(application.milestones.order_by("position"))
    if not milestones:
        raise ValidationFailed(_("Application %(ref)s has no milestones to pay by.") % {"ref": application.reference})
    amounts = _schedule_amounts([m.amount for m in milestones], award.amount)
    tranches = Tranche.objects.bulk_create(
        [
            Tranche(
                award=award,
                milestone=milestone,
                position=milestone.position,
                title=milestone.title,
                amount=amount,
                due_date=milestone.due_date,
            )
            for milestone, amount in zip(milestones, amounts, strict=True)
        ]
    )
    _record(
        application,
        actor,
        GrantsEvent.TRANCHE_SCHEDULE,
        data={"award": award.sanction_number, "tranches": [str(a) for a in amounts], "total": str(award.amount)},
    )
    return tranches


def _lock_tranche(tranche: Tranche) -> Tranche:
    try:
        locked = (
            Tranche.objects.select_for_update(of=("self",))
            .select_related("award__application__operator", "award__application__call__program")
            .get(pk=tranche.pk)
        )
    except Tranche.DoesNotExist:
        raise InvalidTransition(_("This tranche no longer exists.")) from None
    remember_membership(locked.award.application)
    return locked


def _tranche_state_refusal(tranche: Tranche) -> InvalidTransition:
    return InvalidTransition(
        _("Tranche %(n)s of award %(sanction)s is %(state)s, so this cannot be done now.")
        % {
            "n": tranche.position,
            "sanction": tranche.award.sanction_number,
            "state": tranche.get_state_display().lower(),
        }
    )


def tranche_request(
    *, tranche: Tranche, actor: "User", progress_note: str, evidence: Iterable[tuple[str, Any]]
) -> Tranche:
    """The operator asks for a tranche with evidence. See the module docstring for the refusals.

    Post: the tranche is requested with the note, the files are stored privately (TrancheEvidence),
    an audit event `tranche.request` on the application, the officers are told.
    """
    items = list(evidence)
    stored: list[tuple] = []
    with transaction.atomic():
        tranche = _lock_tranche(tranche)
        award, application = tranche.award, tranche.award.application
        if not is_applicant(application, actor):
            raise PermissionDenied(
                _("Only staff of %(operator)s may request this tranche.") % {"operator": application.operator}
            )
        if award.state != AwardState.ACCEPTED:
            raise InvalidTransition(
                _("Award %(sanction)s is not accepted yet: accept it before requesting a tranche.")
                % {"sanction": award.sanction_number}
            )
        if tranche.state not in (TrancheState.SCHEDULED, TrancheState.RETURNED):
            raise _tranche_state_refusal(tranche)
        earlier = (
            Tranche.objects.filter(award=award, position__lt=tranche.position)
            .exclude(state__in=[TrancheState.VERIFIED, TrancheState.PAID])
            .order_by("position")
            .first()
        )
        if earlier is not None:
            raise InvalidTransition(
                _(
                    "Tranche %(n)s can be requested once tranche %(earlier)s is verified; tranche %(earlier)s is "
                    "%(state)s."
                )
                % {"n": tranche.position, "earlier": earlier.position, "state": earlier.get_state_display().lower()}
            )
        note = _clean_text(progress_note, _("a short note on the progress made"), "progress_note")
        kinds = TrancheEvidence.Kind.values
        files = [(kind, file) for kind, file in items if file is not None]
        if any(kind not in kinds for kind, _file in files):
            raise ValidationFailed(_("Unknown kind of evidence."))
        if not any(kind == TrancheEvidence.Kind.PROGRESS_REPORT for kind, _file in files):
            raise ValidationFailed(
                field_errors={"progress_report": [_("Upload the progress report (PDF, JPEG or PNG).")]}
            )
        checked = [(kind, file, read_upload(file, kind)) for kind, file in files]
        for number, (kind, _file, columns) in enumerate(checked):
            if any(columns["sha256"] == other["sha256"] for _k, _f, other in checked[:number]):
                raise ValidationFailed(
                    field_errors={kind: [_("This is the same file as another one you chose; upload each file once.")]}
                )
            refuse_repeated_upload(application, columns, kind, tranche=tranche)
        at = timezone.now()
        try:
            for kind, file, columns in checked:
                row = TrancheEvidence(tranche=tranche, kind=kind, uploaded_by=actor, uploaded_at=at, **columns)
                row.file.save(columns["original_filename"], file, save=False)
                stored.append((row.file.storage, row.file.name))
                row.save()
            _move(
                tranche,
                "request",
                GrantsEvent.TRANCHE_REQUEST,
                actor,
                application=application,
                data={
                    "tranche": tranche.position,
                    "amount": str(tranche.amount),
                    "evidence": [
                        [kind, columns["original_filename"], columns["sha256"]] for kind, _f, columns in checked
                    ],
                },
                kwargs=dict(by=actor, at=at, note=note),
            )
            # Duplicate checks (issue #20): the evidence against every stored file; what they find is
            # an open match the officer sees, and it holds the verification (below).
            matches_check_tranche(tranche=tranche, actor=actor)
            _tell_officers(
                application,
                messages.TO_OFFICERS_TRANCHE_TO_VERIFY,
                operator=str(application.operator),
                n=tranche.position,
                amount=pkr_each(tranche.amount),
                title=tranche.title,
                sanction=award.sanction_number,
            )
        except Exception:
            for storage, name in stored:
                storage.delete(name)
            raise
    return tranche


def _require_officer(application: Application, actor: "User", what: str) -> None:
    if not is_program_officer(application, actor):
        if is_applicant(application, actor):
            raise PermissionDenied(
                _("You are on the staff of %(operator)s, so you may not %(what)s for it.")
                % {"operator": application.operator, "what": what}
            )
        raise PermissionDenied(_("Only a program officer may %(what)s.") % {"what": what})


def tranche_return(*, tranche: Tranche, actor: "User", reason: str) -> Tranche:
    """The officer sends the evidence back (requested -> returned); the operator sees why and may
    request again with better evidence."""
    with transaction.atomic():
        tranche = _lock_tranche(tranche)
        application = tranche.award.application
        _require_officer(application, actor, _("return tranche evidence"))
        if tranche.state != TrancheState.REQUESTED:
            raise _tranche_state_refusal(tranche)
        reason = _clean_text(reason, _("why the evidence is returned"), "reason")
        _move(
            tranche,
            "send_back",
            GrantsEvent.TRANCHE_RETURN,
            actor,
            application=application,
            reason=reason,
            data={"tranche": tranche.position},
            kwargs=dict(by=actor, at=timezone.now(), reason=reason),
        )
        _tell_operator(
            application,
            *messages.TO_OPERATOR_TRANCHE_RETURNED.render(
                n=tranche.position, sanction=tranche.award.sanction_number, reason=reason
            ),
        )
    return tranche


def _request_tranche_payment(tranche: Tranche, actor: "User") -> "PaymentInstruction":
    from finance.services import payment_request

    award, application = tranche.award, tranche.award.application
    count = Tranche.objects.filter(award=award).count()
    return payment_request(
        source=tranche,
        payee=application.operator,
        amount=tranche.amount,
        narration=(
            _("Grant %(sanction)s tranche %(n)s of %(count)s: %(title)s")
            % {"sanction": award.sanction_number, "n": tranche.position, "count": count, "title": tranche.title}
        )[:140],
        actor=actor,
        touched_by=people_who_touched(application) | {actor.pk},
        application=application,
    )


def _payment_cancelled(source: "Tranche | UtilityClaim") -> bool:
    from finance.models import PaymentInstruction, PaymentState

    latest = (
        PaymentInstruction.objects.filter(idempotency_key=f"{source._meta.label_lower}:{source.pk}")
        .order_by("-attempt")
        .values_list("state", flat=True)
        .first()
    )
    return latest == PaymentState.CANCELLED


def tranche_pay_again(*, tranche: Tranche, actor: "User") -> Tranche:
    """After finance cancelled the payment of a verified tranche (e.g. the company's bank account was
    being changed), the officer asks finance to pay it again: a new payment attempt."""
    with transaction.atomic():
        tranche = _lock_tranche(tranche)
        application = tranche.award.application
        _require_officer(application, actor, _("ask finance to pay"))
        if tranche.state != TrancheState.VERIFIED or not _payment_cancelled(tranche):
            raise InvalidTransition(
                _("Tranche %(n)s has no cancelled payment to ask for again.") % {"n": tranche.position}
            )
        award_require_payable(award=tranche.award, amount=tranche.amount)
        instruction = _request_tranche_payment(tranche, actor)
        _record(
            application,
            actor,
            GrantsEvent.TRANCHE_PAY_AGAIN,
            from_state=tranche.state,
            to_state=tranche.state,
            data={"tranche": tranche.position, "payment": instruction.reference},
        )
    return tranche


def tranche_verify(*, tranche: Tranche, actor: "User") -> Tranche:
    """The officer verifies the evidence (requested -> verified) and finance is asked to pay, in one
    transaction: a refusal by finance leaves the tranche requested."""
    with transaction.atomic():
        tranche = _lock_tranche(tranche)
        award, application = tranche.award, tranche.award.application
        _require_officer(application, actor, _("verify tranches"))
        if tranche.state != TrancheState.REQUESTED:
            raise _tranche_state_refusal(tranche)
        match_gates.refuse_while_matched([application.operator_id], action=match_messages.VERIFY_TRANCHE)
        # Issue #22: never for an ended award, and only within what is committed (after a lapse at
        # year end the officer re-commits first).
        award_require_payable(award=award, amount=tranche.amount)
        _move(
            tranche,
            "verify",
            GrantsEvent.TRANCHE_VERIFY,
            actor,
            application=application,
            data={"tranche": tranche.position, "amount": str(tranche.amount)},
            kwargs=dict(by=actor, at=timezone.now()),
        )
        instruction = _request_tranche_payment(tranche, actor)
        _tell_operator(
            application,
            *messages.TO_OPERATOR_TRANCHE_VERIFIED.render(
                n=tranche.position,
                sanction=award.sanction_number,
                amount=pkr_each(tranche.amount),
                ref=instruction.reference,
            ),
        )
    return tranche


# --- finance's hooks -------------------------------------------------------------------------------


def _finance_actor(instruction: "PaymentInstruction") -> str:
    return _("Finance (payment %(ref)s)") % {"ref": instruction.reference}


def tranche_payment_moved(instruction: "PaymentInstruction", from_state: str, to_state: str) -> None:
    """Registered for "grants.tranche": runs inside the transaction that moved the payment."""
    if to_state == "paid" or (from_state == "paid" and to_state == "failed"):
        tranche = _lock_tranche(Tranche(pk=int(instruction.source_id)))
        application = tranche.award.application
        if to_state == "paid":
            if tranche.state != TrancheState.VERIFIED:
                raise InvalidTransition(_("Tranche %(n)s is not waiting for payment.") % {"n": tranche.position})
            award_record_payment(award=tranche.award, amount=instruction.amount)
            name, event, kwargs = "mark_paid", GrantsEvent.TRANCHE_PAID, {"at": timezone.now()}
        else:
            if tranche.state != TrancheState.PAID:
                return
            award_record_payment(award=tranche.award, amount=-instruction.amount)
            name, event, kwargs = "payment_returned", GrantsEvent.TRANCHE_PAYMENT_RETURNED, {}
        _move(
            tranche,
            name,
            event,
            _finance_actor(instruction),
            application=application,
            data={"tranche": tranche.position, "payment": instruction.reference, "amount": str(instruction.amount)},
            kwargs=kwargs,
        )
        if to_state == "paid":
            _tell_operator(
                application,
                *messages.TO_OPERATOR_TRANCHE_PAID.render(
                    n=tranche.position,
                    sanction=tranche.award.sanction_number,
                    amount=pkr_each(instruction.amount),
                    ref=instruction.reference,
                ),
                kind=Kind.PAYMENT,
            )
