"""Loan pages.

Portal (operators, /portal/loans/): their company's loans with schedule, repayments and arrears, the
statement PDF, and the loan calculator. A loan of another company is not found (404).

Workbench (/workbench/loans/): the loan book for finance makers and checkers, program officers, the
board chair and board reviewers (others get 403); a loan's page with its schedule, repayments and the
actions the person may take (finance: post a repayment, reverse any repayment after a preview of the
positions before and after, record the borrower's prepayment choice, import the bank's collection
file, post and reverse recoveries on a written-off loan; finance checker: restructure; board chair:
propose a write-off, withdraw it; a board member or the finance checker other than the proposer:
confirm it; officer or finance maker: plan the disbursement in parts and request it, part by part).
Borrowers choose what a prepayment does in the portal (preview, then confirm). Staff of the borrower
company do not find its loan (404). A service's refusal is shown next to the form; nothing else changes.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import roles
from accounts.two_factor import step_up_required
from audit.selectors import audit_events_for
from finance.pending import PendingUploads
from finance.statements import MAX_BYTES
from grants.models import Award

from . import collections, selectors, services
from .errors import LoansError
from .filters import LoanBookFilter
from .forms import (
    BorrowerPrepaymentChoiceForm,
    CalculatorForm,
    CollectionConfirmForm,
    CollectionUploadForm,
    DisbursementPlanForm,
    PrepaymentChoiceForm,
    RecoveryForm,
    RepaymentForm,
    RestructureForm,
    ReverseConfirmForm,
    WriteOffDecisionForm,
    WriteOffForm,
)
from .models import Loan, PartState, Recovery, Repayment, WriteOffProposal
from .permissions import LOANS as LOANS_TABLE
from .schedules import build_schedule, due_date
from .statement import loan_statement_pdf

PAGE_SIZE = 50


def reverse_url(name: str, pk: int) -> str:
    return reverse(name, kwargs={"pk": pk})


STAFF_ROLES = (
    roles.FINANCE_MAKER,
    roles.FINANCE_CHECKER,
    roles.PROGRAM_OFFICER,
    roles.BOARD_CHAIR,
    roles.BOARD_REVIEWER,  # confirms a write-off the chair proposed
)


def is_loan_staff(user) -> bool:
    return any(user.has_role(role) for role in STAFF_ROLES)


def staff_view(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_loan_staff(request.user):
            raise Forbidden
        return view(request, *args, **kwargs)

    return wrapped


def operator_view(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.has_role(roles.OPERATOR):
            raise Forbidden
        return view(request, *args, **kwargs)

    return wrapped


def _staff_loan(request, pk) -> Loan:
    try:
        return selectors.loan_for_staff(user=request.user, pk=pk)
    except Loan.DoesNotExist:
        raise Http404 from None


def _operator_loan(request, pk) -> Loan:
    try:
        return selectors.loan_for_operator(user=request.user, pk=pk)
    except Loan.DoesNotExist:
        raise Http404 from None


def _show_errors(form, error: LoansError) -> None:
    shown = set()
    for field, field_messages in error.field_errors.items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)
            shown.add(str(message))
    for message in error.messages:
        if str(message) not in shown:
            form.add_error(None, message)


def _pdf(loan: Loan) -> HttpResponse:
    response = HttpResponse(loan_statement_pdf(loan), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="loan-statement-{loan.sanction_number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- portal ----------------------------------------------------------------------------------------


@operator_view
@require_GET
def portal_loans(request):
    return render(request, "loans/portal_loans.html", {"loans": selectors.loans_for_operator(user=request.user)})


@operator_view
@require_GET
def portal_loan(request, pk):
    loan = _operator_loan(request, pk)
    return render(
        request,
        "loans/portal_loan.html",
        {"loan": loan, **selectors.loan_detail_context(loan), "pending": services.pending_prepayment(loan)},
    )


def _prepayment_page(request, loan, *, form_class, template, done_url, status=200, form=None):
    """The prepayment choice: both options side by side (preview), then the confirmation."""
    pending = services.pending_prepayment(loan)
    if pending is None:
        messages.info(request, _("No prepayment on this loan awaits a choice."))
        return redirect(done_url)
    options = services.prepayment_options(repayment=pending, actor=request.user)
    if request.method == "POST" and form is None:
        form = form_class(request.POST)
        if form.is_valid():
            try:
                version = services.loan_choose_prepayment(
                    repayment=pending,
                    actor=request.user,
                    choice=form.cleaned_data["choice"],
                    reason=form.cleaned_data["reason"],
                    expect=form.cleaned_data["expect"],
                )
            except LoansError as error:
                _show_errors(form, error)
                status = _refused_status(error)
            else:
                messages.success(
                    request,
                    _("New schedule (version %(n)d): %(choice)s.")
                    % {"n": version.number, "choice": version.get_prepayment_choice_display()},
                )
                return redirect(done_url)
        else:
            status = 400
    form = form or form_class(initial={"expect": options.fingerprint})
    return render(request, template, {"loan": loan, "options": options, "form": form}, status=status)


@operator_view
@require_http_methods(["GET", "POST"])
def portal_prepayment(request, pk):
    loan = _operator_loan(request, pk)
    return _prepayment_page(
        request,
        loan,
        form_class=BorrowerPrepaymentChoiceForm,
        template="loans/portal_prepayment.html",
        done_url=reverse_url("loans:portal_loan", pk),
    )


@operator_view
@require_GET
def portal_statement(request, pk):
    return _pdf(_operator_loan(request, pk))


@login_required
@require_GET
def calculator(request):
    """The same engine as `manage.py loan_schedule`: server-rendered, GET so the result can be bookmarked."""
    form = CalculatorForm(request.GET or None)
    schedule, error, totals = None, "", None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        today = timezone.localdate()
        first_due = due_date(today.replace(day=min(today.day, services.DUE_DAY_LATEST)), 2)
        try:
            schedule = build_schedule(
                principal=data["amount"],
                annual_rate_percent=data["rate"],
                months=data["months"],
                grace_months=data["grace_months"],
                grace=data["grace_kind"],
                first_due=first_due,
            )
        except (ValueError, TypeError) as exc:
            error = str(exc)
        else:
            totals = {
                "paid": sum(r.instalment for r in schedule),
                "interest": sum(r.interest for r in schedule if r.instalment > 0),
                "regular": schedule[data["grace_months"]].instalment if len(schedule) > data["grace_months"] else None,
            }
    return render(
        request,
        "loans/calculator.html",
        {"form": form, "schedule": schedule, "error": error, "totals": totals},
        status=400 if request.GET and not form.is_valid() else 200,
    )


# --- workbench -------------------------------------------------------------------------------------


@staff_view
@require_GET
def loan_book(request):
    form = LoanBookFilter(request.GET or None).form
    page = Paginator(selectors.loan_book(filters=request.GET), PAGE_SIZE).get_page(request.GET.get("page"))
    # The pages' links keep the filters that apply (an invalid value is dropped, as the book ignores it).
    query = urlencode({k: v for k, v in form.cleaned_data.items() if v}) if form.is_valid() else ""
    waiting = (
        list(selectors.awards_waiting_for_a_loan()[:50]) if services.may_request_disbursement(request.user) else []
    )
    return render(
        request,
        "loans/book.html",
        {
            "form": form,
            "page_obj": page,
            "loans": page.object_list,
            "query": query,
            "waiting": waiting,
            "may_post": services.may_post_repayments(request.user),
        },
    )


def _loan_page(request, loan, *, status=200, **forms):
    user = request.user
    today = timezone.localdate()
    context = {
        "loan": loan,
        **selectors.loan_detail_context(loan),
        "events": audit_events_for(loan),
        "may_post": services.may_post_repayments(user),
        "may_restructure": services.may_restructure(user),
        "may_propose_write_off": services.may_propose_write_off(user),
        "may_confirm_write_off": services.may_confirm_write_off(user),
        "may_post_recoveries": services.may_post_recoveries(user),
        "may_request_disbursement": services.may_request_disbursement(user),
        "repayment_form": forms.get("repayment_form") or RepaymentForm(initial={"received_on": today}),
        "restructure_form": forms.get("restructure_form") or RestructureForm(),
        "write_off_form": forms.get("write_off_form") or WriteOffForm(),
        "decision_form": forms.get("decision_form") or WriteOffDecisionForm(),
        "recovery_form": forms.get("recovery_form") or RecoveryForm(initial={"received_on": today}),
        "open_proposal": services.open_write_off_proposal(loan),
        "pending": services.pending_prepayment(loan),
    }
    context["reversible"] = {
        r.pk for r in context["repayments"] if r.kind == "repayment" and not hasattr(r, "reversed_by")
    }
    parts = context["parts"]
    following = next((p for p in parts if p.state != PartState.PAID), None)
    context["next_part"] = following
    return render(request, "loans/loan.html", context, status=status)


@staff_view
@require_GET
def loan_page(request, pk):
    return _loan_page(request, _staff_loan(request, pk))


@staff_view
@require_GET
def staff_statement(request, pk):
    return _pdf(_staff_loan(request, pk))


def _refused_status(error: LoansError) -> int:
    from .errors import PermissionDenied

    return 403 if isinstance(error, PermissionDenied) else 400


@staff_view
@require_POST
def post_repayment(request, pk):
    loan = _staff_loan(request, pk)
    form = RepaymentForm(request.POST)
    if form.is_valid():
        try:
            repayment = services.loan_post_repayment(
                loan=loan,
                actor=request.user,
                amount=form.cleaned_data["amount"],
                received_on=form.cleaned_data["received_on"],
                bank_reference=form.cleaned_data["bank_reference"],
            )
        except LoansError as error:
            _show_errors(form, error)
            return _loan_page(request, _staff_loan(request, pk), repayment_form=form, status=_refused_status(error))
        messages.success(
            request,
            _("Repayment of PKR %(amount)s posted: PKR %(p)s to principal, PKR %(i)s to interest.")
            % {
                "amount": f"{repayment.amount:,.2f}",
                "p": f"{repayment.principal:,.2f}",
                "i": f"{repayment.interest:,.2f}",
            },
        )
        return redirect("loans:loan", pk=loan.pk)
    return _loan_page(request, loan, repayment_form=form, status=400)


@staff_view
@require_http_methods(["GET", "POST"])
def reverse_repayment(request, pk, repayment_pk):
    """GET: the preview (positions before and after, each later repayment's split before and after its
    replay); POST: the confirmation, with the reason and the preview's fingerprint."""
    loan = _staff_loan(request, pk)
    repayment = Repayment.objects.filter(loan=loan, pk=repayment_pk).first()
    if repayment is None:
        raise Http404
    if not services.may_post_repayments(request.user):
        raise Forbidden
    status, form = 200, None
    if request.method == "POST":
        form = ReverseConfirmForm(request.POST)
        if form.is_valid():
            try:
                services.loan_reverse_repayment(
                    repayment=repayment,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    expect=form.cleaned_data["expect"],
                )
            except LoansError as error:
                _show_errors(form, error)
                status = _refused_status(error)
            else:
                messages.success(request, _("The repayment is reversed."))
                return redirect("loans:loan", pk=loan.pk)
        else:
            status = 400
    try:
        preview = services.loan_reversal_preview(repayment=repayment, actor=request.user)
    except LoansError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("loans:loan", pk=loan.pk)
    if form is None:
        form = ReverseConfirmForm(initial={"expect": preview.fingerprint})
    else:
        form.data = form.data.copy()
        form.data["expect"] = preview.fingerprint  # confirm what is shown now
    return render(
        request, "loans/reverse_preview.html", {"loan": loan, "preview": preview, "form": form}, status=status
    )


