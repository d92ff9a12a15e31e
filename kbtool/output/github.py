"""GitHub Actions workflow commands: one annotation per finding, shown on the pull request.

    ::error file=articles/en/x.md,line=3,col=1,endLine=3,title=KB301 broken-link::message

GitHub's escaping rules: in the message `%`, CR and LF become `%25`, `%0D`,
`%0A`; in property values also `:` and `,` become `%3A` and `%2C`. Info
findings are `notice`s. The message's second line links to the rule's page.
"""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING

from kbtool.corpus.model import Severity

if TYPE_CHECKING:
    from kbtool.lint.diagnostic import Diagnostic
    from kbtool.output import Parts, Report

__all__ = ["escape_data", "escape_property", "parts"]

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(d: Diagnostic, url: str = "") -> str:
    props = [f"file={escape_property(d.path)}", f"line={d.line}", f"col={d.column}"]
    if d.end_line is not None:
        props.append(f"endLine={d.end_line}")
        if d.end_column is not None and d.end_line == d.line:
            props.append(f"endColumn={d.end_column}")
    props.append(f"title={escape_property(f'{d.code} {d.name}')}")
    message = f"{d.message}\nSee {url}" if url else d.message
    return f"::{_LEVEL[d.severity]} {','.join(props)}::{escape_data(message)}"


def parts(report: Report) -> Parts:
    from kbtool.output import Parts

    urls: dict[tuple[str, str], str] = {}
    files = []
    for path, group in groupby(report.diagnostics, key=lambda d: d.path):
        lines = []
        for d in group:
            url = urls.get((d.code, d.name))
            if url is None:
                url = urls[d.code, d.name] = report.rule_url(d.code, d.name)
            lines.append(annotation(d, url) + "\n")
        files.append((path, "".join(lines)))
    return Parts("", files)
