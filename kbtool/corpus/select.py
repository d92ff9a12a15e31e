"""Choosing articles on the command line: by file, folder, glob or id.

Every command that writes to chosen articles (`review mark`, `translations
mark`, `tags set`/`unset`) picks them the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kbtool.corpus.discover import glob_match
from kbtool.errors import UsageError

if TYPE_CHECKING:
    from kbtool.corpus.loader import Corpus
    from kbtool.corpus.model import Article

__all__ = ["resolve_targets"]


def resolve_targets(
    corpus: Corpus, targets: Sequence[str], *, locales: Sequence[str] = ()
) -> tuple[list[Article], bool]:
    """Articles named by files, folders, globs or ids; and whether the choice is a batch.

    A file or folder is taken relative to the current folder, then to the
    knowledge-base root; a glob (`articles/en/billing/*.md`, `**/faq-*.md`)
    matches paths relative to the root or to the articles folder; anything else
    is an article id (in `locales` when given). A folder or glob is a batch.
    Raises UsageError for a target that names nothing.
    """
    root = corpus.config.root
    by_path = {a.path.resolve(): a for a in corpus.articles}
    chosen: dict[Path, Article] = {}
    batch = False
    for target in targets:
        found: list[Article]
        path = _existing(target, root, corpus.config.articles_path)
        if path is not None:
            resolved = path.resolve()
            if path.is_dir():
                found = [a for p, a in by_path.items() if resolved in p.parents]
                if not found:
                    raise UsageError(f"no articles in {target}")
                batch = True
            elif resolved in by_path:
                found = [by_path[resolved]]
            else:
                problem = next((p for p in corpus.problems if p.path.resolve() == resolved), None)
                reason = f": {problem.message}" if problem else ""
                raise UsageError(f"{target}: not an article of this knowledge base{reason}")
        elif any(c in target for c in "*?["):
            found = _glob(corpus, target)
            if not found:
                raise UsageError(f"'{target}': the glob matches no article")
            batch = True
        else:
            found = [
                a
                for a in corpus.articles
                if a.id == target and (not locales or a.locale in locales)
            ]
            if not found:
                raise UsageError(f"'{target}': no such file, folder, glob or article id")
            if len(found) > 1:
                where = ", ".join(sorted(a.locale for a in found))
                raise UsageError(
                    f"id '{target}' is in several locales ({where}); give --locale or the path"
                )
        for article in found:
            chosen[article.path] = article
    return list(chosen.values()), batch


def _glob(corpus: Corpus, pattern: str) -> list[Article]:
    root = corpus.config.root
    articles_dir = corpus.config.articles_path
    pattern = pattern.removeprefix("./")
    out = []
    for article in corpus.articles:
        candidates = [article.rel_path]
        if article.path.is_relative_to(root):
            candidates.append(article.path.relative_to(root).as_posix())
        elif article.path.is_relative_to(articles_dir):
            candidates.append(article.path.relative_to(articles_dir).as_posix())
        if any(glob_match(c, pattern) for c in candidates):
            out.append(article)
    return out


def _existing(target: str, root: Path, articles: Path) -> Path | None:
    """The file or folder `target` names: relative to the current folder, else to the root.

    With `-C ROOT` run from another knowledge base, a relative path that exists in
    both places means the one inside ROOT's articles folder.
    """
    found = [p for p in (Path(target), root / target) if p.exists()]
    if not found:
        return None
    inside = articles.resolve()
    for path in found:
        resolved = path.resolve()
        if resolved == inside or inside in resolved.parents:
            return path
    return found[0]
