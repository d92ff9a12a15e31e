"""The site's structure, from article metadata alone: URLs, translations, sections, related.

Nothing here reads a body: an incremental build builds the same model from the
previous build's manifest plus the articles that changed, and compares each
page's inputs to decide what to rewrite.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kbtool.links import MARKDOWN_SUFFIXES
from kbtool.site.paths import UrlRegistry, safe_segment

__all__ = [
    "Entry",
    "PageRef",
    "SectionInfo",
    "SiteModel",
    "build_model",
    "model_data",
    "model_from_data",
    "structure_key",
]

RESERVED = ("_static", "pagefind", "widgets", "_data", "media", "index.html", "404.html",
            "sitemap.xml", "robots.txt", "favicon.ico")  # fmt: skip
RELATED_MAX = 5
_COMMON_LABEL = 300  # labels on more articles than this say little about relatedness


@dataclass(frozen=True)
class Entry:
    """One article that the site publishes, as metadata."""

    key: str  # path relative to the articles folder: "en/account/reset-password.md"
    locale: str
    inner: str  # path inside the locale folder: "account/reset-password.md"
    id: str
    title: str
    description: str
    type: str
    section: str
    status: str
    stages: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    product_area: str = ""
    translation_of: str = ""
    last_reviewed: dt.date | None = None
    updated: dt.date | None = None  # last review, else last edit
    links: tuple[str, ...] = ()  # keys of article files its body links to (found or not)
    content_hash: str = ""


@dataclass(frozen=True)
class SectionInfo:
    key: str
    locale: str
    title: str
    description: str
    position: int
    url: str
    groups: tuple[str, ...]  # article groups listed, in order


@dataclass(frozen=True)
class PageRef:
    """An article as a page of one locale tree: its own translation or a fallback copy."""

    group: str
    locale: str  # the tree the page is in
    url: str
    entry: Entry  # the article shown (in another locale for a fallback)

    @property
    def fallback(self) -> bool:
        return self.entry.locale != self.locale


@dataclass
class SiteModel:
    locales: tuple[str, ...]
    default_locale: str
    entries: dict[str, Entry]
    group_of: dict[str, str]  # entry key -> group key
    pages: dict[tuple[str, str], PageRef]  # (group, locale) -> page
    homes: dict[str, str]  # locale -> URL
    contact: dict[str, str]
    search: dict[str, str]
    sections: dict[tuple[str, str], SectionInfo]
    related: dict[str, tuple[str, ...]] = field(default_factory=dict)  # group -> groups
    popular: tuple[str, ...] = ()  # groups

    def page(self, group: str, locale: str) -> PageRef | None:
        return self.pages.get((group, locale))

    def page_of_key(self, key: str, locale: str) -> PageRef | None:
        """The page in tree `locale` for the article at `key` (for links between articles)."""
        group = self.group_of.get(key)
        if group is None:
            return None
        return self.pages.get((group, locale)) or self.pages.get((group, self.entries[key].locale))

    def translations(self, group: str) -> dict[str, PageRef]:
        return {loc: p for loc in self.locales if (p := self.pages.get((group, loc)))}

    def section_of(self, page: PageRef) -> SectionInfo | None:
        return self.sections.get((page.locale, page.entry.section))


def structure_key(entry: Entry) -> tuple[object, ...]:
    """The fields of `entry` that `build_model` reads: equal keys, equal structure.

    When only other fields of some entries change (their body, description,
    dates, type, stages, product area), every URL, translation group, section
    listing order and related list stays as it was, and the previous build's
    model can be reused with the new entries in place of the old.
    """
    return (
        entry.key,
        entry.locale,
        entry.inner,
        entry.id,
        entry.translation_of,
        entry.title,
        entry.section,
        entry.status,
        entry.labels,
        entry.links,
    )


def model_data(model: SiteModel) -> dict[str, Any]:
    """`model` as compact JSON-ready data: entries (stored apart) and groups by number."""
    keys = sorted(model.entries)
    number = {key: n for n, key in enumerate(keys)}
    return {
        "locales": list(model.locales),
        "default_locale": model.default_locale,
        "keys": keys,
        "group_of": [number[model.group_of[key]] for key in keys],
        "pages": [
            [number[p.group], p.locale, p.url, number[p.entry.key]] for p in model.pages.values()
        ],
        "homes": model.homes,
        "contact": model.contact,
        "search": model.search,
        "sections": [
            [s.locale, s.key, s.title, s.description, s.position, s.url]
            + [number[g] for g in s.groups]
            for s in model.sections.values()
        ],
        "related": [
            [number[group], *(number[o] for o in others)] for group, others in model.related.items()
        ],
        "popular": [number[g] for g in model.popular],
    }


def model_from_data(data: Mapping[str, Any], entries: Mapping[str, Entry]) -> SiteModel:
    """The model `model_data` described, with `entries` (which must have its keys).

    Raises KeyError, IndexError, TypeError or ValueError for data that does not fit.
    """
    keys: list[str] = data["keys"]
    if len(keys) != len(entries):
        raise ValueError("the model's entries differ from the given ones")
    by_number = [entries[key] for key in keys]
    pages: dict[tuple[str, str], PageRef] = {}
    for group, locale, url, n in data["pages"]:
        pages[(keys[group], locale)] = PageRef(keys[group], locale, url, by_number[n])
    sections: dict[tuple[str, str], SectionInfo] = {}
    for loc, key, title, description, position, url, *groups in data["sections"]:
        sections[(loc, key)] = SectionInfo(
            key, loc, title, description, position, url, tuple(keys[g] for g in groups)
        )
    return SiteModel(
        locales=tuple(data["locales"]),
        default_locale=str(data["default_locale"]),
        entries={key: entries[key] for key in keys},
        group_of={key: keys[g] for key, g in zip(keys, data["group_of"], strict=True)},
        pages=pages,
        homes=dict(data["homes"]),
        contact=dict(data["contact"]),
        search=dict(data["search"]),
        sections=sections,
        related={keys[g]: tuple(keys[o] for o in others) for g, *others in data["related"]},
        popular=tuple(keys[g] for g in data["popular"]),
    )


def _url_path(inner: str) -> str:
    for suffix in MARKDOWN_SUFFIXES:
        if inner.lower().endswith(suffix):
            return inner[: -len(suffix)]
    return inner


def build_model(
    entries: Iterable[Entry],
    *,
    locales: Sequence[str],
    default_locale: str,
    section_meta: Mapping[tuple[str, str], tuple[str, str, int]],
    popular_ids: Sequence[str] = (),
    fallback: bool = True,
) -> SiteModel:
    """URLs, translation groups, fallback pages, sections and related articles.

    `section_meta` maps (locale, section key) to (title, description, position).
    """
    by_key = {e.key: e for e in sorted(entries, key=lambda e: e.key)}
    trees = tuple(dict.fromkeys([*locales, *(e.locale for e in by_key.values())]))
    if default_locale not in trees and by_key:
        trees = (default_locale, *trees)
    registry = UrlRegistry(RESERVED)
    seg = {loc: safe_segment(loc, fallback="locale") for loc in trees}
    homes = {loc: registry.claim(seg[loc]) for loc in trees}

    # translation groups: a translation joins its source's group
    source_by_id: dict[str, Entry] = {}
    source_by_inner: dict[str, Entry] = {}
    for e in by_key.values():
        if e.locale == default_locale:
            source_by_id.setdefault(e.id, e)
            source_by_inner.setdefault(e.inner, e)
    group_of: dict[str, str] = {}
    members: dict[str, dict[str, Entry]] = defaultdict(dict)
    for e in by_key.values():
        source: Entry | None = e if e.locale == default_locale else None
        if source is None:
            if e.translation_of:
                source = source_by_id.get(e.translation_of)
            else:
                source = source_by_inner.get(e.inner) or source_by_id.get(e.id)
        group = source.key if source is not None else e.key
        if e.locale in members[group]:  # two translations of one source: keep both apart
            group = e.key
        group_of[e.key] = group
        members[group][e.locale] = e

    pages: dict[tuple[str, str], PageRef] = {}
    for e in by_key.values():
        url = registry.claim(f"{homes[e.locale]}{_url_path(e.inner)}")
        pages[(group_of[e.key], e.locale)] = PageRef(group_of[e.key], e.locale, url, e)
    if fallback:
        for group, found in members.items():
            source = found.get(default_locale)
            if source is None:
                continue
            for loc in trees:
                if loc not in found:
                    url = registry.claim(f"{homes[loc]}{_url_path(source.inner)}")
                    pages[(group, loc)] = PageRef(group, loc, url, source)

    sections: dict[tuple[str, str], SectionInfo] = {}
    listed: dict[tuple[str, str], list[PageRef]] = defaultdict(list)
    for page in pages.values():
        listed[(page.locale, page.entry.section)].append(page)
    for (loc, key), refs in sorted(listed.items()):
        title, description, position = section_meta.get(
            (loc, key), section_meta.get((default_locale, key), (_humanize(key), "", 1000))
        )
        refs.sort(key=lambda p: (p.fallback, p.entry.title.casefold(), p.url))
        sections[(loc, key)] = SectionInfo(
            key=key,
            locale=loc,
            title=title,
            description=description,
            position=position,
            url=registry.claim(f"{homes[loc]}{safe_segment(key, fallback='section')}"),
            groups=tuple(p.group for p in refs),
        )
    contact = {loc: registry.claim(f"{homes[loc]}contact") for loc in trees}
    search = {loc: registry.claim(f"{homes[loc]}search") for loc in trees}
    model = SiteModel(
        locales=trees,
        default_locale=default_locale,
        entries=by_key,
        group_of=group_of,
        pages=pages,
        homes=homes,
        contact=contact,
        search=search,
        sections=sections,
    )
    model.related = _related(model, members)
    model.popular = _popular(popular_ids, by_key.values(), group_of, default_locale)
    return model


def _humanize(key: str) -> str:
    words = key.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else key


def _popular(
    ids: Sequence[str], entries: Iterable[Entry], group_of: Mapping[str, str], default: str
) -> tuple[str, ...]:
    by_id: dict[str, str] = {}
    for e in entries:
        if e.locale == default or e.id not in by_id:
            by_id[e.id] = group_of[e.key]
    return tuple(dict.fromkeys(by_id[i] for i in ids if i in by_id))


def _related(
    model: SiteModel, members: Mapping[str, Mapping[str, Entry]]
) -> dict[str, tuple[str, ...]]:
    """Per group, up to five others: shared labels, links either way, then the same section."""
    primary = {
        group: found.get(model.default_locale) or next(iter(found.values()))
        for group, found in members.items()
    }
    by_label: dict[tuple[str, str], list[str]] = defaultdict(list)
    by_section: dict[tuple[str, str], list[str]] = defaultdict(list)
    for group, e in primary.items():
        for label in {lab.casefold() for lab in e.labels}:
            by_label[(e.locale, label)].append(group)
        by_section[(e.locale, e.section)].append(group)
    sibling_at: dict[str, int] = {}
    for siblings in by_section.values():
        for n, group in enumerate(siblings):
            sibling_at[group] = n
    linked: dict[str, set[str]] = defaultdict(set)
    for group, e in primary.items():
        for target in e.links:
            other = model.group_of.get(target)
            if other is not None and other != group:
                linked[group].add(other)
                linked[other].add(group)
    out: dict[str, tuple[str, ...]] = {}
    for group, e in primary.items():
        scores: dict[str, float] = defaultdict(float)
        for label in {lab.casefold() for lab in e.labels}:
            posting = by_label[(e.locale, label)]
            if len(posting) <= _COMMON_LABEL:
                for other in posting:
                    scores[other] += 2.0
        for other in linked.get(group, ()):
            scores[other] += 3.0
        siblings = by_section[(e.locale, e.section)]
        for other in list(scores):
            if primary[other].section == e.section:
                scores[other] += 1.0
        scores.pop(group, None)
        ranked = sorted(scores, key=lambda g: (-scores[g], primary[g].title.casefold(), g))
        chosen = ranked[:RELATED_MAX]
        if len(chosen) < RELATED_MAX and len(siblings) > 1:
            # fill with the neighbours in the section's listing order
            at = sibling_at[group]
            for step in range(1, len(siblings)):
                other = siblings[(at + step) % len(siblings)]
                if len(chosen) >= RELATED_MAX:
                    break
                if other not in chosen:
                    chosen.append(other)
        out[group] = tuple(chosen)
    return out


def join_url(base: str, url: str) -> str:
    """An absolute URL for site URL `url` under `base` (`https://help.example/`)."""
    return posixpath.join(base.rstrip("/") + "/", url) if base else url