@staff_view
@require_http_methods(["GET", "POST"])
def prepayment(request, pk):
    loan = _staff_loan(request, pk)
    if not LOANS_TABLE.role_allows(request.user, "choose_prepayment"):
        raise Forbidden
    return _prepayment_page(
        request,
        loan,
        form_class=PrepaymentChoiceForm,
        template="loans/prepayment.html",
        done_url=reverse_url("loans:loan", pk),
    )


@staff_view
@require_POST
def restructure(request, pk):
    loan = _staff_loan(request, pk)
    form = RestructureForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            version = services.loan_restructure(
                loan=loan,
                actor=request.user,
                months=data["months"],
                grace_months=data["grace_months"],
                grace_kind=data["grace_kind"],
                first_due=data["first_due"],
                reason=data["reason"],
            )
        except LoansError as error:
            _show_errors(form, error)
            return _loan_page(request, _staff_loan(request, pk), restructure_form=form, status=_refused_status(error))
        messages.success(request, _("The loan is restructured: schedule version %(n)d.") % {"n": version.number})
        return redirect("loans:loan", pk=loan.pk)
    return _loan_page(request, loan, restructure_form=form, status=400)


@staff_view
@step_up_required
@require_POST
def write_off(request, pk):
    """The board chair proposes a write-off; a second person confirms it (write_off_decide)."""
    loan = _staff_loan(request, pk)
    form = WriteOffForm(request.POST)
    if form.is_valid():
        try:
            services.loan_propose_write_off(loan=loan, actor=request.user, reason=form.cleaned_data["reason"])
        except LoansError as error:
            _show_errors(form, error)
            return _loan_page(request, _staff_loan(request, pk), write_off_form=form, status=_refused_status(error))
        messages.success(
            request, _("Write-off proposed: a board member or the finance checker other than you confirms it.")
        )
        return redirect("loans:loan", pk=loan.pk)
    return _loan_page(request, loan, write_off_form=form, status=400)


