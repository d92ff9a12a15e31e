"""Split a file into front matter and body, keeping the line of everything.

Parsing never raises for bad content: every problem becomes a `LoadProblem`
with the file's own line and column, and whatever can still be used is kept.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kbtool.corpus.model import LoadProblem, Severity

__all__ = ["ParsedFile", "body_hash", "parse_bytes"]

_BOM = b"\xef\xbb\xbf"
_OPEN = re.compile(r"---[ \t]*\r?\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
_BINARY_SNIFF = 8192
# A line that starts a `key: value` pair, to tell a misplaced front-matter block
# from a thematic break (`---`) in the body.
_KEY_LINE = re.compile(r"[^\s#:\-\[{][^:\r\n]*:(?:[ \t]|\r?$)", re.MULTILINE)
# libyaml composes nodes recursively in C: a few hundred thousand nested `[` or
# `- ` crash the process, so deeper front matter is refused before composing.
_MAX_DEPTH = 100
# Aliases make a small text stand for a huge value (`a: &a [x, x]`, `b: &b [*a, *a]`
# ...) that would explode wherever the metadata is written out.
_MAX_NODES = 10_000
# Every level of nesting needs one of these (a flow bracket, a `:` or `?`, a `- `):
# front matter with few of them and no alias (`*`) needs no shape check.
_OPENERS = re.compile(r"[\[{:?]|-(?=\s|\Z)")

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


def parse_bytes(path: Path, raw: bytes, *, max_size: int, size: int | None = None) -> ParsedFile:
    """Parse one article file's bytes. Never raises for bad content.

    `size` is the file's size on disk when `raw` holds only its first bytes
    (a caller that reads at most `max_size + 1` bytes of a huge file).
    """
    size = max(size or 0, len(raw))
    parsed = ParsedFile(path=path, size=size)
    parsed.content_hash = hashlib.sha256(raw).hexdigest()
    if size > max_size:
        parsed.problem(
            1,
            f"file is {size:,} bytes, over the {max_size:,}-byte limit (kb.max_file_size)",
            code="too-large",
        )
        parsed.readable = False
        return parsed
    if not raw.removeprefix(_BOM).strip():
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
        raw = raw[len(_BOM) :]
        parsed.problem(
            1,
            "file starts with a UTF-8 byte-order mark (BOM)",
            code="bom",
            severity=Severity.WARNING,
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        parsed.problem(
            line, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})", column=column, code="encoding"
        )
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
        parsed.problem(
            text.count("\n", 0, first) + 1,
            f"mixed line endings ({crlf} CRLF, {lf} LF)",
            code="line-endings",
            severity=Severity.WARNING,
        )
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
        _check_late_block(
            parsed, text, 0, "front matter must start on line 1; this block is read as body text"
        )
        return
    parsed.has_front_matter = True
    closing = _CLOSE.search(text, opening.end())
    if closing is None:
        parsed.problem(
            1,
            "front matter is not closed: no line with '---' after the opening one",
            code="front-matter",
        )
        parsed.body = text
        parsed.body_line = 1
        return
    yaml_text = text[opening.end() : closing.start()]
    parsed.front_matter_end = closing.start()
    after = closing.end()
    if text.startswith("\r\n", after):
        after += 2
    elif text.startswith("\n", after):
        after += 1
    parsed.body = text[after:]
    parsed.body_line = text.count("\n", 0, after) + 1
    _parse_yaml(parsed, yaml_text, offset=opening.end())
    _check_late_block(
        parsed,
        text,
        after,
        "a second front-matter block; only the first is read, this one is body text",
    )


class _Positions:
    """Line and column (1-based) of a character offset in the file's text.

    Lines are counted by LF, as git, grep and CI annotations count them; YAML's
    own marks also break lines at a lone CR, NEL and U+2028, so only their
    character offsets are used.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line(self, index: int) -> int:
        return bisect.bisect_right(self.starts, max(0, min(index, len(self.text))))

    def line_col(self, index: int) -> tuple[int, int]:
        index = max(0, min(index, len(self.text)))
        line = self.line(index)
        return line, index - self.starts[line - 1] + 1

    def line_text(self, line: int) -> str:
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        return self.text[self.starts[line - 1] : end].rstrip("\r\n")


