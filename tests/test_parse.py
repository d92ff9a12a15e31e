"""parse_bytes: front matter, body and the file's own line numbers, whatever the bytes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbtool.corpus.model import LoadProblem, Severity
from kbtool.corpus.parse import ParsedFile, body_hash, parse_bytes

PATH = Path("articles/en/account/reset-password.md")
LIMIT = 1_000_000

ARTICLE = """\
---
id: reset-password
title: Reset your password
labels:
  - password
  - sign in
last_reviewed: 2026-09-14
---

# Reset your password

Body text.
"""


def parse(data: bytes | str, *, max_size: int = LIMIT) -> ParsedFile:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return parse_bytes(PATH, raw, max_size=max_size)


def found(parsed: ParsedFile) -> list[tuple[str, int, int, Severity]]:
    return [(p.code, p.line, p.column, p.severity) for p in parsed.problems]


def only(parsed: ParsedFile) -> LoadProblem:
    assert len(parsed.problems) == 1, parsed.problems
    return parsed.problems[0]


# --------------------------------------------------------------------------- the good case


def test_front_matter_body_and_lines() -> None:
    parsed = parse(ARTICLE)
    assert parsed.problems == []
    assert parsed.readable
    assert parsed.has_front_matter
    assert parsed.meta == {
        "id": "reset-password",
        "title": "Reset your password",
        "labels": ["password", "sign in"],
        "last_reviewed": dt.date(2026, 9, 14),
    }
    assert parsed.key_lines == {"id": 2, "title": 3, "labels": 4, "last_reviewed": 7}
    assert parsed.body_line == 9
    assert parsed.body == "\n# Reset your password\n\nBody text.\n"
    lines = ARTICLE.split("\n")
    assert lines[parsed.body_line - 1] == ""
    assert lines[parsed.body_line] == "# Reset your password"
    assert parsed.line_ending == "\n"
    assert not parsed.bom
    assert parsed.size == len(ARTICLE)


def test_value_spans_cover_the_values_as_written() -> None:
    parsed = parse(ARTICLE)
    text = parsed.text
    start, end = parsed.value_spans["title"]
    assert text[start:end] == "Reset your password"
    start, end = parsed.value_spans["last_reviewed"]
    assert text[start:end] == "2026-09-14"
    start, _ = parsed.value_spans["labels"]
    assert text[start:].startswith("- password")
    assert text[parsed.front_matter_end :].startswith("---\n\n# Reset")


def test_value_spans_count_characters_not_bytes() -> None:
    parsed = parse("---\ntitle: Återställ lösenord 🔑\nowner: kundtjänst\n---\nText\n")
    start, end = parsed.value_spans["owner"]
    assert parsed.text[start:end] == "kundtjänst"


def test_no_front_matter_is_all_body() -> None:
    parsed = parse("# Just a heading\n\nText.\n")
    assert parsed.problems == []
    assert not parsed.has_front_matter
    assert parsed.meta == {}
    assert parsed.body == "# Just a heading\n\nText.\n"
    assert parsed.body_line == 1


def test_empty_front_matter_block() -> None:
    parsed = parse("---\n---\nText\n")
    assert parsed.problems == []
    assert parsed.has_front_matter
    assert parsed.meta == {}
    assert parsed.body == "Text\n"
    assert parsed.body_line == 3


def test_closing_with_dots_and_trailing_spaces() -> None:
    parsed = parse("--- \ntitle: A\n...  \nText\n")
    assert parsed.meta == {"title": "A"}
    assert parsed.body == "Text\n"
    assert parsed.body_line == 4


def test_file_ends_at_the_closing_line() -> None:
    parsed = parse("---\ntitle: A\n---")
    assert parsed.problems == []
    assert parsed.meta == {"title": "A"}
    assert parsed.body == ""
    assert parsed.body_line == 3


def test_body_hash_ignores_line_endings_and_outer_blank_space() -> None:
    assert body_hash("\nText\nMore\n\n") == body_hash("Text\r\nMore")
    assert body_hash("Text\nMore") != body_hash("Text\nMore.")
    assert len(body_hash("x")) == 12


# --------------------------------------------------------------------------- line endings, BOM


def test_crlf_keeps_every_line_number() -> None:
    lf = parse(ARTICLE)
    crlf = parse(ARTICLE.replace("\n", "\r\n"))
    assert crlf.key_lines == lf.key_lines
    assert crlf.body_line == lf.body_line
    assert crlf.meta == lf.meta
    assert crlf.line_ending == "\r\n"
    assert found(crlf) == [("line-endings", 1, 1, Severity.INFO)]
    assert only(crlf).message == "CRLF line endings"
    assert body_hash(crlf.body) == body_hash(lf.body)
    start, end = crlf.value_spans["title"]
    assert crlf.text[start:end] == "Reset your password"


def test_mixed_line_endings_point_at_the_first_odd_line() -> None:
    # mostly LF; line 3 ends with CRLF
    parsed = parse("---\ntitle: A\r\nowner: b\n---\nText\nMore\n")
    assert parsed.line_ending == "\n"
    assert found(parsed) == [("line-endings", 2, 1, Severity.WARNING)]
    assert only(parsed).message == "mixed line endings (1 CRLF, 5 LF)"
    # mostly CRLF; line 4 ends with a bare LF
    parsed = parse("---\r\ntitle: A\r\nowner: b\r\n---\nText\r\nMore\r\n")
    assert parsed.line_ending == "\r\n"
    assert found(parsed) == [("line-endings", 4, 1, Severity.WARNING)]
    assert parsed.key_lines == {"title": 2, "owner": 3}


def test_bom_is_reported_and_lines_stay() -> None:
    lf = parse(ARTICLE)
    bom = parse(b"\xef\xbb\xbf" + ARTICLE.encode())
    assert bom.bom
    assert bom.readable
    assert found(bom) == [("bom", 1, 1, Severity.WARNING)]
    assert "byte-order mark" in only(bom).message
    assert bom.key_lines == lf.key_lines
    assert bom.body_line == lf.body_line
    assert bom.meta == lf.meta
    assert not bom.text.startswith("\ufeff")


def test_bom_and_crlf_together() -> None:
    parsed = parse(b"\xef\xbb\xbf" + ARTICLE.replace("\n", "\r\n").encode())
    assert found(parsed) == [("bom", 1, 1, Severity.WARNING), ("line-endings", 1, 1, Severity.INFO)]
    assert parsed.key_lines == parse(ARTICLE).key_lines
    assert parsed.body_line == 9


def test_lines_count_lf_only_whatever_yaml_calls_a_line_break() -> None:
    # YAML also breaks lines at a lone CR, NEL (U+0085) and U+2028; editors and
    # git count LF, and so do kbtool's line numbers.
    for brk in ("\r", "\x85", "\u2028"):
        parsed = parse(f"---\ntitle: A{brk}owner: b\ndate: [\n---\nText\n")
        problem = only(parsed)
        assert (problem.code, problem.line, problem.column) == ("yaml", 4, 1), brk
    parsed = parse("---\ntitle: A\u2028\nowner: b\n---\nText\n")
    assert parsed.key_lines == {"title": 2, "owner": 3}
    assert parsed.body_line == 5


# --------------------------------------------------------------------------- bad YAML


def test_invalid_yaml_has_line_column_and_one_line_reason() -> None:
    parsed = parse("---\ntitle: A\nowner: team: europe\n---\nText\n")
    problem = only(parsed)
    assert (problem.code, problem.line, problem.column) == ("yaml", 3, 12)
    assert problem.severity is Severity.ERROR
    assert problem.message == (
        "invalid YAML front matter: mapping values are not allowed in this context"
    )
    assert parsed.readable  # the article still loads, without metadata
    assert parsed.meta == {}
    assert parsed.body == "Text\n"
    assert parsed.body_line == 5


def test_yaml_error_at_the_end_points_at_the_closing_line() -> None:
    parsed = parse("---\ntitle: A\nlabels: [a, b\n---\nText\n")
    problem = only(parsed)
    assert problem.code == "yaml"
    assert problem.line == 4
    assert problem.column == 1


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("---\ntitle: A\nlabels:\n\t- a\n---\n", 4, 1),  # tab indents a list item
        ("---\ntitle: A\n\towner: b\n---\n", 3, 1),  # tab indents a key
        ("---\ntitle: A\nx:\n  y: 1\n \tz: 2\n---\n", 5, 2),  # tab after a space
    ],
)
def test_tab_in_indentation_says_tab(text: str, line: int, column: int) -> None:
    problem = only(parse(text))
    assert problem.message == "tab character in YAML front matter (indent with spaces)"
    assert (problem.code, problem.line, problem.column) == ("yaml", line, column)


def test_tab_inside_a_value_is_fine() -> None:
    parsed = parse("---\ntitle: Tab\there\n---\n")
    assert parsed.problems == []
    assert parsed.meta == {"title": "Tab\there"}


def test_tab_before_an_unrelated_error_is_not_blamed() -> None:
    # The error is the `:` after `y`; the tab before it did not cause it.
    problem = only(parse("---\ntitle: x\ty: b: c\n---\n"))
    assert problem.message == (
        "invalid YAML front matter: mapping values are not allowed in this context"
    )
    assert (problem.line, problem.column) == (2, 11)


def test_duplicate_keys_are_reported_on_the_repeat() -> None:
    parsed = parse("---\ntitle: First\nowner: a\ntitle: Second\n---\n")
    problem = only(parsed)
    assert (problem.code, problem.line, problem.column) == ("duplicate-key", 4, 1)
    assert problem.severity is Severity.ERROR
    assert problem.message == "duplicate key 'title' (first on line 2); the last value is used"
    assert parsed.meta["title"] == "Second"
    assert parsed.key_lines["title"] == 2


def test_duplicate_keys_in_a_nested_mapping() -> None:
    parsed = parse("---\nsite:\n  area: a\n  area: b\n---\n")
    problem = only(parsed)
    assert (problem.code, problem.line, problem.column) == ("duplicate-key", 4, 3)
    assert parsed.meta == {"site": {"area": "b"}}


@pytest.mark.parametrize(
    ("front", "kind"),
    [("- a\n- b\n", "a list"), ("just words\n", "a plain string"), ("42\n", "a int")],
)
def test_front_matter_that_is_not_a_mapping(front: str, kind: str) -> None:
    parsed = parse(f"---\n{front}---\nText\n")
    problem = only(parsed)
    assert (problem.code, problem.line) == ("front-matter", 2)
    assert problem.message == f"front matter must be 'key: value' pairs, not {kind}"
    assert parsed.meta == {}
    assert parsed.body == "Text\n"


def test_unclosed_front_matter_leaves_everything_as_body() -> None:
    text = "---\ntitle: A\n\nText\n"
    parsed = parse(text)
    problem = only(parsed)
    assert (problem.code, problem.line, problem.column) == ("front-matter", 1, 1)
    assert problem.message.startswith("front matter is not closed")
    assert parsed.body == text
    assert parsed.body_line == 1
    assert parsed.meta == {}


def test_impossible_date_is_kept_as_text() -> None:
    # PyYAML raises a bare ValueError for these; loading must not stop.
    parsed = parse("---\nlast_reviewed: 2026-02-30\nat: 2026-01-01 25:00:00\nok: 2026-02-28\n---\n")
    assert parsed.problems == []
    assert parsed.meta == {
        "last_reviewed": "2026-02-30",
        "at": "2026-01-01 25:00:00",
        "ok": dt.date(2026, 2, 28),
    }


def test_control_character_is_one_line_with_its_position() -> None:
    problem = only(parse(b"---\ntitle: A\nowner: te\x01am\n---\n"))
    assert problem.code == "yaml"
    assert (problem.line, problem.column) == (3, 10)
    assert problem.message == "invalid YAML front matter: character U+0001 is not allowed in YAML"


def test_nul_after_the_binary_sniff_is_a_yaml_problem() -> None:
    raw = b"---\ntitle: " + b"a" * 9000 + b"\x00\n---\nText\n"
    problem = only(parse(raw))
    assert problem.code == "yaml"
    assert (problem.line, problem.column) == (2, 9008)
    assert "U+0000" in problem.message


def test_unsafe_tags_are_refused() -> None:
    problem = only(parse("---\ntitle: !!python/object/apply:os.system [echo hi]\n---\n"))
    assert (problem.code, problem.line, problem.column) == ("yaml", 2, 8)
    assert "could not determine a constructor" in problem.message


def test_deep_nesting_is_refused_without_crashing() -> None:
    # libyaml composes recursively in C: this many levels would crash the process.
    for opener, closer in (("[", "]"), ("{a: ", "}")):
        text = "---\ntitle: A\nx: " + opener * 200_000 + "1" + closer * 200_000 + "\n---\nText\n"
        problem = only(parse(text, max_size=10**7))
        assert problem.code == "yaml"
        assert problem.message == "front matter is nested more than 100 levels deep"
        assert problem.line == 3
    problem = only(parse("---\nx:\n" + "- " * 200_000 + "a\n---\n"))
    assert problem.message == "front matter is nested more than 100 levels deep"
    assert problem.line == 3


def test_nesting_that_real_front_matter_uses_is_fine() -> None:
    text = "---\nx: " + "[" * 50 + "1" + "]" * 50 + "\n---\n"
    parsed = parse(text)
    assert parsed.problems == []


def test_alias_bomb_is_refused() -> None:
    lines = ["---", "a0: &a0 [x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]" for i in range(1, 20)]  # 2**20 values
    problem = only(parse("\n".join([*lines, "---", ""])))
    assert problem.code == "yaml"
    assert problem.message == "front matter expands to more than 10,000 values (YAML aliases)"
    assert (problem.line, problem.column) == (13, 12)  # where the count passes 10,000


def test_a_few_aliases_are_fine() -> None:
    parsed = parse("---\nbase: &b [one, two]\nlabels: *b\n---\n")
    assert parsed.problems == []
    assert parsed.meta["labels"] == ["one", "two"]


# --------------------------------------------------------------------------- misplaced blocks


def test_second_front_matter_block() -> None:
    parsed = parse("---\ntitle: A\n---\n\n\n---\nowner: b\n---\nText\n")
    problem = only(parsed)
    assert (problem.code, problem.line, problem.column) == ("front-matter", 6, 1)
    assert problem.severity is Severity.WARNING
    assert parsed.meta == {"title": "A"}


def test_second_block_with_crlf() -> None:
    parsed = parse("---\r\ntitle: A\r\n---\r\n\r\n---\r\nowner: b\r\n---\r\nText\r\n")
    assert ("front-matter", 5, 1, Severity.WARNING) in found(parsed)


def test_thematic_break_after_front_matter_is_not_a_block() -> None:
    assert parse("---\ntitle: A\n---\n---\n\nText\n---\n").problems == []
    assert parse("---\ntitle: A\n---\n---\n- item\n---\n").problems == []


def test_front_matter_not_on_line_one() -> None:
    parsed = parse("\n\n---\ntitle: A\n---\nText\n")
    problem = only(parsed)
    assert (problem.code, problem.line, problem.column) == ("front-matter", 3, 1)
    assert problem.severity is Severity.WARNING
    assert problem.message.startswith("front matter must start on line 1")
    assert not parsed.has_front_matter
    assert parsed.meta == {}


def test_body_that_starts_with_a_rule_is_not_front_matter() -> None:
    assert parse("\n---\n\nText\n").problems == []


# --------------------------------------------------------------------------- unreadable files


def test_invalid_utf8_points_at_the_byte() -> None:
    parsed = parse(b"---\ntitle: ok\n---\nCaf\xe9 au lait\n")
    problem = only(parsed)
    assert (problem.code, problem.line, problem.column) == ("encoding", 4, 4)
    assert problem.message == "not valid UTF-8 (byte 0xe9)"
    assert problem.severity is Severity.ERROR
    assert not parsed.readable


def test_invalid_utf8_after_a_bom_counts_from_the_text() -> None:
    parsed = parse(b"\xef\xbb\xbfab\xff\n")
    assert [p.code for p in parsed.problems] == ["bom", "encoding"]
    problem = parsed.problems[1]
    assert (problem.line, problem.column) == (1, 3)
    assert not parsed.readable


def test_binary_file() -> None:
    parsed = parse(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    problem = only(parsed)
    assert (problem.code, problem.line) == ("binary", 3)
    assert problem.message == "binary file (contains NUL bytes), not Markdown"
    assert not parsed.readable


@pytest.mark.parametrize("raw", [b"", b"  \n\n\t\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n"])
def test_empty_files(raw: bytes) -> None:
    parsed = parse(raw)
    problem = only(parsed)
    assert (problem.code, problem.line, problem.column, problem.message) == (
        "empty",
        1,
        1,
        "file is empty",
    )
    assert not parsed.readable


def test_too_large() -> None:
    parsed = parse(b"x" * 101, max_size=100)
    problem = only(parsed)
    assert (problem.code, problem.line) == ("too-large", 1)
    assert problem.message == "file is 101 bytes, over the 100-byte limit (kb.max_file_size)"
    assert not parsed.readable
    assert parse(b"x" * 100, max_size=100).readable


def test_too_large_reports_the_size_on_disk() -> None:
    parsed = parse_bytes(PATH, b"x" * 101, max_size=100, size=5_000_000)
    assert only(parsed).message.startswith("file is 5,000,000 bytes")
    assert parsed.size == 5_000_000


# --------------------------------------------------------------------------- properties


def _lines(text: str) -> list[str]:
    """The file's lines as kbtool counts them: split at LF only."""
    return text.split("\n")


