"""Apply the safe fixes of diagnostics: only the bytes inside their edit spans change.

A fix is a set of text edits in (line, column) positions of the file text
(1-based, BOM excluded, end exclusive). All the fixes of a file are applied
in one write; a fix whose edits overlap an earlier accepted fix is left for
the next pass. The file is re-read and compared with the content hash the
diagnostics were made from, and written atomically only if it is unchanged.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kbtool.errors import ConflictError
from kbtool.lint.diagnostic import Diagnostic, Fix, TextEdit

__all__ = ["FilePatch", "apply_edits", "apply_fixes", "plan_file", "unified_diff", "write_patch"]

_BOM = b"\xef\xbb\xbf"


def _line_starts(text: str) -> list[int]:
    starts = [0]
    index = text.find("\n")
    while index != -1:
        starts.append(index + 1)
        index = text.find("\n", index + 1)
    return starts


def _offset(starts: Sequence[int], text: str, line: int, column: int) -> int | None:
    """Character offset of (line, column); None when it lies outside the text.

    A column may point just past the end of its line's text (before the line
    break), and line `len(lines) + 1`, column 1 is the end of a file that ends
    with a line break.
    """
    if line < 1 or column < 1:
        return None
    if line > len(starts):
        return (
            len(text) if line == len(starts) + 1 and column == 1 and text.endswith("\n") else None
        )
    start = starts[line - 1]
    end = starts[line] if line < len(starts) else len(text) + 1
    offset = start + column - 1
    return offset if offset < end or (line == len(starts) and offset == len(text)) else None


def _spans(text: str, starts: Sequence[int], fix: Fix) -> list[tuple[int, int, str]] | None:
    spans = []
    for edit in fix.edits:
        begin = _offset(starts, text, edit.line, edit.column)
        end = _offset(starts, text, edit.end_line, edit.end_column)
        if begin is None or end is None or end < begin:
            return None
        spans.append((begin, end, edit.new_text))
    spans.sort()
    for (_, a_end, _), (b_begin, _, _) in itertools.pairwise(spans):
        if b_begin < a_end:
            return None  # a fix whose own edits overlap is broken
    return spans


def _overlaps(span: tuple[int, int, str], taken: Iterable[tuple[int, int, str]]) -> bool:
    begin, end, _ = span
    for other_begin, other_end, _ in taken:
        if begin < other_end and other_begin < end:
            return True
        if begin == end == other_begin == other_end:
            return True  # two insertions at one point: their order would be a guess
        if begin == end and other_begin < begin < other_end:
            return True
        if other_begin == other_end and begin < other_begin < end:
            return True
    return False


def apply_edits(text: str, spans: Iterable[tuple[int, int, str]]) -> str:
    """`text` with non-overlapping (begin, end, new text) character spans replaced."""
    out = []
    position = 0
    for begin, end, new in sorted(spans, key=lambda s: (s[0], s[1])):
        out.append(text[position:begin])
        out.append(new)
        position = end
    out.append(text[position:])
    return "".join(out)


def apply_fixes(text: str, fixes: Iterable[Fix]) -> tuple[str, list[Fix], list[Fix]]:
    """(new text, applied fixes, fixes left out) for the fixes of one file's text.

    Fixes are taken in order of their first edit; one that overlaps a fix
    already taken, or whose positions do not fit the text, is left out.
    """
    starts = _line_starts(text)
    planned: list[tuple[list[tuple[int, int, str]], Fix]] = []
    skipped: list[Fix] = []
    for fix in fixes:
        spans = _spans(text, starts, fix)
        if spans is None or not spans:
            skipped.append(fix)
        else:
            planned.append((spans, fix))
    planned.sort(key=lambda item: (item[0][0][0], item[0][0][1]))
    taken: list[tuple[int, int, str]] = []
    applied: list[Fix] = []
    for spans, fix in planned:
        if any(_overlaps(span, taken) for span in spans):
            skipped.append(fix)
            continue
        taken.extend(spans)
        applied.append(fix)
    return apply_edits(text, taken), applied, skipped


@dataclass(frozen=True)
class FilePatch:
    """What fixing one file would do."""

    path: Path
    display: str  # the path as reports show it
    before: bytes
    after: bytes
    applied: tuple[Fix, ...]
    skipped: tuple[Fix, ...]

    @property
    def changed(self) -> bool:
        return self.before != self.after


def plan_file(
    path: Path, display: str, diagnostics: Sequence[Diagnostic], expected_hash: str
) -> FilePatch:
    """Read `path` and compute its fixed bytes; ConflictError when it changed since linted."""
    raw = path.read_bytes()
    if hashlib.sha256(raw).hexdigest() != expected_hash:
        raise ConflictError("changed on disk since it was linted; not fixed", path=path)
    bom = raw.startswith(_BOM)
    text = raw[len(_BOM) :].decode("utf-8") if bom else raw.decode("utf-8")
    fixes = list(dict.fromkeys(d.fix for d in diagnostics if d.fix is not None))
    new_text, applied, skipped = apply_fixes(text, fixes)
    after = (_BOM if bom else b"") + new_text.encode("utf-8")
    return FilePatch(path, display, raw, after, tuple(applied), tuple(skipped))


def write_patch(patch: FilePatch) -> None:
    """Write the fixed file atomically, refusing when it changed on disk meanwhile."""
    from kbtool.corpus.edit import write_atomic

    if patch.changed:
        write_atomic(
            patch.path, patch.after, expected_hash=hashlib.sha256(patch.before).hexdigest()
        )


def unified_diff(patch: FilePatch) -> str:
    """A unified diff of the patch, `a/PATH` to `b/PATH`; line endings shown as they are."""
    before = patch.before.decode("utf-8", "replace").splitlines(keepends=True)
    after = patch.after.decode("utf-8", "replace").splitlines(keepends=True)
    lines = []
    for line in difflib.unified_diff(before, after, f"a/{patch.display}", f"b/{patch.display}"):
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        lines.append(line)
    return "".join(lines)


def edit(line: int, column: int, end_line: int, end_column: int, new_text: str) -> TextEdit:
    """Shorthand for a TextEdit (for tests and rules)."""
    return TextEdit(line, column, end_line, end_column, new_text)
