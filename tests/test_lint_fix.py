"""Applying fixes: only bytes inside edit spans change (property test), conflicts are skipped."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kbtool.errors import ConflictError
from kbtool.lint.diagnostic import Diagnostic, Fix, TextEdit
from kbtool.lint.fix import apply_fixes, plan_file, unified_diff, write_patch


def fix(*edits: tuple[int, int, int, int, str]) -> Fix:
    return Fix("test", tuple(TextEdit(*e) for e in edits))


def test_edits_replace_insert_and_delete() -> None:
    text = "alpha beta\ngamma  \ndelta\n"
    new, applied, skipped = apply_fixes(
        text,
        [
            fix((1, 7, 1, 11, "BETA")),
            fix((2, 6, 2, 8, "")),  # trailing spaces
            fix((3, 1, 3, 1, "> ")),  # insertion
            fix((4, 1, 4, 1, "end\n")),  # at the end of the file
        ],
    )
    assert new == "alpha BETA\ngamma\n> delta\nend\n"
    assert len(applied) == 4 and skipped == []


def test_overlapping_and_impossible_fixes_are_skipped() -> None:
    text = "one two three\n"
    first = fix((1, 1, 1, 8, "1 2"))
    overlapping = fix((1, 5, 1, 14, "x"))
    same_point_a = fix((1, 14, 1, 14, "!"))
    same_point_b = fix((1, 14, 1, 14, "?"))
    outside = fix((7, 1, 7, 2, "x"))
    backwards = fix((1, 5, 1, 2, "x"))
    new, applied, skipped = apply_fixes(
        text, [overlapping, first, same_point_a, same_point_b, outside, backwards]
    )
    assert new == "1 2 three!\n"
    assert applied == [first, same_point_a]
    assert set(map(id, skipped)) == {id(overlapping), id(same_point_b), id(outside), id(backwards)}


def test_a_fix_is_applied_whole_or_not_at_all() -> None:
    text = "abcdef\n"
    taken = fix((1, 1, 1, 2, "A"))
    partly_overlapping = fix((1, 2, 1, 3, "B"), (1, 1, 1, 2, "Z"))
    new, applied, _ = apply_fixes(text, [taken, partly_overlapping])
    assert new == "Abcdef\n"
    assert applied == [taken]


# Text with the characters that make offsets hard: CRLF, lone CR, astral and combining
# characters, tabs.
_TEXT = st.text(alphabet=st.sampled_from(list("ab \t\r\n\u00e9\u0301\U0001f600#")), max_size=60)


@st.composite
def _text_and_edits(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, str]]]:
    text = draw(_TEXT)
    points = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8)))
    spans = []
    for begin, end in zip(points[::2], points[1::2], strict=False):
        spans.append((begin, end, draw(st.text(alphabet="XY\n", max_size=4))))
    return text, spans


def _position(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    line = before.count("\n") + 1
    return line, offset - (before.rfind("\n") + 1) + 1


@settings(max_examples=300, deadline=None)
@given(_text_and_edits())
def test_applying_fixes_changes_only_bytes_inside_edit_spans(
    case: tuple[str, list[tuple[int, int, str]]],
) -> None:
    text, spans = case
    fixes = []
    for begin, end, new in spans:
        (line, column), (end_line, end_column) = _position(text, begin), _position(text, end)
        fixes.append(fix((line, column, end_line, end_column, new)))
    result, applied, _ = apply_fixes(text, fixes)
    # the reference: the text between the applied spans, byte for byte, with the new texts
    chosen = {id(f) for f in applied}
    taken = sorted(
        (s for s, f in zip(spans, fixes, strict=True) if id(f) in chosen),
        key=lambda s: (s[0], s[1]),
    )
    expected = []
    position = 0
    for begin, end, new in taken:
        expected.append(text[position:begin])
        expected.append(new)
        position = end
    expected.append(text[position:])
    assert result == "".join(expected)
    # non-overlapping spans (distinct insertion points) are all applied
    points = [(b, e) for b, e, _ in spans]
    if len(set(points)) == len(points):
        assert len(applied) == len(fixes)


def _diag(path: str, f: Fix) -> Diagnostic:
    return Diagnostic(path, f.edits[0].line, f.edits[0].column, "KB991", "m", fix=f)


def test_plan_keeps_bom_and_crlf_and_write_refuses_a_changed_file(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    raw = b"\xef\xbb\xbf---\r\ntitle: BAD\r\n---\r\nBAD text\r\n"
    path.write_bytes(raw)
    digest = hashlib.sha256(raw).hexdigest()
    diagnostics = [
        _diag("a.md", fix((2, 8, 2, 11, "GOOD"))),
        _diag("a.md", fix((4, 1, 4, 4, "GOOD"))),
    ]
    patch = plan_file(path, "a.md", diagnostics, digest)
    assert patch.after == b"\xef\xbb\xbf---\r\ntitle: GOOD\r\n---\r\nGOOD text\r\n"
    assert "-title: BAD\r\n+title: GOOD\r\n" in unified_diff(patch)
    assert unified_diff(patch).startswith("--- a/a.md\n+++ b/a.md\n")
    write_patch(patch)
    assert path.read_bytes() == patch.after
    # the file changed since it was linted: refuse
    with pytest.raises(ConflictError):
        plan_file(path, "a.md", diagnostics, digest)
    stale = plan_file(
        path,
        "a.md",
        [_diag("a.md", fix((4, 1, 4, 5, "BAD")))],
        hashlib.sha256(path.read_bytes()).hexdigest(),
    )
    path.write_bytes(b"someone else's edit\n")
    with pytest.raises(ConflictError):
        write_patch(stale)
    assert path.read_bytes() == b"someone else's edit\n"
