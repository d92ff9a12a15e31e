"""Render review reports and plans: Rich tables, Markdown, CSV, JSON, HTML.

Each renderer takes the core's frozen data and returns text (or prints to a
Rich console); nothing here decides a status. HTML pages are self-contained
(inline CSS, no scripts, no external requests) and every value is escaped.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbtool.corpus.discover import relative_path
from kbtool.dates import Interval
from kbtool.review import (
    UNASSIGNED,
    PlanEntry,
    ReviewItem,
    ReviewPlan,
    ReviewReport,
    ReviewStatus,
    ReviewSummary,
)

if TYPE_CHECKING:
    from rich.console import Console

REPORT_SCHEMA = "kbtool.review/1"
PLAN_SCHEMA = "kbtool.review-plan/1"
GROUPS = ("owner", "section", "locale", "status", "type", "none")
_STYLE = {
    ReviewStatus.OVERDUE: "red",
    ReviewStatus.NEVER_REVIEWED: "magenta",
    ReviewStatus.DUE_SOON: "yellow",
    ReviewStatus.OK: "green",
}
CHANGED_FLAG = "changed since review"


@dataclass(frozen=True)
class Group:
    """Items sharing one value of the `--group-by` field."""

    name: str
    items: tuple[ReviewItem, ...]

    @property
    def summary(self) -> ReviewSummary:
        return ReviewSummary.of(self.items)


def group_value(item: ReviewItem, by: str) -> str:
    article = item.article
    if by == "owner":
        return item.owner
    if by == "section":
        return article.section
    if by == "locale":
        return article.locale
    if by == "status":
        return item.status.value
    if by == "type":
        return article.type or "(no type)"
    return ""


def group_items(items: Sequence[ReviewItem], by: str) -> list[Group]:
    """Items grouped by `by` (in their given order within a group).

    Groups are alphabetical ("unassigned" and "(no type)" last), except by
    status, which goes from most to least urgent.
    """
    if by == "none":
        return [Group("", tuple(items))]
    groups: dict[str, list[ReviewItem]] = {}
    for item in items:
        groups.setdefault(group_value(item, by), []).append(item)
    if by == "status":
        order = [s.value for s in ReviewStatus]
        names = sorted(groups, key=order.index)
    else:
        names = sorted(groups, key=lambda n: (n in (UNASSIGNED, "(no type)"), n.lower(), n))
    return [Group(name, tuple(groups[name])) for name in names]


def rel_path(path: Path, root: Path) -> str:
    return relative_path(path, root)


def _date(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def last_reviewed_text(item: ReviewItem) -> str:
    """`2026-09-14`, or `never (edited 2026-11-23)`: context, not a review."""
    if item.last_reviewed is not None:
        return item.last_reviewed.isoformat()
    edited = item.last_edited
    return f"never (last edited {edited.isoformat()})" if edited else "never"


def notes_text(item: ReviewItem) -> str:
    notes = [CHANGED_FLAG] if item.changed_since_review else []
    if not item.article.is_published:
        notes.append(item.article.status)
    notes.extend(item.notes)
    return "; ".join(notes)


def interval_text(item: ReviewItem) -> str:
    source = item.interval_source
    text = interval_label(item.interval)
    return text if source == "default" else f"{text} ({source})"


def interval_label(interval: Interval) -> str:
    """`quarterly`, `6 months`, `14d`, `180d`: days stay days (14d is not "biweekly")."""
    if interval.days and not interval.months:
        return f"{interval.days}d"
    return str(interval)


# --------------------------------------------------------------------------- status: data


def item_record(item: ReviewItem, root: Path) -> dict[str, Any]:
    """One article of the JSON report (`articles[]` of kbtool.review/1)."""
    a = item.article
    return {
        "path": rel_path(a.path, root),
        "id": a.id,
        "locale": a.locale,
        "title": a.title,
        "section": a.section,
        "type": a.type,
        "article_status": a.status,
        "status": item.status.value,
        "last_reviewed": _date(item.last_reviewed) or None,
        "reviewed_by": a.reviewed_by,
        "due": _date(item.due) or None,
        "days_overdue": item.days_overdue,
        "interval": interval_label(item.interval),
        "interval_months": item.interval.months,
        "interval_days": item.interval.days,
        "interval_source": item.interval_source,
        "owner": item.owner,
        "owners": list(item.owners),
        "owner_source": item.owner_source.value,
        "last_edited": _date(item.last_edited) or None,
        "changed_since_review": item.changed_since_review,
        "notes": list(item.notes),
    }


def summary_record(summary: ReviewSummary) -> dict[str, Any]:
    return {
        "total": summary.total,
        "overdue": summary.overdue,
        "due_soon": summary.due_soon,
        "never_reviewed": summary.never_reviewed,
        "ok": summary.ok,
        "on_schedule": summary.on_schedule,
        "on_schedule_pct": summary.on_schedule_pct,
    }


def report_json(
    report: ReviewReport,
    items: Sequence[ReviewItem],
    *,
    root: Path,
    filters: dict[str, Any],
) -> dict[str, Any]:
    """The whole `kbtool review --format json` document (schema kbtool.review/1)."""
    policy = report.policy
    codeowners = report.codeowners
    return {
        "schema": REPORT_SCHEMA,
        "as_of": report.as_of.isoformat(),
        "root": str(root),
        "policy": {
            "default_interval": interval_label(policy.default),
            "due_soon": interval_label(policy.due_soon),
            "intervals": {
                "section": {k: interval_label(v) for k, v in policy.sections.items()},
                "type": {k: interval_label(v) for k, v in policy.types.items()},
                "locale": {k: interval_label(v) for k, v in policy.locales.items()},
            },
        },
        "codeowners": rel_path(codeowners.path, root) if codeowners and codeowners.path else None,
        "filters": filters,
        "summary": summary_record(report.summary),
        "articles": [item_record(i, root) for i in items],
    }


CSV_COLUMNS = (
    "status", "days_overdue", "due", "last_reviewed", "last_edited", "interval",
    "interval_source", "owner", "owner_source", "locale", "section", "type", "id", "title",
    "path", "article_status", "changed_since_review", "reviewed_by", "notes",
)  # fmt: skip


def report_csv(items: Iterable[ReviewItem], root: Path) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for item in items:
        record = item_record(item, root)
        record["changed_since_review"] = "yes" if item.changed_since_review else ""
        record["notes"] = "; ".join(item.notes)
        writer.writerow(["" if record[c] is None else record[c] for c in CSV_COLUMNS])
    return buffer.getvalue()


# --------------------------------------------------------------------------- status: text


def _md(text: object) -> str:
    """A Markdown table cell: pipes escaped, one line."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _group_heading(group: Group, by: str) -> str:
    """`overdue (12)` by status; `billing-team (15: 4 overdue, 11 ok; 73% on schedule)`."""
    n = len(group.items)
    if by == "status":
        return f"{ReviewStatus(group.name).label} ({n})"
    summary = group.summary
    counts = ", ".join(f"{summary.count(s)} {s.label}" for s in ReviewStatus if summary.count(s))
    pct = f"{summary.on_schedule_pct:.1f}".removesuffix(".0")
    return f"{group.name} ({n}: {counts}; {pct}% on schedule)"


