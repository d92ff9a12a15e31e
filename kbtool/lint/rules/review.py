"""Review and translation rules (KB6xx): is each article reviewed, is each translation current?

A translation is an article whose locale is not the default locale. Which
source it is of and whether it is outdated is decided by `kbtool.translations`,
the same way `kbtool translations` decides it: `translation_of`, else the same
path under the default locale, else the same id (`kb.translation_links`).
"""

from __future__ import annotations

from collections.abc import Iterator

from kbtool.corpus import Article, Corpus
from kbtool.corpus.model import Severity
from kbtool.lint.context import CorpusContext, relative_path
from kbtool.lint.diagnostic import Diagnostic
from kbtool.lint.registry import Option, rule
from kbtool.lint.rules.frontmatter import front_matter_usable
from kbtool.translations import TranslationLinker, TranslationStatus, assess_translation


def _has_review_date(article: Article) -> bool:
    return bool(article.field_key("last_reviewed"))


@rule(
    "KB601",
    "last-reviewed-missing",
    severity=Severity.WARNING,
    scope="corpus",
    census=_has_review_date,
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
        if not mapped and not ctx.census(corpus)[True]:
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


def same_source(article: Article) -> list[tuple[str, str]]:
    """Keys that a translation shares with each article that may be its source: its
    path inside the locale folder (taken as either the path or the path without its
    first folder), its id and the id `translation_of` names (see TranslationLinker)."""
    keys = [("path", article.rel_path), ("path", article.rel_path.split("/", 1)[-1])]
    keys.append(("id", article.id))
    if article.translation_of:
        keys.append(("id", article.translation_of))
    return keys


@rule(
    "KB602",
    "translation-source-missing",
    severity=Severity.WARNING,
    scope="corpus",
    related=same_source,
)
def translation_source_missing(corpus: Corpus, ctx: CorpusContext) -> Iterator[Diagnostic]:
    """A translation whose source article does not exist.

    Why: the source was deleted, moved or renamed, or `translation_of` is
    misspelt; the translation can no longer be kept in step and readers of the
    default language have no matching page. The source is the default-locale
    article that `translation_of` names; without that key, the one at the same
    path under the default locale's folder, else the one with the same id
    (`kb.translation_links` chooses and orders these). `kbtool translations`
    lists such translations as orphaned.
    Example: `sv/billing/refund-policy.md` with `translation_of: refunds` when no
    English article has that id.
    Use instead: `translation_of: refund-policy` (the source's id), or delete the
    translation of a removed article.
    Options: none.
    """
    if not corpus.layout.localized:
        return
    linker = TranslationLinker(corpus)
    for article in linker.translations():
        link = linker.find(article)
        if link.source is not None:
            continue
        line = article.field_line("translation_of") if link.named is not None else 1
        yield ctx.report(
            article, line, f"translation without a source: {linker.describe_missing(article, link)}"
        )


@rule(
    "KB603", "translation-outdated", severity=Severity.WARNING, scope="corpus", related=same_source
)
def translation_outdated(corpus: Corpus, ctx: CorpusContext) -> Iterator[Diagnostic]:
    """A translation is older than the current version of its source.

    Why: readers of the translation get instructions the source no longer
    gives. The evidence, best first: the `source_hash` the translation records
    against the source's current body hash (what `kbtool translations mark`
    records; a commit of this repository counts too, outdated when the source
    changed after it); else git, when the translation's last commit is older
    than its source's; else the review dates. `kbtool translations` lists the
    same verdicts per locale.
    Example: `source_hash: f16e72f2b02f` in `sv/billing/refund-policy.md` after the
    English article's body changed.
    Use instead: update the translation, then record the source's new hash
    (`kbtool translations mark`).
    Options: none.
    """
    if not corpus.layout.localized:
        return
    linker = TranslationLinker(corpus)
    root = ctx.config.root
    for article in linker.translations():
        source = linker.find(article).source
        if source is None:
            continue  # KB602
        verdict = assess_translation(article, source, corpus.history)
        if verdict.status is not TranslationStatus.STALE:
            continue
        line = article.field_line("source_hash") if article.field_key("source_hash") else 1
        yield ctx.report(
            article,
            line,
            f"outdated translation of {relative_path(source.path, root)}: {verdict.reason}",
        )
