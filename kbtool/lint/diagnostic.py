"""The one finding type every rule produces and every formatter consumes."""

from __future__ import annotations

from typing import NamedTuple

from kbtool.corpus.model import Severity

__all__ = ["Diagnostic", "Fix", "TextEdit", "report_order", "sort_key"]


class TextEdit(NamedTuple):
    """Replace the text from (line, column) up to (end_line, end_column) with `new_text`.

    Lines and columns are 1-based and count characters of the file (front matter
    included, BOM excluded); the end is exclusive. An insertion has start == end.
    Named tuples, as `Diagnostic`: a large run keeps tens of thousands of fixes.
    """

    line: int
    column: int
    end_line: int
    end_column: int
    new_text: str


class Fix(NamedTuple):
    """A safe, automatic fix: applying it changes only these spans of the file."""

    description: str
    edits: tuple[TextEdit, ...]


class Diagnostic(NamedTuple):
    """One finding, sortable by file and position.

    `path` is POSIX and relative to the knowledge-base root, as every output
    format shows it. A named tuple rather than a dataclass: a large run keeps a
    few hundred thousand, which the cache and worker processes pickle, and a
    tuple is a third of the memory and many times faster to (un)pickle.
    Findings compare (and hash) by path, line, column and code only.
    """

    path: str
    line: int
    column: int
    code: str
    message: str
    name: str = ""
    severity: Severity = Severity.WARNING
    end_line: int | None = None
    end_column: int | None = None
    fix: Fix | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.code} {self.message} ({self.name})"

    def __repr__(self) -> str:
        return (
            f"Diagnostic(path={self.path!r}, line={self.line}, column={self.column}, "
            f"code={self.code!r}, message={self.message!r}, name={self.name!r}, "
            f"severity={self.severity!r}, end_line={self.end_line}, "
            f"end_column={self.end_column})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Diagnostic):
            return NotImplemented
        return sort_key(self) == sort_key(other)

    def __ne__(self, other: object) -> bool:
        if not isinstance(other, Diagnostic):
            return NotImplemented
        return sort_key(self) != sort_key(other)

    def __hash__(self) -> int:
        return hash(sort_key(self))

    def __lt__(self, other: tuple[object, ...]) -> bool:
        if not isinstance(other, Diagnostic):
            return NotImplemented
        return sort_key(self) < sort_key(other)

    def __le__(self, other: tuple[object, ...]) -> bool:
        if not isinstance(other, Diagnostic):
            return NotImplemented
        return sort_key(self) <= sort_key(other)

    def __gt__(self, other: tuple[object, ...]) -> bool:
        if not isinstance(other, Diagnostic):
            return NotImplemented
        return sort_key(self) > sort_key(other)

    def __ge__(self, other: tuple[object, ...]) -> bool:
        if not isinstance(other, Diagnostic):
            return NotImplemented
        return sort_key(self) >= sort_key(other)


def sort_key(diagnostic: Diagnostic) -> tuple[str, int, int, str]:
    """The order of `Diagnostic`'s comparisons, as a key for sorting many at once."""
    return (diagnostic.path, diagnostic.line, diagnostic.column, diagnostic.code)


def report_order(diagnostic: Diagnostic) -> tuple[str, int, int, str, str]:
    """The order of a report: `sort_key`, then the message, so that findings at one
    place come out in one order however they were gathered."""
    return (
        diagnostic.path,
        diagnostic.line,
        diagnostic.column,
        diagnostic.code,
        diagnostic.message,
    )
