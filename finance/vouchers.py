"""The payment voucher (PDF, reportlab): one page per payment, with the amount in figures and who
requested, prepared, approved and sent it, and when. Finance files it with the bank's advice."""

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .models import PaymentInstruction


def _when(value) -> str:
    return timezone.localtime(value).strftime("%d %b %Y %H:%M") if value else "—"


def _who(user) -> str:
    if user is None:
        return _("the system")
    return f"{user.get_full_name()} <{user.email}>"


def amount_in_figures(amount) -> str:
    return f"PKR {amount:,.2f}"


def payment_voucher_pdf(instruction: PaymentInstruction) -> bytes:
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=_("Payment voucher %(ref)s") % {"ref": instruction.reference},
        author="Sahulat",
    )

    def p(text, style="BodyText"):
        return Paragraph(escape(str(text)), styles[style])

    details = [
        [p(_("Payment reference")), p(instruction.reference)],
        [p(_("Amount")), Paragraph(f"<b>{escape(amount_in_figures(instruction.amount))}</b>", styles["BodyText"])],
        [p(_("Payee")), p(instruction.payee_name_snapshot or instruction.payee.bank_account_title)],
        [p(_("IBAN")), p(instruction.iban_snapshot or "—")],
        [p(_("Narration")), p(instruction.narration)],
        [p(_("For")), p(instruction.idempotency_key)],
        [p(_("Attempt")), p(instruction.attempt)],
        [p(_("Batch")), p(instruction.batch.reference if instruction.batch else "—")],
        [p(_("State")), p(instruction.get_state_display())],
    ]
    approvals = [
        [p(_("Step")), p(_("Person")), p(_("Time"))],
        [p(_("Requested")), p(_who(instruction.requested_by)), p(_when(instruction.requested_at))],
        [
            p(_("Prepared (maker)")),
            p(_who(instruction.prepared_by) if instruction.prepared_by else "—"),
            p(_when(instruction.prepared_at)),
        ],
        [
            p(_("Approved (checker)")),
            p(_who(instruction.approved_by) if instruction.approved_by else "—"),
            p(_when(instruction.approved_at)),
        ],
        [
            p(_("Sent to the bank")),
            p(_who(instruction.batch.sent_by) if instruction.batch and instruction.batch.sent_by else "—"),
            p(_when(instruction.sent_at)),
        ],
        [p(_("Paid")), p("—"), p(_when(instruction.paid_at))],
        [p(_("Reconciled")), p("—"), p(_when(instruction.reconciled_at))],
    ]
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    story = [
        p(_("Payment voucher"), "Title"),
        p(_("Sahulat — Punjab coworking support, finance wing"), "Normal"),
        Spacer(1, 6 * mm),
        Table(details, colWidths=[45 * mm, 125 * mm], style=grid),
        Spacer(1, 6 * mm),
        p(_("Approvals"), "Heading2"),
        Table(approvals, colWidths=[45 * mm, 80 * mm, 45 * mm], style=grid),
        Spacer(1, 6 * mm),
        p(_("Printed %(when)s. The checker is never the maker (four-eyes rule).") % {"when": _when(timezone.now())}),
    ]
    document.build(story)
    return buffer.getvalue()