def when_text(item: ReviewItem) -> str:
    """`12 days overdue`, `due in 5 days`; empty for a never-reviewed article."""
    return "" if item.days_overdue is None else item.describe_due()


def report_markdown(
    report: ReviewReport, groups: Sequence[Group], *, by: str, root: Path, title: str
) -> str:
    lines = [
        f"# Review status: {title}",
        "",
        f"As of {report.as_of.isoformat()}. {report.summary}.",
        "",
    ]
    columns = ["status", "when", "article", "title", "last reviewed", "due", "interval"]
    if by != "owner":
        columns.append("owner")
    columns.append("notes")
    for group in groups:
        if group.name:
            lines += [f"## {_md(_group_heading(group, by))}", ""]
        lines.append("| " + " | ".join(columns) + " |")
        lines.append("|" + "---|" * len(columns))
        for item in group.items:
            cells = [
                item.status.label,
                when_text(item),
                f"`{rel_path(item.article.path, root)}`",
                item.article.title,
                last_reviewed_text(item),
                _date(item.due),
                interval_text(item),
            ]
            if by != "owner":
                cells.append(item.owner)
            cells.append(notes_text(item))
            lines.append("| " + " | ".join(_md(c) for c in cells) + " |")
        lines.append("")
    if not groups or not any(g.items for g in groups):
        lines += ["No articles match.", ""]
    return "\n".join(lines)


