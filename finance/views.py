"""Finance pages (/finance/): the maker's and the checker's queues, a payment's page with its actions,
batches with the bank's upload file and vouchers, statement upload with a preview, unmatched lines.

Only finance makers and checkers come here (others get 403). Objects are looked up through the
visibility selectors: a payment to a company the person is on the staff of is not found (404).
A service's refusal is shown to the person: separation-of-duties refusals with 403 on the payment's
page, other refusals as a message.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import roles
from accounts.two_factor import step_up_required
from audit.selectors import audit_events_for

from . import journal, selectors, services
from .bankfile import bank_file_csv, bank_file_xlsx
from .errors import FinanceError, PermissionDenied, ValidationFailed
from .forms import (
    BatchForm,
    CancelForm,
    ConfirmStatementForm,
    LedgerPeriodForm,
    PrepareForm,
    ResolveForm,
    SendBackForm,
    StatementUploadForm,
    TrialBalanceForm,
)
from .gl_export import gl_csv, gl_xlsx
from .models import PaymentBatch, PaymentInstruction, PaymentState, StatementLine
from .pending import PendingUploads
from .statements import MAX_BYTES
from .vouchers import payment_voucher_pdf

S = PaymentState
PAGE_SIZE = 50


def finance_view(view):
    """Signed in, with a finance role; everyone else gets 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not selectors.is_finance_staff(request.user):
            raise Forbidden
        return view(request, *args, **kwargs)

    return wrapped


def ledger_view(view):
    """Signed in, finance staff or a ministry viewer; everyone else gets 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not selectors.may_read_ledger(request.user):
            raise Forbidden
        return view(request, *args, **kwargs)

    return wrapped


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _payment(request, pk) -> PaymentInstruction:
    try:
        return selectors.payment_detail(user=request.user, pk=pk)
    except PaymentInstruction.DoesNotExist:
        raise Http404 from None


def _batch(request, pk) -> PaymentBatch:
    try:
        return selectors.batch_detail(user=request.user, pk=pk)
    except PaymentBatch.DoesNotExist:
        raise Http404 from None


def _roles(user) -> dict:
    return {"is_maker": user.has_role(roles.FINANCE_MAKER), "is_checker": user.has_role(roles.FINANCE_CHECKER)}


def _show_errors(form, error: FinanceError) -> None:
    """A service's refusal on the form: next to the field at fault, the rest at the top."""
    shown = set()
    for field, field_messages in error.field_errors.items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)
            shown.add(str(message))
    for message in error.messages:
        if str(message) not in shown:
            form.add_error(None, message)


@finance_view
@require_GET
def home(request):
    if request.user.has_role(roles.FINANCE_MAKER):
        return redirect("finance:maker_queue")
    return redirect("finance:checker_queue")


@finance_view
@require_GET
def maker_queue(request):
    page = _page(request, selectors.maker_queue(user=request.user))
    return render(request, "finance/maker_queue.html", {"page_obj": page, "payments": page.object_list})


@finance_view
@require_GET
def checker_queue(request):
    page = _page(request, selectors.checker_queue(user=request.user))
    rows = [(p, services.approval_refusal(p, request.user)) for p in page.object_list]
    return render(request, "finance/checker_queue.html", {"page_obj": page, "rows": rows})


def _payment_page(
    request, instruction, *, prepare_form=None, cancel_form=None, send_back_form=None, errors=None, status=200
):
    user = request.user
    context = {
        "payment": instruction,
        "ledger": selectors.ledger_for(instruction),
        "events": audit_events_for(instruction),
        "attempts": PaymentInstruction.objects.filter(idempotency_key=instruction.idempotency_key).order_by("attempt"),
        "approval_refusal": services.approval_refusal(instruction, user) if instruction.state == S.PREPARED else "",
        "prepare_form": prepare_form
        or PrepareForm(initial={"iban": instruction.payee.verified_iban} if instruction.state == S.REQUESTED else None),
        "cancel_form": cancel_form or CancelForm(),
        "send_back_form": send_back_form or SendBackForm(),
        "can_cancel": instruction.state in (S.REQUESTED, S.PREPARED, S.APPROVED, S.IN_BATCH),
        "action_errors": errors or [],
        **_roles(user),
    }
    return render(request, "finance/payment.html", context, status=status)


