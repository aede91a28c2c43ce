"""Trend charts as inline SVG, drawn on the server: the same markup works in pages and PDFs.

No scripts, no external fetches, every text escaped. Series differ by line style and marker
shape as well as colour, and the chart has a title and a description; pages put the data
table beside it for anyone who cannot see it.
"""

import math
from decimal import Decimal

from django.utils.html import escape

from outcomes.formatting import format_value

FONT = "Arial, Helvetica, sans-serif"
# Sized for the full width of a page's main column (about 920 px at 100 % zoom), so the
# labels are drawn at 16 px and read at that size on screen, not scaled down.
LABEL_SIZE = 16
# (colour, dash pattern, marker) per series: never colour alone.
ACTUAL_STYLE = ("#1d70b8", "", "circle")
TARGET_STYLE = ("#0b0c0c", "8 5", "square")
COMPARATOR_STYLES = [
    ("#d4351c", "2 4", "triangle"),
    ("#00703c", "10 4 2 4", "diamond"),
    ("#6f72af", "4 4", "cross"),
    ("#f47738", "1 3", "triangle"),
]


def _nice_step(span: float, ticks: int = 5) -> float:
    raw = span / max(ticks, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return (
            f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="#ffffff" '
            f'stroke="{colour}" stroke-width="2"/>'
        )
    if shape == "triangle":
        return (
            f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} '
            f'{x - 5:.1f},{y + 4:.1f}" fill="{colour}"/>'
        )
    if shape == "diamond":
        return (
            f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} '
            f'{x - 5:.1f},{y:.1f}" fill="{colour}"/>'
        )
    if shape == "cross":
        return (
            f'<path d="M{x - 4:.1f},{y - 4:.1f} L{x + 4:.1f},{y + 4:.1f} M{x - 4:.1f},{y + 4:.1f} '
            f'L{x + 4:.1f},{y - 4:.1f}" stroke="{colour}" stroke-width="2"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'


def trend_svg(
    *,
    indicator,
    values=None,
    width: int = 920,
    height: int = 440,
    title: str | None = None,
) -> str:
    """An inline SVG of the indicator's actuals against its targets and comparators.

    ``values`` are the indicator's ``IndicatorValue`` rows (default: ``indicator.values``,
    prefetch them). Returns markup safe to insert into HTML or a WeasyPrint document: no
    scripts or external references, ``role="img"`` with a <title> and <desc>, text escaped.
    """
    rows = list(indicator.values.all() if values is None else values)
    title = title or f"{indicator.code}: {indicator.definition}"
    dom_id = f"trend-{indicator.pk or 'new'}"

    def fmt(number) -> str:
        return format_value(number, unit=indicator.unit, decimal_places=indicator.decimal_places)

    series: dict[tuple[str, str], dict] = {}
    for row in rows:
        if row.status != "value" or row.kind == "baseline":
            continue
        key = (row.kind, row.comparator)
        series.setdefault(key, {})[row.period] = row.value
    periods = sorted({p for points in series.values() for p in points}, key=lambda p: p.sort_key)

    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-trend-chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{dom_id}-title {dom_id}-desc" font-family="{FONT}">'
        f'<title id="{dom_id}-title">{escape(title)}</title>'
    )
    if not periods:
        return (
            f'{head}<desc id="{dom_id}-desc">No results to chart yet.</desc>'
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" '
            f'font-size="{LABEL_SIZE}" '
            f'fill="#505a5f">No results to chart yet</text></svg>'
        )

    ordered_keys = sorted(series, key=lambda k: ({"actual": 0, "target": 1}.get(k[0], 2), k[1]))
    styles = {}
    comparator_index = 0
    for key in ordered_keys:
        if key[0] == "actual":
            styles[key] = ("Actual", *ACTUAL_STYLE)
        elif key[0] == "target":
            styles[key] = ("Target", *TARGET_STYLE)
        else:
            style = COMPARATOR_STYLES[comparator_index % len(COMPARATOR_STYLES)]
            comparator_index += 1
            styles[key] = (key[1], *style)

    numbers = [float(v) for points in series.values() for v in points.values()]
    low, high = min(numbers), max(numbers)
    if low == high:
        low, high = low - (abs(low) or 1) * 0.5, high + (abs(high) or 1) * 0.5
    step = _nice_step(high - low)
    low = math.floor(low / step) * step
    high = math.ceil(high / step) * step

    left, right, top, bottom = 96, 24, 24, 96
    plot_w, plot_h = width - left - right, height - top - bottom

    def x_of(index: int) -> float:
        if len(periods) == 1:
            return left + plot_w / 2
        return left + plot_w * index / (len(periods) - 1)

    def y_of(number: float) -> float:
        return top + plot_h * (1 - (number - low) / (high - low))

    parts = [head]
    summary = []
    for key in ordered_keys:
        name = styles[key][0]
        points = series[key]
        described = ", ".join(f"{p.label} {fmt(points[p])}" for p in periods if p in points)
        summary.append(f"{name}: {described}.")
    parts.append(f'<desc id="{dom_id}-desc">{escape(" ".join(summary))}</desc>')

    # Axes and grid
    tick = low
    while tick <= high + step / 1000:
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="#b1b4b6" stroke-width="1"/>'
            f'<text x="{left - 10}" y="{y + 5:.1f}" text-anchor="end" font-size="{LABEL_SIZE}" '
            f'fill="#0b0c0c">{escape(fmt(Decimal(str(round(tick, 6)))))}</text>'
        )
        tick += step
    # At 16 px a quarter's label ("19/20 Q3") is about 70 px wide: label every n-th period
    # when they would overlap (the data table and the description have them all).
    every = max(1, math.ceil(len(periods) * 9 * LABEL_SIZE * 0.6 / plot_w))
    for index, period in enumerate(periods):
        if index % every:
            continue
        x = x_of(index)
        parts.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 24}" text-anchor="middle" '
            f'font-size="{LABEL_SIZE}" '
            f'fill="#0b0c0c">{escape(period.short_label)}</text>'
        )

    # Series: lines join consecutive periods that have a value
    for key in ordered_keys:
        name, colour, dash, marker = styles[key]
        points = series[key]
        coords = [(x_of(i), y_of(float(points[p]))) for i, p in enumerate(periods) if p in points]
        if len(coords) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"'
                f"{dash_attr}/>"
            )
        parts.extend(_marker(marker, x, y, colour) for x, y in coords)

    # Legend, below the axis labels
    legend_y = height - 32
    x = left
    for key in ordered_keys:
        name, colour, dash, marker = styles[key]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{x}" y1="{legend_y}" x2="{x + 30}" y2="{legend_y}" stroke="{colour}" '
            f'stroke-width="2"{dash_attr}/>'
        )
        parts.append(_marker(marker, x + 15, legend_y, colour))
        parts.append(
            f'<text x="{x + 38}" y="{legend_y + 5}" font-size="{LABEL_SIZE}" fill="#0b0c0c">'
            f"{escape(name)}</text>"
        )
        x += 52 + 9 * len(name)
    parts.append("</svg>")
    return "".join(parts)
