"""The coverage matrix: published articles per journey stage × channel.

An article with stages [new, experienced] and channels [search, in-product]
counts once in each of the four cells. Rows and columns are the taxonomy's
stages and channels, in its order; values outside the taxonomy are left out
(the linter reports them, KB107) and counted apart. A cell with no article is
empty, one with fewer than `[tags] thin` articles is thin: both are gaps to plan
content for. `coverage_matrix` is what `kbtool tags matrix` prints and what
`kbtool report` draws as a heatmap.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from kbtool.errors import UsageError

if TYPE_CHECKING:
    from kbtool.config import Config
    from kbtool.corpus import Article, Corpus

__all__ = [
    "GROUP_FIELDS",
    "CellState",
    "CoverageMatrix",
    "Gap",
    "StageChannelMatrix",
    "coverage_matrix",
]

GROUP_FIELDS = ("locale", "section", "type")


class CellState(enum.Enum):
    EMPTY = "empty"
    THIN = "thin"
    OK = "ok"


@dataclass(frozen=True)
class Gap:
    """A cell with fewer articles than wanted."""

    group: str | None  # the --by value, None for the whole knowledge base
    stage: str
    channel: str
    count: int
    state: CellState


@dataclass(frozen=True)
class StageChannelMatrix:
    """The counts of one group of articles (a locale, a section, a type, or all)."""

    group: str | None
    stages: tuple[str, ...]
    channels: tuple[str, ...]
    cells: Mapping[tuple[str, str], tuple[str, ...]]  # (stage, channel) -> article paths
    articles: int  # articles in the group
    untagged: int  # of them, articles without a stage or without a channel (in no cell)
    stage_totals: Mapping[str, int]  # articles with the stage
    channel_totals: Mapping[str, int]  # articles with the channel

    def count(self, stage: str, channel: str) -> int:
        return len(self.cells.get((stage, channel), ()))

    @property
    def max_count(self) -> int:
        return max((len(v) for v in self.cells.values()), default=0)


@dataclass(frozen=True)
class CoverageMatrix:
    """Stage × channel coverage of the published articles, whole or per group."""

    by: str | None  # None, "locale", "section" or "type"
    thin: int  # cells with 1..thin-1 articles are thin
    implied: bool  # the counts include the tags the rules imply
    drafts: bool  # drafts are counted too (archived articles never are)
    matrices: tuple[StageChannelMatrix, ...]
    articles: int  # articles counted
    outside_taxonomy: int  # articles with a stage or channel the taxonomy lacks

    @property
    def stages(self) -> tuple[str, ...]:
        return self.matrices[0].stages if self.matrices else ()

    @property
    def channels(self) -> tuple[str, ...]:
        return self.matrices[0].channels if self.matrices else ()

    def state(self, count: int) -> CellState:
        if count == 0:
            return CellState.EMPTY
        return CellState.THIN if count < self.thin else CellState.OK

    def gaps(self, minimum: int | None = None) -> list[Gap]:
        """Cells with fewer than `minimum` articles (default: the empty and thin ones)."""
        limit = self.thin if minimum is None else minimum
        out = []
        for matrix in self.matrices:
            for stage in matrix.stages:
                for channel in matrix.channels:
                    n = matrix.count(stage, channel)
                    if n < limit:
                        out.append(Gap(matrix.group, stage, channel, n, self.state(n)))
        return out


def coverage_matrix(
    corpus: Corpus,
    config: Config | None = None,
    *,
    by: str | None = None,
    articles: Iterable[Article] | None = None,
    implied: bool = False,
    include_drafts: bool = False,
    thin: int | None = None,
) -> CoverageMatrix:
    """Count published articles (of `articles`, default the corpus) per stage × channel.

    `by` makes one matrix per locale, section or type; `implied` counts the
    stages and channels `[[tags.rules]]` would add (and drops those they would
    remove), as if `tags auto --write` had run; `include_drafts` also counts
    drafts (never archived articles).
    """
    config = config or corpus.config
    if by is not None and by not in GROUP_FIELDS:
        raise UsageError(f"cannot group the matrix by '{by}' (use {', '.join(GROUP_FIELDS)})")
    chosen = [
        a
        for a in (corpus.articles if articles is None else articles)
        if a.is_published or (include_drafts and a.status != "archived")
    ]
    tags = _tags(chosen, config, implied=implied)
    stages = tuple(config.taxonomy.stages) or _seen(tags, 0)
    channels = tuple(config.taxonomy.channels) or _seen(tags, 1)
    known_s, known_c = frozenset(stages), frozenset(channels)
    outside = sum(1 for s, c in tags.values() if not (known_s >= set(s) and known_c >= set(c)))
    groups: dict[str | None, list[Article]] = {}
    if by is None:
        groups[None] = chosen
    else:
        if by == "locale":
            for locale in corpus.locales:
                groups[locale] = []
        for article in sorted(chosen, key=lambda a: str(getattr(a, by) or "")):
            groups.setdefault(getattr(article, by) or "(none)", []).append(article)
    matrices = tuple(
        _matrix(group, members, tags, stages, channels) for group, members in groups.items()
    )
    return CoverageMatrix(
        by=by,
        thin=max(thin if thin is not None else config.tags.thin, 1),
        implied=implied,
        drafts=include_drafts,
        matrices=matrices,
        articles=len(chosen),
        outside_taxonomy=outside,
    )


def _tags(
    articles: Sequence[Article], config: Config, *, implied: bool
) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    if not implied:
        return {a.rel_path: (a.stages, a.channels) for a in articles}
    from kbtool.tags.rules import plan_tags

    return {
        p.article.rel_path: (p.after["stages"], p.after["channels"])
        for p in plan_tags(articles, config)
    }


def _seen(tags: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]], i: int) -> tuple[str, ...]:
    """Without a taxonomy table: the values the articles use, sorted."""
    return tuple(sorted({v for pair in tags.values() for v in pair[i]}))


def _matrix(
    group: str | None,
    members: Sequence[Article],
    tags: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]],
    stages: tuple[str, ...],
    channels: tuple[str, ...],
) -> StageChannelMatrix:
    cells: dict[tuple[str, str], list[str]] = {}
    stage_totals = dict.fromkeys(stages, 0)
    channel_totals = dict.fromkeys(channels, 0)
    untagged = 0
    for article in members:
        a_stages, a_channels = tags[article.rel_path]
        s = [v for v in dict.fromkeys(a_stages) if v in stage_totals]
        c = [v for v in dict.fromkeys(a_channels) if v in channel_totals]
        if not s or not c:
            untagged += 1
        for stage in s:
            stage_totals[stage] += 1
        for channel in c:
            channel_totals[channel] += 1
        for stage in s:
            for channel in c:
                cells.setdefault((stage, channel), []).append(article.rel_path)
    return StageChannelMatrix(
        group=group,
        stages=stages,
        channels=channels,
        cells=MappingProxyType({k: tuple(sorted(v)) for k, v in cells.items()}),
        articles=len(members),
        untagged=untagged,
        stage_totals=MappingProxyType(stage_totals),
        channel_totals=MappingProxyType(channel_totals),
    )
