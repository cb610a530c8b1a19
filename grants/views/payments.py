"""Tranches and utility claims: the operator's requests and claims in the portal, the officers' queue
and decisions in the workbench, and the permission-checked downloads of their files.

Every URL that names an application, a tranche, a claim or a file looks it up through
grants/selectors/payments.py: another company's staff (or anyone who may not see the application)
get 404. Domain errors become messages: ValidationFailed on the form, others a message and a redirect
(PermissionDenied: 403).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import DomainError
from spaces.views import portal_view

from .. import services
from ..errors import ValidationFailed
from ..forms_payments import ClaimRejectForm, ClaimVerifyForm, TrancheRequestForm, TrancheReturnForm, UtilityClaimForm
from ..models import Application, AwardState, Program, Tranche, TrancheEvidence, UtilityClaim
from ..money import pkr
from ..selectors import (
    applications_visible_to,
    award_tranches,
    claim_for_staff,
    claims_to_decide,
    enrolment_claims,
    evidence_for_download,
    next_requestable,
    tranche_for_operator,
    tranche_for_staff,
    tranches_to_verify,
)
from ._common import (
    _refused,
    show_refusal,
    workbench_view,
)


def _private_file(handle_owner, *, filename, content_type):
    try:
        handle = handle_owner.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- what the application pages show ---------------------------------------------------------------


def payments_context(application, award) -> dict:
    """The tranche schedule (grants) or the claims (utility enrolments) of an application's award."""
    if award is None or award.state != AwardState.ACCEPTED:
        return {"tranches": [], "claims": [], "may_claim": False, "next_tranche": None}
    if application.instrument == Program.Instrument.GRANT:
        tranches = award_tranches(award)
        return {"tranches": tranches, "claims": [], "may_claim": False, "next_tranche": next_requestable(tranches)}
    if application.instrument == Program.Instrument.UTILITY_SUBSIDY:
        return {"tranches": [], "claims": enrolment_claims(application), "may_claim": True, "next_tranche": None}
    return {"tranches": [], "claims": [], "may_claim": False, "next_tranche": None}


# --- the operator: tranches ------------------------------------------------------------------------


