"""Formats of the `kbtool tags` commands: text, Markdown, CSV, JSON and the HTML heatmap.

Pure functions of the core's data; only the `print_*` functions touch a Rich console.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbtool.corpus.discover import relative_path as rel_path

if TYPE_CHECKING:
    from rich.console import Console

    from kbtool.config import Config
    from kbtool.tags import CoverageMatrix, StageChannelMatrix, Suggestion, TagChange, TagPlan

MATRIX_SCHEMA = "kbtool.tags-matrix/1"
AUTO_SCHEMA = "kbtool.tags-auto/1"
SUGGEST_SCHEMA = "kbtool.tags-suggest/1"
FIELD_NOUN = {"stages": "stage", "channels": "channel"}


def _values(values: Sequence[str]) -> str:
    return ", ".join(values) if values else "-"


# --------------------------------------------------------------------------- tags auto


def plan_lines(plan: TagPlan, root: Path, *, explain: bool) -> list[str]:
    """The text of one article in `tags auto`: what changes, and which rule says so."""
    lines = [rel_path(plan.article.path, root)]
    for field in ("stages", "channels"):
        noun = FIELD_NOUN[field]
        for value in plan.added(field):
            lines.append(f"  + {noun} {value}  (rule '{plan.decided_by[(field, value)]}')")
        for value in plan.removed(field):
            lines.append(f"  - {noun} {value}  (rule '{plan.decided_by[(field, value)]}')")
    if explain:
        for hit in plan.hits:
            effects = []
            for field in ("stages", "channels"):
                for value in hit.removes[field]:
                    effects.append(f"-{value}")
                for value in hit.adds[field]:
                    note = "" if value not in plan.before[field] else " (already set)"
                    effects.append(f"+{value}{note}")
            lines.append(
                f"  rule {hit.index} '{hit.rule}': {'; '.join(hit.reasons)} -> "
                f"{', '.join(effects) or 'nothing'}"
            )
        if not plan.changed:
            lines.append("  no change")
    return lines


def auto_summary(plans: Sequence[TagPlan], *, written: bool) -> str:
    changed = [p for p in plans if p.changed]
    matched = sum(1 for p in plans if p.hits)
    adds = sum(len(p.added(f)) for p in changed for f in ("stages", "channels"))
    removes = sum(len(p.removed(f)) for p in changed for f in ("stages", "channels"))
    verb = "changed" if written else "would change"
    text = f"{len(changed)} of {len(plans)} article(s) {verb}"
    text += f" ({adds} value(s) added, {removes} removed); {matched} matched a rule"
    return text


def _plan_record(plan: TagPlan, root: Path) -> dict[str, Any]:
    a = plan.article
    return {
        "path": rel_path(a.path, root),
        "id": a.id,
        "locale": a.locale,
        "title": a.title,
        "before": {f: list(plan.before[f]) for f in ("stages", "channels")},
        "after": {f: list(plan.after[f]) for f in ("stages", "channels")},
        "added": {f: list(plan.added(f)) for f in ("stages", "channels")},
        "removed": {f: list(plan.removed(f)) for f in ("stages", "channels")},
        "changed": plan.changed,
        "rules": [
            {
                "index": hit.index,
                "name": hit.rule,
                "reasons": list(hit.reasons),
                "adds": {f: list(v) for f, v in hit.adds.items()},
                "removes": {f: list(v) for f, v in hit.removes.items()},
            }
            for hit in plan.hits
        ],
    }


def auto_json(
    plans: Sequence[TagPlan], *, root: Path, config: Config, written: bool, explain: bool
) -> dict[str, Any]:
    """`kbtool tags auto --format json` (kbtool.tags-auto/1)."""
    shown = [p for p in plans if p.changed or (explain and p.hits)]
    changed = [p for p in plans if p.changed]
    return {
        "schema": AUTO_SCHEMA,
        "root": str(root),
        "written": written,
        "rules": [
            {"index": i, "name": r.name or f"rule {i}"}
            for i, r in enumerate(config.tags.rules, start=1)
        ],
        "summary": {
            "articles": len(plans),
            "matched": sum(1 for p in plans if p.hits),
            "changed": len(changed),
            "added": sum(len(p.added(f)) for p in changed for f in ("stages", "channels")),
            "removed": sum(len(p.removed(f)) for p in changed for f in ("stages", "channels")),
        },
        "articles": [_plan_record(p, root) for p in shown],
    }


# --------------------------------------------------------------------------- tags set/unset


def change_line(change: TagChange, root: Path) -> str:
    parts = []
    for field in ("stages", "channels"):
        noun = FIELD_NOUN[field]
        parts += [f"+{noun} {v}" for v in change.added(field)]
        parts += [f"-{noun} {v}" for v in change.removed(field)]
    return f"  {rel_path(change.path, root)}: {', '.join(parts)}"


# --------------------------------------------------------------------------- tags suggest


def suggestion_lines(suggestion: Suggestion, root: Path, *, evidence: bool) -> list[str]:
    a = suggestion.article
    lines = [f"{rel_path(a.path, root)}  {a.title}"]
    for field in suggestion.missing:
        proposals = suggestion.for_field(field)
        if not proposals:
            lines.append(f"  {field}: no confident proposal")
            continue
        lines.append(
            f"  {field}: " + ", ".join(f"{p.value} ({p.confidence:.2f})" for p in proposals)
        )
        if evidence:
            for p in proposals:
                for e in p.evidence:
                    lines.append(f"    {p.value}: {e.detail} [{e.weight:.2f}]")
    return lines


def suggest_json(
    suggestions: Sequence[Suggestion], *, root: Path, min_confidence: float
) -> dict[str, Any]:
    """`kbtool tags suggest --format json` (kbtool.tags-suggest/1)."""
    return {
        "schema": SUGGEST_SCHEMA,
        "root": str(root),
        "min_confidence": min_confidence,
        "articles": [
            {
                "path": rel_path(s.article.path, root),
                "id": s.article.id,
                "locale": s.article.locale,
                "title": s.article.title,
                "missing": list(s.missing),
                "proposals": [
                    {
                        "field": p.field,
                        "value": p.value,
                        "confidence": p.confidence,
                        "evidence": [
                            {"kind": e.kind, "detail": e.detail, "weight": round(e.weight, 3)}
                            for e in p.evidence
                        ],
                    }
                    for p in s.proposals
                ],
            }
            for s in suggestions
        ],
    }


# --------------------------------------------------------------------------- tags matrix


def _group_title(coverage: CoverageMatrix, matrix: StageChannelMatrix) -> str:
    if coverage.by is None:
        return "All articles" if coverage.drafts else "All published articles"
    return f"{coverage.by} {matrix.group}"


def _gap_text(coverage: CoverageMatrix, minimum: int | None) -> list[str]:
    lines = []
    for gap in coverage.gaps(minimum):
        where = f"{coverage.by} {gap.group}: " if coverage.by else ""
        what = "no article" if gap.count == 0 else f"{gap.count} article(s), {gap.state.value}"
        lines.append(f"{where}{gap.stage} × {gap.channel}: {what}")
    return lines


def matrix_notes(coverage: CoverageMatrix) -> list[str]:
    """Lines under the matrix: what was counted and what was not."""
    notes = [
        f"{coverage.articles} "
        + ("article(s), drafts included" if coverage.drafts else "published article(s)")
        + "; a cell counts the articles with both "
        f"the stage and the channel; thin: fewer than {coverage.thin}."
    ]
    if coverage.implied:
        notes.append("Counts include the tags [[tags.rules]] imply (as after tags auto --write).")
    untagged = sum(m.untagged for m in coverage.matrices)
    if untagged:
        notes.append(
            f"{untagged} article(s) lack a stage or a channel and are in no cell: "
            "kbtool tags suggest proposes some."
        )
    if coverage.outside_taxonomy:
        notes.append(
            f"{coverage.outside_taxonomy} article(s) have values outside the taxonomy, "
            "not counted (kbtool lint reports them, KB107)."
        )
    return notes


def print_matrix(
    console: Console, coverage: CoverageMatrix, *, title: str, minimum: int | None
) -> None:
    from rich.table import Table

    for matrix in coverage.matrices:
        table = Table(
            title=f"{title}: {_group_title(coverage, matrix)} ({matrix.articles})",
            title_justify="left",
            header_style="bold",
            show_footer=True,
        )
        table.add_column("stage \\ channel", footer="articles with the channel")
        for channel in matrix.channels:
            table.add_column(channel, justify="right", footer=str(matrix.channel_totals[channel]))
        table.add_column("with the stage", justify="right", style="dim")
        for stage in matrix.stages:
            cells = []
            for channel in matrix.channels:
                n = matrix.count(stage, channel)
                state = coverage.state(n)
                style = {"empty": "bold red", "thin": "yellow", "ok": ""}[state.value]
                mark = {"empty": " ·", "thin": " !", "ok": ""}[state.value]
                cells.append(f"[{style}]{n}{mark}[/]" if style else str(n))
            table.add_row(stage, *cells, str(matrix.stage_totals[stage]))
        console.print(table)
    console.print(f"Legend: · empty, ! thin (fewer than {coverage.thin})", style="dim")
    for note in matrix_notes(coverage):
        console.print(note, style="dim", markup=False)
    gaps = _gap_text(coverage, minimum)
    if gaps:
        console.print(f"[bold]Gaps[/] ({len(gaps)}):")
        for line in gaps[:40]:
            console.print(f"  {line}", markup=False)
        if len(gaps) > 40:
            console.print(f"  ... and {len(gaps) - 40} more", markup=False)
    else:
        console.print("No gaps: every cell has enough articles.")


def _md(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def matrix_markdown(coverage: CoverageMatrix, *, title: str, minimum: int | None) -> str:
    out = [f"# Coverage: {_md(title)}", ""]
    for matrix in coverage.matrices:
        if coverage.by:
            out += [f"## {_md(_group_title(coverage, matrix))} ({matrix.articles})", ""]
        out.append("| stage \\ channel | " + " | ".join(_md(c) for c in matrix.channels) + " |")
        out.append("| --- |" + " ---: |" * len(matrix.channels))
        for stage in matrix.stages:
            cells = []
            for channel in matrix.channels:
                n = matrix.count(stage, channel)
                state = coverage.state(n).value
                cells.append({"empty": "**0** (empty)", "thin": f"{n} (thin)", "ok": str(n)}[state])
            out.append(f"| {_md(stage)} | " + " | ".join(cells) + " |")
        out.append("")
    out += [f"_{_md(n)}_" for n in matrix_notes(coverage)]
    gaps = _gap_text(coverage, minimum)
    out += ["", "## Gaps", ""]
    out += [f"- {_md(g)}" for g in gaps] if gaps else ["No gaps: every cell has enough articles."]
    return "\n".join(out) + "\n"


def matrix_csv(coverage: CoverageMatrix) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["group", "stage", "channel", "count", "state"])
    for matrix in coverage.matrices:
        for stage in matrix.stages:
            for channel in matrix.channels:
                n = matrix.count(stage, channel)
                writer.writerow([matrix.group or "", stage, channel, n, coverage.state(n).value])
    return buffer.getvalue()


def matrix_json(
    coverage: CoverageMatrix, *, root: Path, config: Config, minimum: int | None
) -> dict[str, Any]:
    """`kbtool tags matrix --format json` (kbtool.tags-matrix/1)."""
    taxonomy = config.taxonomy

    def described(values: Sequence[str], table: Mapping[str, str]) -> list[dict[str, str]]:
        return [{"value": v, "description": table.get(v, "")} for v in values]

    return {
        "schema": MATRIX_SCHEMA,
        "root": str(root),
        "by": coverage.by,
        "thin": coverage.thin,
        "min": minimum,
        "implied": coverage.implied,
        "articles": coverage.articles,
        "outside_taxonomy": coverage.outside_taxonomy,
        "stages": described(coverage.stages, taxonomy.stages),
        "channels": described(coverage.channels, taxonomy.channels),
        "groups": [
            {
                "group": m.group,
                "articles": m.articles,
                "untagged": m.untagged,
                "stage_totals": dict(m.stage_totals),
                "channel_totals": dict(m.channel_totals),
                "cells": [
                    {
                        "stage": s,
                        "channel": c,
                        "count": m.count(s, c),
                        "state": coverage.state(m.count(s, c)).value,
                        "articles": list(m.cells.get((s, c), ())),
                    }
                    for s in m.stages
                    for c in m.channels
                ],
            }
            for m in coverage.matrices
        ],
        "gaps": [
            {
                "group": g.group,
                "stage": g.stage,
                "channel": g.channel,
                "count": g.count,
                "state": g.state.value,
            }
            for g in coverage.gaps(minimum)
        ],
    }


_CSS = """
:root { color-scheme: light dark; --fg: #1f2328; --bg: #fff; --muted: #59636e;
  --line: #d1d9e0; --heat: 212 80%; --empty: #b42318; --thin: #9a6700; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117;
  --muted: #9198a1; --line: #3d444d; --empty: #ff7b72; --thin: #e3b341; } }
body { font: 15px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg);
  margin: 2rem auto; max-width: 75rem; padding: 0 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
table.heatmap { border-collapse: separate; border-spacing: 3px; font-size: 0.95rem; }
.heatmap th { font-weight: 600; padding: 0.3rem 0.6rem; text-align: center;
  white-space: nowrap; }
.heatmap th[scope=row] { text-align: left; }
.heatmap td { width: 6.5rem; height: 3rem; text-align: center; border-radius: 4px;
  font-variant-numeric: tabular-nums; font-weight: 600; color: #0b1f33;
  background: hsl(var(--heat) calc(96% - var(--v) * 38%)); }
.heatmap td.empty { background: transparent; color: var(--empty);
  outline: 2px dashed var(--empty); outline-offset: -2px; }
.heatmap td.thin { outline: 2px solid var(--thin); outline-offset: -2px; }
.heatmap td small { display: block; font-weight: 400; font-size: 0.75rem; }
.heatmap td.total, .heatmap th.total { background: none; color: var(--muted); font-weight: 400; }
.muted { color: var(--muted); } ul.gaps li { margin: 0.15rem 0; }
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def matrix_html(
    coverage: CoverageMatrix, *, title: str, config: Config, minimum: int | None
) -> str:
    """A self-contained page: one heatmap per group, the gaps listed below."""
    taxonomy = config.taxonomy
    peak = max((m.max_count for m in coverage.matrices), default=0) or 1
    body = [f"<h1>Coverage by journey stage and channel: {_e(title)}</h1>"]
    body += [f'<p class="muted">{_e(n)}</p>' for n in matrix_notes(coverage)]
    for matrix in coverage.matrices:
        heading = _group_title(coverage, matrix)
        body.append(f"<h2>{_e(heading)} ({matrix.articles})</h2>")
        body.append(
            f'<table class="heatmap"><caption class="muted">{_e(heading)}: '
            "published articles per stage (rows) and channel (columns)</caption>"
        )
        body.append('<thead><tr><td class="total"></td>')
        for channel in matrix.channels:
            tip = taxonomy.channels.get(channel, "")
            body.append(f'<th scope="col" title="{_e(tip)}">{_e(channel)}</th>')
        body.append('<th scope="col" class="total">with the stage</th></tr></thead><tbody>')
        for stage in matrix.stages:
            tip = taxonomy.stages.get(stage, "")
            body.append(f'<tr><th scope="row" title="{_e(tip)}">{_e(stage)}</th>')
            for channel in matrix.channels:
                n = matrix.count(stage, channel)
                state = coverage.state(n).value
                level = n / peak
                paths = matrix.cells.get((stage, channel), ())
                tip = "\n".join(paths[:15]) + (
                    f"\n... {len(paths) - 15} more" if len(paths) > 15 else ""
                )
                label = {"empty": "empty", "thin": "thin", "ok": ""}[state]
                body.append(
                    f'<td class="{state}" style="--v: {level:.3f}" '
                    f'title="{_e(tip or "no article")}">{n}'
                    + (f"<small>{label}</small>" if label else "")
                    + "</td>"
                )
            body.append(f'<td class="total">{matrix.stage_totals[stage]}</td></tr>')
        body.append('<tr><th scope="row" class="total">with the channel</th>')
        for channel in matrix.channels:
            body.append(f'<td class="total">{matrix.channel_totals[channel]}</td>')
        body.append('<td class="total"></td></tr></tbody></table>')
    gaps = _gap_text(coverage, minimum)
    body.append("<h2>Gaps</h2>")
    if gaps:
        body.append('<ul class="gaps">' + "".join(f"<li>{_e(g)}</li>" for g in gaps) + "</ul>")
    else:
        body.append("<p>No gaps: every cell has enough articles.</p>")
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>Coverage: {_e(title)}</title>",
            f"<style>{_CSS}</style>",
            "</head>",
            "<body>",
            *body,
            "</body>",
            "</html>",
            "",
        ]
    )
