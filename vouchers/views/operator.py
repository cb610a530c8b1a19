"""The operator's side of seat vouchers: on a voucher's page, record the seat's start, its end or a
no-show (each POST checks the voucher through `voucher_visible_to` first: 404 for anyone else, and the
service refuses anyone but the people of the space's operator); the seats at the operator's spaces with
what each needs next (/vouchers/operator/seats/); a month's claim, previewed line by line before it is
filed (/vouchers/operator/claims/new/); and a claim's page (/vouchers/claims/<reference>/), also for
staff who read claims."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import selectors
from ..errors import DomainError
from ..forms import ClaimChooseForm, EndForm, StartForm
from ..models import SeatClaimState, VoucherState
from ..services import claims as claim_services
from ..services import vouchers as services
from ._common import operator_view, submit, visible_claim, visible_voucher
from .freelancer import voucher_page

V = VoucherState


@login_required
@require_POST
def voucher_start(request: HttpRequest, reference: str) -> HttpResponse:
    voucher_ = visible_voucher(request, reference)
    form = StartForm(request.POST)
    return submit(
        request,
        form,
        lambda data: services.voucher_start(actor=request.user, voucher=voucher_, start_date=data["start_date"]),
        done=_("The seat's start is recorded; the freelancer is told what they pay each month."),
        page=lambda bad: voucher_page(request, voucher_, status=400, start_form=bad),
        then=lambda _v: redirect("vouchers:voucher", reference=voucher_.reference),
    )


@login_required
@require_POST
def voucher_end(request: HttpRequest, reference: str) -> HttpResponse:
    voucher_ = visible_voucher(request, reference)
    form = EndForm(request.POST)
    return submit(
        request,
        form,
        lambda data: services.voucher_end(actor=request.user, voucher=voucher_, **data),
        done=_("The seat is ended; the freelancer is told why."),
        page=lambda bad: voucher_page(request, voucher_, status=400, end_form=bad),
        then=lambda _v: redirect("vouchers:voucher", reference=voucher_.reference),
    )


@login_required
@require_POST
def voucher_no_show(request: HttpRequest, reference: str) -> HttpResponse:
    voucher_ = visible_voucher(request, reference)
    try:
        services.voucher_report_no_show(actor=request.user, voucher=voucher_)
    except DomainError as error:
        return voucher_page(request, voucher_, status=400, no_show_error=error.message)
    messages.success(request, _("The voucher has lapsed; its place goes to the next on the waiting list."))
    return redirect("vouchers:voucher", reference=voucher_.reference)


# --- the seats at the operator's spaces -----------------------------------------------------------


@operator_view
@require_GET
def seats(request: HttpRequest) -> HttpResponse:
    vouchers = list(selectors.operator_vouchers(request.user))
    return render(
        request,
        "vouchers/operator_seats.html",
        {
            "to_start": [v for v in vouchers if v.state == V.APPROVED],
            "active": [v for v in vouchers if v.state == V.ACTIVE],
            "closed": [v for v in vouchers if v.state not in (V.APPROVED, V.ACTIVE)],
            "claims": list(selectors.operator_claims(request.user).order_by("-month", "-submitted_at")),
            "has_offers": selectors.operator_offers(request.user).exists(),
            "today": timezone.localdate(),
        },
    )


# --- a month's claim ------------------------------------------------------------------------------


class FeesForm(forms.Form):
    """One fee per seat of the month, prefilled with the voucher's fee; the service parses each amount
    and refuses one above the voucher's fee (a discount is allowed)."""

    def __init__(self, *args: Any, lines: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for line in lines:
            self.fields[f"fee_{line.voucher.reference}"] = forms.CharField(
                label=_("Fee charged for %(reference)s (PKR)") % {"reference": line.voucher.reference},
                initial=f"{line.fee:,.2f}",
                max_length=40,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false"}),
            )

    def fees(self) -> dict[str, str]:
        return {name.removeprefix("fee_"): value for name, value in self.cleaned_data.items()}


@operator_view
@require_http_methods(["GET", "POST"])
def claim_new(request: HttpRequest) -> HttpResponse:
    offers = list(selectors.operator_offers(request.user).order_by("round__title", "space__name"))
    data = request.POST if request.method == "POST" else (request.GET or None)
    choose = ClaimChooseForm(data, offers=offers, today=timezone.localdate())
    context: dict[str, Any] = {"choose_form": choose, "offers": offers}
    if not (data and choose.is_valid()):
        return render(request, "vouchers/claim_new.html", context)
    offer = next(o for o in offers if o.pk == choose.cleaned_data["offer"])
    month = choose.cleaned_data["month"]
    lines = selectors.claim_preview(offer.round, offer.space, month)
    fees_form = FeesForm(request.POST if request.method == "POST" else None, lines=lines)
    context.update(offer=offer, month=month, lines=lines, fees_form=fees_form, month_value=month.strftime("%Y-%m"))
    context["rows"] = [(line, fees_form[f"fee_{line.voucher.reference}"]) for line in lines]
    if request.method == "GET":
        return render(request, "vouchers/claim_new.html", context)

    def page(bad: Any) -> HttpResponse:
        return render(request, "vouchers/claim_new.html", context, status=400)

    return submit(
        request,
        fees_form,
        lambda _data: claim_services.seat_claim_submit(
            actor=request.user, round=offer.round, space=offer.space, month=month, fees=fees_form.fees()
        ),
        done=lambda claim: _("Claim %(reference)s is filed with the program officer.") % {"reference": claim.reference},
        page=page,
        then=lambda claim: redirect("vouchers:claim", reference=claim.reference),
    )


@login_required
@require_GET
def claim(request: HttpRequest, reference: str) -> HttpResponse:
    found = visible_claim(request, reference)
    return render(
        request,
        "vouchers/claim.html",
        {
            "claim": found,
            "lines": list(selectors.claim_lines_of(found)),
            "member": selectors.is_space_member(request.user, found.space),
            "paid": found.state == SeatClaimState.PAID,
        },
    )
