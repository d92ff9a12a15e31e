"""Split a file into front matter and body, keeping the line of everything.

Parsing never raises for bad content: every problem becomes a `LoadProblem`
with the file's own line and column, and whatever can still be used is kept.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frontmatter
import yaml

from kbtool.corpus.model import LoadProblem, Severity

__all__ = ["ParsedFile", "body_hash", "parse_bytes"]

_BOM = b"\xef\xbb\xbf"
_OPEN = re.compile(r"---[ \t]*\r?\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
_BINARY_SNIFF = 8192

try:  # libyaml is ~10x faster; the pure-Python loader gives the same results
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader


@dataclass
class ParsedFile:
    """The raw parts of one file; `meta` is empty when there is no usable front matter."""

    path: Path
    meta: dict[str, Any] = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)
    # (start, end) character offsets of each top-level value in `text`, for safe edits
    value_spans: dict[str, tuple[int, int]] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1
    text: str = ""  # decoded text, BOM removed, line endings untouched
    has_front_matter: bool = False
    front_matter_end: int = 0  # offset in `text` of the closing delimiter line
    line_ending: str = "\n"
    bom: bool = False
    content_hash: str = ""
    size: int = 0
    problems: list[LoadProblem] = field(default_factory=list)
    readable: bool = True  # False: not loadable as an article at all

    def problem(
        self,
        line: int,
        message: str,
        *,
        column: int = 1,
        code: str = "load",
        severity: Severity = Severity.ERROR,
    ) -> None:
        self.problems.append(LoadProblem(self.path, line, column, message, code, severity))


def body_hash(body: str) -> str:
    """Hash of an article body that ignores line endings and surrounding blank space.

    Translations record it as `source_hash` to say which version of the source
    they translate.
    """
    normal = body.replace("\r\n", "\n").strip()
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:12]


def parse_bytes(path: Path, raw: bytes, *, max_size: int) -> ParsedFile:
    """Parse one article file's bytes. Never raises for bad content."""
    parsed = ParsedFile(path=path, size=len(raw))
    parsed.content_hash = hashlib.sha256(raw).hexdigest()
    if len(raw) > max_size:
        parsed.problem(1, f"file is {len(raw):,} bytes, over the {max_size:,}-byte limit "
                          "(kb.max_file_size)", code="too-large")
        parsed.readable = False
        return parsed
    if not raw.strip():
        parsed.problem(1, "file is empty", code="empty")
        parsed.readable = False
        return parsed
    if b"\x00" in raw[:_BINARY_SNIFF]:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        parsed.problem(line, "binary file (contains NUL bytes), not Markdown", code="binary")
        parsed.readable = False
        return parsed
    if raw.startswith(_BOM):
        parsed.bom = True
        raw = raw[len(_BOM):]
        parsed.problem(1, "file starts with a UTF-8 byte-order mark (BOM)", code="bom",
                       severity=Severity.WARNING)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        parsed.problem(line, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})", column=column,
                       code="encoding")
        parsed.readable = False
        return parsed
    parsed.text = text
    _note_line_endings(parsed, text)
    _split_front_matter(parsed, text)
    return parsed


def _note_line_endings(parsed: ParsedFile, text: str) -> None:
    crlf = text.count("\r\n")
    if not crlf:
        return
    lf = text.count("\n") - crlf
    parsed.line_ending = "\r\n" if crlf >= lf else "\n"
    if lf:
        first = text.index("\r\n") if parsed.line_ending == "\n" else _first_bare_lf(text)
        parsed.problem(text.count("\n", 0, first) + 1,
                       f"mixed line endings ({crlf} CRLF, {lf} LF)", code="line-endings",
                       severity=Severity.WARNING)
    else:
        parsed.problem(1, "CRLF line endings", code="line-endings", severity=Severity.INFO)


