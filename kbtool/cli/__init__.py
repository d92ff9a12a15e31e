"""The command-line interface: parse, call the core, print."""

from __future__ import annotations

from kbtool.cli import articles, authoring, config_cmd  # noqa: F401  (register commands)
from kbtool.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point. Typer exits with the command's code (2 for usage errors)."""
    app(prog_name="kbtool")
