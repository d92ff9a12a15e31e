"""`kbtool articles`: the inventory."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Annotated

import typer

from kbtool.cli import options as opt
from kbtool.cli.app import EXIT_CHECK_FAILED, OutputFormat, State, app, emit, get_state
from kbtool.jsonio import dumps

if TYPE_CHECKING:
    from pathlib import Path

    from kbtool.corpus import Article, Corpus

_CSV_COLUMNS = (
    "id", "locale", "title", "type", "section", "stages", "channels", "owner",
    "last_reviewed", "status", "path",
)  # fmt: skip


@app.command("articles")
def articles_command(
    ctx: typer.Context,
    paths: opt.Paths = None,
    locale: opt.Locale = None,
    type_: opt.Type = None,
    section: opt.Section = None,
    stage: opt.Stage = None,
    channel: opt.Channel = None,
    owner: opt.Owner = None,
    status: opt.Status = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.")
    ] = OutputFormat.table,
    output: opt.Output = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 when any file could not be loaded.")
    ] = False,
) -> None:
    """The inventory: every article with its metadata, and the files that failed to load.

    \b
    Examples:
      kbtool articles
      kbtool articles --locale sv --type how-to
      kbtool articles articles/en/billing --format csv -o billing.csv
      kbtool articles --format json | jq '.articles[] | select(.owner == null) | .path'
    """
    from kbtool.corpus import Severity
    from kbtool.inventory import ArticleFilter, inventory_payload, select

    state = get_state(ctx)
    corpus = state.load_corpus(paths)
    flt = ArticleFilter(
        locales=opt.values(locale),
        types=opt.values(type_),
        sections=opt.values(section),
        stages=opt.values(stage),
        channels=opt.values(channel),
        owners=opt.values(owner),
        statuses=opt.values(status),
    )
    chosen = select(corpus.articles, flt)
    if fmt is OutputFormat.json:
        emit(
            state,
            dumps(inventory_payload(corpus, chosen)),
            output,
        )
    elif fmt is OutputFormat.csv:
        emit(state, _csv(chosen, corpus), output)
        _print_problems(state, corpus, stderr=True)
    else:
        _table(state, corpus, chosen, output)
    errors = [p for p in corpus.problems if p.severity is Severity.ERROR]
    if strict and errors:
        raise typer.Exit(EXIT_CHECK_FAILED)


def _csv(chosen: list[Article], corpus: Corpus) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(_CSV_COLUMNS)
    root = corpus.config.root
    for a in chosen:
        writer.writerow(
            [
                a.id,
                a.locale,
                a.title,
                a.type or "",
                a.section,
                ";".join(a.stages),
                ";".join(a.channels),
                a.owner or "",
                a.last_reviewed.isoformat() if a.last_reviewed else "",
                a.status,
                a.path.relative_to(root).as_posix() if a.path.is_relative_to(root) else str(a.path),
            ]
        )
    return buffer.getvalue()


def _table(state: State, corpus: Corpus, chosen: list[Article], output: Path | None) -> None:
    from rich.table import Table

    table = Table(title=None, show_lines=False, header_style="bold", pad_edge=False, expand=False)
    for name in (
        "id",
        "locale",
        "title",
        "type",
        "section",
        "stages",
        "channels",
        "owner",
        "last reviewed",
        "status",
    ):
        table.add_column(name, overflow="fold", no_wrap=name in ("id", "locale", "last reviewed"))
    for a in chosen:
        table.add_row(
            a.id,
            a.locale,
            a.title,
            a.type or "-",
            a.section,
            ", ".join(a.stages) or "-",
            ", ".join(a.channels) or "-",
            a.owner or "-",
            a.last_reviewed.isoformat() if a.last_reviewed else "never",
            a.status if a.status == "published" else f"[yellow]{a.status}[/]",
        )
    if output is not None:
        from rich.console import Console

        buffer = io.StringIO()
        console = Console(file=buffer, width=200, no_color=True, color_system=None)
        console.print(table)
        console.print(_summary(corpus, chosen), markup=False)
        emit(state, buffer.getvalue(), output)
        _print_problems(state, corpus, stderr=True)
        return
    console = state.console()
    console.print(table)
    console.print(_summary(corpus, chosen), markup=False)
    _print_problems(state, corpus, stderr=False)


def _summary(corpus: Corpus, chosen: list[Article]) -> str:
    from collections import Counter

    by_locale = Counter(a.locale for a in chosen)
    locales = ", ".join(f"{loc} {n}" for loc, n in sorted(by_locale.items()))
    text = f"{len(chosen)} article(s)"
    if locales:
        text += f" ({locales})"
    if len(chosen) != len(corpus.articles):
        text += f" of {len(corpus.articles)}"
    n = len(corpus.problems)
    text += f"; {n} load problem(s)" if n else "; no load problems"
    return text


def _print_problems(state: State, corpus: Corpus, *, stderr: bool) -> None:
    if not corpus.problems:
        return
    from rich.markup import escape

    console = state.console(stderr=stderr)
    root = corpus.config.root
    console.print()
    console.print("[bold]Load problems[/]")
    style = {"error": "red", "warning": "yellow", "info": "dim"}
    for p in corpus.problems:
        where = p.path.relative_to(root) if p.path.is_relative_to(root) else p.path
        sev = str(p.severity)
        console.print(
            f"{escape(str(where))}:{p.line}:{p.column}: [{style[sev]}]{sev}[/]: {escape(p.message)}"
        )