def print_report(
    console: Console, report: ReviewReport, groups: Sequence[Group], *, by: str, root: Path
) -> None:
    """A table per group, then the one-line summary."""
    paint = Painter.for_console(console)
    out: list[str] = []
    for group in groups:
        if not group.items:
            continue
        if group.name:
            out += ["", paint(_group_heading(group, by), "bold")]
        headers = ["status", "when", "article", "title", "last reviewed", "due", "interval"]
        if by != "owner":
            headers.append("owner")
        has_notes = any(notes_text(i) for i in group.items)
        if has_notes:
            headers.append("notes")
        rows = []
        for item in group.items:
            row = [
                item.status.label,
                when_text(item),
                rel_path(item.article.path, root),
                item.article.title,
                last_reviewed_text(item),
                _date(item.due),
                interval_text(item),
            ]
            if by != "owner":
                row.append(item.owner)
            if has_notes:
                row.append(notes_text(item))
            rows.append(row)
        styles = [_STYLE[i.status] for i in group.items]
        out += columns(
            headers,
            rows,
            paint=paint,
            caps={3: 48},
            first_styles=styles,
            max_width=_terminal_width(console),
            shrink=3,
        )
    if not any(g.items for g in groups):
        out.append("No articles match.")
    out += ["", f"As of {report.as_of.isoformat()}: {report.summary}"]
    write_lines(console, out)


# --------------------------------------------------------------------------- plain columns
#
# Rich's Table measures and wraps every cell: about 3 ms a row, half a minute for
# 10,000 articles. These tables are simple (one line a row, no wrapping), so they
# are laid out here in one pass and written in one go.


@dataclass(frozen=True)
class Painter:
    """Wraps text in the ANSI codes of a Rich style, or leaves it plain."""

    color_system: Any = None  # rich's ColorSystem; None: no colour

    @classmethod
    def for_console(cls, console: Console) -> Painter:
        colored = console.color_system is not None and not console.no_color
        return cls(console._color_system if colored else None)

    def __call__(self, text: str, style: str | None) -> str:
        if self.color_system is None or not style or not text:
            return text
        before, after = _codes(style, self.color_system)
        return before + text + after


@lru_cache(maxsize=64)
def _codes(style: str, color_system: Any) -> tuple[str, str]:
    from rich.style import Style

    rendered = Style.parse(style).render("\0", color_system=color_system)
    before, _, after = rendered.partition("\0")
    return before, after


def _width(text: str) -> int:
    """Terminal cells `text` takes (CJK characters take two)."""
    if text.isascii():
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