def assert_positions_inside(raw: bytes, parsed: ParsedFile) -> None:
    """Every line and column that parsing reports is a place in the file."""
    body = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        lines = [len(line) for line in _lines(body.decode("utf-8"))]
    except UnicodeDecodeError:
        lines = [len(line) for line in body.split(b"\n")]  # columns count bytes then
    for problem in parsed.problems:
        assert 1 <= problem.line <= len(lines), (problem, len(lines))
        assert 1 <= problem.column <= lines[problem.line - 1] + 1, (problem, lines)
        assert problem.message and "\n" not in problem.message, problem
        assert problem.path == PATH
    for key, line in parsed.key_lines.items():
        assert 1 <= line <= len(lines), (key, line)
    assert 1 <= parsed.body_line <= len(lines)
    if parsed.readable:
        assert parsed.text.endswith(parsed.body)
        assert parsed.text.count("\n", 0, len(parsed.text) - len(parsed.body)) + 1 == (
            parsed.body_line
        )
    for start, end in parsed.value_spans.values():
        assert 0 <= start <= end <= len(parsed.text)


# Pieces YAML front matter is made of, and the things that break it.
_PIECES = [
    "title", "owner", "labels", "ms.date", "a b", "ü", "日本", ":", ": ", " ", "  ", "\t",
    "-", "- ", "---", "...", "#", "'", '"', "[", "]", "{", "}", ",", "&a", "*a", "!!str",
    "!!python/name:x", "? ", "|", ">", "%", "@", "`", "2026-02-30", "2026-09-14", "yes",
    "~", "\n", "\n", "\n", "\r\n", "\r", "\x85", "\u2028", "\x00", "\x01", "\ufeff",
    "\\", "\\x", "0x1F", "1e9", ".nan",
]  # fmt: skip
SEEDS = [
    ARTICLE,
    "---\ntitle: A\nlabels: [a, b]\n---\nBody\n",
    "---\r\ntitle: A\r\nowner: b\r\n---\r\n\r\nBody\r\n",
    "---\ntitle: A\n---\n\n---\nowner: b\n---\nBody\n",
    "---\nsite:\n  area: a\n  list:\n    - x\n    - y: z\n---\n",
    "# No front matter\n\nText\n",
    "---\ntitle: 'quoted: yes'\ndescription: \"x\\ty\"\nd: 2026-01-01\n---\n",
]

