"""The trend over time: articles, overdue reviews and lint errors at each month's end.

The knowledge base at each past month end comes from git (`kbtool.corpus.past`:
the tree of HEAD's first-parent line at that moment, read from git objects,
never checked out). Each state is measured with today's configuration and rules:
published articles; articles overdue for review on that day (by
`kbtool.review.build_report`, so the same policy as `kbtool review`); and lint
errors (by the lint engine, whose cache answers every article that did not
change between two months). The last point is the as-of date itself, from the
last commit on or before it: uncommitted changes are not history yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kbtool.corpus.model import Severity
from kbtool.dates import add_months, parse_interval
from kbtool.errors import UsageError

if TYPE_CHECKING:
    from kbtool.corpus import Corpus
    from kbtool.lint.cache import LintCache
    from kbtool.lint.engine import LintSettings

__all__ = ["MAX_MONTHS", "Trend", "TrendPoint", "compute_trend", "parse_since"]

MAX_MONTHS = 36


@dataclass(frozen=True)
class TrendPoint:
    date: dt.date  # a month's last day, or the as-of date for the last point
    commit: str | None  # the commit measured; None before the first commit
    articles: int | None  # published articles; None without a commit
    overdue: int | None
    lint_errors: int | None  # None when linting was left out

    @property
    def label(self) -> str:
        return self.date.isoformat()


@dataclass(frozen=True)
class Trend:
    since: str  # as asked, e.g. "6m"
    points: tuple[TrendPoint, ...]  # oldest first
    note: str = ""  # why there is no trend (no git history), "" when there is one


def parse_since(text: str, as_of: dt.date) -> int:
    """Months of history for `--since`: `6m`, `12 months`, `1y`, `quarterly`, or a date."""
    raw = text.strip()
    try:
        start = dt.date.fromisoformat(raw)
    except ValueError:
        try:
            interval = parse_interval(raw)
        except ValueError:
            raise UsageError(
                f"--since: not a period or date: '{text}' (use e.g. 6m, 12 months, 1y, 2026-05-01)"
            ) from None
        months = interval.months + round(interval.days / 30)
    else:
        if start >= as_of:
            raise UsageError(f"--since: {start} is not before the as-of date {as_of}")
        months = (as_of.year - start.year) * 12 + as_of.month - start.month
    if months < 1:
        raise UsageError(f"--since: '{text}' is less than a month")
    if months > MAX_MONTHS:
        raise UsageError(f"--since: at most {MAX_MONTHS} months, got {months}")
    return months


def month_ends(as_of: dt.date, months: int) -> list[dt.date]:
    """The last day of each of the `months` months before `as_of`'s, then `as_of`."""
    first = as_of.replace(day=1)
    ends = [add_months(first, -i) - dt.timedelta(days=1) for i in range(months - 1, -1, -1)]
    return [*ends, as_of]


def compute_trend(
    corpus: Corpus,
    *,
    as_of: dt.date,
    since: str,
    settings: LintSettings | None = None,
    cache: LintCache | None = None,
    lint: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> Trend:
    """Articles, overdue reviews and lint errors at each month end since `since`."""
    from kbtool.corpus.past import past_states
    from kbtool.review import ReviewPolicy, build_report, included

    months = parse_since(since, as_of)
    history = corpus.history
    if history is None or not history.available:
        reason = history.reason if history is not None else "git history not read"
        return Trend(since, (), f"no trend: {reason}")
    config = corpus.config
    dates = month_ends(as_of, months)
    moments = [dt.datetime.combine(d, dt.time(23, 59, 59), tzinfo=dt.UTC) for d in dates]
    states = past_states(config, history, moments, current=corpus)
    policy = ReviewPolicy.from_config(config)
    if lint and settings is None:
        from kbtool.lint.engine import settings_from_config

        settings = settings_from_config(config)
    points = []
    measured: dict[str, int] = {}  # lint errors by commit: two months without a commit
    for n, (day, state) in enumerate(zip(dates, states, strict=True), 1):
        if state.corpus is None or state.commit is None:
            points.append(TrendPoint(day, None, None, None, None))
            continue
        published = [a for a in state.corpus.articles if included(a)]
        review = build_report(published, as_of=day, policy=policy)
        errors = None
        if lint:
            sha = state.commit.sha
            if sha not in measured:
                from kbtool.lint.engine import lint as run_lint

                result = run_lint(state.corpus, settings, cache=cache)
                measured[sha] = sum(1 for d in result.diagnostics if d.severity is Severity.ERROR)
            errors = measured[sha]
        points.append(
            TrendPoint(day, state.commit.sha, len(published), review.summary.overdue, errors)
        )
        if progress is not None:
            progress(n, len(dates))
    return Trend(since, tuple(points))