def columns(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    paint: Painter,
    caps: dict[int, int] | None = None,
    right: frozenset[int] = frozenset(),
    first_styles: Sequence[str | None] | None = None,
    row_styles: Sequence[str | None] | None = None,
    max_width: int | None = None,
    shrink: int | None = None,
) -> list[str]:
    """Lines of an aligned table: a bold header, a rule, one line per row.

    `caps` limits a column's width (longer cells end in "…"); columns in
    `right` are right-aligned; `first_styles` colour each row's first cell,
    `row_styles` whole rows. Widths count terminal cells, so CJK text lines up.
    A table wider than `max_width` (a terminal's) narrows column `shrink` (a
    title, say) down to `_MIN_SHRUNK` cells before it lets lines wrap.
    """
    caps = dict(caps or {})
    cells = [[_fit(c, caps.get(i)) for i, c in enumerate(r)] for r in rows]
    sizes = [[_width(c) for c in row] for row in cells]
    widths = _widths(headers, sizes)
    last = len(headers) - 1
    excess = sum(widths) + 2 * last - (max_width or sys.maxsize)
    if shrink is not None and excess > 0 and widths[shrink] > _MIN_SHRUNK:
        caps[shrink] = max(widths[shrink] - excess, _MIN_SHRUNK, _width(headers[shrink]))
        for row, row_sizes in zip(cells, sizes, strict=True):
            if row_sizes[shrink] > caps[shrink]:
                row[shrink] = _fit(row[shrink], caps[shrink])
                row_sizes[shrink] = _width(row[shrink])
        widths = _widths(headers, sizes)

    def line(row: Sequence[str], row_sizes: Sequence[int], first: str | None = None) -> str:
        parts = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - row_sizes[i])
            if i == 0 and first:
                cell = paint(cell, first)
            parts.append(pad + cell if i in right else cell if i == last else cell + pad)
        return "  ".join(parts).rstrip()

    out = [
        paint(line(headers, [_width(h) for h in headers]), "bold"),
        "─" * min(sum(widths) + 2 * last, max_width or sys.maxsize),
    ]
    for n, row in enumerate(cells):
        text = line(row, sizes[n], first_styles[n] if first_styles else None)
        style = row_styles[n] if row_styles else None
        out.append(paint(text, style) if style else text)
    return out


_MIN_SHRUNK = 16


def _widths(headers: Sequence[str], sizes: Sequence[Sequence[int]]) -> list[int]:
    """Each column's width: its widest cell (`sizes`: each cell's width), header included."""
    widths = [_width(h) for h in headers]
    for row in sizes:
        for i, n in enumerate(row):
            if n > widths[i]:
                widths[i] = n
    return widths


def _fit(text: str, cap: int | None) -> str:
    if not text.isprintable():
        text = "".join(c if c.isprintable() else " " for c in text)
    if cap is not None and _width(text) > cap:
        from rich.cells import set_cell_size

        return str(set_cell_size(text, cap - 1)).rstrip() + "…"
    return text


def _terminal_width(console: Console) -> int | None:
    """The width to fit a table in: a terminal's; None (any) for a file or a pipe."""
    return console.width if console.is_terminal else None


def write_lines(console: Console, lines: Sequence[str]) -> None:
    """Write finished lines straight to the console's file (one write, no re-rendering)."""
    console.file.write("\n".join(lines) + "\n")
    console.file.flush()


# --------------------------------------------------------------------------- HTML

