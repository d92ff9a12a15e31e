"""Writing stages and channels keeps every other byte: a property test over many front matters.

Hypothesis builds articles with other keys in several styles (comments, quoted
values, block lists, block scalars), CRLF or LF line endings, an optional BOM,
and stages/channels written as flow lists, block lists, comma-separated strings
or not at all; then adds and removes random values with `set_tags`. Whatever
the input, the result reads back as intended, every other key reads back the
same, and the lines that do not belong to the stages/channels entries are the
very same bytes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbtool.config import Config
from kbtool.corpus import Article, read_article
from kbtool.corpus.discover import Layout
from kbtool.errors import ConflictError
from kbtool.tags import apply_changes, set_tags

STAGES = ("prospective", "new", "experienced")
CHANNELS = ("search", "in-product", "agent", "answer-bot", "email")
TAG_KEYS = ("stages", "channels")

_other_lines = st.sampled_from(
    [
        "title: Reset your password",
        'title: "Can\'t sign in: what to do"',
        "description: 'Forgot it? Reset it.'",
        "type: how-to   # the content type",
        "# a comment line between keys",
        "labels: [password, sign in]",
        "labels:\n  - password\n  - 'sign in'",
        "owner: account-team",
        "last_reviewed: 2026-09-14",
        "summary: >\n  Folded text\n  over two lines.",
        "notes: |\n  kept: as is\n  # not a comment",
        'weird key: "value with: colon"',
        "empty:",
        "status: published",
    ]
)


def _tag_entry(key: str, values: list[str], style: str) -> str | None:
    if style == "absent":
        return None
    if style == "flow":
        return f"{key}: [{', '.join(values)}]"
    if style == "flow-comment":
        return f"{key}: [{', '.join(values)}]  # tagged by hand"
    if style == "string":
        return f"{key}: {', '.join(values)}" if values else f'{key}: ""'
    if not values:
        return f"{key}: []"
    return f"{key}:" + "".join(f"\n  - {v}" for v in values)  # block


@st.composite
def articles(draw: st.DrawFn) -> tuple[bytes, dict[str, list[str]]]:
    lines = draw(st.lists(_other_lines, max_size=6, unique_by=lambda line: line.split(":")[0]))
    start: dict[str, list[str]] = {}
    for key, allowed in (("stages", STAGES), ("channels", CHANNELS)):
        values = draw(st.lists(st.sampled_from(allowed), unique=True, max_size=len(allowed)))
        style = draw(st.sampled_from(["absent", "flow", "flow-comment", "string", "block"]))
        entry = _tag_entry(key, values, style)
        start[key] = values if entry is not None else []
        if entry is not None:
            lines.insert(draw(st.integers(0, len(lines))), entry)
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    body = draw(st.sampled_from(["", "Text.\n", "# Heading\n\nstages: [not, front, matter]\n"]))
    text = "---\n" + "\n".join(lines) + ("\n" if lines else "") + "---\n\n" + body
    raw = text.replace("\n", eol).encode("utf-8")
    if draw(st.booleans()):
        raw = b"\xef\xbb\xbf" + raw
    return raw, start


def _load(path: Path, config: Config) -> Article:
    article, problems = read_article(
        path, path.name, config=config, layout=Layout((), config.kb.default_locale)
    )
    assert article is not None, problems
    return article


def _outside_tag_entries(raw: bytes) -> list[bytes]:
    """The file's lines without the stages/channels entries (key line and block items)."""
    out: list[bytes] = []
    skipping = False
    in_front = False
    for number, line in enumerate(raw.splitlines(keepends=True)):
        bare = line.removeprefix(b"\xef\xbb\xbf") if number == 0 else line
        if bare.rstrip() == b"---":
            in_front = not in_front if number == 0 or in_front else in_front
            skipping = False
            out.append(line)
            continue
        if in_front and bare.startswith((b"stages:", b"channels:")):
            skipping = True
            continue
        if skipping and bare.startswith(b"  - "):
            continue
        skipping = False
        out.append(line)
    return out


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    article=articles(),
    stages=st.lists(st.sampled_from(STAGES), unique=True, max_size=2),
    channels=st.lists(st.sampled_from(CHANNELS), unique=True, max_size=2),
    remove=st.booleans(),
)
def test_set_and_unset_change_only_the_tag_entries(
    tmp_path: Path,
    article: tuple[bytes, dict[str, list[str]]],
    stages: list[str],
    channels: list[str],
    remove: bool,
) -> None:
    raw, start = article
    path = tmp_path / "a.md"
    path.write_bytes(raw)
    config = Config(root=tmp_path)
    loaded = _load(path, config)
    assert list(loaded.stages) == start["stages"]
    assert list(loaded.channels) == start["channels"]

    (change,) = set_tags([loaded], config, stages=stages, channels=channels, remove=remove)
    apply_changes([change])
    new = path.read_bytes()

    expected: dict[str, list[str]] = {}
    for key, given_values in (("stages", stages), ("channels", channels)):
        if remove:
            expected[key] = [v for v in start[key] if v not in given_values]
        else:
            expected[key] = start[key] + [v for v in given_values if v not in start[key]]
    after = _load(path, config)
    assert list(after.stages) == expected["stages"]
    assert list(after.channels) == expected["channels"]
    if expected == start:
        assert new == raw  # nothing to do: not a byte changes
        return
    # every other key reads back the same, and every other line is the same bytes
    before_meta = {k: v for k, v in loaded.meta.items() if k not in TAG_KEYS}
    after_meta = {k: v for k, v in after.meta.items() if k not in TAG_KEYS}
    assert after_meta == before_meta
    assert _outside_tag_entries(new) == _outside_tag_entries(raw)
    assert after.body == loaded.body
    assert new.startswith(b"\xef\xbb\xbf") == raw.startswith(b"\xef\xbb\xbf")
    if b"\r\n" in raw:
        assert b"\n" not in new.replace(b"\r\n", b"")  # CRLF stays CRLF


