"""Charts as inline SVG: bars, a histogram, a heatmap and small line charts.

Every chart is a self-contained `<svg role="img">` with a `<title>` and a
`<desc>` that states the data in words (what a screen reader reads), values
written on the chart itself (readable without colour and on paper), and the
Okabe-Ito palette, which people with any common colour-vision deficiency can
tell apart. No scripts, no external fonts or files.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Sequence

__all__ = ["PALETTE", "bar_chart", "column_chart", "heatmap", "line_charts"]

# Okabe & Ito (2008), "Color Universal Design".
PALETTE = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "green": "#009E73",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
# Light to dark blue for the heatmap: readable as a sequence in grey too.
_BLUES = ("#f7fbff", "#d6e6f4", "#abd0e6", "#6aaed6", "#3787c0", "#105ba4", "#08306b")
_FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'
_ids = itertools.count(1)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _open(width: int, height: int, title: str, desc: str) -> tuple[str, str]:
    n = next(_ids)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" class="chart" '
        f'aria-labelledby="chart{n}-title chart{n}-desc" {_FONT} font-size="12">'
        f'<title id="chart{n}-title">{_e(title)}</title>'
        f'<desc id="chart{n}-desc">{_e(desc)}</desc>'
    )
    return head, "</svg>"


def reset_ids() -> None:
    """Start chart ids at 1 again, so one report renders the same every time."""
    global _ids
    _ids = itertools.count(1)


def _clip(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def _describe(items: Sequence[tuple[str, int]], unit: str) -> str:
    if not items:
        return f"No {unit}."
    return "; ".join(f"{label}: {value}" for label, value in items) + "."


def bar_chart(
    title: str,
    items: Sequence[tuple[str, int]],
    *,
    unit: str = "articles",
    color: str = PALETTE["blue"],
    width: int = 640,
    label_chars: int = 28,
) -> str:
    """Horizontal bars, one per item, largest first as given, with the value at the end."""
    row, top, left = 22, 8, 8 + 7 * label_chars
    height = top * 2 + row * max(len(items), 1)
    head, tail = _open(width, height, title, _describe(items, unit))
    peak = max((v for _, v in items), default=0) or 1
    span = width - left - 56
    parts = [head]
    if not items:
        parts.append(f'<text x="8" y="{top + 14}" fill="#333">No {_e(unit)}.</text>')
    for i, (label, value) in enumerate(items):
        y = top + i * row
        length = max(1.0, span * value / peak) if value else 0.0
        parts.append(
            f'<text x="{left - 8}" y="{y + 15}" text-anchor="end" fill="#222">'
            f"<title>{_e(label)}</title>{_e(_clip(label, label_chars))}</text>"
            f'<rect x="{left}" y="{y + 3}" width="{length:.1f}" height="{row - 6}" '
            f'fill="{color}"/>'
            f'<text x="{left + length + 6:.1f}" y="{y + 15}" fill="#222">{value}</text>'
        )
    parts.append(tail)
    return "".join(parts)


def column_chart(
    title: str,
    items: Sequence[tuple[str, int]],
    *,
    unit: str = "articles",
    colors: Sequence[str] = (),
    width: int = 640,
    height: int = 220,
) -> str:
    """Vertical columns (a histogram of ordered buckets), values on top, labels below."""
    head, tail = _open(width, height, title, _describe(items, unit))
    top, bottom, left = 20, 40, 12
    n = max(len(items), 1)
    slot = (width - 2 * left) / n
    peak = max((v for _, v in items), default=0) or 1
    plot = height - top - bottom
    parts = [head, f'<line x1="{left}" y1="{height - bottom}" x2="{width - left}" '
             f'y2="{height - bottom}" stroke="#555"/>']  # fmt: skip
    for i, (label, value) in enumerate(items):
        x = left + i * slot + slot * 0.15
        w = slot * 0.7
        h = plot * value / peak
        y = height - bottom - h
        color = colors[i] if i < len(colors) else PALETTE["blue"]
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{color}"/>'
            f'<text x="{x + w / 2:.1f}" y="{y - 5:.1f}" text-anchor="middle" fill="#222">'
            f"{value}</text>"
            f'<text x="{x + w / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
            f'fill="#222">{_e(_clip(label, int(slot / 6.5)))}</text>'
        )
    parts.append(tail)
    return "".join(parts)


def heatmap(
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    counts: dict[tuple[str, str], int],
    *,
    thin: int,
) -> str:
    """A grid of counts, darker for more; empty cells hatched and marked "0 · gap", thin
    cells outlined, so the gaps read without colour."""
    cell_w, cell_h, left, top = 96, 40, 110, 34
    width = left + cell_w * max(len(columns), 1) + 10
    height = top + cell_h * max(len(rows), 1) + 10
    empty = [f"{r} × {c}" for r in rows for c in columns if counts.get((r, c), 0) == 0]
    desc = "; ".join(f"{r} × {c}: {counts.get((r, c), 0)}" for r in rows for c in columns) + "."
    if empty:
        desc += f" Empty cells: {', '.join(empty)}."
    head, tail = _open(width, height, title, desc)
    peak = max(counts.values(), default=0) or 1
    n = next(_ids)
    parts = [
        head,
        f'<defs><pattern id="hatch{n}" width="8" height="8" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="8" height="8" fill="#fff"/>'
        f'<line x1="0" y1="0" x2="0" y2="8" stroke="{PALETTE["vermillion"]}" '
        f'stroke-width="2" opacity="0.45"/></pattern></defs>',
    ]
    for j, column in enumerate(columns):
        x = left + j * cell_w + cell_w / 2
        parts.append(
            f'<text x="{x:.0f}" y="{top - 12}" text-anchor="middle" fill="#222" '
            f'font-weight="600">{_e(_clip(column, 14))}</text>'
        )
    for i, row in enumerate(rows):
        y = top + i * cell_h
        parts.append(
            f'<text x="{left - 8}" y="{y + cell_h / 2 + 4:.0f}" text-anchor="end" fill="#222" '
            f'font-weight="600">{_e(_clip(row, 16))}</text>'
        )
        for j, column in enumerate(columns):
            x = left + j * cell_w
            value = counts.get((row, column), 0)
            if value == 0:
                fill, ink, text = f"url(#hatch{n})", PALETTE["vermillion"], "0 · gap"
            else:
                level = 1 + round((len(_BLUES) - 2) * value / peak)
                fill = _BLUES[min(level, len(_BLUES) - 1)]
                ink = "#fff" if level >= 4 else "#111"
                text = f"{value} · thin" if value < thin else str(value)
            outline = (
                f' stroke="{PALETTE["orange"]}" stroke-width="3"'
                if 0 < value < thin
                else ' stroke="#fff" stroke-width="2"'
            )
            parts.append(
                f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" '
                f'fill="{fill}"{outline}><title>{_e(row)} × {_e(column)}: {value}</title></rect>'
                f'<text x="{x + cell_w / 2:.0f}" y="{y + cell_h / 2 + 4:.0f}" '
                f'text-anchor="middle" fill="{ink}" font-weight="600">{_e(text)}</text>'
            )
    parts.append(tail)
    return "".join(parts)


def line_charts(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int | None], str]],
    *,
    width: int = 640,
    height: int = 170,
) -> str:
    """Small multiples: one small line chart per series, side by side, each on its own
    scale (article counts and error counts differ by orders of magnitude)."""
    desc = " ".join(
        f"{name}: "
        + ", ".join(
            f"{lab} {'n/a' if v is None else v}" for lab, v in zip(labels, values, strict=True)
        )
        + "."
        for name, values, _ in series
    )
    head, tail = _open(width, height, title, desc)
    parts = [head]
    k = max(len(series), 1)
    panel = width / k
    top, bottom, pad = 34, 26, 18
    for s, (name, values, color) in enumerate(series):
        x0 = s * panel + pad
        x1 = (s + 1) * panel - pad
        known = [v for v in values if v is not None]
        lo, hi = (min(known), max(known)) if known else (0, 1)
        if hi == lo:
            lo, hi = max(lo - 1, 0), hi + 1
        plot_h = height - top - bottom
        step = (x1 - x0) / max(len(values) - 1, 1)

        def at(i: int, v: int, x0: float = x0, step: float = step) -> tuple[float, float]:
            return x0 + i * step, top + plot_h * (1 - (v - lo) / (hi - lo))  # noqa: B023

        last = known[-1] if known else None
        parts.append(
            f'<text x="{x0}" y="14" fill="#222" font-weight="600">{_e(name)}</text>'
            f'<text x="{x0}" y="28" fill="#555" font-size="11">'
            f"{'' if last is None else f'now {last}'}"
            f"{'' if len(known) < 2 else f', was {known[0]}'}</text>"
            f'<line x1="{x0}" y1="{height - bottom}" x2="{x1}" y2="{height - bottom}" '
            f'stroke="#999"/>'
        )
        path: list[str] = []
        for i, v in enumerate(values):
            if v is None:
                continue
            x, y = at(i, v)
            path.append(f"{'M' if not path else 'L'}{x:.1f},{y:.1f}")
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}">'
                f"<title>{_e(labels[i])}: {v}</title></circle>"
            )
        if path:
            parts.append(
                f'<path d="{" ".join(path)}" fill="none" stroke="{color}" stroke-width="2"/>'
            )
        for i in (0, len(labels) - 1) if labels else ():
            x = x0 + i * step
            parts.append(
                f'<text x="{x:.1f}" y="{height - bottom + 15}" fill="#555" font-size="11" '
                f'text-anchor="{"start" if i == 0 else "end"}">{_e(labels[i])}</text>'
            )
    parts.append(tail)
    return "".join(parts)
