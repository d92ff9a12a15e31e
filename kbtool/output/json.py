"""JSON for scripts: schema `kbtool.lint/1`, documented in docs/json-schemas.md.

The schema name changes (`kbtool.lint/2`) only when a field is removed or
changes meaning; new fields may be added within version 1.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import groupby
from typing import TYPE_CHECKING, Any

from kbtool.corpus.model import Severity
from kbtool.jsonio import dumps, dumps_lines

if TYPE_CHECKING:
    from kbtool.lint.diagnostic import Diagnostic
    from kbtool.output import Parts, Report

__all__ = ["SCHEMA", "parts", "parts_with_items", "payload"]

SCHEMA = "kbtool.lint/1"


_SEVERITY_NAMES = {s: str(s) for s in Severity}


def _diagnostic(d: Diagnostic, url: str) -> dict[str, Any]:
    fix = None
    if d.fix is not None:
        fix = {
            "description": d.fix.description,
            "edits": [
                {
                    "line": e.line,
                    "column": e.column,
                    "end_line": e.end_line,
                    "end_column": e.end_column,
                    "new_text": e.new_text,
                }
                for e in d.fix.edits
            ],
        }
    return {
        "path": d.path,
        "line": d.line,
        "column": d.column,
        "end_line": d.end_line,
        "end_column": d.end_column,
        "code": d.code,
        "name": d.name,
        "severity": _SEVERITY_NAMES[d.severity],
        "message": d.message,
        "url": url,
        "fix": fix,
    }


def payload(report: Report) -> dict[str, Any]:
    """The report as plain data (the findings under `diagnostics`)."""
    data = _frame(report)
    data["diagnostics"] = [item for _, items in _items(report) for item in items]
    return data


def _frame(report: Report) -> dict[str, Any]:
    """Everything but the findings: made from the report's totals only."""
    tally = report.tally
    severities = tally.by_severity()
    by_rule: dict[str, int] = {}
    for (code, _), n in tally.by_code().items():
        by_rule[code] = by_rule.get(code, 0) + n
    return {
        "schema": SCHEMA,
        "tool": {"name": "kbtool", "version": report.version},
        "summary": {
            "files": report.files,
            "files_with_problems": tally.files,
            "problems": tally.problems,
            "fixable": tally.fixable,
            "fixed": report.fixed,
            "by_severity": {
                str(s): severities.get(s, 0)
                for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)
            },
            "by_rule": {code: by_rule[code] for code in sorted(by_rule)},
        },
        "rules": [
            {
                "code": r.code,
                "name": r.name,
                "severity": str(r.severity),
                "scope": r.scope,
                "fixable": r.fixable,
                "summary": r.summary,
                "url": report.rule_url(r.code, r.name),
            }
            for r in report.rules
        ],
        "diagnostics": [],
        "config_problems": [
            {
                "path": str(p.path) if p.path else None,
                "line": p.line,
                "severity": p.severity,
                "message": p.message,
            }
            for p in report.problems
        ],
    }


def _items(report: Report) -> Iterator[tuple[str, Iterator[dict[str, Any]]]]:
    """Each file's findings as JSON items, made as they are written (not all kept at
    once): each file's items must be used up before the next file is asked for."""
    urls: dict[tuple[str, str], str] = {}
    for d in report.diagnostics:  # one lookup per rule, not per finding
        if (d.code, d.name) not in urls:
            urls[d.code, d.name] = report.rule_url(d.code, d.name)
    return (
        (path, (_diagnostic(d, urls[d.code, d.name]) for d in group))
        for path, group in groupby(report.diagnostics, key=lambda d: d.path)
    )


_MARK = "\x00kbtool-items\x00"


def parts_with_items(
    data: dict[str, Any],
    path: tuple[str | int, ...],
    files: Iterable[tuple[str, Iterable[Any]]],
    *,
    empty: bool,
) -> Parts:
    """`data` as indented JSON with the list at `path` made of each file's `items`,
    one item per line; `empty`: the report has no findings at all.

    Indenting every field of 100,000 findings makes a report too long to read;
    one compact line per item still reads (and diffs) well.
    """
    from kbtool.output import Parts

    holder: Any = data
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = _MARK
    text = dumps(data)
    marker = json.dumps(_MARK)
    at = text.index(marker)
    if empty:
        return Parts(text[:at] + "[]" + text[at + len(marker) :] + "\n", [])
    line = text[text.rfind("\n", 0, at) + 1 : at]  # the indent and the key before the list
    leading = " " * (len(line) - len(line.lstrip()))
    joiner = ",\n" + leading + "  "
    return Parts(
        text[:at] + "[\n" + leading + "  ",
        [(name, dumps_lines(items, joiner)) for name, items in files],
        "\n" + leading + "]" + text[at + len(marker) :] + "\n",
        joiner,
    )


def parts(report: Report) -> Parts:
    return parts_with_items(
        _frame(report), ("diagnostics",), _items(report), empty=not report.tally.problems
    )
