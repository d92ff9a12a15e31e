"""`kbtool tags`: set/unset stages and channels, apply rules, suggest, and the coverage matrix."""

from __future__ import annotations

import io
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kbtool.cli import options as opt
from kbtool.cli.app import EXIT_CHECK_FAILED, State, app, emit, get_state
from kbtool.cli.edits import confirm_batch, print_diffs
from kbtool.corpus.discover import relative_path
from kbtool.errors import UsageError
from kbtool.jsonio import dumps

if TYPE_CHECKING:
    from kbtool.config import Config
    from kbtool.corpus import Article, Corpus

tags_app = typer.Typer(
    name="tags",
    rich_markup_mode=None,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(tags_app, name="tags")


@tags_app.callback()
def tags_callback() -> None:
    """Tag articles by customer-journey stage and channel; show where coverage has gaps.

    Stages and channels are front matter validated against [taxonomy];
    [[tags.rules]] in kbtool.toml tag articles automatically.

    \b
    Examples:
      kbtool tags matrix --locale en
      kbtool tags auto --explain
      kbtool tags suggest
      kbtool tags set reset-password --locale en --stage new --channel in-product
    """


# How many articles `--check` lists before "and N more".
CHECK_LIST_MAX = 20

Targets = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="[PATHS|IDS|GLOBS]...",
        help="Article files, folders, globs (quoted: 'articles/en/billing/*.md') or ids "
        "(with no targets, the articles the filters select).",
        show_default=False,
    ),
]
StageValues = Annotated[
    list[str] | None,
    typer.Option(
        "--stage", metavar="STAGE", help="Journey stage (repeatable).", show_default=False
    ),
]
ChannelValues = Annotated[
    list[str] | None,
    typer.Option("--channel", metavar="CHANNEL", help="Channel (repeatable).", show_default=False),
]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation of a batch.")]
DryRun = Annotated[
    bool, typer.Option("--dry-run", "-n", help="Show what would change; write nothing.")
]
IncludeArchived = Annotated[
    bool, typer.Option("--include-archived", help="Also archived articles (skipped by default).")
]


class AutoFormat(StrEnum):
    text = "text"
    json = "json"


class SuggestFormat(StrEnum):
    text = "text"
    json = "json"


class MatrixFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    csv = "csv"
    json = "json"
    html = "html"


class GroupBy(StrEnum):
    locale = "locale"
    section = "section"
    type = "type"


def _filter(
    locale: list[str] | None,
    section: list[str] | None,
    type_: list[str] | None,
    status: list[str] | None = None,
) -> Any:
    from kbtool.inventory import ArticleFilter

    return ArticleFilter(
        locales=opt.values(locale),
        sections=opt.values(section),
        types=opt.values(type_),
        statuses=opt.values(status),
    )


def _filtered(flt: Any) -> bool:
    return bool(flt.locales or flt.sections or flt.types or flt.statuses)


def _check_values(config: Config, field: str, values: tuple[str, ...], option: str) -> None:
    """Refuse a stage or channel that is not in the taxonomy (the linter's check, KB107)."""
    from kbtool.taxonomy import check_value

    for value in values:
        problem = check_value(config, field, value)
        if problem is not None:
            raise UsageError(f"{option}: {problem.message}")


def _choose(
    corpus: Corpus, targets: list[str] | None, flt: Any, *, archived: bool
) -> tuple[list[Article], bool]:
    """The articles named by targets and/or filters, and whether they are a batch."""
    from kbtool.tags import resolve_targets

    if targets:
        chosen, batch = resolve_targets(corpus, targets, locales=flt.locales)
    else:
        chosen = [a for a in corpus.articles if archived or a.status != "archived"]
        batch = True
    chosen = [a for a in chosen if flt.matches(a)]
    chosen.sort(key=lambda a: a.rel_path)
    return chosen, batch


