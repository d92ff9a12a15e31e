"""`kbtool report` (the editor's content-health report) and `kbtool gaps` (content gaps
from a search log or ticket export)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kbtool.cli import options as opt
from kbtool.cli.app import State, app, emit, get_state
from kbtool.errors import UsageError
from kbtool.jsonio import dumps

if TYPE_CHECKING:
    from rich.console import Console

    from kbtool.corpus import Corpus
    from kbtool.report.gaps import GapsReport, LogKind

SCHEMA_VERSION = 1


class ReportFormat(StrEnum):
    html = "html"
    markdown = "markdown"
    json = "json"


class GapsFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    csv = "csv"
    json = "json"


_SUFFIXES = {".html": ReportFormat.html, ".htm": ReportFormat.html, ".md": ReportFormat.markdown,
             ".markdown": ReportFormat.markdown, ".json": ReportFormat.json}  # fmt: skip

AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="DATE",
        help="Report on this date (YYYY-MM-DD) instead of today, for reproducible reports.",
        show_default=False,
    ),
]
Columns = Annotated[
    str | None,
    typer.Option(
        "--columns",
        metavar="NAMES",
        help="Column names, comma-separated, in the order query,count,results,clicks,locale "
        "(search log) or subject,body,locale (tickets, as for suggest --tickets); leave one "
        "empty to detect it (default: detected from common exports).",
        show_default=False,
    ),
]
Threshold = Annotated[
    float | None,
    typer.Option(
        "--threshold",
        min=0.0,
        max=1.0,
        help="Lowest confidence that counts as answered (default: [search] suggest_threshold).",
        show_default=False,
    ),
]
NoUpdate = Annotated[
    bool, typer.Option("--no-update", help="Use the search index as it is; do not update it.")
]


def _as_of(text: str | None) -> dt.date:
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--as-of: not a date: '{text}' (use YYYY-MM-DD)") from None


def _columns(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",")) if text else ()


def _find_gaps(
    state: State,
    corpus: Corpus,
    path: Path,
    kind: LogKind,
    columns: tuple[str, ...],
    *,
    locale: str | None,
    threshold: float | None,
    update: bool,
) -> GapsReport:
    from kbtool.cli.search import _engine
    from kbtool.report.gaps import find_gaps, read_log

    log = read_log(path, kind=kind, columns=columns)
    with _engine(state, update=update) as engine, state.progress("Asking", minimum=200) as bar:
        return find_gaps(engine, corpus, log, locale=locale, threshold=threshold, progress=bar)


# --------------------------------------------------------------------------- report


@app.command("report")
def report_command(
    ctx: typer.Context,
    fmt: Annotated[
        ReportFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="html, markdown or json (default: from the --output suffix, else markdown).",
            show_default=False,
        ),
    ] = None,
    output: opt.Output = None,
    as_of: AsOf = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="PERIOD",
            help="Add the trend per month from git history: 6m, 12 months, 1y or a date.",
            show_default=False,
        ),
    ] = None,
    search_log: Annotated[
        Path | None,
        typer.Option(
            "--search-log",
            metavar="FILE",
            dir_okay=False,
            help="Add the search gaps of a search log (CSV, JSON or JSON Lines).",
            show_default=False,
        ),
    ] = None,
    tickets: Annotated[
        Path | None,
        typer.Option(
            "--tickets",
            metavar="FILE.csv",
            dir_okay=False,
            help="Add the gaps of a ticket export instead (CSV).",
            show_default=False,
        ),
    ] = None,
    columns: Columns = None,
    no_lint: Annotated[
        bool, typer.Option("--no-lint", help="Leave out the quality section (no linting).")
    ] = False,
    no_update: NoUpdate = False,
) -> None:
    """Content-health report for editors: one HTML page, Markdown or JSON.

    Sections: inventory (articles by locale, section, type, status); review
    health (status, overdue by owner, time since the last review, what falls
    due in 30 and 90 days); tagging coverage (the stage × channel heatmap and
    its gaps); translations per locale; quality (lint findings by rule and
    section, worst articles); with --search-log or --tickets, the search gaps
    of `kbtool gaps`; with --since, the trend per month from git history. The
    HTML file is self-contained (inline CSS and SVG charts, no scripts) and
    prints well. Lint results come from the lint cache when the tree is
    unchanged since the last `kbtool lint`.

    \b
    Examples:
      kbtool report -o report.html
      kbtool report --since 6m --as-of 2026-11-23 -o report.html
      kbtool report --format markdown --search-log examples/search-log.csv
      kbtool report --tickets examples/tickets.csv --format json -o report.json
    """
    from kbtool.report import make_report
    from kbtool.report.gaps import LogKind
    from kbtool.report.render import report_html, report_markdown, report_payload

    state = get_state(ctx)
    if search_log is not None and tickets is not None:
        raise UsageError("give --search-log or --tickets, not both")
    if fmt is None:
        fmt = (
            _SUFFIXES.get(output.suffix.lower(), ReportFormat.markdown)
            if output
            else ReportFormat.markdown
        )
    day = _as_of(as_of)
    if since:
        from kbtool.report.trend import parse_since

        parse_since(since, day)  # a bad --since fails before the slow part
    corpus = state.load_corpus()
    search = None
    log = search_log or tickets
    if log is not None:
        kind = LogKind.TICKETS if tickets is not None else LogKind.SEARCH_LOG
        search = _find_gaps(
            state, corpus, log, kind, _columns(columns), locale=None, threshold=None,
            update=not no_update,
        )  # fmt: skip
    # one live display at a time: a progress bar while linting, nothing else
    with state.progress("Linting", minimum=500) as bar:
        report = make_report(
            corpus, as_of=day, lint=not no_lint, since=since, search=search, progress=bar
        )
    if report.trend is not None and report.trend.note:
        state.warn(report.trend.note)
    if fmt is ReportFormat.json:
        payload = {**report_payload(report), "schema_version": SCHEMA_VERSION}
        text = dumps(payload)
    elif fmt is ReportFormat.html:
        text = report_html(report)
    else:
        text = report_markdown(report)
    emit(state, text, output)


# --------------------------------------------------------------------------- gaps


@app.command("gaps")
def gaps_command(
    ctx: typer.Context,
    log: Annotated[
        Path,
        typer.Argument(
            metavar="LOG",
            dir_okay=False,
            help="Search log (CSV, JSON or JSON Lines) or, with --tickets, a ticket export (CSV).",
            show_default=False,
        ),
    ],
    tickets: Annotated[
        bool, typer.Option("--tickets", help="LOG is a ticket export (subject, body, locale).")
    ] = False,
    columns: Columns = None,
    locale: Annotated[
        str | None,
        typer.Option(
            "--locale",
            "-l",
            metavar="LOCALE",
            help="Answer every query in this locale (default: the log's locale column, "
            "else detected).",
            show_default=False,
        ),
    ] = None,
    threshold: Threshold = None,
    limit: Annotated[
        int,
        typer.Option("--limit", "-n", min=0, help="Topics to show in table and markdown (0: all)."),
    ] = 25,
    fmt: Annotated[GapsFormat, typer.Option("--format", "-f", help="Output format.")] = (
        GapsFormat.table
    ),
    output: opt.Output = None,
    no_update: NoUpdate = False,
) -> None:
    """Content gaps: what customers search for or ask that no article answers.

    Reads a search log (one row per query with a count, or one row per search;
    optional results, clicks and locale columns) or, with --tickets, a ticket
    export. Columns of common exports are found by name (--columns names them
    otherwise). The answer bot of `kbtool suggest` decides for each query
    whether an article answers it confidently; the rest are grouped into
    topics (stemmed terms, misspellings and near-duplicates merged), ranked by
    volume, each with the nearest article and a suggested action: write a new
    article, publish a draft, retitle an article, add labels, or add synonyms
    for a misspelling.

    \b
    Examples:
      kbtool gaps examples/search-log.csv
      kbtool gaps --tickets examples/tickets.csv --format markdown -o gaps.md
      kbtool gaps searches.json --columns "term,hits" --format csv -o gaps.csv
      kbtool gaps export.csv --locale sv --threshold 0.5 --limit 0
    """
    from kbtool.report.gaps import LogKind, gaps_payload

    state = get_state(ctx)
    corpus = state.load_corpus()
    kind = LogKind.TICKETS if tickets else LogKind.SEARCH_LOG
    report = _find_gaps(
        state, corpus, log, kind, _columns(columns), locale=locale, threshold=threshold,
        update=not no_update,
    )  # fmt: skip
    shown = None if limit == 0 else limit
    if fmt is GapsFormat.json:
        payload = {**gaps_payload(report), "schema_version": SCHEMA_VERSION}
        emit(state, dumps(payload), output)
    elif fmt is GapsFormat.markdown:
        from kbtool.report.render import gaps_markdown

        emit(state, gaps_markdown(report, limit=shown), output)
    elif fmt is GapsFormat.csv:
        emit(state, _gaps_csv(report), output)
    else:
        _print(state, output, lambda console: _print_gaps(console, report, shown))


def _gaps_csv(report: GapsReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["rank", "topic", "locale", "volume", "wordings", "also_asked_as", "best_confidence",
         "nearest_path", "nearest_title", "nearest_confidence", "action", "action_article",
         "action_words", "suggestion"]
    )  # fmt: skip
    for i, t in enumerate(report.topics, 1):
        n = t.nearest
        writer.writerow(
            [i, t.label, t.locale, t.volume, t.wordings, " | ".join(q for q, _ in t.queries[1:]),
             f"{t.best_confidence:.3f}", n.path if n else "", n.title if n else "",
             f"{n.confidence:.3f}" if n else "", t.action.kind.value, t.action.article or "",
             " ".join(t.action.words), t.action.text]
        )  # fmt: skip
    return buffer.getvalue()


def _print(state: State, output: Path | None, draw: Any) -> None:
    from kbtool.cli.search import _print as print_rich

    print_rich(state, output, draw)


def _print_gaps(console: Console, report: GapsReport, limit: int | None) -> None:
    from rich.markup import escape
    from rich.table import Table

    what = "tickets" if report.kind.value == "tickets" else "searches"
    topics = report.topics if limit is None else report.topics[:limit]
    multi = len(report.locales) > 1
    if topics:
        table = Table(box=None, pad_edge=False, show_lines=False, expand=False)
        table.add_column("#", justify="right", style="dim")
        table.add_column("topic", max_width=34)
        table.add_column(what, justify="right")
        table.add_column("nearest article", max_width=34)
        table.add_column("suggested action", max_width=70)
        for i, t in enumerate(topics, 1):
            also = ", ".join(q for q, _ in t.queries[1:3]) + (" …" if t.wordings > 3 else "")
            label = escape(t.label) + (f" [dim]({t.locale})[/]" if multi else "")
            if also:
                label += f"\n[dim]{escape(also)}[/]"
            near = (
                f"{escape(t.nearest.title)} [dim]{t.nearest.confidence:.2f}[/]"
                if t.nearest
                else "[dim]–[/]"
            )
            table.add_row(str(i), label, str(t.volume), near, escape(t.action.text))
        console.print(table)
        console.print()
        if len(report.topics) > len(topics):
            console.print(
                f"[dim]… and {len(report.topics) - len(topics)} more topics "
                "(--limit 0 shows all).[/]"
            )
    if report.unclicked:
        shown = ", ".join(f"{escape(q.text)} ({q.count})" for q, _ in report.unclicked[:5])
        console.print(f"Answered, but nobody clicked a result: {shown}.")
    if report.vague:
        shown = ", ".join(f"“{escape(q.text)}”" for q in report.vague[:4])
        console.print(f"[dim]Too vague to search: {report.vague_volume} {what} ({shown}).[/]")
    actions = report.action_counts()
    plan = ", ".join(f"{n} {kind}" for kind, n in actions.items() if n)
    console.print(
        f"{report.answered_volume} of {report.volume} {what} ({report.answered_pct:g}%) have a "
        f"confident article; {report.unanswered_volume} in {len(report.topics)} topic(s) do not"
        + (f" ({plan})" if plan else "")
        + "."
    )
