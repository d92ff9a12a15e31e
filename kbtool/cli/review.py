"""`kbtool review`: review status, `review mark` to record a review, `review plan`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kbtool.cli import options as opt
from kbtool.cli.app import EXIT_CHECK_FAILED, State, app, emit, get_state
from kbtool.errors import UsageError
from kbtool.jsonio import dumps

if TYPE_CHECKING:
    from kbtool.corpus import Corpus
    from kbtool.review import ReviewFilter, ReviewItem, ReviewReport

review_app = typer.Typer(
    name="review",
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(review_app, name="review")

# How many failing articles `--fail-on` lists before "and N more".
FAIL_LIST_MAX = 20


class ReviewFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    csv = "csv"
    json = "json"
    html = "html"


class GroupBy(StrEnum):
    owner = "owner"
    section = "section"
    locale = "locale"
    status = "status"
    type = "type"
    none = "none"


class FailOn(StrEnum):
    overdue = "overdue"
    never_reviewed = "never-reviewed"
    due_soon = "due-soon"


AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="DATE",
        help="Assess on this date (YYYY-MM-DD) instead of today, for reproducible reports.",
        show_default=False,
    ),
]
ReviewStatusOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--status",
        metavar="STATUS",
        help="Only articles in this review status: overdue, due-soon, "
        "never-reviewed, ok (repeatable).",
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
Format = Annotated[ReviewFormat, typer.Option("--format", "-f", help="Output format.")]


def _as_of(text: str | None) -> dt.date:
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--as-of: not a date: '{text}' (use YYYY-MM-DD)") from None


def _filter(
    status: list[str] | None,
    owner: list[str] | None,
    locale: list[str] | None,
    section: list[str] | None,
    type_: list[str] | None,
) -> ReviewFilter:
    from kbtool.review import ReviewFilter, ReviewStatus

    return ReviewFilter(
        statuses=tuple(ReviewStatus.parse(s) for s in opt.values(status)),
        owners=opt.values(owner),
        locales=opt.values(locale),
        sections=opt.values(section),
        types=opt.values(type_),
    )


def _filters_record(flt: ReviewFilter, **extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "status": [s.value for s in flt.statuses],
        "owner": list(flt.owners),
        "locale": list(flt.locales),
        "section": list(flt.sections),
        "type": list(flt.types),
    }
    record.update({k: v for k, v in extra.items() if v not in (None, False)})
    return record


def _warn_codeowners(state: State, report: ReviewReport, corpus: Corpus) -> None:
    config = corpus.config
    owners = report.codeowners
    if config.review.codeowners and owners is None:
        state.warn(f"review.codeowners: {config.review.codeowners}: file not found")
    if owners is not None and owners.path is not None:
        for line, message in owners.problems:
            state.warn(f"{owners.path}:{line}: {message}")


def _title(corpus: Corpus) -> str:
    return corpus.config.kb.name


def _render(state: State, output: Path | None, text: str | None, table: Any) -> None:
    """Emit `text`, or print `table(console)` (to a file as plain text with --output)."""
    if text is not None:
        emit(state, text, output)
        return
    if output is not None:
        from rich.console import Console

        console = Console(
            file=io.StringIO(),
            width=200,
            no_color=True,
            color_system=None,
            highlight=False,
            soft_wrap=False,
        )
        table(console)
        emit(state, console.file.getvalue(), output)  # type: ignore[attr-defined]
        return
    table(state.console())


# --------------------------------------------------------------------------- kbtool review


@review_app.callback(invoke_without_command=True)
def review_command(
    ctx: typer.Context,
    as_of: AsOf = None,
    status: ReviewStatusOpt = None,
    owner: opt.Owner = None,
    locale: opt.Locale = None,
    section: opt.Section = None,
    type_: opt.Type = None,
    include_drafts: IncludeDrafts = False,
    include_archived: IncludeArchived = False,
    group_by: Annotated[
        GroupBy, typer.Option("--group-by", "-g", help="Group the table by this field.")
    ] = GroupBy.owner,
    fmt: Format = ReviewFormat.table,
    output: opt.Output = None,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 when an article is at this status or worse "
            "(overdue < never-reviewed < due-soon: each includes the ones before).",
            show_default=False,
        ),
    ] = None,
    changed_since: Annotated[
        str | None,
        typer.Option(
            "--changed-since",
            metavar="REF",
            help="Only articles changed since this git revision (e.g. origin/main), "
            "as in a pull request.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Review status of every published article: overdue, due soon, never reviewed, ok.

    The interval is the article's own review_every, else [review.intervals] by
    section, type, then locale, else review.default_interval (quarterly). The
    owner is the article's, else the CODEOWNERS owner, else "unassigned". An
    article without a review date is "never reviewed": its last git commit is
    shown as "last edited", never taken for a review.

    \b
    Examples:
      kbtool review
      kbtool review --as-of 2026-11-23 --group-by section
      kbtool review --status overdue --owner billing-team --format csv -o overdue.csv
      kbtool review --format html -o review.html
      kbtool review --fail-on overdue --changed-since origin/main     # a CI gate
    """
    if ctx.invoked_subcommand is not None:
        return
    from kbtool.cli import review_output as out
    from kbtool.review import ReviewStatus, ReviewSummary, failing, review_corpus

    state = get_state(ctx)
    day = _as_of(as_of)
    flt = _filter(status, owner, locale, section, type_)
    corpus = state.load_corpus()
    only = None
    if changed_since is not None:
        history = corpus.history
        if history is None:  # pragma: no cover - the CLI always loads git history
            raise UsageError("--changed-since needs git history")
        only = history.changed_since(changed_since, corpus.config.articles_path).changed
    report = review_corpus(
        corpus, as_of=day, drafts=include_drafts, archived=include_archived, only=only
    )
    _warn_codeowners(state, report, corpus)
    scope = [i for i in report.items if flt.in_scope(i)]
    report = dataclasses.replace(report, items=tuple(scope), summary=ReviewSummary.of(scope))
    rows = [i for i in scope if flt.matches(i)]
    root = corpus.config.root
    by = group_by.value
    text: str | None = None
    if fmt is ReviewFormat.json:
        payload = out.report_json(
            report,
            rows,
            root=root,
            filters=_filters_record(
                flt,
                changed_since=changed_since,
                include_drafts=include_drafts,
                include_archived=include_archived,
            ),
        )
        text = dumps(payload)
    elif fmt is ReviewFormat.csv:
        text = out.report_csv(rows, root)
    elif fmt is ReviewFormat.markdown:
        text = out.report_markdown(
            report, out.group_items(rows, by), by=by, root=root, title=_title(corpus)
        )
    elif fmt is ReviewFormat.html:
        text = out.report_html(
            report, out.group_items(rows, by), by=by, root=root, title=_title(corpus)
        )
    _render(
        state,
        output,
        text,
        lambda console: out.print_report(
            console, report, out.group_items(rows, by), by=by, root=root
        ),
    )
    if fmt is not ReviewFormat.table or output is not None:
        state.info(f"As of {day.isoformat()}: {report.summary}")
    if fail_on is not None:
        threshold = ReviewStatus(fail_on.value)
        bad = failing(scope, threshold)
        if bad:
            _print_failures(bad, threshold, root)
            raise typer.Exit(EXIT_CHECK_FAILED)


