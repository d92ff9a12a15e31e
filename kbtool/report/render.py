"""The report as JSON data, Markdown (a pull-request comment or wiki page) and one
self-contained HTML file (inline CSS and SVG, no scripts, prints on A4/Letter)."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

from kbtool.report import charts
from kbtool.report.gaps import GapsReport, gaps_payload
from kbtool.report.model import Report

__all__ = ["SCHEMA", "report_html", "report_markdown", "report_payload"]

SCHEMA = "kbtool.report/1"
SEARCH_TOPICS = 15  # topics the report lists; `kbtool gaps` lists them all


# --------------------------------------------------------------------------- JSON


def report_payload(report: Report) -> dict[str, Any]:
    """The `kbtool report --format json` document: every number of the report."""
    inv, rev, cov = report.inventory, report.review, report.coverage
    s = rev.summary
    payload: dict[str, Any] = {
        "schema": SCHEMA,
        "name": report.name,
        "as_of": report.as_of.isoformat(),
        "tool": {"name": "kbtool", "version": report.version},
        "inventory": {
            "articles": inv.articles,
            "published": inv.published,
            "load_problems": inv.load_problems,
            "by_locale": dict(inv.by_locale),
            "by_section": dict(inv.by_section),
            "by_type": dict(inv.by_type),
            "by_status": dict(inv.by_status),
        },
        "review": {
            "articles": s.total,
            "overdue": s.overdue,
            "due_soon": s.due_soon,
            "never_reviewed": s.never_reviewed,
            "ok": s.ok,
            "on_schedule_pct": s.on_schedule_pct,
            "overdue_by_owner": dict(rev.overdue_by_owner),
            "age_since_review": dict(rev.age),
            "due_within_days": {str(days): n for days, n in rev.due_within},
            "most_overdue": [_due(d) for d in rev.most_overdue],
            "due_next": [_due(d) for d in rev.due_next],
        },
        "coverage": {
            "articles": cov.matrix.articles,
            "untagged": cov.matrix.untagged,
            "outside_taxonomy": cov.outside_taxonomy,
            "thin": cov.thin,
            "stages": list(cov.matrix.stages),
            "channels": list(cov.matrix.channels),
            "cells": {
                stage: {ch: cov.matrix.count(stage, ch) for ch in cov.matrix.channels}
                for stage in cov.matrix.stages
            },
            "gaps": [
                {"stage": g.stage, "channel": g.channel, "count": g.count, "state": g.state.value}
                for g in cov.gaps
            ],
        },
        "translations": None,
        "quality": None,
        "search": None,
        "trend": None,
    }
    if report.translations is not None:
        t = report.translations
        payload["translations"] = {
            "source_locale": t.source_locale,
            "history_note": t.history_note or None,
            "locales": [
                {
                    "locale": c.locale,
                    "sources": c.sources,
                    "translated": c.translated,
                    "up_to_date": c.up_to_date,
                    "stale": c.stale,
                    "missing": c.missing,
                    "orphaned": c.orphaned,
                    "unverified": c.unverified,
                    "coverage_pct": c.coverage_pct,
                    "current_pct": c.current_pct,
                }
                for c in t.locales
            ],
        }
    if report.quality is not None:
        q = report.quality
        payload["quality"] = {
            "files": q.files,
            "errors": q.errors,
            "warnings": q.warnings,
            "infos": q.infos,
            "by_rule": [
                {"code": r.code, "name": r.name, "severity": r.severity, "count": r.count}
                for r in q.by_rule
            ],
            "by_section": [
                {
                    "section": sq.section,
                    "articles": sq.articles,
                    "errors": sq.errors,
                    "warnings": sq.warnings,
                    "infos": sq.infos,
                }
                for sq in q.by_section
            ],
            "worst": [
                {
                    "path": w.path,
                    "title": w.title,
                    "errors": w.errors,
                    "warnings": w.warnings,
                    "infos": w.infos,
                    "codes": list(w.codes),
                }
                for w in q.worst
            ],
        }
    if report.search is not None:
        search = gaps_payload(report.search, limit=SEARCH_TOPICS)
        search.pop("schema")
        payload["search"] = search
    if report.trend is not None:
        payload["trend"] = {
            "since": report.trend.since,
            "note": report.trend.note or None,
            "points": [
                {
                    "date": p.date.isoformat(),
                    "commit": p.commit,
                    "articles": p.articles,
                    "overdue": p.overdue,
                    "lint_errors": p.lint_errors,
                }
                for p in report.trend.points
            ],
        }
    return payload


def _due(item: Any) -> dict[str, Any]:
    return {
        "path": item.path,
        "title": item.title,
        "owner": item.owner,
        "due": item.due.isoformat() if item.due else None,
        "days_overdue": item.days,
    }


# --------------------------------------------------------------------------- shared wording


def _pct(part: int, whole: int) -> str:
    if not whole:
        return "–"
    value = f"{100.0 * part / whole:.1f}".removesuffix(".0")
    return f"{value}%"


def _headline(report: Report) -> list[tuple[str, str, str]]:
    """(label, value, detail) of the key figures at the top of the report."""
    s = report.review.summary
    out = [
        (
            "Published articles",
            str(report.inventory.published),
            f"of {report.inventory.articles} in {len(report.inventory.by_locale)} locale(s)",
        ),
        ("Overdue for review", str(s.overdue), f"{_pct(s.overdue, s.total)} of published"),
        ("On review schedule", f"{s.on_schedule_pct:g}%", f"{s.on_schedule} of {s.total}"),
    ]
    empty = sum(1 for g in report.coverage.gaps if g.count == 0)
    out.append(("Empty coverage cells", str(empty), "stage × channel"))
    if report.translations is not None:
        stale = sum(c.stale for c in report.translations.locales)
        missing = sum(c.missing for c in report.translations.locales)
        out.append(("Stale translations", str(stale), f"{missing} missing"))
    if report.quality is not None:
        q = report.quality
        out.append(("Lint errors", str(q.errors), f"{q.warnings} warnings"))
    if report.search is not None:
        g = report.search
        what = "tickets" if g.kind.value == "tickets" else "searches"
        out.append(("Answered by an article", f"{g.answered_pct:g}%", f"of {g.volume} {what}"))
    return out


def _trend_series(report: Report) -> list[tuple[str, list[int | None], str]]:
    assert report.trend is not None
    points = report.trend.points
    series: list[tuple[str, list[int | None], str]] = [
        ("Published articles", [p.articles for p in points], charts.PALETTE["blue"]),
        ("Overdue reviews", [p.overdue for p in points], charts.PALETTE["vermillion"]),
    ]
    if any(p.lint_errors is not None for p in points):
        series.append(("Lint errors", [p.lint_errors for p in points], charts.PALETTE["purple"]))
    return series


# --------------------------------------------------------------------------- Markdown


def _md(text: object) -> str:
    """A table cell: pipes escaped, no line breaks, no HTML."""
    return (
        str(text)
        .replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("\n", " ")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
    )


def _table(header: Sequence[str], rows: Iterable[Sequence[object]], align: str = "") -> list[str]:
    spec = [("---:" if c == "r" else "---") for c in (align or "l" * len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(spec) + " |"]
    lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
    return lines


def report_markdown(report: Report) -> str:
    """The report as GitHub-flavoured Markdown: headings, short tables, no charts."""
    out = [f"# Content health: {_md(report.name)}", ""]
    out.append(f"As of {report.as_of.isoformat()} · kbtool {report.version}")
    out.append("")
    out += [f"- {label}: **{value}** ({detail})" for label, value, detail in _headline(report)]
    inv = report.inventory
    out += ["", "## Inventory", ""]
    out.append(
        f"{inv.articles} articles, {inv.published} published"
        + (f"; {inv.load_problems} load problem(s)" if inv.load_problems else "")
        + "."
    )
    out.append("")
    for name, counts in (
        ("locale", inv.by_locale),
        ("section", inv.by_section),
        ("type", inv.by_type),
        ("status", inv.by_status),
    ):
        out.append(f"- By {name}: " + ", ".join(f"{_md(k)} {n}" for k, n in counts))

    rev = report.review
    out += ["", "## Review health", "", f"{rev.summary}.", ""]
    if rev.overdue_by_owner:
        out += _table(["owner", "overdue"], rev.overdue_by_owner, "lr")
        out.append("")
    out += _table(["since last review", "articles"], rev.age, "lr")
    out.append("")
    out.append(
        "Falling due (not yet overdue): "
        + ", ".join(f"{n} within {days} days" for days, n in rev.due_within)
        + "."
    )
    if rev.most_overdue:
        out += ["", "Most overdue:", ""]
        out += _table(
            ["article", "owner", "due", "overdue"],
            (
                (d.title, d.owner, d.due.isoformat() if d.due else "–", f"{d.days} days")
                for d in rev.most_overdue
            ),
            "lllr",
        )
    if rev.due_next:
        out += ["", "Due in the next 30 days:", ""]
        out += _table(
            ["article", "owner", "due"],
            ((d.title, d.owner, d.due.isoformat() if d.due else "–") for d in rev.due_next),
        )

    cov = report.coverage
    m = cov.matrix
    out += ["", "## Tagging coverage", ""]
    out.append(
        f"Published articles per journey stage × channel ({m.articles} articles, "
        f"{m.untagged} without a stage or channel). Cells under {cov.thin} are thin."
    )
    out.append("")
    out += _table(
        ["stage \\ channel", *m.channels],
        (
            (stage, *(_cell(m.count(stage, ch), cov.thin) for ch in m.channels))
            for stage in m.stages
        ),
        "l" + "r" * len(m.channels),
    )
    empty = [g for g in cov.gaps if g.count == 0]
    if empty:
        out += [
            "",
            "Gaps: no article for " + ", ".join(f"{g.stage} × {g.channel}" for g in empty) + ".",
        ]

    if report.translations is not None:
        t = report.translations
        out += ["", "## Translations", ""]
        out.append(f"Sources in `{t.source_locale}`; per locale:")
        out.append("")
        out += _table(
            [
                "locale",
                "translated",
                "up to date",
                "stale",
                "unverified",
                "missing",
                "orphaned",
                "coverage",
            ],
            (
                (
                    c.locale,
                    f"{c.translated} of {c.sources}",
                    c.up_to_date,
                    c.stale,
                    c.unverified,
                    c.missing,
                    c.orphaned,
                    f"{c.coverage_pct:g}%",
                )
                for c in t.locales
            ),
            "lrrrrrrr",
        )
        if t.history_note:
            out += ["", f"Note: {t.history_note}."]

    if report.quality is not None:
        q = report.quality
        out += ["", "## Quality", ""]
        out.append(
            f"{q.errors} errors, {q.warnings} warnings and {q.infos} notes in {q.files} articles."
        )
        if q.by_rule:
            out.append("")
            out += _table(
                ["rule", "name", "severity", "findings"],
                ((r.code, r.name, r.severity, r.count) for r in q.by_rule[:15]),
                "lllr",
            )
            if len(q.by_rule) > 15:
                out += ["", f"… and {len(q.by_rule) - 15} more rules with findings."]
        if q.by_section:
            out.append("")
            out += _table(
                ["section", "articles", "errors", "warnings", "notes"],
                ((s.section, s.articles, s.errors, s.warnings, s.infos) for s in q.by_section),
                "lrrrr",
            )
        if q.worst:
            out += ["", "Articles with the most findings:", ""]
            out += _table(
                ["article", "errors", "warnings", "notes", "rules"],
                ((w.path, w.errors, w.warnings, w.infos, ", ".join(w.codes)) for w in q.worst),
                "lrrrl",
            )

    if report.search is not None:
        out += ["", "## Search gaps", ""]
        out += _gaps_markdown_body(report.search, limit=SEARCH_TOPICS)

    if report.trend is not None:
        tr = report.trend
        out += ["", f"## Trend (since {tr.since})", ""]
        if tr.note:
            out.append(tr.note + ".")
        else:
            out += _table(
                ["month end", "published", "overdue", "lint errors"],
                (
                    (p.date.isoformat(), _opt(p.articles), _opt(p.overdue), _opt(p.lint_errors))
                    for p in tr.points
                ),
                "lrrr",
            )
    out.append("")
    return "\n".join(out)


def _opt(value: int | None) -> str:
    return "–" if value is None else str(value)


def _cell(count: int, thin: int) -> str:
    if count == 0:
        return "**0** (gap)"
    return f"{count} (thin)" if count < thin else str(count)


def gaps_markdown(report: GapsReport, *, limit: int | None = None) -> str:
    """`kbtool gaps --format markdown`."""
    lines = [f"# Content gaps in {_md(report.source)}", ""]
    lines += _gaps_markdown_body(report, limit=limit)
    return "\n".join(lines) + "\n"


def _gaps_markdown_body(report: GapsReport, *, limit: int | None) -> list[str]:
    what = "tickets" if report.kind.value == "tickets" else "searches"
    lines = [
        f"{report.answered_volume} of {report.volume} {what} ({report.answered_pct:g}%) "
        f"have an article the answer bot is confident about (threshold {report.threshold:g}); "
        f"{report.unanswered_volume} in {len(report.topics)} topic(s) do not"
        + (f", {report.vague_volume} of them too vague to search" if report.vague else "")
        + "."
    ]
    topics = report.topics if limit is None else report.topics[:limit]
    if topics:
        lines.append("")
        lines += _table(
            ["#", "topic", what, "also asked as", "nearest article", "suggested action"],
            (
                (
                    i,
                    t.label + (f" ({t.locale})" if len(report.locales) > 1 else ""),
                    t.volume,
                    ", ".join(q for q, _ in t.queries[1:4]) + (" …" if t.wordings > 4 else ""),
                    f"{t.nearest.title} ({t.nearest.confidence:.2f})" if t.nearest else "–",
                    t.action.text,
                )
                for i, t in enumerate(topics, 1)
            ),
            "rlrlll",
        )
        if len(report.topics) > len(topics):
            lines += ["", f"… and {len(report.topics) - len(topics)} more topics (`kbtool gaps`)."]
    if report.unclicked:
        lines += [
            "",
            "Answered, but searchers clicked nothing (check the title and description):",
            "",
        ]
        lines += _table(
            ["query", what, "article"],
            ((q.text, q.count, n.title) for q, n in report.unclicked[:10]),
            "lrl",
        )
    return lines


# --------------------------------------------------------------------------- HTML

_CSS = """
:root{color-scheme:light}
*{box-sizing:border-box}
body{margin:0;color:#1a1a1a;background:#fff;
  font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",
  "Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif}
main{max-width:980px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:20px;margin:36px 0 8px;padding-top:12px;border-top:2px solid #e3e3e3}
h3{font-size:15px;margin:20px 0 6px}
.meta{color:#555;margin:0 0 18px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));
  gap:10px;margin:12px 0}
.card{border:1px solid #d0d0d0;border-radius:6px;padding:10px 12px}
.card .v{font-size:26px;font-weight:700;line-height:1.2}
.card .l{font-weight:600}
.card .d{color:#555;font-size:13px}
table{border-collapse:collapse;margin:8px 0 14px;font-size:14px}
th,td{border-bottom:1px solid #ddd;padding:4px 10px 4px 0;text-align:left;vertical-align:top}
th{border-bottom:2px solid #999}
td.n,th.n{text-align:right;padding-left:10px}
td.d{white-space:nowrap}
.grid{display:grid;align-items:start;gap:4px 28px;
  grid-template-columns:repeat(auto-fit,minmax(280px,1fr))}
svg.chart{max-width:100%;height:auto;display:block;margin:6px 0 10px}
.note{color:#555;font-size:14px}
.gap{color:#a33c00;font-weight:600}
.action{font-size:14px}
code{font-size:13px;background:#f3f3f3;padding:0 3px;border-radius:3px}
footer{margin-top:40px;color:#666;font-size:13px}
@media print{
  main{max-width:none;padding:0}
  h2{break-after:avoid}
  section,table,svg{break-inside:avoid}
  body{font-size:12px}
  a{color:inherit;text-decoration:none}
}
"""


def _h(text: object) -> str:
    return html.escape(str(text), quote=True)


def _html_table(
    header: Sequence[str], rows: Iterable[Sequence[object]], align: str = "", caption: str = ""
) -> str:
    align = align or "l" * len(header)
    cls = [{"r": ' class="n"', "d": ' class="d"'}.get(a, "") for a in align]
    head = "".join(f'<th scope="col"{c}>{_h(h)}</th>' for h, c in zip(header, cls, strict=True))
    body = "".join(
        "<tr>" + "".join(f"<td{c}>{_h(v)}</td>" for v, c in zip(row, cls, strict=True)) + "</tr>"
        for row in rows
    )
    cap = f'<caption class="note">{_h(caption)}</caption>' if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def report_html(report: Report) -> str:
    """One self-contained HTML page: inline CSS and SVG, no script, nothing fetched."""
    charts.reset_ids()
    title = f"Content health: {report.name}"
    cards = "".join(
        f'<div class="card"><div class="l">{_h(label)}</div><div class="v">{_h(value)}</div>'
        f'<div class="d">{_h(detail)}</div></div>'
        for label, value, detail in _headline(report)
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">",
        f"<title>{_h(title)}</title><style>{_CSS}</style></head><body><main>",
        f"<h1>{_h(title)}</h1>",
        f'<p class="meta">As of {report.as_of.isoformat()} · made by kbtool {_h(report.version)}'
        " from the repository's articles and history</p>",
        f'<section aria-label="Key figures"><div class="cards">{cards}</div></section>',
    ]
    parts.append(_inventory_html(report))
    parts.append(_review_html(report))
    parts.append(_coverage_html(report))
    if report.translations is not None:
        parts.append(_translations_html(report))
    if report.quality is not None:
        parts.append(_quality_html(report))
    if report.search is not None:
        parts.append(_search_html(report.search))
    if report.trend is not None:
        parts.append(_trend_html(report))
    parts.append(
        "<footer>Review status follows the review policy in kbtool.toml; coverage counts "
        "published articles; quality counts lint findings with the configured rules.</footer>"
    )
    parts.append("</main></body></html>\n")
    return "\n".join(parts)


def _inventory_html(report: Report) -> str:
    inv = report.inventory
    sections = list(inv.by_section)
    return (
        '<section id="inventory"><h2>Inventory</h2>'
        f"<p>{inv.articles} articles, {inv.published} published"
        + (f"; {inv.load_problems} load problem(s)" if inv.load_problems else "")
        + ".</p>"
        + charts.bar_chart("Articles per section", sections, width=640)
        + '<div class="grid">'
        + _html_table(["locale", "articles"], inv.by_locale, "lr")
        + _html_table(["type", "articles"], inv.by_type, "lr")
        + _html_table(["status", "articles"], inv.by_status, "lr")
        + "</div></section>"
    )


def _review_html(report: Report) -> str:
    rev = report.review
    p = charts.PALETTE
    age_colors = [p["green"], p["sky"], p["orange"], p["vermillion"], p["vermillion"], p["black"]]
    out = [
        '<section id="review"><h2>Review health</h2>',
        f"<p>{_h(rev.summary)}.</p>",
        "<p>Falling due (not yet overdue): "
        + ", ".join(f"<strong>{n}</strong> within {days} days" for days, n in rev.due_within)
        + ".</p>",
    ]
    if rev.overdue_by_owner:
        out.append(
            charts.bar_chart(
                "Overdue reviews by owner",
                list(rev.overdue_by_owner[:15]),
                unit="overdue articles",
                color=p["vermillion"],
            )
        )
        if len(rev.overdue_by_owner) > 15:
            rest = sum(n for _, n in rev.overdue_by_owner[15:])
            out.append(
                f'<p class="note">… and {rest} more overdue articles of '
                f"{len(rev.overdue_by_owner) - 15} other owners.</p>"
            )
    out.append(charts.column_chart("Time since the last review", list(rev.age), colors=age_colors))
    if rev.most_overdue:
        out.append("<h3>Most overdue</h3>")
        out.append(
            _html_table(
                ["article", "path", "owner", "due", "days overdue"],
                (
                    (d.title, d.path, d.owner, d.due.isoformat() if d.due else "–", d.days)
                    for d in rev.most_overdue
                ),
                "llldr",
            )
        )
    if rev.due_next:
        out.append("<h3>Due in the next 30 days</h3>")
        out.append(
            _html_table(
                ["article", "path", "owner", "due"],
                (
                    (d.title, d.path, d.owner, d.due.isoformat() if d.due else "–")
                    for d in rev.due_next
                ),
                "llld",
            )
        )
    out.append("</section>")
    return "".join(out)


def _coverage_html(report: Report) -> str:
    cov = report.coverage
    m = cov.matrix
    counts = {(s, c): m.count(s, c) for s in m.stages for c in m.channels}
    empty = [g for g in cov.gaps if g.count == 0]
    thin = [g for g in cov.gaps if g.count > 0]
    out = [
        '<section id="coverage"><h2>Tagging coverage</h2>',
        f"<p>Published articles per customer-journey stage × channel: {m.articles} articles, "
        f"{m.untagged} without a stage or a channel (in no cell). An article counts in every "
        f"cell of its stages and channels; cells with fewer than {cov.thin} are thin.</p>",
    ]
    if m.stages and m.channels:
        out.append(
            charts.heatmap("Coverage: stage × channel", m.stages, m.channels, counts, thin=cov.thin)
        )
    if empty:
        out.append(
            '<p class="gap">Gaps, no article: '
            + _h(", ".join(f"{g.stage} × {g.channel}" for g in empty))
            + ".</p>"
        )
    if thin:
        out.append(
            "<p>Thin: "
            + _h(", ".join(f"{g.stage} × {g.channel} ({g.count})" for g in thin))
            + ".</p>"
        )
    out.append("</section>")
    return "".join(out)


def _translations_html(report: Report) -> str:
    t = report.translations
    assert t is not None
    rows = [
        (c.locale, c.sources, c.translated, c.up_to_date, c.stale, c.unverified, c.missing,
         c.orphaned, f"{c.coverage_pct:g}%")
        for c in t.locales
    ]  # fmt: skip
    bars = [(f"{c.locale} missing", c.missing) for c in t.locales] + [
        (f"{c.locale} stale", c.stale) for c in t.locales
    ]
    return (
        '<section id="translations"><h2>Translations</h2>'
        f"<p>Sources in <code>{_h(t.source_locale)}</code>; per locale, how many are "
        "translated, up to date, stale (the source changed since) and missing.</p>"
        + _html_table(
            [
                "locale",
                "sources",
                "translated",
                "up to date",
                "stale",
                "unverified",
                "missing",
                "orphaned",
                "coverage",
            ],
            rows,
            "lrrrrrrrr",
        )
        + charts.bar_chart(
            "Translations to write (missing) and to update (stale)",
            bars,
            unit="translations",
            color=charts.PALETTE["orange"],
        )
        + (f'<p class="note">Note: {_h(t.history_note)}.</p>' if t.history_note else "")
        + "</section>"
    )


def _quality_html(report: Report) -> str:
    q = report.quality
    assert q is not None
    out = [
        '<section id="quality"><h2>Quality</h2>',
        f"<p>{q.errors} errors, {q.warnings} warnings and {q.infos} notes in {q.files} articles "
        "(<code>kbtool lint</code> with the configured rules).</p>",
    ]
    if q.by_rule:
        out.append(
            charts.bar_chart(
                "Lint findings by rule",
                [(f"{r.code} {r.name}", r.count) for r in q.by_rule[:12]],
                unit="findings",
                color=charts.PALETTE["purple"],
                label_chars=34,
            )
        )
        out.append(
            _html_table(
                ["rule", "name", "severity", "findings"],
                ((r.code, r.name, r.severity, r.count) for r in q.by_rule[:20]),
                "lllr",
            )
        )
    if q.by_section:
        out.append("<h3>By section</h3>")
        out.append(
            _html_table(
                ["section", "articles", "errors", "warnings", "notes"],
                ((s.section, s.articles, s.errors, s.warnings, s.infos) for s in q.by_section),
                "lrrrr",
            )
        )
    if q.worst:
        out.append("<h3>Articles with the most findings</h3>")
        out.append(
            _html_table(
                ["article", "path", "errors", "warnings", "notes", "rules"],
                (
                    (w.title, w.path, w.errors, w.warnings, w.infos, ", ".join(w.codes))
                    for w in q.worst
                ),
                "llrrrl",
            )
        )
    out.append("</section>")
    return "".join(out)


def _search_html(g: GapsReport, *, limit: int = SEARCH_TOPICS) -> str:
    what = "tickets" if g.kind.value == "tickets" else "searches"
    topics = g.topics[:limit]
    out = [
        '<section id="search"><h2>Search gaps</h2>',
        f"<p>From <code>{_h(g.source)}</code>: {g.answered_volume} of {g.volume} {what} "
        f"(<strong>{g.answered_pct:g}%</strong>) have an article the answer bot is confident "
        f"about; {g.unanswered_volume} in {len(g.topics)} topic(s) do not"
        + (f", {g.vague_volume} of them too vague to search" if g.vague else "")
        + ".</p>",
    ]
    if topics:
        out.append(
            charts.bar_chart(
                f"Unanswered {what} by topic",
                [(t.label, t.volume) for t in topics],
                unit=what,
                color=charts.PALETTE["vermillion"],
                label_chars=32,
            )
        )
        out.append(
            _html_table(
                ["#", "topic", what, "also asked as", "nearest article", "suggested action"],
                (
                    (
                        i,
                        t.label,
                        t.volume,
                        ", ".join(q for q, _ in t.queries[1:4]) + (" …" if t.wordings > 4 else ""),
                        f"{t.nearest.title} ({t.nearest.confidence:.2f})" if t.nearest else "–",
                        t.action.text,
                    )
                    for i, t in enumerate(topics, 1)
                ),
                "rlrlll",
            )
        )
        if len(g.topics) > len(topics):
            out.append(
                f'<p class="note">… and {len(g.topics) - len(topics)} more topics: '
                "run <code>kbtool gaps</code>.</p>"
            )
    if g.unclicked:
        out.append("<h3>Answered, but nobody clicked</h3>")
        out.append(
            _html_table(
                ["query", what, "article"],
                ((q.text, q.count, n.title) for q, n in g.unclicked[:10]),
                "lrl",
            )
        )
    out.append("</section>")
    return "".join(out)


def _trend_html(report: Report) -> str:
    tr = report.trend
    assert tr is not None
    out = [f'<section id="trend"><h2>Trend since {_h(tr.since)}</h2>']
    if tr.note:
        out.append(f"<p>{_h(tr.note)}.</p></section>")
        return "".join(out)
    labels = [p.date.strftime("%b %Y") for p in tr.points]
    out.append(
        "<p>At the end of each month, from the repository's history (the last point is the "
        "as-of date), measured with today's configuration and rules.</p>"
    )
    out.append(charts.line_charts("Trend per month", labels, _trend_series(report)))
    out.append(
        _html_table(
            ["date", "published", "overdue", "lint errors"],
            (
                (p.date.isoformat(), _opt(p.articles), _opt(p.overdue), _opt(p.lint_errors))
                for p in tr.points
            ),
            "lrrr",
        )
    )
    out.append("</section>")
    return "".join(out)