def test_a_file_changed_since_it_was_loaded_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("---\ntitle: A\nstages: [new]\n---\nText.\n")
    config = Config(root=tmp_path)
    loaded = _load(path, config)
    (change,) = set_tags([loaded], config, channels=["search"])
    path.write_text("---\ntitle: A edited\nstages: [new]\n---\nText.\n")
    with pytest.raises(ConflictError, match="changed on disk"):
        apply_changes([change])
    assert "A edited" in path.read_text()


def test_a_file_changed_before_the_edit_is_prepared_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("---\ntitle: A\n---\nText.\n")
    config = Config(root=tmp_path)
    loaded = _load(path, config)
    path.write_text("---\ntitle: B\n---\nText.\n")
    with pytest.raises(ConflictError, match="not tagged"):
        set_tags([loaded], config, stages=["new"])


def test_a_batch_with_one_conflict_writes_nothing(tmp_path: Path) -> None:
    config = Config(root=tmp_path)
    loaded = []
    for name in ("a", "b"):
        path = tmp_path / f"{name}.md"
        path.write_text(f"---\ntitle: {name}\n---\nText.\n")
        loaded.append(_load(path, config))
    changes = set_tags(loaded, config, stages=["new"])
    (tmp_path / "b.md").write_text("---\ntitle: b edited\n---\nText.\n")
    with pytest.raises(ConflictError):
        apply_changes(changes)
    assert (tmp_path / "a.md").read_text() == "---\ntitle: a\n---\nText.\n"


def test_an_article_without_front_matter_gets_one(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("# Export your data\n\nText.\n")
    config = Config(root=tmp_path)
    (change,) = set_tags([_load(path, config)], config, stages=["new"], channels=["search"])
    apply_changes([change])
    assert path.read_text() == (
        "---\nstages: [new]\nchannels: [search]\n---\n# Export your data\n\nText.\n"
    )