def _keep_invalid_timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    """`2026-02-30` matches YAML's date pattern but is no date: keep the text.

    PyYAML raises a bare ValueError for it, which would stop the run; as text
    the field mapping reports it as "not a date" on the key's line.
    """
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_PLAIN_TAGS: dict[str, str] = {}  # plain scalar text -> its resolved tag
_MAX_CACHED_SCALAR = 64
_MAX_CACHED_TAGS = 100_000


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    """A safe loader that reports duplicate keys instead of silently keeping the last."""

    duplicates: list[tuple[str, int, int]]  # key, offset of the repeat, offset of the first

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        """The tag of a node; a plain scalar's is looked up once per process.

        Resolving is the pure-Python part of composing (a regular expression per
        plain scalar: some 200,000 calls for 10,000 articles). A plain scalar's
        tag depends only on its text (the safe loader has no path resolvers), so
        short ones (keys, dates, enum values) are resolved once and remembered.
        """
        if kind is not yaml.ScalarNode or not implicit[0] or len(value) > _MAX_CACHED_SCALAR:
            return super().resolve(kind, value, implicit)
        tag = _PLAIN_TAGS.get(value)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if len(_PLAIN_TAGS) < _MAX_CACHED_TAGS:
                _PLAIN_TAGS[value] = tag
        return tag

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = key_node.value
                if key in seen:
                    self.duplicates.append((str(key), key_node.start_mark.index, seen[key]))
                else:
                    seen[key] = key_node.start_mark.index
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _keep_invalid_timestamp)


_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"


def _construct(loader: _Loader, node: yaml.Node) -> Any:
    """Build the front matter from libyaml's nodes, reporting duplicate top-level keys.

    Most values are plain strings, whose node already holds the final value; only
    the others go through PyYAML's (slow, pure-Python) constructor. Front matter
    with merge keys (`<<:`) takes the constructor's path whole.
    """
    if not isinstance(node, yaml.MappingNode) or any(k.tag == _MERGE_TAG for k, _ in node.value):
        return loader.construct_document(node)
    data: dict[Any, Any] = {}
    seen: dict[Any, int] = {}
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag == _STR_TAG:
            key: Any = key_node.value
        else:
            key = loader.construct_object(key_node, deep=True)
        try:
            first = seen.setdefault(key, key_node.start_mark.index)
        except TypeError:  # an unhashable key (a list): PyYAML refuses it too
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                "found unhashable key",
                key_node.start_mark,
            ) from None
        if first != key_node.start_mark.index:
            loader.duplicates.append((str(key), key_node.start_mark.index, first))
        if isinstance(value_node, yaml.ScalarNode) and value_node.tag == _STR_TAG:
            data[key] = value_node.value
        else:
            data[key] = loader.construct_object(value_node, deep=True)
    return data


class _TooComplex(Exception):
    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.message = message


def _check_shape(yaml_text: str) -> None:
    """Raise _TooComplex for front matter nested too deep or expanding too far through aliases.

    Walks the event stream, which libyaml produces without recursion; a YAML
    error on the way is raised just as composing would raise it.
    """
    sizes: dict[str, int] = {}  # anchor -> number of nodes its value expands to
    stack: list[list[Any]] = []  # [nodes so far, anchor] per open collection
    total = 0
    for event in yaml.parse(yaml_text, Loader=_BaseLoader):
        index = event.start_mark.index if event.start_mark is not None else 0
        if isinstance(event, yaml.CollectionStartEvent):
            stack.append([1, event.anchor])
            if len(stack) > _MAX_DEPTH:
                raise _TooComplex(
                    index, f"front matter is nested more than {_MAX_DEPTH} levels deep"
                )
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            size, anchor = stack.pop()
        elif isinstance(event, yaml.ScalarEvent):
            size, anchor = 1, event.anchor
        elif isinstance(event, yaml.AliasEvent):
            size, anchor = sizes.get(event.anchor or "", 1), None
        else:
            continue
        if anchor:
            sizes[anchor] = size
        if stack:
            stack[-1][0] += size
        else:
            total += size
        if total + sum(frame[0] for frame in stack) > _MAX_NODES:
            raise _TooComplex(
                index, f"front matter expands to more than {_MAX_NODES:,} values (YAML aliases)"
            )


