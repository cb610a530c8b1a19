"""Pages of the award's end and its money (issue #22), for program officers and the board: every award
with its committed, paid, pending and releasable amounts; one award's ledger and the actions on it
(complete, release, re-commit, propose / confirm / withdraw a termination)."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts import roles

from .. import services
from ..errors import GrantsError, ValidationFailed
from ..models import Award, AwardState, Program, TerminationProposal
from ..permissions import AWARDS, BUDGET
from ..selectors.awards import award_ledger, award_money, awards_for_workbench, pending_termination
from ._common import _refused, role_view

award_staff_view = role_view(roles.PROGRAM_OFFICER, roles.BOARD_CHAIR, roles.BOARD_REVIEWER)


class ReleaseForm(forms.Form):
    amount = forms.CharField(label=gettext_lazy("Amount to release (PKR)"), max_length=30)
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class CompleteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=gettext_lazy("Needed when less than the whole award was paid: say why it is closed now."),
    )


class RecommitForm(forms.Form):
    amount = forms.CharField(
        label=gettext_lazy("Amount to commit (PKR)"),
        required=False,
        max_length=30,
        help_text=gettext_lazy("Empty: all of the award's uncommitted part."),
    )


class TerminationForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (the operator reads it)"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )


def _award(sanction_number: str) -> Award:
    try:
        return Award.objects.select_related("application__operator", "application__call__program", "ended_by").get(
            sanction_number=sanction_number
        )
    except Award.DoesNotExist:
        raise Http404 from None


@award_staff_view
@require_GET
def awards(request):
    state = request.GET.get("state", "")
    state = state if state in AwardState.values else ""
    program = request.GET.get("program", "")
    rows = awards_for_workbench(state=state, program=program)
    return render(
        request,
        "grants/workbench/awards.html",
        {
            "rows": rows,
            "states": AwardState.choices,
            "state": state,
            "programs": Program.objects.order_by("name"),
            "program": program,
        },
    )


@award_staff_view
@require_GET
def award_page(request, sanction):
    award = _award(sanction)
    money = award_money(award)
    proposal = pending_termination(award)
    user = request.user
    return render(
        request,
        "grants/workbench/award.html",
        {
            "award": award,
            "money": money,
            "ledger": award_ledger(award),
            "proposal": proposal,
            "past_proposals": award.termination_proposals.exclude(
                state=TerminationProposal.State.PENDING
            ).select_related("proposed_by", "decided_by"),
            "active": award.state == AwardState.ACCEPTED,
            "may_complete": AWARDS.allows(user, "complete"),
            "may_release": BUDGET.allows(user, "release"),
            "may_recommit": BUDGET.allows(user, "recommit"),
            "may_propose": AWARDS.allows(user, "propose_termination"),
            "may_confirm": proposal is not None
            and AWARDS.allows(user, "terminate")
            and proposal.proposed_by_id != user.pk,
            "may_withdraw": proposal is not None and proposal.proposed_by_id == user.pk,
            "release_form": ReleaseForm(initial={"amount": money.releasable}),
            "complete_form": CompleteForm(),
            "recommit_form": RecommitForm(),
            "termination_form": TerminationForm(),
        },
    )


def _act(request, sanction, form_class, run, done):
    award = _award(sanction)
    to = reverse("grants:workbench_award", args=[sanction])
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        return _refused(request, ValidationFailed(*[e for errors in form.errors.values() for e in errors]), to)
    try:
        result = run(award, form.cleaned_data if form is not None else {})
    except GrantsError as error:
        return _refused(request, error, to)
    messages.success(request, done(award, result))
    return redirect(to)


@award_staff_view
@require_POST
def award_complete(request, sanction):
    return _act(
        request,
        sanction,
        CompleteForm,
        lambda award, data: services.award_complete(award=award, actor=request.user, note=data["note"]),
        lambda award, result: (
            _("Award %(sanction)s is completed; its unpaid remainder is released.")
            % {"sanction": award.sanction_number}
        ),
    )


@award_staff_view
@require_POST
def award_release(request, sanction):
    return _act(
        request,
        sanction,
        ReleaseForm,
        lambda award, data: services.budget_release(
            award=award, actor=request.user, amount=data["amount"], reason=data["reason"]
        ),
        lambda award, rows: (
            _("%(amount)s of award %(sanction)s's commitment is released.")
            % {"amount": f"PKR {-sum(row.amount for row in rows):,.2f}", "sanction": award.sanction_number}
        ),
    )


@award_staff_view
@require_POST
def award_recommit(request, sanction):
    return _act(
        request,
        sanction,
        RecommitForm,
        lambda award, data: services.award_recommit(award=award, actor=request.user, amount=data["amount"] or None),
        lambda award, row: (
            _("%(amount)s committed again for award %(sanction)s against %(fy)s.")
            % {
                "amount": f"PKR {row.amount:,.2f}",
                "sanction": award.sanction_number,
                "fy": row.allocation.fiscal_year_label,
            }
        ),
    )


@award_staff_view
@require_POST
def termination_propose(request, sanction):
    return _act(
        request,
        sanction,
        TerminationForm,
        lambda award, data: services.award_termination_propose(award=award, actor=request.user, reason=data["reason"]),
        lambda award, proposal: (
            _("Termination of award %(sanction)s proposed: a second board member confirms it.")
            % {"sanction": award.sanction_number}
        ),
    )


def _pending(award: Award) -> TerminationProposal:
    proposal = pending_termination(award)
    if proposal is None:
        raise ValidationFailed(_("No termination of this award is waiting for confirmation."))
    return proposal


@award_staff_view
@require_POST
def termination_confirm(request, sanction):
    return _act(
        request,
        sanction,
        None,
        lambda award, data: services.award_termination_confirm(proposal=_pending(award), actor=request.user),
        lambda award, result: (
            _("Award %(sanction)s is terminated; the operator is told why.") % {"sanction": award.sanction_number}
        ),
    )


@award_staff_view
@require_POST
def termination_withdraw(request, sanction):
    return _act(
        request,
        sanction,
        None,
        lambda award, data: services.award_termination_withdraw(proposal=_pending(award), actor=request.user),
        lambda award, result: (
            _("The proposed termination of award %(sanction)s is withdrawn.") % {"sanction": award.sanction_number}
        ),
    )
