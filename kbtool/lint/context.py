"""What a rule sees besides the article: options, the Markdown analysis, a way to report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbtool.corpus.discover import relative_path
from kbtool.corpus.model import Severity
from kbtool.lint.diagnostic import Diagnostic, Fix

if TYPE_CHECKING:
    from kbtool.config import Config
    from kbtool.corpus import Article, Corpus
    from kbtool.lint.registry import Rule
    from kbtool.markdown import Document

__all__ = ["CorpusContext", "Options", "RuleContext", "relative_path"]


class Options:
    """Rule options: `[lint.options]` over each rule's declared defaults.

    `ctx.options.title_max` gives the value; an option declared `per_locale`
    may be a table by locale (`readability_min = { en = 50, sv = 45 }`) and is
    read with `ctx.option("readability_min")`, which picks the article's locale.
    """

    def __init__(self, defaults: Mapping[str, Any], configured: Mapping[str, Any]):
        self._values = {**defaults, **configured}

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"no lint option {name!r}") from None

    def get(self, name: str, locale: str | None = None) -> Any:
        value = self._values[name]
        if isinstance(value, Mapping) and locale is not None:
            if locale in value:
                return value[locale]
            base = locale.split("-", 1)[0]
            return value.get(base, value.get("default"))
        return value


@dataclass
class RuleContext:
    """Handed to an article rule with the article; `report` makes its diagnostics."""

    rule: Rule
    config: Config
    options: Options
    article: Article
    corpus: Corpus | None = None
    severity: Severity | None = None  # configured override
    _doc: Document | None = field(default=None, repr=False)

    @cached_property
    def path(self) -> str:
        return relative_path(self.article.path, self.config.root)

    @property
    def doc(self) -> Document:
        """The Markdown analysis of the article (parsed once, shared by all rules)."""
        if self._doc is None:
            from kbtool.markdown import analyze

            self._doc = analyze(self.article)
        return self._doc

    def option(self, name: str) -> Any:
        return self.options.get(name, self.article.locale)

    def report(
        self,
        line: int,
        message: str,
        *,
        column: int = 1,
        end_line: int | None = None,
        end_column: int | None = None,
        fix: Fix | None = None,
    ) -> Diagnostic:
        return _diagnostic(
            self.rule,
            self.severity,
            self.path,
            line,
            message,
            column=column,
            end_line=end_line,
            end_column=end_column,
            fix=fix,
        )


@dataclass
class CorpusContext:
    """Handed to a corpus rule with the whole corpus; `report` names the article."""

    rule: Rule
    config: Config
    options: Options
    corpus: Corpus
    severity: Severity | None = None
    _docs: dict[Path, Document] = field(default_factory=dict, repr=False)
    # the census of the whole knowledge base, when `corpus` holds only some articles
    counted: Counter[Hashable] | None = field(default=None, repr=False)

    def census(self, corpus: Corpus) -> Counter[Hashable]:
        """How many articles of the knowledge base gave each value of the rule's
        `census` (see `registry.rule`)."""
        if self.counted is not None:
            return self.counted
        count = self.rule.census
        if count is None:
            raise TypeError(f"rule {self.rule.code} has no census")
        return Counter(count(article) for article in corpus.articles)

    def doc(self, article: Article) -> Document:
        found = self._docs.get(article.path)
        if found is None:
            from kbtool.markdown import analyze

            found = self._docs[article.path] = analyze(article)
        return found

    def option(self, name: str, locale: str | None = None) -> Any:
        return self.options.get(name, locale)

    def report(
        self,
        article: Article,
        line: int,
        message: str,
        *,
        column: int = 1,
        end_line: int | None = None,
        end_column: int | None = None,
        fix: Fix | None = None,
    ) -> Diagnostic:
        return _diagnostic(
            self.rule,
            self.severity,
            relative_path(article.path, self.config.root),
            line,
            message,
            column=column,
            end_line=end_line,
            end_column=end_column,
            fix=fix,
        )


def _diagnostic(
    rule: Rule,
    severity: Severity | None,
    path: str,
    line: int,
    message: str,
    *,
    column: int,
    end_line: int | None,
    end_column: int | None,
    fix: Fix | None,
) -> Diagnostic:
    """A rule's finding: positions clamped to the file, the configured severity applied."""
    return Diagnostic(
        path=path,
        line=max(line, 1),
        column=max(column, 1),
        code=rule.code,
        message=message,
        name=rule.name,
        severity=severity or rule.severity,
        end_line=end_line,
        end_column=end_column,
        fix=fix,
    )
