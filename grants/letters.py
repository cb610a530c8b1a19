"""The award letter (PDF, reportlab): a bilingual heading (English and Urdu), the program's
letterhead, the sanction number, the amount in figures (1,234,567) and in words (grants/words.py), the
conditions, and a verification code with a QR code of the public URL that confirms the letter.

Urdu needs two things reportlab does not do by itself: a font with the letters (Noto Naskh Arabic,
OFL, in grants/fonts/) and shaping — joining each letter to its neighbours (arabic-reshaper) and
laying the line out right to left (python-bidi) — before the text is drawn.
"""

import io
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import qrcode
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .money import pkr
from .words import amount_in_words

FONT_DIR = Path(__file__).resolve().parent / "fonts"
URDU_FONT = "NotoNaskhArabic"
GOVERNMENT_EN = "Government of the Punjab"
GOVERNMENT_UR = "حکومت پنجاب"
TITLE_EN = "Award Letter"
TITLE_UR = "منظوری نامہ"
SECRETARIAT = "Program Secretariat, Arfa Software Technology Park, 346-B Ferozepur Road, Lahore"
GREEN = colors.HexColor("#01411C")  # the green of Pakistan's flag


@cache
def urdu_font() -> str:
    """Register the vendored Urdu font with reportlab (once) and return its name."""
    pdfmetrics.registerFont(TTFont(URDU_FONT, str(FONT_DIR / "NotoNaskhArabic-Regular.ttf")))
    return URDU_FONT


def urdu(text: str) -> str:
    """Urdu text shaped for drawing: letters joined (arabic-reshaper), then ordered right to left
    for a left-to-right renderer (python-bidi)."""
    import arabic_reshaper
    from bidi import get_display

    return get_display(arabic_reshaper.reshape(text))


def _qr_image(url: str) -> ImageReader:
    image = qrcode.make(url, box_size=4, border=1)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    return ImageReader(buffer)


def award_letter_pdf(award, *, verify_url: str) -> bytes:
    """The letter for `award` (its application, operator and program loaded) as PDF bytes.
    `verify_url` is the absolute public URL of the award's verification page."""
    font = urdu_font()
    application = award.application
    program = application.call.program
    operator = application.operator
    decision = award.decision
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["Normal"], fontName="Helvetica", fontSize=10.5, leading=15)
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=11, textColor=colors.HexColor("#444444"))
    heading = ParagraphStyle("heading", parent=body, fontName="Helvetica-Bold", fontSize=12, spaceBefore=8)
    title = ParagraphStyle("title", parent=heading, fontSize=16, alignment=TA_CENTER, textColor=GREEN)
    title_ur = ParagraphStyle("title_ur", parent=title, fontName=font, fontSize=18, leading=26)

    offered = timezone.localtime(award.offered_at)
    by_whom = (
        "a program officer of the Secretariat, within the delegated limit set for the program"
        if decision.delegated
        else f"the approval board at its meeting of {decision.meeting.held_on.strftime('%d %B %Y')}"
    )
    facts = [
        ["Sanction number", award.sanction_number],
        ["Date", offered.strftime("%d %B %Y")],
        ["Application", application.reference],
        ["Program", f"{program.name} ({program.get_instrument_display()})"],
        ["Fiscal year", award.fiscal_year_label],
    ]
    table = Table(facts, colWidths=[40 * mm, 120 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (0, -1), "Helvetica-Bold", 10),
                ("FONT", (1, 0), (1, -1), "Helvetica", 10),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LINEBELOW", (0, -1), (-1, -1), 0.5, colors.grey),
            ]
        )
    )
    figures = pkr(award.amount)
    words = amount_in_words(award.amount)
    story = [
        Paragraph(escape(TITLE_EN), title),
        Paragraph(escape(urdu(TITLE_UR)), title_ur),
        Spacer(1, 4 * mm),
        table,
        Spacer(1, 5 * mm),
        Paragraph(f"To: <b>{escape(operator.legal_name)}</b><br/>{escape(operator.registered_address)}", body),
        Spacer(1, 4 * mm),
        Paragraph(
            f"I am pleased to inform you that {escape(by_whom)} has approved your application "
            f"{escape(application.reference)} to the {escape(program.name)}. The amount sanctioned is:",
            body,
        ),
        Spacer(1, 2 * mm),
        Paragraph(f"<b>{escape(figures)}</b>", ParagraphStyle("amount", parent=heading, fontSize=14)),
        Paragraph(f"({escape(words)})", body),
        Spacer(1, 3 * mm),
    ]
    if award.conditions:
        story.append(Paragraph("Conditions of the award", heading))
        for line in [line.strip() for line in award.conditions.splitlines() if line.strip()]:
            story.append(Paragraph(f"• {escape(line)}", body))
        story.append(Spacer(1, 3 * mm))
    story += [
        Paragraph("Acceptance", heading),
        Paragraph(
            "Please accept the award in the Sahulat portal. Payments follow the program's rules and, for a "
            "grant, the milestones of your application. No official may ask you for money or favours: report "
            "any such request through the portal's grievance page.",
            body,
        ),
        Spacer(1, 10 * mm),
        Paragraph("For the Program Secretariat", body),
        Paragraph("Sahulat — Punjab coworking support", small),
    ]

    def letterhead(canvas, doc):
        width, height = A4
        canvas.saveState()
        canvas.setFillColor(GREEN)
        canvas.rect(0, height - 30 * mm, width, 30 * mm, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont("Helvetica-Bold", 15)
        canvas.drawString(18 * mm, height - 13 * mm, GOVERNMENT_EN)
        canvas.setFont(font, 17)
        canvas.drawRightString(width - 18 * mm, height - 14 * mm, urdu(GOVERNMENT_UR))
        canvas.setFont("Helvetica-Bold", 11)
        canvas.drawString(18 * mm, height - 20 * mm, program.name)
        canvas.setFont("Helvetica", 8.5)
        canvas.drawString(18 * mm, height - 26 * mm, SECRETARIAT)
        # Verification: the QR code and the short code, bottom right.
        size = 30 * mm
        canvas.drawImage(_qr_image(verify_url), width - 18 * mm - size, 14 * mm, size, size)
        canvas.setFillColor(colors.black)
        canvas.setFont("Helvetica-Bold", 10)
        canvas.drawString(18 * mm, 30 * mm, f"Verification code: {award.verification_code}")
        canvas.setFont("Helvetica", 8.5)
        canvas.drawString(18 * mm, 25 * mm, "Scan the code or open this address to check that this letter is genuine:")
        canvas.drawString(18 * mm, 21 * mm, verify_url)
        canvas.restoreState()

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        topMargin=38 * mm,
        bottomMargin=50 * mm,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        title=f"Award letter {award.sanction_number}",
        author="Government of the Punjab — Sahulat",
        subject=f"{program.name}: {application.reference}",
    )
    document.build(story, onFirstPage=letterhead, onLaterPages=letterhead)
    return buffer.getvalue()
