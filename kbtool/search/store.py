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
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbtool.corpus import humanize, load_corpus, read_article
from kbtool.corpus.discover import Layout, detect_locales, discover
from kbtool.corpus.edit import write_atomic
from kbtool.errors import ConfigError, ConflictError, InputError
from kbtool.search.analysis import Language, known_analyzers, language_for
from kbtool.search.schema import ArticleDoc, article_doc, fingerprint, make_schema

if TYPE_CHECKING:
    from whoosh.index import Index

    from kbtool.config import Config
    from kbtool.corpus import Article, LoadProblem

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
# Below this many documents in a locale one writer process is faster than several.
_PARALLEL_MIN_DOCS = 1000
LOCK_TIMEOUT = 120.0

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
    files: dict[str, tuple[Path, int, int]]  # rel -> (path, mtime_ns, size)
    sections: dict[str, tuple[int, int]]

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
        scan = self._scan()
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
            scan = scan or self._scan()
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

    def _scan(self) -> _Scan:
        config = self.config
        root = config.articles_path
        if not root.is_dir():
            raise InputError(
                "articles folder not found (set kb.articles_dir in kbtool.toml)", path=root
            )
        locales = detect_locales(root, config.kb.locales)
        layout = Layout(locales=locales, default_locale=config.kb.default_locale)
        files, section_files = discover(
            root, include=config.kb.include, exclude=config.kb.exclude, locales=locales
        )
        return _Scan(
            layout,
            {rel: (path, *_stat(path)) for rel, path in files},
            {rel: _stat(path) for rel, path in section_files},
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

        say("Loading articles")
        corpus = load_corpus(self.config, with_git=False)
        titles = {f"{loc}/{key}": s.title for (loc, key), s in corpus.sections.items()}
        docs: dict[str, list[ArticleDoc]] = {locale: [] for locale in analyzers}
        states: dict[str, FileState] = {}
        for article in corpus.articles:
            title = corpus.section(article.locale, article.section).title
            doc = article_doc(article, title)
            keep = self._indexable(article) and article.locale in docs
            if keep:
                docs[article.locale].append(doc)
            _, mtime, size = scan.files.get(article.rel_path, (article.path, 0, 0))
            states[article.rel_path] = FileState(mtime, size, doc.hash, keep)
        for rel, (_, mtime, size) in scan.files.items():
            states.setdefault(rel, FileState(mtime, size, "", False))
        generation = self._new_generation()
        try:
            for locale, language in analyzers.items():
                say(f"Indexing {len(docs[locale])} {locale} articles")
                folder = generation / locale
                folder.mkdir()
                ix = whoosh_index.create_in(str(folder), make_schema(language))
                _write(ix, docs[locale], parallel=True)
            manifest = Manifest(
                fingerprint=stamp,
                locales=analyzers,
                files=states,
                sections=scan.sections,
                section_titles=titles,
                built=_now(),
                counts={loc: len(d) for loc, d in docs.items()},
            )
            (generation / _MANIFEST).write_bytes(manifest.to_json())
            self._swap(generation)
        except BaseException:
            shutil.rmtree(generation, ignore_errors=True)
            raise
        return UpdateReport(
            action="built",
            reason=reason,
            added=sum(len(d) for d in docs.values()),
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
                path = scan.files[rel][0]
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
            doc = article_doc(article, title)
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
                    stamp, manifest.locales, states, scan.sections, titles, manifest.built, counts
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
                    writer = ix.writer()
                    for rel in delete.get(locale, ()):
                        writer.delete_by_term("path", rel)
                    for doc in add.get(locale, ()):
                        writer.add_document(**doc.fields)
                    writer.commit()
                    counts[locale] = ix.doc_count()
                except Exception as exc:
                    raise IndexCorrupt(f"{locale}: {type(exc).__name__}: {exc}") from None
            for locale in gone_locales:
                counts.pop(locale, None)
            fresh = Manifest(
                stamp, analyzers, states, scan.sections, titles, manifest.built, counts
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


def _stat(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
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


def _write(ix: Index, docs: list[ArticleDoc], *, parallel: bool) -> None:
    """Add `docs` to an empty index: on every core (Whoosh's multi-segment writer, one
    segment per process) when there are many and this process may fork."""
    procs = min(os.cpu_count() or 1, 4)
    if parallel and len(docs) >= _PARALLEL_MIN_DOCS and procs > 1 and _can_fork():
        writer = ix.writer(procs=procs, multisegment=True, limitmb=256, batchsize=200)
    else:
        writer = ix.writer(limitmb=256)
    try:
        for doc in docs:
            writer.add_document(**doc.fields)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


def _can_fork() -> bool:
    import multiprocessing

    if multiprocessing.get_start_method(allow_none=True) not in (None, "fork"):
        return False
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    # forking a process that runs other threads can deadlock the child
    return threading.active_count() == 1


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
