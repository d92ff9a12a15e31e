"""`kbtool translations`: status and coverage per locale; `translations mark` records an update."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kbtool.cli import options as opt
from kbtool.cli.app import EXIT_CHECK_FAILED, app, get_state
from kbtool.errors import UsageError
from kbtool.jsonio import dumps

if TYPE_CHECKING:
    from kbtool.translations import TranslationFilter, TranslationItem

translations_app = typer.Typer(
    name="translations",
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(translations_app, name="translations")

# How many failing rows `--fail-on` lists before "and N more".
FAIL_LIST_MAX = 20


class TranslationsFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    csv = "csv"
    json = "json"


class FailOn(StrEnum):
    stale = "stale"
    missing = "missing"
    orphaned = "orphaned"
    unverified = "unverified"


class Record(StrEnum):
    auto = "auto"
    hash = "hash"
    commit = "commit"


StatusOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--status",
        metavar="STATUS",
        help="Only rows in this status: up-to-date, stale, missing, orphaned, "
        "unverified (repeatable).",
        show_default=False,
    ),
]
IncludeDrafts = Annotated[
    bool,
    typer.Option("--include-drafts", help="Also drafts (any status but published and archived)."),
]
IncludeArchived = Annotated[
    bool, typer.Option("--include-archived", help="Also archived articles.")
]


def _filter(
    status: list[str] | None,
    locale: list[str] | None,
    section: list[str] | None,
    owner: list[str] | None,
) -> TranslationFilter:
    from kbtool.translations import TranslationFilter, TranslationStatus

    return TranslationFilter(
        statuses=tuple(TranslationStatus.parse(s) for s in opt.values(status)),
        locales=opt.values(locale),
        sections=opt.values(section),
        owners=opt.values(owner),
    )


def _check_locales(flt: TranslationFilter, locales: tuple[str, ...], source: str) -> None:
    for locale in flt.locales:
        if locale not in locales:
            known = ", ".join(locales) or "none"
            hint = " (the source locale has no translations)" if locale == source else ""
            raise UsageError(
                f"--locale {locale}: not a translation locale{hint} (there are: {known})"
            )


@translations_app.callback(invoke_without_command=True)
def translations_command(
    ctx: typer.Context,
    locale: opt.Locale = None,
    section: opt.Section = None,
    owner: opt.Owner = None,
    status: StatusOpt = None,
    show_all: Annotated[
        bool,
        typer.Option(
            "--all",
            "-a",
            help="Table and Markdown: also list up-to-date translations "
            "(CSV and JSON always list every row).",
        ),
    ] = False,
    include_drafts: IncludeDrafts = False,
    include_archived: IncludeArchived = False,
    fmt: Annotated[
        TranslationsFormat, typer.Option("--format", "-f", help="Output format.")
    ] = TranslationsFormat.table,
    output: opt.Output = None,
    fail_on: Annotated[
        list[FailOn] | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 when a row has this status (repeatable: stale, missing, "
            "orphaned, unverified).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Translation status per locale: up-to-date, stale, missing, orphaned; and coverage.

    A translation is linked to its source in the default locale by
    translation_of, else the same path in its locale folder, else the same id
    (kb.translation_links). It is stale when the source changed after it was
    last brought up to date: by the source_hash it records (a body hash, or a
    commit of this repository), else by git history. Missing: a published
    source without a translation in the locale. Orphaned: a translation whose
    source was deleted. Unverified: nothing tells (no recorded hash, no git).

    \b
    Examples:
      kbtool translations
      kbtool translations --locale sv --status stale --status missing
      kbtool translations --format json -o translations.json
      kbtool translations --fail-on stale --fail-on orphaned      # a CI gate
      kbtool -C ../help --config ../help/ci.toml translations --status orphaned
    """
    if ctx.invoked_subcommand is not None:
        return
    from kbtool.cli import translations_output as out
    from kbtool.cli.review import _render
    from kbtool.translations import TranslationStatus, coverage_of, translation_report

    state = get_state(ctx)
    flt = _filter(status, locale, section, owner)
    corpus = state.load_corpus()
    report = translation_report(corpus, drafts=include_drafts, archived=include_archived)
    _check_locales(flt, report.locales, report.source_locale)
    scope = [i for i in report.items if flt.in_scope(i)]
    locales = flt.locales or report.locales
    coverage = coverage_of(scope, locales)
    rows = [i for i in scope if flt.matches(i)]
    root = corpus.config.root
    text: str | None = None
    listed = rows
    hide_current = not show_all and not flt.statuses
    if hide_current and fmt in (TranslationsFormat.table, TranslationsFormat.markdown):
        listed = [i for i in rows if i.status is not TranslationStatus.UP_TO_DATE]
    if fmt is TranslationsFormat.json:
        filters: dict[str, Any] = {
            "status": [s.value for s in flt.statuses],
            "locale": list(flt.locales),
            "section": list(flt.sections),
            "owner": list(flt.owners),
            "include_drafts": include_drafts,
            "include_archived": include_archived,
        }
        payload = out.report_json(report, coverage, rows, root=root, filters=filters)
        text = dumps(payload)
    elif fmt is TranslationsFormat.csv:
        text = out.report_csv(rows, root)
    elif fmt is TranslationsFormat.markdown:
        text = out.report_markdown(report, coverage, listed, root=root, title=corpus.config.kb.name)
    _render(
        state,
        output,
        text,
        lambda console: out.print_report(console, report, coverage, listed, root=root),
    )
    if fmt is not TranslationsFormat.table or output is not None:
        state.info(out.summary_line(coverage))
    if report.history and report.locales and fmt is not TranslationsFormat.table:
        state.warn(
            f"no git history ({report.history}): only recorded hashes and review dates count"
        )
    if fail_on:
        wanted = {TranslationStatus(f.value) for f in fail_on}
        bad = [i for i in scope if i.status in wanted]
        if bad:
            _print_failures(bad, sorted(f.value for f in fail_on), root)
            raise typer.Exit(EXIT_CHECK_FAILED)