def _print_failures(bad: list[ReviewItem], threshold: Any, root: Path) -> None:
    from kbtool.cli.review_output import rel_path
    from kbtool.review import ReviewStatus

    worse = [s.label for s in ReviewStatus if s.at_or_above(threshold)]
    what = " or ".join(worse)
    lines = [f"kbtool: review: {len(bad)} article(s) {what} (--fail-on {threshold.value}):"]
    for item in bad[:FAIL_LIST_MAX]:
        when = item.describe_due()
        if item.days_overdue is None and item.last_edited is not None:
            when += f", last edited {item.last_edited.isoformat()}"
        lines.append(f"  {rel_path(item.article.path, root)}: {when} ({item.owner})")
    if len(bad) > FAIL_LIST_MAX:
        lines.append(f"  ... and {len(bad) - FAIL_LIST_MAX} more")
    typer.echo("\n".join(lines), err=True)


# --------------------------------------------------------------------------- review mark


@review_app.command("mark")
def mark_command(
    ctx: typer.Context,
    targets: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[PATHS|IDS]...",
            help="Article files, folders or ids to mark "
            "(with no targets, the articles the filters select).",
            show_default=False,
        ),
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar="DATE",
            help="Review date (YYYY-MM-DD; default today).",
            show_default=False,
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="NAME",
            help="Who reviewed (default: git config user.name).",
            show_default=False,
        ),
    ] = None,
    no_by: Annotated[
        bool,
        typer.Option("--no-by", help="Do not record who reviewed (reviewed_by stays as it is)."),
    ] = False,
    commit: Annotated[
        bool,
        typer.Option(
            "--commit",
            help="Commit the marked files in one git commit that "
            "lists them; refused when other changes would be swept in.",
        ),
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask for confirmation of a batch.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Show what would change; write nothing.")
    ] = False,
    status: ReviewStatusOpt = None,
    owner: opt.Owner = None,
    locale: opt.Locale = None,
    section: opt.Section = None,
    type_: opt.Type = None,
    as_of: AsOf = None,
) -> None:
    """Record a review: set last_reviewed (and reviewed_by) in each article's front matter.

    Uses the repository's mapped keys and its first date format; every other
    byte of the file stays as it was, the write is atomic, and a file changed
    on disk since it was read is not overwritten. A batch (a folder, or
    filters such as --status overdue --owner X) asks for confirmation on a
    terminal; --yes confirms in scripts.

    \b
    Examples:
      kbtool review mark articles/en/account/reset-password.md
      kbtool review mark reset-password --locale en --by "Ada Writer" --commit
      kbtool review mark --status overdue --owner billing-team --dry-run
      kbtool review mark articles/en/billing --date 2026-11-20 --yes
    """
    from kbtool.cli.edits import confirm_batch, print_diffs
    from kbtool.cli.review_output import rel_path
    from kbtool.corpus.git import user_name
    from kbtool.corpus.select import resolve_targets
    from kbtool.review import (
        apply_marks,
        included,
        mark_commit_message,
        prepare_marks,
        review_corpus,
    )

    state = get_state(ctx)
    day = _as_of(date) if date else dt.date.today()
    flt = _filter(status, owner, locale, section, type_)
    filtered = bool(flt.statuses or flt.owners or flt.locales or flt.sections or flt.types)
    if not targets and not filtered:
        raise UsageError(
            "say which articles to mark: paths, ids, or filters such as "
            "--status overdue --owner NAME"
        )
    corpus = state.load_corpus()
    config = corpus.config
    chosen, batch = resolve_targets(corpus, targets or [], locales=flt.locales)
    if not targets:  # the filters choose among the published articles: a batch
        chosen = [a for a in corpus.articles if included(a)]
        batch = True
    if filtered:
        report = review_corpus(
            corpus, as_of=_as_of(as_of), only=[a.path for a in chosen], drafts=True, archived=True
        )
        wanted = {i.article.path for i in report.items if flt.matches(i)}
        chosen = [a for a in chosen if a.path in wanted]
    if not chosen:
        state.info("Nothing to mark: no article matches.")
        return
    reviewer = None
    if not no_by:
        reviewer = by if by is not None else user_name(config.root)
        if not reviewer:
            state.warn("the reviewer is not recorded: pass --by NAME or set git config user.name")
    changes = prepare_marks(chosen, config=config, date=day, by=reviewer)
    root = config.root
    todo = [c for c in changes if c.changed]
    for change in changes:
        if not change.changed:
            state.info(f"{rel_path(change.path, root)}: already marked")
    if dry_run:
        print_diffs(todo, root)
        state.info(
            f"Dry run: would mark {len(todo)} article(s) reviewed on "
            f"{day.isoformat()}" + (f" by {reviewer}" if reviewer else "") + "; nothing written."
        )
        return
    if not todo:
        return
    if batch and not yes:
        confirm_batch(
            f"{len(todo)} article(s)",
            "mark them",
            [f"  {rel_path(change.path, root)}" for change in todo],
            f"Mark these {len(todo)} article(s) reviewed on {day.isoformat()}?",
        )
    message = mark_commit_message(todo, root=root, date=day, by=reviewer) if commit else None
    sha = apply_marks(todo, commit_message=message)
    typer.echo(
        f"Marked {len(todo)} article(s) reviewed on {day.isoformat()}"
        + (f" by {reviewer}" if reviewer else "")
        + ":"
    )
    for change in todo:
        typer.echo(f"  {rel_path(change.path, root)}")
    if sha:
        typer.echo(f"Committed {sha[:12]}: {message.splitlines()[0] if message else ''}")


