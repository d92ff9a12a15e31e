"""Tagging rules: which `[[tags.rules]]` match an article, and what they add or remove.

A rule matches when every criterion it gives matches (path glob, section, type,
locale, labels, raw front-matter values, words in the title or body); within a
criterion any one value is enough. Matching rules are applied in order: each
removes what it says to remove, then adds its stages and channels. A value the
writer set by hand is only ever removed by a rule that names it in
`remove_stages` / `remove_channels`. The result does not depend on the tags an
article has, only on the article, so applying the rules twice changes nothing
the second time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from kbtool.corpus.discover import glob_match

if TYPE_CHECKING:
    from kbtool.config import Config, TagRuleConfig
    from kbtool.corpus import Article

__all__ = [
    "TAG_FIELDS",
    "RuleHit",
    "TagPlan",
    "TagRule",
    "compile_rules",
    "phrase_pattern",
    "plan_article",
    "plan_tags",
]

TAG_FIELDS = ("stages", "channels")


def phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """One regex finding any of `phrases` as whole words in lower-cased text.

    Spaces inside a phrase match any run of white space. Word boundaries are only
    required where the phrase starts or ends with a letter or digit of a script
    that separates words by spaces: `密码` is found inside `重置密码`.
    """
    parts = []
    for phrase in sorted({p.strip().lower() for p in phrases if p.strip()}, key=len, reverse=True):
        body = r"\s+".join(re.escape(word) for word in phrase.split())
        if _spaced_word_char(phrase[0]):
            body = r"(?<!\w)" + body
        if _spaced_word_char(phrase[-1]):
            body += r"(?!\w)"
        parts.append(body)
    return re.compile("|".join(parts)) if parts else None


def _spaced_word_char(char: str) -> bool:
    # CJK ideographs, kana and Hangul are written without spaces between words
    return char.isalnum() and not (
        "\u2e80" <= char <= "\u9fff" or "\uac00" <= char <= "\ud7af" or "\uf900" <= char <= "\ufaff"
    )


@dataclass(frozen=True)
class TagRule:
    """A `[[tags.rules]]` entry ready to match articles."""

    index: int  # 1-based position in the configuration
    name: str
    spec: TagRuleConfig
    words: re.Pattern[str] | None
    title_words: re.Pattern[str] | None

    @cached_property
    def _labels(self) -> frozenset[str]:
        return frozenset(label.strip().lower() for label in self.spec.labels)

    @cached_property
    def adds(self) -> Mapping[str, tuple[str, ...]]:
        return MappingProxyType({"stages": self.spec.stages, "channels": self.spec.channels})

    @cached_property
    def removes(self) -> Mapping[str, tuple[str, ...]]:
        return MappingProxyType(
            {"stages": self.spec.remove_stages, "channels": self.spec.remove_channels}
        )

    def match(self, article: Article, text: _Text) -> tuple[str, ...] | None:
        """Why the rule matches `article` (one reason per criterion), or None."""
        spec = self.spec
        reasons: list[str] = []
        if spec.locale:
            if article.locale not in spec.locale:
                return None
            reasons.append(f"locale {article.locale}")
        if spec.section:
            if article.section not in spec.section:
                return None
            reasons.append(f"section {article.section}")
        if spec.type:
            if article.type not in spec.type:
                return None
            reasons.append(f"type {article.type}")
        if spec.path:
            pattern = next(
                (p for p in spec.path if any(glob_match(c, p) for c in text.paths)), None
            )
            if pattern is None:
                return None
            reasons.append(f"path {pattern}")
        if spec.labels:
            label = next((x for x in article.labels if x.strip().lower() in self._labels), None)
            if label is None:
                return None
            reasons.append(f"label '{label}'")
        for key, patterns in spec.meta.items():
            value = _meta_match(article.meta.get(key), patterns)
            if value is None:
                return None
            reasons.append(f"{key}: {value if len(value) <= 40 else value[:39] + '…'}")
        if self.title_words is not None:
            found = self.title_words.search(text.title)
            if found is None:
                return None
            reasons.append(f"title has '{found.group(0)}'")
        if self.words is not None:
            found = self.words.search(text.title)
            where = "title"
            if found is None:
                found = self.words.search(text.body)
                where = "text"
            if found is None:
                return None
            reasons.append(f"{where} has '{' '.join(found.group(0).split())}'")
        if not reasons:
            reasons.append("every article")
        return tuple(reasons)


def _meta_match(raw: Any, patterns: Sequence[str]) -> str | None:
    """The raw front-matter value (or list item) that one of the globs matches."""
    if raw is None:
        return None
    items = raw if isinstance(raw, list) else [raw]
    for item in items:
        if item is None or isinstance(item, (dict, list)):
            continue
        text = str(item).strip()
        if not text:
            continue
        folded = text.lower()
        if any(fnmatchcase(folded, p.strip().lower()) for p in patterns):
            return text
    return None


class _Text:
    """An article's title, body (lower-cased once, for every rule) and glob candidates."""

    __slots__ = ("_article", "_body", "paths", "title")

    def __init__(self, article: Article):
        self._article = article
        self._body: str | None = None
        self.title = article.title.lower()
        rel = article.rel_path
        prefix = article.locale + "/"
        # globs match the path in the articles folder or in the locale folder, as `[kb] exclude`
        self.paths = (rel, rel[len(prefix) :]) if rel.startswith(prefix) else (rel,)

    @property
    def body(self) -> str:
        if self._body is None:
            self._body = self._article.body.lower()
        return self._body


