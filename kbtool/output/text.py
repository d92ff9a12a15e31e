"""Text for people: findings grouped by file, then a summary by severity and rule.

`render` gives plain lines, `path:line:col: CODE message (name)`, that editors
and terminals turn into links, with a blank line between files: what a pipe,
a file or CI gets. `render_rich` gives the same grouped under a header per
file, with severities in colour, for a terminal. The summary names every rule
that found something with the link to its documentation page; on a terminal
each finding's code is itself that link.
"""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING

from kbtool.corpus.model import Severity

if TYPE_CHECKING:
    from rich.console import RenderableType

    from kbtool.lint.diagnostic import Diagnostic
    from kbtool.output import Parts, Report

__all__ = ["one_line", "parts", "render_rich", "summary_lines"]

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def one_line(d: Diagnostic) -> str:
    """`path:line:col: CODE message (name)`, on one line whatever the message holds."""
    message = " ".join(d.message.split())
    return f"{d.path}:{d.line}:{d.column}: {d.code} {message} ({d.name})"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _by_severity(counts: dict[Severity, int]) -> str:
    parts = [
        _plural(counts[s], str(s)) if s is not Severity.INFO else f"{counts[s]} info"
        for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)
        if counts.get(s)
    ]
    return ", ".join(parts)


def summary_lines(report: Report) -> list[str]:
    """The closing summary: totals by severity, then one line per rule with findings."""
    tally = report.tally
    lines = []
    if report.fixed:
        lines.append(f"Fixed {_plural(report.fixed, 'problem')}.")
    if not tally.problems:
        lines.append(f"No problems found in {_plural(report.files, 'file')}.")
        return lines
    text = (
        f"Found {_plural(tally.problems, 'problem')} ({_by_severity(tally.by_severity())}) "
        f"in {tally.files} of {_plural(report.files, 'file')}"
    )
    text += f"; {tally.fixable} fixable with --fix." if tally.fixable else "."
    lines.append(text)
    by_rule = tally.by_code()
    worst = tally.worst()
    width = max(len(f"{code} {name}") for code, name in by_rule)
    count_width = max(len(str(n)) for n in by_rule.values())
    for (code, name), count in sorted(by_rule.items(), key=lambda item: (-item[1], item[0])):
        label = f"{code} {name}".ljust(width)
        level = str(worst[code]).ljust(7)
        url = report.rule_url(code, name)
        lines.append(f"  {label}  {str(count).rjust(count_width)}  {level}  {url}")
    return lines


def parts(report: Report) -> Parts:
    """Plain text: one line per finding, a blank line after each file, then the summary."""
    from kbtool.output import Parts

    files = [
        (path, "".join(one_line(d) + "\n" for d in group) + "\n")
        for path, group in groupby(report.diagnostics, key=lambda d: d.path)
    ]
    return Parts("", files, "\n".join(summary_lines(report)) + "\n")


def render_rich(report: Report) -> list[RenderableType]:
    """For a terminal: a header per file, coloured severities, the summary."""
    from rich.style import Style
    from rich.text import Text

    out: list[RenderableType] = []
    for path, group in groupby(report.diagnostics, key=lambda d: d.path):
        out.append(Text(path, style="bold underline"))
        for d in group:
            line = Text("  ")
            line.append(f"{d.line}:{d.column}".ljust(8), style="dim")
            line.append(f"{d.severity!s:<8}", style=_STYLE[d.severity])
            # the code links to the rule's page (OSC 8: terminals that support it make it clickable)
            url = report.rule_url(d.code, d.name)
            line.append(d.code, style=Style.parse(_STYLE[d.severity]) + Style(link=url))
            line.append(" ")
            line.append(" ".join(d.message.split()))
            line.append(f"  {d.name}", style="dim")
            if d.fix is not None:
                line.append(" [fixable]", style="green")
            out.append(line)
        out.append(Text(""))
    for index, text in enumerate(summary_lines(report)):
        is_head = index == 0 or text.startswith("Fixed")
        out.append(Text(text, style="bold" if is_head else ""))
    return out