pieces = st.sampled_from(_PIECES)
raw_front_matter = st.lists(pieces, max_size=40).map("".join)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A valid article with random pieces inserted, deleted or replaced."""
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = draw(pieces)
        if action == "insert":
            text = text[:at] + piece + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 5)) :]
        else:
            text = text[:at] + piece + text[at + len(piece) :]
    return text


@st.composite
def files(draw: st.DrawFn) -> bytes:
    """Random front matter, mutated articles and arbitrary bytes, as a file's bytes."""
    kind = draw(st.sampled_from(["random", "mutated", "mutated", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    if kind == "random":
        text = "---\n" + draw(raw_front_matter) + "\n---\n" + draw(raw_front_matter)
    else:
        text = draw(mutated())
    raw = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        raw = raw.replace(b"\n", b"\r\n")
    if draw(st.integers(0, 5)) == 0:
        raw = b"\xef\xbb\xbf" + raw
    return raw


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files())
def test_any_input_gives_problems_inside_the_file(raw: bytes) -> None:
    parsed = parse_bytes(PATH, raw, max_size=LIMIT)  # must not raise
    assert_positions_inside(raw, parsed)


@settings(max_examples=100, deadline=None)
@given(mutated())
def test_crlf_and_bom_never_move_a_line(text: str) -> None:
    text = text.replace("\r", "")  # compare LF with CRLF, not with what a lone CR does
    lf = parse(text)
    crlf = parse(text.replace("\n", "\r\n"))
    bom = parse(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert crlf.key_lines == lf.key_lines == bom.key_lines
    assert crlf.body_line == lf.body_line == bom.body_line
    assert repr(crlf.meta) == repr(lf.meta) == repr(bom.meta)  # repr: NaN != NaN

    def lines(parsed: ParsedFile) -> list[tuple[str, int]]:
        return [(p.code, p.line) for p in parsed.problems if p.code not in ("line-endings", "bom")]

    assert lines(crlf) == lines(lf) == lines(bom)