def compile_rules(config: Config) -> tuple[TagRule, ...]:
    """The configured rules, in order, with their word patterns compiled once."""
    return tuple(
        TagRule(
            index=i,
            name=spec.name.strip() or f"rule {i}",
            spec=spec,
            words=phrase_pattern(spec.words),
            title_words=phrase_pattern(spec.title_words),
        )
        for i, spec in enumerate(config.tags.rules, start=1)
    )


@dataclass(frozen=True)
class RuleHit:
    """One rule that matched an article: why, and what it adds and removes."""

    rule: str
    index: int
    reasons: tuple[str, ...]
    adds: Mapping[str, tuple[str, ...]]
    removes: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class TagPlan:
    """What the rules do to one article's stages and channels."""

    article: Article
    before: Mapping[str, tuple[str, ...]]  # field -> values now
    after: Mapping[str, tuple[str, ...]]  # field -> values once the rules are applied
    hits: tuple[RuleHit, ...]
    # (field, value) -> name of the rule that decided it (the last one that added or removed it)
    decided_by: Mapping[tuple[str, str], str]

    @property
    def changed(self) -> bool:
        return any(self.before[f] != self.after[f] for f in TAG_FIELDS)

    def added(self, field: str) -> tuple[str, ...]:
        return tuple(v for v in self.after[field] if v not in self.before[field])

    def removed(self, field: str) -> tuple[str, ...]:
        return tuple(v for v in self.before[field] if v not in self.after[field])

    @property
    def missing(self) -> bool:
        """Does the article lack a tag the rules imply?"""
        return any(self.added(f) for f in TAG_FIELDS)


def plan_article(
    article: Article, rules: Sequence[TagRule], *, taxonomy_order: Mapping[str, Sequence[str]]
) -> TagPlan:
    """Apply `rules` to `article` in memory."""
    return _plan(article, rules, _ranks(taxonomy_order))


def _ranks(order: Mapping[str, Sequence[str]]) -> dict[str, dict[str, int]]:
    return {field: {v: i for i, v in enumerate(order.get(field, ()))} for field in TAG_FIELDS}


def _plan(
    article: Article, rules: Sequence[TagRule], ranks: Mapping[str, dict[str, int]]
) -> TagPlan:
    text = _Text(article)
    before = {f: tuple(dict.fromkeys(getattr(article, f))) for f in TAG_FIELDS}
    current = {f: list(before[f]) for f in TAG_FIELDS}
    hits: list[RuleHit] = []
    decided: dict[tuple[str, str], str] = {}
    for rule in rules:
        reasons = rule.match(article, text)
        if reasons is None:
            continue
        hits.append(RuleHit(rule.name, rule.index, reasons, rule.adds, rule.removes))
        for field in TAG_FIELDS:
            values = current[field]
            for value in rule.removes[field]:
                decided[(field, value)] = rule.name
                if value in values:
                    values.remove(value)
            added = rule.adds[field]
            if not added:
                continue
            new = [v for v in dict.fromkeys(added) if v not in values]
            for value in added:
                decided[(field, value)] = rule.name
            if len(new) > 1:
                rank = ranks[field]
                new.sort(key=lambda v: rank.get(v, len(rank)))  # taxonomy order
            values.extend(new)
    return TagPlan(
        article=article,
        before=before,
        after={f: tuple(current[f]) for f in TAG_FIELDS},
        hits=tuple(hits),
        decided_by=decided,
    )


def plan_tags(articles: Iterable[Article], config: Config) -> list[TagPlan]:
    """The plan of every article (in the order given), whether or not a rule matches it."""
    rules = compile_rules(config)
    ranks = _ranks(
        {"stages": tuple(config.taxonomy.stages), "channels": tuple(config.taxonomy.channels)}
    )
    return [_plan(a, rules, ranks) for a in articles]