def _first_bare_lf(text: str) -> int:
    for match in re.finditer("\n", text):
        if match.start() == 0 or text[match.start() - 1] != "\r":
            return match.start()
    return 0


def _split_front_matter(parsed: ParsedFile, text: str) -> None:
    opening = _OPEN.match(text)
    if not opening:
        parsed.body = text
        parsed.body_line = 1
        return
    parsed.has_front_matter = True
    closing = _CLOSE.search(text, opening.end())
    if closing is None:
        parsed.problem(1, "front matter is not closed: no line with '---' after the opening one",
                       code="front-matter")
        parsed.body = text
        parsed.body_line = 1
        return
    yaml_text = text[opening.end(): closing.start()]
    parsed.front_matter_end = closing.start()
    after = closing.end()
    if text.startswith("\r\n", after):
        after += 2
    elif text.startswith("\n", after):
        after += 1
    parsed.body = text[after:]
    parsed.body_line = text.count("\n", 0, after) + 1
    _parse_yaml(parsed, yaml_text, first_line=2, offset=opening.end())
    _check_second_block(parsed)


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    """A safe loader that reports duplicate keys instead of silently keeping the last."""

    duplicates: list[tuple[str, int, int]]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = key_node.value
                if key in seen:
                    self.duplicates.append((str(key), key_node.start_mark.line, seen[key]))
                else:
                    seen[key] = key_node.start_mark.line
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


def _parse_yaml(parsed: ParsedFile, yaml_text: str, *, first_line: int, offset: int) -> None:
    if not yaml_text.strip():
        return
    loader = _Loader(yaml_text)
    loader.duplicates = []
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        column = (mark.column + 1) if mark else 1
        parsed.problem(line, _yaml_reason(exc, yaml_text, mark), column=column,
                       code="yaml")
        return
    except yaml.YAMLError as exc:
        parsed.problem(first_line, f"invalid YAML front matter: {exc}", code="yaml")
        return
    finally:
        loader.dispose()
    if data is None:
        return
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        parsed.problem(first_line, f"front matter must be 'key: value' pairs, not {_kind(data)}",
                       code="front-matter")
        return
    for key, line, first in loader.duplicates:
        parsed.problem(first_line + line, f"duplicate key '{key}' (first on line "
                       f"{first_line + first}); the last value is used", code="duplicate-key")
    meta: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if not isinstance(key, str):
            continue
        parsed.key_lines.setdefault(key, first_line + key_node.start_mark.line)
        parsed.value_spans[key] = (offset + value_node.start_mark.index,
                                   offset + value_node.end_mark.index)
    for key, value in data.items():
        meta[str(key)] = value
    parsed.meta = meta


def _yaml_reason(exc: yaml.MarkedYAMLError, yaml_text: str, mark: Any) -> str:
    problem = (exc.problem or exc.context or "invalid YAML").strip()
    if mark is not None and "\t" in problem or "'\\t'" in problem:
        return "tab character in YAML front matter (indent with spaces)"
    if mark is not None:
        lines = yaml_text.splitlines()
        if 0 <= mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]:
            return "tab character in YAML front matter (indent with spaces)"
    return f"invalid YAML front matter: {problem}"


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a plain string"
    return f"a {type(value).__name__}"


def _check_second_block(parsed: ParsedFile) -> None:
    stripped = parsed.body.lstrip("\r\n")
    if not stripped.startswith("---"):
        return
    if frontmatter.checks(stripped):
        skipped = len(parsed.body) - len(stripped)
        line = parsed.body_line + parsed.body.count("\n", 0, skipped)
        parsed.problem(line, "a second front-matter block; only the first is read, this one "
                             "is body text", code="front-matter", severity=Severity.WARNING)


def meta_value(meta: Mapping[str, Any], keys: tuple[str, ...]) -> tuple[str | None, Any]:
    """The first of `keys` present in `meta` and its value."""
    for key in keys:
        if key in meta:
            return key, meta[key]
    return None, None
