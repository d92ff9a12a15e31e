"""The editor's report as plain data, computed by the modules that own each number.

Each section reuses the one implementation of its subject: the inventory counts
the loaded corpus; review health is `kbtool.review.review_corpus`; tagging
coverage is `kbtool.tags.coverage_matrix`; translations are
`kbtool.translations.translation_report`; quality is the lint engine's result
(through its cache); the search section is `kbtool.report.gaps`; the trend is
`kbtool.report.trend`. Rendering (HTML, Markdown, JSON) is in `render.py`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kbtool.corpus.model import Severity

if TYPE_CHECKING:
    from kbtool.corpus import Article, Corpus
    from kbtool.lint.engine import LintResult
    from kbtool.report.gaps import GapsReport
    from kbtool.report.trend import Trend
    from kbtool.review import ReviewReport, ReviewSummary
    from kbtool.tags import CoverageMatrix, Gap, StageChannelMatrix
    from kbtool.translations import LocaleCoverage, TranslationReport

__all__ = [
    "AGE_BUCKETS",
    "Coverage",
    "DueItem",
    "Inventory",
    "Quality",
    "Report",
    "ReviewHealth",
    "RuleCount",
    "SectionQuality",
    "Translations",
    "WorstArticle",
    "build_report",
]

Counts = tuple[tuple[str, int], ...]  # (name, count), largest first unless said otherwise

# Age since the last review: (label, up to this many days, inclusive); the last is open.
AGE_BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("under 3 months", 91),
    ("3-6 months", 182),
    ("6-12 months", 365),
    ("1-2 years", 730),
    ("over 2 years", None),
)
NEVER = "never reviewed"
DUE_WINDOWS = (30, 90)  # days: what falls due next
LIST_MAX = 10  # rows of the "most overdue", "due next" and "worst articles" lists


@dataclass(frozen=True)
class Inventory:
    articles: int  # every loaded article, whatever its status
    published: int
    load_problems: int  # files that could not be loaded, and problems in loaded ones
    by_locale: Counts
    by_section: Counts
    by_type: Counts
    by_status: Counts


@dataclass(frozen=True)
class DueItem:
    path: str  # relative to the knowledge-base root
    title: str
    owner: str
    due: dt.date | None
    days: int | None  # positive: days overdue; negative: days left


@dataclass(frozen=True)
class ReviewHealth:
    summary: ReviewSummary
    overdue_by_owner: Counts
    age: Counts  # AGE_BUCKETS in order, then "never reviewed"
    due_within: tuple[tuple[int, int], ...]  # (days, articles not overdue falling due by then)
    most_overdue: tuple[DueItem, ...]
    due_next: tuple[DueItem, ...]  # due within the first window, soonest first


@dataclass(frozen=True)
class Coverage:
    matrix: StageChannelMatrix  # the whole knowledge base
    thin: int
    gaps: tuple[Gap, ...]  # empty and thin cells, emptiest first
    outside_taxonomy: int


@dataclass(frozen=True)
class Translations:
    source_locale: str
    locales: tuple[LocaleCoverage, ...]
    history_note: str  # why git history could not be used, "" when it was


@dataclass(frozen=True)
class RuleCount:
    code: str
    name: str
    severity: str
    count: int


@dataclass(frozen=True)
class SectionQuality:
    section: str
    articles: int
    errors: int
    warnings: int
    infos: int


@dataclass(frozen=True)
class WorstArticle:
    path: str
    title: str
    errors: int
    warnings: int
    infos: int
    codes: tuple[str, ...]  # the most frequent rule codes, most frequent first


@dataclass(frozen=True)
class Quality:
    files: int
    errors: int
    warnings: int
    infos: int
    by_rule: tuple[RuleCount, ...]
    by_section: tuple[SectionQuality, ...]
    worst: tuple[WorstArticle, ...]


@dataclass(frozen=True)
class Report:
    name: str
    as_of: dt.date
    version: str
    inventory: Inventory
    review: ReviewHealth
    coverage: Coverage
    translations: Translations | None  # None: a single-language knowledge base
    quality: Quality | None  # None: linting was left out
    search: GapsReport | None = None
    trend: Trend | None = None


def build_report(
    corpus: Corpus,
    *,
    as_of: dt.date,
    review: ReviewReport,
    lint: LintResult | None,
    translations: TranslationReport | None,
    matrix: CoverageMatrix,
    search: GapsReport | None = None,
    trend: Trend | None = None,
) -> Report:
    """Assemble the report from the results of the modules that compute each section."""
    from kbtool import __version__

    config = corpus.config
    return Report(
        name=config.kb.name or config.root.name,
        as_of=as_of,
        version=__version__,
        inventory=inventory(corpus),
        review=review_health(review, as_of, config.root),
        coverage=coverage(matrix),
        translations=_translations(translations),
        quality=quality(lint, corpus) if lint is not None else None,
        search=search,
        trend=trend,
    )


def _counts(values: Iterable[str], *, by_name: bool = False) -> Counts:
    counted = Counter(values)
    if by_name:
        return tuple(sorted(counted.items()))
    return tuple(sorted(counted.items(), key=lambda kv: (-kv[1], kv[0])))


def inventory(corpus: Corpus) -> Inventory:
    articles = corpus.articles
    return Inventory(
        articles=len(articles),
        published=sum(1 for a in articles if a.is_published),
        load_problems=len(corpus.problems),
        by_locale=_counts((a.locale for a in articles), by_name=True),
        by_section=_counts(a.section for a in articles),
        by_type=_counts(a.type or "(none)" for a in articles),
        by_status=_counts(a.status for a in articles),
    )


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def review_health(report: ReviewReport, as_of: dt.date, root: Path) -> ReviewHealth:
    from kbtool.review import ReviewStatus

    items = report.items
    overdue = [i for i in items if i.status is ReviewStatus.OVERDUE]
    by_owner = _counts(i.owner for i in overdue)
    ages = dict.fromkeys([label for label, _ in AGE_BUCKETS] + [NEVER], 0)
    for item in items:
        ages[_age_bucket(item.last_reviewed, as_of)] += 1
    within = []
    for days in DUE_WINDOWS:
        end = as_of + dt.timedelta(days=days)
        within.append(
            (
                days,
                sum(
                    1
                    for i in items
                    if i.status is not ReviewStatus.OVERDUE and i.due is not None and i.due <= end
                ),
            )
        )

    def due_item(item: object) -> DueItem:
        from kbtool.review import ReviewItem

        assert isinstance(item, ReviewItem)
        return DueItem(
            path=_rel(item.article.path, root),
            title=item.article.title,
            owner=item.owner,
            due=item.due,
            days=item.days_overdue,
        )

    end = as_of + dt.timedelta(days=DUE_WINDOWS[0])
    upcoming = sorted(
        (
            i
            for i in items
            if i.status is not ReviewStatus.OVERDUE and i.due is not None and i.due <= end
        ),
        key=lambda i: (i.due, i.article.rel_path),
    )
    return ReviewHealth(
        summary=report.summary,
        overdue_by_owner=by_owner,
        age=tuple(ages.items()),
        due_within=tuple(within),
        most_overdue=tuple(due_item(i) for i in overdue[:LIST_MAX]),
        due_next=tuple(due_item(i) for i in upcoming[:LIST_MAX]),
    )


def _age_bucket(reviewed: dt.date | None, as_of: dt.date) -> str:
    if reviewed is None:
        return NEVER
    days = (as_of - reviewed).days
    for label, limit in AGE_BUCKETS:
        if limit is None or days <= limit:
            return label
    return AGE_BUCKETS[-1][0]


def coverage(matrix: CoverageMatrix) -> Coverage:
    from kbtool.tags import CellState

    whole = matrix.matrices[0]
    gaps = sorted(
        matrix.gaps(),
        key=lambda g: (g.state is not CellState.EMPTY, g.count, g.stage, g.channel),
    )
    return Coverage(
        matrix=whole,
        thin=matrix.thin,
        gaps=tuple(gaps),
        outside_taxonomy=matrix.outside_taxonomy,
    )


def _translations(report: TranslationReport | None) -> Translations | None:
    if report is None or not report.locales:
        return None
    return Translations(
        source_locale=report.source_locale,
        locales=report.coverage,
        history_note=report.history,
    )


def quality(result: LintResult, corpus: Corpus) -> Quality:
    root = corpus.config.root
    by_path: Mapping[str, Article] = {_rel(a.path, root): a for a in corpus.articles}
    names = {r.code: (r.name, str(r.severity)) for r in result.rules}
    per_rule: Counter[tuple[str, str, str]] = Counter()
    per_section: dict[str, Counter[Severity]] = defaultdict(Counter)
    per_file: dict[str, Counter[Severity]] = defaultdict(Counter)
    codes: dict[str, Counter[str]] = defaultdict(Counter)
    for d in result.diagnostics:
        per_rule[(d.code, d.name or names.get(d.code, ("", ""))[0], str(d.severity))] += 1
        article = by_path.get(d.path)
        section = article.section if article is not None else "(not loaded)"
        per_section[section][d.severity] += 1
        per_file[d.path][d.severity] += 1
        codes[d.path][d.code] += 1
    severity = Counter(d.severity for d in result.diagnostics)
    section_sizes = Counter(a.section for a in corpus.articles)
    sections = sorted(
        (
            SectionQuality(
                section=name,
                articles=section_sizes.get(name, 0),
                errors=c[Severity.ERROR],
                warnings=c[Severity.WARNING],
                infos=c[Severity.INFO],
            )
            for name, c in per_section.items()
        ),
        key=lambda s: (-s.errors, -s.warnings, -s.infos, s.section),
    )
    worst = sorted(
        per_file.items(),
        key=lambda kv: (
            -kv[1][Severity.ERROR],
            -kv[1][Severity.WARNING],
            -kv[1][Severity.INFO],
            kv[0],
        ),
    )[:LIST_MAX]
    return Quality(
        files=result.files,
        errors=severity[Severity.ERROR],
        warnings=severity[Severity.WARNING],
        infos=severity[Severity.INFO],
        by_rule=tuple(
            RuleCount(code, name, sev, n)
            for (code, name, sev), n in sorted(per_rule.items(), key=lambda kv: (-kv[1], kv[0]))
        ),
        by_section=tuple(sections),
        worst=tuple(
            WorstArticle(
                path=path,
                title=by_path[path].title if path in by_path else path,
                errors=c[Severity.ERROR],
                warnings=c[Severity.WARNING],
                infos=c[Severity.INFO],
                codes=tuple(code for code, _ in codes[path].most_common(3)),
            )
            for path, c in worst
        ),
    )
