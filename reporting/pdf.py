"""What the quarterly reports' PDF summaries share: the house colours, the figures table and the
landscape A4 page (reportlab)."""

from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import cm
from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

BRAND = colors.HexColor("#00583A")
RULE = colors.HexColor("#C9D1D6")


def figures_table(header: list[str], rows: list[list[str]], text_cols: int, *, font_size: int = 8) -> Table:
    """A table of figures: a header row in the brand colour, the first `text_cols` columns text, the
    rest right-aligned numbers, and the last row (the total) in bold. Repeats its header on a new page."""
    table = Table([header, *rows], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), BRAND),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), font_size),
                ("ALIGN", (text_cols, 1), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def build_landscape(path: Path, story: list, *, title: str, side_margin: float = 1.5 * cm) -> None:
    """Write `story` to `path` on landscape A4 pages."""
    SimpleDocTemplate(
        str(path),
        pagesize=landscape(A4),
        title=title,
        author="Sahulat",
        leftMargin=side_margin,
        rightMargin=side_margin,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
    ).build(story)
