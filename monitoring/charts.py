"""Small inline SVG charts of an indicator over recent quarters, for the review page and the PDFs.

Each chart is an image to assistive technology (`role="img"`) named by its <title> and described by a
<desc> that lists every value and the target in words, so nothing is shown by the picture alone. Bars
carry their value as text too. Colours are presentation attributes, not styles, so the page's Content
Security Policy (no inline styles) is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import count

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import RAG_COLOURS, Rag

WIDTH, HEIGHT = 300, 120
TOP, BOTTOM, LEFT = 18, 24, 6
_ids = count(1)


@dataclass(frozen=True)
class Point:
    label: str  # e.g. "Q3 25/26"
    value: Decimal | None
    text: str  # the value as shown, e.g. "224" or "92.5%"
    rag: str = Rag.NONE


def short_label(financial_year: int, quarter: int) -> str:
    return f"Q{quarter} {financial_year % 100:02d}/{(financial_year + 1) % 100:02d}"


def trend_svg(
    *, title: str, points: list[Point], target: Decimal | None, target_text: str = "", fluid: bool = False
) -> SafeString:
    """Bars for each quarter (oldest first), a dashed line at the target, the values written above.

    `fluid` charts fill their container's width (in the PDFs); otherwise they are 300 by 120 pixels."""
    uid = f"chart-{next(_ids)}"
    known = [p.value for p in points if p.value is not None]
    top = max([*known, target or Decimal("0"), Decimal("1")]) * Decimal("1.15")
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - 2 * LEFT) / max(len(points), 1)
    bar = slot * 0.56

    def y(value: Decimal) -> float:
        return TOP + plot_height - float(value / top) * plot_height

    size = 'width="100%"' if fluid else f'width="{WIDTH}" height="{HEIGHT}"'
    said = "; ".join(f"{p.label}: {p.text or 'no figure'}" for p in points)
    target_words = f" Target: {target_text}." if target is not None and target_text else ""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" {size} '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" aria-labelledby="{uid}-t {uid}-d">',
        f'<title id="{uid}-t">{escape(title)}</title>',
        f'<desc id="{uid}-d">{escape(said)}.{escape(target_words)}</desc>',
        f'<line x1="{LEFT}" y1="{TOP + plot_height}" x2="{WIDTH - LEFT}" y2="{TOP + plot_height}" '
        'stroke="#505a5f" stroke-width="1"/>',
    ]
    for index, point in enumerate(points):
        x = LEFT + index * slot + (slot - bar) / 2
        centre = x + bar / 2
        if point.value is not None:
            top_y = y(point.value)
            colour = RAG_COLOURS.get(point.rag, RAG_COLOURS[Rag.NONE])
            parts.append(
                f'<rect x="{x:.1f}" y="{top_y:.1f}" width="{bar:.1f}" height="{TOP + plot_height - top_y:.1f}" '
                f'fill="{colour}"/>'
            )
            parts.append(
                f'<text x="{centre:.1f}" y="{top_y - 3:.1f}" font-size="12" text-anchor="middle" '
                f'font-family="Arial, sans-serif" fill="#0b0c0c">{escape(point.text)}</text>'
            )
        else:
            parts.append(
                f'<text x="{centre:.1f}" y="{TOP + plot_height - 4:.1f}" font-size="12" text-anchor="middle" '
                'font-family="Arial, sans-serif" fill="#505a5f">none</text>'
            )
        parts.append(
            f'<text x="{centre:.1f}" y="{HEIGHT - 6}" font-size="12" text-anchor="middle" '
            f'font-family="Arial, sans-serif" fill="#0b0c0c">{escape(point.label)}</text>'
        )
    if target is not None:
        target_y = y(target)
        parts.append(
            f'<line x1="{LEFT}" y1="{target_y:.1f}" x2="{WIDTH - LEFT}" y2="{target_y:.1f}" stroke="#0b0c0c" '
            'stroke-width="1.5" stroke-dasharray="5 3"/>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in it is escaped above