# --------------------------------------------------------------------------- review plan


class PlanFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    csv = "csv"
    json = "json"
    html = "html"


@review_app.command("plan")
def plan_command(
    ctx: typer.Context,
    quarter: Annotated[
        str | None,
        typer.Option(
            "--quarter",
            "-Q",
            metavar="YYYYQN",
            help="Plan this calendar quarter, e.g. 2027Q1.",
            show_default=False,
        ),
    ] = None,
    weeks: Annotated[
        int | None,
        typer.Option(
            "--weeks",
            "-w",
            metavar="N",
            help="Plan N weeks from the as-of date (default 13, a quarter).",
            show_default=False,
        ),
    ] = None,
    as_of: AsOf = None,
    owner: opt.Owner = None,
    locale: opt.Locale = None,
    section: opt.Section = None,
    type_: opt.Type = None,
    include_drafts: IncludeDrafts = False,
    include_archived: IncludeArchived = False,
    fmt: Annotated[
        PlanFormat, typer.Option("--format", "-f", help="Output format.")
    ] = PlanFormat.table,
    output: opt.Output = None,
    brief: Annotated[
        bool, typer.Option("--brief", help="Table format: only the weekly load per owner.")
    ] = False,
) -> None:
    """What falls due in the next quarter, per owner and week, so the work can be spread.

    Assumes each review is done when it falls due, so a monthly article falls
    due about three times a quarter. Articles overdue or never reviewed on the
    as-of date are the backlog, listed apart and counted in each owner's load.
    Warns when an owner's load is far above the others'.

    \b
    Examples:
      kbtool review plan
      kbtool review plan --quarter 2027Q1 --format markdown -o plan.md
      kbtool review plan --weeks 6 --owner billing-team
      kbtool review plan --format csv | sort
    """
    from kbtool.cli import review_output as out
    from kbtool.review import next_weeks, parse_quarter, plan_reviews, review_corpus

    if quarter is not None and weeks is not None:
        raise UsageError("give --quarter or --weeks, not both")
    state = get_state(ctx)
    day = _as_of(as_of)
    if quarter is not None:
        start, end, label = parse_quarter(quarter)
    else:
        start, end, label = next_weeks(day, 13 if weeks is None else weeks)
    flt = _filter(None, owner, locale, section, type_)
    corpus = state.load_corpus()
    report = review_corpus(corpus, as_of=day, drafts=include_drafts, archived=include_archived)
    _warn_codeowners(state, report, corpus)
    items = [i for i in report.items if flt.matches(i)]
    plan = plan_reviews(items, as_of=day, start=start, end=end, label=label)
    root = corpus.config.root
    text: str | None = None
    if fmt is PlanFormat.json:
        text = dumps(out.plan_json(plan, root=root, filters=_filters_record(flt)))
    elif fmt is PlanFormat.csv:
        text = out.plan_csv(plan, root)
    elif fmt is PlanFormat.markdown:
        text = out.plan_markdown(plan, root=root, title=_title(corpus))
    elif fmt is PlanFormat.html:
        text = out.plan_html(plan, root=root, title=_title(corpus))
    _render(
        state,
        output,
        text,
        lambda console: out.print_plan(console, plan, root=root, details=not brief),
    )
    if text is not None:
        for warning in plan.warnings:
            state.warn(warning)
