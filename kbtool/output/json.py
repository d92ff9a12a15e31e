"""JSON for scripts: schema `kbtool.lint/1`, documented in docs/json-schemas.md.

The schema name changes (`kbtool.lint/2`) only when a field is removed or
changes meaning; new fields may be added within version 1.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from kbtool.corpus.model import Severity
from kbtool.jsonio import dumps, dumps_lines

if TYPE_CHECKING:
    from kbtool.lint.diagnostic import Diagnostic
    from kbtool.output import Report

__all__ = ["SCHEMA", "dumps_with_items", "payload", "render"]

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


def payload(report: Report, *, items: bool = True) -> dict[str, Any]:
    """The report as plain data; with `items=False`, `diagnostics` is an iterator of the
    items (made as they are written, not all kept at once)."""
    diagnostics = report.diagnostics
    severities = {str(k): n for k, n in Counter(d.severity for d in diagnostics).items()}
    by_rule = Counter(d.code for d in diagnostics)
    used = sorted(by_rule)
    urls = {(d.code, d.name): "" for d in diagnostics}  # one lookup per rule, not per finding
    for code, name in urls:
        urls[code, name] = report.rule_url(code, name)
    return {
        "schema": SCHEMA,
        "tool": {"name": "kbtool", "version": report.version},
        "summary": {
            "files": report.files,
            "files_with_problems": len({d.path for d in diagnostics}),
            "problems": len(diagnostics),
            "fixable": sum(1 for d in diagnostics if d.fix is not None),
            "fixed": report.fixed,
            "by_severity": {
                str(s): severities.get(str(s), 0)
                for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)
            },
            "by_rule": {code: by_rule[code] for code in used},
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
        "diagnostics": (_diagnostic(d, urls[d.code, d.name]) for d in diagnostics)
        if not items
        else [_diagnostic(d, urls[d.code, d.name]) for d in diagnostics],
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


_MARK = "\x00kbtool-items\x00"


def dumps_with_items(
    data: dict[str, Any], path: tuple[str | int, ...], items: Iterable[Any]
) -> str:
    """`data` as indented JSON with the list at `path` set to `items`, one item per line.

    Indenting every field of 100,000 findings makes a report too long to read;
    one compact line per item still reads (and diffs) well.
    """
    holder: Any = data
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = _MARK
    text = dumps(data)
    marker = json.dumps(_MARK)
    at = text.index(marker)
    line = text[text.rfind("\n", 0, at) + 1 : at]  # the indent and the key before the list
    leading = " " * (len(line) - len(line.lstrip()))
    indent = leading + "  "
    lines = dumps_lines(items, ",\n" + indent)
    if not lines:
        return text[:at] + "[]" + text[at + len(marker) :]
    return "".join((text[:at], "[\n", indent, lines, "\n", leading, "]", text[at + len(marker) :]))


def render(report: Report) -> str:
    data = payload(report, items=False)
    items = data["diagnostics"]
    return dumps_with_items(data, ("diagnostics",), items) + "\n"
