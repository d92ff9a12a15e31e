"""GitLab Code Quality: the Code Climate JSON that GitLab shows on merge requests.

A JSON array with one issue per finding:

    {"type": "issue", "check_name": "KB301", "description": "KB301 link to ... (broken-link)",
     "severity": "major", "fingerprint": "…", "location": {"path": "articles/en/x.md",
     "lines": {"begin": 12, "end": 12}}, "categories": ["Style"], "content": {"body": "…"}}

GitLab needs `description`, `check_name`, `fingerprint`, `severity` and
`location` (`path`, `lines.begin`). Paths are relative to the knowledge-base
root, which must be the repository root (or the job's working folder) for
GitLab to place them. The fingerprint identifies a finding across pipelines:
it hashes the file, the rule, the message and which occurrence of that
message in the file it is, not the line, so editing text above a finding
does not make it look new. Severities: error is `major`, warning `minor`,
info `info`.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from itertools import groupby
from typing import TYPE_CHECKING, Any

from kbtool.corpus.model import Severity
from kbtool.jsonio import dumps_compact

if TYPE_CHECKING:
    from kbtool.lint.diagnostic import Diagnostic
    from kbtool.output import Parts, Report

__all__ = ["fingerprint", "issue", "parts"]

_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}
_CATEGORY = {"1": "Style", "2": "Style", "3": "Bug Risk", "4": "Clarity", "5": "Style"}


def fingerprint(d: Diagnostic, occurrence: int) -> str:
    """Stable identity of a finding: file, rule, message and its occurrence number."""
    key = "\x1f".join((d.path, d.code, " ".join(d.message.split()), str(occurrence)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def issue(d: Diagnostic, url: str, occurrence: int = 0) -> dict[str, Any]:
    message = " ".join(d.message.split())
    end = d.end_line if d.end_line is not None and d.end_line >= d.line else d.line
    family = d.code[2:3]
    return {
        "type": "issue",
        "check_name": d.code,
        "description": f"{d.code} {message} ({d.name})" if d.name else f"{d.code} {message}",
        "content": {"body": f"{message}\n\nRule [{d.code} {d.name}]({url})."},
        "categories": [_CATEGORY.get(family, "Style")],
        "severity": _SEVERITY[d.severity],
        "fingerprint": fingerprint(d, occurrence),
        "location": {"path": d.path, "lines": {"begin": d.line, "end": end}},
    }


def parts(report: Report) -> Parts:
    """The report as a Code Climate array, one issue per line."""
    from kbtool.output import Parts

    if not report.tally.problems:
        return Parts("[]\n", [])
    files = []
    for path, group in groupby(report.diagnostics, key=lambda d: d.path):
        seen: Counter[tuple[str, str]] = Counter()  # occurrences count within the file
        lines = []
        for d in group:
            key = (d.code, " ".join(d.message.split()))
            occurrence = seen[key]
            seen[key] += 1
            data = issue(d, report.rule_url(d.code, d.name), occurrence)
            lines.append("  " + dumps_compact(data))
        files.append((path, ",\n".join(lines)))
    return Parts("[\n", files, "\n]\n", ",\n")
