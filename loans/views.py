"""Loan pages.

Portal (operators, /portal/loans/): their company's loans with schedule, repayments and arrears, the
statement PDF, and the loan calculator. A loan of another company is not found (404).

Workbench (/workbench/loans/): the loan book for finance makers and checkers, program officers and
the board chair (others get 403); a loan's page with its schedule, repayments and the actions the
person may take (finance: post a repayment, reverse the latest, import the bank's collection file;
finance checker: restructure; board chair: write off; officer or finance maker: request the
disbursement of an accepted award). Staff of the borrower company do not find its loan (404).
A service's refusal is shown next to the form; nothing else changes.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
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
    CalculatorForm,
    CollectionConfirmForm,
    CollectionUploadForm,
    RepaymentForm,
    RestructureForm,
    ReverseForm,
    WriteOffForm,
)
from .models import Loan, Repayment
from .schedules import build_schedule, due_date
from .statement import loan_statement_pdf

PAGE_SIZE = 50
STAFF_ROLES = (roles.FINANCE_MAKER, roles.FINANCE_CHECKER, roles.PROGRAM_OFFICER, roles.BOARD_CHAIR)


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
    return render(request, "loans/portal_loan.html", {"loan": loan, **selectors.loan_detail_context(loan)})


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
        "may_write_off": services.may_write_off(user),
        "repayment_form": forms.get("repayment_form") or RepaymentForm(initial={"received_on": today}),
        "reverse_form": forms.get("reverse_form") or ReverseForm(),
        "restructure_form": forms.get("restructure_form") or RestructureForm(),
        "write_off_form": forms.get("write_off_form") or WriteOffForm(),
    }
    latest = [r for r in context["repayments"] if r.kind == "repayment" and not hasattr(r, "reversed_by")]
    context["reversible"] = latest[-1] if latest else None
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
@require_POST
def reverse_repayment(request, pk, repayment_pk):
    loan = _staff_loan(request, pk)
    repayment = Repayment.objects.filter(loan=loan, pk=repayment_pk).first()
    if repayment is None:
        raise Http404
    form = ReverseForm(request.POST)
    if form.is_valid():
        try:
            services.loan_reverse_repayment(repayment=repayment, actor=request.user, reason=form.cleaned_data["reason"])
        except LoansError as error:
            _show_errors(form, error)
            return _loan_page(request, _staff_loan(request, pk), reverse_form=form, status=_refused_status(error))
        messages.success(request, _("The repayment is reversed."))
        return redirect("loans:loan", pk=loan.pk)
    return _loan_page(request, loan, reverse_form=form, status=400)


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
    loan = _staff_loan(request, pk)
    form = WriteOffForm(request.POST)
    if form.is_valid():
        try:
            services.loan_write_off(loan=loan, actor=request.user, reason=form.cleaned_data["reason"])
        except LoansError as error:
            _show_errors(form, error)
            return _loan_page(request, _staff_loan(request, pk), write_off_form=form, status=_refused_status(error))
        messages.success(request, _("The loan is written off."))
        return redirect("loans:loan", pk=loan.pk)
    return _loan_page(request, loan, write_off_form=form, status=400)


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