_CSS = """
:root { color-scheme: light dark; --fg: #1f2328; --bg: #fff; --muted: #59636e;
  --line: #d1d9e0; --overdue: #b42318; --never: #8a3ffc; --soon: #9a6700; --ok: #1a7f37; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117;
  --muted: #9198a1; --line: #3d444d; --overdue: #ff7b72; --never: #d2a8ff;
  --soon: #e3b341; --ok: #56d364; } }
body { font: 15px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg);
  margin: 2rem auto; max-width: 75rem; padding: 0 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
p.summary { font-size: 1.05rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { font-weight: 600; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font-size: 0.85rem; word-break: break-all; }
.overdue { color: var(--overdue); font-weight: 600; } .never-reviewed { color: var(--never); }
.due-soon { color: var(--soon); } .ok { color: var(--ok); }
.muted { color: var(--muted); } .warning { color: var(--soon); font-weight: 600; }
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _page(title: str, body: list[str]) -> str:
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_e(title)}</title>",
            f"<style>{_CSS}</style>",
            "</head>",
            "<body>",
            *body,
            "</body>",
            "</html>",
            "",
        ]
    )


def report_html(
    report: ReviewReport, groups: Sequence[Group], *, by: str, root: Path, title: str
) -> str:
    body = [
        f"<h1>Review status: {_e(title)}</h1>",
        f'<p class="summary">As of {_e(report.as_of.isoformat())}: {_e(report.summary)}</p>',
    ]
    headers = ["status", "when", "article", "title", "last reviewed", "due", "interval"]
    if by != "owner":
        headers.append("owner")
    headers.append("notes")
    for group in groups:
        if group.name:
            body.append(f"<h2>{_e(_group_heading(group, by))}</h2>")
        if not group.items:
            continue
        body.append("<table>")
        body.append(
            "<thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in headers) + "</tr></thead><tbody>"
        )
        for item in group.items:
            cells = [
                f'<td class="{_e(item.status.value)}">{_e(item.status.label)}</td>',
                f"<td>{_e(when_text(item))}</td>",
                f"<td><code>{_e(rel_path(item.article.path, root))}</code></td>",
                f"<td>{_e(item.article.title)}</td>",
                f"<td>{_e(last_reviewed_text(item))}</td>",
                f"<td>{_e(_date(item.due))}</td>",
                f"<td>{_e(interval_text(item))}</td>",
            ]
            if by != "owner":
                cells.append(f"<td>{_e(item.owner)}</td>")
            cells.append(f'<td class="muted">{_e(notes_text(item))}</td>')
            body.append("<tr>" + "".join(cells) + "</tr>")
        body.append("</tbody></table>")
    if not any(g.items for g in groups):
        body.append("<p>No articles match.</p>")
    return _page(f"Review status: {title}", body)


# --------------------------------------------------------------------------- plan


def _week_label(monday: dt.date) -> str:
    _year, week, _ = monday.isocalendar()
    return f"W{week:02d}"


def plan_json(plan: ReviewPlan, *, root: Path, filters: dict[str, Any]) -> dict[str, Any]:
    """The whole `kbtool review plan --format json` document (kbtool.review-plan/1)."""
    return {
        "schema": PLAN_SCHEMA,
        "as_of": plan.as_of.isoformat(),
        "period": {
            "label": plan.label,
            "start": plan.start.isoformat(),
            "end": plan.end.isoformat(),
        },
        "root": str(root),
        "filters": filters,
        "weeks": [
            {"week": f"{m.isocalendar()[0]}-{_week_label(m)}", "start": m.isoformat()}
            for m in plan.weeks
        ],
        "owners": [
            {
                "owner": o.owner,
                "weekly": list(o.weekly),
                "scheduled": o.scheduled,
                "backlog": o.backlog,
                "total": o.total,
                "peak_week": o.peak,
            }
            for o in plan.owners
        ],
        "entries": [_entry_record(e, root) for e in plan.entries],
        "backlog": [item_record(i, root) for i in plan.backlog],
        "warnings": list(plan.warnings),
    }


def _entry_record(entry: PlanEntry, root: Path) -> dict[str, Any]:
    a = entry.item.article
    return {
        "due": entry.due.isoformat(),
        "week_start": entry.week.isoformat(),
        "repeat": entry.repeat,
        "owner": entry.item.owner,
        "path": rel_path(a.path, root),
        "id": a.id,
        "locale": a.locale,
        "title": a.title,
        "section": a.section,
        "interval": interval_label(entry.item.interval),
    }


PLAN_CSV_COLUMNS = (
    "due",
    "week_start",
    "owner",
    "locale",
    "section",
    "id",
    "title",
    "path",
    "interval",
    "repeat",
    "backlog",
)


def plan_csv(plan: ReviewPlan, root: Path) -> str:
    """One row per review: the backlog first (no due date in the period), then by date."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(PLAN_CSV_COLUMNS)
    for item in plan.backlog:
        a = item.article
        writer.writerow(
            [
                _date(item.due),
                "",
                item.owner,
                a.locale,
                a.section,
                a.id,
                a.title,
                rel_path(a.path, root),
                interval_label(item.interval),
                "",
                item.status.value,
            ]
        )
    for entry in plan.entries:
        r = _entry_record(entry, root)
        writer.writerow(
            [
                r["due"],
                r["week_start"],
                r["owner"],
                r["locale"],
                r["section"],
                r["id"],
                r["title"],
                r["path"],
                r["interval"],
                r["repeat"],
                "",
            ]
        )
    return buffer.getvalue()