@staff_view
@step_up_required
@require_POST
def write_off_decide(request, pk, proposal_pk, decision):
    loan = _staff_loan(request, pk)
    proposal = WriteOffProposal.objects.filter(loan=loan, pk=proposal_pk).first()
    if proposal is None or decision not in ("confirm", "withdraw"):
        raise Http404
    form = WriteOffDecisionForm(request.POST)
    if form.is_valid():
        try:
            if decision == "confirm":
                services.loan_confirm_write_off(proposal=proposal, actor=request.user, note=form.cleaned_data["note"])
            else:
                services.loan_withdraw_write_off(proposal=proposal, actor=request.user, note=form.cleaned_data["note"])
        except LoansError as error:
            _show_errors(form, error)
            return _loan_page(request, _staff_loan(request, pk), decision_form=form, status=_refused_status(error))
        messages.success(
            request,
            _("The loan is written off.") if decision == "confirm" else _("The write-off proposal is withdrawn."),
        )
        return redirect("loans:loan", pk=loan.pk)
    return _loan_page(request, loan, decision_form=form, status=400)


@staff_view
@require_POST
def post_recovery(request, pk):
    loan = _staff_loan(request, pk)
    form = RecoveryForm(request.POST)
    if form.is_valid():
        try:
            recovery = services.loan_post_recovery(
                loan=loan,
                actor=request.user,
                amount=form.cleaned_data["amount"],
                received_on=form.cleaned_data["received_on"],
                bank_reference=form.cleaned_data["bank_reference"],
            )
        except LoansError as error:
            _show_errors(form, error)
            return _loan_page(request, _staff_loan(request, pk), recovery_form=form, status=_refused_status(error))
        messages.success(request, _("Recovery of PKR %(amount)s posted.") % {"amount": f"{recovery.amount:,.2f}"})
        return redirect("loans:loan", pk=loan.pk)
    return _loan_page(request, loan, recovery_form=form, status=400)


