"""Safe front-matter edits: change only the values meant, write atomically.

Every command that writes front matter (`new`, `review mark`, `tags set`,
`tags auto --write`, `translations mark`, `lint --fix`) goes through
`edit_front_matter` and `write_atomic`. A value is replaced in place using the
YAML parser's own character span for it, so comments, key order, quoting of
other keys, line endings and a BOM stay byte for byte as they were.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import os
import re
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kbtool.corpus.parse import parse_bytes
from kbtool.errors import ConflictError, InputError

__all__ = ["content_hash", "edit_front_matter", "render_value", "write_atomic"]

# Characters that never appear in a plain value kbtool writes, although YAML would
# sometimes allow them: a comment, a mapping, a tab. In a flow list also the flow indicators.
_NOT_PLAIN = frozenset("#:\t")
_NOT_PLAIN_IN_FLOW = _NOT_PLAIN | frozenset(",[]{}?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# YAML 1.1 booleans and nulls: PyYAML reads `y` and `n` as text, other front-matter
# readers do not, so these are always quoted
_YAML_SPECIAL = frozenset({"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"})
_OPEN = re.compile(r"---[ \t]*\r?\n")  # the opening delimiter, as parse.py reads it

try:  # same marks as the pure-Python loader, ten times faster
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


def render_value(value: Any, *, flow: bool = True, indent: str = "  ", eol: str = "\n") -> str:
    """A YAML rendering of a front-matter value that reads back as the same value.

    Text stays plain when it starts with a letter or digit and YAML reads it back
    unchanged (`Why was I charged twice?`, `重置密码`); otherwise it is double-quoted
    (`yes`, `1.0`, `Error: x`). An ISO date string (`2026-11-23`) stays plain on
    purpose, so it reads back as a date, the way writers type dates. Lists are
    flow lists (`[a, b]`), or block lists with `flow=False`.
    """
    if isinstance(value, (list, tuple)):
        if flow or not value:
            return "[" + ", ".join(_render(v, in_flow=True) for v in value) + "]"
        return "".join(f"{eol}{indent}- {_render(v, in_flow=False)}" for v in value)
    return _render(value, in_flow=False)


def _render(value: Any, *, in_flow: bool) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_render(v, in_flow=True) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _render_float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return _render_text(str(value), dates=True, in_flow=in_flow)


def _render_text(text: str, *, dates: bool, in_flow: bool = False) -> str:
    if dates and _ISO_DATE.fullmatch(text) and _is_date(text):
        return text
    if _plain_ok(text, in_flow=in_flow):
        return text
    dumped = yaml.safe_dump(text, default_style='"', allow_unicode=True, width=sys.maxsize)
    return dumped.strip()


def _plain_ok(text: str, *, in_flow: bool) -> bool:
    """Can `text` be written without quotes and still read back as this very string?"""
    if not text or not text[0].isalnum() or text != text.strip():
        return False
    if not _NOT_PLAIN_IN_FLOW.isdisjoint(text) if in_flow else not _NOT_PLAIN.isdisjoint(text):
        return False
    if text.lower() in _YAML_SPECIAL:
        return False
    source = f"k: [{text}]" if in_flow else f"k: {text}"
    expected = {"k": [text] if in_flow else text}
    # libyaml and PyYAML's own scanner disagree on a few plain scalars: both must agree
    for loader in {_Loader, yaml.SafeLoader}:
        try:
            loaded = yaml.load(source, Loader=loader)
        except (yaml.YAMLError, ValueError):  # ValueError: PyYAML on a date like 2026-02-30
            return False
        if loaded != expected:
            return False
    return True


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _render_float(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    mantissa, e, exponent = text.partition("e")
    if e and "." not in mantissa:  # YAML 1.1 floats need a dot: 1e+20 -> 1.0e+20
        text = f"{mantissa}.0e{exponent}"
    return text


@dataclass(frozen=True)
class _Entry:
    """Where one top-level `key: value` sits in the text (character offsets)."""

    line_start: int  # start of the key's line
    key_end: int  # just after the key
    key_line_end: int  # end of the key's line, before its line break
    value_start: int
    value_end: int  # end of the value's content (no trailing breaks or comments)
    block_sequence: bool
    quote: str | None = None  # ' or " when the value is a quoted scalar


def _entries(text: str, start: int, end: int) -> dict[str, _Entry]:
    """The top-level entries of the front matter `text[start:end]`."""
    yaml_text = text[start:end]
    loader = _Loader(yaml_text)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    if not isinstance(root, yaml.MappingNode):
        return {}
    out: dict[str, _Entry] = {}
    for key_node, value_node in root.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        key_start = start + key_node.start_mark.index
        key_end = start + key_node.end_mark.index
        value_start = start + value_node.start_mark.index
        value_end = max(start + _content_end(value_node, yaml_text), value_start)
        out[str(key_node.value)] = _Entry(
            line_start=text.rfind("\n", 0, key_start) + 1,
            key_end=key_end,
            key_line_end=_line_end(text, key_end),
            value_start=value_start,
            value_end=value_end,
            block_sequence=isinstance(value_node, yaml.SequenceNode) and not value_node.flow_style,
            quote=value_node.style
            if isinstance(value_node, yaml.ScalarNode) and value_node.style in ("'", '"')
            else None,
        )
    return out


def _content_end(node: yaml.Node, text: str) -> int:
    """Offset just after the last character of `node` itself.

    The parser's end mark of a block collection lies at the next token, past
    comments and blank lines that follow it; those belong to the next entry.
    """
    if isinstance(node, yaml.ScalarNode):
        end: int = node.end_mark.index
        if node.style in ("|", ">"):  # a block scalar's end includes its trailing breaks
            while end > node.start_mark.index + 1 and text[end - 1] in " \t\r\n":
                end -= 1
        return end
    if isinstance(node, (yaml.SequenceNode, yaml.MappingNode)):
        if node.flow_style or not node.value:
            flow_end: int = node.end_mark.index
            return flow_end
        last = node.value[-1]
        if isinstance(node, yaml.MappingNode):
            key, value = last
            return max(_content_end(key, text), _content_end(value, text))
        return _content_end(last, text)
    fallback: int = node.end_mark.index
    return fallback


def _line_end(text: str, offset: int) -> int:
    """End of the line holding `offset`, before its line break."""
    end = text.find("\n", offset)
    if end == -1:
        return len(text)
    return end - 1 if end > 0 and text[end - 1] == "\r" else end


def _next_line(text: str, offset: int) -> int:
    """Start of the line after the one holding `offset`."""
    end = text.find("\n", offset)
    return len(text) if end == -1 else end + 1


def edit_front_matter(
    raw: bytes,
    updates: Mapping[str, Any],
    *,
    remove: Sequence[str] = (),
    path: Path | None = None,
) -> bytes:
    """Return `raw` with top-level keys set to `updates` and `remove` keys deleted.

    Existing keys keep their place and the rest of their line (a trailing
    comment survives); a block list stays a block list; new keys are appended
    before the closing `---`; a file without front matter gets one. Every other
    byte stays as it was. Raises InputError when the front matter cannot be
    parsed (kbtool never rewrites what it cannot read).
    """
    where = path or Path("<text>")
    parsed = parse_bytes(where, raw, max_size=len(raw) + 1)
    if not parsed.readable:
        reason = parsed.problems[0].message if parsed.problems else "unreadable"
        raise InputError(reason, path=path)
    blocking = [
        p
        for p in parsed.problems
        if p.code in {"yaml", "front-matter", "duplicate-key"} and p.severity.name == "ERROR"
    ]
    if blocking:
        first = blocking[0]
        raise InputError(
            f"front matter cannot be edited safely: {first.message}", path=path, line=first.line
        )
    text = parsed.text
    eol = parsed.line_ending
    if not parsed.has_front_matter:
        if not updates:
            return raw
        lines = [
            f"{_render_text(key, dates=False)}: {render_value(value)}"
            for key, value in updates.items()
        ]
        text = "---" + eol + eol.join(lines) + eol + "---" + eol + text
        return _encode(text, bom=parsed.bom)
    opening = _OPEN.match(text)
    assert opening is not None  # has_front_matter says so
    entries = _entries(text, opening.end(), parsed.front_matter_end)
    edits: list[tuple[int, int, str]] = []
    for key in dict.fromkeys(remove):
        if key in entries:
            entry = entries[key]
            last = max(entry.value_end, entry.key_end)
            edits.append((entry.line_start, _next_line(text, last), ""))
    appended: list[str] = []
    for key, value in updates.items():
        if key in remove:
            continue
        if key in entries:
            edits.append(_replace(text, entries[key], value, eol))
        else:
            appended.append(f"{_render_text(key, dates=False)}: {render_value(value)}{eol}")
    if appended:
        at = parsed.front_matter_end
        edits.append((at, at, "".join(appended)))
    for start, end, new in sorted(edits, key=lambda e: e[0], reverse=True):
        text = text[:start] + new + text[end:]
    return _encode(text, bom=parsed.bom)


def _replace(text: str, entry: _Entry, value: Any, eol: str) -> tuple[int, int, str]:
    """The edit (start, end, new text) that gives the entry `value`."""
    start, end = entry.value_start, entry.value_end
    if entry.block_sequence and isinstance(value, (list, tuple)) and value:
        # keep block style: first item where the old one was, the rest aligned to it
        indent = text[text.rfind("\n", 0, start) + 1 : start]
        if indent.strip(" "):
            indent = "  "
        items = [_render(v, in_flow=False) for v in value]
        return start, end, f"- {items[0]}" + "".join(f"{eol}{indent}- {i}" for i in items[1:])
    new = _quoted_like(value, entry.quote) or render_value(value)
    if start <= entry.key_line_end:  # the value starts on the key's line
        if end <= entry.key_line_end:
            if start == end:  # `key:` without a value: the mark sits right after the colon
                return start, end, " " + new
            return start, end, new
        # a value over several lines (block scalar, multi-line flow list): replace them all
        return start, _line_end(text, end), new
    # the value starts on a later line (block list or mapping): `key: new` on the key's line,
    # keeping a comment that was there
    colon = text.index(":", entry.key_end) + 1
    rest = text[colon : entry.key_line_end]
    comment = rest if rest.strip().startswith("#") else ""
    return colon, _line_end(text, max(end, colon)), f" {new}{comment}"


def _quoted_like(value: Any, quote: str | None) -> str | None:
    """`value` quoted the way the value it replaces was (`ms.date: "03/27/2025"` stays
    quoted); None when it is not text, the old value was plain, or the style cannot hold it.
    """
    if quote is None or not isinstance(value, str):
        return None
    if quote == "'":
        if not value.isprintable():
            return None  # line breaks and control characters need double quotes
        return "'" + value.replace("'", "''") + "'"
    dumped = yaml.safe_dump(value, default_style='"', allow_unicode=True, width=sys.maxsize)
    return dumped.strip()


def _encode(text: str, *, bom: bool) -> bytes:
    data = text.encode("utf-8")
    return b"\xef\xbb\xbf" + data if bom else data


def content_hash(raw: bytes) -> str:
    """sha256 of a file's bytes, for `write_atomic(expected_hash=...)`."""
    return hashlib.sha256(raw).hexdigest()


