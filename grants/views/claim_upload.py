"""A month's utility claims in one upload (issue #22), in the operator's portal: the template, the
upload with its row-by-row preview, and the confirmation that files every claim or none.

The enrolment is looked up among the person's own company's (another company's gives 404); the
service (grants.services.claim_upload) judges each row with the single claim's rules.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ValidationFailed
from core.forms import MultipleFileField
from spaces.views import portal_view

from .. import claim_upload
from ..models import Application, AwardState
from ..money import pkr
from ..services.claim_upload import utility_claims_upload
from ._common import show_refusal
from .payments import _operator_enrolment


class ClaimUploadForm(forms.Form):
    sheet = forms.FileField(
        label=gettext_lazy("The claims sheet"),
        help_text=gettext_lazy("The template filled in: an Excel workbook (.xlsx) or a CSV file, one row per bill."),
    )
    bills = MultipleFileField(
        label=gettext_lazy("The bills"),
        help_text=gettext_lazy("Every bill the sheet names, chosen together: PDF, JPEG or PNG, each at most 10 MB."),
    )

    def clean_bills(self):
        bills = self.cleaned_data["bills"]
        limit = claim_upload.max_rows()
        if len(bills) > limit:
            raise forms.ValidationError(
                _("At most %(n)s bills in one upload; file the rest in a second upload.") % {"n": limit}
            )
        for bill in bills:
            if bill.size > settings.DOCUMENT_MAX_BYTES:
                raise forms.ValidationError(
                    _("“%(name)s” is larger than the limit of %(limit)s MB.")
                    % {"name": bill.name, "limit": f"{settings.DOCUMENT_MAX_BYTES / (1024 * 1024):g}"}
                )
        return bills


def _claimable(request, reference):
    application = _operator_enrolment(request, reference)
    award = getattr(application, "award", None) if application.state == Application.State.APPROVED else None
    if award is None or award.state != AwardState.ACCEPTED:
        messages.info(request, _("Bills can be claimed once the enrolment is approved and its award accepted."))
        return application, redirect("grants:portal_application", reference=reference)
    return application, None


@portal_view
@require_GET
def claims_template(request, reference):
    application, refused = _claimable(request, reference)
    if refused:
        return refused
    content = claim_upload.template_xlsx(application.connections.order_by("space__code", "bill_reference"))
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="claims-{application.reference}.xlsx"'
    return response


def _page(request, application, form, outcome=None, token="", status=200):
    return render(
        request,
        "grants/portal/claims_upload.html",
        {
            "application": application,
            "form": form,
            "outcome": outcome,
            "token": token,
            "columns": [(key, claim_upload.column_label(key)) for key in claim_upload.COLUMNS],
            "headings": claim_upload.HEADINGS,
            "max_rows": claim_upload.max_rows(),
        },
        status=status,
    )


@portal_view
@require_http_methods(["GET", "POST"])
def claims_upload(request, reference):
    """GET: the form. POST: the sheet and bills, judged row by row and shown; nothing is filed yet."""
    application, refused = _claimable(request, reference)
    if refused:
        return refused
    if request.method == "GET":
        return _page(request, application, ClaimUploadForm())
    form = ClaimUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, application, form, status=400)
    sheet_file = form.cleaned_data["sheet"]
    if sheet_file.size > settings.DOCUMENT_MAX_BYTES:
        form.add_error("sheet", _("The claims sheet is larger than the limit."))
        return _page(request, application, form, status=400)
    sheet = (sheet_file.name, sheet_file.read())
    bills = [(bill.name, bill.read()) for bill in form.cleaned_data["bills"]]
    try:
        rows = claim_upload.read_claim_sheet(sheet[1], sheet[0])
    except ValidationFailed as error:
        show_refusal(form, error)
        return _page(request, application, form, status=400)
    outcome = utility_claims_upload(
        application=application,
        actor=request.user,
        rows=rows,
        bills=claim_upload.bill_files(bills),
        confirm=False,
    )
    token = ""
    if outcome.ok:
        token = claim_upload.hold(application_id=application.pk, user_id=request.user.pk, sheet=sheet, bills=bills)
    return _page(
        request, application, ClaimUploadForm(), outcome=outcome, token=token, status=200 if outcome.ok else 400
    )


@portal_view
@require_POST
def claims_upload_confirm(request, reference):
    """File every previewed claim, or none (a row refused since the preview stops them all)."""
    application, refused = _claimable(request, reference)
    if refused:
        return refused
    token = request.POST.get("token", "")
    try:
        sheet, bills = claim_upload.load(token, application_id=application.pk, user_id=request.user.pk)
    except claim_upload.HeldUploadGone:
        messages.error(request, _("That upload is no longer waiting (filed already, or expired): upload it again."))
        return redirect("grants:portal_claims_upload", reference=reference)
    rows = claim_upload.read_claim_sheet(sheet[1], sheet[0])
    outcome = utility_claims_upload(
        application=application, actor=request.user, rows=rows, bills=claim_upload.bill_files(bills), confirm=True
    )
    if not outcome.filed:
        return _page(request, application, ClaimUploadForm(), outcome=outcome, status=409)
    claim_upload.forget(token)
    messages.success(
        request,
        _("%(n)s claims are filed: subsidies of %(subsidy)s in all, to be verified by the program officer.")
        % {"n": len(outcome.rows), "subsidy": pkr(outcome.total_subsidy)},
    )
    return redirect(redirect("grants:portal_application", reference=reference).url + "#claims")