@staff_view
@require_POST
def reverse_recovery(request, pk, recovery_pk):
    loan = _staff_loan(request, pk)
    recovery = Recovery.objects.filter(loan=loan, pk=recovery_pk).first()
    if recovery is None:
        raise Http404
    try:
        services.loan_reverse_recovery(recovery=recovery, actor=request.user, reason=request.POST.get("reason", ""))
    except LoansError as error:
        for message in [*error.messages, *(m for ms in error.field_errors.values() for m in ms)]:
            messages.error(request, message)
        return redirect("loans:loan", pk=loan.pk)
    messages.success(request, _("The recovery is reversed."))
    return redirect("loans:loan", pk=loan.pk)


@staff_view
@require_http_methods(["GET", "POST"])
def plan_disbursement(request, award_pk):
    award = Award.objects.filter(pk=award_pk).exclude(application__operator__members=request.user).first()
    if award is None:
        raise Http404
    if not services.may_request_disbursement(request.user):
        raise Forbidden
    form = DisbursementPlanForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            parts = form.parts()
            if form.is_valid():
                try:
                    loan = services.loan_plan_disbursement(award=award, actor=request.user, parts=parts)
                except LoansError as error:
                    for field_messages in error.field_errors.values():
                        for message in field_messages:
                            form.add_error(None, message)
                    for message in error.messages:
                        form.add_error(None, message)
                    status = _refused_status(error)
                else:
                    messages.success(
                        request,
                        _("Disbursement of loan %(s)s planned in %(n)d parts.")
                        % {"s": loan.sanction_number, "n": len(parts)},
                    )
                    return redirect("loans:loan", pk=loan.pk)
    return render(request, "loans/plan_disbursement.html", {"award": award, "form": form}, status=status)


