"""A server-rendered SVG line chart (no JavaScript): the dashboard's utilization trend."""

from django.utils.html import format_html
from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 48


def trend_svg(points: list[tuple[str, float | None, float | None]], *, title: str, labels: tuple[str, str]) -> str:
    """points: (month label, occupancy, utilization) with shares 0..1 (None where nothing was filed)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(len(points), 1)

    # format_html escapes its arguments before formatting, so numbers arrive as formatted text.
    def x(i) -> str:
        return f"{LEFT + (plot_w * i / (n - 1) if n > 1 else plot_w / 2):.1f}"

    def y(share) -> str:
        return f"{TOP + plot_h * (1 - share):.1f}"

    parts = [
        format_html(
            '<svg class="chart" width="100%" viewBox="0 0 {} {}" role="img" aria-labelledby="trend-title" '
            'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">',
            WIDTH,
            HEIGHT,
        ),
        format_html('<title id="trend-title">{}</title>', title),
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#c9d1d6" stroke-width="1"/>'
                '<text x="{}" y="{}" font-size="12" text-anchor="end" fill="#4a5561">{}%</text>',
                LEFT,
                WIDTH - RIGHT,
                y(tick),
                y(tick),
                LEFT - 6,
                f"{float(y(tick)) + 4:.1f}",
                int(tick * 100),
            )
        )
    for index, (label, _occ, _util) in enumerate(points):
        if n <= 8 or index % 2 == 0 or index == n - 1:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="#4a5561">{}</text>',
                    x(index),
                    HEIGHT - BOTTOM + 18,
                    label,
                )
            )
    for series, colour, dash in ((1, "#00583a", ""), (2, "#b35900", "6 4")):
        coords = [f"{x(i)},{y(p[series])}" for i, p in enumerate(points) if p[series] is not None]
        if coords:
            parts.append(
                format_html(
                    '<polyline fill="none" stroke="{}" stroke-width="3" stroke-dasharray="{}" points="{}"/>',
                    colour,
                    dash,
                    " ".join(coords),
                )
            )
            for coord in coords:
                cx, cy = coord.split(",")
                parts.append(format_html('<circle cx="{}" cy="{}" r="3.5" fill="{}"/>', cx, cy, colour))
    legend_y = HEIGHT - 10
    parts.append(
        format_html(
            '<rect x="{}" y="{}" width="14" height="4" fill="#00583a"/>'
            '<text x="{}" y="{}" font-size="12">{}</text>'
            '<rect x="{}" y="{}" width="14" height="4" fill="#b35900"/>'
            '<text x="{}" y="{}" font-size="12">{}</text>',
            LEFT,
            legend_y - 4,
            LEFT + 20,
            legend_y,
            labels[0],
            LEFT + 180,
            legend_y - 4,
            LEFT + 200,
            legend_y,
            labels[1],
        )
    )
    parts.append(mark_safe("</svg>"))  # noqa: S308 — a constant
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 — every part is built by format_html
