"""The search index on disk: build, incremental update, locking and atomic swap.

Layout under the knowledge-base root:

    .kbtool/index/
      current.json          {"format": "kbtool-index", "generation": "gen-..."}
      lock                  held (flock) by the one process writing
      gen-<id>/manifest.json  fingerprint, files (stat + content hash), section titles
      gen-<id>/<locale>/    one Whoosh index per locale

A build or update writes a new generation beside the current one (an update
starts from hard links to the current one's files, which Whoosh never
rewrites) and then replaces `current.json` atomically: readers see the old
index or the new one, never half of one, and an interrupted run leaves the old
one in place. Change detection compares each file's size and mtime with the
manifest, then the content hash of the files that differ, so an unchanged
10,000-article base is checked without reading an article.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import shutil
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbtool.corpus import humanize, load_corpus, read_article
from kbtool.corpus.discover import Layout, detect_locales, discover_text
from kbtool.corpus.edit import write_atomic
from kbtool.errors import ConfigError, ConflictError, InputError
from kbtool.search.analysis import Language, known_analyzers, language_for
from kbtool.search.schema import ArticleDoc, article_doc, doc_hash, fingerprint, make_schema
from kbtool.search.vocabulary import read_vocabulary, stored_words, write_vocabulary

if TYPE_CHECKING:
    from whoosh.index import Index

    from kbtool.config import Config
    from kbtool.corpus import Article, LoadProblem
    from kbtool.corpus.cache import CorpusCache

__all__ = [
    "INDEX_DIR",
    "IndexCorrupt",
    "IndexStore",
    "UpdateReport",
    "analyzers_for",
]

INDEX_DIR = Path(".kbtool") / "index"
FORMAT = "kbtool-index"
FORMAT_VERSION = 1
_POINTER = "current.json"
_MANIFEST = "manifest.json"
_LOCK = "lock"
# What an article weighs in the build besides its text (characters), and what a
# character of CJK text weighs against one of Latin text.
_DOC_WEIGHT = 1000
_CJK_WEIGHT = 3
# Updates merge their small segments once there are this many of them.
_SMALL_SEGMENT = 200
_MERGE_AT = 4
LOCK_TIMEOUT = 120.0
_RACY_NS = 2_000_000_000  # folder mtimes this close to a scan are not trusted

Progress = Callable[[str], None]


class IndexCorrupt(Exception):
    """The index on disk cannot be used; it is rebuilt (never shown as a traceback)."""


@dataclass(frozen=True)
class FileState:
    mtime_ns: int
    size: int
    hash: str  # "" for a file that could not be loaded
    indexed: bool


@dataclass(frozen=True)
class Manifest:
    fingerprint: str
    locales: dict[str, Language]
    files: dict[str, FileState]
    sections: dict[str, tuple[int, int]]
    section_titles: dict[str, str]
    built: str
    counts: dict[str, int] = field(default_factory=dict)
    # every folder under the articles folder with its mtime, and when they were read:
    # while no folder changed, no file was added, removed or renamed (see `_scan`)
    dirs: dict[str, int] = field(default_factory=dict)
    scanned: int = 0

    def to_json(self) -> bytes:
        data = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "fingerprint": self.fingerprint,
            "built": self.built,
            "locales": {k: v.name for k, v in sorted(self.locales.items())},
            "counts": self.counts,
            "sections": {k: list(v) for k, v in sorted(self.sections.items())},
            "section_titles": dict(sorted(self.section_titles.items())),
            "files": {
                k: [v.mtime_ns, v.size, v.hash, v.indexed] for k, v in sorted(self.files.items())
            },
            "dirs": dict(sorted(self.dirs.items())),
            "scanned": self.scanned,
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes, config: Config) -> Manifest:
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise IndexCorrupt("not a kbtool index (foreign manifest)")
            if data.get("version") != FORMAT_VERSION:
                raise IndexCorrupt(f"index format {data.get('version')} is not {FORMAT_VERSION}")
            analyzers = analyzers_for(config, tuple(data["locales"]))
            return cls(
                fingerprint=str(data["fingerprint"]),
                locales=analyzers,
                files={
                    k: FileState(int(v[0]), int(v[1]), str(v[2]), bool(v[3]))
                    for k, v in data["files"].items()
                },
                sections={k: (int(v[0]), int(v[1])) for k, v in data["sections"].items()},
                section_titles={str(k): str(v) for k, v in data["section_titles"].items()},
                built=str(data["built"]),
                counts={str(k): int(v) for k, v in data.get("counts", {}).items()},
                dirs={str(k): int(v) for k, v in data.get("dirs", {}).items()},
                scanned=int(data.get("scanned", 0)),
            )
        except IndexCorrupt:
            raise
        except (ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
            raise IndexCorrupt(f"unreadable manifest ({type(exc).__name__})") from None


@dataclass(frozen=True)
class UpdateReport:
    """What `kbtool index` did."""

    action: str  # built | updated | unchanged
    reason: str  # why a full build happened ("" for updates)
    added: int
    updated: int
    removed: int
    documents: dict[str, int]  # locale -> indexed articles
    analyzers: dict[str, str]  # locale -> description of its analysis
    seconds: float
    location: Path
    problems: tuple[LoadProblem, ...] = ()
    size_bytes: int = 0

    @property
    def total(self) -> int:
        return sum(self.documents.values())


def analyzers_for(config: Config, locales: tuple[str, ...]) -> dict[str, Language]:
    """The analysis of each locale: `[search.analyzers]` overrides, else the built-in choice."""
    from kbtool.config import key_line

    out = {}
    for locale in locales:
        override = config.search.analyzers.get(locale)
        try:
            out[locale] = language_for(locale, override)
        except ValueError:
            raise ConfigError(
                f"search.analyzers.{locale}: unknown analyzer {override!r} "
                f"(use one of {', '.join(known_analyzers())})",
                path=config.source,
                line=key_line(config.source, ("search", "analyzers", locale)),
            ) from None
    for locale in config.search.analyzers:
        if locale not in locales:
            language_for(locale, config.search.analyzers[locale])  # still validate the name
    return out


@dataclass(frozen=True)
class _Scan:
    layout: Layout
    files: dict[str, tuple[str, int, int]]  # rel -> (path, mtime_ns, size)
    sections: dict[str, tuple[int, int]]
    dirs: dict[str, int] = field(default_factory=dict)  # rel folder -> mtime_ns
    at: int = 0  # when the scan started (time_ns)

    @property
    def locales(self) -> tuple[str, ...]:
        if self.layout.localized:
            return self.layout.locales
        return (self.layout.default_locale,)

    def locale_of(self, rel: str) -> str:
        return self.layout.split(rel)[0]


class IndexStore:
    """The index of one knowledge base."""

    def __init__(self, config: Config, *, folder: Path | None = None):
        self.config = config
        self.folder = folder if folder is not None else config.root / INDEX_DIR

    # ------------------------------------------------------------------ reading

    def current(self) -> tuple[Path, Manifest]:
        """The current generation and its manifest; IndexCorrupt when unusable,
        FileNotFoundError when there is no index yet."""
        pointer = self.folder / _POINTER
        try:
            raw = pointer.read_bytes()
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise IndexCorrupt(f"cannot read {_POINTER}: {exc.strerror}") from None
        try:
            data = json.loads(raw)
            name = data["generation"]
            if data.get("format") != FORMAT or not isinstance(name, str):
                raise IndexCorrupt("not a kbtool index (foreign current.json)")
        except IndexCorrupt:
            raise
        except (ValueError, KeyError, TypeError):
            raise IndexCorrupt(f"unreadable {_POINTER}") from None
        if "/" in name or "\\" in name or not name.startswith("gen-"):
            raise IndexCorrupt(f"bad generation name in {_POINTER}")
        generation = self.folder / name
        try:
            manifest = Manifest.from_json((generation / _MANIFEST).read_bytes(), self.config)
        except FileNotFoundError:
            raise IndexCorrupt(f"{name}/{_MANIFEST} is missing") from None
        except OSError as exc:
            raise IndexCorrupt(f"cannot read {name}/{_MANIFEST}: {exc.strerror}") from None
        return generation, manifest

    def open(self) -> tuple[dict[str, Index], Manifest]:
        """Open every locale's index of the current generation (read-only)."""
        from whoosh import index as whoosh_index

        generation, manifest = self.current()
        out = {}
        for locale in manifest.locales:
            try:
                out[locale] = whoosh_index.open_dir(str(generation / locale), readonly=True)
            except Exception as exc:
                raise IndexCorrupt(f"{locale}: {type(exc).__name__}: {exc}") from None
        return out, manifest

    def status(self) -> tuple[str, str]:
        """(state, detail): `missing`, `corrupt`, `outdated` (schema or settings changed),
        `stale` (articles changed), or `fresh`. Reads no article."""
        state, detail, _ = self._status()
        return state, detail

    def refresh(
        self, *, update: bool = True, progress: Progress | None = None
    ) -> UpdateReport | None:
        """Update the index if it is not fresh (with `update=False`: only if it is missing
        or unusable) and say what was done; None when nothing was. What a search runs
        first: the articles folder is walked once for both the check and the update."""
        state, _, scan = self._status()
        if state == "fresh" or not (update or state in ("missing", "corrupt", "outdated")):
            return None
        return self._update(rebuild=False, say=progress, timeout=LOCK_TIMEOUT, scan=scan)

    def _status(self) -> tuple[str, str, _Scan | None]:
        try:
            _, manifest = self.current()
        except FileNotFoundError:
            return "missing", "no index yet", None
        except IndexCorrupt as exc:
            return "corrupt", str(exc), None
        scan = self._scan(manifest)
        expected = fingerprint(self.config, analyzers_for(self.config, scan.locales))
        if manifest.fingerprint != expected:
            return "outdated", "the analysis or the configuration changed", scan
        changed, removed, sections = _differences(scan, manifest)
        if changed or removed or sections:
            return "stale", f"{len(changed)} changed, {len(removed)} removed", scan
        return "fresh", "", scan

    # ------------------------------------------------------------------ writing

    def update(
        self,
        *,
        rebuild: bool = False,
        progress: Progress | None = None,
        timeout: float = LOCK_TIMEOUT,
    ) -> UpdateReport:
        """Bring the index up to date with the articles (or rebuild it), under the lock."""
        return self._update(rebuild=rebuild, say=progress, timeout=timeout, scan=None)

    def _update(
        self, *, rebuild: bool, say: Progress | None, timeout: float, scan: _Scan | None
    ) -> UpdateReport:
        say = say or (lambda message: None)
        start = time.perf_counter()
        with self._lock(say, timeout):
            reason = "rebuild requested" if rebuild else ""
            manifest: Manifest | None = None
            generation: Path | None = None
            if not rebuild:
                try:
                    generation, manifest = self.current()
                except FileNotFoundError:
                    reason = (
                        "no index yet"
                        if not self.folder.exists()
                        or not any(p.name.startswith("gen-") for p in self.folder.iterdir())
                        else "no current index"
                    )
                except IndexCorrupt as exc:
                    reason = f"the index was unusable ({exc}); rebuilt"
            # a scan taken just before (by `refresh`): a file changed since then keeps
            # a recorded mtime that differs from its own, so the next update finds it
            scan = scan or self._scan(manifest)
            analyzers = analyzers_for(self.config, scan.locales)
            stamp = fingerprint(self.config, analyzers)
            if manifest is not None and manifest.fingerprint != stamp:
                reason = "the analysis or the configuration changed; rebuilt"
                manifest = None
            if manifest is not None and generation is not None:
                try:
                    report = self._incremental(scan, analyzers, stamp, generation, manifest, say)
                except IndexCorrupt as exc:
                    reason = f"the index was unusable ({exc}); rebuilt"
                else:
                    self._cleanup()
                    return _timed(report, start)
            report = self._full(scan, analyzers, stamp, reason, say)
            self._cleanup()
            return _timed(report, start)

    def _scan(self, manifest: Manifest | None = None) -> _Scan:
        """Every article file with its size and mtime. When no folder changed since
        `manifest` was written (a folder's mtime changes when an entry is added, removed
        or renamed in it), its list of files still holds and only they are stat'ed;
        otherwise the articles folder is walked again (`discover_text`)."""
        config = self.config
        root = config.articles_path
        if not root.is_dir():
            raise InputError(
                "articles folder not found (set kb.articles_dir in kbtool.toml)", path=root
            )
        at = time.time_ns()
        locales = detect_locales(root, config.kb.locales)
        layout = Layout(locales=locales, default_locale=config.kb.default_locale)
        dirs = _folders(root)
        base = str(root)
        if (
            manifest is not None
            and manifest.dirs == dirs
            and manifest.fingerprint
            == fingerprint(config, analyzers_for(config, _Scan(layout, {}, {}).locales))
            # a folder changed within the file system's time resolution of the last
            # scan may have changed again unseen
            and all(mtime < manifest.scanned - _RACY_NS for mtime in dirs.values())
        ):
            # strings, not Path objects: building 10,000 of those costs more than the stats
            paths = {rel: f"{base}/{rel}" for rel in manifest.files}
            return _Scan(
                layout,
                {rel: (path, *_stat(path)) for rel, path in paths.items()},
                {rel: _stat(f"{base}/{rel}") for rel in manifest.sections},
                dirs,
                at,
            )
        files, section_files = discover_text(
            root, include=config.kb.include, exclude=config.kb.exclude, locales=locales
        )
        return _Scan(
            layout,
            {rel: (path, *_stat(path)) for rel, path in files},
            {rel: _stat(path) for rel, path in section_files},
            dirs,
            at,
        )

    def _full(
        self,
        scan: _Scan,
        analyzers: dict[str, Language],
        stamp: str,
        reason: str,
        say: Progress,
    ) -> UpdateReport:
        from whoosh import index as whoosh_index

        from kbtool.search.writer import commit_segments, parallel_map, workers

        say("Loading articles")
        corpus = load_corpus(self.config, with_git=False, cache=_existing_cache(self.config))
        titles = {f"{loc}/{key}": s.title for (loc, key), s in corpus.sections.items()}
        docs: dict[str, list[tuple[Article, str]]] = {locale: [] for locale in analyzers}
        states: dict[str, FileState] = {}
        for article in corpus.articles:
            title = corpus.section(article.locale, article.section).title
            keep = self._indexable(article) and article.locale in docs
            if keep:
                docs[article.locale].append((article, title))
            _, mtime, size = scan.files.get(article.rel_path, ("", 0, 0))
            states[article.rel_path] = FileState(mtime, size, doc_hash(article, title), keep)
        for rel, (_, mtime, size) in scan.files.items():
            states.setdefault(rel, FileState(mtime, size, "", False))
        generation = self._new_generation()
        try:
            indexes: dict[str, Index] = {}
            for locale, language in analyzers.items():
                folder = generation / locale
                folder.mkdir()
                indexes[locale] = whoosh_index.create_in(str(folder), make_schema(language))
            total = sum(len(d) for d in docs.values())
            shares = _shares(docs, workers(total), analyzers)
            say(f"Indexing {total} articles ({len(shares)} processes)")
            written = parallel_map(lambda share: _write_share(indexes, analyzers, share), shares)
            for locale, ix in indexes.items():
                commit_segments(ix, [found[locale][0] for found in written if locale in found])
                words: Counter[str] = Counter()
                for found in written:
                    if locale in found:
                        words.update(found[locale][1])
                write_vocabulary(generation / locale, words)
            manifest = Manifest(
                fingerprint=stamp,
                locales=analyzers,
                files=states,
                sections=scan.sections,
                section_titles=titles,
                built=_now(),
                counts={loc: len(d) for loc, d in docs.items()},
                dirs=scan.dirs,
                scanned=scan.at,
            )
            (generation / _MANIFEST).write_bytes(manifest.to_json())
            self._swap(generation)
        except BaseException:
            shutil.rmtree(generation, ignore_errors=True)
            raise
        return UpdateReport(
            action="built",
            reason=reason,
            added=total,
            updated=0,
            removed=0,
            documents=manifest.counts,
            analyzers={k: v.describe() for k, v in analyzers.items()},
            seconds=0.0,
            location=self.folder,
            problems=corpus.problems,
            size_bytes=_size(generation),
        )

    def _incremental(
        self,
        scan: _Scan,
        analyzers: dict[str, Language],
        stamp: str,
        current: Path,
        manifest: Manifest,
        say: Progress,
    ) -> UpdateReport:
        from whoosh import index as whoosh_index

        changed, removed, sections_changed = _differences(scan, manifest)
        titles = manifest.section_titles
        problems: list[LoadProblem] = []
        articles: dict[str, Article | None] = {}
        if sections_changed:
            # a section title may be in every article of the section: check them all
            say("Loading articles (section metadata changed)")
            corpus = load_corpus(self.config, with_git=False)
            titles = {f"{loc}/{key}": s.title for (loc, key), s in corpus.sections.items()}
            loaded = {a.rel_path: a for a in corpus.articles}
            articles = {rel: loaded.get(rel) for rel in scan.files}
            problems.extend(corpus.problems)
        else:
            for rel in changed:
                path = Path(scan.files[rel][0])
                article, found = read_article(path, rel, config=self.config, layout=scan.layout)
                articles[rel] = article
                problems.extend(found)
        states = {rel: state for rel, state in manifest.files.items() if rel in scan.files}
        add: dict[str, list[ArticleDoc]] = {}
        delete: dict[str, list[str]] = {}
        added = updated = 0
        default = self.config.kb.default_locale
        for rel, article in articles.items():
            _, mtime, size = scan.files[rel]
            before = manifest.files.get(rel)
            if article is None:
                states[rel] = FileState(mtime, size, "", False)
                if before is not None and before.indexed:
                    delete.setdefault(scan.locale_of(rel), []).append(rel)
                continue
            title = (
                titles.get(f"{article.locale}/{article.section}")
                or titles.get(f"{default}/{article.section}")
                or humanize(article.section)
            )
            language = analyzers.get(article.locale) or language_for(article.locale)
            doc = article_doc(article, title, language)
            keep = self._indexable(article) and article.locale in analyzers
            states[rel] = FileState(mtime, size, doc.hash, keep)
            if before is not None and before.hash == doc.hash and before.indexed == keep:
                continue
            if before is not None and before.indexed:
                delete.setdefault(article.locale, []).append(rel)
            if keep:
                add.setdefault(article.locale, []).append(doc)
                if before is not None and before.indexed:
                    updated += 1
                else:
                    added += 1
        for rel in removed:
            before = manifest.files[rel]
            if before.indexed:
                delete.setdefault(scan.locale_of(rel), []).append(rel)
        removed_count = sum(len(v) for v in delete.values()) - updated
        new_locales = set(analyzers) - set(manifest.locales)
        gone_locales = set(manifest.locales) - set(analyzers)
        counts = dict(manifest.counts)
        if not add and not delete and not new_locales and not gone_locales:
            if changed or removed or sections_changed:
                # only stat changes (a touched file): remember them, keep the index
                fresh = Manifest(
                    stamp,
                    manifest.locales,
                    states,
                    scan.sections,
                    titles,
                    manifest.built,
                    counts,
                    scan.dirs,
                    scan.at,
                )
                write_atomic(current / _MANIFEST, fresh.to_json())
            return UpdateReport(
                action="unchanged",
                reason="",
                added=0,
                updated=0,
                removed=0,
                documents=counts,
                analyzers={k: v.describe() for k, v in analyzers.items()},
                seconds=0.0,
                location=self.folder,
                problems=tuple(problems),
                size_bytes=_size(current),
            )
        say("Updating the index")
        generation = self._new_generation()
        try:
            for locale in analyzers:
                if locale in manifest.locales:
                    _link_tree(current / locale, generation / locale)
            for locale, language in analyzers.items():
                folder = generation / locale
                if locale in new_locales:
                    folder.mkdir()
                    ix = whoosh_index.create_in(str(folder), make_schema(language))
                elif locale in add or locale in delete:
                    try:
                        ix = whoosh_index.open_dir(str(folder))
                    except Exception as exc:
                        raise IndexCorrupt(f"{locale}: {type(exc).__name__}: {exc}") from None
                else:
                    continue
                try:
                    words = Counter(read_vocabulary(folder))
                    writer = ix.writer()
                    if delete.get(locale):
                        # the deleted documents' words leave the vocabulary with them (the
                        # writer's searcher: the one `delete_by_term` uses too)
                        searcher = writer.searcher()
                        for rel in delete[locale]:
                            stored = searcher.document(path=rel)
                            if stored is not None:
                                words.subtract(stored_words(stored))
                    for rel in delete.get(locale, ()):
                        writer.delete_by_term("path", rel)
                    for doc in add.get(locale, ()):
                        writer.add_document(**doc.fields)
                        words.update(doc.words)
                    writer.commit(mergetype=_merge_small_segments)
                    counts[locale] = ix.doc_count()
                    write_vocabulary(folder, words)
                except Exception as exc:
                    raise IndexCorrupt(f"{locale}: {type(exc).__name__}: {exc}") from None
            for locale in gone_locales:
                counts.pop(locale, None)
            fresh = Manifest(
                stamp,
                analyzers,
                states,
                scan.sections,
                titles,
                manifest.built,
                counts,
                scan.dirs,
                scan.at,
            )
            (generation / _MANIFEST).write_bytes(fresh.to_json())
            self._swap(generation)
        except BaseException:
            shutil.rmtree(generation, ignore_errors=True)
            raise
        return UpdateReport(
            action="updated",
            reason="",
            added=added,
            updated=updated,
            removed=max(removed_count, 0),
            documents=counts,
            analyzers={k: v.describe() for k, v in analyzers.items()},
            seconds=0.0,
            location=self.folder,
            problems=tuple(problems),
            size_bytes=_size(generation),
        )

    def _indexable(self, article: Article) -> bool:
        return self.config.search.include_drafts or article.is_published

    # ------------------------------------------------------------------ generations

    def _new_generation(self) -> Path:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        path = self.folder / f"gen-{stamp}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        path.mkdir(parents=True)
        return path

    def _swap(self, generation: Path) -> None:
        data = {"format": FORMAT, "generation": generation.name}
        write_atomic(self.folder / _POINTER, json.dumps(data).encode("utf-8"))

    def _cleanup(self) -> None:
        """Remove generations other than the current one and the one before it
        (a search started before the swap may still be reading that one)."""
        try:
            current = json.loads((self.folder / _POINTER).read_bytes())["generation"]
        except (OSError, ValueError, KeyError, TypeError):
            return
        generations = sorted(
            (p for p in self.folder.iterdir() if p.is_dir() and p.name.startswith("gen-")),
            key=lambda p: p.stat().st_mtime,
        )
        keep = {current}
        older = [p for p in generations if p.name != current]
        if older:
            keep.add(older[-1].name)
        for path in generations:
            if path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)

    @contextmanager
    def _lock(self, say: Progress, timeout: float) -> Iterator[None]:
        if self.folder.exists() and not self.folder.is_dir():
            raise InputError(
                "is not a folder; cannot keep the search index there", path=self.folder
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        _gitignore(self.folder)
        path = self.folder / _LOCK
        handle = path.open("a+b")
        try:
            deadline = time.monotonic() + timeout
            waited = False
            while not _try_lock(handle):
                if not waited:
                    say("Waiting for another kbtool process that is writing the index")
                    waited = True
                if time.monotonic() > deadline:
                    raise ConflictError(
                        f"another kbtool process has been writing the index for over "
                        f"{timeout:.0f} s; try again later",
                        path=path,
                    )
                time.sleep(0.05)
            yield
        finally:
            _unlock(handle)
            handle.close()


# --------------------------------------------------------------------------- helpers


def _try_lock(handle: Any) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            return False
        raise
    return True


def _unlock(handle: Any) -> None:
    try:
        import fcntl
    except ImportError:
        import msvcrt

        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            pass
        return
    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _gitignore(folder: Path) -> None:
    """`.kbtool/` is git-ignored by kbtool init; make sure even without it."""
    marker = folder.parent / ".gitignore"
    if folder.parent.name == ".kbtool" and not marker.exists():
        with contextlib.suppress(OSError):
            marker.write_text("*\n", encoding="utf-8")


def _folders(root: Path) -> dict[str, int]:
    """Every folder under `root` that `discover` walks (not hidden, not a symlink), by its
    POSIX path relative to `root` ("" for `root`), with its mtime."""
    out: dict[str, int] = {}
    stack = [("", str(root))]
    while stack:
        rel, path = stack.pop()
        try:
            out[rel] = os.stat(path).st_mtime_ns  # noqa: PTH116  (strings: thousands of entries)
            with os.scandir(path) as entries:
                for entry in entries:
                    if not entry.name.startswith(".") and entry.is_dir(follow_symlinks=False):
                        stack.append((f"{rel}{entry.name}/", entry.path))
        except OSError:
            continue
    return out


def _stat(path: Path | str) -> tuple[int, int]:
    try:
        st = os.stat(path)  # noqa: PTH116  (Path.stat() is slower: 10,000 files per search)
    except OSError:
        return 0, -1
    return st.st_mtime_ns, st.st_size


def _differences(scan: _Scan, manifest: Manifest) -> tuple[list[str], list[str], bool]:
    changed = [
        rel
        for rel, (_, mtime, size) in scan.files.items()
        if (state := manifest.files.get(rel)) is None
        or state.mtime_ns != mtime
        or state.size != size
    ]
    removed = [rel for rel in manifest.files if rel not in scan.files]
    return changed, removed, scan.sections != manifest.sections


_Share = list[tuple[str, list[tuple["Article", str]]]]


def _shares(
    docs: Mapping[str, list[tuple[Article, str]]],
    processes: int,
    analyzers: Mapping[str, Language] | None = None,
) -> list[_Share]:
    """The documents of each process, about the same amount of text for each.

    A small locale goes whole to the least busy process (one segment: its terms are
    written once, not once per process); a large one is cut into consecutive runs
    (neighbouring articles share more terms) that even out the processes' loads.
    """
    present = {locale: items for locale, items in docs.items() if items}
    if processes < 2:
        return [list(present.items())] if present else []
    weights = {}
    for locale, items in present.items():
        language = (analyzers or {}).get(locale)
        # a Chinese, Japanese or Korean character is about a term (Latin text: a word
        # of five or six), so such text weighs more per character
        factor = 1 if language is None or language.segmentation == "words" else _CJK_WEIGHT
        weights[locale] = [len(article.body) * factor + _DOC_WEIGHT for article, _ in items]
    totals = {locale: sum(w) for locale, w in weights.items()}
    target = sum(totals.values()) / processes
    large = [locale for locale in totals if totals[locale] > target / 2]
    shares: list[_Share] = [[] for _ in range(processes)]
    load = [0] * processes
    for locale in sorted(set(totals) - set(large), key=lambda loc: (-totals[loc], loc)):
        i = load.index(min(load))
        shares[i].append((locale, present[locale]))
        load[i] += totals[locale]
    left = sum(totals[locale] for locale in large)
    for locale in sorted(large, key=lambda loc: (-totals[loc], loc)):
        # fill each process up to an even share of what is left, in consecutive runs
        goal = (sum(load) + left) / processes
        start, taken = 0, 0
        items, sizes = present[locale], weights[locale]
        for i in range(processes):
            want = max(0.0, goal - load[i]) if i < processes - 1 else float("inf")
            end = start
            got = 0
            while end < len(items) and (got < want or (end == start and want > 0)):
                got += sizes[end]
                end += 1
            if end > start:
                shares[i].append((locale, items[start:end]))
                load[i] += got
                taken += got
            start = end
        left -= taken
    return [share for share in shares if share]


def _write_share(
    indexes: Mapping[str, Index], analyzers: Mapping[str, Language], share: _Share
) -> dict[str, tuple[Any, Counter[str]]]:
    """Write one segment per locale of `share`; the segments (for `commit_segments`) and
    the words of their documents' vocabulary."""
    from kbtool.search.writer import SegmentBuilder

    out = {}
    for locale, items in share:
        builder = SegmentBuilder(indexes[locale], lock=False)
        words: Counter[str] = Counter()
        try:
            for article, title in items:
                doc = article_doc(article, title, analyzers[locale])
                builder.add_document(**doc.fields)
                words.update(doc.words)
            out[locale] = (builder.segment(), words)
        except BaseException:
            builder.cancel()
            raise
    return out


def _merge_small_segments(writer: Any, segments: list[Any]) -> list[Any]:
    """Whoosh merge policy for updates: merge the small segments that updates add, never
    the big ones a full build wrote (merging those goes through Whoosh's slow writer)."""
    from whoosh.reading import SegmentReader

    total = sum(s.doc_count_all() for s in segments) or 1
    small = [s for s in segments if s.doc_count_all() < max(_SMALL_SEGMENT, total // 20)]
    if len(small) < _MERGE_AT:
        return segments
    for segment in small:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in small]


def _existing_cache(config: Config) -> CorpusCache | None:
    """The knowledge base's cache of loaded articles when other commands have filled it
    (writing it from scratch would cost a full build more than it saves)."""
    from kbtool.corpus.cache import CorpusCache

    cache = CorpusCache.open(config.root)
    if cache is None or not (cache.folder / "files.bin").is_file():
        return None
    return cache


def _link_tree(source: Path, target: Path) -> None:
    """Copy a Whoosh index folder as hard links (its files are written once, never changed)."""
    target.mkdir(parents=True)
    for item in source.iterdir():
        if item.name.endswith("WRITELOCK") or not item.is_file():
            continue
        try:
            os.link(item, target / item.name)
        except OSError:
            shutil.copy2(item, target / item.name)


def _size(folder: Path) -> int:
    total = 0
    for path in folder.rglob("*"):
        try:
            if path.is_file():
                total += path.stat().st_size
        except OSError:
            pass
    return total


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _timed(report: UpdateReport, start: float) -> UpdateReport:
    import dataclasses

    return dataclasses.replace(report, seconds=time.perf_counter() - start)


def describe_locales(manifest: Manifest) -> Mapping[str, str]:
    return {k: v.describe() for k, v in manifest.locales.items()}