def _print_failures(bad: list[TranslationItem], statuses: list[str], root: Path) -> None:
    from kbtool.cli.review_output import rel_path

    what = " or ".join(statuses)
    flags = " ".join(f"--fail-on {s}" for s in statuses)
    lines = [f"kbtool: translations: {len(bad)} translation(s) {what} ({flags}):"]
    for item in bad[:FAIL_LIST_MAX]:
        lines.append(
            f"  {item.status.value}: {item.locale}: {rel_path(item.article.path, root)}: "
            f"{item.reason}"
        )
    if len(bad) > FAIL_LIST_MAX:
        lines.append(f"  ... and {len(bad) - FAIL_LIST_MAX} more")
    typer.echo("\n".join(lines), err=True)


# --------------------------------------------------------------------------- translations mark


@translations_app.command("mark")
def mark_command(
    ctx: typer.Context,
    targets: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[PATHS|IDS]...",
            help="Translation files, folders or ids to mark "
            "(with no targets, the translations the filters select).",
            show_default=False,
        ),
    ] = None,
    record: Annotated[
        Record,
        typer.Option(
            "--record",
            help="What to record about the source: its body hash, its last git commit, "
            "or auto (a commit when the translation already records a commit sha, "
            "else the hash).",
        ),
    ] = Record.auto,
    commit: Annotated[
        bool,
        typer.Option(
            "--commit",
            help="Commit the marked files in one git commit that lists them; refused "
            "when other changes would be swept in.",
        ),
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask for confirmation of a batch.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Show what would change; write nothing.")
    ] = False,
    locale: opt.Locale = None,
    section: opt.Section = None,
    owner: opt.Owner = None,
    status: StatusOpt = None,
) -> None:
    """Record that translations were brought up to date with their sources.

    Writes the source's current body hash (or last commit) into each
    translation's source_hash key (as mapped in [fields], e.g.
    source-git-commit); every other byte stays as it was, the write is atomic,
    and a file changed on disk since it was read is not overwritten. Run it
    after updating the translation's text. A batch (a folder, or filters such
    as --locale sv --status stale) asks for confirmation on a terminal; --yes
    confirms in scripts.

    \b
    Examples:
      kbtool translations mark articles/sv/billing/refund-policy.md
      kbtool translations mark refund-policy --locale zh-cn --commit
      kbtool translations mark --locale sv --status stale --dry-run
      kbtool translations mark articles/de-de --record commit --yes
    """
    from kbtool.cli.edits import confirm_batch, print_diffs
    from kbtool.cli.review_output import rel_path
    from kbtool.corpus.select import resolve_targets
    from kbtool.review import apply_marks
    from kbtool.translations import (
        RecordKind,
        TranslationLinker,
        mark_commit_message,
        prepare_translation_marks,
        translation_report,
    )

    state = get_state(ctx)
    flt = _filter(status, locale, section, owner)
    filtered = bool(flt.statuses or flt.owners or flt.locales or flt.sections)
    if not targets and not filtered:
        raise UsageError(
            "say which translations to mark: paths, ids, or filters such as "
            "--locale sv --status stale"
        )
    corpus = state.load_corpus()
    config = corpus.config
    linker = TranslationLinker(corpus)
    if targets:
        chosen, batch = resolve_targets(corpus, targets, locales=flt.locales)
        sources = [a for a in chosen if not linker.is_translation(a)]
        if sources and not batch:
            raise UsageError(
                f"{rel_path(sources[0].path, config.root)}: not a translation "
                f"(it is in the source locale '{linker.source_locale}')"
            )
        chosen = [a for a in chosen if linker.is_translation(a)]
    else:
        chosen, batch = list(linker.translations()), True
    if filtered:
        report = translation_report(corpus, drafts=True, archived=True)
        _check_locales(flt, report.locales, report.source_locale)
        wanted = {
            i.translation.path for i in report.items if i.translation is not None and flt.matches(i)
        }
        chosen = [a for a in chosen if a.path in wanted]
    if not chosen:
        state.info("Nothing to mark: no translation matches.")
        return
    marks = prepare_translation_marks(corpus, chosen, record=RecordKind(record.value))
    root = config.root
    todo = [m for m in marks if m.changed]
    for mark in marks:
        if not mark.changed:
            state.info(
                f"{rel_path(mark.path, root)}: already up to date ({mark.key} {mark.value[:12]})"
            )
    if dry_run:
        print_diffs([m.change for m in todo], root)
        state.info(f"Dry run: would mark {len(todo)} translation(s) up to date; nothing written.")
        return
    if not todo:
        return
    if batch and not yes:
        confirm_batch(
            f"{len(todo)} translation(s)",
            "mark them",
            [f"  {rel_path(mark.path, root)}" for mark in todo],
            f"Mark these {len(todo)} translation(s) up to date?",
        )
    message = mark_commit_message(todo, root=root) if commit else None
    sha = apply_marks([m.change for m in todo], commit_message=message)
    typer.echo(f"Marked {len(todo)} translation(s) up to date:")
    for mark in todo:
        source = rel_path(mark.source.path, root)
        typer.echo(f"  {rel_path(mark.path, root)}: {mark.key} {mark.value[:12]} (of {source})")
    if sha:
        typer.echo(f"Committed {sha[:12]}: {message.splitlines()[0] if message else ''}")
