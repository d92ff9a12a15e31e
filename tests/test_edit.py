"""Safe front-matter edits: only the meant keys change, every other byte stays."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbtool.corpus.edit import content_hash, edit_front_matter, render_value, write_atomic
from kbtool.corpus.parse import parse_bytes
from kbtool.errors import ConflictError, InputError

BOM = b"\xef\xbb\xbf"


def meta(raw: bytes) -> dict[str, Any]:
    parsed = parse_bytes(Path("a.md"), raw, max_size=10**9)
    errors = [p for p in parsed.problems if p.severity.name == "ERROR"]
    assert errors == [], errors
    return parsed.meta


def edit(text: str, updates: dict[str, Any], remove: tuple[str, ...] = ()) -> str:
    return edit_front_matter(text.encode("utf-8"), updates, remove=remove).decode("utf-8")


# --------------------------------------------------------------------------- examples


def test_changes_only_the_value_and_keeps_the_trailing_comment() -> None:
    before = (
        "---\n"
        "# reviewed every quarter\n"
        "title: 'Reset your password'   # shown in search\n"
        "last_reviewed: 2026-01-01  # bump me\n"
        'owner: "account-team"\n'
        "---\n"
        "Body with last_reviewed: 2026-01-01 in it.\n"
    )
    after = edit(before, {"last_reviewed": dt.date(2026, 11, 23)})
    assert after == before.replace(
        "last_reviewed: 2026-01-01  # bump me", "last_reviewed: 2026-11-23  # bump me"
    )


def test_quoted_values_stay_quoted_the_same_way() -> None:
    before = "---\nms.date: \"03/27/2025\"\ntitle: 'Old title'  # c\nowner: plain\n---\n"
    after = edit(before, {"ms.date": "11/23/2026", "title": "It's new", "owner": "x"})
    assert after == "---\nms.date: \"11/23/2026\"\ntitle: 'It''s new'  # c\nowner: x\n---\n"
    # a single-quoted value that single quotes cannot hold becomes double-quoted
    assert edit("---\na: 'x'\n---\n", {"a": "two\nlines"}) == '---\na: "two\\nlines"\n---\n'


def test_block_list_stays_a_block_list() -> None:
    before = (
        "---\nlabels:   # words customers type\n  - password\n  - login  # old\nowner: me\n---\n"
    )
    after = edit(before, {"labels": ["password", "sign in", "2fa"]})
    assert after == (
        "---\nlabels:   # words customers type\n  - password\n  - sign in\n  - 2fa  # old\n"
        "owner: me\n---\n"
    )


def test_block_list_to_scalar_keeps_comments_around_it() -> None:
    before = (
        "---\nstages:  # journey\n- new\n- experienced\n# next comes the owner\nowner: me\n---\n"
    )
    assert edit(before, {"stages": []}) == (
        "---\nstages: []  # journey\n# next comes the owner\nowner: me\n---\n"
    )


def test_flow_list_is_replaced_in_place() -> None:
    before = "---\nchannels: [search, agent]  # how they arrive\n---\n"
    assert edit(before, {"channels": ["answer-bot", "in-product"]}) == (
        "---\nchannels: [answer-bot, in-product]  # how they arrive\n---\n"
    )


def test_empty_value_gets_a_space_before_the_new_one() -> None:
    before = "---\nowner:\nreviewer:   # who\n---\n"
    assert edit(before, {"owner": "billing-team", "reviewer": "Ada"}) == (
        "---\nowner: billing-team\nreviewer: Ada   # who\n---\n"
    )


def test_block_scalar_is_replaced_whole() -> None:
    before = "---\ndescription: >\n  Long text\n  over lines.\n\n# keep\ntitle: T\n---\n"
    assert edit(before, {"description": "Short."}) == (
        "---\ndescription: Short.\n\n# keep\ntitle: T\n---\n"
    )


def test_new_keys_are_appended_before_the_closing_line() -> None:
    before = "---\ntitle: T  # x\n---\nbody\n"
    after = edit(before, {"reviewed_by": "Ada Writer", "review_every": "90d"})
    assert after == "---\ntitle: T  # x\nreviewed_by: Ada Writer\nreview_every: 90d\n---\nbody\n"


def test_crlf_and_bom_survive() -> None:
    raw = BOM + b"---\r\ntitle: 'T'\r\nowner: x  # c\r\n---\r\nBody\r\n"
    out = edit_front_matter(raw, {"owner": "z", "status": "draft"})
    assert out == BOM + b"---\r\ntitle: 'T'\r\nowner: z  # c\r\nstatus: draft\r\n---\r\nBody\r\n"


def test_crlf_block_list_items_use_crlf() -> None:
    raw = b"---\r\nlabels:\r\n  - a\r\n---\r\n"
    out = edit_front_matter(raw, {"labels": ["b", "c"]})
    assert out == b"---\r\nlabels:\r\n  - b\r\n  - c\r\n---\r\n"


def test_file_without_front_matter_gets_one() -> None:
    raw = b"\xef\xbb\xbf# Heading\r\n\r\nText\r\n"
    out = edit_front_matter(raw, {"title": "Heading: the sequel", "stages": ["new"]})
    assert out == BOM + b'---\r\ntitle: "Heading: the sequel"\r\nstages: [new]\r\n---\r\n' + raw[3:]


def test_nothing_to_do_returns_the_same_bytes() -> None:
    raw = b"no front matter\n"
    assert edit_front_matter(raw, {}) == raw
    raw = b"---\na: 1\n---\n"
    assert edit_front_matter(raw, {}, remove=["missing"]) == raw


def test_empty_front_matter() -> None:
    assert edit("---\n---\nbody\n", {"title": "T"}) == "---\ntitle: T\n---\nbody\n"


def test_remove_keys_with_their_continuation_lines() -> None:
    before = (
        "---\n"
        "title: T\n"
        "labels:\n"
        "  - a\n"
        "\n"
        "  - b  # c\n"
        "# about the body\n"
        "notes: |\n"
        "  one\n"
        "\n"
        "  two\n"
        "owner: me\n"
        "---\n"
    )
    after = edit(before, {}, remove=("labels", "notes"))
    assert after == "---\ntitle: T\n# about the body\nowner: me\n---\n"


def test_set_and_remove_together() -> None:
    after = edit("---\na: 1\nb: 2\nc: 3\n---\n", {"a": 9, "d": 4}, remove=("c",))
    assert after == "---\na: 9\nb: 2\nd: 4\n---\n"


def test_keys_that_need_quotes() -> None:
    after = edit("---\ntitle: T\n---\n", {"yes": "no", "ms.date": "11/23/2026"})
    assert after == '---\ntitle: T\n"yes": "no"\nms.date: 11/23/2026\n---\n'
    assert meta(after.encode()) == {"title": "T", "yes": "no", "ms.date": "11/23/2026"}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"---\ntitle: [unclosed\n---\n", "front matter cannot be edited safely"),
        (b"---\ntitle: a\ntitle: b\n---\n", "duplicate key 'title'"),
        (b"---\ntitle: a\nno closing line\n", "front matter is not closed"),
        (b"---\n- a list\n---\n", "front matter must be 'key: value' pairs"),
        (b"\xff\xfe not utf-8", "not valid UTF-8"),
    ],
)
def test_refuses_what_it_cannot_read(raw: bytes, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        edit_front_matter(raw, {"title": "x"}, path=Path("a.md"))


# --------------------------------------------------------------------------- render_value


@pytest.mark.parametrize(
    ("value", "rendered"),
    [
        ("Reset your password", "Reset your password"),
        ("account-team", "account-team"),
        ("yes", '"yes"'),
        ("Off", '"Off"'),
        ("Y", '"Y"'),  # YAML 1.1 says boolean, PyYAML says text: quoted for every reader
        ("null", '"null"'),
        ("~", '"~"'),
        ("1.0", '"1.0"'),
        ("0x1F", '"0x1F"'),
        ("0b101", '"0b101"'),  # YAML 1.1 binary integer
        ("1__0", '"1__0"'),  # YAML 1.1 reads underscores in numbers
        ("1_000", '"1_000"'),
        ("trailing space ", '"trailing space "'),
        ("a: b", '"a: b"'),
        ("#hashtag", '"#hashtag"'),
        ("it's", "it's"),
        ("Why was I charged twice?", "Why was I charged twice?"),
        ("重置密码", "重置密码"),
        ("Hello, world", "Hello, world"),
        ("C# tips", '"C# tips"'),
        ("a:b", '"a:b"'),
        ("😀 party", '"\\U0001F600 party"'),
        ("line\nbreak", '"line\\nbreak"'),
        ("", '""'),
        ("2026-11-23", "2026-11-23"),  # an ISO date stays plain: it reads back as a date
        ("2026-02-30", '"2026-02-30"'),  # not a date
        (dt.date(2026, 1, 5), "2026-01-05"),
        (True, "true"),
        (90, "90"),
        (1e20, "1.0e+20"),
        (float("inf"), ".inf"),
        (None, "null"),
        (["sign in", "yes", "a,b", "[x]"], '[sign in, "yes", "a,b", "[x]"]'),
        ([], "[]"),
    ],
)
def test_render_value(value: Any, rendered: str) -> None:
    assert render_value(value) == rendered


def _expected(value: Any) -> Any:
    """What YAML should read back for a value kbtool wrote."""
    if isinstance(value, (list, tuple)):
        return [_expected(v) for v in value]
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        ANY_TEXT,
        st.lists(ANY_TEXT, max_size=4),
        st.floats(allow_nan=False),
        st.integers(),
        st.dates(),
    )
)
def test_render_value_reads_back_as_the_value(value: Any) -> None:
    text = render_value(value)
    assert "\n" not in text and "\r" not in text
    assert yaml.safe_load(f"key: {text}")["key"] == _expected(value)


# --------------------------------------------------------------------------- property


_KEY = st.from_regex(r"[a-z][a-z0-9_]{0,7}(\.[a-z]{1,5})?", fullmatch=True).filter(
    lambda k: yaml.safe_load(k) == k
)
_WORD = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,8}", fullmatch=True)
_TEXT = st.text(
    st.characters(
        categories=("L", "N", "P", "S", "Zs"), exclude_characters="\x85\u2028\u2029\ufeff"
    ),
    max_size=15,
)
_COMMENT = _TEXT.map(lambda t: "# " + t)


@dataclass
class _Entry:
    key: str
    lines: list[str]
    block_list: bool = False
    comment: str | None = None  # trailing comment on a one-line entry
    quote: str | None = None  # ' or " around a one-line text value


@st.composite
def _entry(draw: st.DrawFn, key: str) -> _Entry:
    kind = draw(
        st.sampled_from(
            [
                "plain",
                "int",
                "date",
                "single",
                "double",
                "flow",
                "block",
                "empty",
                "literal",
                "mapping",
            ]
        )
    )
    comment = draw(st.none() | _COMMENT)
    tail = f"  {comment}" if comment else ""
    if kind in ("plain", "int", "date", "single", "double", "flow", "empty"):
        value = {
            "plain": lambda: draw(_WORD),
            "int": lambda: str(draw(st.integers(-(10**6), 10**6))),
            "date": lambda: draw(st.dates(dt.date(1990, 1, 1), dt.date(2100, 1, 1))).isoformat(),
            "single": lambda: "'" + draw(_TEXT).replace("'", "''") + "'",
            "double": lambda: json.dumps(draw(_TEXT), ensure_ascii=False),
            "flow": lambda: (
                "["
                + ", ".join(
                    draw(
                        st.lists(
                            _WORD | _TEXT.map(lambda t: json.dumps(t, ensure_ascii=False)),
                            max_size=3,
                        )
                    )
                )
                + "]"
            ),
            "empty": lambda: "",
        }[kind]()
        line = f"{key}: {value}" if value else f"{key}:"
        quote = {"single": "'", "double": '"'}.get(kind)
        return _Entry(key, [line + tail], comment=comment, quote=quote)
    if kind == "block":
        indent = draw(st.sampled_from(["", "  "]))
        items = draw(st.lists(_WORD, min_size=1, max_size=4))
        lines = [f"{key}:{tail}"]
        for item in items:
            item_comment = draw(st.none() | _COMMENT)
            lines.append(f"{indent}- {item}" + (f"  {item_comment}" if item_comment else ""))
        return _Entry(key, lines, block_list=True)
    if kind == "literal":
        # no keep chomping (|+): blank lines after it would belong to its value
        style = draw(st.sampled_from(["|", ">", "|-", ">-"]))
        body = draw(st.lists(_WORD, min_size=1, max_size=3))
        return _Entry(key, [f"{key}: {style}"] + [f"  {w}" for w in body])
    subkeys = draw(st.lists(_KEY, min_size=1, max_size=3, unique=True))
    return _Entry(key, [f"{key}:{tail}"] + [f"  {k}: {draw(_WORD)}" for k in subkeys])


@dataclass
class _Doc:
    raw: bytes
    lines: list[str]  # decoded, BOM removed, each with its line ending
    eol: str
    bom: bool
    entries: dict[str, tuple[int, int, _Entry]]  # key -> (first line, last line, entry)
    closing: int  # index of the closing '---' line


@st.composite
def _documents(draw: st.DrawFn) -> _Doc:
    keys = draw(st.lists(_KEY, min_size=0, max_size=6, unique=True))
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    bom = draw(st.booleans())
    lines = ["---"]
    entries: dict[str, tuple[int, int, _Entry]] = {}
    for key in keys:
        for _ in range(draw(st.integers(0, 2))):
            lines.append(draw(_COMMENT | st.just("")))
        entry = draw(_entry(key))
        entries[key] = (len(lines), len(lines) + len(entry.lines) - 1, entry)
        lines.extend(entry.lines)
    if draw(st.booleans()):
        lines.append(draw(_COMMENT))
    closing = len(lines)
    lines.append("---")
    body = draw(st.lists(_TEXT.filter(lambda t: not t.startswith("---")), max_size=3))
    lines.extend(body)
    with_eol = [line + eol for line in lines]
    raw = (BOM if bom else b"") + "".join(with_eol).encode("utf-8")
    return _Doc(raw, with_eol, eol, bom, entries, closing)


_NEW_VALUES = st.one_of(
    _WORD,
    ANY_TEXT,
    st.integers(),
    st.booleans(),
    st.dates(dt.date(1990, 1, 1), dt.date(2100, 1, 1)),
    st.lists(_WORD | ANY_TEXT, max_size=4),
)


def _split_lines(raw: bytes) -> list[str]:
    text = raw.removeprefix(BOM).decode("utf-8")
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=_documents(), data=st.data())
def test_setting_one_key_changes_only_its_lines(doc: _Doc, data: st.DataObject) -> None:
    before = meta(doc.raw)
    existing = sorted(doc.entries)
    use_existing = existing and data.draw(st.booleans(), label="existing key")
    if use_existing:
        key = data.draw(st.sampled_from(existing), label="key")
    else:
        key = data.draw(_KEY.filter(lambda k: k not in doc.entries), label="new key")
    value = data.draw(_NEW_VALUES, label="value")

    out = edit_front_matter(doc.raw, {key: value})

    after = meta(out)
    entry = doc.entries[key][2] if use_existing else None
    if entry is not None and entry.quote and isinstance(value, str):
        assert after[key] == value  # quoted like the old value, so text even if date-like
    else:
        assert after[key] == _expected(value)
    assert {k: v for k, v in after.items() if k != key} == {
        k: v for k, v in before.items() if k != key
    }
    assert out.startswith(BOM) == doc.bom
    new = _split_lines(out)
    old = doc.lines
    assert all(line.endswith(doc.eol) for line in new)
    if doc.eol == "\n":
        assert not any(line.endswith("\r\n") for line in new)
    if not use_existing:
        # exactly one line appended before the closing ---
        c = doc.closing
        assert new[:c] == old[:c]
        assert new[c + 1 :] == old[c:]
        assert yaml.safe_load(new[c]) == {key: _expected(value)}
        return
    first, last, entry = doc.entries[key]
    suffix = len(old) - last - 1
    assert new[:first] == old[:first]
    assert new[len(new) - suffix :] == old[last + 1 :]
    middle = new[first : len(new) - suffix]
    assert middle[0].startswith(f"{key}:")
    if entry.block_list and isinstance(value, list) and value:
        assert middle[0] == old[first]  # the key line itself is untouched
        assert len(middle) == 1 + len(value)
        assert all(line.lstrip().startswith("- ") for line in middle[1:])
    elif not isinstance(value, list) or not entry.block_list:
        assert len(middle) == 1
        if entry.comment is not None:
            assert middle[0].endswith(f"  {entry.comment}{doc.eol}")
        if entry.quote == '"' and isinstance(value, str):
            assert middle[0].startswith(f'{key}: "')  # the value keeps its quoting style
        if entry.quote == "'" and isinstance(value, str) and value.isprintable():
            assert middle[0].startswith(f"{key}: '")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=_documents(), data=st.data())
def test_removing_a_key_removes_exactly_its_lines(doc: _Doc, data: st.DataObject) -> None:
    if not doc.entries:
        return
    key = data.draw(st.sampled_from(sorted(doc.entries)))
    before = meta(doc.raw)
    out = edit_front_matter(doc.raw, {}, remove=[key])
    first, last, _ = doc.entries[key]
    assert _split_lines(out) == doc.lines[:first] + doc.lines[last + 1 :]
    before.pop(key)
    assert meta(out) == before


# --------------------------------------------------------------------------- write_atomic


def test_write_atomic_replaces_and_keeps_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"old")
    path.chmod(0o640)
    write_atomic(path, b"new", expected_hash=content_hash(b"old"))
    assert path.read_bytes() == b"new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]  # no temporary left


def test_write_atomic_refuses_a_file_changed_since_it_was_read(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"what we read")
    seen = content_hash(path.read_bytes())
    path.write_bytes(b"someone else's edit")
    with pytest.raises(ConflictError, match="changed on disk since it was read"):
        write_atomic(path, b"ours", expected_hash=seen)
    assert path.read_bytes() == b"someone else's edit"
    path.unlink()
    with pytest.raises(ConflictError, match="deleted since it was read"):
        write_atomic(path, b"ours", expected_hash=seen)
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


def test_write_atomic_create_refuses_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"keep me")
    with pytest.raises(ConflictError, match="already exists"):
        write_atomic(path, b"x", create=True)
    assert path.read_bytes() == b"keep me"
    fresh = tmp_path / "new" / "folder" / "b.md"
    write_atomic(fresh, b"made", create=True)
    assert fresh.read_bytes() == b"made"
    assert sorted(p.name for p in fresh.parent.iterdir()) == ["b.md"]


def test_write_atomic_create_loses_a_race_without_overwriting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.md"
    real_fsync = os.fsync

    def other_writer_first(fd: int) -> None:
        real_fsync(fd)
        path.write_bytes(b"the other writer")

    monkeypatch.setattr(os, "fsync", other_writer_first)
    with pytest.raises(ConflictError, match="already exists"):
        write_atomic(path, b"ours", create=True)
    assert path.read_bytes() == b"the other writer"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]


def test_write_atomic_failure_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"old")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        write_atomic(path, b"new")
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]


def test_write_atomic_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    target = tmp_path / "real.md"
    target.write_bytes(b"old")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    write_atomic(link, b"new")
    assert link.is_symlink()
    assert target.read_bytes() == b"new"


def test_edit_then_write_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    original = b"---\r\ntitle: T # c\r\nlast_reviewed: 2025-01-01\r\n---\r\nBody\r\n"
    path.write_bytes(original)
    raw = path.read_bytes()
    write_atomic(
        path,
        edit_front_matter(raw, {"last_reviewed": dt.date(2026, 2, 3)}),
        expected_hash=content_hash(raw),
    )
    assert path.read_bytes() == original.replace(b"2025-01-01", b"2026-02-03")
