"""`kbtool build` (the static help site) and `kbtool serve` (preview with live reload)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kbtool.cli import options as opt
from kbtool.cli.app import ConfigInvalid, State, app, emit, get_state
from kbtool.jsonio import dumps

if TYPE_CHECKING:
    from kbtool.config import Config
    from kbtool.site import BuildResult


class BuildFormat(StrEnum):
    text = "text"
    json = "json"


BaseUrl = Annotated[
    str | None,
    typer.Option(
        "--base-url",
        metavar="URL",
        help="Public URL of the site, for canonical links and the sitemap (default: kb.base_url).",
        show_default=False,
    ),
]
Drafts = Annotated[bool, typer.Option("--drafts", help="Also publish drafts (marked, noindex).")]


def _progress(state: State):  # type: ignore[no-untyped-def]
    """A Rich progress bar on a terminal; None when piped, quiet or in CI."""
    import os

    if state.quiet or os.environ.get("CI") or not sys.stderr.isatty():
        return None
    console = state.console(stderr=True)
    last: dict[str, str] = {}

    def tick(what: str, done: int, total: int) -> None:
        if last.get("what") != what:
            last["what"] = what
        console.print(f"{what}: {done}/{total}", end="\r", highlight=False)

    return tick


def _summary(result: BuildResult) -> str:
    mode = "incremental" if result.incremental else "full"
    return (
        f"Built {result.out} ({mode}): {result.articles} articles, {result.pages} pages, "
        f"{result.written} written, {result.removed} removed, "
        f"locales {', '.join(result.locales)}, search index "
        f"{'updated' if result.search_index else 'unchanged'} in {result.seconds:.2f} s"
    )


@app.command()
def build(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DIR",
            file_okay=False,
            help="Output folder (default: [site] output_dir, 'site').",
            show_default=False,
        ),
    ] = None,
    base_url: BaseUrl = None,
    locale: opt.Locale = None,
    drafts: Drafts = False,
    clean: Annotated[
        bool, typer.Option("--clean", help="Rebuild every page instead of only what changed.")
    ] = False,
    no_search: Annotated[
        bool, typer.Option("--no-search", help="Skip the Pagefind search index.")
    ] = False,
    output_format: Annotated[
        BuildFormat, typer.Option("--format", "-f", help="Summary format.")
    ] = BuildFormat.text,
    report: opt.Output = None,
) -> None:
    """Export the static help site.

    Renders every published article into per-language trees (/en/..., /sv/...)
    with home, section, search and contact pages, a 404 page, sitemap.xml,
    robots.txt, widget data (widgets/<product_area>.json) and a Pagefind search
    index, ready for any static host. The first build writes a new folder and
    swaps it in; later builds rewrite only the pages that changed. A folder not
    made by kbtool build is never replaced.

    \b
    Examples:
      kbtool build
      kbtool build --out public --base-url https://help.example.com
      kbtool build --locale sv --drafts --out /tmp/preview
      kbtool build --clean --format json -o build.json
    """
    from kbtool.site import build_site

    state = get_state(ctx)
    config = state.load_config()
    result = build_site(
        config,
        out=out,
        base_url=base_url,
        locales=opt.values(locale),
        drafts=drafts,
        clean=clean,
        search=not no_search,
        progress=_progress(state),
    )
    for warning in result.warnings:
        state.warn(warning)
    if output_format == BuildFormat.json:
        emit(state, dumps(result.to_dict()), report)
        return
    if report is not None:
        emit(state, _summary(result), report)
        return
    state.info(_summary(result))
    if not state.quiet:
        state.info(f"Preview: kbtool serve  (or open {result.out / 'index.html'})")


@app.command()
def serve(
    ctx: typer.Context,
    port: Annotated[int, typer.Option("--port", "-p", help="Port on 127.0.0.1.")] = 8000,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DIR",
            file_okay=False,
            help="Where the preview is built (default: .kbtool/serve).",
            show_default=False,
        ),
    ] = None,
    locale: opt.Locale = None,
    drafts: Annotated[
        bool, typer.Option("--drafts/--no-drafts", help="Show drafts too (default: yes).")
    ] = True,
    no_search: Annotated[
        bool, typer.Option("--no-search", help="Skip the Pagefind search index.")
    ] = False,
) -> None:
    """Preview the help site on 127.0.0.1, rebuilding and reloading on every change.

    Builds the site (with drafts) into .kbtool/serve, serves it on
    http://127.0.0.1:PORT/ only, watches the articles, the theme overrides in
    templates/site/ and kbtool.toml, rebuilds only what changed and reloads the
    open pages. Stop with Ctrl+C.

    \b
    Examples:
      kbtool serve
      kbtool serve --port 8080 --locale sv
      kbtool serve --no-drafts
    """
    from kbtool.site import build_site
    from kbtool.site.serve import serve_site

    state = get_state(ctx)
    first = state.load_config()
    target = (out or first.root / ".kbtool" / "serve").absolute()

    def load() -> Config:
        from kbtool.config import load_config

        config, problems = load_config(state.root, state.config_file)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise ConfigInvalid(errors)
        return config

    def run(config: Config) -> BuildResult:
        return build_site(
            config,
            out=target,
            base_url="",
            locales=opt.values(locale),
            drafts=drafts,
            search=not no_search,
            live_reload=True,
        )

    def report(outcome: BuildResult | Exception) -> None:
        if isinstance(outcome, Exception):
            if isinstance(outcome, ConfigInvalid):
                for problem in outcome.problems:
                    state.warn(str(problem))
            else:
                state.warn(f"build failed: {outcome}")
            return
        for warning in outcome.warnings:
            state.warn(warning)
        state.info(_summary(outcome))

    def ready(url: str) -> None:
        typer.echo(f"Serving {target} at {url} (Ctrl+C to stop)", err=True)

    try:
        serve_site(load, out=target, port=port, build=run, report=report, ready=ready)
    except KeyboardInterrupt:
        typer.echo("Stopped.", err=True)
