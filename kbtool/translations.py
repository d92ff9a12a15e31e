"""Translations: which source each translation is of, whether it is current, and coverage.

Everything here is a pure function of a loaded corpus (articles plus the one
`git log` pass it carries), returning frozen data; `kbtool.cli.translations`
prints it and `kbtool report` counts it. `docs/translations.md` explains the
definitions to users.

- **Source locale**: `kb.default_locale`. Every other locale folder holds
  translations.
- **Linking** (`kb.translation_links`, tried in order; default all three):
  `translation_of` names the source's id (explicit, so a name that is not an
  article makes the translation orphaned rather than falling through); `path`,
  the same path inside the locale folder (`sv/billing/x.md` is of
  `en/billing/x.md`); `id`, the same id (a mapped key such as Adobe's `exl-id`).
- **Status** of each (locale, source) pair:
  `orphaned`: a translation whose source does not exist (deleted, moved, or a
  misspelt `translation_of`); `stale`: the source changed after the
  translation was last brought up to date; `missing`: a source with no
  translation in the locale; `unverified`: translated, but nothing tells
  whether the source changed since (no recorded hash or known commit, no git
  history); `up-to-date` otherwise.
- **Stale**, the evidence best first: the `source_hash` key (mapped, e.g.
  `source-git-commit`) holding the source's body hash (what `translations
  mark` records), compared with the source's current body hash; else holding
  a commit of this repository, stale when the source's last commit is newer
  than it; else git history, stale when the source's last commit is newer
  than the translation's; without git, the review dates (a translation
  reviewed before its source is stale). A recorded commit that this repository does not
  have (an upstream repository's, as in the Adobe corpus) falls back to git.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from kbtool.config import Config
from kbtool.corpus.edit import content_hash, edit_front_matter
from kbtool.corpus.git import GitHistory
from kbtool.corpus.loader import Corpus
from kbtool.corpus.model import Article
from kbtool.corpus.parse import parse_bytes
from kbtool.errors import ConflictError, InputError
from kbtool.owners import CodeOwners, find_codeowners, load_codeowners
from kbtool.review import MarkChange, included
from kbtool.status import RankedStatus

__all__ = [
    "TRANSLATION_TRAILER",
    "UNASSIGNED",
    "Basis",
    "Link",
    "LocaleCoverage",
    "RecordKind",
    "TranslationFilter",
    "TranslationItem",
    "TranslationLinker",
    "TranslationMark",
    "TranslationReport",
    "TranslationStatus",
    "Verdict",
    "assess_translation",
    "coverage_of",
    "mark_commit_message",
    "prepare_translation_marks",
    "translation_report",
]

UNASSIGNED = "unassigned"
# The trailer `translations mark --commit` puts in its commit message.
TRANSLATION_TRAILER = "Kbtool-Translation"
_HEX = re.compile(r"[0-9a-f]+")
_BODY_HASH_LEN = 12  # kbtool.corpus.parse.body_hash
_MIN_SHA = 7  # git's shortest abbreviation


class TranslationStatus(RankedStatus):
    """The state of one (locale, source) pair; declared from most to least urgent."""

    ORPHANED = "orphaned"
    STALE = "stale"
    MISSING = "missing"
    UNVERIFIED = "unverified"
    UP_TO_DATE = "up-to-date"


class Basis(enum.Enum):
    """What a status was decided on."""

    SOURCE_HASH = "source-hash"  # the recorded body hash against the source's
    SOURCE_COMMIT = "source-commit"  # the recorded commit against the source's last commit
    GIT = "git"  # the last commits of translation and source
    REVIEW_DATES = "review-dates"  # no git either: the review dates of the two
    LINK = "link"  # the link alone (missing, orphaned)
    NONE = "none"  # no evidence (unverified)

    def __str__(self) -> str:
        return self.value


class RecordKind(enum.Enum):
    """What `translations mark` records about the source."""

    AUTO = "auto"  # what the translation records already; a body hash when nothing
    HASH = "hash"
    COMMIT = "commit"

    def __str__(self) -> str:
        return self.value


# --------------------------------------------------------------------------- linking


@dataclass(frozen=True)
class Link:
    """A translation's source, how it was found, or the id `translation_of` names in vain."""

    source: Article | None
    method: str | None = None  # translation_of | path | id
    named: str | None = None  # set when translation_of names an article that does not exist