def _plan_intro(plan: ReviewPlan) -> str:
    return (
        f"{plan.start.isoformat()} to {plan.end.isoformat()} ({len(plan.weeks)} weeks), "
        f"as of {plan.as_of.isoformat()}: {len(plan.entries)} review(s) fall due; "
        f"backlog of {len(plan.backlog)} overdue or never reviewed"
    )


def _load_header(plan: ReviewPlan) -> list[str]:
    return [
        "owner",
        "backlog",
        *(f"{_week_label(m)} {m.strftime('%m-%d')}" for m in plan.weeks),
        "due",
        "total",
    ]


def _load_rows(plan: ReviewPlan) -> list[list[str]]:
    rows = [
        [
            o.owner,
            str(o.backlog),
            *(str(n) if n else "·" for n in o.weekly),
            str(o.scheduled),
            str(o.total),
        ]
        for o in plan.owners
    ]
    if len(plan.owners) > 1:
        weekly = [sum(o.weekly[i] for o in plan.owners) for i in range(len(plan.weeks))]
        rows.append(
            [
                "all",
                str(len(plan.backlog)),
                *(str(n) if n else "·" for n in weekly),
                str(len(plan.entries)),
                str(len(plan.entries) + len(plan.backlog)),
            ]
        )
    return rows


def plan_markdown(plan: ReviewPlan, *, root: Path, title: str) -> str:
    lines = [f"# Review plan: {title}, {plan.label}", "", _plan_intro(plan) + ".", ""]
    for warning in plan.warnings:
        lines += [f"> **Warning:** {_md(warning)}", ""]
    header = _load_header(plan)
    lines += [
        "## Weekly load per owner",
        "",
        "| " + " | ".join(header) + " |",
        "|---|" + "--:|" * (len(header) - 1),
    ]
    lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in _load_rows(plan)]
    lines.append("")
    if plan.backlog:
        lines += [
            "## Backlog: overdue or never reviewed",
            "",
            "| status | when | owner | article | title |",
            "|---|---|---|---|---|",
        ]
        for item in plan.backlog:
            lines.append(
                "| "
                + " | ".join(
                    _md(c)
                    for c in (
                        item.status.label,
                        item.describe_due(),
                        item.owner,
                        f"`{rel_path(item.article.path, root)}`",
                        item.article.title,
                    )
                )
                + " |"
            )
        lines.append("")
    lines += ["## Due in the period", ""]
    if plan.entries:
        lines += [
            "| due | week | owner | article | title | interval |",
            "|---|---|---|---|---|---|",
        ]
        for e in plan.entries:
            lines.append(
                "| "
                + " | ".join(
                    _md(c)
                    for c in (
                        e.due.isoformat(),
                        _week_label(e.week),
                        e.item.owner,
                        f"`{rel_path(e.item.article.path, root)}`",
                        e.item.article.title,
                        interval_label(e.item.interval),
                    )
                )
                + " |"
            )
    else:
        lines.append("Nothing falls due in the period.")
    lines.append("")
    return "\n".join(lines)