@finance_view
@require_GET
def payment_page(request, pk):
    return _payment_page(request, _payment(request, pk))


def _refused(request, instruction, error: FinanceError, **forms):
    if isinstance(error, PermissionDenied):
        return _payment_page(request, instruction, errors=error.messages, status=403, **forms)
    for message in error.messages:
        messages.error(request, message)
    return redirect("finance:payment", pk=instruction.pk)


@finance_view
@require_POST
def payment_prepare(request, pk):
    instruction = _payment(request, pk)
    form = PrepareForm(request.POST)
    if not form.is_valid():
        return _payment_page(request, instruction, prepare_form=form, status=400)
    try:
        services.payment_prepare(
            instruction=instruction,
            actor=request.user,
            iban=form.cleaned_data["iban"],
            amount=form.cleaned_data["amount"],
        )
    except ValidationFailed as error:
        _show_errors(form, error)
        return _payment_page(request, instruction, prepare_form=form, status=400)
    except FinanceError as error:
        return _refused(request, instruction, error)
    messages.success(
        request, _("Payment %(ref)s is prepared and waits for a checker.") % {"ref": instruction.reference}
    )
    return redirect("finance:maker_queue")


@finance_view
@step_up_required
@require_POST
def payment_approve(request, pk):
    instruction = _payment(request, pk)
    try:
        services.payment_approve(instruction=instruction, actor=request.user)
    except FinanceError as error:
        return _refused(request, instruction, error)
    messages.success(request, _("Payment %(ref)s is approved.") % {"ref": instruction.reference})
    return redirect("finance:checker_queue")


@finance_view
@require_POST
def payment_send_back(request, pk):
    """The checker sends a prepared payment back to the maker with what to correct (issue #17)."""
    instruction = _payment(request, pk)
    form = SendBackForm(request.POST)
    if not form.is_valid():
        return _payment_page(request, instruction, send_back_form=form, status=400)
    try:
        services.payment_send_back(instruction=instruction, actor=request.user, reason=form.cleaned_data["reason"])
    except FinanceError as error:
        return _refused(request, instruction, error)
    messages.success(request, _("Payment %(ref)s is back with the maker.") % {"ref": instruction.reference})
    return redirect("finance:checker_queue")


