"""A delta run: lint after a few articles changed, from the last complete run.

A complete run keeps each file's findings (`cache.State`). When the next run
finds the same tree (same files, folders, media, sections and git HEAD) with
only a few articles' content changed, it redoes only what those changes can
affect, and keeps every other file's findings and rendered report part:

- article rules on the changed articles;
- link rules (KB3xx) on the articles that link to a changed one (an anchor or
  a status they check may have changed), with the cached per-article results
  of `engine._Run` wherever the keys still match;
- each corpus rule on the articles it `related`-ly depends on: those sharing a
  key with a changed article (before or after the change) are re-judged, on a
  corpus of them and of the articles sharing a key with them;
- per-path ignores and suppressions on every file whose findings changed;
- the report: head, tail and the changed files' parts are rendered, the other
  files' parts are copied from the last report (`output.splice`).

Article rules may read the corpus only to resolve links (`kbtool.links`): the
corpus they see here holds the articles that links of the re-linted articles
may point at, and those of the same file name (for "did you mean"). A corpus
rule without `related` (KB308) makes every run a complete one, and so does any
doubt: more than `MAX_CHANGED` changed files, a changed file that no longer
loads, a corpus rule that fails.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from kbtool.lint.diagnostic import Diagnostic, report_order

if TYPE_CHECKING:
    from kbtool.config import Config
    from kbtool.corpus import Article, Corpus
    from kbtool.corpus.git import GitHistory
    from kbtool.corpus.loader import Found
    from kbtool.lint.cache import KeyIndex, LintCache, Snapshot, State
    from kbtool.lint.delivery import Renderer
    from kbtool.lint.engine import LintResult, LintSettings, _Run
    from kbtool.lint.registry import Rule
    from kbtool.output import Tally

__all__ = ["MAX_CHANGED", "Delta", "frame", "related_keys"]

Finals = dict[str, list[Diagnostic]]  # final findings by path

# Above this many changed articles a complete run (which reuses every cached
# per-article result) is about as fast, and simpler to trust.
MAX_CHANGED = 64


def frame(
    head: str,
    stamp: str,
    hashes: Mapping[str, str],
    sections: Collection[str],
    articles: Collection[str],
) -> str:
    """What must be as it was for a delta run: the git HEAD (commit dates), the
    folders and media (`engine.tree_stamp`; not the folders' modification times,
    which an editor that saves by renaming changes), the section files, which
    files there are, and the content of those that are not articles (unreadable
    ones)."""
    from kbtool.lint.cache import digest

    return digest(
        "frame",
        head,
        stamp,
        sorted((p, hashes.get(p, "")) for p in sections),
        sorted(p for p in hashes if p not in sections),
        sorted((p, h) for p, h in hashes.items() if p not in articles and p not in sections),
    )


def related_keys(rule: Rule, article: Article) -> tuple[int, ...]:
    """The `related` keys of `article` for corpus rule `rule`, as kept in `State`."""
    from kbtool.lint.cache import stable_hash

    assert rule.related is not None
    return tuple(stable_hash(key) for key in rule.related(article))


def census_part(rule: Rule, article: Article) -> Hashable:
    assert rule.census is not None
    return rule.census(article)


def keys_of(
    rules: Iterable[Rule], articles: Sequence[tuple[str, Article]]
) -> tuple[dict[str, KeyIndex], dict[str, tuple[Counter[Hashable], dict[str, int]]]]:
    """For `State`: each corpus rule's `related` keys of each article, and each
    census rule's count with what each article adds to it (hashed)."""
    from kbtool.lint.cache import KeyIndex, stable_hash

    related: dict[str, KeyIndex] = {}
    census: dict[str, tuple[Counter[Hashable], dict[str, int]]] = {}
    for rule in rules:
        if rule.related is not None:
            keys = {path: related_keys(rule, a) for path, a in articles}
            related[rule.code] = KeyIndex(keys)
        if rule.census is not None:
            parts = [(path, census_part(rule, a)) for path, a in articles]
            counted = Counter(part for _, part in parts)
            census[rule.code] = (counted, {path: stable_hash(part) for path, part in parts})
    return related, census


