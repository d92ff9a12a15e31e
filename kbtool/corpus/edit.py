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
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from kbtool.corpus.parse import parse_bytes
from kbtool.errors import ConflictError, InputError

__all__ = ["edit_front_matter", "render_value", "write_atomic"]

_DELETE = object()
_PLAIN_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _./@+-]*$")
_YAML_SPECIAL = frozenset(
    {"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"}
)


def render_value(value: Any, *, flow: bool = True, indent: str = "  ", eol: str = "\n") -> str:
    """A YAML rendering of a front-matter value, quoted only when YAML needs it."""
    if isinstance(value, (list, tuple)):
        items = [render_value(v) for v in value]
        if flow or not items:
            return "[" + ", ".join(items) + "]"
        return "".join(f"{eol}{indent}- {item}" for item in items)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if _PLAIN_SAFE.match(text) and text.lower() not in _YAML_SPECIAL and not _looks_numeric(text):
        return text
    dumped = yaml.safe_dump(text, default_style='"', allow_unicode=True, width=10_000)
    return dumped.strip().removesuffix("...").strip()


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return bool(re.match(r"^\d{4}-\d{2}-\d{2}", text) is None and re.match(r"^0[xo]", text))
    return True


def edit_front_matter(
    raw: bytes,
    updates: Mapping[str, Any],
    *,
    remove: Sequence[str] = (),
    path: Path | None = None,
) -> bytes:
    """Return `raw` with top-level keys set to `updates` and `remove` keys deleted.

    Existing keys keep their place and the rest of their line (a trailing
    comment survives); new keys are appended before the closing `---`; a file
    without front matter gets one. Raises InputError when the front matter
    cannot be parsed (kbtool never rewrites what it cannot read).
    """
    where = path or Path("<text>")
    parsed = parse_bytes(where, raw, max_size=len(raw) + 1)
    if not parsed.readable:
        reason = parsed.problems[0].message if parsed.problems else "unreadable"
        raise InputError(reason, path=path)
    blocking = [p for p in parsed.problems if p.code in {"yaml", "front-matter", "duplicate-key"}
                and p.severity.name == "ERROR"]
    if blocking:
        first = blocking[0]
        raise InputError(f"front matter cannot be edited safely: {first.message}", path=path,
                         line=first.line)
    text = parsed.text
    eol = parsed.line_ending
    if not parsed.has_front_matter:
        lines = [f"{key}: {render_value(value)}" for key, value in updates.items()]
        text = "---" + eol + eol.join(lines) + eol + "---" + eol + text
        return _encode(text, parsed.bom)
    edits: list[tuple[int, int, str]] = []
    appended: list[str] = []
    for key in remove:
        if key in parsed.value_spans:
            edits.append((*_line_span(text, parsed.key_lines[key]), ""))
    for key, value in updates.items():
        if key in remove:
            continue
        if key in parsed.value_spans:
            start, end = parsed.value_spans[key]
            block = text[start:end].startswith("-")
            if isinstance(value, (list, tuple)) and block and value:
                # keep block style: first item where the old one was, the rest aligned to it
                indent = text[text.rfind("\n", 0, start) + 1: start]
                items = [render_value(v) for v in value]
                new = f"- {items[0]}" + "".join(f"{eol}{indent}- {item}" for item in items[1:])
                edits.append((start, _strip_trailing_newline(text, end), new))
            else:
                edits.append((start, end, render_value(value)))
        else:
            appended.append(f"{key}: {render_value(value)}")
    if appended:
        insert_at = parsed.front_matter_end
        edits.append((insert_at, insert_at, "".join(line + eol for line in appended)))
    for start, end, new in sorted(edits, key=lambda e: e[0], reverse=True):
        text = text[:start] + new + text[end:]
    return _encode(text, parsed.bom)


def _strip_trailing_newline(text: str, end: int) -> int:
    while end > 0 and text[end - 1] in "\r\n":
        end -= 1
    return end


def _line_span(text: str, line: int) -> tuple[int, int]:
    """Offsets of a whole key entry starting at `line` (1-based), continuation lines included."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    start = starts[line - 1]
    end = starts[line] if line < len(starts) else len(text)
    # a block value continues on lines that are indented or list items
    index = line
    while index < len(starts) - 1:
        nxt = text[starts[index]: starts[index + 1]]
        if nxt[:1] in (" ", "\t") or nxt.startswith("- "):
            end = starts[index + 1]
            index += 1
            continue
        break
    return start, end


def _encode(text: str, bom: bool) -> bytes:
    data = text.encode("utf-8")
    return b"\xef\xbb\xbf" + data if bom else data


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def write_atomic(path: Path, data: bytes, *, expected_hash: str | None = None,
                 create: bool = False) -> None:
    """Replace `path` with `data` atomically.

    `expected_hash` (sha256 of the bytes that were read) makes the write refuse
    when the file changed on disk since; `create=True` refuses to overwrite an
    existing file. A crash leaves either the old file or the new one, never half.
    """
    if create and path.exists():
        raise ConflictError("already exists; not overwritten", path=path)
    if expected_hash is not None:
        try:
            current = content_hash(path.read_bytes())
        except FileNotFoundError:
            raise ConflictError("was deleted since it was read; not written", path=path) from None
        if current != expected_hash:
            raise ConflictError("changed on disk since it was read; not overwritten", path=path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o644)
        if create:
            # link() fails if the name appeared meanwhile: no race with another writer
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise ConflictError("already exists; not overwritten", path=path) from None
            tmp.unlink()
        else:
            tmp.replace(path)
    finally:
        if tmp.exists():
            tmp.unlink()
