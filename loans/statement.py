"""The borrower's loan statement (PDF, reportlab): terms, position and arrears, repayments with how
each was split, and the current schedule with what is paid on each instalment. The operator downloads
it from the portal, finance from the workbench.

Like the award letter, the statement is an English document under a bilingual heading, whatever the
language of the page it was downloaded from: reportlab lays out tables left to right and its standard
fonts have no Urdu letters, so Urdu labels in these tables would print as empty boxes. The heading is
Urdu shaped and drawn in the vendored Noto Naskh font (grants/letters.py).
"""

import io
from xml.sax.saxutils import escape

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from grants.letters import urdu, urdu_font

from .models import Loan
from .selectors import loan_detail_context


def _pkr(amount) -> str:
    return "—" if amount is None else f"{amount:,.2f}"


def _day(value) -> str:
    return value.strftime("%d %b %Y") if value else "—"


TITLE_UR = "قرض کا گوشوارہ"


def loan_statement_pdf(loan: Loan) -> bytes:
    with translation.override("en"):
        return _statement(loan)


def _statement(loan: Loan) -> bytes:
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=_("Loan statement %(s)s") % {"s": loan.sanction_number},
        author="Sahulat",
    )

    def p(text, style=None):
        return Paragraph(escape(str(text)), style or styles["BodyText"])

    def c(text):
        return Paragraph(escape(str(text)), small)

    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
            ("REPEATROWS", (0, 0), (-1, 0)),
        ]
    )
    plain = TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    context = loan_detail_context(loan)
    terms = [
        [p(_("Borrower")), p(loan.operator.legal_name)],
        [p(_("Sanction number")), p(loan.sanction_number)],
        [p(_("Program")), p(loan.application.call.program.name)],
        [p(pgettext("loan", "Principal")), p(f"PKR {_pkr(loan.principal)}")],
        [p(_("Markup")), p(f"{loan.annual_rate_percent}% " + _("a year"))],
        [
            p(_("Tenor")),
            p(
                _("%(months)d months, of which %(grace)d grace months (%(kind)s)")
                % {"months": loan.tenor_months, "grace": loan.grace_months, "kind": loan.get_grace_kind_display()}
            ),
        ],
        [p(_("Disbursed")), p(f"PKR {_pkr(loan.disbursed_amount)}, {_day(loan.disbursed_on)}")],
        [p(_("State")), p(loan.get_state_display())],
    ]
    position = [
        [p(_("Position as of")), p(_day(loan.position_as_of))],
        [p(_("Outstanding principal")), p(f"PKR {_pkr(loan.outstanding_principal)}")],
        [p(_("Overdue")), p(f"PKR {_pkr(loan.overdue_amount)}")],
        [p(_("Days past due")), p(f"{loan.days_past_due} ({loan.get_arrears_bucket_display()})")],
        [p(_("Next instalment")), p(f"PKR {_pkr(loan.next_due_amount)}, {_day(loan.next_due_date)}")],
        [p(_("Principal repaid")), p(f"PKR {_pkr(loan.principal_repaid)}")],
        [p(_("Interest repaid")), p(f"PKR {_pkr(loan.interest_repaid)}")],
    ]
    repayments = [
        [c(_("Received")), c(_("Bank reference")), c(_("Amount")), c(pgettext("loan", "Principal")), c(_("Interest"))]
    ]
    for r in context["repayments"]:
        label = r.bank_reference + (" " + _("(reversal)") if r.kind == "reversal" else "")
        repayments.append(
            [c(_day(r.received_on)), c(label), c(_pkr(r.amount)), c(_pkr(r.principal)), c(_pkr(r.interest))]
        )
    schedule = [
        [
            c(_("No.")),
            c(_("Due")),
            c(_("Instalment")),
            c(pgettext("loan", "Principal")),
            c(_("Interest")),
            c(_("Balance")),
            c(_("Paid")),
            c(_("Left")),
        ]
    ]
    for item in context["schedule_rows"]:
        row = item["row"]
        schedule.append(
            [
                c(row.number),
                c(_day(row.due_date)),
                c(_pkr(row.instalment)),
                c(_pkr(row.principal)),
                c(_pkr(row.interest)),
                c(_pkr(row.balance)),
                c(_pkr(item["paid"])),
                c(_pkr(item["left"])),
            ]
        )
    version = context["current_version"]
    story = [
        p(_("Loan statement"), styles["Title"]),
        Paragraph(urdu(TITLE_UR), styles["Title"].clone("title_ur", fontName=urdu_font(), fontSize=16, leading=24)),
        p(_("Sahulat — Punjab coworking support. Amounts in PKR."), styles["Normal"]),
        Spacer(1, 4 * mm),
        Table(terms, colWidths=[45 * mm, 135 * mm], style=plain),
        Spacer(1, 4 * mm),
        p(_("Balance and arrears"), styles["Heading2"]),
        Table(position, colWidths=[45 * mm, 135 * mm], style=plain),
        Spacer(1, 4 * mm),
        p(_("Repayments"), styles["Heading2"]),
    ]
    if len(repayments) > 1:
        story.append(Table(repayments, colWidths=[28 * mm, 52 * mm, 34 * mm, 34 * mm, 32 * mm], style=grid))
    else:
        story.append(p(_("No repayment yet.")))
    story += [Spacer(1, 4 * mm), p(_("Repayment schedule"), styles["Heading2"])]
    if version is not None:
        if version.number > 1:
            story.append(
                p(
                    _("Version %(n)d, restructured on %(day)s: %(reason)s")
                    % {"n": version.number, "day": _day(version.effective_on), "reason": version.reason}
                )
            )
        story.append(
            Table(
                schedule,
                colWidths=[12 * mm, 24 * mm, 23 * mm, 23 * mm, 21 * mm, 27 * mm, 23 * mm, 23 * mm],
                style=grid,
                repeatRows=1,
            )
        )
    else:
        story.append(p(_("The schedule starts when the disbursement is paid.")))
    story += [
        Spacer(1, 4 * mm),
        p(_("Printed %(when)s.") % {"when": timezone.localtime(timezone.now()).strftime("%d %b %Y %H:%M")}),
    ]
    document.build(story)
    return buffer.getvalue()
