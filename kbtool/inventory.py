"""The article inventory: filtering articles and describing them as plain records."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbtool.corpus import Article, Corpus, LoadProblem

__all__ = ["ArticleFilter", "inventory_payload", "problem_record", "record", "select"]

SCHEMA = "kbtool.articles/1"


@dataclass(frozen=True)
class ArticleFilter:
    """Which articles a command works on; an empty tuple means any value.

    Values within one field are alternatives (`--locale en --locale sv`); fields
    combine (`--locale sv --type faq`). Stages and channels match when the
    article has any of the values.
    """

    locales: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()

    def matches(self, article: Article) -> bool:
        def ok(wanted: tuple[str, ...], value: str | None) -> bool:
            return not wanted or (value is not None and value in wanted)

        def any_of(wanted: tuple[str, ...], values: tuple[str, ...]) -> bool:
            return not wanted or bool(set(wanted) & set(values))

        return (
            ok(self.locales, article.locale)
            and ok(self.types, article.type)
            and ok(self.sections, article.section)
            and any_of(self.stages, article.stages)
            and any_of(self.channels, article.channels)
            and ok(self.owners, article.owner)
            and ok(self.statuses, article.status)
        )


def select(articles: Iterable[Article], flt: ArticleFilter) -> list[Article]:
    """The matching articles in a stable order: locale, section, id."""
    chosen = [a for a in articles if flt.matches(a)]
    chosen.sort(key=lambda a: (a.locale, a.section, a.id, a.rel_path))
    return chosen


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def record(article: Article, root: Path) -> dict[str, Any]:
    """One article as JSON-ready data (the `articles` items of the JSON schema)."""
    return {
        "id": article.id,
        "path": _rel(article.path, root),
        "locale": article.locale,
        "title": article.title,
        "description": article.description,
        "type": article.type,
        "section": article.section,
        "stages": list(article.stages),
        "channels": list(article.channels),
        "labels": list(article.labels),
        "owner": article.owner,
        "status": article.status,
        "last_reviewed": article.last_reviewed.isoformat() if article.last_reviewed else None,
        "review_every": article.review_every,
        "product_area": article.product_area,
        "translation_of": article.translation_of,
        "last_edited": article.last_edited.isoformat() if article.last_edited else None,
        "last_author": article.last_commit.author if article.last_commit else None,
    }


def problem_record(problem: LoadProblem, root: Path) -> dict[str, Any]:
    return {
        "path": _rel(problem.path, root),
        "line": problem.line,
        "column": problem.column,
        "severity": str(problem.severity),
        "code": problem.code,
        "message": problem.message,
    }


def inventory_payload(corpus: Corpus, articles: list[Article]) -> dict[str, Any]:
    """The whole `kbtool articles --format json` document."""
    root = corpus.config.root
    by_locale = Counter(a.locale for a in articles)
    return {
        "schema": SCHEMA,
        "root": str(root),
        "summary": {
            "articles": len(articles),
            "by_locale": dict(sorted(by_locale.items())),
            "problems": len(corpus.problems),
        },
        "articles": [record(a, root) for a in articles],
        "problems": [problem_record(p, root) for p in corpus.problems],
    }
