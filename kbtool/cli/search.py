"""`kbtool index`, `search`, `suggest` and `eval`: the search index and the answer bot."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kbtool.cli import options as opt
from kbtool.cli.app import EXIT_CHECK_FAILED, State, app, emit, get_state
from kbtool.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from kbtool.search.engine import SearchEngine, SearchResults, Snippet, Suggestion
    from kbtool.search.evaluate import EvalReport, TicketReport
    from kbtool.search.store import UpdateReport

SCHEMA_VERSION = 1


class Format(StrEnum):
    table = "table"
    json = "json"


FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
LocaleOpt = Annotated[
    str | None,
    typer.Option(
        "--locale",
        "-l",
        help="Locale to search (default: detected from the text).",
        metavar="LOCALE",
        show_default=False,
    ),
]
NoUpdate = Annotated[
    bool,
    typer.Option("--no-update", help="Use the index as it is (build it only when there is none)."),
]


def _engine(state: State, *, update: bool = True) -> SearchEngine:
    from kbtool.search.engine import open_engine

    config = state.load_config()

    def report(result: UpdateReport) -> None:
        if result.reason and result.action == "built" and "no index" not in result.reason:
            state.warn(f"search index: {result.reason}")
        if result.action != "unchanged":
            state.info(f"Search index {result.action}: {_counts(result)}")

    with state.status("Updating the search index"):
        return open_engine(config, update=update, on_update=report)


def _counts(report: UpdateReport) -> str:
    per_locale = ", ".join(f"{loc} {n}" for loc, n in report.documents.items())
    changes = ""
    if report.action == "updated":
        changes = f"; {report.added} added, {report.updated} updated, {report.removed} removed"
    return f"{report.total} articles ({per_locale}){changes} in {report.seconds:.2f} s"


def _document(kind: str, **data: Any) -> str:
    from kbtool.jsonio import dumps

    return dumps(
        {"schema": f"kbtool.{kind}/{SCHEMA_VERSION}", "schema_version": SCHEMA_VERSION, **data}
    )


def _print(state: State, output: Path | None, draw: Any) -> None:
    """Print with Rich to the terminal, or as plain text to `--output`."""
    import io

    from rich.console import Console

    if output is None:
        draw(state.console())
        return
    buffer = io.StringIO()
    draw(Console(file=buffer, width=200, no_color=True, color_system=None, highlight=False))
    emit(state, buffer.getvalue(), output)


# --------------------------------------------------------------------------- index


@app.command("index")
def index_command(
    ctx: typer.Context,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Start over instead of updating.")
    ] = False,
    check: Annotated[
        bool,
        typer.Option("--check", help="Only say whether the index is up to date (exit 1 if not)."),
    ] = False,
    fmt: FormatOpt = Format.table,
    output: opt.Output = None,
) -> None:
    """Build or update the full-text search index in .kbtool/index/.

    Only articles whose content changed are re-indexed and deleted ones are
    removed; a change of the analysis or of the settings it depends on
    rebuilds the index by itself. One index per locale, each with its
    language's analysis (stemming, compound words, Chinese segmentation,
    Japanese/Korean bigrams). Drafts and archived articles are left out
    unless `[search] include_drafts = true`. The search commands update the
    index themselves; run this in CI or after a large change.

    \b
    Examples:
      kbtool index
      kbtool index --rebuild
      kbtool index --check          # exit 1 when articles changed since the last build
      kbtool index --format json -o index.json
    """
    from kbtool.search.store import IndexStore

    state = get_state(ctx)
    config = state.load_config()
    store = IndexStore(config)
    if check:
        status, detail = store.status()
        if fmt is Format.json:
            emit(state, _document("index-status", status=status, detail=detail), output)
        else:
            emit(state, f"search index: {status}" + (f" ({detail})" if detail else ""), output)
        if status != "fresh":
            raise typer.Exit(EXIT_CHECK_FAILED)
        return
    with state.status("Indexing articles"):
        report = store.update(rebuild=rebuild, progress=None)
    if report.reason and report.action == "built" and "no index" not in report.reason:
        state.warn(f"search index: {report.reason}")
    if fmt is Format.json:
        emit(
            state,
            _document(
                "index",
                action=report.action,
                reason=report.reason,
                added=report.added,
                updated=report.updated,
                removed=report.removed,
                articles=report.documents,
                analyzers=report.analyzers,
                seconds=round(report.seconds, 3),
                size_bytes=report.size_bytes,
                location=str(report.location),
            ),
            output,
        )
        return
    lines = [f"Search index {report.action}: {_counts(report)}"]
    if state.verbose:
        lines += [f"  {loc}: {text}" for loc, text in report.analyzers.items()]
        lines.append(f"  {report.location} ({report.size_bytes / 1e6:.1f} MB)")
    emit(state, "\n".join(lines), output)


# --------------------------------------------------------------------------- search


@app.command("search")
def search_command(
    ctx: typer.Context,
    query: Annotated[list[str], typer.Argument(help="What to search for.", show_default=False)],
    locale: LocaleOpt = None,
    stage: opt.Stage = None,
    channel: opt.Channel = None,
    type_: opt.Type = None,
    section: opt.Section = None,
    owner: opt.Owner = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, max=1000, help="Most results.")
    ] = 10,
    fmt: FormatOpt = Format.table,
    output: opt.Output = None,
    no_update: NoUpdate = False,
) -> None:
    """Search the articles, with highlighted snippets.

    Words must all match (articles with most of them follow when few have
    all); "a phrase" matches words in order; -word excludes; field:value
    limits a word to a field (title, labels, headings, body) or filters
    (type, section, stage, channel, owner, status, id). Misspelt words are
    corrected ("did you mean"), and `[search.synonyms]` apply.

    \b
    Examples:
      kbtool search reset password
      kbtool search '"sign in" -google'
      kbtool search pasword                     # did you mean: password
      kbtool search invoice --type how-to --locale sv
      kbtool search 'widget stage:new' --format json --limit 5
    """
    from kbtool.search.engine import Filters

    state = get_state(ctx)
    text = " ".join(query).strip()
    if not text:
        raise UsageError("give a query, e.g. kbtool search reset password")
    filters = Filters(
        stages=opt.values(stage),
        channels=opt.values(channel),
        types=opt.values(type_),
        sections=opt.values(section),
        owners=opt.values(owner),
    )
    with _engine(state, update=not no_update) as engine:
        results = engine.search(text, locale=locale, filters=filters, limit=limit)
    if fmt is Format.json:
        emit(state, _document("search", **_results_record(results)), output)
        return
    _print(state, output, lambda console: _print_results(console, results))


def _results_record(results: SearchResults) -> dict[str, Any]:
    return {
        "query": results.query,
        "locale": results.locale,
        "locale_detected": results.locale_detected,
        "corrected": results.corrected,
        "relaxed": results.relaxed,
        "total": results.total,
        "results": [
            {
                "rank": h.rank,
                "id": h.id,
                "locale": h.locale,
                "path": h.path,
                "title": h.title,
                "description": h.description,
                "section": h.section,
                "type": h.type or None,
                "score": h.score,
                "snippet": h.snippet.text,
                "highlights": [list(span) for span in h.snippet.highlights],
            }
            for h in results.hits
        ],
    }


def _rich_snippet(snippet: Snippet) -> Any:
    from rich.text import Text

    text = Text(snippet.text, style="dim")
    for start, end in snippet.highlights:
        text.stylize("bold yellow", start, end)
    return text


def _print_results(console: Console, results: SearchResults) -> None:
    from rich.markup import escape

    if results.corrected:
        console.print(f"Showing results for [bold]{escape(results.corrected)}[/] (did you mean)")
    if not results.hits:
        console.print(f"No articles match '{escape(results.query)}' in {results.locale}.")
        return
    for hit in results.hits:
        console.print(
            f"[bold]{hit.rank}. {escape(hit.title)}[/]  [dim]{escape(hit.locale)}/"
            f"{escape(hit.id)} · {escape(hit.section_title or hit.section)} · "
            f"score {hit.score:.1f}[/]"
        )
        console.print(_rich_snippet(hit.snippet), soft_wrap=True)
        console.print(f"[dim]{escape(hit.path)}[/]")
        console.print()
    note = " (no article has every word; showing those with most)" if results.relaxed else ""
    console.print(f"{len(results.hits)} of {results.total} article(s) in {results.locale}{note}")


# --------------------------------------------------------------------------- suggest


@app.command("suggest")
def suggest_command(
    ctx: typer.Context,
    text: Annotated[
        list[str] | None,
        typer.Argument(
            help="Ticket subject (default: read from stdin).", show_default=False, metavar="TEXT"
        ),
    ] = None,
    body: Annotated[
        str | None,
        typer.Option(
            "--body", "-b", help="Ticket body (weighs less than the subject).", show_default=False
        ),
    ] = None,
    tickets: Annotated[
        Path | None,
        typer.Option(
            "--tickets",
            help="Suggest for every ticket of a CSV export and summarise.",
            dir_okay=False,
            metavar="FILE.csv",
            show_default=False,
        ),
    ] = None,
    columns: Annotated[
        str,
        typer.Option("--columns", help="Subject, body and locale columns of --tickets."),
    ] = "subject,body,locale",
    locale: LocaleOpt = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=50, help="Most articles.")] = 3,
    threshold: Annotated[
        float | None,
        typer.Option(
            "--threshold",
            min=0.0,
            max=1.0,
            help="Lowest confidence to suggest (default: [search] suggest_threshold).",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    output: opt.Output = None,
    no_update: NoUpdate = False,
) -> None:
    """Answer bot: the articles that answer a support ticket.

    Reads a ticket subject in natural language (argument or stdin) and an
    optional body, and returns the best articles (3 by default) in the
    ticket's language (--locale, or detected), each with a confidence and the
    words it matched; below the confidence threshold it says there is no
    confident match instead of guessing. With --tickets it does so for every
    ticket of a CSV export and reports how many could have been answered by an
    article, and which had none (content gaps).

    \b
    Examples:
      kbtool suggest "I can't log into my account after changing my email"
      kbtool suggest "Faktura saknas" --body "Jag hittar inte mars-fakturan"
      echo "widget not showing on my shop" | kbtool suggest
      kbtool suggest --tickets tickets.csv --columns title,description,lang
      kbtool suggest --tickets tickets.csv --format json -o suggestions.json
    """
    state = get_state(ctx)
    if tickets is not None:
        if text:
            raise UsageError("give either TEXT or --tickets, not both")
        _suggest_tickets(state, tickets, columns, locale, limit, threshold, fmt, output, no_update)
        return
    subject = " ".join(text or ()).strip()
    if not subject and not sys.stdin.isatty():
        lines = sys.stdin.read().strip().split("\n", 1)
        subject = lines[0].strip()
        if len(lines) > 1 and body is None:
            body = lines[1].strip()
    if not subject:
        raise UsageError('give a ticket subject, e.g. kbtool suggest "cannot reset password"')
    with _engine(state, update=not no_update) as engine:
        suggestion = engine.suggest(
            subject, body=body or "", locale=locale, limit=limit, threshold=threshold
        )
    if fmt is Format.json:
        emit(state, _document("suggest", **_suggestion_record(suggestion)), output)
        return
    _print(state, output, lambda console: _print_suggestion(console, suggestion))


def _suggestion_record(s: Suggestion) -> dict[str, Any]:
    return {
        "text": s.text,
        "locale": s.locale,
        "locale_detected": s.locale_detected,
        "threshold": s.threshold,
        "confident": s.confident,
        "best_confidence": s.best_confidence,
        "corrected": s.corrected,
        "suggestions": [
            {
                "rank": h.rank,
                "id": h.id,
                "locale": h.locale,
                "path": h.path,
                "title": h.title,
                "score": h.score,
                "confidence": h.confidence,
                "reason": h.reason,
                "matched": list(h.matched),
            }
            for h in s.hits
        ],
    }


def _print_suggestion(console: Console, s: Suggestion) -> None:
    from rich.markup import escape

    where = f"{s.locale} (detected)" if s.locale_detected else s.locale
    if not s.hits:
        best = f"; best {s.best_confidence:.2f}" if s.best_confidence else ""
        console.print(f"No confident match in {where} (threshold {s.threshold:.2f}{best}).")
        return
    for hit in s.hits:
        console.print(
            f"[bold]{hit.rank}. {escape(hit.title)}[/]  [dim]{escape(hit.id)} · "
            f"confidence {hit.confidence:.2f}[/]"
        )
        console.print(f"   [dim]{escape(hit.reason)} · {escape(hit.path)}[/]")
    console.print(f"[dim]Locale {where}.[/]")


def _suggest_tickets(
    state: State,
    path: Path,
    columns: str,
    locale: str | None,
    limit: int,
    threshold: float | None,
    fmt: Format,
    output: Path | None,
    no_update: bool,
) -> None:
    from kbtool.search.evaluate import read_tickets, suggest_tickets

    names = [c.strip() for c in columns.split(",")]
    if not names or not names[0]:
        raise UsageError("--columns: name at least the subject column, e.g. subject,body,locale")
    tickets = read_tickets(path, names)
    with _engine(state, update=not no_update) as engine:
        report = suggest_tickets(engine, tickets, limit=limit, locale=locale, threshold=threshold)
    if fmt is Format.json:
        emit(state, _document("tickets", **_tickets_record(report, path)), output)
        return
    _print(state, output, lambda console: _print_tickets(console, report))


def _tickets_record(report: TicketReport, path: Path) -> dict[str, Any]:
    return {
        "source": str(path),
        "tickets": report.total,
        "matched": report.matched,
        "deflection_share": round(report.share, 4),
        "results": [
            {"line": t.line, "subject": t.subject, **_suggestion_record(s)}
            for t, s in report.tickets
        ],
        "unmatched": [
            {"line": t.line, "subject": t.subject, "locale": s.locale} for t, s in report.unmatched
        ],
    }


def _print_tickets(console: Console, report: TicketReport) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for name in ("line", "ticket", "best article", "confidence"):
        table.add_column(name, justify="right" if name in ("line", "confidence") else "left")
    for ticket, s in report.tickets:
        best = s.hits[0] if s.hits else None
        table.add_row(
            str(ticket.line),
            escape(ticket.subject[:70]),
            escape(best.id) if best else "[dim]no confident match[/]",
            f"{best.confidence:.2f}" if best else f"[dim]{s.best_confidence:.2f}[/]",
        )
    console.print(table)
    console.print()
    console.print(
        f"{report.matched} of {report.total} ticket(s) ({report.share:.0%}) have a confident "
        f"article: an estimate of how many could have been deflected."
    )
    if report.unmatched:
        console.print(f"{len(report.unmatched)} without one (content gaps):")
        for ticket, _ in report.unmatched:
            console.print(f"  line {ticket.line}: {escape(ticket.subject)}")


# --------------------------------------------------------------------------- eval


class EvalMode(StrEnum):
    both = "both"
    search = "search"
    suggest = "suggest"


@app.command("eval")
def eval_command(
    ctx: typer.Context,
    queries: Annotated[
        Path,
        typer.Argument(
            help="CSV of query,expected_id[,locale] rows.", dir_okay=False, show_default=False
        ),
    ],
    mode: Annotated[
        EvalMode, typer.Option("--mode", help="Which ranking to measure.")
    ] = EvalMode.both,
    min_mrr: Annotated[
        float | None,
        typer.Option(
            "--min-mrr",
            min=0.0,
            max=1.0,
            help="Exit 1 when an MRR (overall, per mode) is below this.",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    output: opt.Output = None,
    no_update: NoUpdate = False,
) -> None:
    """Measure search and suggest quality on labelled queries (MRR, recall@k).

    Each CSV row is a query, the id of the article that answers it (several
    separated by |) and optionally the locale. Prints the mean reciprocal rank
    and recall@1/3/10 overall and per locale, and every query whose article
    was not ranked first, with the rank it got. --min-mrr makes it a CI gate.

    \b
    Examples:
      kbtool eval tests/search/queries.csv
      kbtool eval queries.csv --mode suggest --min-mrr 0.8
      kbtool eval queries.csv --format json -o eval.json
    """
    from kbtool.search.evaluate import evaluate, read_cases

    state = get_state(ctx)
    cases = read_cases(queries)
    modes = ("search", "suggest") if mode is EvalMode.both else (mode.value,)
    with _engine(state, update=not no_update) as engine:
        report = evaluate(engine, cases, modes=modes, source=str(queries))
    for line, unknown in report.unknown_ids:
        state.warn(f"{queries}:{line}: no indexed article has id '{unknown}'")
    if fmt is Format.json:
        emit(state, _document("eval", **_eval_record(report, min_mrr)), output)
    else:
        _print(state, output, lambda console: _print_eval(console, report, min_mrr))
    if min_mrr is not None and any(m.overall.mrr < min_mrr for m in report.modes):
        raise typer.Exit(EXIT_CHECK_FAILED)


def _metrics_record(m: Any) -> dict[str, Any]:
    return {
        "queries": m.queries,
        "mrr": m.mrr,
        "recall": {f"@{k}": v for k, v in m.recall.items()},
    }


def _eval_record(report: EvalReport, min_mrr: float | None) -> dict[str, Any]:
    return {
        "source": report.source,
        "min_mrr": min_mrr,
        "passed": None if min_mrr is None else all(m.overall.mrr >= min_mrr for m in report.modes),
        "modes": {
            m.mode: {
                **_metrics_record(m.overall),
                "locales": {loc: _metrics_record(x) for loc, x in m.by_locale.items()},
                "misses": [
                    {
                        "line": miss.line,
                        "query": miss.query,
                        "locale": miss.locale,
                        "expected": list(miss.expected),
                        "rank": miss.rank,
                        "got": miss.got,
                    }
                    for miss in m.misses
                ],
            }
            for m in report.modes
        },
        "unknown_ids": [{"line": line, "id": i} for line, i in report.unknown_ids],
    }


def _print_eval(console: Console, report: EvalReport, min_mrr: float | None) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for name in ("mode", "locale", "queries", "MRR", "R@1", "R@3", "R@10"):
        table.add_column(name, justify="left" if name in ("mode", "locale") else "right")
    for m in report.modes:
        rows = [("all", m.overall), *m.by_locale.items()]
        for loc, x in rows:
            table.add_row(
                m.mode,
                loc,
                str(x.queries),
                f"{x.mrr:.3f}",
                *(f"{x.recall[k]:.2f}" for k in (1, 3, 10)),
            )
    console.print(table)
    for m in report.modes:
        if not m.misses:
            continue
        console.print()
        console.print(f"[bold]{m.mode}[/]: {len(m.misses)} quer(ies) not answered first")
        for miss in m.misses:
            rank = f"rank {miss.rank}" if miss.rank else "not found"
            console.print(
                f"  line {miss.line} [{escape(miss.locale)}] {escape(miss.query)!s}: "
                f"{escape('|'.join(miss.expected))} {rank}"
                + (f" (first: {escape(miss.got)})" if miss.got else "")
            )
    if min_mrr is not None:
        failed = [m.mode for m in report.modes if m.overall.mrr < min_mrr]
        console.print()
        console.print(
            f"MRR below {min_mrr:.2f} for {', '.join(failed)}"
            if failed
            else f"MRR at or above {min_mrr:.2f}"
        )
