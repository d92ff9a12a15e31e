"""Rules about the lint run itself (KB0xx): suppressions and files that could not be read.

KB001 is produced by the engine, which alone knows what each suppression
comment silenced; its check function here only carries the documentation.
"""

from __future__ import annotations

from collections.abc import Iterator

from kbtool.corpus import Article, Corpus
from kbtool.corpus.model import Severity
from kbtool.lint.context import CorpusContext, RuleContext, relative_path
from kbtool.lint.diagnostic import Diagnostic
from kbtool.lint.registry import rule

__all__ = ["ENGINE_RULES"]

# Rules whose diagnostics the engine makes itself (their check yields nothing).
ENGINE_RULES = frozenset({"KB001"})


@rule("KB001", "unused-suppression", severity=Severity.WARNING)
def unused_suppression(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A `kbtool-disable` comment suppresses nothing, or names a rule that does not exist.

    Why: a suppression outlives the problem it was written for; left in place it
    would silently hide the next real problem on that line. A misspelt code
    suppresses nothing at all. Suppressions of rules that did not run (not
    selected) are not judged.
    Example: `<!-- kbtool-disable-next-line KB301 -->` above a line whose links are fine.
    Use instead: delete the comment, or fix the code it names. The forms are
    `<!-- kbtool-disable KB401 -->` ... `<!-- kbtool-enable KB401 -->`,
    `<!-- kbtool-disable-next-line KB301 -->`, `<!-- kbtool-disable-line KB301 -->` and
    `<!-- kbtool-disable-file KB401 -->`; codes may be family prefixes (`KB4`) or rule
    names, and no code means every rule.
    """
    return iter(())


def _no_article(article: Article) -> tuple[()]:
    """KB002 reports files that are not articles: no article's finding depends on another."""
    return ()


@rule("KB002", "unreadable-file", severity=Severity.ERROR, scope="corpus", related=_no_article)
def unreadable_file(corpus: Corpus, ctx: CorpusContext) -> Iterator[Diagnostic]:
    """A Markdown file in the articles folder could not be loaded at all.

    Why: the file is left out of everything kbtool does (lint, search, the site),
    so its content silently disappears from the help center. Causes: invalid
    UTF-8, a binary file, an empty file, a file over `kb.max_file_size`, or a
    section file (`_index.md`) whose front matter cannot be read.
    Example: an article saved as UTF-16 by a desktop editor.
    Use instead: save it as UTF-8 Markdown, or move it out of the articles folder
    (or add it to `kb.exclude`).
    """
    articles = {article.path for article in corpus.articles}
    root = ctx.config.root
    for problem in corpus.problems:
        if problem.path in articles or problem.severity is not Severity.ERROR:
            continue
        yield Diagnostic(
            path=relative_path(problem.path, root),
            line=max(problem.line, 1),
            column=max(problem.column, 1),
            code=ctx.rule.code,
            message=f"file could not be loaded: {problem.message}",
            name=ctx.rule.name,
            severity=ctx.severity or ctx.rule.severity,
        )