class TranslationLinker:
    """Finds the source of each translation (see the module docstring); built once per corpus."""

    def __init__(self, corpus: Corpus) -> None:
        config = corpus.config
        self.corpus = corpus
        self.source_locale = corpus.layout.default_locale
        self.methods = tuple(config.kb.translation_links) or ("translation_of", "path", "id")
        self.localized = corpus.layout.localized
        self._by_path: dict[str, Article] = {}
        for article in corpus.articles:
            if article.locale == self.source_locale:
                self._by_path.setdefault(self.inner(article), article)

    def inner(self, article: Article) -> str:
        """The article's path inside its locale folder (`billing/refund-policy.md`)."""
        return self.corpus.layout.split(article.rel_path)[1]

    def is_translation(self, article: Article) -> bool:
        return self.localized and article.locale != self.source_locale

    def sources(self) -> Iterable[Article]:
        return (a for a in self.corpus.articles if a.locale == self.source_locale)

    def translations(self) -> Iterable[Article]:
        return (a for a in self.corpus.articles if self.is_translation(a))

    def find(self, article: Article) -> Link:
        """The source of `article`, a translation."""
        for method in self.methods:
            if method == "translation_of":
                named = article.translation_of
                if named:
                    source = self.corpus.get(self.source_locale, named)
                    if source is None:
                        return Link(None, method, named)
                    return Link(source, method)
            elif method == "path":
                source = self._by_path.get(self.inner(article))
                if source is not None:
                    return Link(source, method)
            elif method == "id":
                source = self.corpus.get(self.source_locale, article.id)
                if source is not None:
                    return Link(source, method)
        return Link(None)

    def describe_missing(self, article: Article, link: Link) -> str:
        """Why `article` has no source, for people."""
        if link.named is not None:
            return (
                f"translation_of names '{link.named}', which is not an article "
                f"in '{self.source_locale}'"
            )
        tried = []
        for method in self.methods:
            if method == "path":
                tried.append(f"at {self.source_locale}/{self.inner(article)}")
            elif method == "id":
                tried.append(f"with id '{article.id}'")
        where = " or ".join(tried) if tried else "(no translation_of)"
        return f"no '{self.source_locale}' article {where}: the source was deleted or moved"


# --------------------------------------------------------------------------- staleness


@dataclass(frozen=True)
class Verdict:
    """Whether one translation is current, and on what evidence."""

    status: TranslationStatus
    basis: Basis
    reason: str
    notes: tuple[str, ...] = ()


def _date(commit_date: dt.datetime) -> str:
    return commit_date.date().isoformat()