def write_atomic(
    path: Path,
    data: bytes | Sequence[bytes | memoryview],
    *,
    expected_hash: str | None = None,
    create: bool = False,
    durable: bool = True,
) -> None:
    """Replace `path` with `data` (bytes, or parts written one after the other)
    atomically.

    `expected_hash` (sha256 of the bytes that were read) makes the write refuse
    when the file changed on disk since; `create=True` refuses to overwrite an
    existing file. A crash leaves either the old file or the new one, never half.
    A symbolic link is followed: the file it points to is replaced, the link stays.
    `durable=False` skips forcing the bytes to disk before the rename, for output
    that can be made again (a report): other processes still see the old file or
    the new one, never half, but a power cut may leave an empty file.
    """
    if create and (path.exists() or path.is_symlink()):
        raise ConflictError("already exists; not overwritten", path=path)
    if expected_hash is not None:
        try:
            current = content_hash(path.read_bytes())
        except FileNotFoundError:
            raise ConflictError("was deleted since it was read; not written", path=path) from None
        if current != expected_hash:
            raise ConflictError("changed on disk since it was read; not overwritten", path=path)
    target = path.resolve() if path.is_symlink() else path
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                _write_all(handle.fileno(), data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        tmp.chmod(target.stat().st_mode & 0o7777 if target.exists() else _new_file_mode())
        if create:
            # link() fails if the name appeared meanwhile: no race with another writer
            try:
                os.link(tmp, target)
            except FileExistsError:
                raise ConflictError("already exists; not overwritten", path=path) from None
        else:
            tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)


def _write_all(fd: int, parts: Sequence[bytes | memoryview]) -> None:
    """Write `parts` one after the other, many per system call where the system has
    `writev` (a report spliced from 20,000 pieces is not 20,000 writes)."""
    views = [memoryview(p) for p in parts if len(p)]
    if not hasattr(os, "writev"):  # Windows
        for view in views:
            while view:
                view = view[os.write(fd, view) :]
        return
    at = 0
    while at < len(views):
        done = os.writev(fd, views[at : at + 1024])  # IOV_MAX on Linux and macOS
        while at < len(views) and done >= len(views[at]):
            done -= len(views[at])
            at += 1
        if done:
            views[at] = views[at][done:]


def _new_file_mode() -> int:
    """0o666 less the umask, as `open()` would create the file (mkstemp makes 0o600)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask
