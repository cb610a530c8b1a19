"""The freelancer's pages (/vouchers/): what a seat voucher is (for anyone), the profile and documents,
a round's terms and spaces with the application, and a voucher's page.

The voucher's page is shared: its holder answers the months, reports an overcharge and may withdraw;
the people of the space's operator record the start, the end or a no-show (vouchers/views/operator.py
posts those). Anyone else gets 404, before any form is read.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_fsm import can_proceed

from accounts import roles
from core.files import private_file_response

from .. import selectors
from ..errors import DomainError
from ..forms import ApplyForm, ConfirmMonthForm, DocumentForm, EndForm, OverchargeForm, ProfileForm, StartForm
from ..models import SEAT_STATES, Province, SeatType, Voucher, VoucherState
from ..permissions import VOUCHERS
from ..services import vouchers as services
from ._common import submit, visible_voucher

V = VoucherState


def _freelancer_role(request: HttpRequest) -> None:
    if not VOUCHERS.role_allows(request.user, "apply"):
        raise Http404


# --- home ------------------------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {"rounds": list(selectors.open_rounds()), "is_freelancer": False}
    if user.is_authenticated and user.has_role(roles.FREELANCER):
        profile = selectors.freelancer_of(user)
        context.update(
            is_freelancer=True,
            profile=profile,
            documents=list(selectors.freelancer_documents(profile)) if profile else [],
            vouchers=list(selectors.freelancer_vouchers(user)),
        )
    return render(request, "vouchers/home.html", context)


# --- profile and documents ------------------------------------------------------------------------


def _profile_page(request: HttpRequest, *, status: int = 200, **forms: Any) -> HttpResponse:
    profile = selectors.freelancer_of(request.user)
    initial = {}
    if profile is not None:
        initial = {
            "date_of_birth": profile.date_of_birth,
            "gender": profile.gender,
            "domicile": profile.domicile,
            "district": profile.district,
            "skills": profile.skills,
            "marketplace_url": profile.marketplace_url,
            "registration_number": profile.registration_number,
            "is_student": profile.is_student,
        }
    masked = profile.cnic_masked if profile else ""
    context = {
        "profile": profile,
        "profile_form": forms.get("profile_form") or ProfileForm(initial=initial, masked_cnic=masked),
        "document_form": forms.get("document_form") or DocumentForm(),
        "documents": list(selectors.freelancer_documents(profile)) if profile else [],
    }
    return render(request, "vouchers/profile.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    _freelancer_role(request)
    if request.method == "GET":
        return _profile_page(request)
    profile_ = selectors.freelancer_of(request.user)
    form = ProfileForm(request.POST, masked_cnic=profile_.cnic_masked if profile_ else "")
    return submit(
        request,
        form,
        lambda data: services.freelancer_profile_save(actor=request.user, **data),
        done=_("Your profile is saved."),
        page=lambda bad: _profile_page(request, status=400, profile_form=bad),
        then=lambda _saved: redirect("vouchers:profile"),
    )


@login_required
@require_POST
def document_add(request: HttpRequest) -> HttpResponse:
    _freelancer_role(request)
    form = DocumentForm(request.POST, request.FILES)
    return submit(
        request,
        form,
        lambda data: services.freelancer_document_add(actor=request.user, kind=data["kind"], file=data["file"]),
        done=_("The document is added."),
        page=lambda bad: _profile_page(request, status=400, document_form=bad),
        then=lambda _doc: redirect("vouchers:profile"),
    )


@login_required
@require_GET
def document(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.document_visible_to(request.user, pk)
    if found is None:
        raise Http404
    return private_file_response(found)


# --- a round --------------------------------------------------------------------------------------


def _round_page(request: HttpRequest, reference: str, *, status: int = 200, form: Any = None) -> HttpResponse:
    round_ = selectors.round_by_reference(reference)
    if round_ is None:
        raise Http404
    offers = selectors.round_offers(round_)
    user = request.user
    can_apply = VOUCHERS.allows(user, "apply") and round_.is_open()
    profile = selectors.freelancer_of(user) if can_apply else None
    context = {
        "round": round_,
        "offers": offers,
        "is_open": round_.is_open(),
        "domiciles": [(code, label) for code, label in Province.choices if code in (round_.domiciles or [])],
        "seat_type_labels": [SeatType(value).label for value in round_.seat_types or []],
        "can_apply": can_apply,
        "profile": profile,
        "holding": [v for v in selectors.freelancer_vouchers(user) if v.state in (V.APPLIED, V.WAITLISTED)]
        if can_apply
        else [],
    }
    if can_apply and profile is not None:
        context["apply_form"] = form or ApplyForm(
            offers=[o for o in offers if o.seats_free], seat_types=round_.seat_types or []
        )
    return render(request, "vouchers/round.html", context, status=status)


@require_http_methods(["GET", "POST"])
def round_detail(request: HttpRequest, reference: str) -> HttpResponse:
    if request.method == "GET":
        return _round_page(request, reference)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    _freelancer_role(request)
    round_ = selectors.round_by_reference(reference)
    if round_ is None:
        raise Http404
    offers = selectors.round_offers(round_)
    form = ApplyForm(request.POST, offers=offers, seat_types=round_.seat_types or [])
    by_pk = {item.offer.pk: item.offer for item in offers}
    return submit(
        request,
        form,
        lambda data: services.voucher_apply(
            actor=request.user, round=round_, offer=by_pk[data["offer"]], seat_type=data["seat_type"]
        ),
        done=lambda voucher: (
            _("You have applied: your voucher's reference is %(reference)s.") % {"reference": voucher.reference}
        ),
        page=lambda bad: _round_page(request, reference, status=400, form=bad),
        then=lambda voucher: redirect("vouchers:voucher", reference=voucher.reference),
    )


# --- a voucher's page (holder and operator) ------------------------------------------------------


def voucher_page(request: HttpRequest, voucher: Voucher, *, status: int = 200, **forms: Any) -> HttpResponse:
    user = request.user
    holder = voucher.freelancer.user_id == user.pk
    member = selectors.is_space_member(user, voucher.space)
    months = selectors.voucher_months(voucher)
    government, own = selectors.full_month_split(voucher)
    context: dict[str, Any] = {
        "voucher": voucher,
        "holder": holder,
        "member": member,
        "officer": user.has_role(roles.PROGRAM_OFFICER),
        "months": months,
        "months_left": selectors.months_left(voucher),
        "government_pays": government,
        "you_pay": own,
        "today": timezone.localdate(),
    }
    if holder:
        to_answer = selectors.months_to_answer(voucher) if VOUCHERS.allows(user, "confirm_month") else []
        if to_answer:
            context["confirm_form"] = forms.get("confirm_form") or ConfirmMonthForm(month=to_answer[0])
        if voucher.state in SEAT_STATES:
            context["overcharge_form"] = forms.get("overcharge_form") or OverchargeForm()
        context["can_withdraw"] = VOUCHERS.allows(user, "withdraw") and can_proceed(voucher.withdraw)
    if member:
        if voucher.state == V.APPROVED and VOUCHERS.allows(user, "start"):
            context["start_form"] = forms.get("start_form") or StartForm(initial={"start_date": timezone.localdate()})
        context["can_report_no_show"] = voucher.state == V.APPROVED and VOUCHERS.allows(user, "lapse")
        if voucher.state == V.ACTIVE and VOUCHERS.allows(user, "end"):
            context["end_form"] = forms.get("end_form") or EndForm(initial={"ended_on": timezone.localdate()})
    if "no_show_error" in forms:
        context["no_show_error"] = forms["no_show_error"]
    return render(request, "vouchers/voucher.html", context, status=status)


@login_required
@require_GET
def voucher(request: HttpRequest, reference: str) -> HttpResponse:
    return voucher_page(request, visible_voucher(request, reference))


@login_required
@require_POST
def voucher_confirm(request: HttpRequest, reference: str) -> HttpResponse:
    voucher_ = visible_voucher(request, reference)
    form = ConfirmMonthForm(request.POST)
    return submit(
        request,
        form,
        lambda data: services.voucher_confirm_month(
            actor=request.user, voucher=voucher_, month=data["month"], used=data["used"] == "yes"
        ),
        done=_("Thank you: your answer is kept."),
        page=lambda bad: voucher_page(request, voucher_, status=400, confirm_form=bad),
        then=lambda _c: redirect("vouchers:voucher", reference=voucher_.reference),
    )


@login_required
@require_POST
def voucher_overcharge(request: HttpRequest, reference: str) -> HttpResponse:
    voucher_ = visible_voucher(request, reference)
    form = OverchargeForm(request.POST)
    return submit(
        request,
        form,
        lambda data: services.voucher_report_overcharge(
            actor=request.user, voucher=voucher_, charged=data["charged"], what_happened=data["what_happened"]
        ),
        done=lambda grievance: (
            _("Your report is with the integrity office as grievance %(reference)s. Keep this number to follow it up.")
            % {"reference": grievance.reference}
        ),
        page=lambda bad: voucher_page(request, voucher_, status=400, overcharge_form=bad),
        then=lambda _g: redirect("vouchers:voucher", reference=voucher_.reference),
    )


@login_required
@require_POST
def voucher_withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    voucher_ = visible_voucher(request, reference)
    try:
        services.voucher_withdraw(actor=request.user, voucher=voucher_)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your voucher is withdrawn."))
    return redirect("vouchers:voucher", reference=voucher_.reference)
