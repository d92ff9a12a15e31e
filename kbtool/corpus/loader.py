"""Load a knowledge base: discover files, parse them, map fields, attach git history."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from kbtool.config import Config
from kbtool.corpus.discover import SECTION_FILE, Layout, detect_locales, discover_text
from kbtool.corpus.git import GitHistory
from kbtool.corpus.model import Article, Commit, LoadProblem, Section, Severity
from kbtool.corpus.parse import ParsedFile, meta_value, parse_bytes
from kbtool.dates import parse_date
from kbtool.errors import InputError

if TYPE_CHECKING:
    from kbtool.corpus.cache import CorpusCache

__all__ = [
    "Corpus",
    "Found",
    "GitReader",
    "articles_prefix",
    "can_fork",
    "find_files",
    "load_corpus",
    "load_sections",
    "read_article",
]

_LIST_FIELDS = ("stages", "channels", "labels")
_TEXT_FIELDS = (
    "id", "title", "description", "type", "section", "owner", "status", "review_every",
    "product_area", "translation_of", "reviewed_by", "source_hash",
)  # fmt: skip


@dataclass(frozen=True)
class Corpus:
    """Every article of a knowledge base, its sections, and what could not be loaded."""

    config: Config
    layout: Layout
    articles: tuple[Article, ...]
    sections: Mapping[tuple[str, str], Section]
    problems: tuple[LoadProblem, ...]
    history: GitHistory | None = None
    _by_id: dict[tuple[str, str], Article] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for article in self.articles:
            self._by_id.setdefault((article.locale, article.id), article)

    @property
    def locales(self) -> tuple[str, ...]:
        """Locales in use: the configured or detected ones, else those articles have."""
        if self.layout.locales:
            return self.layout.locales
        return tuple(sorted({a.locale for a in self.articles})) or (self.layout.default_locale,)

    def get(self, locale: str, article_id: str) -> Article | None:
        return self._by_id.get((locale, article_id))

    def section(self, locale: str, key: str) -> Section:
        """The section's metadata, falling back to the source locale's, then to the folder name."""
        found = self.sections.get((locale, key)) or self.sections.get(
            (self.layout.default_locale, key)
        )
        return found or Section(key=key, locale=locale, title=humanize(key))

    def __iter__(self) -> Iterator[Article]:
        return iter(self.articles)

    def __len__(self) -> int:
        return len(self.articles)


def humanize(slug: str) -> str:
    """`getting-started` -> `Getting started`."""
    words = slug.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else slug


@dataclass(frozen=True)
class Found:
    """The files of a knowledge base as found on disk, before any is read.

    Paths as text (`texts`, `section_texts`: (POSIX path relative to the articles
    folder, path)); `files` and `sections` give them as Paths, made on first use.
    """

    layout: Layout
    texts: list[tuple[str, str]]
    section_texts: list[tuple[str, str]]

    @cached_property
    def files(self) -> list[tuple[str, Path]]:
        return [(rel, Path(path)) for rel, path in self.texts]

    @cached_property
    def sections(self) -> list[tuple[str, Path]]:
        return [(rel, Path(path)) for rel, path in self.section_texts]


def find_files(config: Config) -> Found:
    """Discover the articles and section files of `config`'s knowledge base.

    Raises InputError when the articles folder does not exist.
    """
    root = config.articles_path
    if not root.is_dir():
        raise InputError(
            "articles folder not found (set kb.articles_dir in kbtool.toml)", path=root
        )
    locales = detect_locales(root, config.kb.locales)
    layout = Layout(locales=locales, default_locale=config.kb.default_locale)
    files, sections = discover_text(
        root, include=config.kb.include, exclude=config.kb.exclude, locales=locales
    )
    return Found(layout, files, sections)


def load_corpus(
    config: Config,
    *,
    paths: Sequence[Path] = (),
    with_git: bool = True,
    cache: CorpusCache | None = None,
    found: Found | None = None,
) -> Corpus:
    """Load every article under the articles folder (or only under `paths`).

    Never stops on a bad file: each becomes a LoadProblem and the rest loads.
    Raises InputError only when the articles folder or a given path does not exist.
    With a `cache`, files unchanged since they were last loaded are not parsed again.
    `found`: the files, when the caller has just discovered them (`find_files`).
    """
    root = config.articles_path
    found = found or find_files(config)
    layout = found.layout
    files = found.files
    if paths:
        files = _within(files, paths)
    # git log runs in a thread while this one parses: the wait is mostly on git
    git = GitReader(root, cache) if with_git else None
    articles: list[Article] = []
    problems: list[LoadProblem] = []
    loaded = (
        _read_all(files, config, layout, None)
        if cache is None
        else _read_cached(files, config, layout, cache)
    )
    for article, problem_list in loaded:
        problems.extend(problem_list)
        if article is not None:
            articles.append(article)
    history = git.result() if git is not None else None
    if history is not None and history.available:
        articles = with_history(articles, history, root)
    sections = load_sections(found.sections, config, layout, problems)
    problems.sort(key=lambda p: (str(p.path), p.line, p.column))
    return Corpus(
        config=config,
        layout=layout,
        articles=tuple(articles),
        sections=MappingProxyType(sections),
        problems=tuple(problems),
        history=history,
    )


_GIT_THREAD = "kbtool-git-log"


class GitReader:
    """`GitHistory.load` on a thread of its own; `result()` waits for it.

    With a `cache`, the history is kept there under the commit HEAD points at
    (and the shallow clone's boundary): the history of committed files is a
    function of those, so `git log` runs once per commit, not once per run.
    """

    def __init__(self, root: Path, cache: CorpusCache | None = None):
        import threading

        self._history: GitHistory | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(root, cache), name=_GIT_THREAD, daemon=True
        )
        self._thread.start()

    def _run(self, root: Path, cache: CorpusCache | None) -> None:
        try:
            key = _history_key(root) if cache is not None else ""
            found = cache.history(key) if cache is not None and key else None
            if found is None:
                found = GitHistory.load(root)
                if cache is not None and key and found.available:
                    cache.put_history(key, found)
            self._history = found
        except BaseException as exc:  # re-raised in the caller's thread
            self._error = exc

    def result(self) -> GitHistory:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._history is not None
        return self._history


def _history_key(root: Path) -> str:
    """What the history of the files under `root` is a function of: the commit HEAD
    points at, the shallow boundary (a fetch may deepen it) and `root`; "" when git
    cannot tell (no repository, no commit yet)."""
    from kbtool.corpus.cache import digest, rev_parse

    lines = rev_parse(root, "--absolute-git-dir", "HEAD")
    if len(lines) != 2:
        return ""
    git_dir, head = lines
    try:
        shallow = Path(git_dir, "shallow").read_bytes()
    except OSError:
        shallow = b""
    return digest("git log", head, shallow, str(root.absolute()))


def _within(files: list[tuple[str, Path]], paths: Sequence[Path]) -> list[tuple[str, Path]]:
    wanted = []
    for given in paths:
        resolved = given.resolve()
        if not resolved.exists():
            raise InputError("no such file or folder", path=given)
        wanted.append(resolved)
    out = []
    for rel, path in files:
        resolved = path.resolve()
        if any(resolved == w or w in resolved.parents for w in wanted):
            out.append((rel, path))
    return out


def read_article(
    path: Path,
    rel: str,
    *,
    config: Config,
    layout: Layout,
    history: GitHistory | None = None,
) -> tuple[Article | None, list[LoadProblem]]:
    """Read and parse one article file; (None, problems) when it cannot be an article."""
    commits: tuple[Commit | None, Commit | None] = (None, None)
    if history is not None and history.available:
        commits = (history.last(path), history.first(path))
    return _read(path, rel, config, layout, commits)


def _read(
    path: Path,
    rel: str,
    config: Config,
    layout: Layout,
    commits: tuple[Commit | None, Commit | None],
) -> tuple[Article | None, list[LoadProblem]]:
    try:
        raw, size = _read_limited(path, config.kb.max_file_size)
    except OSError as exc:
        return None, [LoadProblem(path, 1, 1, f"cannot read: {exc.strerror}", "io")]
    parsed = parse_bytes(path, raw, max_size=config.kb.max_file_size, size=size)
    if not parsed.readable:
        return None, parsed.problems
    return _build_article(parsed, rel, config, layout, commits), parsed.problems


def articles_prefix(config: Config) -> str:
    """The articles folder relative to the root, POSIX; "" when they are the same."""
    try:
        prefix = config.articles_path.relative_to(config.root).as_posix()
    except ValueError:
        prefix = config.articles_path.as_posix()
    return "" if prefix == "." else prefix


def _read_cached(
    files: list[tuple[str, Path]], config: Config, layout: Layout, cache: CorpusCache
) -> list[tuple[Article | None, list[LoadProblem]]]:
    """`_read_all` that takes files unchanged since the last load from `cache`.

    A file is parsed only when the cache has no entry for its path and content
    hash (with this kbtool and configuration); content hashes come from the
    cache's record of each file's size, mtime, ctime and inode, so an unchanged
    file is not even read.
    """
    import json

    from kbtool.corpus.cache import code_fingerprint, digest

    prefix = articles_prefix(config)
    keyed = [(f"{prefix}/{rel}" if prefix else rel, path) for rel, path in files]
    hashes = cache.content_hashes(keyed)
    load_key = digest(
        "load",
        code_fingerprint(),
        str(config.articles_path),
        json.dumps(config.to_dict(), sort_keys=True, default=str),
        layout,
    )
    out: list[tuple[Article | None, list[LoadProblem]]] = []
    missing: list[tuple[int, str, str]] = []  # (index, cache key, content hash)
    for (rel, path), (shown, _) in zip(files, keyed, strict=True):
        content = hashes.get(shown, "")
        key = digest(load_key, rel, content) if content else ""
        found = cache.parsed(key, path) if key else None
        if found is None:
            missing.append((len(out), key, content))
            out.append((None, []))
        else:
            out.append(found)
    if missing:
        parsed = _read_all([files[i] for i, _, _ in missing], config, layout, None)
        for (i, key, content), (article, problems) in zip(missing, parsed, strict=True):
            out[i] = (article, problems)
            # only what is known to come from the hashed content (no race with an edit)
            if key and article is not None and article.content_hash == content:
                cache.put_parsed(key, article, problems)
    cache.flush("parsed")
    cache.save()
    return out


# Below this many files one process is faster than starting a second one.
_PARALLEL_MIN_FILES = 1500


def _read_all(
    files: list[tuple[str, Path]],
    config: Config,
    layout: Layout,
    history: GitHistory | None,
) -> list[tuple[Article | None, list[LoadProblem]]]:
    """Read every file, on all cores for a large knowledge base (fork only: the
    children inherit the configuration instead of pickling it)."""
    workers = min(os.cpu_count() or 1, 8)
    if len(files) < _PARALLEL_MIN_FILES or workers < 2 or not can_fork():
        return _read_chunk(files, config, layout)
    import concurrent.futures
    import multiprocessing

    size = -(-len(files) // workers)
    chunks = [files[i : i + size] for i in range(0, len(files), size)]
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(len(chunks) - 1, mp_context=context) as pool:
        futures = [pool.submit(_read_chunk, chunk, config, layout) for chunk in chunks[1:]]
        results = _read_chunk(chunks[0], config, layout)  # this process takes a share too
        for future in futures:
            results.extend(future.result())
    return results


def can_fork() -> bool:
    """May this process fork worker processes now?

    Forking a process that runs other threads (a test runner's, an editor
    plug-in's) can deadlock the child on a lock one of them held. Two threads
    are known to be safe: the git reader of `load_corpus`, and the refresh
    thread of a terminal spinner or progress bar (Rich's), as workers never print.
    """
    import multiprocessing
    import threading

    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    others = [
        t
        for t in threading.enumerate()
        if t is not threading.main_thread()
        and t.name != _GIT_THREAD
        and type(t).__name__ != "_RefreshThread"
    ]
    return not others


def _read_chunk(
    files: list[tuple[str, Path]], config: Config, layout: Layout
) -> list[tuple[Article | None, list[LoadProblem]]]:
    return [_read(path, rel, config, layout, (None, None)) for rel, path in files]


def with_history(articles: list[Article], history: GitHistory, root: Path) -> list[Article]:
    """`articles` (just loaded, not yet shared) with their first and last commits."""
    prefix = history.prefix(root)
    if prefix is None:
        return articles
    for article in articles:
        # Set in place rather than `replace()`: these articles are still private to the
        # loader, and copying 10,000 of them cost half a second.
        key = prefix + article.rel_path
        object.__setattr__(article, "last_commit", history.last_at(key))
        object.__setattr__(article, "first_commit", history.first_at(key))
    return articles


def _read_limited(path: Path, limit: int) -> tuple[bytes, int]:
    """The file's bytes and size; only the first `limit + 1` bytes of a larger file.

    A multi-gigabyte file in the articles folder is reported as too large
    without being read into memory.
    """
    with path.open("rb") as handle:
        raw = handle.read(limit + 1)
        size = os.fstat(handle.fileno()).st_size if len(raw) > limit else len(raw)
    return raw, size


def _build_article(
    parsed: ParsedFile,
    rel: str,
    config: Config,
    layout: Layout,
    commits: tuple[Commit | None, Commit | None] = (None, None),
) -> Article:
    locale, inner = layout.split(rel)
    folder = inner.rsplit("/", 1)[0] if "/" in inner else ""
    meta = parsed.meta
    fields = config.fields
    values: dict[str, Any] = {}
    used: dict[str, str] = {}

    def warn(key: str, message: str) -> None:
        parsed.problem(
            parsed.key_lines.get(key, 1), message, code="field", severity=Severity.WARNING
        )

    for name in _TEXT_FIELDS:
        key, raw = meta_value(meta, config.field_keys(name))
        if key is None or raw is None:
            continue
        used[name] = key
        text = _as_text(raw)
        if text is None:
            warn(key, f"'{key}' should be text, not {_kind(raw)}")
            continue
        values[name] = _mapped(fields.values, name, text)
    for name in _LIST_FIELDS:
        key, raw = meta_value(meta, config.field_keys(name))
        if key is None or raw is None:
            continue
        used[name] = key
        items = _as_list(raw, fields.list_separator)
        if items is None:
            if isinstance(raw, list):
                bad = next(i for i in raw if i is not None and _as_text(i) is None)
                warn(key, f"'{key}' should be a list of text; one item is {_kind(bad)}")
            else:
                warn(key, f"'{key}' should be a list or text, not {_kind(raw)}")
            continue
        values[name] = tuple(_mapped(fields.values, name, item) for item in items)
    key, raw = meta_value(meta, config.field_keys("last_reviewed"))
    if key is not None and raw not in (None, ""):
        used["last_reviewed"] = key
        try:
            values["last_reviewed"] = parse_date(raw, fields.date_formats)
        except ValueError as exc:
            warn(key, f"'{key}': {exc}")
    title = values.pop("title", None) or _first_heading(parsed.body) or humanize(parsed.path.stem)
    article_id = values.pop("id", None) or parsed.path.stem
    section = values.pop("section", None) or (
        folder.rsplit("/", 1)[-1] if folder else config.kb.default_section
    )
    status = values.pop("status", None) or fields.status_default
    return Article(
        path=parsed.path,
        rel_path=rel,
        locale=locale,
        id=article_id,
        title=title,
        section=section,
        status=status,
        meta=meta,
        body=parsed.body,
        body_line=parsed.body_line,
        key_lines=parsed.key_lines,
        field_keys=used,
        has_front_matter=parsed.has_front_matter,
        line_ending=parsed.line_ending,
        bom=parsed.bom,
        content_hash=parsed.content_hash,
        size=parsed.size,
        last_commit=commits[0],
        first_commit=commits[1],
        problems=tuple(parsed.problems),
        **values,
    )


def _as_text(raw: Any) -> str | None:
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, (int, float, dt.date)):
        return str(raw)
    return None


def _as_list(raw: Any, separator: str) -> list[str] | None:
    if isinstance(raw, str):
        return [part.strip() for part in raw.split(separator) if part.strip()]
    if isinstance(raw, list):
        out = []
        for item in raw:
            if item is None:  # an empty `- ` entry
                continue
            text = _as_text(item)
            if text is None:
                return None
            if text:
                out.append(text)
        return out
    text = _as_text(raw)
    return [text] if text else None


def _mapped(value_maps: Mapping[str, Mapping[str, str]], name: str, value: str) -> str:
    table = value_maps.get(name)
    return table.get(value, value) if table else value


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def _first_heading(body: str) -> str | None:
    for line in body.splitlines()[:40]:
        if line.startswith("# "):
            return line[2:].strip().rstrip("#").strip() or None
    return None


def load_sections(
    files: Iterable[tuple[str, Path]],
    config: Config,
    layout: Layout,
    problems: list[LoadProblem],
) -> dict[tuple[str, str], Section]:
    """The sections of section files (`_index.md`) by (locale, key); what is wrong with
    a file goes to `problems`."""
    sections: dict[tuple[str, str], Section] = {}
    for rel, path in files:
        locale, inner = layout.split(rel)
        folder = inner[: -len(SECTION_FILE)].rstrip("/")
        if not folder:
            continue
        key = folder.rsplit("/", 1)[-1]
        try:
            raw, size = _read_limited(path, config.kb.max_file_size)
        except OSError as exc:
            problems.append(LoadProblem(path, 1, 1, f"cannot read: {exc.strerror}", "io"))
            continue
        parsed = parse_bytes(path, raw, max_size=config.kb.max_file_size, size=size)
        problems.extend(parsed.problems)
        meta = parsed.meta
        position = meta.get("position", 1000)
        sections[(locale, key)] = Section(
            key=key,
            locale=locale,
            title=_as_text(meta.get("title")) or humanize(key),
            description=_as_text(meta.get("description")) or "",
            position=position if isinstance(position, int) else 1000,
            path=path,
        )
    return sections
