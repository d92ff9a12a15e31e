"""Formatters: one lint report, many formats (text, json, github, sarif, junit, gitlab).

Each formatter is a function `(Report) -> str`, registered in `FORMATTERS` by
the name `kbtool lint --format` takes. Formatters get plain data and return
text; only the CLI prints. Adding a format is adding a module with a `render`
function and a line here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from kbtool import __version__
from kbtool.config import ConfigProblem
from kbtool.lint.diagnostic import Diagnostic
from kbtool.lint.docs import rule_url as _rule_url
from kbtool.lint.registry import Rule

__all__ = ["FORMATTERS", "Report", "formatter"]


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

    def rule(self, code: str) -> Rule | None:
        return next((r for r in self.rules if r.code == code), None)

    def rule_url(self, code: str, name: str = "") -> str:
        """The link to rule `code`'s documentation that every finding carries."""
        if not name:
            rule = self.rule(code)
            name = rule.name if rule is not None else ""
        return _rule_url(code, name, self.docs_url)


Formatter = Callable[[Report], str]


def _text(report: Report) -> str:
    from kbtool.output.text import render

    return render(report)


def _json(report: Report) -> str:
    from kbtool.output.json import render

    return render(report)


def _github(report: Report) -> str:
    from kbtool.output.github import render

    return render(report)


def _sarif(report: Report) -> str:
    from kbtool.output.sarif import render

    return render(report)


def _junit(report: Report) -> str:
    from kbtool.output.junit import render

    return render(report)


def _gitlab(report: Report) -> str:
    from kbtool.output.gitlab import render

    return render(report)


FORMATTERS: dict[str, Formatter] = {
    "text": _text,
    "json": _json,
    "github": _github,
    "sarif": _sarif,
    "junit": _junit,
    "gitlab": _gitlab,
}


def formatter(name: str) -> Formatter:
    try:
        return FORMATTERS[name]
    except KeyError:
        raise ValueError(f"unknown format {name!r} (use {', '.join(FORMATTERS)})") from None
