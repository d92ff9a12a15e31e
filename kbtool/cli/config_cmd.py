"""`kbtool config`: the effective configuration, validated."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from kbtool.cli import options as opt
from kbtool.cli.app import EXIT_USAGE, app, emit, get_state
from kbtool.jsonio import dumps


class ConfigFormat(StrEnum):
    toml = "toml"
    json = "json"


@app.command("config")
def config_command(
    ctx: typer.Context,
    fmt: Annotated[
        ConfigFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ConfigFormat.toml,
    output: opt.Output = None,
) -> None:
    """The effective configuration (file values over defaults), validated.

    Problems are printed with the file and line, and make the command exit 2.

    \b
    Examples:
      kbtool config
      kbtool config --format json | jq .review
      kbtool -C ../other-kb config
    """
    state = get_state(ctx)
    config = state.load_config(strict=False)
    problems = state.config_problems
    data = config.to_dict()
    from kbtool.corpus.discover import detect_locales

    locales = detect_locales(config.articles_path, config.kb.locales)
    if fmt is ConfigFormat.json:
        payload = {
            "schema": "kbtool.config/1",
            "source": str(config.source) if config.source else None,
            "root": str(config.root),
            "detected_locales": list(locales),
            "config": data,
            "problems": [
                {"line": p.line, "severity": p.severity, "message": p.message} for p in problems
            ],
        }
        emit(state, dumps(payload), output)
    else:
        import tomli_w

        source = str(config.source) if config.source else "none (all defaults)"
        header = (
            f"# kbtool configuration in effect\n# file:    {source}\n# root:    {config.root}\n"
            f"# locales: {', '.join(locales) or 'single language (no locale folders)'}\n\n"
        )
        emit(state, header + tomli_w.dumps(_tomlable(data)), output)
    for problem in problems:
        typer.echo(f"kbtool: {problem.severity}: {problem}", err=True)
    if any(p.severity == "error" for p in problems):
        raise typer.Exit(EXIT_USAGE)
    if not problems:
        state.info("[green]Configuration is valid.[/]", markup=True)


def _tomlable(value: Any) -> Any:
    """TOML has no null: drop None values so the output stays valid TOML."""
    if isinstance(value, dict):
        return {k: _tomlable(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_tomlable(v) for v in value]
    return value
