"""What every command that writes front matter shows and asks before writing.

`review mark`, `translations mark`, `tags set`/`unset` and `tags auto --write`
edit articles through `kbtool.corpus.edit`; here is their shared terminal side:
the `--dry-run` diff and the confirmation of a batch.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

import typer

from kbtool.corpus.discover import relative_path
from kbtool.errors import UsageError

__all__ = ["confirm_batch", "interactive", "print_diffs"]


class _Change(Protocol):
    @property
    def path(self) -> Path: ...

    @property
    def old(self) -> bytes: ...

    @property
    def new(self) -> bytes: ...


def interactive() -> bool:
    """Can we ask the person at the terminal?"""
    return sys.stdin.isatty()


def print_diffs(changes: Iterable[_Change], root: Path) -> None:
    """A unified diff of each change (`--dry-run`), paths relative to `root`."""
    import difflib

    for change in changes:
        name = relative_path(change.path, root)
        old = change.old.decode("utf-8", "replace").splitlines(keepends=True)
        new = change.new.decode("utf-8", "replace").splitlines(keepends=True)
        diff = difflib.unified_diff(old, new, f"a/{name}", f"b/{name}", n=1)
        sys.stdout.write("".join(line if line.endswith("\n") else line + "\n" for line in diff))
    sys.stdout.flush()


def confirm_batch(selected: str, action: str, lines: Sequence[str], question: str) -> None:
    """Ask before writing a batch; refuse without a terminal (`--yes` is the way then).

    `selected` says what was chosen ("12 article(s)"), `action` what `--yes`
    does ("mark them"), `lines` list the files, `question` is asked.
    """
    if not interactive():
        raise UsageError(f"{selected} selected; pass --yes to {action} without confirmation")
    for line in lines:
        typer.echo(line, err=True)
    typer.confirm(question, abort=True, err=True)