def _set_or_unset(
    ctx: typer.Context,
    targets: list[str] | None,
    stage: list[str] | None,
    channel: list[str] | None,
    flt: Any,
    *,
    remove: bool,
    yes: bool,
    dry_run: bool,
) -> None:
    from kbtool.cli.tags_output import change_line
    from kbtool.tags import apply_changes, set_tags

    verb = "unset" if remove else "set"
    stages, channels = opt.values(stage), opt.values(channel)
    if not stages and not channels:
        raise UsageError(f"say what to {verb}: --stage STAGE and/or --channel CHANNEL")
    if not targets and not _filtered(flt):
        raise UsageError(
            f"say which articles to {verb}: paths, ids, globs, or filters such as --section NAME"
        )
    state = get_state(ctx)
    corpus = state.load_corpus(with_git=False)
    config = corpus.config
    _check_values(config, "stages", stages, "--stage")
    _check_values(config, "channels", channels, "--channel")
    chosen, batch = _choose(corpus, targets, flt, archived=True)
    if not chosen:
        state.info("Nothing to tag: no article matches.")
        return
    changes = set_tags(chosen, config, stages=stages, channels=channels, remove=remove)
    todo = [c for c in changes if c.changed]
    root = config.root
    if dry_run:
        print_diffs(todo, root)
        state.info(
            f"Dry run: would change {len(todo)} of {len(chosen)} article(s); nothing written."
        )
        return
    if not todo:
        state.info(f"Nothing to change: the {len(chosen)} article(s) already have it.")
        return
    if batch and not yes:
        confirm_batch(
            f"{len(todo)} article(s)",
            verb,
            [change_line(change, root) for change in todo],
            f"Change these {len(todo)} article(s)?",
        )
    written = apply_changes(todo)
    typer.echo(f"Tagged {len(written)} article(s):")
    for change in written:
        typer.echo(change_line(change, root))


# --------------------------------------------------------------------------- set / unset


@tags_app.command("set")
def set_command(
    ctx: typer.Context,
    targets: Targets = None,
    stage: StageValues = None,
    channel: ChannelValues = None,
    locale: opt.Locale = None,
    section: opt.Section = None,
    type_: opt.Type = None,
    status: opt.Status = None,
    yes: Yes = False,
    dry_run: DryRun = False,
) -> None:
    """Add journey stages and channels to articles' front matter.

    Values must be in [taxonomy]. Only the stages/channels keys change (the
    repository's mapped keys, its own spelling of existing values); every
    other byte stays, the write is atomic, and a file changed on disk since
    it was read is not overwritten. A batch (a folder, a glob or filters)
    asks for confirmation on a terminal; --yes confirms in scripts.

    \b
    Examples:
      kbtool tags set articles/en/account/reset-password.md --stage new --channel in-product
      kbtool tags set reset-password --locale en --channel answer-bot
      kbtool tags set 'articles/*/billing/*.md' --channel agent --yes
      kbtool tags set --section troubleshooting --type troubleshooting --channel answer-bot -n
    """
    flt = _filter(locale, section, type_, status)
    _set_or_unset(ctx, targets, stage, channel, flt, remove=False, yes=yes, dry_run=dry_run)


@tags_app.command("unset")
def unset_command(
    ctx: typer.Context,
    targets: Targets = None,
    stage: StageValues = None,
    channel: ChannelValues = None,
    locale: opt.Locale = None,
    section: opt.Section = None,
    type_: opt.Type = None,
    status: opt.Status = None,
    yes: Yes = False,
    dry_run: DryRun = False,
) -> None:
    """Remove journey stages and channels from articles' front matter.

    The same safe edit as `tags set`: nothing else in the file changes.

    \b
    Examples:
      kbtool tags unset articles/en/billing/refund-policy.md --channel email
      kbtool tags unset --section billing --stage prospective --dry-run
      kbtool tags unset 'articles/sv/**/*.md' --channel in-product --yes
    """
    flt = _filter(locale, section, type_, status)
    _set_or_unset(ctx, targets, stage, channel, flt, remove=True, yes=yes, dry_run=dry_run)


# --------------------------------------------------------------------------- auto