def assess_translation(
    translation: Article, source: Article, history: GitHistory | None
) -> Verdict:
    """Is `translation` as current as `source`? (See the module docstring for the evidence.)"""
    notes: list[str] = []
    recorded = (translation.source_hash or "").strip()
    key = translation.field_key("source_hash") or "source_hash"
    if recorded:
        low = recorded.lower()
        if low == source.body_hash:
            return Verdict(
                TranslationStatus.UP_TO_DATE,
                Basis.SOURCE_HASH,
                f"{key} {recorded} is the source's current body hash",
            )
        if _HEX.fullmatch(low) and len(low) >= _MIN_SHA:
            commit = history.commit(low) if history is not None and history.available else None
            last = source.last_commit
            if commit is not None and last is not None:
                if last.sha == commit.sha or last.date <= commit.date:
                    return Verdict(
                        TranslationStatus.UP_TO_DATE,
                        Basis.SOURCE_COMMIT,
                        f"the source has not changed since {key} {commit.sha[:12]} "
                        f"({_date(commit.date)})",
                    )
                return Verdict(
                    TranslationStatus.STALE,
                    Basis.SOURCE_COMMIT,
                    f"the source changed on {_date(last.date)} ({last.sha[:12]}), after "
                    f"{key} {commit.sha[:12]} ({_date(commit.date)})",
                )
            if len(low) == _BODY_HASH_LEN:
                return Verdict(
                    TranslationStatus.STALE,
                    Basis.SOURCE_HASH,
                    f"the source changed since it was translated ({key} {recorded}, "
                    f"now {source.body_hash})",
                )
            notes.append(f"{key} {recorded[:12]} is not a commit of this repository")
        else:
            notes.append(f"{key} {recorded!r} is neither a body hash nor a commit")
    mine, theirs = translation.last_commit, source.last_commit
    if mine is not None and theirs is not None:
        if mine.date < theirs.date:
            return Verdict(
                TranslationStatus.STALE,
                Basis.GIT,
                f"the source changed on {_date(theirs.date)}, the translation last on "
                f"{_date(mine.date)} (git)",
                tuple(notes),
            )
        return Verdict(
            TranslationStatus.UP_TO_DATE,
            Basis.GIT,
            f"changed on {_date(mine.date)}, not before the source ({_date(theirs.date)}; git)",
            tuple(notes),
        )
    reviewed, source_reviewed = translation.last_reviewed, source.last_reviewed
    if (mine is None or theirs is None) and reviewed is not None and source_reviewed is not None:
        # no usable git history: a translation reviewed after its source was checked against it
        if reviewed < source_reviewed:
            return Verdict(
                TranslationStatus.STALE,
                Basis.REVIEW_DATES,
                f"last reviewed {reviewed.isoformat()}, the source "
                f"{source_reviewed.isoformat()} (no git history)",
                tuple(notes),
            )
        return Verdict(
            TranslationStatus.UP_TO_DATE,
            Basis.REVIEW_DATES,
            f"last reviewed {reviewed.isoformat()}, not before the source "
            f"({source_reviewed.isoformat()}; no git history)",
            tuple(notes),
        )
    if theirs is None and mine is not None:
        why = "the source is not committed to git yet"
    elif history is None or not history.available:
        reason = history.reason if history is not None else "not read"
        if recorded:
            why = f"{key} {recorded[:12]} cannot be checked without git history ({reason})"
            notes = []
        else:
            why = f"no recorded {key} and no git history ({reason})"
    else:
        why = "the translation is not committed to git yet"
    return Verdict(TranslationStatus.UNVERIFIED, Basis.NONE, why, tuple(notes))


# --------------------------------------------------------------------------- the report


@dataclass(frozen=True)
class TranslationItem:
    """One (locale, source) pair: a translation with its source, or one of them alone."""

    locale: str
    status: TranslationStatus
    source: Article | None
    translation: Article | None
    basis: Basis
    reason: str
    link: str | None = None  # how the translation was linked: translation_of | path | id
    owners: tuple[str, ...] = ()
    # the source is one the report covers (published, unless drafts were asked for):
    # a translation of a draft is assessed but does not count towards coverage
    counted: bool = True
    notes: tuple[str, ...] = ()

    @property
    def article(self) -> Article:
        """The file this row is about: the translation, else the source."""
        found = self.translation or self.source
        assert found is not None
        return found

    @property
    def section(self) -> str:
        return (self.source or self.article).section

    @property
    def owner(self) -> str:
        return ", ".join(self.owners) if self.owners else UNASSIGNED

    @property
    def recorded(self) -> str | None:
        """The source hash or commit the translation records."""
        return self.translation.source_hash if self.translation is not None else None

    @property
    def source_changed(self) -> dt.date | None:
        return self.source.last_edited if self.source is not None else None

    @property
    def translation_changed(self) -> dt.date | None:
        return self.translation.last_edited if self.translation is not None else None


def sort_key(item: TranslationItem) -> tuple[int, str, str]:
    """Most urgent first, then by locale and path."""
    return item.status.rank, item.locale, item.article.rel_path


