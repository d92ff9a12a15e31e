"""Editor reports (`kbtool report`) and content gaps (`kbtool gaps`).

- `model`: the report's sections as frozen data, from the modules that own each number;
- `gaps`: search logs and ticket exports, the answer bot's verdict, topics and actions;
- `trend`: articles, overdue reviews and lint errors per month from git history;
- `charts`: inline SVG charts; `render`: JSON, Markdown and self-contained HTML.

`make_report` runs every section on a loaded corpus; the CLI only parses options.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from kbtool.report.model import Report, build_report

if TYPE_CHECKING:
    from kbtool.corpus import Corpus
    from kbtool.report.gaps import GapsReport

__all__ = ["Report", "build_report", "make_report"]


def make_report(
    corpus: Corpus,
    *,
    as_of: dt.date,
    lint: bool = True,
    since: str | None = None,
    search: GapsReport | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Every section of the report of a loaded knowledge base on `as_of`.

    Lint results come through the lint cache (`.kbtool/cache/lint`), so a report
    after `kbtool lint` on an unchanged tree does not lint again; `since` adds
    the trend from git history (`kbtool.report.trend`).
    """
    from kbtool.review import review_corpus
    from kbtool.tags import coverage_matrix
    from kbtool.translations import translation_report

    review = review_corpus(corpus, as_of=as_of)
    matrix = coverage_matrix(corpus)
    translations = translation_report(corpus) if corpus.layout.localized else None
    result = None
    settings = cache = None
    if lint or since:
        from kbtool.lint.cache import LintCache
        from kbtool.lint.engine import settings_from_config

        settings = settings_from_config(corpus.config)
        cache = LintCache.open(corpus.config.root)
    if lint:
        from kbtool.lint.engine import lint as run_lint

        result = run_lint(corpus, settings, cache=cache, progress=progress)
    trend = None
    if since:
        from kbtool.report.trend import compute_trend

        trend = compute_trend(
            corpus, as_of=as_of, since=since, settings=settings, cache=cache, lint=lint
        )
    return build_report(
        corpus,
        as_of=as_of,
        review=review,
        lint=result,
        translations=translations,
        matrix=matrix,
        search=search,
        trend=trend,
    )
