"""SARIF 2.1.0 for code-scanning services (GitHub code scanning and others).

One run; `tool.driver.rules` holds every rule that ran with its documentation
(short and full description, help as text and Markdown, a link to its page);
each result names its rule by id and index and points at the file relative to
`%SRCROOT%`, the knowledge-base root. Columns count Unicode code points.
"""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING, Any

from kbtool import PROJECT_URL
from kbtool.corpus.model import Severity

if TYPE_CHECKING:
    from kbtool.lint.diagnostic import Diagnostic
    from kbtool.lint.registry import Rule
    from kbtool.output import Parts, Report

__all__ = ["SARIF_SCHEMA", "parts", "payload"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = PROJECT_URL
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _rule(rule: Rule, docs_url: str) -> dict[str, Any]:
    from kbtool.lint.docs import help_uri, render_rule

    sections = rule.doc_sections()
    full = (
        "\n\n".join(v[:1].upper() + v[1:] for k, v in sections.items() if k in ("summary", "why"))
        or rule.summary
    )
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary or rule.name},
        "fullDescription": {"text": full},
        "help": {"text": rule.doc or rule.summary, "markdown": render_rule(rule)},
        "helpUri": help_uri(rule, docs_url),
        "defaultConfiguration": {"level": _LEVEL[rule.severity], "enabled": rule.enabled},
        "properties": {"tags": [rule.family + "xx"], "fixable": rule.fixable},
    }


def _region(d: Diagnostic) -> dict[str, int]:
    region = {"startLine": d.line, "startColumn": d.column}
    if d.end_line is not None and d.end_line >= d.line:
        region["endLine"] = d.end_line
        if d.end_column is not None and (d.end_line > d.line or d.end_column >= d.column):
            region["endColumn"] = d.end_column
    return region


def _result(d: Diagnostic, index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": d.code,
        "level": _LEVEL[d.severity],
        "message": {"text": d.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": d.path, "uriBaseId": "%SRCROOT%"},
                    "region": _region(d),
                },
            }
        ],
    }
    if d.code in index:
        result["ruleIndex"] = index[d.code]
    if d.fix is not None:
        result["fixes"] = [
            {
                "description": {"text": d.fix.description},
                "artifactChanges": [
                    {
                        "artifactLocation": {"uri": d.path, "uriBaseId": "%SRCROOT%"},
                        "replacements": [
                            {
                                "deletedRegion": {
                                    "startLine": e.line,
                                    "startColumn": e.column,
                                    "endLine": e.end_line,
                                    "endColumn": e.end_column,
                                },
                                "insertedContent": {"text": e.new_text},
                            }
                            for e in d.fix.edits
                        ],
                    }
                ],
            }
        ]
    return result


def payload(report: Report) -> dict[str, Any]:
    data, index = _frame(report)
    data["runs"][0]["results"] = [_result(d, index) for d in report.diagnostics]
    return data


def _frame(report: Report) -> tuple[dict[str, Any], dict[str, int]]:
    """The log without results, made from the report's totals; each rule's index."""
    rules = list(report.rules)
    known = {r.code for r in rules}
    # a finding of a rule that is not in the run's list (should not happen) still gets one
    for code, _ in sorted(report.tally.by_code()):
        if code not in known:
            from kbtool.lint.registry import RULES

            if code in RULES:
                rules.append(RULES[code])
                known.add(code)
    index = {r.code: i for i, r in enumerate(rules)}
    data = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "kbtool",
                        "version": report.version,
                        "semanticVersion": report.version,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(r, report.docs_url) for r in rules],
                    },
                },
                "originalUriBaseIds": {
                    "%SRCROOT%": {"description": {"text": "The knowledge-base root."}},
                },
                "columnKind": "unicodeCodePoints",
                "results": [],
            }
        ],
    }
    return data, index


def parts(report: Report) -> Parts:
    from kbtool.output.json import parts_with_items

    data, index = _frame(report)
    files = (
        (path, (_result(d, index) for d in group))
        for path, group in groupby(report.diagnostics, key=lambda d: d.path)
    )
    return parts_with_items(data, ("runs", 0, "results"), files, empty=not report.tally.problems)