def plan_html(plan: ReviewPlan, *, root: Path, title: str) -> str:
    body = [
        f"<h1>Review plan: {_e(title)}, {_e(plan.label)}</h1>",
        f'<p class="summary">{_e(_plan_intro(plan))}</p>',
    ]
    body += [f'<p class="warning">Warning: {_e(w)}</p>' for w in plan.warnings]
    header = _load_header(plan)
    body.append(
        "<h2>Weekly load per owner</h2><table><thead><tr>"
        + "".join(f"<th>{_e(h)}</th>" for h in header)
        + "</tr></thead><tbody>"
    )
    for row in _load_rows(plan):
        body.append(
            "<tr><td>"
            + _e(row[0])
            + "</td>"
            + "".join(f'<td class="num">{_e(c)}</td>' for c in row[1:])
            + "</tr>"
        )
    body.append("</tbody></table>")
    if plan.backlog:
        body.append(
            "<h2>Backlog: overdue or never reviewed</h2><table><thead><tr>"
            "<th>status</th><th>when</th><th>owner</th><th>article</th><th>title</th>"
            "</tr></thead><tbody>"
        )
        for item in plan.backlog:
            body.append(
                f'<tr><td class="{_e(item.status.value)}">{_e(item.status.label)}</td>'
                f"<td>{_e(item.describe_due())}</td><td>{_e(item.owner)}</td>"
                f"<td><code>{_e(rel_path(item.article.path, root))}</code></td>"
                f"<td>{_e(item.article.title)}</td></tr>"
            )
        body.append("</tbody></table>")
    body.append("<h2>Due in the period</h2>")
    if plan.entries:
        body.append(
            "<table><thead><tr><th>due</th><th>week</th><th>owner</th><th>article</th>"
            "<th>title</th><th>interval</th></tr></thead><tbody>"
        )
        for e in plan.entries:
            body.append(
                f"<tr><td>{_e(e.due.isoformat())}</td><td>{_e(_week_label(e.week))}</td>"
                f"<td>{_e(e.item.owner)}</td>"
                f"<td><code>{_e(rel_path(e.item.article.path, root))}</code></td>"
                f"<td>{_e(e.item.article.title)}</td><td>{_e(interval_label(e.item.interval))}</td></tr>"
            )
        body.append("</tbody></table>")
    else:
        body.append("<p>Nothing falls due in the period.</p>")
    return _page(f"Review plan: {title}, {plan.label}", body)


def print_plan(console: Console, plan: ReviewPlan, *, root: Path, details: bool) -> None:
    paint = Painter.for_console(console)
    out = [
        paint(f"Review plan, {plan.label}", "bold"),
        _plan_intro(plan),
        "",
        paint("Weekly load per owner", "bold"),
    ]
    header = _load_header(plan)
    rows = _load_rows(plan)
    styles: list[str | None] = [None] * len(rows)
    if len(plan.owners) > 1:
        styles[-1] = "bold"
    out += columns(
        [h.split(" ")[-1] for h in header],
        rows,
        paint=paint,
        right=frozenset(range(1, len(header))),
        row_styles=styles,
    )
    if details and plan.backlog:
        out += ["", paint("Backlog: overdue or never reviewed", "bold")]
        out += columns(
            ["status", "when", "owner", "article", "title"],
            [
                [
                    i.status.label,
                    i.describe_due(),
                    i.owner,
                    rel_path(i.article.path, root),
                    i.article.title,
                ]
                for i in plan.backlog
            ],
            paint=paint,
            caps={4: 48},
            max_width=_terminal_width(console),
            shrink=4,
            first_styles=[_STYLE[i.status] for i in plan.backlog],
        )
    if details and plan.entries:
        out += ["", paint("Due in the period", "bold")]
        out += columns(
            ["due", "week", "owner", "article", "title", "interval"],
            [
                [
                    e.due.isoformat(),
                    _week_label(e.week),
                    e.item.owner,
                    rel_path(e.item.article.path, root),
                    e.item.article.title,
                    interval_label(e.item.interval),
                ]
                for e in plan.entries
            ],
            paint=paint,
            caps={4: 48},
            max_width=_terminal_width(console),
            shrink=4,
        )
    for warning in plan.warnings:
        out += ["", paint("warning:", "yellow") + " " + warning]
    write_lines(console, out)