@dataclass(frozen=True)
class LocaleCoverage:
    """One locale's translations: counts per status and the share of sources translated.

    `sources` counts the source articles in scope; `translated` and `current`
    count those with a translation, and with an up-to-date one. The status
    counts count rows (a source translated twice in one locale counts twice).
    """

    locale: str
    sources: int = 0
    translated: int = 0
    current: int = 0
    up_to_date: int = 0
    stale: int = 0
    unverified: int = 0
    missing: int = 0
    orphaned: int = 0

    @property
    def coverage_pct(self) -> float:
        """Per cent of sources translated (current or not); 100 when there are none."""
        return round(100.0 * self.translated / self.sources, 1) if self.sources else 100.0

    @property
    def current_pct(self) -> float:
        """Per cent of sources with an up-to-date translation; 100 when there are none."""
        return round(100.0 * self.current / self.sources, 1) if self.sources else 100.0

    def count(self, status: TranslationStatus) -> int:
        return int(getattr(self, status.value.replace("-", "_")))

    def __str__(self) -> str:
        pct = f"{self.coverage_pct:.1f}".removesuffix(".0")
        return (
            f"{self.locale}: {self.translated} of {self.sources} translated ({pct}%): "
            f"{self.up_to_date} up to date, {self.stale} stale, {self.missing} missing, "
            f"{self.orphaned} orphaned"
            + (f", {self.unverified} unverified" if self.unverified else "")
        )


def coverage_of(
    items: Iterable[TranslationItem], locales: Sequence[str]
) -> tuple[LocaleCoverage, ...]:
    """Coverage per locale of `items` (every locale in `locales`, in that order, even empty)."""
    counts: dict[str, dict[str, int]] = {loc: defaultdict(int) for loc in locales}
    sources: dict[str, set[int]] = defaultdict(set)
    translated: dict[str, set[int]] = defaultdict(set)
    current: dict[str, set[int]] = defaultdict(set)
    for item in items:
        per = counts.setdefault(item.locale, defaultdict(int))
        per[item.status.value] += 1
        if item.source is None or not item.counted:
            continue
        key = id(item.source)
        sources[item.locale].add(key)
        if item.status is not TranslationStatus.MISSING:
            translated[item.locale].add(key)
        if item.status is TranslationStatus.UP_TO_DATE:
            current[item.locale].add(key)
    return tuple(
        LocaleCoverage(
            locale=loc,
            sources=len(sources[loc]),
            translated=len(translated[loc]),
            current=len(current[loc]),
            up_to_date=per["up-to-date"],
            stale=per["stale"],
            unverified=per["unverified"],
            missing=per["missing"],
            orphaned=per["orphaned"],
        )
        for loc, per in counts.items()
    )


@dataclass(frozen=True)
class TranslationReport:
    """Every (locale, source) pair of a knowledge base, most urgent first."""

    source_locale: str
    locales: tuple[str, ...]  # the translation locales
    items: tuple[TranslationItem, ...]
    coverage: tuple[LocaleCoverage, ...]
    history: str = ""  # "" when git history was read, else why not
    codeowners: CodeOwners | None = field(default=None, repr=False)

    def for_locale(self, locale: str) -> LocaleCoverage | None:
        return next((c for c in self.coverage if c.locale == locale), None)


