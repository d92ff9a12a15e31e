"""Review and translation rules (KB6xx): is each article reviewed, is each translation current?

A translation is an article whose locale is not the default locale. Its source
is the default-locale article that `translation_of` names; without that key, the
article at the same path under the default locale; failing that, the one with
the same id (repositories such as Adobe's keep one id across languages).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from kbtool.corpus import Article, Corpus
from kbtool.corpus.model import Severity
from kbtool.lint.context import CorpusContext, relative_path
from kbtool.lint.diagnostic import Diagnostic
from kbtool.lint.registry import Option, rule
from kbtool.lint.rules.frontmatter import front_matter_usable

_BODY_HASH = re.compile(r"[0-9a-f]{12}")  # kbtool.corpus.parse.body_hash
_COMMIT = re.compile(r"[0-9a-f]{7,64}")


@rule(
    "KB601",
    "last-reviewed-missing",
    severity=Severity.WARNING,
    scope="corpus",
    options=(
        Option(
            "review_date_required",
            "auto",
            "`auto`: only when the knowledge base records review dates (the field is "
            "mapped in [fields] or some article has it); `always`; `never`.",
        ),
    ),
)
def last_reviewed_missing(corpus: Corpus, ctx: CorpusContext) -> Iterator[Diagnostic]:
    """A published article has no review date.

    Why: reviews keep help content true; an article with no `last_reviewed`
    date has never been reviewed as far as anyone can tell, and `kbtool review`
    can only guess its age from git.
    With `review_date_required = "auto"` (the default) the rule applies when
    the knowledge base records review dates at all: when `[fields]` maps
    `last_reviewed` to a key of its own or at least one article has the date.
    A repository that never kept them (its history is in git alone) does not
    get a finding on every article. Articles without usable front matter are
    left to KB101 and KB102.
    Example: `status: published` and no `last_reviewed:`.
    Use instead: `last_reviewed: 2026-11-23` (or `kbtool review mark PATH`).
    Options: `review_date_required` (default `auto`; `always`, `never`).
    """
    mode = str(ctx.option("review_date_required")).strip().lower()
    if mode == "never":
        return
    keys = ctx.config.field_keys("last_reviewed")
    if mode != "always":
        mapped = keys != ("last_reviewed",)
        if not mapped and not any(a.field_key("last_reviewed") for a in corpus.articles):
            return
    for article in corpus.articles:
        if not article.is_published or article.field_key("last_reviewed") is not None:
            continue
        if not front_matter_usable(article):
            continue  # KB101 and KB102 report the front matter itself
        present = next((k for k in keys if k in article.meta), None)
        if present is not None:
            # the key is there with no value; a bad value is KB108's finding
            yield ctx.report(
                article,
                article.key_line(present),
                f"published article without a review date ('{present}' is empty)",
            )
        else:
            named = f" ('{keys[0]}')" if keys else ""
            yield ctx.report(article, 1, f"published article without a review date{named}")


@dataclass(frozen=True)
class _Link:
    source: Article | None
    named: str | None  # the id `translation_of` names, when it names one that is missing


class _Sources:
    """Finds the source of each translation; built once per corpus."""

    def __init__(self, corpus: Corpus) -> None:
        self.default = corpus.layout.default_locale
        self.corpus = corpus
        self.by_path: dict[str, Article] = {}
        for article in corpus.articles:
            if article.locale == self.default:
                self.by_path[_inner(article, self.default)] = article

    def translations(self) -> Iterator[Article]:
        for article in self.corpus.articles:
            if article.locale != self.default:
                yield article

    def find(self, article: Article) -> _Link:
        if article.translation_of:
            named = self.corpus.get(self.default, article.translation_of)
            if named is not None:
                return _Link(named, None)
            return _Link(None, article.translation_of)
        source = self.by_path.get(_inner(article, article.locale))
        if source is None:
            source = self.corpus.get(self.default, article.id)
        return _Link(source, None)


def _inner(article: Article, locale: str) -> str:
    """The article's path inside its locale folder."""
    prefix = f"{locale}/"
    rel = article.rel_path
    return rel[len(prefix) :] if rel.startswith(prefix) else rel


