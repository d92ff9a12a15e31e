"""The command-line interface: parse, call the core, print."""

from __future__ import annotations

import gc
import sys

import typer

from kbtool.cli import (  # noqa: F401  (register commands)
    articles,
    authoring,
    config_cmd,
    lint,
    report,
    review,
    search,
    site,
    tags,
    translations,
)
from kbtool.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point. Typer exits with the command's code (2 for usage errors)."""
    # A command makes hundreds of thousands of objects that live until it ends (articles,
    # findings): the collector's default pace rescanned them all, for a fifth of the CPU
    # time of a large run, and found nothing to free. Less often, as mypy does.
    gc.set_threshold(200_000, 30, 30)
    try:
        app(prog_name="kbtool")
    except Exception as exc:  # outside a command (option parsing): still no traceback
        from kbtool.cli.app import _internal_error

        try:
            _internal_error(None, exc)
        except typer.Exit as done:
            sys.exit(done.exit_code)
