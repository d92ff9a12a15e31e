"""`kbtool build`: the static help site, built whole or incrementally.

A full build renders every page into a temporary folder beside the output and
swaps it in (the old site stays intact until the new one is complete). A later
build compares the sources with the previous build's manifest
(`.kbtool/site/manifest-<hash>.json`): it reads only the articles that changed,
rebuilds the site model from the manifest's metadata, and rewrites only the
pages whose inputs changed (each file replaced atomically), then the sitemap,
widget data, suggestion index and the search index.

The output folder carries a marker file (`.kbtool-site`); a folder without one
is never deleted or written into, and no output path can leave it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from glob import escape as glob_escape
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import orjson

from kbtool import __version__
from kbtool.errors import ConfigError, InputError, KbError
from kbtool.links import unsafe_scheme
from kbtool.site import seo
from kbtool.site.i18n import html_lang, language_name, strings, text_direction
from kbtool.site.model import (
    Entry,
    PageRef,
    SectionInfo,
    SiteModel,
    build_model,
    join_url,
    model_data,
    model_from_data,
    structure_key,
)
from kbtool.site.paths import output_file, safe_path
from kbtool.site.render import LinkTarget, RenderedBody

if TYPE_CHECKING:
    from jinja2 import BytecodeCache, Environment

    from kbtool.config import Config
    from kbtool.corpus import Article, Corpus
    from kbtool.corpus.loader import Found
    from kbtool.links import LinkIndex
    from kbtool.site.bodies import BodyCache

__all__ = ["MARKER", "BuildResult", "build_site"]

MARKER = ".kbtool-site"
MANIFEST_VERSION = 3
THEME = Path(__file__).parent / "theme"
SCHEMA_VERSION = 1
_COLOR_KEYS = frozenset(
    {"accent", "accent-fg", "bg", "fg", "muted", "line", "soft", "note", "warn", "focus"}
)
_COLOR_VALUE = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|(rgb|hsl)a?\([0-9.,%\s/]+\))$")
_SVG_SCRIPT = re.compile(rb"<script|\son\w+\s*=|javascript:|<foreignObject", re.IGNORECASE)

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class BuildResult:
    """What a build did."""

    out: Path
    incremental: bool
    articles: int  # articles published (pages of their own)
    pages: int  # HTML pages on the site
    written: int  # HTML pages written by this build
    removed: int  # pages removed (incremental)
    locales: tuple[str, ...]
    search_index: bool  # the Pagefind index was (re)built
    seconds: float
    warnings: tuple[str, ...] = ()
    problems: int = 0  # files that could not be loaded as articles
    rendered: int = 0  # article bodies rendered (the others were kept from an earlier build)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["out"] = str(self.out)
        data["locales"] = list(self.locales)
        data["warnings"] = list(self.warnings)
        return {"schema": "kbtool.build/1", "schema_version": SCHEMA_VERSION, **data}


@dataclass
class _Page:
    url: str
    template: str
    locale: str
    _context: dict[str, Any] | None = None
    ref: PageRef | None = None  # article pages
    indexed: bool = False
    fingerprint: str = ""
    make: Callable[[], dict[str, Any]] | None = None  # builds the context when first needed

    @property
    def context(self) -> dict[str, Any]:
        if self._context is None:
            assert self.make is not None
            self._context = self.make()
        return self._context


@dataclass
class _State:
    """What the manifest carries from one build to the next."""

    build_id: str = ""
    settings: str = ""
    files: dict[str, list[int]] = field(default_factory=dict)  # rel -> [size, mtime_ns]
    sections: dict[str, list[int]] = field(default_factory=dict)
    articles: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> entry + flags
    pages: dict[str, str] = field(default_factory=dict)  # url -> fingerprint
    indexed: list[str] = field(default_factory=list)  # urls in the search index
    media: dict[str, str] = field(default_factory=dict)  # source rel -> url
    model: dict[str, Any] | None = None  # the site model (`model_data`), entries apart
    search_stale: bool = False  # indexed pages changed in a build without the search index


# ----------------------------------------------------------------------------- entry point


def build_site(
    config: Config,
    *,
    out: Path | None = None,
    base_url: str | None = None,
    locales: Iterable[str] = (),
    drafts: bool = False,
    clean: bool = False,
    search: bool = True,
    live_reload: bool = False,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the site of `config`'s knowledge base into `out` (default `[site] output_dir`).

    Incremental when the previous build's manifest matches the settings, unless
    `clean`. Raises KbError for an unusable output folder or configuration.
    """
    started = time.perf_counter()
    target = (out if out is not None else config.root / config.site.output_dir).absolute()
    _check_output(target, config)
    base = (base_url if base_url is not None else config.kb.base_url).strip()
    if base and not re.match(r"^https?://[^\s/]+", base):
        raise ConfigError(f"base URL must start with http:// or https://: {base!r}")
    builder = _Builder(
        config,
        out=target,
        base_url=base.rstrip("/") + "/" if base else "",
        locales=tuple(locales),
        drafts=drafts,
        search=search,
        live_reload=live_reload,
        progress=progress,
    )
    builder.reuse_bodies = not clean
    with _lock(target):
        _sweep(target)
        return builder.run(clean=clean, started=started)


def _check_output(out: Path, config: Config) -> None:
    """Refuse an output folder that is not ours or would swallow the sources."""
    root = config.root.absolute()
    articles = config.articles_path.absolute()
    if out == root or root.is_relative_to(out):
        raise InputError(
            "the site folder would contain the knowledge base; choose another", path=out
        )
    if out.is_relative_to(articles):
        raise InputError("the site folder must not be inside the articles folder", path=out)
    if out.exists() or out.is_symlink():
        if out.is_symlink() or not out.is_dir():
            raise InputError("exists and is not a folder; not replaced", path=out)
        if not (out / MARKER).is_file() and any(out.iterdir()):
            raise InputError(
                f"folder is not empty and was not made by kbtool build (no {MARKER}); not replaced",
                path=out,
            )


class _lock:
    """One build per output folder at a time (a lock file beside it)."""

    def __init__(self, out: Path) -> None:
        self.path = out.parent / f".{out.name}.kbtool-lock"
        self.fd = -1

    def __enter__(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            import fcntl

            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - Windows: no advisory locks
            pass

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)


# ----------------------------------------------------------------------------- builder


