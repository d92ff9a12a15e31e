"""The few exceptions the core raises; the CLI turns each into an exit code.

`KbError` and its subclasses are expected failures caused by the user's input
(exit 2, one line). Anything else escaping a command is a bug (exit 3).
"""

from __future__ import annotations

from pathlib import Path


class KbError(Exception):
    """An error the user can fix: bad usage, configuration or input (exit 2)."""

    def __init__(self, message: str, *, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return f"{where}{self.message}"


class ConfigError(KbError):
    """`kbtool.toml` is unreadable or invalid."""


class UsageError(KbError):
    """Options or arguments that do not make sense together."""


class InputError(KbError):
    """A file or value given on the command line cannot be used."""


class ConflictError(KbError):
    """A write was refused: the target exists or changed on disk since it was read."""