@rule("KB602", "translation-source-missing", severity=Severity.WARNING, scope="corpus")
def translation_source_missing(corpus: Corpus, ctx: CorpusContext) -> Iterator[Diagnostic]:
    """A translation whose source article does not exist.

    Why: the source was deleted, moved or renamed, or `translation_of` is
    misspelt; the translation can no longer be kept in step and readers of the
    default language have no matching page. The source is the default-locale
    article that `translation_of` names; without that key, the one at the same
    path under the default locale's folder, else the one with the same id.
    Example: `sv/billing/refund-policy.md` with `translation_of: refunds` when no
    English article has that id.
    Use instead: `translation_of: refund-policy` (the source's id), or delete the
    translation of a removed article.
    Options: none.
    """
    if not corpus.layout.localized:
        return
    sources = _Sources(corpus)
    for article in sources.translations():
        link = sources.find(article)
        if link.named is not None:
            yield ctx.report(
                article,
                article.field_line("translation_of"),
                f"translation_of names '{link.named}', which is not an article "
                f"in '{sources.default}'",
            )
        elif link.source is None:
            inner = _inner(article, article.locale)
            yield ctx.report(
                article,
                1,
                f"translation without a source: no '{sources.default}' "
                f"article at {sources.default}/{inner} or with id "
                f"'{article.id}'",
            )


def _staleness(translation: Article, source: Article) -> str | None:
    """Why `translation` is older than `source`, or None when it is not (or cannot be told)."""
    recorded = (translation.source_hash or "").strip().lower()
    if recorded:
        if recorded == source.body_hash:
            return None
        last = source.last_commit
        if _COMMIT.fullmatch(recorded) and last is not None and last.sha.startswith(recorded):
            return None
        if _BODY_HASH.fullmatch(recorded):
            return (
                f"the source changed since it was translated (source_hash {recorded}, "
                f"now {source.body_hash})"
            )
    if translation.last_commit is not None and source.last_commit is not None:
        if translation.last_commit.date < source.last_commit.date:
            return (
                f"last changed {translation.last_commit.date.date().isoformat()}, the "
                f"source {source.last_commit.date.date().isoformat()} (git)"
            )
        return None
    reviewed, source_reviewed = translation.last_reviewed, source.last_reviewed
    if reviewed is not None and source_reviewed is not None and reviewed < source_reviewed:
        return f"last reviewed {reviewed.isoformat()}, the source {source_reviewed.isoformat()}"
    return None


@rule("KB603", "translation-outdated", severity=Severity.WARNING, scope="corpus")
def translation_outdated(corpus: Corpus, ctx: CorpusContext) -> Iterator[Diagnostic]:
    """A translation is older than the current version of its source.

    Why: readers of the translation get instructions the source no longer
    gives. The evidence, best first: the `source_hash` the translation records
    against the source's current body hash (what `kbtool translations mark`
    records; a commit id counts when it is the source's last commit); else git,
    when the translation's last commit is older than its source's; else the
    review dates.
    Example: `source_hash: f16e72f2b02f` in `sv/billing/refund-policy.md` after the
    English article's body changed.
    Use instead: update the translation, then record the source's new hash
    (`kbtool translations mark`).
    Options: none.
    """
    if not corpus.layout.localized:
        return
    sources = _Sources(corpus)
    root = ctx.config.root
    for article in sources.translations():
        source = sources.find(article).source
        if source is None:
            continue  # KB602
        reason = _staleness(article, source)
        if reason is None:
            continue
        line = article.field_line("source_hash") if article.field_key("source_hash") else 1
        yield ctx.report(
            article, line, f"outdated translation of {relative_path(source.path, root)}: {reason}"
        )