def translation_report(
    corpus: Corpus,
    *,
    drafts: bool = False,
    archived: bool = False,
    codeowners: CodeOwners | None = None,
) -> TranslationReport:
    """The translation status of every source and translation of a loaded knowledge base.

    Sources and translations are the published articles (also drafts or
    archived ones when asked); a translation whose source is a draft is still
    assessed, but only sources in scope count as missing or towards coverage.
    Owners: the translation's, else the source's, else CODEOWNERS of the file.
    """
    config = corpus.config
    if codeowners is None:
        codeowners = _codeowners(config)
    linker = TranslationLinker(corpus)
    history = corpus.history
    locales = tuple(loc for loc in corpus.locales if loc != linker.source_locale)
    if not linker.localized:
        locales = ()

    def wanted(article: Article) -> bool:
        return included(article, drafts=drafts, archived=archived)

    items: list[TranslationItem] = []
    covered: dict[str, set[int]] = defaultdict(set)
    for translation in linker.translations():
        if not wanted(translation):
            continue
        link = linker.find(translation)
        source = link.source
        owners = _owners(translation, source, codeowners)
        if source is None:
            items.append(
                TranslationItem(
                    locale=translation.locale,
                    status=TranslationStatus.ORPHANED,
                    source=None,
                    translation=translation,
                    basis=Basis.LINK,
                    reason=linker.describe_missing(translation, link),
                    link=link.method,
                    owners=owners,
                    counted=False,
                )
            )
            continue
        verdict = assess_translation(translation, source, history)
        notes = list(verdict.notes)
        if source.status != "published":
            notes.append(f"the source is {source.status}")
        if id(source) in covered[translation.locale]:
            notes.append("another translation in this locale has the same source")
        covered[translation.locale].add(id(source))
        items.append(
            TranslationItem(
                locale=translation.locale,
                status=verdict.status,
                source=source,
                translation=translation,
                basis=verdict.basis,
                reason=verdict.reason,
                link=link.method,
                owners=owners,
                counted=wanted(source),
                notes=tuple(notes),
            )
        )
    for source in linker.sources():
        if not wanted(source):
            continue
        owners = _owners(None, source, codeowners)
        for locale in locales:
            if id(source) not in covered[locale]:
                items.append(
                    TranslationItem(
                        locale=locale,
                        status=TranslationStatus.MISSING,
                        source=source,
                        translation=None,
                        basis=Basis.LINK,
                        reason=f"no {locale} translation of {linker.inner(source)}",
                        owners=owners,
                    )
                )
    items.sort(key=sort_key)
    return TranslationReport(
        source_locale=linker.source_locale,
        locales=locales,
        items=tuple(items),
        coverage=coverage_of(items, locales),
        history="" if history is not None and history.available else _why_no_history(history),
        codeowners=codeowners,
    )


def _why_no_history(history: GitHistory | None) -> str:
    return history.reason if history is not None else "git history not read"


def _codeowners(config: Config) -> CodeOwners | None:
    found = find_codeowners(config.root, config.review.codeowners)
    if found is None:
        return None
    try:
        return load_codeowners(found)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=found) from None


def _owners(
    translation: Article | None, source: Article | None, codeowners: CodeOwners | None
) -> tuple[str, ...]:
    for article in (translation, source):
        if article is not None and article.owner:
            return (article.owner,)
    if codeowners is not None:
        for article in (translation, source):
            if article is not None:
                found = codeowners.owners_of_file(article.path)
                if found:
                    return found
    return ()


# --------------------------------------------------------------------------- selecting


@dataclass(frozen=True)
class TranslationFilter:
    """Which rows a command reports; an empty tuple means any value.

    Owners match any one of a row's owners, ignoring case and a leading `@`
    (`--owner unassigned` finds the rows nobody owns).
    """

    statuses: tuple[TranslationStatus, ...] = ()
    locales: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()

    def in_scope(self, item: TranslationItem) -> bool:
        """Matches every field but the status (the scope of the coverage summary)."""
        if self.locales and item.locale not in self.locales:
            return False
        if self.sections and item.section not in self.sections:
            return False
        if self.owners:
            wanted = {_owner_key(o) for o in self.owners}
            have = {_owner_key(o) for o in item.owners} or {UNASSIGNED}
            if not wanted & have:
                return False
        return True

    def matches(self, item: TranslationItem) -> bool:
        return self.in_scope(item) and (not self.statuses or item.status in self.statuses)


def _owner_key(owner: str) -> str:
    return owner.strip().lstrip("@").casefold()


# --------------------------------------------------------------------------- recording updates