def _parse_yaml(parsed: ParsedFile, yaml_text: str, *, offset: int) -> None:
    if not yaml_text.strip():
        return
    # only the front matter needs positions; a line table of the whole body is wasted work
    where = _Positions(parsed.text[: offset + len(yaml_text) + 1])
    first_line = where.line(offset)
    loader: _Loader | None = None
    try:
        if "*" in yaml_text or len(_OPENERS.findall(yaml_text)) > _MAX_DEPTH:
            _check_shape(yaml_text)
        loader = _Loader(yaml_text)
        loader.duplicates = []
        node = loader.get_single_node()
        data = _construct(loader, node) if node is not None else None
    except _TooComplex as exc:
        line, column = where.line_col(offset + exc.index)
        parsed.problem(line, exc.message, column=column, code="yaml")
        return
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        index = offset + (mark.index if mark is not None else 0)
        line, column = where.line_col(index)
        parsed.problem(line, _yaml_reason(exc, where, index), column=column, code="yaml")
        return
    except yaml.reader.ReaderError as exc:
        line, column = where.line_col(offset + exc.position)
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1])
        parsed.problem(
            line,
            f"invalid YAML front matter: character U+{char:04X} is not allowed in YAML",
            column=column,
            code="yaml",
        )
        return
    except yaml.YAMLError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid YAML"
        parsed.problem(first_line, f"invalid YAML front matter: {reason}", code="yaml")
        return
    finally:
        if loader is not None:
            loader.dispose()
    if data is None:
        return
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        parsed.problem(
            first_line,
            f"front matter must be 'key: value' pairs, not {_kind(data)}",
            code="front-matter",
        )
        return
    for name, index, first in loader.duplicates:
        line, column = where.line_col(offset + index)
        parsed.problem(
            line,
            f"duplicate key '{name}' (first on line "
            f"{where.line(offset + first)}); the last value is used",
            column=column,
            code="duplicate-key",
        )
    meta: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if not isinstance(key, str):
            continue
        parsed.key_lines.setdefault(key, where.line(offset + key_node.start_mark.index))
        parsed.value_spans[key] = (
            offset + value_node.start_mark.index,
            offset + value_node.end_mark.index,
        )
    for key, value in data.items():
        meta[str(key)] = value
    parsed.meta = meta


_TAB_REASON = "tab character in YAML front matter (indent with spaces)"


def _yaml_reason(exc: yaml.MarkedYAMLError, where: _Positions, index: int) -> str:
    """A one-line reason; a tab gets its own, since the parser's words do not say "tab"."""
    problem = (exc.problem or exc.context or "invalid YAML").strip()
    problem = problem.splitlines()[0] if problem else "invalid YAML"
    # The pure-Python parser names the tab ('\t'); libyaml says "found a tab
    # character that violates indentation" or just "found character that cannot
    # start any token" at a tab that indents a line.
    if "'\\t'" in problem or "tab character" in problem:
        return _TAB_REASON
    line_text = where.line_text(where.line(index))
    indent = line_text[: len(line_text) - len(line_text.lstrip(" \t"))]
    at_mark = where.text[index : index + 1]
    if "\t" in indent or at_mark == "\t":
        return _TAB_REASON
    return f"invalid YAML front matter: {problem}"


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a plain string"
    return f"a {type(value).__name__}"


def _check_late_block(parsed: ParsedFile, text: str, start: int, message: str) -> None:
    """Warn about a front-matter block that is not where a parser reads one.

    Only blank lines may come between `start` and the block, and the block must
    open with `---`, hold a `key: value` line and close with `---`: a thematic
    break (`---`) in the body is not a block.
    """
    stripped = text[start:].lstrip("\r\n")
    begin = len(text) - len(stripped)
    opening = _OPEN.match(stripped)
    if not opening:
        return
    closing = _CLOSE.search(stripped, opening.end())
    if closing is None or not _KEY_LINE.match(stripped, opening.end(), closing.start()):
        return
    parsed.problem(
        text.count("\n", 0, begin) + 1, message, code="front-matter", severity=Severity.WARNING
    )


def meta_value(meta: Mapping[str, Any], keys: tuple[str, ...]) -> tuple[str | None, Any]:
    """The first of `keys` present in `meta` and its value."""
    for key in keys:
        if key in meta:
            return key, meta[key]
    return None, None