@staff_view
@require_POST
def request_disbursement(request, award_pk):
    award = Award.objects.filter(pk=award_pk).exclude(application__operator__members=request.user).first()
    if award is None:
        raise Http404
    try:
        loan = services.loan_request_disbursement(award=award, actor=request.user)
    except LoansError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("loans:book")
    messages.success(
        request,
        _("Disbursement of loan %(s)s requested: finance prepares and approves the payment.")
        % {"s": loan.sanction_number},
    )
    return redirect("loans:loan", pk=loan.pk)


# --- the bank's collection file ----------------------------------------------------------------------


COLLECTIONS_PENDING = PendingUploads("loans", "pending-collections")


def _require_poster(request):
    if not services.may_post_repayments(request.user):
        raise Forbidden


@staff_view
@require_http_methods(["GET", "POST"])
def collection_upload(request):
    _require_poster(request)
    form = CollectionUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        held = COLLECTIONS_PENDING.preview_and_hold(
            form,
            max_bytes=MAX_BYTES,
            too_large=_("This file is larger than 5 MB; ask the bank for one file per day."),
            preview=lambda file_name, content: collections.collection_preview(
                file_name=file_name, content=content, actor=request.user
            ),
            refused=LoansError,
        )
        if held is not None:
            preview, initial = held
            return render(
                request,
                "loans/collection_preview.html",
                {"preview": preview, "confirm": CollectionConfirmForm(initial=initial)},
            )
    return render(
        request,
        "loans/collection_upload.html",
        {"form": form, "files": collections.CollectionFile.objects.select_related("uploaded_by")[:20]},
        status=400 if request.method == "POST" else 200,
    )


@staff_view
@require_POST
def collection_confirm(request):
    _require_poster(request)
    collection = COLLECTIONS_PENDING.confirm_held(
        request,
        CollectionConfirmForm(request.POST),
        again=_("Upload the collection file again."),
        expired=_("This upload has expired or was already imported: upload the file again."),
        run=lambda file_name, content: collections.collection_import(
            file_name=file_name, content=content, actor=request.user
        ),
        refused=LoansError,
    )
    if collection is None:
        return redirect("loans:collection_upload")
    messages.success(
        request,
        _("Collection file %(name)s imported: %(n)d repayments, PKR %(total)s.")
        % {"name": collection.file_name, "n": collection.row_count, "total": f"{collection.total:,.2f}"},
    )
    return redirect("loans:collection_upload")