class _Builder:
    def __init__(
        self,
        config: Config,
        *,
        out: Path,
        base_url: str,
        locales: tuple[str, ...],
        drafts: bool,
        search: bool,
        live_reload: bool,
        progress: Progress | None,
    ) -> None:
        self.config = config
        self.out = out
        self.base_url = base_url
        self.only_locales = locales
        self.drafts = drafts
        self.search = search
        self.live_reload = live_reload
        self.progress = progress
        self.warnings: list[str] = []
        self.overrides = config.root / "templates" / "site"
        self.manifest_path = (
            config.root
            / ".kbtool"
            / "site"
            / f"manifest-{hashlib.sha1(str(out).encode()).hexdigest()[:12]}.json"
        )
        self.bodies: dict[str, RenderedBody] = {}
        self.articles: dict[str, Article] = {}
        self.media: dict[str, str] = {}
        self._links: tuple[Corpus, LinkIndex] | None = None
        self._filter_cache: tuple[SiteModel, dict[str, tuple[set[str], ...]]] | None = None
        self._bodies_opened: tuple[BodyCache | None] | None = None
        self.reuse_bodies = True  # not for --clean: that renders every article again
        self.rendered = 0

    # ------------------------------------------------------------------ orchestration

    def run(self, *, clean: bool, started: float) -> BuildResult:
        from kbtool.corpus.loader import find_files

        found = find_files(self.config)
        layout, files, section_files = found.layout, found.files, found.sections
        stats = {rel: _stat(path) for rel, path in files}
        section_stats = {rel: _stat(path) for rel, path in section_files}
        settings = self._settings()
        previous = None if clean else self._load_manifest(settings)
        if previous is not None and previous.sections != section_stats:
            previous = None
        reused: SiteModel | None = None
        if previous is None:
            corpus = self._load_full(found)
            state = _State(settings=settings, files=stats, sections=section_stats)
            entries = self._entries_full(corpus, state)
            incremental = False
            changed: dict[str, tuple[Entry | None, Entry | None]] = {}
        else:
            same_files = previous.files.keys() == stats.keys()
            corpus, entries, changed = self._load_incremental(
                previous, files, section_files, stats, layout
            )
            if same_files:
                reused = self._reused_model(previous, entries, changed)
            state = previous
            state.files = stats
            incremental = True
        self.corpus = corpus
        if reused is not None:
            model = reused
        else:
            model = build_model(
                entries,
                locales=tuple(loc for loc in corpus.locales if self._wanted(loc)) or corpus.locales,
                default_locale=corpus.layout.default_locale,
                section_meta={
                    key: (s.title, s.description, s.position) for key, s in corpus.sections.items()
                },
                popular_ids=self.config.site.popular,
            )
        self.model = model
        if reused is not None:
            # the structure is as it was: only pages that show a changed entry may differ
            pages = self._pages(model, only={k for k, (old, new) in changed.items() if old != new})
            fingerprints = {**state.pages, **{p.url: p.fingerprint for p in pages}}
            indexed = state.indexed
        else:
            pages = self._pages(model)
            fingerprints = {p.url: p.fingerprint for p in pages}
            indexed = sorted(p.url for p in pages if p.indexed)
        new_build = _new_id()
        if incremental:
            written, removed, indexed_changed = self._write_incremental(pages, state, fingerprints)
        else:
            written, removed, indexed_changed = len(pages), 0, True
        state.pages = fingerprints
        state.indexed = indexed
        state.model = model_data(model) if reused is None else state.model
        state.media = dict(self.media)
        state.build_id = new_build
        search_built = False
        if incremental:
            pairs = [(o, n) for o, n in changed.values() if o is not None and n is not None]
            self._write_site_files(self.out, model, changed=pairs if reused is not None else None)
            stale = indexed_changed or state.search_stale
            if self.search and stale:
                search_built = self._pagefind(self.out, swap=True, indexed=state.indexed)
            state.search_stale = stale and not search_built
            (self.out / MARKER).write_text(self._marker(new_build), encoding="utf-8")
        else:
            tmp = self.out.parent / f".{self.out.name}.kbtool-new-{os.getpid()}"
            if tmp.exists():
                shutil.rmtree(tmp)
            tmp.mkdir(parents=True)
            run: _Indexing | None = None
            try:
                # the indexed pages first, so that Pagefind runs while the rest is written
                self._write_pages(tmp, [p for p in pages if p.indexed])
                if self.search:
                    run = self._start_pagefind(tmp, swap=False, indexed=indexed, complete=False)
                self._write_pages(tmp, [p for p in pages if not p.indexed])
                self._write_site_files(tmp, model)
                if self.search:
                    if run is None:
                        search_built = self._pagefind(tmp, swap=False, indexed=indexed)
                    else:
                        search_built = self._finish_pagefind(run)
                state.search_stale = not search_built
                (tmp / MARKER).write_text(self._marker(new_build), encoding="utf-8")
                _swap(tmp, self.out)
            except BaseException:
                if run is not None and run.process is not None and run.process.poll() is None:
                    run.process.kill()
                    run.process.wait()
                shutil.rmtree(tmp, ignore_errors=True)
                raise
        self._save_manifest(state)
        return BuildResult(
            out=self.out,
            incremental=incremental,
            articles=len(model.entries),
            pages=len(fingerprints) + 2,  # + 404.html and the language index
            written=written,
            removed=removed,
            locales=model.locales,
            search_index=search_built,
            seconds=round(time.perf_counter() - started, 3),
            warnings=tuple(dict.fromkeys(self.warnings)),
            problems=len([p for p in corpus.problems if p.severity >= 3]),
            rendered=self.rendered,
        )

    def _wanted(self, locale: str) -> bool:
        return not self.only_locales or locale in self.only_locales

    def _marker(self, build_id: str) -> str:
        return json.dumps({"generator": f"kbtool {__version__}", "build": build_id}) + "\n"

    def _tick(self, what: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(what, done, total)

    # ------------------------------------------------------------------ loading

    def _settings(self) -> str:
        """A hash of everything besides the articles that shapes every page."""
        digest = hashlib.sha256()
        digest.update(f"{__version__}|{MANIFEST_VERSION}".encode())
        config = self.config.to_dict()
        config.pop("lint", None)
        config.pop("review", None)
        digest.update(json.dumps(config, sort_keys=True, default=str).encode())
        digest.update(
            json.dumps(
                [self.base_url, self.only_locales, self.drafts, self.live_reload, str(self.out)]
            ).encode()
        )
        for folder in (THEME, self.overrides):
            if folder.is_dir():
                for path in sorted(folder.rglob("*")):
                    if path.is_file():
                        digest.update(path.as_posix().encode())
                        digest.update(path.read_bytes())
        logo = self.config.site.logo
        if logo and (self.config.root / logo).is_file():
            digest.update((self.config.root / logo).read_bytes())
        return digest.hexdigest()

    def _load_manifest(self, settings: str) -> _State | None:
        try:
            marker = orjson.loads((self.out / MARKER).read_bytes())
            data = orjson.loads(self.manifest_path.read_bytes())
        except (OSError, ValueError):
            return None
        if (
            not isinstance(data, dict)
            or data.get("version") != MANIFEST_VERSION
            or data.get("entry_fields") != list(_ENTRY_FIELDS)
            or data.get("settings") != settings
            or data.get("build_id") != marker.get("build")
        ):
            return None
        state = _State()
        names = ("build_id", "settings", "files", "sections", "articles", "pages", "media")
        for name in (*names, "search_stale", "model"):
            setattr(state, name, data.get(name, getattr(state, name)))
        state.indexed = list(data.get("indexed", []))
        return state

    def _save_manifest(self, state: _State) -> None:
        from kbtool.corpus.edit import write_atomic

        # not asdict(): it deep-copies ten thousand entries for nothing
        data = {"version": MANIFEST_VERSION, "entry_fields": _ENTRY_FIELDS, **vars(state)}
        self.manifest_path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.manifest_path, orjson.dumps(data, default=str))

    def _load_full(self, found: Found) -> Corpus:
        from kbtool.corpus import load_corpus

        self._tick("Loading articles", 0, 1)
        if not self.reuse_bodies:  # --clean: nothing from earlier runs
            return load_corpus(self.config, found=found)
        from kbtool.corpus.cache import CorpusCache

        # the knowledge base's cache, which every command shares: unchanged files are not parsed
        cache = CorpusCache.open(self.config.root)
        return load_corpus(self.config, cache=cache, found=found)

    def _published(self, article: Article) -> bool:
        if article.status == "published":
            return True
        return self.drafts and article.status == "draft"

    def _entries_full(self, corpus: Corpus, state: _State) -> list[Entry]:
        index = self._link_index(corpus)
        default = corpus.layout.default_locale
        wanted = [
            a
            for a in corpus.articles
            if self._published(a) and (self._wanted(a.locale) or a.locale == default)
        ]
        self._tick("Rendering articles", 0, len(wanted))
        kept = self._kept_bodies(wanted, index)
        todo = [a for a in wanted if a.rel_path not in kept]

        def render_chunk(start: int, stop: int) -> list[RenderedBody]:
            return [self._render(article, index) for article in todo[start:stop]]

        rendered = _in_parallel(len(todo), render_chunk)
        self.rendered += len(rendered)
        fresh = dict(zip([a.rel_path for a in todo], rendered, strict=True))
        self._keep_bodies(todo, fresh, full=True)
        entries: list[Entry] = []
        for article in wanted:
            body = kept.get(article.rel_path) or fresh[article.rel_path]
            self.bodies[article.rel_path] = body
            self.articles[article.rel_path] = article
            entries.append(_entry(article, body, article.last_edited))
        by_key = {e.key: e for e in entries}
        for article in corpus.articles:
            state.articles[article.rel_path] = _entry_data(by_key.get(article.rel_path), article)
        return entries

    def _kept_bodies(self, articles: list[Article], index: LinkIndex) -> dict[str, RenderedBody]:
        """The bodies of `articles` rendered by an earlier build and still valid, by path."""
        from kbtool.site.render import still_resolves

        cache = self._body_cache()
        if cache is None or not self.reuse_bodies:
            return {}
        found = {}
        for article in articles:
            body = cache.get(cache.key(article.rel_path, _content_key(article)))
            if body is not None and still_resolves(
                body,
                article,
                index,
                articles_root=self.config.articles_path,
                root=self.config.root,
            ):
                found[article.rel_path] = body
        return found

    def _keep_bodies(
        self, articles: list[Article], bodies: Mapping[str, RenderedBody], *, full: bool
    ) -> None:
        """Keep the bodies just rendered for later builds (`full`: drop every other one)."""
        cache = self._body_cache()
        if cache is None:
            return
        for article in articles:
            cache.put(cache.key(article.rel_path, _content_key(article)), bodies[article.rel_path])
        cache.save(prune=full)

    def _body_cache(self) -> BodyCache | None:
        if self._bodies_opened is None:
            from kbtool.site.bodies import BodyCache

            self._bodies_opened = (BodyCache.open(self.config.articles_path, self.config.root),)
        return self._bodies_opened[0]

    def _link_index(self, corpus: Corpus) -> LinkIndex:
        """The corpus's link index, built once; without the linter's spelling suggestions."""
        from kbtool.links import LinkIndex

        if self._links is None or self._links[0] is not corpus:
            self._links = (corpus, LinkIndex(corpus, suggest=False))
        return self._links[1]

    def _render(self, article: Article, index: LinkIndex) -> RenderedBody:
        from kbtool.site.render import render_body

        body = render_body(
            article, index, articles_root=self.config.articles_path, root=self.config.root
        )
        self.bodies[article.rel_path] = body
        self.articles[article.rel_path] = article
        return body

    def _load_incremental(
        self,
        previous: _State,
        files: list[tuple[str, Path]],
        section_files: list[tuple[str, Path]],
        stats: Mapping[str, list[int]],
        layout: Any,
    ) -> tuple[Corpus, list[Entry], dict[str, tuple[Entry | None, Entry | None]]]:
        """The corpus (unchanged articles as stubs), every entry, and what changed.

        Changes map the key of each article read again or gone to its (old, new)
        entry, None where it had or has no page.
        """
        from kbtool.corpus import Corpus, read_article
        from kbtool.corpus.loader import GitReader

        config = self.config
        stubs: list[Article] = []
        fresh: list[Article] = []
        problems = []
        paths = dict(files)
        changed: dict[str, tuple[Entry | None, Entry | None]] = {}
        # Changed articles are dated by their last commit, as a full build dates them;
        # git log runs on a thread while they are read and rendered.
        git = GitReader(config.articles_path) if previous.files != stats else None
        for rel, stat in stats.items():
            data = previous.articles.get(rel)
            if previous.files.get(rel) == stat and data is not None:
                if "locale" in data:  # loaded: an article, with or without a page
                    stubs.append(_stub(rel, data, paths[rel]))
                continue
            old = data.get("entry") if data is not None else None
            changed[rel] = (_entry_from(old) if old else None, None)
            article, found = read_article(paths[rel], rel, config=config, layout=layout)
            problems.extend(found)
            if article is not None:
                fresh.append(article)
            else:
                previous.articles[rel] = {}  # not an article
        for rel in list(previous.articles):
            if rel not in stats:
                old = previous.articles.pop(rel).get("entry")
                changed[rel] = (_entry_from(old) if old else None, None)
        corpus = Corpus(
            config=config,
            layout=layout,
            articles=tuple(sorted([*stubs, *fresh], key=lambda a: a.rel_path)),
            sections=self._sections(section_files, layout),
            problems=tuple(problems),
        )
        index = self._link_index(corpus)
        shown = [
            a
            for a in fresh
            if self._published(a) and (self._wanted(a.locale) or a.locale == layout.default_locale)
        ]
        bodies = self._kept_bodies(shown, index)
        rendered = {a.rel_path: self._render(a, index) for a in shown if a.rel_path not in bodies}
        self.rendered += len(rendered)
        self._keep_bodies([a for a in shown if a.rel_path in rendered], rendered, full=False)
        bodies.update(rendered)
        history = git.result() if git is not None else None
        prefix = history.prefix(config.articles_path) if history and history.available else None

        def last_edited(rel: str) -> dt.date | None:
            found = history.last_at(prefix + rel) if history and prefix is not None else None
            return found.date.date() if found is not None else None

        entries: list[Entry] = []
        for article in fresh:
            if article.rel_path in bodies:
                body = bodies[article.rel_path]
                self.bodies[article.rel_path] = body
                self.articles[article.rel_path] = article
                entry = _entry(article, body, last_edited(article.rel_path))
                entries.append(entry)
                previous.articles[article.rel_path] = _entry_data(entry, article)
                changed[article.rel_path] = (changed[article.rel_path][0], entry)
            else:
                previous.articles[article.rel_path] = _entry_data(None, article)
        fresh_keys = {e.key for e in entries}
        for data in previous.articles.values():
            if data.get("entry") and data["entry"][0] not in fresh_keys:
                entries.append(_entry_from(data["entry"]))
        return corpus, entries, changed

    def _reused_model(
        self,
        previous: _State,
        entries: list[Entry],
        changed: Mapping[str, tuple[Entry | None, Entry | None]],
    ) -> SiteModel | None:
        """The previous build's model with today's entries, when its structure still holds.

        It holds when no file was added or removed (checked by the caller) and
        no changed article gained, lost or changed anything `build_model` reads.
        """
        if previous.model is None:
            return None
        for old, new in changed.values():
            if (old is None) != (new is None):
                return None
            if old is not None and new is not None and structure_key(old) != structure_key(new):
                return None
        try:
            return model_from_data(previous.model, {e.key: e for e in entries})
        except (KeyError, IndexError, TypeError, ValueError):
            return None

    def _sections(
        self, section_files: list[tuple[str, Path]], layout: Any
    ) -> Mapping[tuple[str, str], Any]:
        from kbtool.corpus.loader import load_sections

        return load_sections(section_files, self.config, layout, [])

    # ------------------------------------------------------------------ pages

    def _pages(self, model: SiteModel, *, only: set[str] | None = None) -> list[_Page]:
        """Every page of the site, with its fingerprint.

        `only`: the keys of the entries that changed while the model's structure
        did not; then only the pages that can show them (their article pages,
        the sections listing them, each locale's home, search and contact pages).
        """
        site_title = self.config.site.title or self.config.kb.name
        pages: list[_Page] = []
        refs = sorted(model.pages.values(), key=lambda r: r.url)
        sections = sorted(model.sections.items())
        if only is not None:
            refs = [r for r in refs if r.entry.key in only]
            listing = {(r.locale, r.entry.section) for r in refs}
            sections = [(key, section) for key, section in sections if key in listing]
        for ref in refs:
            if self._wanted(ref.locale):
                pages.append(self._article_page(model, ref, site_title))
        for (locale, _key), section in sections:
            if self._wanted(locale):
                pages.append(self._section_page(model, locale, section, site_title))
        for locale in model.locales:
            if not self._wanted(locale):
                continue
            pages.extend(self._locale_pages(model, locale, site_title))
        for page in pages:
            if not page.fingerprint:
                page.fingerprint = _fingerprint(page)
        return pages

    def _section_page(
        self, model: SiteModel, locale: str, section: SectionInfo, site_title: str
    ) -> _Page:
        t = strings(locale)
        articles = []
        for group in section.groups:
            listed = model.page(group, locale)
            if listed is None:
                continue
            articles.append(
                {
                    "title": listed.entry.title,
                    "url": listed.url,
                    "description": listed.entry.description,
                    "lang": listed.entry.locale if listed.fallback else "",
                }
            )
        crumbs = [
            {"title": t["home"], "url": model.homes[locale]},
            {"title": section.title, "url": ""},
        ]
        ctx = self._common(
            model,
            locale,
            section.url,
            "section",
            section.title,
            section.description,
            site_title,
            crumbs=crumbs,
        )
        ctx["page"]["articles"] = articles
        return _Page(section.url, "section.html", locale, ctx)

    def _common(
        self,
        model: SiteModel,
        locale: str,
        url: str,
        kind: str,
        title: str,
        description: str,
        site_title: str,
        *,
        crumbs: list[dict[str, str]] | None = None,
        alternates: Mapping[str, str] | None = None,
        canonical: str | None = None,
        robots: str = "",
    ) -> dict[str, Any]:
        t = strings(locale)
        languages = []
        for loc in model.locales:
            if not self._wanted(loc):
                continue
            target = (alternates or {}).get(loc) or model.homes[loc]
            languages.append(
                {
                    "hreflang": loc,
                    "name": language_name(loc),
                    "url": target,
                    "current": loc == locale,
                    "home_text": strings(loc)["back_home"],
                }
            )
        alt_links = []
        if alternates and len(alternates) > 1 and self.base_url:  # hreflang needs absolute URLs
            for loc, alt_url in alternates.items():
                alt_links.append({"hreflang": loc, "href": join_url(self.base_url, alt_url)})
            default = alternates.get(model.default_locale)
            if default:
                alt_links.append(
                    {"hreflang": "x-default", "href": join_url(self.base_url, default)}
                )
        head_title = title if kind == "home" else f"{title} | {site_title}"
        jsonld = []
        if crumbs and len(crumbs) > 1:
            jsonld.append(
                seo.breadcrumb_ld(
                    [
                        (
                            c["title"],
                            join_url(self.base_url, c["url"] or url) if self.base_url else "",
                        )
                        for c in crumbs
                    ]
                )
            )
        canonical_url = canonical if canonical is not None else url
        return {
            "t": t,
            "nav": {
                "home": model.homes[locale],
                "search": model.search[locale],
                "contact": model.contact[locale],
                "languages": languages,
                "language_name": language_name(locale),
            },
            "page": {
                "kind": kind,
                "url": url,
                "locale": locale,
                "lang": locale,
                "dir": text_direction(locale),
                "og_locale": html_lang(locale).replace("-", "_"),
                "title": title,
                "head_title": head_title,
                "description": description,
                "canonical": join_url(self.base_url, canonical_url) if self.base_url else "",
                "alternates": alt_links,
                "robots": robots,
                "og_type": "article" if kind == "article" else "website",
                "jsonld": jsonld,
                "breadcrumbs": crumbs if crumbs and len(crumbs) > 1 else [],
            },
        }

    def _article_page(self, model: SiteModel, ref: PageRef, site_title: str) -> _Page:
        """An article page whose context is built only when it is written.

        Its fingerprint comes from everything the page shows, gathered cheaply,
        so an incremental build builds contexts only for the pages it rewrites.
        """
        entry = ref.entry
        section = model.section_of(ref)
        links = []
        for link in entry.links:
            target = model.page_of_key(link, ref.locale)
            if target is not None:
                home = model.page_of_key(link, entry.locale)
                links.append((target.url, target.entry.locale, home.url if home else ""))
        inputs = (
            ref.url,
            ref.locale,
            repr(entry),
            (section.title, section.url) if section else None,
            tuple((loc, p.url, p.fallback) for loc, p in model.translations(ref.group).items()),
            tuple(
                (p.url, p.entry.title)
                for g in model.related.get(ref.group, ())
                if (p := model.page(g, ref.locale)) is not None
            ),
            tuple(links),
            model.homes[ref.locale],
            model.contact[ref.locale],
            model.search[ref.locale],
        )
        draft = entry.status != "published"
        return _Page(
            ref.url,
            "article.html",
            ref.locale,
            ref=ref,
            indexed=not ref.fallback and not draft,
            fingerprint=hashlib.sha1(repr(inputs).encode("utf-8")).hexdigest(),
            make=lambda: self._article_context(model, ref, site_title),
        )

    def _article_context(self, model: SiteModel, ref: PageRef, site_title: str) -> dict[str, Any]:
        entry = ref.entry
        locale = ref.locale
        t = strings(locale)
        section = model.section_of(ref)
        crumbs = [{"title": t["home"], "url": model.homes[locale]}]
        if section is not None:
            crumbs.append({"title": section.title, "url": section.url})
        crumbs.append({"title": entry.title, "url": ""})
        translations = model.translations(ref.group)
        own = {loc: p.url for loc, p in translations.items() if not p.fallback}
        draft = entry.status != "published"
        robots = "noindex" if draft else ""
        canonical = ref.url
        if ref.fallback:
            source = model.page(ref.group, entry.locale)
            canonical = source.url if source else ref.url
        ctx = self._common(
            model,
            locale,
            ref.url,
            "article",
            entry.title,
            entry.description,
            site_title,
            crumbs=crumbs,
            alternates={loc: p.url for loc, p in translations.items()} if not ref.fallback else own,
            canonical=canonical,
            robots=robots,
        )
        if ref.fallback:
            ctx["page"]["alternates"] = []
        page = ctx["page"]
        related = []
        for group in model.related.get(ref.group, ()):
            other = model.page(group, locale)
            if other is not None:
                related.append({"title": other.entry.title, "url": other.url})
        page.update(
            {
                "indexed": not ref.fallback and not draft,
                "section_title": section.title if section else entry.section,
                "type": entry.type,
                "stages": list(entry.stages),
                "draft": draft,
                "content_lang": entry.locale if ref.fallback else "",
                "fallback_notice": t["fallback"].format(
                    language=language_name(locale), default=language_name(entry.locale)
                )
                if ref.fallback
                else "",
                "last_reviewed": entry.last_reviewed.isoformat() if entry.last_reviewed else "",
                "updated": entry.updated.isoformat() if entry.updated else "",
                "related": related,
            }
        )
        return ctx

    def _locale_pages(self, model: SiteModel, locale: str, site_title: str) -> list[_Page]:
        t = strings(locale)
        out = []
        sections = sorted(
            (s for (loc, _), s in model.sections.items() if loc == locale),
            key=lambda s: (s.position, s.title.casefold()),
        )
        popular = []
        for group in model.popular:
            ref = model.page(group, locale)
            if ref is not None:
                popular.append({"title": ref.entry.title, "url": ref.url})
        home_title = self.config.site.title or self.config.kb.name
        ctx = self._common(
            model,
            locale,
            model.homes[locale],
            "home",
            home_title,
            t["tagline"],
            site_title,
            alternates={loc: model.homes[loc] for loc in model.locales if self._wanted(loc)},
        )
        ctx["page"]["sections"] = [
            {
                "title": s.title,
                "url": s.url,
                "description": s.description,
                "count_text": t["articles_count"].format(count=len(s.groups)),
            }
            for s in sections
        ]
        ctx["page"]["popular"] = popular
        ctx["page"]["jsonld"].append(
            seo.to_script(
                {
                    "@context": "https://schema.org",
                    "@type": "WebSite",
                    "name": site_title,
                    "inLanguage": locale,
                    **(
                        {"url": join_url(self.base_url, model.homes[locale])}
                        if self.base_url
                        else {}
                    ),
                }
            )
        )
        out.append(_Page(model.homes[locale], "home.html", locale, ctx))

        search_ctx = self._common(
            model,
            locale,
            model.search[locale],
            "search",
            t["search"],
            t["search_label"],
            site_title,
            crumbs=[
                {"title": t["home"], "url": model.homes[locale]},
                {"title": t["search"], "url": ""},
            ],
            robots="noindex",
        )
        search_ctx["page"]["filters"] = self._filters(model, locale, t)
        out.append(_Page(model.search[locale], "search.html", locale, search_ctx))

        contact_ctx = self._common(
            model,
            locale,
            model.contact[locale],
            "contact",
            t["contact_title"],
            t["contact_intro"],
            site_title,
            crumbs=[
                {"title": t["home"], "url": model.homes[locale]},
                {"title": t["contact_us"], "url": ""},
            ],
        )
        contact_ctx["page"].update(
            {
                "suggest_index": f"_data/{safe_path(locale)}/suggest.json",
                "action": self._contact_url(),
                "mailto": self._contact_email(),
            }
        )
        out.append(_Page(model.contact[locale], "contact.html", locale, contact_ctx))
        return out

    def _filters(self, model: SiteModel, locale: str, t: Mapping[str, str]) -> list[dict[str, Any]]:
        sections, types, stages = self._filter_values(model).get(locale, (set(), set(), set()))
        out = []
        for name, label, values in (
            ("section", t["filter_section"], sections),
            ("type", t["filter_type"], types),
            ("stage", t["filter_stage"], stages),
        ):
            if values:
                out.append(
                    {"name": name, "label": label, "options": sorted(values, key=str.casefold)}
                )
        return out

    def _filter_values(self, model: SiteModel) -> dict[str, tuple[set[str], ...]]:
        """Per locale, the section titles, types and stages of its own articles (once)."""
        if self._filter_cache is None or self._filter_cache[0] is not model:
            found: dict[str, tuple[set[str], ...]] = {}
            for entry in model.entries.values():
                sections, types, stages = found.setdefault(entry.locale, (set(), set(), set()))
                section = model.sections.get((entry.locale, entry.section))
                sections.add(section.title if section else entry.section)
                if entry.type:
                    types.add(entry.type)
                stages.update(entry.stages)
            self._filter_cache = (model, found)
        return self._filter_cache[1]

    def _contact_url(self) -> str:
        url = self.config.site.contact_url.strip()
        if url and not re.match(r"^https?://", url):
            self.warnings.append(f"[site] contact_url must be an http(s) URL; ignored: {url!r}")
            return ""
        return url

    def _contact_email(self) -> str:
        email = self.config.site.contact_email.strip()
        if email and not re.match(r"^[^@\s<>\"'?&]+@[^@\s<>\"'?&]+$", email):
            self.warnings.append(
                f"[site] contact_email is not an email address; ignored: {email!r}"
            )
            return ""
        return email

    # ------------------------------------------------------------------ writing

    def _env(self) -> Environment:
        from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

        loaders = []
        if self.overrides.is_dir():
            loaders.append(FileSystemLoader(self.overrides))
        loaders.append(FileSystemLoader(THEME))
        env = Environment(
            loader=ChoiceLoader(loaders),
            bytecode_cache=_template_cache(),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=False,
            lstrip_blocks=False,
            keep_trailing_newline=True,
            auto_reload=False,  # one build: no need to stat every template for every page
        )
        return env

    def _site_context(self) -> dict[str, Any]:
        if not hasattr(self, "_site_ctx"):
            site = self.config.site
            footer = []
            for label, url in site.footer_links.items():
                if unsafe_scheme(url):
                    self.warnings.append(
                        f"[site] footer link {label!r} has an unsafe URL; left out"
                    )
                    continue
                footer.append({"label": label, "url": url})
            style = []
            for key, value in site.colors.items():
                if key not in _COLOR_KEYS or not _COLOR_VALUE.match(value.strip()):
                    self.warnings.append(f"[site] colors.{key} = {value!r} is not used")
                    continue
                style.append(f"--{key}:{value.strip()}")
            self._site_ctx: dict[str, Any] = {
                "title": site.title or self.config.kb.name,
                "logo": self._logo_url(),
                "style": ":root{" + ";".join(style) + "}" if style else "",
                "footer_links": footer,
                "asset_version": self._settings()[:10],
                "live_reload": self.live_reload,
            }
        return self._site_ctx

    def _logo_url(self) -> str:
        logo = self.config.site.logo
        if not logo:
            return ""
        path = (self.config.root / logo).resolve()
        if not path.is_relative_to(self.config.root.resolve()) or not path.is_file():
            self.warnings.append(f"[site] logo {logo!r} is not a file in the knowledge base")
            return ""
        if path.suffix.lower() not in (".png", ".svg", ".jpg", ".jpeg", ".webp", ".gif"):
            self.warnings.append(f"[site] logo {logo!r} is not an image")
            return ""
        if path.suffix.lower() == ".svg" and _SVG_SCRIPT.search(path.read_bytes()):
            self.warnings.append(f"[site] logo {logo!r} contains script; left out")
            return ""
        return "_static/logo" + path.suffix.lower()

    def _render_page(self, env: Environment, page: _Page) -> str:
        context = dict(page.context)
        context["site"] = self._site_context()
        context["root"] = "../" * page.url.count("/")
        body = ""
        if page.ref is not None:
            body_data = self._body(page.ref.entry.key)
            body = body_data.html_for(lambda target: self._resolve(target, page))
            ctx_page = dict(context["page"])
            if len(body_data.toc) >= 3:
                ctx_page["toc"] = [
                    {"level": item.level, "text": item.text, "anchor": item.anchor}
                    for item in body_data.toc
                ]
            if not ctx_page["title"] and body_data.first_h1:
                ctx_page["title"] = body_data.first_h1
            jsonld = list(ctx_page["jsonld"])
            entry = page.ref.entry
            if entry.type == "faq" and body_data.faq:
                jsonld.append(seo.faq_ld(body_data.faq, lang=entry.locale))
            else:
                jsonld.append(
                    seo.article_ld(
                        title=entry.title,
                        description=entry.description,
                        lang=entry.locale,
                        modified=entry.updated.isoformat() if entry.updated else "",
                        url=ctx_page["canonical"],
                        publisher=context["site"]["title"],
                    )
                )
            ctx_page["jsonld"] = jsonld
            context["page"] = ctx_page
        template = env.get_template(page.template)
        return template.render(body=body, **context)

    def _body(self, key: str) -> RenderedBody:
        found = self.bodies.get(key)
        if found is None:
            from kbtool.corpus import read_article

            config = self.config
            article, _ = read_article(
                config.articles_path / key, key, config=config, layout=self.corpus.layout
            )
            if article is None:
                raise KbError("changed while the site was being built; run again", path=key)
            found = self._render(article, self._link_index(self.corpus))
        return found

    def _resolve(self, target: LinkTarget, page: _Page) -> str | None:
        root = "../" * page.url.count("/")
        if target.kind == "file":
            url = self._media(target.path)
            return root + url if url else None
        assert page.ref is not None
        ref = self.model.page_of_key(target.path, page.ref.locale)
        if ref is None:
            return None
        source_locale = page.ref.entry.locale
        if target.fragment and ref.entry.locale != source_locale:
            # an anchor names a heading of the language the link was written in
            ref = self.model.page_of_key(target.path, source_locale) or ref
        if ref.url == page.url:
            return "#" + target.fragment if target.fragment else root + ref.url
        return root + ref.url + ("#" + target.fragment if target.fragment else "")

    def _media(self, rel: str) -> str:
        found = self.media.get(rel)
        if found is None:
            source = self.config.root / rel
            found = ""
            if source.suffix.lower() == ".svg" and _SVG_SCRIPT.search(source.read_bytes()):
                self.warnings.append(f"{rel}: SVG with script or event handlers; not published")
            else:
                found = "media/" + safe_path(rel, fallback="file")
            self.media[rel] = found
        return found

    def _write_pages(self, out: Path, pages: list[_Page]) -> None:
        self._tick("Writing pages", 0, len(pages))
        self._site_context()  # computed once, before any worker forks

        def write_chunk(start: int, stop: int) -> list[dict[str, str]]:
            env = self._env()
            for page in pages[start:stop]:
                path = output_file(out, page.url, no_links=True)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(self._render_page(env, page), encoding="utf-8")
            return [dict(self.media)]

        for media in _in_parallel(len(pages), write_chunk):
            self.media.update(media)

    def _write_incremental(
        self, pages: list[_Page], state: _State, fingerprints: Mapping[str, str]
    ) -> tuple[int, int, bool]:
        """Rewrite the `pages` whose fingerprint changed; remove pages not in `fingerprints`."""
        from kbtool.corpus.edit import write_atomic

        env = self._env()
        written = 0
        indexed_changed = False
        was_indexed = set(state.indexed)
        for page in pages:
            if state.pages.get(page.url) == page.fingerprint:
                continue
            path = output_file(self.out, page.url)
            write_atomic(path, self._render_page(env, page).encode("utf-8"))
            written += 1
            indexed_changed = indexed_changed or page.indexed or page.url in was_indexed
        removed = 0
        for url in state.pages:
            if url not in fingerprints:
                path = output_file(self.out, url)
                if path.is_file():
                    path.unlink()
                    removed += 1
                    indexed_changed = indexed_changed or url in was_indexed
                _prune(path.parent, self.out)
        return written, removed, indexed_changed

    def _write_site_files(
        self, out: Path, model: SiteModel, *, changed: Iterable[tuple[Entry, Entry]] | None = None
    ) -> None:
        """Write the files besides the pages: 404, static files, sitemap, search data, widgets.

        `changed`: the (old, new) entries of a build whose model structure held;
        then the sitemap, suggestion indexes and widget data are made again only
        when a field they show changed (`_SITE_FILE_FIELDS`).
        """
        from kbtool.corpus.edit import write_atomic

        def stale(name: str) -> bool:
            if changed is None:
                return True
            shown = _SITE_FILE_FIELDS[name]
            return any(getattr(o, f) != getattr(n, f) for o, n in changed for f in shown)

        incremental = out == self.out

        def put(url: str, text: str | bytes) -> None:
            data = text.encode("utf-8") if isinstance(text, str) else text
            path = output_file(out, url, no_links=not incremental)
            if incremental:
                try:
                    if path.read_bytes() == data:
                        return
                except OSError:
                    pass
                write_atomic(path, data)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)

        env = self._env()
        default = model.default_locale if self._wanted(model.default_locale) else model.locales[0]
        for url, template in (("404.html", "404.html"), ("index.html", "languages.html")):
            ctx = self._common(
                model,
                default,
                url,
                "notfound" if url == "404.html" else "languages",
                strings(default)["not_found_title"]
                if url == "404.html"
                else self._site_context()["title"],
                "",
                self._site_context()["title"],
                robots="noindex" if url == "404.html" else "",
                alternates={loc: model.homes[loc] for loc in model.locales if self._wanted(loc)},
                canonical="" if url == "404.html" else None,
            )
            if url == "404.html":
                ctx["page"]["canonical"] = ""
                ctx["page"]["alternates"] = []
            put(url, self._render_page(env, _Page(url, template, default, ctx)))
        for source in sorted((THEME / "static").iterdir()):
            override = self.overrides / "static" / source.name
            put(f"_static/{source.name}", (override if override.is_file() else source).read_bytes())
        logo = self._logo_url()
        if logo:
            put(logo, (self.config.root / self.config.site.logo).read_bytes())
        for rel, url in sorted(self.media.items()):
            if url:
                source = self.config.root / rel
                target = output_file(out, url)
                if (
                    not incremental
                    or not target.exists()
                    or target.stat().st_size != source.stat().st_size
                ):
                    put(url, source.read_bytes())
        if self.base_url and stale("sitemap"):
            put("sitemap.xml", self._sitemap(model))
        sitemap = join_url(self.base_url, "sitemap.xml") if self.base_url else ""
        put("robots.txt", seo.robots_txt(sitemap, allow=not self.drafts))
        for locale in model.locales:
            if self._wanted(locale) and stale("suggest"):
                put(f"_data/{safe_path(locale)}/suggest.json", self._suggest_index(model, locale))
        if stale("widgets"):
            widgets = self._widgets(model)
            for area, text in widgets.items():
                put(f"widgets/{area}.json", text)
            if incremental:  # a product area no article names any more
                _remove_unlisted(out / "widgets", {f"{area}.json" for area in widgets})

    def _sitemap(self, model: SiteModel) -> str:
        urls: list[seo.SitemapUrl] = []
        for locale in model.locales:
            if self._wanted(locale):
                urls.append(seo.SitemapUrl(join_url(self.base_url, model.homes[locale])))
        for (locale, _), section in sorted(model.sections.items()):
            if self._wanted(locale):
                urls.append(seo.SitemapUrl(join_url(self.base_url, section.url)))
        for ref in sorted(model.pages.values(), key=lambda r: r.url):
            if ref.fallback or not self._wanted(ref.locale) or ref.entry.status != "published":
                continue
            own = [
                (loc, join_url(self.base_url, p.url))
                for loc, p in model.translations(ref.group).items()
                if not p.fallback and self._wanted(loc)
            ]
            updated = ref.entry.updated
            urls.append(
                seo.SitemapUrl(
                    join_url(self.base_url, ref.url),
                    updated.isoformat() if updated else "",
                    tuple(own) if len(own) > 1 else (),
                )
            )
        return seo.sitemap_xml(urls)

    def _suggest_index(self, model: SiteModel, locale: str) -> str:
        articles = []
        for (_group, loc), ref in sorted(model.pages.items(), key=lambda kv: kv[1].url):
            if loc != locale or ref.entry.status != "published":
                continue
            entry = ref.entry
            articles.append(
                {
                    "title": entry.title,
                    "description": entry.description,
                    "labels": list(entry.labels),
                    "url": ref.url,
                    "section": entry.section,
                }
            )
        return json.dumps(
            {
                "schema": "kbtool.site-suggest/1",
                "schema_version": SCHEMA_VERSION,
                "locale": locale,
                "articles": articles,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    def _widgets(self, model: SiteModel) -> dict[str, str]:
        wanted = set(self.config.site.widget_areas)
        areas: dict[str, dict[str, list[dict[str, str]]]] = {}
        for ref in sorted(model.pages.values(), key=lambda r: (r.entry.title.casefold(), r.url)):
            area = ref.entry.product_area
            if not area or (wanted and area not in wanted) or not self._wanted(ref.locale):
                continue
            if ref.entry.status != "published":
                continue
            areas.setdefault(area, {}).setdefault(ref.locale, []).append(
                {"title": ref.entry.title, "description": ref.entry.description, "url": ref.url}
            )
        out = {}
        for area, by_locale in sorted(areas.items()):
            out[safe_path(area, fallback="area")] = json.dumps(
                {
                    "schema": "kbtool.site-widget/1",
                    "schema_version": SCHEMA_VERSION,
                    "area": area,
                    "title": self._site_context()["title"],
                    "default_locale": model.default_locale,
                    "locales": by_locale,
                },
                ensure_ascii=False,
                indent=1,
            )
        return out

    def _pagefind(self, site: Path, *, swap: bool, indexed: Iterable[str]) -> bool:
        """Index every article page with Pagefind: one index per `<html lang>`."""
        started = self._start_pagefind(site, swap=swap, indexed=indexed, complete=True)
        return started is not None and self._finish_pagefind(started)

    def _start_pagefind(
        self, site: Path, *, swap: bool, indexed: Iterable[str], complete: bool
    ) -> _Indexing | None:
        """Start Pagefind on the indexed pages of `site`, which must be written already.

        Pagefind reads only a mirror of hard links to the indexed pages, not the
        fallback copies and listings that make up most of a multilingual site, so
        it can run while those are still being written. Where hard links cannot
        be made it reads the whole site: then only a `complete` site is indexed
        (None otherwise: start again once it is).
        """
        target = site / ("pagefind.kbtool-new" if swap else "pagefind")
        shutil.rmtree(target, ignore_errors=True)
        mirror = site.parent / f".{site.name}.kbtool-search-{os.getpid()}"
        shutil.rmtree(mirror, ignore_errors=True)
        source = site
        try:
            for url in indexed:
                link = output_file(mirror, url, no_links=True)
                link.parent.mkdir(parents=True, exist_ok=True)
                os.link(output_file(site, url, no_links=not swap), link)
            source = mirror
        except OSError:  # no hard links here (another file system): index the whole site
            shutil.rmtree(mirror, ignore_errors=True)
            if not complete:
                return None
        command = [sys.executable, "-m", "pagefind", "--site", str(source)]
        command += ["--output-path", str(target), "--silent"]
        # a file, not a pipe: nobody reads it while pages are written; closed by _finish_pagefind
        log = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        except OSError as exc:
            log.close()
            shutil.rmtree(mirror, ignore_errors=True)
            self.warnings.append(f"search index not built: {exc}")
            return _Indexing(None, log, mirror, target, site, swap)
        return _Indexing(process, log, mirror, target, site, swap)

    def _finish_pagefind(self, run: _Indexing) -> bool:
        """Wait for the Pagefind run; swap its index in (incremental). False when it failed."""
        if run.process is None:
            return False
        try:
            code = run.process.wait(timeout=900)
        except subprocess.TimeoutExpired as exc:
            run.process.kill()
            run.process.wait()
            self.warnings.append(f"search index not built: {exc}")
            return False
        finally:
            shutil.rmtree(run.mirror, ignore_errors=True)
        with run.log:
            run.log.seek(0)
            output = run.log.read().decode("utf-8", "replace")
        if code != 0:
            reason = output.strip().splitlines()
            self.warnings.append(
                "search index not built: " + (reason[-1] if reason else f"exit {code}")
            )
            return False
        if run.swap:
            trash = run.site.parent / f".{run.site.name}.kbtool-old-{_new_id()}-pagefind"
            _swap(run.target, run.site / "pagefind", trash=trash)
        return True


@dataclass
class _Indexing:
    """A Pagefind run under way."""

    process: subprocess.Popen[bytes] | None
    log: IO[bytes]
    mirror: Path
    target: Path
    site: Path
    swap: bool


# ----------------------------------------------------------------------------- helpers


def _template_cache() -> BytecodeCache | None:
    """Compiled templates, kept in the user's cache folder (a few hundred ms per run).

    Not in the knowledge base's `.kbtool/`: compiled templates are code, and a
    repository must never be able to hand kbtool code to run.
    """
    from jinja2 import FileSystemBytecodeCache

    base = os.environ.get("XDG_CACHE_HOME")
    folder = (Path(base) if base else Path.home() / ".cache") / "kbtool" / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    return FileSystemBytecodeCache(str(folder))


# The Entry fields besides `structure_key`'s that each site-wide file shows: keep in
# step with `_sitemap`, `_suggest_index` and `_widgets`.
_SITE_FILE_FIELDS = {
    "sitemap": ("updated",),
    "suggest": ("description",),
    "widgets": ("description", "product_area"),
}


# Below this many items one process is faster than forking workers.
_PARALLEL_MIN = 800
_WORK: Callable[[int, int], list[Any]] | None = None


def _in_parallel(count: int, work: Callable[[int, int], list[Any]]) -> list[Any]:
    """`work(start, stop)` over range(count) in chunks, on all cores when it pays.

    Workers are forked, so they inherit the builder (corpus, model, rendered
    bodies) instead of pickling it; only results travel back. Where forking is
    unsafe (other threads running, as under `serve`) or impossible, one process
    does it all.
    """
    global _WORK
    import multiprocessing

    from kbtool.corpus.loader import can_fork

    workers = min(os.cpu_count() or 1, 8)
    if count < _PARALLEL_MIN or workers < 2 or not can_fork():
        return work(0, count)
    import concurrent.futures

    size = -(-count // (workers * 4))
    bounds = [(i, min(i + size, count)) for i in range(0, count, size)]
    _WORK = work
    try:
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
            futures = [pool.submit(_run_work, a, b) for a, b in bounds]
            out: list[Any] = []
            for future in futures:
                out.extend(future.result())
        return out
    finally:
        _WORK = None


def _run_work(start: int, stop: int) -> list[Any]:
    assert _WORK is not None, "worker started without its work (not forked?)"
    return _WORK(start, stop)


def _stat(path: Path) -> list[int]:
    try:
        stat = path.stat()
    except OSError:
        return [-1, -1]
    return [stat.st_size, stat.st_mtime_ns]


def _new_id() -> str:
    return f"{time.time_ns():x}-{os.getpid()}"


def _fingerprint(page: _Page) -> str:
    data = json.dumps([page.template, page.context], sort_keys=True, default=str)
    return hashlib.sha1(data.encode("utf-8")).hexdigest()


def _entry(article: Article, body: RenderedBody, edited: dt.date | None) -> Entry:
    links = tuple(dict.fromkeys(t.path for t in body.links if t.kind in ("article", "missing")))
    return Entry(
        key=article.rel_path,
        locale=article.locale,
        inner=_inner(article),
        id=article.id,
        title=article.title or body.first_h1 or article.id,
        description=article.description or "",
        type=article.type or "",
        section=article.section,
        status=article.status,
        stages=article.stages,
        labels=article.labels,
        product_area=article.product_area or "",
        translation_of=article.translation_of or "",
        last_reviewed=article.last_reviewed,
        updated=article.last_reviewed or edited,
        links=links,
        content_hash=article.content_hash or hashlib.sha1(article.body.encode()).hexdigest(),
    )


def _content_key(article: Article) -> str:
    """What of an article its rendered body depends on, besides its path and the links' targets."""
    content = article.content_hash or hashlib.sha256(article.body.encode()).hexdigest()
    return f"{content}|{article.type}|{article.locale}"


def _inner(article: Article) -> str:
    prefix = article.locale + "/"
    rel = article.rel_path
    return rel[len(prefix) :] if rel.startswith(prefix) else rel


# Entries travel in the manifest as lists of their fields, in this order.
_ENTRY_FIELDS = tuple(f.name for f in fields(Entry))
_TUPLE_AT = tuple(
    n for n, name in enumerate(_ENTRY_FIELDS) if name in ("stages", "labels", "links")
)
_DATE_AT = tuple(n for n, name in enumerate(_ENTRY_FIELDS) if name in ("last_reviewed", "updated"))


def _entry_data(entry: Entry | None, article: Article) -> dict[str, Any]:
    """What the manifest keeps of a loaded article: its locale, and its entry if it has a page."""
    data: dict[str, Any] = {"locale": article.locale}
    if entry is not None:
        data["entry"] = [getattr(entry, name) for name in _ENTRY_FIELDS]
    return data


def _entry_from(data: Sequence[Any]) -> Entry:
    values = list(data)
    for n in _TUPLE_AT:
        values[n] = tuple(values[n] or ())
    for n in _DATE_AT:
        if values[n]:
            values[n] = dt.date.fromisoformat(values[n])
    return Entry(*values)


def _stub(rel: str, data: Mapping[str, Any], path: Path) -> Article:
    """An article known from the manifest: enough for link resolution, no body.

    Ten thousand of these are made for a one-article rebuild, and the frozen
    dataclass's __init__ (27 fields) is most of that time: each stub starts as a
    copy of one blank article's fields instead, as unpickling an Article does.
    """
    global _BLANK
    from kbtool.corpus import Article

    if _BLANK is None:
        blank = Article(path=path, rel_path="", locale="", id="", title="", section="", status="")
        _BLANK = vars(blank) if hasattr(blank, "__dict__") else {}
    if not _BLANK:  # pragma: no cover - an Article without __dict__ (slots): the slow way
        return Article(
            path=path, rel_path=rel, locale=data["locale"], id="", title="", section="", status=""
        )
    stub = object.__new__(Article)
    vars(stub).update(_BLANK, path=path, rel_path=rel, locale=data["locale"])
    return stub


_BLANK: dict[str, Any] | None = None


def _swap(new: Path, target: Path, *, trash: Path | None = None) -> None:
    """Put folder `new` in place of `target` with two renames; the old one is then removed.

    The old folder is first renamed to `trash` (default: beside `target`), which
    must be outside the published site, as it is deleted in the background.
    """
    # unique: the old folder of an earlier build of this process may still be being deleted
    old = trash or target.parent / f".{target.name}.kbtool-old-{_new_id()}"
    if target.exists():
        target.rename(old)
    try:
        new.rename(target)
    except OSError:
        if old.exists():
            old.rename(target)
        raise
    if old.exists():
        _discard(old)


# A child that outlives the build: it only deletes the folder it is given.
_RMTREE = "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)"


def _discard(folder: Path) -> None:
    """Delete `folder`, already renamed out of the way, in a detached process.

    The new output is in place by then, and on file systems that discard freed
    blocks (ext4 `-o discard`, most cloud disks) unlinking tens of thousands of
    pages takes a minute of waiting for the disk, not of work.
    """
    try:
        subprocess.Popen(
            [sys.executable, "-c", _RMTREE, str(folder)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)


def _sweep(target: Path) -> None:
    """Delete what interrupted builds left beside `target` (old outputs not yet deleted)."""
    for stale in target.parent.glob(f".{glob_escape(target.name)}.kbtool-old-*"):
        if stale.is_dir() and not stale.is_symlink():
            _discard(stale)


def _remove_unlisted(folder: Path, keep: set[str]) -> None:
    """Delete the files in `folder` (not below) whose names are not in `keep`."""
    try:
        found = list(folder.iterdir())
    except OSError:
        return
    for path in found:
        if path.name not in keep and path.is_file() and not path.is_symlink():
            with contextlib.suppress(OSError):
                path.unlink()


def _prune(folder: Path, top: Path) -> None:
    """Remove empty folders from `folder` up to (not including) `top`."""
    while folder != top and folder.is_relative_to(top):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
