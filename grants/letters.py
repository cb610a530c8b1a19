"""The award letter (PDF, reportlab): a bilingual heading (English and Urdu), the program's
letterhead, the sanction number, the amount in figures (1,234,567) and in words (grants/words.py), the
conditions, and a verification code with a QR code of the public URL that confirms the letter.

Urdu needs two things reportlab does not do by itself: a font with the letters (Noto Naskh Arabic,
OFL, in grants/fonts/) and shaping — joining each letter to its neighbours (arabic-reshaper) and
laying the line out right to left (python-bidi) — before the text is drawn.

The body is in the language of the person who downloads it (the operator's language on the site,
English or Urdu). An Urdu paragraph is wrapped into lines first (word by word, measured in the fonts it
is drawn in) and only then is each line shaped and reordered, so a long paragraph reads top to bottom.
The Urdu font has no Latin letters (nor %, -, / or brackets): runs of such characters in an Urdu line
(a reference, a company's name, "PKR") are drawn in Helvetica.

A soft loan's letter states its terms: the markup, the tenor, the grace months and what is paid in
them, the instalment, and the first due date (one month after the disbursement, at most the 28th:
loans.schedules.first_due_after), worked out from the letter's date as an example.
"""

import datetime as dt
import io
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import qrcode
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from loans.schedules import Grace, build_schedule, first_due_after

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


@cache
def _urdu_glyphs() -> frozenset[int]:
    return frozenset(pdfmetrics.getFont(urdu_font()).face.charToGlyph)


def _runs(line: str) -> list[tuple[str, str]]:
    """(font, text) runs of a shaped line: the Urdu font where it has the glyph, Helvetica otherwise."""
    glyphs, font = _urdu_glyphs(), urdu_font()
    runs: list[tuple[str, str]] = []
    for char in line:
        wanted = font if (ord(char) in glyphs or char == " ") else "Helvetica"
        if runs and runs[-1][0] == wanted:
            runs[-1] = (wanted, runs[-1][1] + char)
        else:
            runs.append((wanted, char))
    return runs


def _width(line: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(text, font, size) for font, text in _runs(line))


def _urdu_markup(text: str, size: float, width: float, *, bold: bool = False) -> str:
    """Paragraph markup for Urdu `text`: wrapped to `width` in logical order, then each line shaped and
    laid out right to left, Latin runs in Helvetica."""
    lines: list[str] = []
    for logical in text.splitlines() or [""]:
        current = ""
        for word in logical.split():
            candidate = f"{current} {word}".strip()
            if current and _width(urdu(candidate), size) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
    latin = "Helvetica-Bold" if bold else "Helvetica"
    return "<br/>".join(
        "".join(
            escape(chunk) if font != "Helvetica" else f'<font name="{latin}">{escape(chunk)}</font>'
            for font, chunk in _runs(urdu(line))
        )
        for line in lines
    )


class _Writer:
    """Paragraphs in the letter's language: English as it is, Urdu wrapped, shaped and right-aligned."""

    def __init__(self, rtl: bool, width: float):
        self.rtl, self.width = rtl, width
        styles = getSampleStyleSheet()
        base = "NotoNaskhArabic" if rtl else "Helvetica"
        self.body = ParagraphStyle(
            "body",
            parent=styles["Normal"],
            fontName=urdu_font() if rtl else "Helvetica",
            fontSize=10.5,
            leading=20 if rtl else 15,
            alignment=TA_RIGHT if rtl else 0,
        )
        self.small = ParagraphStyle(
            "small", parent=self.body, fontSize=8.5, leading=16 if rtl else 11, textColor=colors.HexColor("#444444")
        )
        self.heading = ParagraphStyle(
            "heading", parent=self.body, fontName=base if rtl else "Helvetica-Bold", fontSize=12, spaceBefore=8
        )

    def para(self, text: str, style: ParagraphStyle, *, bold: bool = False, width: float | None = None) -> Paragraph:
        if self.rtl:
            return Paragraph(_urdu_markup(text, style.fontSize, width or self.width, bold=bold), style)
        markup = escape(text)
        return Paragraph(f"<b>{markup}</b>" if bold else markup, style)

    def table(self, rows: list[tuple[str, str]], widths: tuple[float, float]) -> Table:
        """Label and value rows; in Urdu the label is on the right."""
        label_style = ParagraphStyle("label", parent=self.body, fontSize=10, leading=self.body.leading)
        value_style = ParagraphStyle("value", parent=label_style)
        cells = [
            [
                self.para(label, label_style, bold=True, width=widths[0] - 12),
                self.para(value, value_style, width=widths[1] - 12),
            ]
            for label, value in rows
        ]
        if self.rtl:
            cells = [list(reversed(row)) for row in cells]
            widths = (widths[1], widths[0])
        table = Table(cells, colWidths=list(widths))
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                    ("LINEBELOW", (0, -1), (-1, -1), 0.5, colors.grey),
                ]
            )
        )
        return table


def _day(day: dt.date) -> str:
    return date_format(day, "j F Y")


