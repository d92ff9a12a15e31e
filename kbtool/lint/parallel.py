"""Run article rules on many articles: in this process, or spread over all cores.

Article rules see one article at a time, so a large run is split into chunks
handed to a pool of forked worker processes. Forking lets the workers inherit
the loaded corpus and settings instead of receiving them pickled; each worker
sends back its diagnostics and the Markdown analysis it made, which corpus
rules and the cache then reuse. Small runs stay in this process: starting
workers costs more than linting a few hundred articles.
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kbtool.corpus.model import Severity
from kbtool.lint.context import Options, RuleContext, relative_path
from kbtool.lint.diagnostic import Diagnostic

if TYPE_CHECKING:
    from kbtool.config import Config
    from kbtool.corpus import Article, Corpus
    from kbtool.lint.registry import Rule
    from kbtool.markdown import Document

__all__ = ["PARALLEL_MIN", "ArticleJob", "check_article", "default_jobs", "run_articles"]

PARALLEL_MIN = 200  # fewer articles than this are linted in this process
Progress = Callable[[int], None]  # called with the number of articles just finished


def default_jobs() -> int:
    """Worker processes: the cores this process may use."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return max(os.cpu_count() or 1, 1)


def _debug() -> bool:
    return bool(os.environ.get("KBTOOL_DEBUG"))


@dataclass(frozen=True)
class ArticleJob:
    """Everything article rules need besides the article."""

    rules: tuple[Rule, ...]
    config: Config
    options: Options
    severities: dict[str, Severity]
    corpus: Corpus | None


class _TrackingContext(RuleContext):
    """A RuleContext that notes whether the rule looked at the corpus.

    An article rule that reads `ctx.corpus` (links resolved against other
    articles and files) depends on more than its own article: the cache keys
    its findings by the whole corpus too.
    """

    @property
    def corpus(self) -> Corpus | None:
        self.__dict__["touched_corpus"] = True
        found: Corpus | None = self.__dict__.get("_corpus_value")
        return found

    @corpus.setter
    def corpus(self, value: Corpus | None) -> None:
        self.__dict__["_corpus_value"] = value


# diagnostics, the Markdown analysis (from a worker: pickled), corpus-dependent codes
Outcome = tuple[list[Diagnostic], "Document | bytes | None", frozenset[str]]


def check_article(
    article: Article,
    job: ArticleJob,
    doc: Document | None = None,
    rules: Sequence[Rule] | None = None,
) -> Outcome:
    """Run the article rules (`rules`, default all of `job`) on `article`.

    Returns the diagnostics, the Markdown analysis (made once, shared by the
    rules) and the codes of the rules that looked at the corpus. A rule that
    raises is a bug in kbtool: the run goes on and the file gets an error
    diagnostic naming the rule (`KBTOOL_DEBUG=1` raises instead).
    """
    found: list[Diagnostic] = []
    touched: set[str] = set()
    path = relative_path(article.path, job.config.root)
    for rule in job.rules if rules is None else rules:
        ctx = _TrackingContext(
            rule, job.config, job.options, article, job.corpus, job.severities.get(rule.code), doc
        )
        ctx.__dict__["path"] = path  # RuleContext.path is a cached_property: computed once here
        try:
            found.extend(rule.check(article, ctx))
        except Exception as exc:
            if _debug():
                raise
            found.append(crash(rule, path, exc))
        if ctx.__dict__.get("touched_corpus"):
            touched.add(rule.code)
        doc = ctx._doc
    return found, doc, frozenset(touched)


def crash(rule: Rule, path: str, exc: BaseException) -> Diagnostic:
    return Diagnostic(
        path=path,
        line=1,
        column=1,
        code=rule.code,
        name=rule.name,
        severity=Severity.ERROR,
        message=f"rule failed on this file ({type(exc).__name__}: {exc}); this is a bug in "
        "kbtool, please report it (KBTOOL_DEBUG=1 shows the traceback)",
    )


DocSource = Callable[[int], "Document | None"]

# Set in the parent just before the pool forks; the workers inherit it.
_SHARED: (
    tuple[Sequence[Article], ArticleJob, Sequence[Sequence[Rule] | None], DocSource | None] | None
) = None


def _work(start: int, stop: int) -> list[Outcome]:
    assert _SHARED is not None, "worker started without the shared state (not forked?)"
    articles, job, subsets, docs = _SHARED
    out: list[Outcome] = []
    for i in range(start, stop):
        diagnostics, doc, touched = check_article(
            articles[i], job, docs(i) if docs else None, subsets[i]
        )
        # pickled here, in parallel: the parent stores the bytes in the cache as they are
        # and unpickles only the analyses a corpus rule asks for
        blob = pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL) if doc is not None else None
        out.append((diagnostics, blob, touched))
    return out


def _fork_context() -> Any:
    from kbtool.corpus.loader import can_fork

    if sys.platform == "win32" or not can_fork():
        return None
    import multiprocessing  # here: a run of a few articles never needs it

    return multiprocessing.get_context("fork")


def run_articles(
    articles: Sequence[Article],
    job: ArticleJob,
    *,
    subsets: Sequence[Sequence[Rule] | None] | None = None,
    docs: DocSource | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> list[Outcome]:
    """(diagnostics, analysis, corpus-dependent codes) for each article, in order.

    `subsets[i]`: the rules to run on article i (None: all of `job.rules`);
    `docs(i)`: article i's Markdown analysis if one is at hand (the cache's).
    """
    chosen: Sequence[Sequence[Rule] | None] = subsets or [None] * len(articles)
    workers = default_jobs() if jobs is None else max(jobs, 1)
    small = workers <= 1 or len(articles) < PARALLEL_MIN
    context = None if small else _fork_context()
    if context is None:
        out = []
        for index, (article, rules) in enumerate(zip(articles, chosen, strict=True)):
            out.append(check_article(article, job, docs(index) if docs else None, rules))
            if progress is not None:
                progress(1)
        return out
    global _SHARED
    _SHARED = (articles, job, chosen, docs)
    # Several chunks per worker even out articles of very different sizes.
    size = max(len(articles) // (workers * 8), 10)
    bounds = [(i, min(i + size, len(articles))) for i in range(0, len(articles), size)]
    results: dict[int, list[Outcome]] = {}
    from concurrent.futures import ProcessPoolExecutor, as_completed

    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = {pool.submit(_work, start, stop): start for start, stop in bounds}
            for future in as_completed(futures):
                chunk = future.result()
                results[futures[future]] = chunk
                if progress is not None:
                    progress(len(chunk))
    finally:
        _SHARED = None
    return [item for start, _ in bounds for item in results[start]]
