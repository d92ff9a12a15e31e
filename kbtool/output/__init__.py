"""Formatters: one lint report, many formats (text, json, github, sarif, junit, gitlab).

Each format is a module with a function `parts(Report) -> Parts`: the report
cut where each file's findings begin and end (a head, one part per file with
findings, in report order, and a tail). `FORMATTERS` maps the name `kbtool lint
--format` takes to `(Report) -> str`, the parts put together. Formatters get
plain data and return text; only the CLI prints. Adding a format is adding a
module with a `parts` function and a line here.

The cut lets the linter rebuild a report after a few files changed without
rendering the others again (`splice`): it keeps the last report and where
each file's part lies in it, renders the head, the tail and the changed
files' parts, and copies the rest. A head and a tail may only depend on the
report's totals (`Report.tally`), never on other files' findings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from kbtool import __version__
from kbtool.config import ConfigProblem
from kbtool.corpus.model import Severity
from kbtool.lint.diagnostic import Diagnostic
from kbtool.lint.docs import rule_url as _rule_url
from kbtool.lint.registry import Rule

__all__ = ["FORMATTERS", "Parts", "Report", "Tally", "formatter", "splice", "splitter"]


@dataclass(frozen=True)
class Tally:
    """The totals a report's summary shows, kept apart from the findings so that a
    report can be rebuilt from a few files' findings and the totals of all."""

    by_rule: Mapping[tuple[str, str, Severity], int]  # (code, name, severity) -> findings
    files: int = 0  # files with findings
    fixable: int = 0

    @classmethod
    def of(cls, diagnostics: Iterable[Diagnostic]) -> Tally:
        by_rule: Counter[tuple[str, str, Severity]] = Counter()
        files: set[str] = set()
        fixable = 0
        for d in diagnostics:
            by_rule[d.code, d.name, d.severity] += 1
            files.add(d.path)
            fixable += d.fix is not None
        return cls(dict(by_rule), len(files), fixable)

    def __add__(self, other: Tally) -> Tally:
        return self._combine(other, 1)

    def __sub__(self, other: Tally) -> Tally:
        return self._combine(other, -1)

    def _combine(self, other: Tally, sign: int) -> Tally:
        by_rule = Counter(self.by_rule)
        for key, n in other.by_rule.items():
            by_rule[key] += sign * n
        return Tally(
            {k: n for k, n in sorted(by_rule.items()) if n > 0},
            self.files + sign * other.files,
            self.fixable + sign * other.fixable,
        )

    @property
    def problems(self) -> int:
        return sum(self.by_rule.values())

    def by_severity(self) -> dict[Severity, int]:
        out: dict[Severity, int] = {}
        for (_, _, severity), n in self.by_rule.items():
            out[severity] = out.get(severity, 0) + n
        return out

    def by_code(self) -> dict[tuple[str, str], int]:
        """Findings by (code, name)."""
        out: dict[tuple[str, str], int] = {}
        for (code, name, _), n in self.by_rule.items():
            out[code, name] = out.get((code, name), 0) + n
        return out

    def worst(self) -> dict[str, Severity]:
        """The highest severity each code was found at."""
        out: dict[str, Severity] = {}
        for (code, _, severity), _n in self.by_rule.items():
            out[code] = max(out.get(code, severity), severity)
        return out


@dataclass(frozen=True)
class Report:
    """What a lint run found, as every formatter receives it."""

    diagnostics: tuple[Diagnostic, ...]
    rules: tuple[Rule, ...]  # the rules that ran
    files: int  # files linted
    fixed: int = 0  # fixes applied by --fix before this report
    problems: tuple[ConfigProblem, ...] = ()  # configuration warnings
    version: str = __version__
    notes: tuple[str, ...] = field(default=())
    docs_url: str = ""  # `[lint] docs_url`: template of rule documentation links ("" = kbtool's)
    # the totals, when `diagnostics` holds only some files' findings (see `splice`)
    totals: Tally | None = None

    @property
    def tally(self) -> Tally:
        """The report's totals: given, or counted from the findings."""
        if self.totals is not None:
            return self.totals
        found = self.__dict__.get("_tally")
        if found is None:
            found = Tally.of(self.diagnostics)
            object.__setattr__(self, "_tally", found)
        return found

    def rule(self, code: str) -> Rule | None:
        return next((r for r in self.rules if r.code == code), None)

    def rule_url(self, code: str, name: str = "") -> str:
        """The link to rule `code`'s documentation that every finding carries."""
        if not name:
            rule = self.rule(code)
            name = rule.name if rule is not None else ""
        return _rule_url(code, name, self.docs_url)


@dataclass(frozen=True)
class Parts:
    """A rendered report cut at file boundaries: `head`, each file's part joined by
    `joiner`, `tail` (see the module docstring)."""

    head: str
    files: Sequence[tuple[str, str]]  # (path, the file's part), in report order
    tail: str = ""
    joiner: str = ""

    def text(self) -> str:
        return self.head + self.joiner.join(text for _, text in self.files) + self.tail


Formatter = Callable[[Report], str]
Splitter = Callable[[Report], Parts]
Index = tuple[tuple[str, int, int], ...]  # (path, start, end) of each file's part, in bytes


def _splitter(module: str) -> Splitter:
    def parts(report: Report) -> Parts:
        import importlib

        found: Splitter = importlib.import_module(f"kbtool.output.{module}").parts
        return found(report)

    return parts


SPLITTERS: dict[str, Splitter] = {
    name: _splitter(name) for name in ("text", "json", "github", "sarif", "junit", "gitlab")
}


def _whole(split: Splitter) -> Formatter:
    return lambda report: split(report).text()


FORMATTERS: dict[str, Formatter] = {name: _whole(split) for name, split in SPLITTERS.items()}


def formatter(name: str) -> Formatter:
    try:
        return FORMATTERS[name]
    except KeyError:
        raise ValueError(f"unknown format {name!r} (use {', '.join(FORMATTERS)})") from None


def splitter(name: str) -> Splitter:
    formatter(name)  # the same error for an unknown name
    return SPLITTERS[name]


Chunks = list[bytes | memoryview]  # a report's bytes, to be written one after the other


def encode(parts: Parts) -> tuple[Chunks, Index]:
    """The report as UTF-8, and where each file's part lies in it."""
    return _assemble(parts, [(path, text.encode("utf-8")) for path, text in parts.files])


def splice(
    parts: Parts, previous: bytes | memoryview, index: Index, changed: set[str]
) -> tuple[Chunks, Index]:
    """The report of `parts` (head, tail and the parts of the `changed` files that
    have findings), with every other file's part copied from `previous` (a report
    of the same format, cut as `index` says)."""
    fresh = {path: text.encode("utf-8") for path, text in parts.files}
    view = memoryview(previous)
    kept = [(path, view[start:end]) for path, start, end in index if path not in changed]
    merged: list[tuple[str, bytes | memoryview]] = sorted(
        [*kept, *fresh.items()], key=lambda item: item[0]
    )
    return _assemble(parts, merged)


def _assemble(
    parts: Parts, files: Sequence[tuple[str, bytes | memoryview]]
) -> tuple[Chunks, Index]:
    head = parts.head.encode("utf-8")
    joiner = parts.joiner.encode("utf-8")
    chunks: Chunks = [head]
    index: list[tuple[str, int, int]] = []
    at = len(head)
    for i, (path, data) in enumerate(files):
        if i:
            chunks.append(joiner)
            at += len(joiner)
        index.append((path, at, at + len(data)))
        chunks.append(data)
        at += len(data)
    chunks.append(parts.tail.encode("utf-8"))
    return chunks, tuple(index)