@finance_view
@require_POST
def payment_cancel(request, pk):
    instruction = _payment(request, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _payment_page(request, instruction, cancel_form=form, status=400)
    try:
        services.payment_cancel(instruction=instruction, actor=request.user, reason=form.cleaned_data["reason"])
    except FinanceError as error:
        return _refused(request, instruction, error)
    messages.success(request, _("Payment %(ref)s is cancelled.") % {"ref": instruction.reference})
    return redirect("finance:payment", pk=instruction.pk)


@finance_view
@require_POST
def payment_retry(request, pk):
    instruction = _payment(request, pk)
    try:
        new = services.payment_retry(instruction=instruction, actor=request.user)
    except FinanceError as error:
        return _refused(request, instruction, error)
    messages.success(
        request,
        _("Attempt %(n)d (%(ref)s) is ready to prepare again: check the IBAN with the company.")
        % {"n": new.attempt, "ref": new.reference},
    )
    return redirect("finance:payment", pk=new.pk)


@finance_view
@require_GET
def payment_voucher(request, pk):
    instruction = _payment(request, pk)
    if instruction.state not in (S.APPROVED, S.IN_BATCH, S.SENT, S.PAID, S.RECONCILED, S.FAILED, S.RETRIED):
        raise Http404
    response = HttpResponse(payment_voucher_pdf(instruction), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="voucher-{instruction.reference}.pdf"'
    return response


# --- batches ---------------------------------------------------------------------------------------


@finance_view
@require_http_methods(["GET", "POST"])
def batches(request):
    approved = selectors.approved_unbatched(user=request.user)
    form = BatchForm(request.POST or None, payments=approved)
    if request.method == "POST":
        if not request.user.has_role(roles.FINANCE_MAKER):
            raise Forbidden
        if form.is_valid():
            try:
                batch = services.batch_create(
                    actor=request.user,
                    value_date=form.cleaned_data["value_date"],
                    instructions=list(form.cleaned_data["payments"]),
                )
            except FinanceError as error:
                _show_errors(form, error)
            else:
                messages.success(request, _("Batch %(ref)s is ready to download.") % {"ref": batch.reference})
                return redirect("finance:batch", pk=batch.pk)
    page = _page(request, selectors.batches(user=request.user))
    return render(
        request,
        "finance/batches.html",
        {
            "form": form,
            "has_approved": approved.exists(),
            "page_obj": page,
            "batches": page.object_list,
            **_roles(request.user),
        },
        status=400 if request.method == "POST" else 200,
    )


@finance_view
@require_GET
def batch_page(request, pk):
    batch = _batch(request, pk)
    return render(
        request,
        "finance/batch.html",
        {"batch": batch, "payments": selectors.batch_payments(batch), **_roles(request.user)},
    )


@finance_view
@require_GET
def batch_file(request, pk, kind):
    batch = _batch(request, pk)
    if kind == "xlsx":
        content = bank_file_xlsx(batch)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content, content_type = bank_file_csv(batch), "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{batch.reference}.{kind}"'
    return response


@finance_view
@require_POST
def batch_send(request, pk):
    batch = _batch(request, pk)
    if not request.user.has_role(roles.FINANCE_MAKER):
        raise Forbidden
    try:
        services.batch_mark_sent(batch=batch, actor=request.user)
    except FinanceError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Batch %(ref)s is marked sent to the bank.") % {"ref": batch.reference})
    return redirect("finance:batch", pk=batch.pk)


# --- statements ------------------------------------------------------------------------------------


def _preview_rows(preview):
    labels = dict(StatementLine.Outcome.choices)
    statuses = dict(StatementLine.BankStatus.choices)
    return [
        {
            "line_number": p.line.line_number,
            "reference": p.line.reference,
            "payment": p.instruction,
            "amount": p.line.amount,
            "bank_status": statuses[p.line.bank_status],
            "remarks": p.line.bank_remarks,
            "outcome": p.outcome,
            "outcome_label": labels[p.outcome],
            "problem": p.problem,
        }
        for p in preview.lines
    ]


def _statement_rows(lines):
    return [
        {
            "line_number": line.line_number,
            "reference": line.reference,
            "payment": line.instruction,
            "amount": line.amount,
            "bank_status": line.get_bank_status_display(),
            "remarks": line.bank_remarks,
            "outcome": line.outcome,
            "outcome_label": line.get_outcome_display(),
            "problem": line.resolution if line.outcome == StatementLine.Outcome.RESOLVED else line.problem,
        }
        for line in lines
    ]


STATEMENTS_PENDING = PendingUploads("finance", "pending-statements")


@finance_view
@require_http_methods(["GET", "POST"])
def statement_upload(request):
    form = StatementUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        # Kept privately until the person confirms; the confirm step reads it back by its hash.
        held = STATEMENTS_PENDING.preview_and_hold(
            form,
            max_bytes=MAX_BYTES,
            too_large=_("This statement is larger than 5 MB; ask the bank for one file per day."),
            preview=lambda file_name, content: services.statement_preview(file_name=file_name, content=content),
            refused=ValidationFailed,
        )
        if held is not None:
            preview, initial = held
            return render(
                request,
                "finance/statement_preview.html",
                {
                    "preview": preview,
                    "preview_rows": _preview_rows(preview),
                    "confirm": ConfirmStatementForm(initial=initial),
                },
            )
    return render(
        request,
        "finance/statement_upload.html",
        {"form": form, "statements": selectors.statements(user=request.user)[:20]},
        status=400 if request.method == "POST" else 200,
    )


@finance_view
@step_up_required
@require_POST
def statement_confirm(request):
    statement = STATEMENTS_PENDING.confirm_held(
        request,
        ConfirmStatementForm(request.POST),
        again=_("Upload the statement again."),
        expired=_("This upload has expired or was already imported: upload the statement again."),
        run=lambda file_name, content: services.statement_import(
            file_name=file_name, content=content, actor=request.user
        ),
        refused=FinanceError,
    )
    if statement is None:
        return redirect("finance:statement_upload")
    messages.success(request, _("Statement %(name)s is imported.") % {"name": statement.file_name})
    return redirect("finance:statement", pk=statement.pk)


@finance_view
@require_GET
def statement_page(request, pk):
    statement = selectors.statements(user=request.user).filter(pk=pk).first()
    if statement is None:
        raise Http404
    return render(
        request,
        "finance/statement.html",
        {
            "statement": statement,
            "rows": _statement_rows(selectors.statement_lines(statement).select_related("instruction__payee")),
        },
    )


@finance_view
@require_GET
def unmatched(request):
    page = _page(request, selectors.unmatched_lines(user=request.user))
    return render(
        request, "finance/unmatched.html", {"page_obj": page, "lines": page.object_list, "form": ResolveForm()}
    )


@finance_view
@require_POST
def line_resolve(request, pk):
    line = selectors.unmatched_lines(user=request.user).filter(pk=pk).first()
    if line is None:
        if StatementLine.objects.filter(pk=pk).exists():
            messages.error(request, _("This line is not waiting to be resolved."))
            return redirect("finance:unmatched")
        raise Http404
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what you found before marking the line resolved."))
        return redirect("finance:unmatched")
    try:
        services.statement_line_resolve(line=line, actor=request.user, resolution=form.cleaned_data["resolution"])
    except FinanceError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("Line %(n)d of %(file)s is resolved.") % {"n": line.line_number, "file": line.statement}
        )
    return redirect("finance:unmatched")


# --- The general ledger (issue #22) ------------------------------------------------------------------


def _ledger_context(request) -> dict:
    return {"finance_staff": selectors.is_finance_staff(request.user)}


@ledger_view
@require_GET
def ledger(request):
    """The trial balance on a day, whether the ledger ties to every book, and the export."""
    form = TrialBalanceForm(request.GET or None)
    on = form.cleaned_data.get("on") if form.is_valid() else None
    balance = journal.trial_balance(on)
    return render(
        request,
        "finance/ledger.html",
        {
            "form": form,
            "balance": balance,
            "problems": journal.ledger_problems(),
            "period_form": LedgerPeriodForm(),
            **_ledger_context(request),
        },
    )


@ledger_view
@require_GET
def journal_page(request):
    form = LedgerPeriodForm(request.GET or None)
    entries = selectors.journal_entries()
    if form.is_valid():
        entries = selectors.journal_entries(
            start=form.cleaned_data["start"], end=form.cleaned_data["end"], account=form.cleaned_data["account"]
        )
    return render(
        request,
        "finance/journal.html",
        {"form": form, "page_obj": _page(request, entries), **_ledger_context(request)},
    )


@ledger_view
@require_GET
def ledger_export(request, kind):
    form = LedgerPeriodForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(
            request,
            "finance/ledger.html",
            {
                "form": TrialBalanceForm(),
                "balance": journal.trial_balance(),
                "problems": journal.ledger_problems(),
                "period_form": form,
                **_ledger_context(request),
            },
            status=400,
        )
    start = form.cleaned_data.get("start") if form.is_bound else None
    end = form.cleaned_data.get("end") if form.is_bound else None
    name = f"general-ledger-{start or 'start'}-to-{end or 'today'}"
    if kind == "xlsx":
        response = HttpResponse(
            gl_xlsx(start=start, end=end),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = StreamingHttpResponse(gl_csv(start=start, end=end), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response
