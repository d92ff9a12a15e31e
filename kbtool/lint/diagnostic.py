"""The one finding type every rule produces and every formatter consumes."""

from __future__ import annotations

from dataclasses import dataclass, field

from kbtool.corpus.model import Severity

__all__ = ["Diagnostic", "Fix", "TextEdit", "sort_key"]


@dataclass(frozen=True, order=True)
class TextEdit:
    """Replace the text from (line, column) up to (end_line, end_column) with `new_text`.

    Lines and columns are 1-based and count characters of the file (front matter
    included, BOM excluded); the end is exclusive. An insertion has start == end.
    """

    line: int
    column: int
    end_line: int
    end_column: int
    new_text: str


@dataclass(frozen=True)
class Fix:
    """A safe, automatic fix: applying it changes only these spans of the file."""

    description: str
    edits: tuple[TextEdit, ...]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding, sortable by file and position.

    `path` is POSIX and relative to the knowledge-base root, as every output
    format shows it.
    """

    path: str
    line: int
    column: int
    code: str
    message: str = field(compare=False)
    name: str = field(compare=False, default="")
    severity: Severity = field(compare=False, default=Severity.WARNING)
    end_line: int | None = field(compare=False, default=None)
    end_column: int | None = field(compare=False, default=None)
    fix: Fix | None = field(compare=False, default=None, repr=False)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.code} {self.message} ({self.name})"


def sort_key(diagnostic: Diagnostic) -> tuple[str, int, int, str]:
    """The order of `Diagnostic`'s comparisons, as a key for sorting many at once."""
    return (diagnostic.path, diagnostic.line, diagnostic.column, diagnostic.code)
