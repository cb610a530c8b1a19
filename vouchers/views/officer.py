"""The program officer's seat-voucher workbench (/workbench/vouchers/): the queue with each voucher's
checks and approval in bulk (with the waiting list and flagged seats), a voucher's page (refuse with a
reason, offer a waiting one a place, the months and the holder's answers, the timeline), and the seat
claims to verify, approve or reject. Only program officers come here (others get 403, like the other
workbench pages); a voucher or claim is looked up through the visibility selectors (404)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audit.selectors import audit_events_for

from .. import selectors
from ..errors import DomainError
from ..forms import QueueFilterForm, ReasonForm
from ..models import SeatClaim, Voucher, VoucherState
from ..permissions import SEAT_CLAIMS, VOUCHERS
from ..services import claims as claim_services
from ..services import vouchers as services
from ._common import officer_view, submit, visible_claim, visible_voucher

V = VoucherState


# --- the queue -------------------------------------------------------------------------------------


@officer_view
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None)
    round_, state = None, V.APPLIED
    if form.is_valid():
        round_ = form.cleaned_data["round"]
        state = form.cleaned_data["state"] or V.APPLIED
    return render(
        request,
        "vouchers/workbench/queue.html",
        {
            "form": form,
            "state": state,
            "state_label": V(state).label,
            "rows": selectors.officer_queue(round_, state),
            "can_approve": state == V.APPLIED and VOUCHERS.allows(request.user, "approve"),
            "waiting": list(selectors.waiting_list(round_)),
            "flagged": list(selectors.flagged_vouchers()),
        },
    )


@officer_view
@require_POST
def approve(request: HttpRequest) -> HttpResponse:
    chosen = selectors.vouchers_by_reference(request.POST.getlist("vouchers"))
    if not chosen:
        messages.error(request, _("Choose at least one voucher to approve."))
    for decision in services.vouchers_approve(actor=request.user, vouchers=chosen):
        if decision.outcome == "approved":
            messages.success(request, decision.message)
        elif decision.outcome == "waitlisted":
            messages.warning(request, decision.message)
        else:
            messages.error(request, _("Not decided: %(reason)s") % {"reason": decision.message})
    return redirect("vouchers_workbench:queue")


# --- a voucher -------------------------------------------------------------------------------------


def _voucher_page(request: HttpRequest, voucher: Voucher, *, status: int = 200, **forms: Any) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {
        "voucher": voucher,
        "checks": selectors.voucher_checks(voucher),
        "months": selectors.voucher_months(voucher),
        "events": audit_events_for(voucher),
        "can_approve": voucher.state == V.APPLIED and VOUCHERS.allows(user, "approve"),
        "can_offer": voucher.state == V.WAITLISTED and VOUCHERS.allows(user, "offer_place"),
        "documents": list(selectors.freelancer_documents(voucher.freelancer)),
    }
    if voucher.state in (V.APPLIED, V.WAITLISTED) and VOUCHERS.allows(user, "refuse"):
        context["refuse_form"] = forms.get("refuse_form") or ReasonForm(
            label=_("Why it is refused (the freelancer reads this)")
        )
    return render(request, "vouchers/workbench/voucher.html", context, status=status)


@officer_view
@require_GET
def voucher(request: HttpRequest, reference: str) -> HttpResponse:
    return _voucher_page(request, visible_voucher(request, reference))


@officer_view
@require_POST
def voucher_refuse(request: HttpRequest, reference: str) -> HttpResponse:
    found = visible_voucher(request, reference)
    form = ReasonForm(request.POST, label=_("Why it is refused (the freelancer reads this)"))
    return submit(
        request,
        form,
        lambda data: services.voucher_refuse(actor=request.user, voucher=found, reason=data["reason"]),
        done=_("The voucher is refused; the freelancer reads the reason."),
        page=lambda bad: _voucher_page(request, found, status=400, refuse_form=bad),
        then=lambda _v: redirect("vouchers_workbench:voucher", reference=found.reference),
    )


@officer_view
@require_POST
def voucher_offer(request: HttpRequest, reference: str) -> HttpResponse:
    found = visible_voucher(request, reference)
    try:
        services.voucher_offer(actor=request.user, voucher=found)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("A place is offered: the voucher is approved and the freelancer is told."))
    return redirect("vouchers_workbench:voucher", reference=found.reference)


# --- seat claims -----------------------------------------------------------------------------------


@officer_view
@require_GET
def claims(request: HttpRequest) -> HttpResponse:
    return render(request, "vouchers/workbench/claims.html", {"claims": list(selectors.claim_queue())})


def _claim_page(request: HttpRequest, claim: SeatClaim, *, status: int = 200, **forms: Any) -> HttpResponse:
    user, state = request.user, claim.state
    context: dict[str, Any] = {
        "claim": claim,
        "lines": selectors.claim_lines(claim),
        "events": audit_events_for(claim),
        "can_verify": state == SeatClaim.State.SUBMITTED and SEAT_CLAIMS.allows(user, "verify"),
        "can_approve": state == SeatClaim.State.VERIFIED and SEAT_CLAIMS.allows(user, "approve"),
    }
    if state in (SeatClaim.State.SUBMITTED, SeatClaim.State.VERIFIED) and SEAT_CLAIMS.allows(user, "reject"):
        context["reject_form"] = forms.get("reject_form") or ReasonForm(
            label=_("Why the claim is rejected (the operator reads this)")
        )
    return render(request, "vouchers/workbench/claim.html", context, status=status)


@officer_view
@require_GET
def claim(request: HttpRequest, reference: str) -> HttpResponse:
    return _claim_page(request, visible_claim(request, reference))


def _claim_action(request: HttpRequest, reference: str, action: Any, done: str) -> HttpResponse:
    found = visible_claim(request, reference)
    try:
        action(found)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("vouchers_workbench:claim", reference=found.reference)


@officer_view
@require_POST
def claim_verify(request: HttpRequest, reference: str) -> HttpResponse:
    return _claim_action(
        request,
        reference,
        lambda found: claim_services.seat_claim_verify(actor=request.user, claim=found),
        _("The claim is verified."),
    )


@officer_view
@require_POST
def claim_approve(request: HttpRequest, reference: str) -> HttpResponse:
    return _claim_action(
        request,
        reference,
        lambda found: claim_services.seat_claim_approve(actor=request.user, claim=found),
        _("The claim is approved; finance is asked to pay the operator."),
    )


@officer_view
@require_POST
def claim_reject(request: HttpRequest, reference: str) -> HttpResponse:
    found = visible_claim(request, reference)
    form = ReasonForm(request.POST, label=_("Why the claim is rejected (the operator reads this)"))
    return submit(
        request,
        form,
        lambda data: claim_services.seat_claim_reject(actor=request.user, claim=found, reason=data["reason"]),
        done=_("The claim is rejected; the operator reads the reason and may file the month again."),
        page=lambda bad: _claim_page(request, found, status=400, reject_form=bad),
        then=lambda _c: redirect("vouchers_workbench:claim", reference=found.reference),
    )