@tags_app.command("auto")
def auto_command(
    ctx: typer.Context,
    targets: Targets = None,
    locale: opt.Locale = None,
    section: opt.Section = None,
    type_: opt.Type = None,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain", "-e", help="Per article, every rule that matches, why, and its effect."
        ),
    ] = False,
    write: Annotated[bool, typer.Option("--write", "-w", help="Save the changes.")] = False,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Exit 1 when an article lacks tags the rules imply (a CI gate)."
        ),
    ] = False,
    include_archived: IncludeArchived = False,
    fmt: Annotated[
        AutoFormat, typer.Option("--format", "-f", help="Output format.")
    ] = AutoFormat.text,
    output: opt.Output = None,
) -> None:
    """Apply the [[tags.rules]] of kbtool.toml: show what they would add or remove.

    A rule matches on path globs, section, type, locale, labels, raw
    front-matter values (meta) and words in the title or body, and adds
    stages and channels. A value a writer set by hand is only removed by a
    rule that says so (remove_stages, remove_channels). Without --write
    nothing is saved; --check exits 1 when any article would change.

    \b
    Examples:
      kbtool tags auto                      # what the rules would change
      kbtool tags auto --explain articles/en/billing
      kbtool tags auto --write              # save it (same safe edit as tags set)
      kbtool tags auto --check              # CI: exit 1 when tags are missing
      kbtool tags auto --format json -o tags-auto.json
    """
    from kbtool.cli import tags_output as out
    from kbtool.tags import apply_changes, changes_for_plans, plan_tags

    if write and check:
        raise UsageError("give --write or --check, not both")
    state = get_state(ctx)
    corpus = state.load_corpus(with_git=False)
    config = corpus.config
    if not config.tags.rules:
        state.warn("no [[tags.rules]] in the configuration: nothing to apply")
    flt = _filter(locale, section, type_)
    chosen, _ = _choose(corpus, targets, flt, archived=include_archived)
    plans = plan_tags(chosen, config)
    root = config.root
    changed = [p for p in plans if p.changed]
    if write and changed:
        apply_changes(changes_for_plans(changed, config))
    if fmt is AutoFormat.json:
        payload = out.auto_json(plans, root=root, config=config, written=write, explain=explain)
        emit(state, dumps(payload), output)
    else:
        shown = [p for p in plans if p.changed or (explain and p.hits)]
        lines: list[str] = []
        for plan in shown:
            lines += out.plan_lines(plan, root, explain=explain)
        if lines or output is not None:
            emit(state, "\n".join(lines), output)
    summary = out.auto_summary(plans, written=write)
    if write:
        state.info(summary + ".")
    elif changed and not check:
        state.info(summary + "; run with --write to save.")
    else:
        state.info(summary + ".")
    if check and changed:
        lines = [f"kbtool: tags: {len(changed)} article(s) lack tags the rules imply (--check):"]
        for plan in changed[:CHECK_LIST_MAX]:
            parts = [f"+{v}" for f in ("stages", "channels") for v in plan.added(f)]
            parts += [f"-{v}" for f in ("stages", "channels") for v in plan.removed(f)]
            lines.append(f"  {relative_path(plan.article.path, root)}: {', '.join(parts)}")
        if len(changed) > CHECK_LIST_MAX:
            lines.append(f"  ... and {len(changed) - CHECK_LIST_MAX} more")
        lines.append("Run `kbtool tags auto --write` to add them.")
        typer.echo("\n".join(lines), err=True)
        raise typer.Exit(EXIT_CHECK_FAILED)


# --------------------------------------------------------------------------- suggest


@tags_app.command("suggest")
def suggest_command(
    ctx: typer.Context,
    targets: Targets = None,
    locale: opt.Locale = None,
    section: opt.Section = None,
    type_: opt.Type = None,
    every: Annotated[
        bool,
        typer.Option("--all", help="Also articles that have stages and channels (propose more)."),
    ] = False,
    min_confidence: Annotated[
        float,
        typer.Option(
            "--min-confidence",
            metavar="X",
            min=0.0,
            max=1.0,
            help="Leave out proposals below this confidence (0-1).",
        ),
    ] = 0.3,
    evidence: Annotated[
        bool, typer.Option("--evidence/--no-evidence", help="Show the evidence of each proposal.")
    ] = True,
    fmt: Annotated[
        SuggestFormat, typer.Option("--format", "-f", help="Output format.")
    ] = SuggestFormat.text,
    output: opt.Output = None,
) -> None:
    """Propose stages and channels for untagged articles, with evidence; writes nothing.

    Evidence: the tagging rules, the source article of a translation, the
    tagged articles it links to or that link to it, tagged articles of the
    same type or section, and words typical of a stage ([tags] stage_words:
    "pricing", "free trial" for prospective). Each proposal has a confidence
    from 0 to 1. Accept one with `kbtool tags set`.

    \b
    Examples:
      kbtool tags suggest                              # every untagged article
      kbtool tags suggest articles/en/billing/new-article.md
      kbtool tags suggest --locale sv --min-confidence 0.6 --no-evidence
      kbtool tags suggest --format json -o suggestions.json
    """
    from kbtool.cli import tags_output as out
    from kbtool.tags import suggest_tags

    state = get_state(ctx)
    corpus = state.load_corpus(with_git=False)
    flt = _filter(locale, section, type_)
    chosen, _ = _choose(corpus, targets, flt, archived=bool(targets))
    suggestions = suggest_tags(corpus, chosen, every=every, min_confidence=min_confidence)
    root = corpus.config.root
    if fmt is SuggestFormat.json:
        payload = out.suggest_json(suggestions, root=root, min_confidence=min_confidence)
        emit(state, dumps(payload), output)
    else:
        lines: list[str] = []
        for suggestion in suggestions:
            lines += out.suggestion_lines(suggestion, root, evidence=evidence)
        if lines or output is not None:
            emit(state, "\n".join(lines), output)
    if every:
        state.info(f"Proposals for {len(suggestions)} article(s).")
        return
    skipped = len(chosen) - len(suggestions)
    state.info(
        f"{len(suggestions)} article(s) without stages or channels"
        + (f"; {skipped} already tagged (--all proposes more for them too)" if skipped else "")
        + "."
    )


