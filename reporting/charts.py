"""The home page's RAG charts as inline SVG, drawn on the server (like outcomes/charts.py).

No scripts, no external fetches, every text escaped here. Each chart comes with its text
alternative (the SVG's <title> and <desc>, also returned for the page to print) and the rows
of the data table pages put beside it in a details element: colour is never the only way in.
"""

from dataclasses import dataclass, field

from django.utils.html import escape

from plans import rag

FONT = "Arial, Helvetica, sans-serif"


@dataclass
class ChartRow:
    """One bar: its label and the count of each RAG status, in ``rag.ORDER``."""

    label: str
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class Chart:
    """A chart ready for a page: the SVG, its text alternative and its data table."""

    dom_id: str
    title: str
    description: str
    svg: str
    rows: list[ChartRow] = field(default_factory=list)
    headers: list[str] = field(default_factory=lambda: [rag.label(s) for s in rag.ORDER])


def _counts_sentence(counts: list[int]) -> str:
    parts = [f"{n} {rag.label(s)}" for s, n in zip(rag.ORDER, counts, strict=True) if n]
    return ", ".join(parts) if parts else "no milestones"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _head(dom_id: str, title: str, description: str, width: int, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-trend-chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{dom_id}-title {dom_id}-desc" font-family="{FONT}" font-size="14">'
        f'<title id="{dom_id}-title">{escape(title)}</title>'
        f'<desc id="{dom_id}-desc">{escape(description)}</desc>'
    )


def _legend(y: int, x: int = 0) -> str:
    parts = []
    for status in map(rag.status_for, rag.ORDER):
        parts.append(
            f'<rect x="{x}" y="{y - 12}" width="14" height="14" fill="{status.colour}" '
            f'stroke="#0b0c0c" stroke-width="0.5"/>'
            f'<text x="{x + 19}" y="{y}" fill="#0b0c0c">{escape(status.label)}</text>'
        )
        x += 34 + 8 * len(status.label)
    return "".join(parts)


def _segment(x: float, y: float, w: float, h: float, status: str, count: int, *, across: bool):
    colour = rag.status_for(status)
    out = (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
        f'fill="{colour.colour}" stroke="#ffffff"/>'
    )
    if (w if across else h) >= 18 and (h if across else w) >= 16:
        out += (
            f'<text x="{x + w / 2:.1f}" y="{y + h / 2 + 5:.1f}" text-anchor="middle" '
            f'fill="{colour.ink}">{count}</text>'
        )
    return out


def rag_bars(*, dom_id: str, title: str, rows: list[ChartRow], width: int = 640) -> Chart:
    """A horizontal stacked bar per row (a priority, an organisation), worst status first."""
    row_height, bar_height = 46, 22
    height = row_height * len(rows) + 40
    biggest = max([row.total for row in rows] + [1])
    description = "; ".join(f"{row.label}: {_counts_sentence(row.counts)}" for row in rows) + "."
    parts = [_head(dom_id, title, description, width, height)]
    for index, row in enumerate(rows):
        y = index * row_height
        parts.append(
            f'<text x="0" y="{y + 15}" fill="#0b0c0c">{escape(_short(row.label, width // 8 - 5))} '
            f"({row.total})</text>"
        )
        x = 0.0
        for status, count in zip(rag.ORDER, row.counts, strict=True):
            if count:
                w = count / biggest * (width - 2)
                parts.append(_segment(x, y + 20, w, bar_height, status, count, across=True))
                x += w
    parts.append(_legend(height - 8))
    parts.append("</svg>")
    return Chart(dom_id=dom_id, title=title, description=description, svg="".join(parts), rows=rows)


def rag_trend(*, dom_id: str, title: str, rows: list[ChartRow], width: int = 640) -> Chart:
    """A stacked column per quarter (oldest left), showing how the RAG mix moved."""
    height, top, bottom = 300, 10, 70
    plot = height - top - bottom
    biggest = max([row.total for row in rows] + [1])
    description = (
        "; ".join(f"{row.label}: {_counts_sentence(row.counts)}" for row in rows) + "."
        if rows
        else "No closed quarters yet."
    )
    parts = [_head(dom_id, title, description, width, height)]
    if not rows:
        parts.append(
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="#505a5f">'
            "No closed quarters yet</text></svg>"
        )
        return Chart(dom_id=dom_id, title=title, description=description, svg="".join(parts))
    slot = width / len(rows)
    column = min(80.0, slot * 0.7)
    baseline = top + plot
    parts.append(
        f'<line x1="0" y1="{baseline}" x2="{width}" y2="{baseline}" stroke="#0b0c0c" '
        f'stroke-width="1"/>'
    )
    for index, row in enumerate(rows):
        x = index * slot + (slot - column) / 2
        y = float(baseline)
        for status, count in zip(rag.ORDER, row.counts, strict=True):
            if count:
                h = count / biggest * plot
                y -= h
                parts.append(_segment(x, y, column, h, status, count, across=False))
        parts.append(
            f'<text x="{index * slot + slot / 2:.1f}" y="{baseline + 20}" text-anchor="middle" '
            f'fill="#0b0c0c">{escape(row.label)}</text>'
        )
    parts.append(_legend(height - 12))
    parts.append("</svg>")
    return Chart(dom_id=dom_id, title=title, description=description, svg="".join(parts), rows=rows)