def names_of(paths: Iterable[str]) -> dict[str, list[str]]:
    """The articles by file name, in lower case (link resolution suggests them)."""
    out: dict[str, list[str]] = {}
    for path in paths:
        out.setdefault(path.rsplit("/", 1)[-1].lower(), []).append(path)
    return out


@dataclass
class Delta:
    """One delta run; `run()` is None when a complete run is needed instead."""

    config: Config
    settings: LintSettings
    cache: LintCache
    found: Found
    hashes: Mapping[str, str]  # content hash of every file, by root-relative path
    sections: frozenset[str]  # root-relative paths of section files
    settings_key: str
    snapshot_key: str
    head: str
    stamp: str

    def run(self, selected: Collection[str] | None, render: Renderer | None) -> LintResult | None:
        from kbtool.corpus.loader import GitReader

        previous = self.cache.snapshot(self.settings_key, None)
        if previous is None:
            return None
        if any(r.scope == "corpus" and not r.local for r in self.settings.rules):
            return None
        state = self.cache.state(self.settings_key, previous)
        if state is None:
            return None
        articles = state.hashes
        here = frame(self.head, self.stamp, self.hashes, self.sections, articles)
        if here != state.frame:
            return None
        changed = sorted(p for p, h in articles.items() if self.hashes.get(p) != h)
        if not changed or len(changed) > MAX_CHANGED:
            return None
        git = GitReader(self.config.articles_path, self.cache)  # on a thread: this one reads
        done = self._relint(state, changed, git.result)
        if done is None:
            return None
        result, fresh, finals = done
        note = f"re-judged {len(finals)} of {len(articles)} articles, {len(changed)} changed"
        result = replace(result, notes=(note,))
        return self._finish(result, fresh, finals, previous, selected, render)

    # ------------------------------------------------------------------ linting

    def _relint(
        self,
        state: State,
        changed: list[str],
        history: Callable[[], GitHistory],
    ) -> tuple[LintResult, State, Finals] | None:
        """Lint what `changed` affects (`state` is updated to the new findings; its
        links at once). `history` waits for git log's result."""
        from kbtool.lint.engine import LintResult, _Run, link_targets

        loaded = self._load(set(changed), with_sections=False)
        if loaded is None:
            return None
        prefix = self._prefix()
        localized = self.found.layout.localized
        new = {self._shown(a): a for a in loaded}
        links = state.links
        for path, article in new.items():
            links.put(
                path,
                link_targets(article.body, article.rel_path, prefix, article.locale, localized),
            )
        relinted = set(changed) | links.linking(changed)
        counted = self._counted(state, new)
        if counted is None:
            return None
        scope = self._judged(state, changed, new)
        if scope is None:
            return None
        judged, context, related = scope
        context |= relinted | self._link_context(relinted, state)
        corpus_articles = self._load(context & state.hashes.keys(), with_sections=True)
        if corpus_articles is None:
            return None
        corpus = self._corpus(corpus_articles, history())
        run = _Run(corpus, self.settings, self.cache, hashes=self._article_hashes(state))
        run.tree_stamp = self.stamp
        run.links = {path: links.targets(path) for path in relinted}
        # the articles rules: found for every re-linted file
        found: dict[str, list[Diagnostic]] = {p: [] for p in relinted}
        for d in run.article_diagnostics(relinted, jobs=1, progress=None):
            found.setdefault(d.path, []).append(d)
        article_codes = {r.code for r in self.settings.rules if r.scope == "article"}
        redone: dict[str, set[str]] = {p: set(article_codes) for p in relinted}
        for rule in self.settings.rules:
            if rule.code not in judged:
                continue
            try:
                findings = run.corpus_rule(rule, counted.get(rule.code))
            except Exception:
                if os.environ.get("KBTOOL_DEBUG"):
                    raise
                return None  # the complete run reports the failure
            level = judged[rule.code]
            for path in level:
                redone.setdefault(path, set()).add(rule.code)
                found.setdefault(path, [])
            for d in findings:
                if d.path in level:
                    found[d.path].append(d)
        run.store_docs()
        self.cache.save()
        fresh, finals = self._update(state, run, corpus, found, redone, new, related)
        result = LintResult(
            (),
            len(state.hashes),
            self.settings.rules,
            self.settings.problems,
            hashes=dict(self.hashes),
        )
        return result, fresh, finals

    def _counted(
        self, state: State, new: Mapping[str, Article]
    ) -> dict[str, Counter[Hashable]] | None:
        """Each census rule's count over the whole knowledge base; None when a changed
        article changed it (every article may then be judged otherwise)."""
        from kbtool.lint.cache import stable_hash

        out: dict[str, Counter[Hashable]] = {}
        for rule in self.settings.rules:
            if rule.census is None:
                continue
            kept = state.census.get(rule.code)
            if kept is None:
                return None
            counted, parts = kept
            for path, article in new.items():
                if stable_hash(census_part(rule, article)) != parts.get(path):
                    return None
            out[rule.code] = counted
        return out

    def _judged(
        self, state: State, changed: list[str], new: Mapping[str, Article]
    ) -> tuple[dict[str, set[str]], set[str], dict[str, KeyIndex]] | None:
        """For each corpus rule, the articles whose findings may change: those sharing
        a key with a changed article, before or after the change. Also the articles
        that rules need to judge them (those sharing a key with them), and every
        article's keys after the change."""
        judged: dict[str, set[str]] = {}
        context: set[str] = set()
        related = dict(state.related)
        for rule in self.settings.rules:
            if rule.scope != "corpus":
                continue
            if rule.related is None:  # a census rule: judges each article on its own
                judged[rule.code] = set(changed)
                continue
            index = related.get(rule.code)
            if index is None:
                return None
            touched = {k for p in changed for k in index.of.get(p, ())}
            for path, article in new.items():
                index.put(path, related_keys(rule, article))
            touched.update(k for p in changed for k in index.of[p])
            level = set(changed) | index.with_any(touched)
            judged[rule.code] = level
            context |= level | index.with_any(k for p in level for k in index.of.get(p, ()))
        return judged, context, related

    def _update(
        self,
        state: State,
        run: _Run,
        corpus: Corpus,
        found: dict[str, list[Diagnostic]],
        redone: dict[str, set[str]],
        new: Mapping[str, Article],
        related: dict[str, KeyIndex],
    ) -> tuple[State, Finals]:
        """The state after this run, and the final findings of each re-judged file
        (finished again: per-path ignores, suppressions)."""
        from kbtool.lint.cache import State
        from kbtool.output import Tally

        by_path = {self._shown(a): a for a in corpus.articles}
        files = state.files
        tally: Tally = state.tally
        finals: Finals = {}
        for path, codes in redone.items():
            raw, final = state.findings(path)
            kept = [d for d in raw if d.code not in codes]
            kept.extend(found.get(path, ()))
            finished = sorted(run.finish_file(path, kept, by_path.get(path)), key=report_order)
            tally = tally - Tally.of(final) + Tally.of(finished)
            files.put(path, State.blob(kept, finished) if kept or finished else None)
            finals[path] = finished
        hashes = dict(state.hashes)
        hashes.update({p: a.content_hash for p, a in new.items()})
        return replace(state, hashes=hashes, files=files, related=related, tally=tally), finals

    # ------------------------------------------------------------------ the report

    def _finish(
        self,
        result: LintResult,
        state: State,
        finals: Finals,
        previous: Snapshot,
        selected: Collection[str] | None,
        render: Renderer | None,
    ) -> LintResult:
        """Keep the new state; hand out the report of the selected files, or of all
        (made of the last report's parts and the re-judged files' new ones)."""
        from kbtool.lint.cache import Snapshot
        from kbtool.lint.delivery import Shelf
        from kbtool.lint.engine import _render_name, hand_out
        from kbtool.output import encode, splice

        tally = state.tally
        counts = {str(k): v for k, v in tally.by_severity().items()}
        paths = tuple(sorted(state.hashes))
        snapshot = Snapshot(self.snapshot_key, len(paths), paths, counts)
        name = _render_name(render, self.settings) if render is not None else ""
        old = None
        if render is not None and selected is None:
            old = Shelf(self.cache, self.settings_key, previous, name).previous()
        self.cache.save_snapshot(self.settings_key, snapshot, state, rendering=name)
        if selected is not None:
            diagnostics = [d for p in sorted(selected) for d in state.findings(p)[1]]
            files = sum(1 for p in state.hashes if p in selected)
            result = replace(result, diagnostics=tuple(diagnostics), files=files)
            if render is not None:
                chunks, index = encode(render.parts(result))
                result = hand_out(result, render, chunks, index, None)
            return result
        if render is None:
            return replace(result, diagnostics=tuple(state.final()), counts=counts)
        result = replace(result, totals=tally, counts=counts)
        if old is not None and old[1] is not None:
            touched = tuple(d for p in sorted(finals) for d in finals[p])
            parts = render.parts(replace(result, diagnostics=touched))
            chunks, index = splice(parts, old[0], old[1], set(finals))
        else:
            chunks, index = encode(render.parts(replace(result, diagnostics=tuple(state.final()))))
        shelf = Shelf(self.cache, self.settings_key, snapshot, name)
        return replace(hand_out(result, render, chunks, index, shelf), totals=None)

    # ------------------------------------------------------------------ loading

    def _prefix(self) -> str:
        from kbtool.corpus.loader import articles_prefix

        return articles_prefix(self.config)

    def _shown(self, article: Article) -> str:
        prefix = self._prefix()
        return f"{prefix}/{article.rel_path}" if prefix else article.rel_path

    def _article_hashes(self, state: State) -> dict[str, str]:
        return {p: self.hashes.get(p, h) for p, h in state.hashes.items()}

    def _link_context(self, relinted: Collection[str], state: State) -> set[str]:
        """The articles links of `relinted` may point at, and those of the same file name
        (link resolution suggests them for a missing target)."""
        out: set[str] = set()
        for path in relinted:
            for target in state.links.targets(path):
                out.add(target)
                out.update(state.names.get(target.rsplit("/", 1)[-1].lower(), ()))
        return out

    def _load(self, paths: Collection[str], *, with_sections: bool) -> list[Article] | None:
        """The articles at `paths` (shown paths), through the cache and in the order of
        a complete load, without git dates; None when one no longer loads as an article."""
        from kbtool.corpus.loader import Found, load_corpus

        prefix = self._prefix()
        files = [
            (rel, path)
            for rel, path in self.found.texts
            if (f"{prefix}/{rel}" if prefix else rel) in paths
        ]
        sections = self.found.section_texts if with_sections else []
        found = Found(self.found.layout, files, sections)
        corpus = load_corpus(self.config, with_git=False, cache=self.cache, found=found)
        if len(corpus.articles) != len(files):
            return None
        self._problems = corpus.problems
        self._sections = corpus.sections
        return list(corpus.articles)

    def _corpus(self, articles: list[Article], history: GitHistory) -> Corpus:
        from kbtool.corpus import Corpus
        from kbtool.corpus.loader import with_history

        if history.available:
            articles = with_history(articles, history, self.config.articles_path)
        return Corpus(
            config=self.config,
            layout=self.found.layout,
            articles=tuple(articles),
            sections=self._sections,
            problems=self._problems,
            history=history,
        )
