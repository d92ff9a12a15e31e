"""`tags suggest`: propose stages and channels for untagged articles, with the evidence.

Each piece of evidence gives a value a weight between 0 and 1; a value's
confidence combines them as independent signals (1 - Π(1 - w)), so two weak
signals that agree count for more than one. The evidence, strongest first:

- rules: a `[[tags.rules]]` entry adds the value (0.9);
- translation: the source article in the default locale has the value (0.85);
- links: tagged articles that link to this one, or that it links to, have it
  (up to 0.6, by the share of them that do);
- peers: tagged articles of the same type, or of the same section, have it
  (up to 0.6 and 0.5, by share; only with at least 3 such articles);
- words: the title or text uses words typical of a stage (`[tags] stage_words`;
  "pricing", "free trial" for prospective), up to 0.7;
- type: with too few tagged peers, kbtool's own defaults for the content type
  (troubleshooting articles serve the answer bot and agents...), 0.35.

Nothing is written: `tags set` records what the writer accepts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kbtool.tags.rules import TAG_FIELDS, TagPlan, compile_rules, phrase_pattern, plan_article

if TYPE_CHECKING:
    from kbtool.corpus import Article, Corpus

__all__ = ["Evidence", "Proposal", "Suggestion", "suggest_tags"]

RULE_WEIGHT = 0.9
TRANSLATION_WEIGHT = 0.85
LINK_WEIGHT = 0.6
TYPE_PEER_WEIGHT = 0.6
SECTION_PEER_WEIGHT = 0.5
TYPE_DEFAULT_WEIGHT = 0.35
MIN_PEERS = 3

# What a content type usually serves, when the knowledge base has too few tagged
# articles of that type to learn from.
TYPE_DEFAULTS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "how-to": {"stages": ("new", "experienced"), "channels": ("search", "in-product")},
    "troubleshooting": {"stages": ("experienced",), "channels": ("answer-bot", "agent", "search")},
    "faq": {"stages": ("prospective", "new"), "channels": ("answer-bot", "search")},
    "reference": {"stages": ("experienced",), "channels": ("search", "agent")},
    "concept": {"stages": ("prospective", "new"), "channels": ("search",)},
    "announcement": {"stages": ("experienced",), "channels": ("email",)},
}

_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)|href\s*=\s*[\"']([^\"']+)", re.IGNORECASE)


@dataclass(frozen=True)
class Evidence:
    kind: str  # rule, translation, links, type-peers, section-peers, words, type
    detail: str
    weight: float


@dataclass(frozen=True)
class Proposal:
    field: str  # stages or channels
    value: str
    confidence: float
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Suggestion:
    article: Article
    missing: tuple[str, ...]  # the fields the article has no value in
    proposals: tuple[Proposal, ...]  # strongest first

    def for_field(self, field: str) -> tuple[Proposal, ...]:
        return tuple(p for p in self.proposals if p.field == field)


def suggest_tags(
    corpus: Corpus,
    articles: Sequence[Article],
    *,
    every: bool = False,
    min_confidence: float = 0.3,
) -> list[Suggestion]:
    """Proposals for each of `articles` that lacks stages or channels (`every`: all of them).

    Proposals are only made for a field the article has no value in (with
    `every`, for values it does not have yet), within the taxonomy.
    """
    todo = [a for a in articles if every or not a.stages or not a.channels]
    if not todo:
        return []
    evidence = _EvidenceSources(corpus, todo)
    return [evidence.suggest(a, every=every, min_confidence=min_confidence) for a in todo]


class _EvidenceSources:
    """Everything evidence is drawn from, gathered once for all the articles in question."""

    def __init__(self, corpus: Corpus, todo: Sequence[Article]):
        config = corpus.config
        self.corpus = corpus
        self.allowed = {
            "stages": tuple(config.taxonomy.stages),
            "channels": tuple(config.taxonomy.channels),
        }
        self.rules = compile_rules(config)
        self.peers = _Peers(corpus.articles)
        self.links = _links_to(corpus, todo)
        self.by_rel = {a.rel_path: a for a in corpus.articles}
        self.words = {
            stage: pattern
            for stage, phrases in config.tags.stage_words.items()
            if (pattern := phrase_pattern(phrases)) is not None
        }

    def suggest(self, article: Article, *, every: bool, min_confidence: float) -> Suggestion:
        missing = tuple(f for f in TAG_FIELDS if every or not getattr(article, f))
        plan = plan_article(article, self.rules, taxonomy_order=self.allowed)
        # a value a rule removes is never proposed, whatever else speaks for it
        removed = {k for k in plan.decided_by if k[1] not in plan.after[k[0]]}
        found: dict[tuple[str, str], list[Evidence]] = {}
        for field, value, item in self._evidence(article, plan):
            if (
                field in missing
                and value in self.allowed[field]
                and value not in getattr(article, field)
                and (field, value) not in removed
            ):
                found.setdefault((field, value), []).append(item)
        proposals = []
        for (field, value), items in found.items():
            confidence = _combine(e.weight for e in items)
            if confidence >= min_confidence:
                ranked = tuple(sorted(items, key=lambda e: -e.weight))
                proposals.append(Proposal(field, value, round(confidence, 2), ranked))
        proposals.sort(key=lambda p: (TAG_FIELDS.index(p.field), -p.confidence, p.value))
        return Suggestion(article, missing, tuple(proposals))

    def _evidence(self, article: Article, plan: TagPlan) -> Iterator[tuple[str, str, Evidence]]:
        for hit in plan.hits:
            why = "; ".join(hit.reasons)
            for field in TAG_FIELDS:
                for value in hit.adds[field]:
                    if value in plan.after[field]:
                        yield (
                            field,
                            value,
                            Evidence("rule", f"rule '{hit.rule}' ({why})", RULE_WEIGHT),
                        )
        source = _source(self.corpus, article, self.by_rel)
        if source is not None:
            detail = f"the source article {source.rel_path} has it"
            for field in TAG_FIELDS:
                for value in getattr(source, field):
                    yield field, value, Evidence("translation", detail, TRANSLATION_WEIGHT)
        linked = [a for a in self.links.get(article.path, ()) if a.stages or a.channels]
        for field in TAG_FIELDS:
            tagged = [a for a in linked if getattr(a, field)]
            counts = Counter(v for a in tagged for v in set(getattr(a, field)))
            for value, n in counts.items():
                weight = LINK_WEIGHT * n / len(tagged) * min(1.0, len(tagged) / 2)
                detail = f"{n} of {len(tagged)} linked tagged article(s) have it"
                yield field, value, Evidence("links", detail, weight)
        for field in TAG_FIELDS:
            by_type = self.peers.share(field, "type", article)
            for value, (n, total) in by_type.items():
                detail = f"{n} of {total} tagged {article.type} articles have it"
                yield field, value, Evidence("type-peers", detail, TYPE_PEER_WEIGHT * n / total)
            for value, (n, total) in self.peers.share(field, "section", article).items():
                detail = f"{n} of {total} tagged articles in {article.section} have it"
                yield (
                    field,
                    value,
                    Evidence("section-peers", detail, SECTION_PEER_WEIGHT * n / total),
                )
            defaults = TYPE_DEFAULTS.get(article.type or "")
            if not by_type and defaults:
                detail = f"{article.type} articles usually serve it"
                for value in defaults[field]:
                    yield field, value, Evidence("type", detail, TYPE_DEFAULT_WEIGHT)
        title = article.title.lower()
        body = article.body.lower()
        for stage, pattern in self.words.items():
            in_title = {" ".join(m.group(0).split()) for m in pattern.finditer(title)}
            hits = in_title | {" ".join(m.group(0).split()) for m in pattern.finditer(body)}
            if hits:
                weight = min(0.7, 0.15 + 0.1 * len(hits) + (0.25 if in_title else 0.0))
                shown = ", ".join(f"'{w}'" for w in sorted(hits)[:4])
                yield "stages", stage, Evidence("words", f"words {shown}", round(weight, 2))


def _combine(weights: Iterable[float]) -> float:
    remaining = 1.0
    for weight in weights:
        remaining *= 1.0 - max(0.0, min(weight, 1.0))
    return 1.0 - remaining


class _Peers:
    """How often tagged articles of a type or section have each value."""

    def __init__(self, articles: Sequence[Article]):
        self._counts: dict[tuple[str, str, str], Counter[str]] = {}
        self._totals: Counter[tuple[str, str, str]] = Counter()
        for article in articles:
            for field in TAG_FIELDS:
                values = set(getattr(article, field))
                if not values:
                    continue
                for by in ("type", "section"):
                    key = (field, by, f"{article.locale}\0{getattr(article, by)}")
                    self._totals[key] += 1
                    self._counts.setdefault(key, Counter()).update(values)

    def share(self, field: str, by: str, article: Article) -> dict[str, tuple[int, int]]:
        key = (field, by, f"{article.locale}\0{getattr(article, by)}")
        total = self._totals[key]
        own = 1 if getattr(article, field) else 0  # the article itself is not its own peer
        if total - own < MIN_PEERS or getattr(article, by) is None:
            return {}
        counts = self._counts[key]
        mine = set(getattr(article, field))
        return {v: (n - (v in mine), total - own) for v, n in counts.items() if n - (v in mine) > 0}


def _source(corpus: Corpus, article: Article, by_rel: Mapping[str, Article]) -> Article | None:
    """The default-locale article `article` translates (by `translation_of` or same path)."""
    default = corpus.layout.default_locale
    if article.locale == default:
        return None
    if article.translation_of:
        found = corpus.get(default, article.translation_of)
        if found is not None:
            return found
    prefix = article.locale + "/"
    if article.rel_path.startswith(prefix):
        return by_rel.get(default + "/" + article.rel_path[len(prefix) :])
    return None


def _links_to(corpus: Corpus, todo: Sequence[Article]) -> dict[Path, list[Article]]:
    """For each article in `todo`: the articles it links to and that link to it."""
    from kbtool.links import LinkKind, link_index
    from kbtool.markdown import analyze

    index = link_index(corpus)
    wanted = {a.path: a for a in todo}
    names = {a.path.stem.lower() for a in todo}
    out: dict[Path, list[Article]] = {a.path: [] for a in todo}
    for article in corpus.articles:
        # a cheap look at what the links name before parsing the article properly
        if article.path not in wanted and not any(
            _stem(m.group(1) or m.group(2)) in names for m in _LINK.finditer(article.body)
        ):
            continue
        for link in analyze(article).links:
            if link.image or link.include:
                continue
            resolved = index.resolve(article, link.target)
            other = resolved.article
            if resolved.kind is not LinkKind.ARTICLE or other is None or other.path == article.path:
                continue
            if other.path in wanted and article not in out[other.path]:
                out[other.path].append(article)
            if article.path in wanted and other not in out[article.path]:
                out[article.path].append(other)
    return out


def _stem(target: str) -> str:
    name = target.split("#", 1)[0].split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0].lower() if "." in name else name.lower()
