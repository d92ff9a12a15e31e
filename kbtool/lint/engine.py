"""Run the selected rules over a corpus and collect diagnostics.

The pipeline of one run:

1. settings: which rules run, at which severity, with which options, and which
   paths ignore which rules (`settings_from_config`);
2. article rules on each article (in worker processes for large runs, see
   `parallel.py`), corpus rules once on the whole corpus;
3. per file: per-path ignores, then inline suppressions; suppressions that
   silenced nothing become KB001 diagnostics;
4. only the selected files' diagnostics are reported (PATHS, --changed-since):
   corpus rules always see the whole corpus.

`lint(corpus, settings)` does 2-4 on a loaded corpus. `lint_tree(config,
settings)` is what the CLI runs: it consults the cache first (`cache.py`),
which answers a run on an unchanged tree without loading anything (even the
rendered report is kept), and otherwise loads the corpus (unchanged files from
the cache) and calls `lint`, which reuses the cache's per-article results and
re-runs corpus-dependent rules only where what they depend on changed.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import json
import os
import pickle
import posixpath
import re
import urllib.parse
from collections import Counter
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbtool.config import Config, ConfigProblem, key_line
from kbtool.corpus import Corpus
from kbtool.corpus.model import Severity
from kbtool.errors import InputError
from kbtool.lint.context import CorpusContext, Options, relative_path
from kbtool.lint.diagnostic import Diagnostic, report_order
from kbtool.lint.registry import Rule, all_rules, resolve

if TYPE_CHECKING:
    from kbtool.corpus import Article
    from kbtool.corpus.discover import Layout
    from kbtool.corpus.loader import Found
    from kbtool.lint.cache import LintCache, Snapshot, State
    from kbtool.lint.delivery import Renderer, Shelf
    from kbtool.lint.suppress import Suppressions
    from kbtool.markdown import Document
    from kbtool.output import Index, Parts, Tally

__all__ = [
    "FAIL_ON",
    "LintResult",
    "LintSettings",
    "exit_code",
    "lint",
    "lint_tree",
    "settings_from_config",
]

FAIL_ON = ("error", "warning", "info", "never")
UNUSED_SUPPRESSION = "KB001"

Progress = Callable[[int, int], None]  # (done, total) articles


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class LintSettings:
    """Which rules run, at which severity, with which options."""

    rules: tuple[Rule, ...]
    severities: dict[str, Severity] = field(default_factory=dict)
    options: dict[str, object] = field(default_factory=dict)
    unknown: tuple[str, ...] = ()  # selectors that match no rule (config and command line)
    # (glob, codes) pairs from `[lint] per_path_ignores`
    per_path_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    # unknown codes and option names in kbtool.toml, as warnings with their line
    problems: tuple[ConfigProblem, ...] = ()
    fail_on: str = "error"

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(r.code for r in self.rules)

    def ignored_for(self, candidates: Sequence[str]) -> set[str]:
        """Codes that `[lint] per_path_ignores` switches off for one file.

        `candidates` are the file's path relative to the articles folder, to its
        locale folder and to the knowledge-base root (see `glob_paths`).
        """
        from kbtool.corpus.discover import glob_match

        out: set[str] = set()
        for pattern, codes in self.per_path_ignores:
            if any(glob_match(c, pattern) for c in candidates):
                out |= codes
        return out

    def fingerprint(self, config: Config) -> str:
        """Everything a cached result depends on besides the files themselves."""
        from kbtool.lint.cache import code_fingerprint, digest

        plain = json.dumps(config.to_dict(), sort_keys=True, default=str)
        opts = json.dumps(self.options, sort_keys=True, default=str)
        return digest(
            code_fingerprint(),
            sorted(self.codes),
            sorted((k, int(v)) for k, v in self.severities.items()),
            opts,
            self.per_path_ignores,
            plain,
            str(config.root),
        )


def settings_from_config(
    config: Config,
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> LintSettings:
    """Settings from `[lint]`, with command-line `select`/`ignore` on top.

    Selectors are codes (`KB104`), family prefixes (`KB1`), names or `ALL`.
    Unknown selectors in the configuration become warnings (`problems`) naming
    kbtool.toml and the line; all unknown selectors are in `unknown`.
    """
    lint_config = config.lint
    rules = all_rules()
    problems: list[ConfigProblem] = []
    unknown: list[str] = []

    def check(selectors: Iterable[str], keys: tuple[str, ...], what: str) -> set[str]:
        codes, bad = resolve(selectors)
        for selector in bad:
            unknown.append(selector)
            problems.append(
                _problem(
                    config,
                    keys,
                    f"unknown lint rule '{selector}' in {what}{_did_you_mean(selector, rules)}",
                )
            )
        return codes

    cli_select = list(select)
    if cli_select:
        codes, bad = resolve(cli_select)
        unknown.extend(bad)
    elif lint_config.select:
        codes = check(lint_config.select, ("lint", "select"), "lint.select")
    else:
        codes = {c for c, r in rules.items() if r.enabled}
    codes -= check(lint_config.ignore, ("lint", "ignore"), "lint.ignore")
    dropped, bad = resolve(ignore)
    unknown.extend(bad)
    codes -= dropped
    severities: dict[str, Severity] = {}
    for selector, level in lint_config.severity.items():
        matched = check([selector], ("lint", "severity", selector), "lint.severity")
        if level == "off":
            codes -= matched
        elif level in ("error", "warning", "info"):
            for code in matched:
                severities[code] = Severity.parse(level)
    per_path: list[tuple[str, frozenset[str]]] = []
    for pattern, selectors in lint_config.per_path_ignores.items():
        matched = check(
            selectors, ("lint", "per_path_ignores", pattern), f'lint.per_path_ignores."{pattern}"'
        )
        if matched:
            per_path.append((pattern, frozenset(matched)))
    defaults = {o.name: o.default for r in rules.values() for o in r.options}
    for name in lint_config.options:
        if name not in defaults:
            hint = _did_you_mean(name, defaults)
            problems.append(
                _problem(config, ("lint", "options", name), f"unknown lint option '{name}'{hint}")
            )
    return LintSettings(
        rules=tuple(rules[c] for c in sorted(codes)),
        severities=severities,
        options={**defaults, **lint_config.options},
        unknown=tuple(unknown),
        per_path_ignores=tuple(per_path),
        problems=tuple(problems),
        fail_on=lint_config.fail_on,
    )


def _problem(config: Config, keys: tuple[str, ...], message: str) -> ConfigProblem:
    return ConfigProblem(config.source, key_line(config.source, keys), message, "warning")


def _did_you_mean(word: str, rules: Mapping[str, Any]) -> str:
    """A hint for a misspelt rule name or option; none for codes (KB777 is no typo of KB707)."""
    if re.fullmatch(r"(?i)kb\d*", word.strip()):
        return ""
    names = list(rules)
    if isinstance(next(iter(rules.values()), None), Rule):
        names += [r.name for r in rules.values()]
    close = difflib.get_close_matches(word, names, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class LintResult:
    diagnostics: tuple[Diagnostic, ...]
    files: int  # articles linted (reported on)
    rules: tuple[Rule, ...]
    problems: tuple[ConfigProblem, ...] = ()  # configuration warnings
    cached: bool = False  # answered from the cache without linting
    notes: tuple[str, ...] = ()  # things the person running it may want to know
    # content hash (sha256) of each file the diagnostics were made from, by path
    hashes: Mapping[str, str] = field(default_factory=dict)
    # the report, when `lint_tree` was asked to render it (and perhaps had it cached);
    # `diagnostics` may then be empty, and `counts` says how many there are by severity
    rendered: str | bytes | None = None  # bytes: UTF-8, as read back from the cache
    counts: Mapping[str, int] | None = None
    # the report's totals when `diagnostics` holds only some files' (see `output.splice`)
    totals: Tally | None = None
    written: Path | None = None  # the file the report was written to (`Renderer.output`)

    def severity_counts(self) -> dict[Severity, int]:
        if self.counts is not None:
            return {Severity.parse(k): v for k, v in self.counts.items()}
        out: dict[Severity, int] = {}
        for d in self.diagnostics:
            out[d.severity] = out.get(d.severity, 0) + 1
        return out

    def at_or_above(self, severity: Severity) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity >= severity]


def exit_code(result: LintResult, fail_on: str) -> int:
    """1 when a diagnostic is at or above `fail_on` (error, warning, info; never: 0)."""
    if fail_on == "never":
        return 0
    threshold = Severity.parse(fail_on)
    counts = result.severity_counts()
    return 1 if any(n and severity >= threshold for severity, n in counts.items()) else 0


# --------------------------------------------------------------------------- linting a corpus


class _Docs(dict["Path", "Document"]):
    """Markdown analyses by article path, filled from the cache on first use."""

    def __init__(self, loader: Callable[[Path], Document | None] | None = None):
        super().__init__()
        self._loader = loader
        self.fresh: set[Path] = set()  # analysed in this run, not from the cache
        self.blobs: dict[Path, bytes] = {}  # pickled analyses from worker processes

    def get(self, key: Path, default: Any = None) -> Any:
        found = super().get(key)
        if found is None and key in self.blobs:
            found = pickle.loads(self.blobs.pop(key))
            super().__setitem__(key, found)
        if found is None and self._loader is not None:
            found = self._loader(key)
            if found is not None:
                super().__setitem__(key, found)
        return default if found is None else found

    def __setitem__(self, key: Path, value: Document) -> None:
        self.fresh.add(key)
        super().__setitem__(key, value)

    def known(self, key: Path, value: Document) -> None:
        """An analysis that came from the cache: kept for corpus rules, not stored again."""
        super().__setitem__(key, value)


def lint(
    corpus: Corpus,
    settings: LintSettings | None = None,
    *,
    only: Collection[str] | None = None,
    cache: LintCache | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
    stamp: str = "",
    links: Mapping[str, tuple[str, ...]] | None = None,
) -> LintResult:
    """Lint `corpus` with `settings` (default: from its config).

    `only`: paths (POSIX, relative to the root, as diagnostics show them) whose
    diagnostics are reported; None for all. Article rules run on those articles
    only; corpus rules see every article. `cache` supplies and stores
    per-article results; `jobs` worker processes (default: all cores).
    """
    return _lint(
        corpus,
        settings or settings_from_config(corpus.config),
        only=only,
        cache=cache,
        jobs=jobs,
        progress=progress,
        stamp=stamp,
        links=links,
    )[0]


def _lint(
    corpus: Corpus,
    settings: LintSettings,
    *,
    only: Collection[str] | None,
    cache: LintCache | None,
    jobs: int | None,
    progress: Progress | None,
    stamp: str,
    links: Mapping[str, tuple[str, ...]] | None,
) -> tuple[LintResult, _Run]:
    """`lint`, and the run (each file's unfiltered findings are in `run.raw`)."""
    run = _Run(corpus, settings, cache)
    run.tree_stamp = stamp
    run.links = links or {}
    found = run.article_diagnostics(only, jobs=jobs, progress=progress)
    found.extend(run.corpus_diagnostics())
    diagnostics = run.finish(found, only)
    if cache is not None:
        run.store_docs()
        cache.save()
    reported = sum(1 for a in corpus.articles if only is None or run.path(a) in only)
    hashes = {run.path(a): a.content_hash for a in corpus.articles}
    result = LintResult(
        tuple(diagnostics), reported, settings.rules, settings.problems, hashes=hashes
    )
    return result, run


LINK_FAMILY = "KB3"
_PRELOAD_MIN = 200  # articles from which reading every cached analysis at once pays


@functools.lru_cache(maxsize=256)  # one per distinct set: asked once per article
def _dependency_groups(codes: frozenset[str]) -> tuple[tuple[str, frozenset[str]], ...]:
    """Corpus-dependent rule codes split into `links` (KB3xx) and `corpus` (the others)."""
    links = frozenset(c for c in codes if c.startswith(LINK_FAMILY))
    other = frozenset(c for c in codes if not c.startswith(LINK_FAMILY))
    return tuple((name, group) for name, group in (("links", links), ("corpus", other)) if group)


def tree_stamp(config: Config) -> str:
    """A hash of the folders under the articles folder and of the size and
    modification time of every file that is not Markdown: what link rules check
    besides the articles (a new or deleted image; an image replaced in place,
    whose size KB314 checks). Markdown files are not even stat'ed here: their
    content hashes are in every key."""
    return tree_stamps(config)[1]


def tree_stamps(config: Config) -> tuple[str, str]:
    """(listing, content): `tree_stamp` is the content; the listing also hashes each
    folder's modification time, which changes when a file in it is added, removed
    or renamed (an editor that saves by renaming a new file over the old one too),
    so an unchanged listing means the files found last time are still all there."""
    from kbtool.lint.cache import digest

    folders: list[tuple[str, int]] = []
    files: list[tuple[str, int, int]] = []
    for folder, dirs, names in os.walk(config.articles_path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        try:
            folders.append((folder, os.stat(folder).st_mtime_ns))  # noqa: PTH116
        except OSError:
            continue
        for name in sorted(names):
            if name.lower().endswith((".md", ".markdown")):
                continue
            try:
                st = os.stat(os.path.join(folder, name))  # noqa: PTH116, PTH118
            except OSError:
                continue
            files.append((os.path.join(folder, name), st.st_mtime_ns, st.st_size))  # noqa: PTH118
    content = digest("tree", [f for f, _ in folders], files)
    return digest("listing", content, folders), content


class _Run:
    """One lint run over a loaded corpus."""

    def __init__(
        self,
        corpus: Corpus,
        settings: LintSettings,
        cache: LintCache | None,
        *,
        hashes: Mapping[str, str] | None = None,
    ):
        """`hashes`: content hash of every article by path, when `corpus` holds only
        some of them (a delta run, see `delta.py`)."""
        self.corpus = corpus
        self.config = corpus.config
        self.settings = settings
        self.cache = cache
        self.options = Options({}, settings.options)
        self.key = settings.fingerprint(self.config) if cache is not None else ""
        self.docs = _Docs(self._cached_doc if cache is not None else None)
        self._by_path = {a.path: a for a in corpus.articles}
        self._corpus_key: str | None = None
        self._prefix = _articles_prefix(self.config)
        self._structure: str | None = None
        self._hashes: Mapping[str, str] = hashes or {}
        self.raw: dict[str, list[Diagnostic]] = {}  # each reported file's findings, unfiltered
        self.links: Mapping[str, tuple[str, ...]] = {}  # see `link_targets`, by path
        self.tree_stamp = ""  # see `tree_stamp`; computed when needed unless given

    def path(self, article: Article) -> str:
        """The article's path as diagnostics show it: relative to the root, POSIX."""
        return f"{self._prefix}/{article.rel_path}" if self._prefix else article.rel_path

    # ------------------------------------------------------------------ article rules

    def _article_key(self, article: Article) -> str:
        from kbtool.lint.cache import digest

        last = article.last_commit.sha if article.last_commit else ""
        first = article.first_commit.sha if article.first_commit else ""
        return digest("article", self.key, article.rel_path, article.content_hash, last, first)

    def _doc_key(self, article: Article) -> str:
        from kbtool.lint.cache import code_fingerprint, digest

        return digest("doc", code_fingerprint(), article.content_hash)

    def _cached_doc(self, path: Path) -> Document | None:
        article = self._by_path.get(path)
        if article is None or self.cache is None:
            return None
        return self.cache.doc(self._doc_key(article))

    def article_diagnostics(
        self, only: Collection[str] | None, *, jobs: int | None, progress: Progress | None
    ) -> list[Diagnostic]:
        """Article rules on the selected articles, from the cache where it has them.

        The cache keeps, per article, what the rules that read only the article
        found, and which rules also looked at the corpus. What those found is
        kept under a key of what they depend on (see `_dependency_key`); when
        that changed, only those rules run again.
        """
        from kbtool.lint.parallel import ArticleJob, run_articles

        rules = tuple(r for r in self.settings.rules if r.scope == "article")
        by_code = {r.code: r for r in rules}
        targets = [a for a in self.corpus.articles if only is None or self.path(a) in only]
        found: list[Diagnostic] = []
        todo: list[Article] = []
        subsets: list[tuple[Rule, ...] | None] = []
        keys: dict[Path, str] = {}
        for article in targets:
            if self.cache is not None:
                key = keys[article.path] = self._article_key(article)
                entry = self.cache.entry(key)
                if entry is not None:
                    pure, depends = entry
                    found.extend(pure)
                    rerun: list[str] = []
                    for group, codes in _dependency_groups(depends):
                        cached = self.cache.results(self._dependency_key(group, key, article))
                        if cached is None:
                            rerun.extend(codes)
                        else:
                            found.extend(cached)
                    if rerun:
                        todo.append(article)
                        subsets.append(tuple(by_code[c] for c in sorted(rerun) if c in by_code))
                    continue
            todo.append(article)
            subsets.append(None)
        if not rules or not todo:
            return found
        total = len(todo)
        done = 0

        def advance(n: int) -> None:
            nonlocal done
            done += n
            if progress is not None:
                progress(done, total)

        job = ArticleJob(rules, self.config, self.options, self.settings.severities, self.corpus)
        doc_source = None
        if self.cache is not None and any(s is not None for s in subsets):
            if len(todo) >= _PRELOAD_MIN:
                self.cache.preload_docs()  # once here, not in every worker

            def doc_source(index: int) -> Document | None:
                # an unchanged article whose corpus-dependent rules run again
                return self._cached_doc(todo[index].path) if subsets[index] else None

        outcomes = run_articles(
            todo, job, subsets=subsets, docs=doc_source, jobs=jobs, progress=advance
        )
        for article, subset, (diagnostics, doc, touched) in zip(
            todo, subsets, outcomes, strict=True
        ):
            found.extend(diagnostics)
            if isinstance(doc, bytes):
                self.docs.blobs[article.path] = doc
                if subset is None and self.cache is not None:
                    self.cache.put_doc_bytes(self._doc_key(article), doc)
            elif doc is not None and subset is None:
                self.docs[article.path] = doc
            elif doc is not None:
                self.docs.known(article.path, doc)
            if self.cache is None:
                continue
            key = keys[article.path]
            if subset is None:
                self.cache.put_entry(
                    key, [d for d in diagnostics if d.code not in touched], touched
                )
            ran = {r.code for r in subset} if subset is not None else None
            for group, codes in _dependency_groups(touched):
                if ran is None or codes <= ran:
                    self.cache.put_results(
                        self._dependency_key(group, key, article),
                        [d for d in diagnostics if d.code in codes],
                    )
        return found

    def _dependency_key(self, group: str, key: str, article: Article) -> str:
        """What the corpus-dependent findings of an article rule group depend on.

        `links` (KB3xx: links and media): which files exist (every article's
        path, every folder's mtime) and the content of the articles the
        article links to; so editing one article re-checks only the articles
        that link to it. Any other rule that reads the corpus: all of it.
        """
        from kbtool.lint.cache import digest

        if group != "links":
            return digest(key, self.corpus_key())
        if self._structure is None:
            if not self._hashes:
                self._hashes = {self.path(a): a.content_hash for a in self.corpus.articles}
            self._structure = digest(
                "structure", sorted(self._hashes), self.tree_stamp or tree_stamp(self.config)
            )
        path = self.path(article)
        targets = self.links.get(path)
        if targets is None:
            targets = link_targets(
                article.body,
                article.rel_path,
                self._prefix,
                article.locale,
                self.corpus.layout.localized,
            )
        hashes = self._hashes
        return digest(key, self._structure, [(t, hashes[t]) for t in targets if t in hashes])

    # ------------------------------------------------------------------ corpus rules

    def corpus_key(self) -> str:
        """A hash of everything corpus-wide findings depend on: every file and folder."""
        if self._corpus_key is None:
            from kbtool.lint.cache import digest

            articles = [
                (
                    a.rel_path,
                    a.content_hash,
                    a.last_commit.sha if a.last_commit else "",
                    a.first_commit.sha if a.first_commit else "",
                )
                for a in self.corpus.articles
            ]
            problems = [
                (str(p.path), p.line, p.column, p.message, int(p.severity))
                for p in self.corpus.problems
            ]
            sections = sorted(repr(s) for s in self.corpus.sections.values())
            self._corpus_key = digest(
                "corpus",
                self.key,
                articles,
                problems,
                sections,
                self.tree_stamp or tree_stamp(self.config),
            )
        return self._corpus_key

    def corpus_diagnostics(self) -> list[Diagnostic]:
        from kbtool.lint.parallel import crash

        rules = [r for r in self.settings.rules if r.scope == "corpus"]
        if not rules:
            return []
        key = ""
        if self.cache is not None:
            key = self.corpus_key()
            cached = self.cache.results(key)
            if cached is not None:
                return cached
        found: list[Diagnostic] = []
        for rule in rules:
            try:
                found.extend(self.corpus_rule(rule))
            except Exception as exc:
                if os.environ.get("KBTOOL_DEBUG"):
                    raise
                where = relative_path(self.config.articles_path, self.config.root)
                found.append(crash(rule, where, exc))
        if self.cache is not None:
            self.cache.put_results(key, found)
        return found

    def corpus_rule(self, rule: Rule, counted: Counter[Hashable] | None = None) -> list[Diagnostic]:
        """What corpus rule `rule` finds in this run's corpus (it may raise);
        `counted`: its census of the whole knowledge base (see `CorpusContext`)."""
        ctx = CorpusContext(
            rule,
            self.config,
            self.options,
            self.corpus,
            self.settings.severities.get(rule.code),
            self.docs,
            counted,
        )
        return list(rule.check(self.corpus, ctx))

    def store_docs(self) -> None:
        if self.cache is None:
            return
        for path in self.docs.fresh:
            article = self._by_path.get(path)
            if article is not None:
                self.cache.put_doc(self._doc_key(article), self.docs[path])

    # ------------------------------------------------------------------ per file

    def finish(self, found: list[Diagnostic], only: Collection[str] | None) -> list[Diagnostic]:
        """Per-path ignores, suppressions and KB001, for the reported files; sorted."""
        by_file: dict[str, list[Diagnostic]] = {}
        for diagnostic in found:
            if only is None or diagnostic.path in only:
                by_file.setdefault(diagnostic.path, []).append(diagnostic)
        articles = {self.path(a): a for a in self.corpus.articles}
        for path in articles:
            if only is None or path in only:
                by_file.setdefault(path, [])
        out: list[Diagnostic] = []
        for path, diagnostics in by_file.items():
            out.extend(self.finish_file(path, diagnostics, articles.get(path)))
        self.raw = by_file
        out.sort(key=report_order)  # a key, not Diagnostic.__lt__: 5x faster
        return out

    def finish_file(
        self, path: str, diagnostics: Sequence[Diagnostic], article: Article | None
    ) -> list[Diagnostic]:
        """`finish_file` for one file of this run (unsorted)."""
        return finish_file(
            path,
            diagnostics,
            self.settings,
            _suppressions(article) if article is not None else None,
            globs=glob_paths(self.config, path, self.corpus.layout.locales)
            if self.settings.per_path_ignores
            else (),
        )


def glob_paths(config: Config, path: str, locales: Sequence[str]) -> tuple[str, ...]:
    """The paths per-path-ignore globs are matched against, for root-relative `path`.

    Relative to the knowledge-base root, to the articles folder, and (in a
    localized base) to the locale folder, so `legal/**` covers every locale.
    """
    out = [path]
    try:
        inner = (config.root / path).relative_to(config.articles_path).as_posix()
    except ValueError:
        return tuple(out)
    out.append(inner)
    head, _, rest = inner.partition("/")
    if rest and head in locales:
        out.append(rest)
    return tuple(dict.fromkeys(out))


def _suppressions(article: Article) -> Suppressions | None:
    if "kbtool-" not in article.body:
        return None
    from kbtool.lint.suppress import parse_suppressions

    return parse_suppressions(article.body, resolve, first_line=article.body_line)


def finish_file(
    path: str,
    diagnostics: Sequence[Diagnostic],
    settings: LintSettings,
    suppressions: Suppressions | None,
    *,
    globs: Sequence[str] = (),
) -> list[Diagnostic]:
    """One file's final diagnostics: per-path ignores, suppressions, unused suppressions."""
    ignored = settings.ignored_for(globs or (path,)) if settings.per_path_ignores else set()
    kept = [d for d in diagnostics if d.code not in ignored]
    if suppressions:
        kept = [d for d in kept if not suppressions.suppresses(d)]
        if UNUSED_SUPPRESSION in settings.codes and UNUSED_SUPPRESSION not in ignored:
            kept.extend(_unused(path, suppressions, settings))
    return kept


def _unused(path: str, suppressions: Suppressions, settings: LintSettings) -> list[Diagnostic]:
    """KB001 for each idle directive, unless another directive silences KB001 there."""
    from kbtool.lint.suppress import Suppressions, unused

    rule = next(r for r in settings.rules if r.code == UNUSED_SUPPRESSION)
    severity = settings.severities.get(rule.code, rule.severity)
    out = []
    for directive, message in unused(suppressions.directives, set(settings.codes)):
        diagnostic = Diagnostic(
            path=path,
            line=directive.line,
            column=directive.column,
            code=rule.code,
            message=message,
            name=rule.name,
            severity=severity,
            end_line=directive.line,
            end_column=directive.end_column,
        )
        others = Suppressions([d for d in suppressions.directives if d is not directive])
        if not others.suppresses(diagnostic, track=False):
            out.append(diagnostic)
    return out


# --------------------------------------------------------------------------- selection


# One pattern per kind of link, each starting with a literal, so scanning is fast.
# (a substring every match contains, the pattern)
_LINKS = (
    ("](", re.compile(r"\]\(\s*<?([^)\s>]+)")),  # [text](target) and ![alt](src)
    ("=", re.compile(r"\b(?:href|src|HREF|SRC)\s*=\s*[\"']([^\"']+)")),  # raw HTML
    ("]:", re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*<?([^\s>]+)", re.MULTILINE)),  # [ref]: x
)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def link_targets(
    text: str, rel_path: str, config: Config | str, locale: str, localized: bool
) -> tuple[str, ...]:
    """Files that the links in Markdown `text` may point at, relative to the root.

    A cheap scan (no Markdown parse, string paths only) that may over-report:
    it only decides which articles `--changed-since` lints besides the changed
    ones. `rel_path` is the article's path relative to the articles folder;
    `config` may be given as the articles folder's root-relative prefix.
    """
    articles = config if isinstance(config, str) else _articles_prefix(config)
    folder = posixpath.dirname(posixpath.join(articles, rel_path))
    out: set[str] = set()
    found = [
        m.group(1) for needle, pattern in _LINKS if needle in text for m in pattern.finditer(text)
    ]
    for raw in found:
        target = raw.split("#", 1)[0].split("?", 1)[0]
        if not target or _SCHEME.match(target) or target.startswith("//"):
            continue
        if "%" in target:
            target = urllib.parse.unquote(target)
        target = target.strip()
        if target.startswith("~/"):  # DocFX: from the root of the docs (the articles folder)
            candidates = [posixpath.join(articles, target[2:]) if articles else target[2:]]
        elif target.startswith("/"):
            inner = target.lstrip("/")
            bases = (
                [posixpath.join(articles, locale), articles, ""] if localized else [articles, ""]
            )
            candidates = [posixpath.join(b, inner) if b else inner for b in bases]
        else:
            candidates = [posixpath.join(folder, target) if folder else target]
        for candidate in candidates:
            normal = posixpath.normpath(candidate)
            if normal.startswith("../") or normal in ("..", "."):
                continue
            out.add(normal)
            out.add(normal + ".md")
    return tuple(sorted(out))


def _articles_prefix(config: Config) -> str:
    from kbtool.corpus.loader import articles_prefix

    return articles_prefix(config)


def linking_paths(changed: Collection[str], links: Mapping[str, Iterable[str]]) -> set[str]:
    """Paths of files with a link to one of `changed`."""
    wanted = set(changed)
    return {path for path, targets in links.items() if any(t in wanted for t in targets)}


# --------------------------------------------------------------------------- the whole tree


@dataclass(frozen=True)
class _Tree:
    """The files of the knowledge base, as found on disk (before loading)."""

    files: tuple[tuple[str, str], ...]  # (root-relative POSIX path, path) of articles and sections
    found: Found
    sections: frozenset[str]  # the root-relative paths of section files

    @property
    def layout(self) -> Layout:
        return self.found.layout

    @classmethod
    def discover(cls, config: Config, cache: LintCache | None = None, stamp: str = "") -> _Tree:
        """The files of `config`'s knowledge base; with a `cache`, those of the last
        run while no folder changed (`stamp`: the listing stamp of `tree_stamps`)."""
        from kbtool.corpus.loader import find_files
        from kbtool.lint.cache import digest

        found: Found | None = None
        key = ""
        if cache is not None and stamp:
            kb = config.kb
            key = digest("found", str(config.articles_path), kb.include, kb.exclude, kb.locales)
            kept = cache.found(key)
            if kept is not None and kept[0] == stamp:
                found = kept[1]
        if found is None:
            found = find_files(config)
            if cache is not None and key:
                cache.put_found(key, (stamp, found))
        prefix = _articles_prefix(config)
        out = [
            (f"{prefix}/{rel}" if prefix else rel, path)
            for rel, path in [*found.texts, *found.section_texts]
        ]
        sections = frozenset(f"{prefix}/{rel}" if prefix else rel for rel, _ in found.section_texts)
        return cls(tuple(sorted(out)), found, sections)

    def load(
        self, config: Config, cache: LintCache, hashes: Mapping[str, str]
    ) -> tuple[Corpus, dict[str, tuple[str, ...]]]:
        """The corpus, as `load_corpus` loads it with the cache, and each article's link
        targets (`link_targets`) by path, also cached by content."""
        from kbtool.corpus import load_corpus
        from kbtool.lint.cache import digest

        corpus = load_corpus(config, with_git=True, cache=cache, found=self.found)
        prefix = _articles_prefix(config)
        localized = self.layout.localized
        links: dict[str, tuple[str, ...]] = {}
        for article in corpus.articles:
            shown = f"{prefix}/{article.rel_path}" if prefix else article.rel_path
            content = hashes.get(shown)
            key = digest("links", prefix, localized, article.rel_path, content) if content else ""
            found = cache.links(key) if key else None
            if found is None:
                found = link_targets(
                    article.body, article.rel_path, prefix, article.locale, localized
                )
                if key and article.content_hash == content:
                    cache.put_links(key, found)
            links[shown] = found
        cache.flush("links")
        return corpus, links


def select_paths(
    config: Config, tree_files: Iterable[tuple[str, str | Path]], paths: Sequence[Path]
) -> set[str]:
    """Root-relative paths of the files within `paths` (files or folders)."""
    wanted = []
    for given in paths:
        resolved = given.resolve()
        if not resolved.exists():
            raise InputError("no such file or folder", path=given)
        wanted.append(resolved)
    out = set()
    for rel, path in tree_files:
        resolved = Path(path).resolve()
        if any(resolved == w or w in resolved.parents for w in wanted):
            out.add(rel)
    return out


def _changed(config: Config, ref: str, history: Any) -> tuple[set[str], set[str]]:
    """Root-relative paths changed and deleted since `ref`."""
    from kbtool.corpus.git import GitHistory

    if history is None:
        history = GitHistory.load(config.articles_path)
    diff = history.changed_since(ref, config.articles_path)
    root = config.root

    def rel(paths: Iterable[Path]) -> set[str]:
        return {relative_path(Path(p), root) for p in paths}

    return rel(diff.changed), rel(diff.deleted)


def lint_tree(
    config: Config,
    settings: LintSettings | None = None,
    *,
    paths: Sequence[Path] = (),
    changed_since: str | None = None,
    use_cache: bool = True,
    jobs: int | None = None,
    progress: Progress | None = None,
    loading: Callable[[], Any] | None = None,
    render: Renderer | tuple[str, Callable[[LintResult], Parts]] | None = None,
) -> LintResult:
    """Lint the knowledge base of `config`: what `kbtool lint` runs.

    `paths` limit the report to files or folders; `changed_since` to the files
    changed since a git revision plus the articles that link to them. The cache
    (`ROOT/.kbtool/cache/lint`) answers an unchanged tree without loading it,
    and a tree where a few articles changed with a delta run (`delta.py`).
    `loading` returns a context manager shown while the corpus loads.

    `render` (a `delivery.Renderer`, or its name and function) asks for the
    report: as bytes in `rendered`, or written to `render.output` (`written`).
    A complete run keeps it (`delivery`), so the next run on an unchanged tree
    hands it out without even reading the diagnostics back (then `diagnostics`
    is empty and `counts` has the numbers).
    """
    from kbtool.lint.cache import LintCache, digest, head_revision

    settings = settings or settings_from_config(config)
    from kbtool.lint.delivery import Renderer as Rendering

    if render is not None and not isinstance(render, Rendering):
        render = Rendering(*render)  # (name, parts), as a plain tuple
    cache = LintCache.open(config.root) if use_cache else None
    listing, stamp = tree_stamps(config) if cache is not None else ("", "")
    tree = _Tree.discover(config, cache, listing)
    selected = select_paths(config, tree.files, paths) if paths else None
    notes = [cache.note] if cache is not None and cache.note else []
    snapshot_key = settings_key = head = ""
    hashes: dict[str, str] = {}
    if cache is not None:
        settings_key = settings.fingerprint(config)
        hashes = cache.content_hashes(tree.files)
        head = head_revision(config.articles_path)
        snapshot_key = digest("snapshot", settings_key, head, sorted(hashes.items()), stamp)
        snapshot = cache.snapshot(settings_key, snapshot_key)
        cache.save()
        if snapshot is not None and changed_since is not None:
            state = cache.state(settings_key, snapshot)
            if state is None:
                snapshot = None
            else:
                changed, deleted = _changed(config, changed_since, None)
                chosen = changed | state.links.linking(changed | deleted)
                selected = chosen if selected is None else selected & chosen
        if snapshot is not None:
            found = _answer(cache, settings, settings_key, snapshot, selected, render)
            if found is not None:
                return replace(found, notes=tuple(notes), hashes=hashes)
        elif changed_since is None:
            from kbtool.lint.delta import Delta

            delta = Delta(
                config,
                settings,
                cache,
                tree.found,
                hashes,
                tree.sections,
                settings_key,
                snapshot_key,
                head,
                stamp,
            )
            with loading() if loading is not None else contextlib.nullcontext():
                done = delta.run(selected, render)
            if done is not None:
                return replace(done, notes=(*notes, *done.notes))
    elif use_cache:
        notes.append("no writable cache folder: results are not cached")
    from kbtool.corpus import load_corpus

    with loading() if loading is not None else contextlib.nullcontext():
        if cache is not None:
            corpus, links = tree.load(config, cache, hashes)
        else:
            corpus = load_corpus(config, with_git=True)
            prefix = _articles_prefix(config)
            links = {
                f"{prefix}/{a.rel_path}" if prefix else a.rel_path: link_targets(
                    a.body, a.rel_path, prefix, a.locale, corpus.layout.localized
                )
                for a in corpus.articles
            }
    only = selected
    if changed_since is not None:
        changed, deleted = _changed(config, changed_since, corpus.history)
        chosen = changed | linking_paths(changed | deleted, links)
        only = chosen if only is None else only & chosen
    result, run = _lint(
        corpus,
        settings,
        only=only,
        cache=cache,
        jobs=jobs,
        progress=progress,
        stamp=stamp,
        links=links,
    )
    result = replace(result, notes=tuple(notes))
    shelf = None
    if cache is not None and only is None:
        from kbtool.lint.cache import Snapshot
        from kbtool.lint.delivery import Shelf

        counts = {str(k): v for k, v in result.severity_counts().items()}
        fresh = Snapshot(snapshot_key, result.files, tuple(sorted(links)), counts)
        state = _state(run, corpus, result, links, hashes, tree.sections, head, stamp)
        name = _render_name(render, settings) if render is not None else ""
        cache.save_snapshot(settings_key, fresh, state, rendering=name)
        shelf = Shelf(cache, settings_key, fresh, name)
    if render is not None:
        from kbtool.output import encode

        chunks, index = encode(render.parts(result))
        result = hand_out(result, render, chunks, index, shelf)
    return result


def hand_out(
    result: LintResult,
    render: Renderer,
    chunks: Sequence[bytes | memoryview],
    index: Index | None,
    shelf: Shelf | None,
) -> LintResult:
    """`result` with its report handed out (`delivery.deliver`)."""
    from kbtool.lint.delivery import deliver

    data, written = deliver(render, chunks, index, shelf)
    return replace(result, rendered=data, written=written)


def _answer(
    cache: LintCache,
    settings: LintSettings,
    settings_key: str,
    snapshot: Snapshot,
    selected: Collection[str] | None,
    render: Renderer | None,
) -> LintResult | None:
    """The result of a run on the tree of `snapshot`, from the cache (None: not there)."""
    from kbtool.lint.delivery import Shelf

    base = LintResult((), snapshot.files, settings.rules, settings.problems, cached=True)
    name = _render_name(render, settings) if render is not None else ""
    shelf = Shelf(cache, settings_key, snapshot, name)
    if selected is None and render is not None:
        found = shelf.previous()
        if found is not None:
            base = replace(base, counts=snapshot.counts)
            data, index, receipt = found
            output = render.output
            if output is not None and receipt is not None and receipt.path == str(output.resolve()):
                return replace(base, written=output)  # there already, as it would be written
            return hand_out(base, render, [data], index, shelf if output is not None else None)
    state = cache.state(settings_key, snapshot)
    if state is None:
        return None
    if selected is None:
        diagnostics = state.final()
        files = snapshot.files
    else:
        diagnostics = [d for p in sorted(selected) for d in state.findings(p)[1]]
        files = sum(1 for p in snapshot.paths if p in selected)
    result = replace(base, diagnostics=tuple(diagnostics), files=files)
    if render is not None:
        from kbtool.output import encode

        chunks, index = encode(render.parts(result))
        result = hand_out(result, render, chunks, index, shelf if selected is None else None)
    return result


def _state(
    run: _Run,
    corpus: Corpus,
    result: LintResult,
    links: Mapping[str, tuple[str, ...]],
    hashes: Mapping[str, str],
    sections: Collection[str],
    head: str,
    stamp: str,
) -> State:
    """What the cache keeps of a complete run for the runs after it (`delta.py`)."""
    from itertools import groupby

    from kbtool.lint.cache import Findings, Links, State
    from kbtool.lint.delta import frame, keys_of, names_of
    from kbtool.output import Tally

    by_path = [(run.path(a), a) for a in corpus.articles]
    articles = {path: a.content_hash for path, a in by_path}
    finals = {
        path: list(group) for path, group in groupby(result.diagnostics, key=lambda d: d.path)
    }
    files = Findings(
        {
            path: State.blob(run.raw.get(path, ()), finals.get(path, []))
            for path in sorted({*run.raw, *finals})
            if run.raw.get(path) or finals.get(path)
        }
    )
    related, census = keys_of(run.settings.rules, by_path)
    return State(
        frame=frame(head, stamp, hashes, frozenset(sections), articles),
        hashes=articles,
        files=files,
        links=Links.of_map(links),
        names=names_of(articles),
        related=related,
        census=census,
        tally=Tally.of(result.diagnostics),
    )


def _render_name(render: Renderer, settings: LintSettings) -> str:
    """What a cached rendering depends on besides the snapshot: the format and warnings."""
    return repr((render.name, [(str(p.path), p.line, p.message) for p in settings.problems]))
