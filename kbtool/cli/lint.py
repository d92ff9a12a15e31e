"""`kbtool lint` and `kbtool rules`."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kbtool.cli import options as opt
from kbtool.cli.app import EXIT_CHECK_FAILED, EXIT_OK, State, app, emit, fail, get_state
from kbtool.errors import KbError

if TYPE_CHECKING:
    from kbtool.config import Config
    from kbtool.lint.delivery import Renderer
    from kbtool.lint.engine import LintResult, LintSettings
    from kbtool.lint.fix import FilePatch
    from kbtool.lint.registry import Rule

_MAX_FIX_PASSES = 10
_PROGRESS_MIN = 100  # articles; fewer finish before a bar would be worth drawing


class LintFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"
    junit = "junit"
    gitlab = "gitlab"


class FailOn(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


class RulesFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


Selectors = Annotated[
    list[str] | None,
    typer.Option(
        "--select",
        metavar="CODES",
        help="Run only these rules: codes, family prefixes (KB3) or names; "
        "repeatable or comma-separated. Replaces [lint] select.",
        show_default=False,
    ),
]
Ignores = Annotated[
    list[str] | None,
    typer.Option(
        "--ignore",
        metavar="CODES",
        help="Do not run these rules (codes, prefixes or names); repeatable or comma-separated.",
        show_default=False,
    ),
]


@app.command("lint")
def lint_command(
    ctx: typer.Context,
    paths: opt.Paths = None,
    fmt: Annotated[
        LintFormat, typer.Option("--format", "-f", help="Output format.")
    ] = LintFormat.text,
    output: opt.Output = None,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 when a finding is at or above this severity "
            "(default: [lint] fail_on, which defaults to error).",
            show_default=False,
        ),
    ] = None,
    select: Selectors = None,
    ignore: Ignores = None,
    changed_since: Annotated[
        str | None,
        typer.Option(
            "--changed-since",
            metavar="REF",
            help="Only articles changed since git revision REF (committed, staged, "
            "unstaged or untracked) and the articles that link to them.",
            show_default=False,
        ),
    ] = None,
    fix: Annotated[
        bool, typer.Option("--fix", help="Apply safe fixes, then report what remains.")
    ] = False,
    diff: Annotated[
        bool,
        typer.Option(
            "--diff",
            help="Show what --fix would change (a unified diff); "
            "write nothing. Exit 1 when there is something to fix.",
        ),
    ] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Neither read nor write the cache in .kbtool/cache.")
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            metavar="N",
            help="Worker processes (default: all cores).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check articles: front matter, structure, links, language, SEO, reviews.

    Prints each finding as PATH:LINE:COL: CODE message (name), then a summary.
    Configure rules in kbtool.toml [lint]; silence one place with
    <!-- kbtool-disable-next-line CODE -->. Exit 1 when findings at or above
    --fail-on exist, 2 for a usage or configuration error.

    Examples:

      kbtool lint

      kbtool lint articles/en/billing --select KB3,KB5

      kbtool lint --changed-since origin/main --format github

      kbtool lint --format sarif -o lint.sarif

      kbtool lint --format gitlab -o gl-code-quality-report.json

      kbtool lint --fix
    """
    from kbtool.lint.engine import exit_code, settings_from_config

    state = get_state(ctx)
    if state.debug:  # a rule that crashes raises instead of becoming a diagnostic
        os.environ["KBTOOL_DEBUG"] = "1"
    config = state.load_config()
    selected = opt.values(select)
    ignored = opt.values(ignore)
    _check_selectors([*selected, *ignored])
    settings = settings_from_config(config, select=selected, ignore=ignored)
    for problem in settings.problems:
        state.warn(str(problem))
    threshold = fail_on.value if fail_on is not None else settings.fail_on

    def run(*, render: bool = False) -> LintResult:
        return _run(
            state,
            config,
            settings,
            paths or [],
            changed_since,
            use_cache=not no_cache,
            jobs=jobs,
            render=_renderer(fmt, output, config.lint.docs_url) if render else None,
        )

    result = run(render=not (fix or diff))
    fixed = 0
    if diff:
        patches = _patches(config, result)
        text = "".join(_unified(p) for p in patches if p.changed)
        if text:
            emit(state, text, output)
        else:
            state.info("Nothing to fix.")
        raise typer.Exit(EXIT_CHECK_FAILED if text else EXIT_OK)
    if fix:
        for _ in range(_MAX_FIX_PASSES):
            applied = _apply(config, result)
            if not applied:
                break
            fixed += applied
            result = run()
    _report(state, result, fmt, output, fixed, config.lint.docs_url)
    raise typer.Exit(exit_code(result, threshold))


