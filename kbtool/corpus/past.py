"""The knowledge base as it was at past dates, read from git objects.

`kbtool report --since 6m` counts articles, overdue reviews and lint errors at the
end of each past month. Checking out each commit would touch the writer's work
tree and take a checkout per month; instead each month's tree is listed with one
`git ls-tree`, every distinct blob of all months is read by one `git cat-file
--batch` process, and an article that did not change between two months is
parsed once.

A past corpus has the layout of today's (its locale folders) and the
configuration of today (the rules as they are now applied to the content as it
was) and no section metadata. A file unchanged since is today's article, with
today's git history; a file that changed since has no git history.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType

from kbtool.config import Config
from kbtool.corpus.discover import SECTION_FILE, Layout, detect_locales, glob_match
from kbtool.corpus.git import GitHistory, commits_before, read_blobs, tree_blobs
from kbtool.corpus.loader import Corpus, _build_article
from kbtool.corpus.model import Article, Commit
from kbtool.corpus.parse import parse_bytes

__all__ = ["PastState", "past_states"]


@dataclass(frozen=True)
class PastState:
    """The knowledge base at `moment`: the corpus of `commit` (None: no commit yet)."""

    moment: dt.datetime
    commit: Commit | None
    corpus: Corpus | None


def past_states(
    config: Config,
    history: GitHistory,
    moments: Sequence[dt.datetime],
    *,
    current: Corpus | None = None,
) -> list[PastState]:
    """The knowledge base at each moment (HEAD's first-parent line; see the module doc).

    A file whose bytes are those of an article of `current` (today's corpus) is
    that article, git history included: most files do not change from one month
    to the next, and the lint cache knows today's articles.
    """
    root = config.articles_path
    today = {(a.rel_path, a.content_hash): a for a in current.articles} if current else {}
    layout = Layout(
        locales=detect_locales(root, config.kb.locales), default_locale=config.kb.default_locale
    )
    commits = commits_before(history, moments)
    trees: dict[str, dict[str, str]] = {}
    for commit in commits:
        if commit is not None and commit.sha not in trees:
            trees[commit.sha] = _articles(tree_blobs(history, commit.sha, root), config, layout)
    shas = sorted({sha for tree in trees.values() for sha in tree.values()})
    limit = config.kb.max_file_size
    blobs = read_blobs(history, shas, limit=limit)
    built: dict[tuple[str, str], Article | None] = {}

    def article(rel: str, sha: str) -> Article | None:
        key = (rel, sha)
        if key not in built:
            raw = blobs.get(sha)
            found = None
            same = today.get((rel, hashlib.sha256(raw).hexdigest())) if raw is not None else None
            if same is not None:
                found = same
            elif raw is not None:
                parsed = parse_bytes(root / rel, raw, max_size=limit, size=len(raw))
                if parsed.readable:
                    found = _build_article(parsed, rel, config, layout)
            built[key] = found
        return built[key]

    states = []
    for moment, commit in zip(moments, commits, strict=True):
        if commit is None:
            states.append(PastState(moment, None, None))
            continue
        articles = tuple(
            a
            for rel, sha in sorted(trees[commit.sha].items())
            if (a := article(rel, sha)) is not None
        )
        corpus = Corpus(
            config=config,
            layout=layout,
            articles=articles,
            sections=MappingProxyType({}),
            problems=(),
            history=None,
        )
        states.append(PastState(moment, commit, corpus))
    return states


def _articles(blobs: dict[str, str], config: Config, layout: Layout) -> dict[str, str]:
    """The article files among `blobs` (relative to the articles folder), as `discover` picks
    them: Markdown, not hidden, not section files, inside the include and outside the
    exclude globs."""
    includes, excludes = tuple(config.kb.include), tuple(config.kb.exclude)
    out = {}
    for rel, sha in blobs.items():
        name = rel.rsplit("/", 1)[-1]
        if not name.lower().endswith((".md", ".markdown")) or name == SECTION_FILE:
            continue
        if any(part.startswith(".") for part in rel.split("/")):
            continue
        head, _, rest = rel.partition("/")
        candidates = (rel, rest) if rest and head in layout.locales else (rel,)
        if includes and not any(glob_match(c, p) for c in candidates for p in includes):
            continue
        if any(glob_match(c, p) for c in candidates for p in excludes):
            continue
        out[rel] = sha
    return out