def loan_terms(award, *, example_disbursement: dt.date) -> list[tuple[str, str]]:
    """The soft loan's terms as (label, value) rows, in the active language: markup, tenor, grace and
    what is paid in it, the instalment and the first due date for a disbursement on
    `example_disbursement`. Empty when the application has no loan terms."""
    details = getattr(award.application, "loan_details", None)
    if details is None:
        return []
    first_due = first_due_after(example_disbursement)
    schedule = build_schedule(
        principal=award.amount,
        annual_rate_percent=details.annual_markup_percent,
        months=details.tenure_months,
        grace_months=details.grace_months,
        grace=Grace(details.grace_kind),
        first_due=first_due,
    )
    regular = schedule[details.grace_months]
    if not details.grace_months:
        grace = _("None: repayments start with the first instalment.")
    elif details.grace_kind == Grace.INTEREST_ONLY:
        grace = _("%(n)s months; in them you pay the markup only (%(amount)s in the first month).") % {
            "n": details.grace_months,
            "amount": pkr(schedule[0].instalment),
        }
    else:
        grace = _("%(n)s months; in them you pay nothing and the markup is added to the loan.") % {
            "n": details.grace_months
        }
    return [
        (
            _("Markup"),
            _("%(rate)s percent a year, on the balance outstanding") % {"rate": details.annual_markup_percent},
        ),
        (_("Tenor"), _("%(n)s months, grace months included") % {"n": details.tenure_months}),
        (_("Grace"), grace),
        (
            _("Monthly instalment"),
            _("%(amount)s after the grace months; the last instalment settles the balance (%(last)s).")
            % {"amount": pkr(regular.instalment), "last": pkr(schedule[-1].instalment)},
        ),
        (
            _("First instalment due"),
            _(
                "One month after the loan is paid to you, on the same day of the month (at most the 28th): "
                "%(due)s if it is paid on %(paid)s."
            )
            % {"due": _day(first_due), "paid": _day(example_disbursement)},
        ),
    ]


def award_letter_pdf(award, *, verify_url: str, language: str | None = None) -> bytes:
    """The letter for `award` (its application, operator and program loaded) as PDF bytes, in
    `language` (the active language by default: the language the operator uses the site in).
    `verify_url` is the absolute public URL of the award's verification page."""
    language = language or translation.get_language() or "en"
    with translation.override(language):
        return _award_letter_pdf(award, verify_url=verify_url, rtl=translation.get_language_bidi())


def _award_letter_pdf(award, *, verify_url: str, rtl: bool) -> bytes:
    font = urdu_font()
    application = award.application
    program = application.call.program
    operator = application.operator
    decision = award.decision
    width = A4[0] - 36 * mm
    w = _Writer(rtl, width)
    styles = getSampleStyleSheet()
    title = ParagraphStyle("title", parent=styles["Normal"], fontName="Helvetica-Bold", fontSize=16, leading=20)
    title.alignment, title.textColor = TA_CENTER, GREEN
    title_ur = ParagraphStyle("title_ur", parent=title, fontName=font, fontSize=18, leading=26)

    offered = timezone.localtime(award.offered_at)
    by_whom = (
        _("a program officer of the Secretariat, within the delegated limit set for the program")
        if decision.delegated
        else _("the approval board at its meeting of %(day)s") % {"day": _day(decision.meeting.held_on)}
    )
    facts = [
        (_("Sanction number"), award.sanction_number),
        (_("Date"), _day(offered.date())),
        (_("Application"), application.reference),
        (_("Program"), f"{program.display_name} ({program.get_instrument_display()})"),
        (_("Fiscal year"), award.fiscal_year_label),
    ]
    amount_style = ParagraphStyle("amount", parent=w.heading, fontSize=14, leading=22 if rtl else 17)
    story = [
        Paragraph(escape(TITLE_EN), title),
        Paragraph(escape(urdu(TITLE_UR)), title_ur),
        Spacer(1, 4 * mm),
        w.table(facts, (40 * mm, 120 * mm)),
        Spacer(1, 5 * mm),
        w.para(_("To: %(company)s") % {"company": operator.legal_name}, w.body, bold=True),
        w.para(operator.registered_address, w.body),
        Spacer(1, 4 * mm),
        w.para(
            _(
                "I am pleased to inform you that %(by_whom)s has approved your application %(reference)s to the "
                "%(program)s. The amount sanctioned is:"
            )
            % {"by_whom": by_whom, "reference": application.reference, "program": program.display_name},
            w.body,
        ),
        Spacer(1, 2 * mm),
        w.para(pkr(award.amount), amount_style, bold=True),
    ]
    if not rtl:  # the amount in words is written in English (grants/words.py)
        story.append(Paragraph(f"({escape(amount_in_words(award.amount))})", w.body))
    story.append(Spacer(1, 3 * mm))
    terms = loan_terms(award, example_disbursement=offered.date())
    if terms:
        story += [w.para(_("Terms of the loan"), w.heading, bold=True), w.table(terms, (40 * mm, 120 * mm))]
        story.append(Spacer(1, 3 * mm))
    if award.conditions:
        story.append(w.para(_("Conditions of the award"), w.heading, bold=True))
        for line in [line.strip() for line in award.conditions.splitlines() if line.strip()]:
            story.append(w.para(f"• {line}", w.body))
        story.append(Spacer(1, 3 * mm))
    story += [
        w.para(_("Acceptance"), w.heading, bold=True),
        w.para(
            _(
                "Please accept the award in the Sahulat portal. Payments follow the program's rules and, for a "
                "grant, the milestones of your application. No official may ask you for money or favours: report "
                "any such request through the portal's grievance page."
            ),
            w.body,
        ),
        Spacer(1, 10 * mm),
        w.para(_("For the Program Secretariat"), w.body),
        w.para(_("Sahulat — Punjab coworking support"), w.small),
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