def _check_selectors(selectors: list[str]) -> None:
    from kbtool.lint.registry import all_rules, resolve

    _, unknown = resolve(selectors)
    if unknown:
        import difflib

        rules = all_rules()
        names = [*rules, *(r.name for r in rules.values())]
        close = difflib.get_close_matches(unknown[0], names, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        fail(f"unknown lint rule '{unknown[0]}'{hint}; `kbtool rules` lists them")


def _renderer(fmt: LintFormat, output: Path | None, docs_url: str) -> Renderer | None:
    """How the report is rendered, for the engine to cache; None for a terminal."""
    if fmt is LintFormat.text and output is None and sys.stdout.isatty():
        return None
    from kbtool.output import Parts, Report, splitter

    split = splitter(fmt.value)

    def parts(result: LintResult) -> Parts:
        return split(
            Report(
                diagnostics=result.diagnostics,
                rules=result.rules,
                files=result.files,
                problems=result.problems,
                docs_url=docs_url,
                totals=result.totals,
            )
        )

    from kbtool.lint.delivery import Renderer

    if output is not None and output.is_dir():
        fail(f"{output}: is a folder; give a file name for --output")
    return Renderer(fmt.value, parts, output)


def _run(
    state: State,
    config: Config,
    settings: LintSettings,
    paths: list[Path],
    changed_since: str | None,
    *,
    use_cache: bool,
    jobs: int | None,
    render: Renderer | None = None,
) -> LintResult:
    from kbtool.lint.engine import lint_tree

    with state.progress("Linting", minimum=_PROGRESS_MIN) as bar:
        result = lint_tree(
            config,
            settings,
            paths=paths,
            changed_since=changed_since,
            use_cache=use_cache,
            jobs=jobs,
            progress=bar,
            render=render,
            loading=lambda: state.status("Loading articles"),
        )
    if state.verbose:
        for note in result.notes:
            state.info(note)
        state.info("answered from the lint cache" if result.cached else "linted")
    return result


def _patches(config: Config, result: LintResult) -> list[FilePatch]:
    from kbtool.lint.fix import plan_file

    by_file: dict[str, list[Any]] = {}
    for d in result.diagnostics:
        if d.fix is not None:
            by_file.setdefault(d.path, []).append(d)
    patches = []
    for path, diagnostics in sorted(by_file.items()):
        expected = result.hashes.get(path)
        if expected is None:
            continue
        patches.append(plan_file(config.root / path, path, diagnostics, expected))
    return patches


def _unified(patch: FilePatch) -> str:
    from kbtool.lint.fix import unified_diff

    return unified_diff(patch)


def _apply(config: Config, result: LintResult) -> int:
    """Write every file's fixes; the number of fixes applied."""
    from kbtool.lint.fix import write_patch

    count = 0
    for patch in _patches(config, result):
        if patch.changed:
            write_patch(patch)
            count += len(patch.applied)
    return count


def _report(
    state: State,
    result: LintResult,
    fmt: LintFormat,
    output: Path | None,
    fixed: int,
    docs_url: str,
) -> None:
    from kbtool.output import Report, formatter

    if result.written is not None and not fixed:
        state.info(f"Wrote {result.written}")
        return
    if result.rendered is not None and not fixed:
        emit(state, result.rendered, output)
        return
    report = Report(
        diagnostics=result.diagnostics,
        rules=result.rules,
        files=result.files,
        fixed=fixed,
        problems=result.problems,
        docs_url=docs_url,
    )
    if fmt is LintFormat.text and output is None and sys.stdout.isatty():
        from kbtool.output.text import render_rich

        console = state.console()
        for renderable in render_rich(report):
            console.print(renderable)
        return
    emit(state, formatter(fmt.value)(report), output)


# --------------------------------------------------------------------------- rules


@app.command("rules")
def rules_command(
    ctx: typer.Context,
    code: Annotated[
        str | None,
        typer.Argument(
            help="A rule code or name: show its full documentation.", show_default=False
        ),
    ] = None,
    fmt: Annotated[
        RulesFormat, typer.Option("--format", "-f", help="Output format.")
    ] = RulesFormat.text,
    output: opt.Output = None,
) -> None:
    """List the lint rules by family, or explain one: why, examples, options.

    Examples:

      kbtool rules

      kbtool rules KB301

      kbtool rules broken-link

      kbtool rules --format json | jq '.rules[] | select(.fixable)'
    """
    from kbtool.lint.registry import all_rules

    state = get_state(ctx)
    rules = all_rules()
    if code is None:
        chosen = list(rules.values())
    else:
        found = _find_rule(code, rules)
        chosen = [found]
    if fmt is RulesFormat.json:
        from kbtool.jsonio import dumps

        docs_url = state.load_config(strict=False).lint.docs_url
        payload = _rules_payload(chosen, docs_url)
        emit(state, dumps(payload), output)
        return
    if fmt is RulesFormat.markdown or output is not None or not sys.stdout.isatty():
        from kbtool.lint.docs import render_index, render_rule

        text = render_rule(chosen[0]) if code is not None else render_index(chosen)
        if code is None and fmt is RulesFormat.text:
            text = _plain_table(chosen)
        emit(state, text, output)
        return
    console = state.console()
    if code is not None:
        from rich.markdown import Markdown

        from kbtool.lint.docs import render_rule

        console.print(Markdown(render_rule(chosen[0])))
        return
    _rich_table(state, chosen)


def _find_rule(code: str, rules: dict[str, Rule]) -> Rule:
    wanted = code.strip()
    if wanted.upper() in rules:
        return rules[wanted.upper()]
    for rule in rules.values():
        if rule.name == wanted:
            return rule
    import difflib

    names = [*rules, *(r.name for r in rules.values())]
    close = difflib.get_close_matches(wanted, names, n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise KbError(f"no lint rule '{code}'{hint}; `kbtool rules` lists them")


def _rules_payload(rules: list[Rule], docs_url: str = "") -> dict[str, Any]:
    from kbtool.lint.docs import help_uri

    return {
        "schema": "kbtool.rules/1",
        "rules": [
            {
                "code": r.code,
                "name": r.name,
                "family": r.family,
                "severity": str(r.severity),
                "scope": r.scope,
                "enabled": r.enabled,
                "fixable": r.fixable,
                "summary": r.summary,
                "documentation": r.doc_sections(),
                "help_uri": help_uri(r, docs_url),
                "options": [
                    {"name": o.name, "default": o.default, "doc": o.doc, "per_locale": o.per_locale}
                    for o in r.options
                ],
            }
            for r in rules
        ],
    }


def _plain_table(rules: list[Rule]) -> str:
    from kbtool.lint.registry import FAMILIES

    lines: list[str] = []
    width = max((len(r.name) for r in rules), default=4)
    family = None
    for r in rules:
        if r.family != family:
            family = r.family
            if lines:
                lines.append("")
            lines.append(f"{family}xx {FAMILIES.get(family, '')}".rstrip())
        flags = "fix" if r.fixable else "   "
        off = "" if r.enabled else " (off by default)"
        lines.append(
            f"  {r.code}  {r.name.ljust(width)}  {str(r.severity).ljust(7)}  {flags}  "
            f"{r.summary}{off}"
        )
    lines += ["", f"{len(rules)} rules. `kbtool rules CODE` explains one."]
    return "\n".join(lines) + "\n"


def _rich_table(state: State, rules: list[Rule]) -> None:
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    from kbtool.lint.registry import FAMILIES

    console = state.console()
    style = {"error": "red", "warning": "yellow", "info": "cyan"}
    table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False, expand=False)
    for column in ("code", "name", "severity", "fix", "summary"):
        table.add_column(column, no_wrap=column != "summary", overflow="fold")
    family = None
    for r in rules:
        if r.family != family:
            if family is not None:
                table.add_section()
            family = r.family
            table.add_row(f"[bold]{family}xx[/]", f"[bold]{FAMILIES.get(family, '')}[/]")
        sev = str(r.severity)
        summary = escape(r.summary) + ("" if r.enabled else " [dim](off by default)[/]")
        table.add_row(
            r.code, r.name, f"[{style[sev]}]{sev}[/]", "yes" if r.fixable else "", summary
        )
    console.print(table)
    console.print(f"{len(rules)} rules. [bold]kbtool rules CODE[/] explains one.")