@dataclass(frozen=True)
class TranslationMark:
    """The front-matter edit recording that a translation is up to date with its source."""

    change: MarkChange
    source: Article
    key: str
    value: str
    kind: RecordKind  # HASH or COMMIT

    @property
    def article(self) -> Article:
        return self.change.article

    @property
    def path(self) -> Path:
        return self.change.path

    @property
    def changed(self) -> bool:
        return self.change.changed


def _present_key(article: Article, keys: tuple[str, ...]) -> str:
    """The mapped key the article already has (even empty), else the preferred one."""
    return next((k for k in keys if k in article.meta), keys[0] if keys else "source_hash")


def _looks_like_commit(value: str | None) -> bool:
    text = (value or "").strip().lower()
    return len(text) >= 40 and bool(_HEX.fullmatch(text))


def prepare_translation_marks(
    corpus: Corpus,
    articles: Sequence[Article],
    *,
    record: RecordKind = RecordKind.AUTO,
) -> list[TranslationMark]:
    """The edits recording that each translation in `articles` is up to date.

    Records the source's body hash, or with `record=COMMIT` the source's last
    commit, in the mapped `source_hash` key (the key the translation already
    has, else the first mapped one). `AUTO` records a commit when the
    translation already records a full commit sha (`source-git-commit`), else
    the hash. Raises InputError for an article that is not a translation, has
    no source, or whose front matter cannot be edited safely; ConflictError
    when a file changed on disk since it was loaded.
    """
    linker = TranslationLinker(corpus)
    keys = corpus.config.field_keys("source_hash")
    marks = []
    for article in articles:
        if not linker.is_translation(article):
            raise InputError(
                f"not a translation (it is in the source locale '{linker.source_locale}')",
                path=article.path,
            )
        link = linker.find(article)
        source = link.source
        if source is None:
            raise InputError(
                f"no source to mark against: {linker.describe_missing(article, link)}",
                path=article.path,
            )
        kind = record
        if kind is RecordKind.AUTO:
            kind = RecordKind.COMMIT if _looks_like_commit(article.source_hash) else RecordKind.HASH
        if kind is RecordKind.COMMIT:
            if source.last_commit is None:
                raise InputError(
                    f"the source {linker.source_locale}/{linker.inner(source)} has no git "
                    "commit to record; commit it first or record its hash (--record hash)",
                    path=article.path,
                )
            value = source.last_commit.sha
        else:
            value = source.body_hash
        try:
            old = article.path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", path=article.path) from None
        if content_hash(old) != article.content_hash:
            raise ConflictError("changed on disk since it was read; not marked", path=article.path)
        key = _present_key(article, keys)
        new = edit_front_matter(old, {key: value}, path=article.path)
        parsed = parse_bytes(article.path, new, max_size=len(new) + 1)
        if str(parsed.meta.get(key, "")).strip() != value:
            raise InputError(
                f"'{key}' would not read back as {value}; not marked", path=article.path
            )
        change = MarkChange(article, old, new, MappingProxyType({key: value}))
        marks.append(TranslationMark(change, source, key, value, kind))
    return marks


def mark_commit_message(marks: Sequence[TranslationMark], *, root: Path) -> str:
    """A commit message listing the translations brought up to date, with a trailer."""
    n = len(marks)
    first = marks[0].article
    subject = (
        f"Update translation {first.locale}/{first.id}" if n == 1 else f"Update {n} translations"
    )
    lines = [subject, "", "Recorded with `kbtool translations mark`:", ""]
    for mark in marks:
        try:
            where = mark.path.relative_to(root).as_posix()
        except ValueError:
            where = mark.path.as_posix()
        lines.append(f"- {where}: {mark.key} {mark.value[:12]}")
    locales = sorted({m.article.locale for m in marks})
    lines += ["", f"{TRANSLATION_TRAILER}: {', '.join(locales)}"]
    return "\n".join(lines) + "\n"


def status_counts(items: Iterable[TranslationItem]) -> Mapping[TranslationStatus, int]:
    """How many rows have each status (every status present, zero or not)."""
    counts = dict.fromkeys(TranslationStatus, 0)
    for item in items:
        counts[item.status] += 1
    return MappingProxyType(counts)
