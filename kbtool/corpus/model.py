"""The article model: what every command reads, as plain frozen data."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import Any

__all__ = ["Article", "Commit", "LoadProblem", "Section", "Severity"]


class Severity(enum.IntEnum):
    """How bad a problem is; ordered so that `max()` gives the worst."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        # int(self), not self.name: enum's properties are slow, and reports call this
        # for every finding
        return _SEVERITY_NAMES[int(self)]

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (use error, warning or info)") from None


_SEVERITY_NAMES = {int(s): s.name.lower() for s in Severity}


@dataclass(frozen=True, order=True)
class LoadProblem:
    """Something wrong with a file found while loading it.

    An ERROR means the file could not be read as an article at all (it is left
    out) or its front matter could not be used; WARNING and INFO problems leave
    the article loaded.
    """

    path: Path
    line: int
    column: int
    message: str
    code: str = field(default="load", compare=False)
    severity: Severity = field(default=Severity.ERROR, compare=False)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


@dataclass(frozen=True)
class Commit:
    """One git commit, as far as the history of a file needs it."""

    sha: str
    date: dt.datetime
    author: str
    email: str


@dataclass(frozen=True)
class Section:
    """A section of one locale: the folder, plus what its optional `_index.md` says."""

    key: str
    locale: str
    title: str
    description: str = ""
    position: int = 1000
    path: Path | None = None


def _empty() -> Mapping[str, Any]:
    return {}


@dataclass(frozen=True)
class Article:
    """One Markdown article with its metadata resolved through the field mapping.

    `meta` is the raw front matter as the file has it; the typed attributes are
    kbtool's canonical view of it. Line numbers count from line 1 of the file,
    front matter included.
    """

    path: Path  # absolute
    rel_path: str  # POSIX path relative to the articles folder, e.g. "en/account/x.md"
    locale: str
    id: str
    title: str
    section: str
    status: str
    description: str | None = None
    type: str | None = None
    stages: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    owner: str | None = None
    last_reviewed: dt.date | None = None
    review_every: str | None = None
    product_area: str | None = None
    translation_of: str | None = None
    reviewed_by: str | None = None
    source_hash: str | None = None
    meta: Mapping[str, Any] = field(default_factory=_empty, repr=False)
    body: str = field(default="", repr=False)
    body_line: int = 1
    key_lines: Mapping[str, int] = field(default_factory=_empty, repr=False)
    field_keys: Mapping[str, str] = field(default_factory=_empty, repr=False)
    has_front_matter: bool = True
    line_ending: str = "\n"
    bom: bool = False
    content_hash: str = ""
    size: int = 0
    last_commit: Commit | None = None
    first_commit: Commit | None = None
    # what loading found wrong with this file (it still loaded): for the linter to report
    problems: tuple[LoadProblem, ...] = field(default=(), repr=False)

    def __reduce__(self) -> tuple[Any, tuple[tuple[Any, ...]]]:
        # Pickled as a tuple of its fields (the cache, worker processes): a third of
        # the time of pickle's default for a frozen dataclass, and without a computed
        # body_hash.
        # The path goes as text: unpickling a Path re-parses every part, three times slower.
        values = tuple(getattr(self, name) for name in _ARTICLE_FIELDS)
        return _rebuild_article, ((str(values[0]), *values[1:]),)

    @property
    def slug(self) -> str:
        """The file stem: the last part of the article's URL."""
        return self.path.stem

    @cached_property
    def body_hash(self) -> str:
        """Hash of the body (see `parse.body_hash`); computed on first use, most runs never ask."""
        from kbtool.corpus.parse import body_hash

        return body_hash(self.body)

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    @property
    def is_translation(self) -> bool:
        return self.translation_of is not None

    @property
    def last_edited(self) -> dt.date | None:
        """Date of the last commit that touched the file (not a review)."""
        return self.last_commit.date.date() if self.last_commit else None

    def key_line(self, key: str) -> int:
        """Line of raw front-matter key `key`; line 1 when the key is absent."""
        return self.key_lines.get(key, 1)

    def field_key(self, name: str) -> str | None:
        """The raw key that supplied canonical field `name`, if any did."""
        return self.field_keys.get(name)

    def field_line(self, name: str) -> int:
        """Line of the key that supplied canonical field `name` (line 1 when absent)."""
        key = self.field_keys.get(name)
        return self.key_lines.get(key, 1) if key else 1


_ARTICLE_FIELDS = tuple(f.name for f in fields(Article))
assert _ARTICLE_FIELDS[0] == "path"  # Article.__reduce__ sends it as text


def _rebuild_article(values: tuple[Any, ...], path: Path | None = None) -> Article:
    """The article `Article.__reduce__` took apart (without running the frozen __init__);
    `path` when the caller has the Path already (making 10,000 of them takes a while)."""
    article = object.__new__(Article)
    article.__dict__.update(zip(_ARTICLE_FIELDS, values, strict=True))
    article.__dict__["path"] = Path(values[0]) if path is None else path
    return article


def article_fields(article: Article) -> tuple[Any, ...]:
    """The article's fields but its path, for `article_at` to make it again (the cache)."""
    return tuple(getattr(article, name) for name in _ARTICLE_FIELDS[1:])


def article_at(path: Path, fields: tuple[Any, ...]) -> Article:
    """The article of `article_fields`, at `path`."""
    return _rebuild_article((None, *fields), path)
