"""Inline suppression comments, and the diagnostics they silence.

    <!-- kbtool-disable KB401 -->        from here on (until a matching enable)
    <!-- kbtool-enable KB401 -->
    <!-- kbtool-disable-next-line KB301 -->
    <!-- kbtool-disable-line KB301 -->   on the comment's own line
    <!-- kbtool-disable-file KB401 -->   the whole file, wherever the comment is

Codes are separated by spaces or commas and may be codes (`KB401`), family
prefixes (`KB4`) or rule names (`passive-voice`); no code means every rule.
Comments inside fenced code blocks are examples, not directives. A directive
that silences nothing is reported by the engine as KB001 `unused-suppression`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from kbtool.lint.diagnostic import Diagnostic

__all__ = ["ALL", "Directive", "Suppressions", "parse_suppressions", "unused"]

ALL = "*"  # the code set of a directive without codes
_DIRECTIVE = re.compile(
    r"<!--\s*kbtool-(disable-next-line|disable-line|disable-file|disable|enable)\b"
    r"([^>]*?)\s*-->"
)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")

Resolver = Callable[[Sequence[str]], tuple[set[str], list[str]]]


@dataclass
class Directive:
    """One suppression comment: what it names, where it applies, what it silenced."""

    kind: str  # disable | enable | disable-next-line | disable-line | disable-file
    line: int
    column: int
    end_column: int
    selectors: tuple[str, ...]  # as written; empty: every rule
    codes: frozenset[str]  # resolved codes, or {ALL}
    unknown: tuple[str, ...] = ()  # selectors that name no rule
    first: int = 0  # first line it covers
    last: int = 0  # last line it covers (inclusive)
    used: set[str] = field(default_factory=set)  # codes it silenced

    def covers(self, code: str, line: int) -> bool:
        if self.kind == "enable":
            return False
        return (ALL in self.codes or code in self.codes) and self.first <= line <= self.last


@dataclass
class Suppressions:
    """The suppression directives of one file."""

    directives: list[Directive]

    def __bool__(self) -> bool:
        return bool(self.directives)

    def suppresses(self, diagnostic: Diagnostic, *, track: bool = True) -> bool:
        """Is `diagnostic` silenced? Marks every directive that silences it as used."""
        hit = False
        for directive in self.directives:
            if directive.covers(diagnostic.code, diagnostic.line):
                hit = True
                if track:
                    directive.used.add(diagnostic.code)
        return hit


def parse_suppressions(text: str, resolve: Resolver, *, first_line: int = 1) -> Suppressions:
    """The directives in Markdown `text` whose first line is file line `first_line`.

    `resolve` turns selectors into codes (the registry's `resolve`).
    """
    if "kbtool-" not in text:
        return Suppressions([])
    lines = text.split("\n")
    last_line = first_line + len(lines) - 1
    directives: list[Directive] = []
    fence: str | None = None
    for offset, line in enumerate(lines):
        number = first_line + offset
        opening = _FENCE.match(line)
        if fence is not None:
            if (
                opening
                and opening.group(1)[0] == fence[0]
                and len(opening.group(1)) >= len(fence)
                and not line.strip()[len(opening.group(1)) :].strip()
            ):
                fence = None
            continue
        if opening:
            fence = opening.group(1)
            continue
        if "kbtool-" not in line:
            continue
        for match in _DIRECTIVE.finditer(line):
            selectors = tuple(s for s in re.split(r"[\s,]+", match.group(2)) if s)
            if selectors:
                codes, unknown = resolve(selectors)
                code_set = frozenset(codes)
            else:
                code_set, unknown = frozenset({ALL}), []
            directives.append(
                Directive(
                    kind=match.group(1),
                    line=number,
                    column=match.start() + 1,
                    end_column=match.end() + 1,
                    selectors=selectors,
                    codes=code_set,
                    unknown=tuple(unknown),
                )
            )
    _assign_ranges(directives, last_line)
    return Suppressions(directives)


def _assign_ranges(directives: list[Directive], last_line: int) -> None:
    """Set the lines each directive covers; `disable` runs to its `enable` or the end.

    An `enable` closes every open `disable` that names one of its codes (all of
    them when it names none); a `disable` of every rule is closed only by an
    `enable` of every rule.
    """
    open_: list[Directive] = []
    for directive in directives:
        kind = directive.kind
        if kind == "disable-file":
            directive.first, directive.last = 1, last_line
        elif kind == "disable-line":
            directive.first = directive.last = directive.line
        elif kind == "disable-next-line":
            directive.first = directive.last = directive.line + 1
        elif kind == "disable":
            directive.first, directive.last = directive.line, last_line
            open_.append(directive)
        else:
            for disabled in list(open_):
                if ALL in directive.codes or (
                    ALL not in disabled.codes and disabled.codes & directive.codes
                ):
                    disabled.last = directive.line
                    open_.remove(disabled)


def unused(directives: Iterable[Directive], ran: set[str]) -> Iterable[tuple[Directive, str]]:
    """(directive, reason) for each directive, or part of one, that silenced nothing.

    Only codes that ran can be judged: a suppression of a rule that was not
    selected this time may well be needed.
    """
    for directive in directives:
        if directive.kind == "enable":
            continue
        for selector in directive.unknown:
            yield directive, f"'{selector}' in kbtool-{directive.kind} names no rule"
        if ALL in directive.codes:
            if not directive.used:
                yield directive, f"kbtool-{directive.kind} suppresses nothing"
            continue
        idle = sorted(c for c in directive.codes if c in ran and c not in directive.used)
        if not idle:
            continue
        if len(idle) == len(directive.codes) and not directive.unknown:
            yield (
                directive,
                f"kbtool-{directive.kind} {' '.join(directive.selectors)} suppresses nothing",
            )
        else:
            yield directive, f"kbtool-{directive.kind}: {', '.join(idle)} suppressed nothing"