@portal_view
@require_http_methods(["GET", "POST"])
def tranche_request(request, reference, position):
    try:
        tranche = tranche_for_operator(user=request.user, reference=reference, position=position)
    except Tranche.DoesNotExist:
        raise Http404 from None
    application_url = redirect("grants:portal_application", reference=reference).url
    form = TrancheRequestForm(
        request.POST if request.method == "POST" else None, request.FILES if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.tranche_request(
                tranche=tranche,
                actor=request.user,
                progress_note=form.cleaned_data["progress_note"],
                evidence=form.evidence(),
            )
        except ValidationFailed as error:
            show_refusal(form, error)
        except DomainError as error:
            return _refused(request, error, application_url)
        else:
            messages.success(
                request,
                _("Tranche %(n)s is requested. The program officer will verify your evidence.") % {"n": position},
            )
            return redirect(f"{application_url}#tranches")
    return render(
        request,
        "grants/portal/tranche_request.html",
        {"tranche": tranche, "application": tranche.award.application, "form": form},
    )


@login_required
@require_GET
def evidence_download(request, reference, position, pk):
    try:
        evidence = evidence_for_download(user=request.user, evidence_id=pk)
    except TrancheEvidence.DoesNotExist:
        raise Http404 from None
    tranche = evidence.tranche
    if tranche.award.application.reference != reference or tranche.position != position:
        raise Http404
    return _private_file(evidence, filename=evidence.original_filename, content_type=evidence.content_type)


# --- the operator: utility claims ------------------------------------------------------------------


def _operator_enrolment(request, reference) -> Application:
    qs = applications_visible_to(request.user).filter(
        operator__members=request.user, instrument=Program.Instrument.UTILITY_SUBSIDY
    )
    return get_object_or_404(qs.select_related("operator", "call__program", "award"), reference=reference)


@portal_view
@require_http_methods(["GET", "POST"])
def claim_new(request, reference):
    application = _operator_enrolment(request, reference)
    application_url = redirect("grants:portal_application", reference=reference).url
    award = getattr(application, "award", None) if application.state == Application.State.APPROVED else None
    if award is None or award.state != AwardState.ACCEPTED:
        messages.info(request, _("Bills can be claimed once the enrolment is approved and its award accepted."))
        return redirect(application_url)
    connections = list(application.connections.select_related("space").order_by("space__code"))
    form = UtilityClaimForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        connections=connections,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            claim = services.utility_claim_submit(
                connection=data["connection"],
                actor=request.user,
                disco=data["disco"],
                bill_reference=data["bill_reference"],
                billing_month=data["billing_month"],
                units=data["units"],
                bill_amount=data["bill_amount"],
                file=data["file"],
            )
        except ValidationFailed as error:
            show_refusal(form, error)
        except DomainError as error:
            return _refused(request, error, application_url)
        else:
            messages.success(
                request,
                _("Your claim for %(bill)s is filed: a subsidy of %(subsidy)s, to be verified by the program officer.")
                % {"bill": claim, "subsidy": pkr(claim.subsidy_amount)},
            )
            return redirect(f"{application_url}#claims")
    program = application.call.program
    return render(
        request,
        "grants/portal/claim_new.html",
        {
            "application": application,
            "form": form,
            "program": program,
            "share_percent": (program.subsidy_share or 0) * 100,
        },
    )


@login_required
@require_GET
def claim_bill_download(request, reference, pk):
    try:
        claim = claim_for_staff(user=request.user, claim_id=pk)
    except UtilityClaim.DoesNotExist:
        raise Http404 from None
    if claim.connection.application.reference != reference:
        raise Http404
    return _private_file(claim, filename=claim.original_filename, content_type=claim.content_type)


# --- the officer -----------------------------------------------------------------------------------


@workbench_view
@require_GET
def verify_queue(request):
    return render(
        request,
        "grants/workbench/payments_queue.html",
        {"tranches": list(tranches_to_verify()[:200]), "claims": list(claims_to_decide()[:200])},
    )


def _staff_tranche(request, reference, position) -> Tranche:
    try:
        return tranche_for_staff(user=request.user, reference=reference, position=position)
    except Tranche.DoesNotExist:
        raise Http404 from None


def _tranche_page(request, tranche, *, return_form=None, status=200):
    application = tranche.award.application
    return render(
        request,
        "grants/workbench/tranche.html",
        {
            "tranche": tranche,
            "application": application,
            "award": tranche.award,
            "evidence": list(tranche.evidence.all()),
            "return_form": return_form or TrancheReturnForm(),
            "own_company": application.operator.members.filter(pk=request.user.pk).exists(),
        },
        status=status,
    )


@workbench_view
@require_GET
def tranche_page(request, reference, position):
    return _tranche_page(request, _staff_tranche(request, reference, position))


@workbench_view
@require_POST
def tranche_verify(request, reference, position):
    tranche = _staff_tranche(request, reference, position)
    here = redirect("grants:workbench_tranche", reference=reference, position=position).url
    try:
        services.tranche_verify(tranche=tranche, actor=request.user)
    except DomainError as error:
        return _refused(request, error, here)
    messages.success(
        request,
        _("Tranche %(n)s of %(sanction)s is verified; finance is asked to pay %(amount)s.")
        % {"n": position, "sanction": tranche.award.sanction_number, "amount": pkr(tranche.amount)},
    )
    return redirect(here)


@workbench_view
@require_POST
def tranche_return(request, reference, position):
    tranche = _staff_tranche(request, reference, position)
    here = redirect("grants:workbench_tranche", reference=reference, position=position).url
    form = TrancheReturnForm(request.POST)
    if form.is_valid():
        try:
            services.tranche_return(tranche=tranche, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationFailed as error:
            show_refusal(form, error)
        except DomainError as error:
            return _refused(request, error, here)
        else:
            messages.success(request, _("The evidence is returned; the operator is told why."))
            return redirect(here)
    return _tranche_page(request, tranche, return_form=form, status=400)


def _staff_claim(request, pk) -> UtilityClaim:
    try:
        return claim_for_staff(user=request.user, claim_id=pk)
    except UtilityClaim.DoesNotExist:
        raise Http404 from None


def _claim_page(request, claim, *, verify_form=None, reject_form=None, status=200):
    application = claim.connection.application
    return render(
        request,
        "grants/workbench/claim.html",
        {
            "claim": claim,
            "application": application,
            "program": application.call.program,
            "verify_form": verify_form or ClaimVerifyForm(),
            "reject_form": reject_form or ClaimRejectForm(),
            "own_company": application.operator.members.filter(pk=request.user.pk).exists(),
        },
        status=status,
    )


@workbench_view
@require_GET
def claim_page(request, pk):
    return _claim_page(request, _staff_claim(request, pk))


@workbench_view
@require_POST
def claim_verify(request, pk):
    claim = _staff_claim(request, pk)
    here = redirect("grants:workbench_claim", pk=pk).url
    form = ClaimVerifyForm(request.POST)
    if form.is_valid():
        try:
            claim = services.utility_claim_verify(
                claim=claim,
                actor=request.user,
                eligible_amount=form.cleaned_data["eligible_amount"],
                note=form.cleaned_data["note"],
            )
        except ValidationFailed as error:
            show_refusal(form, error)
        except DomainError as error:
            return _refused(request, error, here)
        else:
            messages.success(
                request, _("The claim is verified: a subsidy of %(s)s.") % {"s": pkr(claim.subsidy_amount)}
            )
            return redirect(here)
    return _claim_page(request, claim, verify_form=form, status=400)


@workbench_view
@require_POST
def claim_approve(request, pk):
    claim = _staff_claim(request, pk)
    here = redirect("grants:workbench_claim", pk=pk).url
    try:
        claim = services.utility_claim_approve(claim=claim, actor=request.user)
    except DomainError as error:
        return _refused(request, error, here)
    messages.success(
        request, _("The claim is approved; finance is asked to pay %(s)s.") % {"s": pkr(claim.subsidy_amount)}
    )
    return redirect(here)


@workbench_view
@require_POST
def claim_reject(request, pk):
    claim = _staff_claim(request, pk)
    here = redirect("grants:workbench_claim", pk=pk).url
    form = ClaimRejectForm(request.POST)
    if form.is_valid():
        try:
            services.utility_claim_reject(claim=claim, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationFailed as error:
            show_refusal(form, error)
        except DomainError as error:
            return _refused(request, error, here)
        else:
            messages.success(request, _("The claim is rejected; the operator is told why."))
            return redirect(here)
    return _claim_page(request, claim, reject_form=form, status=400)


@workbench_view
@require_POST
def tranche_pay_again(request, reference, position):
    tranche = _staff_tranche(request, reference, position)
    here = redirect("grants:workbench_tranche", reference=reference, position=position).url
    try:
        services.tranche_pay_again(tranche=tranche, actor=request.user)
    except DomainError as error:
        return _refused(request, error, here)
    messages.success(request, _("Finance is asked again to pay tranche %(n)s.") % {"n": position})
    return redirect(here)


@workbench_view
@require_POST
def claim_pay_again(request, pk):
    claim = _staff_claim(request, pk)
    here = redirect("grants:workbench_claim", pk=pk).url
    try:
        services.utility_claim_pay_again(claim=claim, actor=request.user)
    except DomainError as error:
        return _refused(request, error, here)
    messages.success(request, _("Finance is asked again to pay this claim."))
    return redirect(here)