# --------------------------------------------------------------------------- matrix


@tags_app.command("matrix")
def matrix_command(
    ctx: typer.Context,
    by: Annotated[
        GroupBy | None,
        typer.Option(
            "--by", "-b", help="One matrix per locale, section or type.", show_default=False
        ),
    ] = None,
    locale: opt.Locale = None,
    section: opt.Section = None,
    type_: opt.Type = None,
    with_rules: Annotated[
        bool,
        typer.Option(
            "--with-rules",
            help="Count the tags [[tags.rules]] imply too (as after tags auto --write).",
        ),
    ] = False,
    include_drafts: Annotated[
        bool, typer.Option("--include-drafts", help="Count drafts too (never archived articles).")
    ] = False,
    thin: Annotated[
        int | None,
        typer.Option(
            "--thin",
            metavar="N",
            min=1,
            help="A cell with fewer than N articles is thin (default: [tags] thin, 3).",
            show_default=False,
        ),
    ] = None,
    minimum: Annotated[
        int | None,
        typer.Option(
            "--min",
            metavar="N",
            min=1,
            help="Exit 1 when any cell has fewer than N articles (a CI gate).",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        MatrixFormat, typer.Option("--format", "-f", help="Output format.")
    ] = MatrixFormat.table,
    output: opt.Output = None,
) -> None:
    """Coverage: published articles for every journey stage × channel, with the gaps.

    An article counts in every cell of its stages × channels. Empty cells and
    thin ones (fewer than --thin articles) are highlighted and listed: that is
    content to plan. The HTML format is a heatmap page.

    \b
    Examples:
      kbtool tags matrix
      kbtool tags matrix --by locale --format markdown -o coverage.md
      kbtool tags matrix --locale en --format html -o coverage.html
      kbtool tags matrix --with-rules --by type     # as if tags auto --write had run
      kbtool tags matrix --min 1                    # CI: exit 1 on an empty cell
    """
    from kbtool.cli import tags_output as out
    from kbtool.tags import coverage_matrix

    state = get_state(ctx)
    corpus = state.load_corpus(with_git=False)
    config = corpus.config
    flt = _filter(locale, section, type_)
    chosen = [a for a in corpus.articles if flt.matches(a)]
    coverage = coverage_matrix(
        corpus,
        by=by.value if by else None,
        articles=chosen,
        implied=with_rules,
        include_drafts=include_drafts,
        thin=thin,
    )
    if flt.locales and by is GroupBy.locale:
        coverage = _only_locales(coverage, flt.locales)
    root = config.root
    title = config.kb.name
    text: str | None = None
    if fmt is MatrixFormat.json:
        payload = out.matrix_json(coverage, root=root, config=config, minimum=minimum)
        text = dumps(payload)
    elif fmt is MatrixFormat.csv:
        text = out.matrix_csv(coverage)
    elif fmt is MatrixFormat.markdown:
        text = out.matrix_markdown(coverage, title=title, minimum=minimum)
    elif fmt is MatrixFormat.html:
        text = out.matrix_html(coverage, title=title, config=config, minimum=minimum)
    if text is not None:
        emit(state, text, output)
    else:
        _print_table(
            state, output, lambda c: out.print_matrix(c, coverage, title=title, minimum=minimum)
        )
    if minimum is not None:
        gaps = coverage.gaps(minimum)
        if gaps:
            typer.echo(
                f"kbtool: tags matrix: {len(gaps)} cell(s) with fewer than {minimum} "
                f"article(s) (--min {minimum})",
                err=True,
            )
            raise typer.Exit(EXIT_CHECK_FAILED)


def _only_locales(coverage: Any, locales: tuple[str, ...]) -> Any:
    import dataclasses

    kept = tuple(m for m in coverage.matrices if m.group in locales)
    return dataclasses.replace(coverage, matrices=kept)


def _print_table(state: State, output: Path | None, draw: Any) -> None:
    if output is None:
        draw(state.console())
        return
    from rich.console import Console

    console = Console(
        file=io.StringIO(), width=200, no_color=True, color_system=None, highlight=False
    )
    draw(console)
    emit(state, console.file.getvalue(), output)  # type: ignore[attr-defined]
