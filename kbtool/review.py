"""Review policy and status: which articles are overdue, due soon, never reviewed, ok.

Everything here is a pure function of the articles, the configuration and an
as-of date, returning frozen data; `kbtool.cli.review` prints it.

Definitions (docs/review.md explains them to users):

- **Interval**, most specific first: the article's own `review_every` (through
  the field mapping, e.g. `ms.update-cycle: 180-days`); then
  `[review.intervals.section]`, `[review.intervals.type]`,
  `[review.intervals.locale]`, in that order; then `review.default_interval`.
  Section beats type because a section is where an article lives and who owns
  it (billing facts change monthly whatever the article's type); type beats
  locale because a locale is the broadest grouping. An article interval that is
  not an interval is reported in the notes and the next rule applies.
- **Due date**: last review + interval in calendar months and days; a month end
  clamps (30 Nov + quarterly = 28 Feb, or 29 Feb in a leap year).
- **Status** on the as-of date: `overdue` when the due date is before it;
  `due-soon` when it falls within the `review.due_soon` window (the as-of date
  itself included); `never-reviewed` when there is no readable review date (a
  git commit is never taken for a review); otherwise `ok`.
- **Owner**: the front-matter owner, else the CODEOWNERS owners of the file,
  else "unassigned".
- **changed-since-review**: the newest commit touching the file is dated more
  than a day (`EDIT_GRACE`) after the review date, is not the commit that added
  the file (adding or importing a file is not an edit after review), and is not
  a commit made by `kbtool review mark --commit` (recognised by its
  `Kbtool-Review:` trailer). The day of grace covers time zones and a review
  committed the day after it was recorded. kbtool reads one `git log` for the
  whole repository and never diffs files, so a commit that changed only front
  matter (tags, say) counts as an edit too.
"""

from __future__ import annotations

import datetime as dt
import enum
import statistics
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from kbtool.config import Config
from kbtool.corpus.edit import content_hash, edit_front_matter, write_atomic
from kbtool.corpus.git import check_committable, commit_files, review_commits
from kbtool.corpus.loader import Corpus
from kbtool.corpus.model import Article
from kbtool.corpus.parse import parse_bytes
from kbtool.dates import Interval, parse_date, parse_interval
from kbtool.errors import ConflictError, InputError, UsageError
from kbtool.owners import CodeOwners, find_codeowners, load_codeowners
from kbtool.status import RankedStatus

__all__ = [
    "EDIT_GRACE",
    "REVIEW_TRAILER",
    "UNASSIGNED",
    "MarkChange",
    "OwnerLoad",
    "OwnerSource",
    "PlanEntry",
    "ReviewFilter",
    "ReviewItem",
    "ReviewPlan",
    "ReviewPolicy",
    "ReviewReport",
    "ReviewStatus",
    "ReviewSummary",
    "apply_marks",
    "assess",
    "build_report",
    "failing",
    "included",
    "mark_commit_message",
    "next_weeks",
    "parse_quarter",
    "plan_reviews",
    "prepare_marks",
    "review_corpus",
    "sort_key",
]

UNASSIGNED = "unassigned"
EDIT_GRACE = dt.timedelta(days=1)
# The trailer `review mark --commit` puts in its commit message.
REVIEW_TRAILER = "Kbtool-Review"
# An owner's load is "far above the others'" at this many times their median...
LOAD_RATIO = 2.0
# ...and at least this many articles more, so 2 against 1 is not a warning.
LOAD_MARGIN = 5
# A week is a peak at this many times the median week and this many reviews more.
PEAK_RATIO = 3.0
PEAK_MARGIN = 10


class ReviewStatus(RankedStatus):
    """The review state of one article; declared from most to least urgent."""

    OVERDUE = "overdue"
    NEVER_REVIEWED = "never-reviewed"
    DUE_SOON = "due-soon"
    OK = "ok"


class OwnerSource(enum.Enum):
    """Where an article's owner came from."""

    FRONT_MATTER = "front-matter"
    CODEOWNERS = "codeowners"
    NONE = "none"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class ReviewPolicy:
    """The review intervals and the due-soon window, parsed from `[review]`."""

    default: Interval = field(default_factory=lambda: Interval(months=3))
    due_soon: Interval = field(default_factory=lambda: Interval(days=14))
    sections: Mapping[str, Interval] = field(default_factory=lambda: MappingProxyType({}))
    types: Mapping[str, Interval] = field(default_factory=lambda: MappingProxyType({}))
    locales: Mapping[str, Interval] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_config(cls, config: Config) -> ReviewPolicy:
        """The policy of a validated configuration (load_config checked the intervals)."""
        review = config.review

        def table(values: Mapping[str, str]) -> Mapping[str, Interval]:
            return MappingProxyType({k: parse_interval(v) for k, v in values.items()})

        return cls(
            default=parse_interval(review.default_interval),
            due_soon=parse_interval(review.due_soon),
            sections=table(review.intervals.section),
            types=table(review.intervals.type),
            locales=table(review.intervals.locale),
        )

    def interval_for(self, article: Article) -> tuple[Interval, str, str | None]:
        """(interval, where it came from, a note when the article's own was unusable)."""
        note = None
        if article.review_every:
            try:
                return _article_interval(article.review_every), "article", None
            except ValueError as exc:
                key = article.field_key("review_every") or "review_every"
                note = f"'{key}': {exc}; using the configured interval"
        if article.section in self.sections:
            return self.sections[article.section], f"section {article.section}", note
        if article.type is not None and article.type in self.types:
            return self.types[article.type], f"type {article.type}", note
        if article.locale in self.locales:
            return self.locales[article.locale], f"locale {article.locale}", note
        return self.default, "default", note


def _article_interval(text: str) -> Interval:
    text = text.strip()
    # a bare number in front matter (`review_every: 90`) arrives as text: days
    return parse_interval(int(text) if text.isdigit() else text)


@dataclass(frozen=True)
class ReviewItem:
    """One article's review status on the as-of date."""

    article: Article
    status: ReviewStatus
    interval: Interval
    interval_source: str
    due: dt.date | None
    # as-of date minus due date: positive = days overdue, negative = days left
    days_overdue: int | None
    owners: tuple[str, ...]
    owner_source: OwnerSource
    changed_since_review: bool = False
    notes: tuple[str, ...] = ()

    @property
    def owner(self) -> str:
        """The owner as one string: "unassigned" when there is none."""
        return ", ".join(self.owners) if self.owners else UNASSIGNED

    @property
    def last_reviewed(self) -> dt.date | None:
        return self.article.last_reviewed

    @property
    def last_edited(self) -> dt.date | None:
        return self.article.last_edited

    def describe_due(self) -> str:
        """`12 days overdue`, `due today`, `due in 5 days`, `never reviewed`."""
        if self.days_overdue is None:
            return "never reviewed"
        days = self.days_overdue
        if days > 0:
            return f"{days} day{'s' if days != 1 else ''} overdue"
        if days == 0:
            return "due today"
        return f"due in {-days} day{'s' if days != -1 else ''}"


@dataclass(frozen=True)
class ReviewSummary:
    """Counts per status and the share on schedule (ok or due soon)."""

    overdue: int = 0
    due_soon: int = 0
    never_reviewed: int = 0
    ok: int = 0

    @property
    def total(self) -> int:
        return self.overdue + self.due_soon + self.never_reviewed + self.ok

    @property
    def on_schedule(self) -> int:
        return self.ok + self.due_soon

    @property
    def on_schedule_pct(self) -> float:
        """Per cent of articles on schedule; 100 when there are none."""
        return round(100.0 * self.on_schedule / self.total, 1) if self.total else 100.0

    def count(self, status: ReviewStatus) -> int:
        return {
            ReviewStatus.OVERDUE: self.overdue,
            ReviewStatus.DUE_SOON: self.due_soon,
            ReviewStatus.NEVER_REVIEWED: self.never_reviewed,
            ReviewStatus.OK: self.ok,
        }[status]

    @classmethod
    def of(cls, items: Iterable[ReviewItem]) -> ReviewSummary:
        counts = dict.fromkeys(ReviewStatus, 0)
        for item in items:
            counts[item.status] += 1
        return cls(
            overdue=counts[ReviewStatus.OVERDUE],
            due_soon=counts[ReviewStatus.DUE_SOON],
            never_reviewed=counts[ReviewStatus.NEVER_REVIEWED],
            ok=counts[ReviewStatus.OK],
        )

    def __str__(self) -> str:
        if not self.total:
            return "no published articles to review"
        pct = f"{self.on_schedule_pct:.1f}".removesuffix(".0")
        return (
            f"{self.overdue} overdue, {self.due_soon} due soon, "
            f"{self.never_reviewed} never reviewed, {self.ok} ok: "
            f"{pct}% on schedule ({self.on_schedule} of {self.total})"
        )


@dataclass(frozen=True)
class ReviewReport:
    """The review status of a set of articles on one date, most urgent first."""

    as_of: dt.date
    policy: ReviewPolicy
    items: tuple[ReviewItem, ...]
    summary: ReviewSummary
    codeowners: CodeOwners | None = None


def assess(
    article: Article,
    *,
    as_of: dt.date,
    policy: ReviewPolicy,
    codeowners: CodeOwners | None = None,
    review_commits: frozenset[str] = frozenset(),
) -> ReviewItem:
    """The review status of one article on `as_of`."""
    interval, source, note = policy.interval_for(article)
    notes = [note] if note else []
    owners, owner_source = _owner(article, codeowners)
    reviewed = article.last_reviewed
    if reviewed is None:
        key = article.field_key("last_reviewed")
        if key is not None and article.meta.get(key) not in (None, ""):
            notes.append(
                f"'{key}' is not a date in the configured formats: {article.meta.get(key)!r}"
            )
        return ReviewItem(
            article,
            ReviewStatus.NEVER_REVIEWED,
            interval,
            source,
            None,
            None,
            owners,
            owner_source,
            notes=tuple(notes),
        )
    due = interval.after(reviewed)
    days = (as_of - due).days
    if due < as_of:
        status = ReviewStatus.OVERDUE
    elif due <= policy.due_soon.after(as_of):
        status = ReviewStatus.DUE_SOON
    else:
        status = ReviewStatus.OK
    if reviewed > as_of:
        notes.append(f"reviewed on {reviewed.isoformat()}, after the as-of date")
    return ReviewItem(
        article,
        status,
        interval,
        source,
        due,
        days,
        owners,
        owner_source,
        changed_since_review=edited_after_review(article, review_commits),
        notes=tuple(notes),
    )


def edit_candidate(article: Article) -> bool:
    """Could the article have been edited after its review (before looking at commit messages)?"""
    last, first = article.last_commit, article.first_commit
    reviewed = article.last_reviewed
    if reviewed is None or last is None:
        return False
    if first is not None and first.sha == last.sha:
        return False  # the file was added (or imported) and never changed since
    return last.date.date() > reviewed + EDIT_GRACE


def edited_after_review(article: Article, review_commits: frozenset[str]) -> bool:
    """The `changed-since-review` flag (see the module docstring)."""
    return (
        edit_candidate(article)
        and article.last_commit is not None
        and article.last_commit.sha not in review_commits
    )


def _owner(article: Article, codeowners: CodeOwners | None) -> tuple[tuple[str, ...], OwnerSource]:
    if article.owner:
        return (article.owner,), OwnerSource.FRONT_MATTER
    if codeowners is not None:
        found = codeowners.owners_of_file(article.path)
        if found:
            return found, OwnerSource.CODEOWNERS
    return (), OwnerSource.NONE


def sort_key(item: ReviewItem) -> tuple[int, int, str, str]:
    """Most urgent first: by status, then most overdue (or soonest due), then path.

    Never-reviewed articles come after the overdue ones, longest unedited first.
    """
    if item.days_overdue is not None:
        order = -item.days_overdue
    else:
        edited = item.last_edited
        order = edited.toordinal() if edited else 0
    return item.status.rank, order, item.article.locale, item.article.rel_path


def build_report(
    articles: Iterable[Article],
    *,
    as_of: dt.date,
    policy: ReviewPolicy,
    codeowners: CodeOwners | None = None,
    review_commits: Callable[[], frozenset[str]] | frozenset[str] = frozenset(),
) -> ReviewReport:
    """Assess every article; `review_commits` (or a function giving them, called only
    when some article may have been edited after its review) are the shas of
    `review mark --commit` commits."""
    articles = list(articles)
    commits: frozenset[str] = frozenset()
    if callable(review_commits):
        if any(edit_candidate(a) for a in articles):
            commits = review_commits()
    else:
        commits = review_commits
    items = [
        assess(a, as_of=as_of, policy=policy, codeowners=codeowners, review_commits=commits)
        for a in articles
    ]
    items.sort(key=sort_key)
    return ReviewReport(
        as_of=as_of,
        policy=policy,
        items=tuple(items),
        summary=ReviewSummary.of(items),
        codeowners=codeowners,
    )


def failing(items: Iterable[ReviewItem], threshold: ReviewStatus) -> list[ReviewItem]:
    """The items at `threshold` or more urgent (`--fail-on`), most urgent first."""
    return sorted((i for i in items if i.status.at_or_above(threshold)), key=sort_key)


# --------------------------------------------------------------------------- planning


@dataclass(frozen=True)
class PlanEntry:
    """One review falling due in the planning period."""

    item: ReviewItem
    due: dt.date
    week: dt.date  # Monday of the due date's week
    repeat: int = 0  # 0: the next review; 1+: a later one within the period


@dataclass(frozen=True)
class OwnerLoad:
    """One owner's work in the period: reviews per week, plus the backlog."""

    owner: str
    weekly: tuple[int, ...]
    backlog: int

    @property
    def scheduled(self) -> int:
        return sum(self.weekly)

    @property
    def total(self) -> int:
        return self.scheduled + self.backlog

    @property
    def peak(self) -> int:
        return max(self.weekly, default=0)


@dataclass(frozen=True)
class ReviewPlan:
    """What falls due between `start` and `end` (inclusive), per owner and week."""

    as_of: dt.date
    start: dt.date
    end: dt.date
    label: str
    weeks: tuple[dt.date, ...]  # Mondays
    entries: tuple[PlanEntry, ...]
    # overdue or never reviewed on the as-of date: to clear first
    backlog: tuple[ReviewItem, ...]
    owners: tuple[OwnerLoad, ...]
    warnings: tuple[str, ...] = ()


def parse_quarter(text: str) -> tuple[dt.date, dt.date, str]:
    """`2027Q1` (also `2027-Q1`, `Q1 2027`) to its first and last day and a label."""
    raw = text.strip().upper().replace(" ", "").replace("-", "")
    year = quarter = None
    if len(raw) == 6 and raw[4] == "Q":
        year, quarter = raw[:4], raw[5]
    elif len(raw) == 6 and raw[0] == "Q":
        quarter, year = raw[1], raw[2:]
    if not (year and quarter and year.isdigit() and quarter in "1234"):
        raise UsageError(f"not a quarter: '{text}' (use e.g. 2027Q1)")
    first_month = 3 * (int(quarter) - 1) + 1
    start = dt.date(int(year), first_month, 1)
    end = Interval(months=3).after(start) - dt.timedelta(days=1)
    return start, end, f"{year}Q{quarter}"


def next_weeks(as_of: dt.date, weeks: int) -> tuple[dt.date, dt.date, str]:
    """The `weeks` weeks from `as_of`: its first and last day and a label."""
    if weeks < 1:
        raise UsageError(f"--weeks must be at least 1, got {weeks}")
    end = as_of + dt.timedelta(weeks=weeks) - dt.timedelta(days=1)
    return as_of, end, f"{weeks} weeks from {as_of.isoformat()}"


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def plan_reviews(
    items: Sequence[ReviewItem],
    *,
    as_of: dt.date,
    start: dt.date,
    end: dt.date,
    label: str = "",
) -> ReviewPlan:
    """Which reviews fall due from `start` to `end`, assuming each is done when due.

    Articles overdue or never reviewed on `as_of` are the backlog, listed apart
    and counted in each owner's load. Any other article is projected forward
    from its due date by its interval, so a monthly article falls due about
    three times in a quarter.
    """
    if end < start:
        raise UsageError(f"the plan ends ({end}) before it starts ({start})")
    weeks: list[dt.date] = []
    monday = _monday(start)
    while monday <= end:
        weeks.append(monday)
        monday += dt.timedelta(weeks=1)
    index = {week: i for i, week in enumerate(weeks)}
    entries: list[PlanEntry] = []
    backlog: list[ReviewItem] = []
    for item in items:
        if item.status in (ReviewStatus.OVERDUE, ReviewStatus.NEVER_REVIEWED) or item.due is None:
            backlog.append(item)
            continue
        due, repeat = item.due, 0
        while due <= end:
            if due >= start:
                entries.append(PlanEntry(item, due, _monday(due), repeat))
                repeat += 1
            due = item.interval.after(due)
    entries.sort(
        key=lambda e: (e.due, e.item.owner, e.item.article.locale, e.item.article.rel_path)
    )
    backlog.sort(key=sort_key)
    weekly: dict[str, list[int]] = defaultdict(lambda: [0] * len(weeks))
    backlogs: dict[str, int] = defaultdict(int)
    for entry in entries:
        weekly[entry.item.owner][index[entry.week]] += 1
    for item in backlog:
        backlogs[item.owner] += 1
    names = sorted(set(weekly) | set(backlogs), key=lambda o: (o == UNASSIGNED, o.lower()))
    owners = tuple(
        OwnerLoad(o, tuple(weekly.get(o, [0] * len(weeks))), backlogs.get(o, 0)) for o in names
    )
    return ReviewPlan(
        as_of=as_of,
        start=start,
        end=end,
        label=label or f"{start} to {end}",
        weeks=tuple(weeks),
        entries=tuple(entries),
        backlog=tuple(backlog),
        owners=owners,
        warnings=tuple(load_warnings(owners) + peak_warnings(owners, tuple(weeks))),
    )


def load_warnings(owners: Sequence[OwnerLoad]) -> list[str]:
    """Owners whose load (scheduled plus backlog) is far above the others'.

    "Far above": at least `LOAD_RATIO` times the median of the other owners'
    loads and at least `LOAD_MARGIN` articles more. One owner alone is never
    far above anyone.
    """
    warnings = []
    for owner in owners:
        others = [o.total for o in owners if o is not owner]
        if not others:
            break
        median = statistics.median(others)
        if owner.total >= LOAD_RATIO * median and owner.total - median >= LOAD_MARGIN:
            typical = f"{median:g}"
            warnings.append(
                f"{owner.owner} has {owner.total} reviews in the period "
                f"({owner.scheduled} due, {owner.backlog} backlog), against a median of "
                f"{typical} for the other owners: spread the work or share the articles"
            )
    return warnings


def peak_warnings(owners: Sequence[OwnerLoad], weeks: Sequence[dt.date]) -> list[str]:
    """A week far busier than the others (`PEAK_RATIO` times the median week, and
    `PEAK_MARGIN` reviews more): reviewing some of it earlier spreads the work."""
    totals = [sum(o.weekly[i] for o in owners) for i in range(len(weeks))]
    if len(totals) < 3:
        return []
    median = statistics.median(totals)
    peak = max(totals)
    if peak < PEAK_RATIO * median or peak - median < PEAK_MARGIN:
        return []
    week = weeks[totals.index(peak)]
    return [
        f"the week of {week.isoformat()} has {peak} reviews due, against a median of "
        f"{median:g} a week: review some of them earlier"
    ]


# --------------------------------------------------------------------------- selecting


@dataclass(frozen=True)
class ReviewFilter:
    """Which reviewed articles a command reports; an empty tuple means any value.

    Owners match any one of an article's owners, ignoring case and a leading `@`
    (`--owner unassigned` finds the articles nobody owns).
    """

    statuses: tuple[ReviewStatus, ...] = ()
    owners: tuple[str, ...] = ()
    locales: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    types: tuple[str, ...] = ()

    def in_scope(self, item: ReviewItem) -> bool:
        """Matches every field but the status (the scope of the summary)."""
        a = item.article
        if self.locales and a.locale not in self.locales:
            return False
        if self.sections and a.section not in self.sections:
            return False
        if self.types and a.type not in self.types:
            return False
        if self.owners:
            wanted = {_owner_key(o) for o in self.owners}
            have = {_owner_key(o) for o in item.owners} or {UNASSIGNED}
            if not wanted & have:
                return False
        return True

    def matches(self, item: ReviewItem) -> bool:
        return self.in_scope(item) and (not self.statuses or item.status in self.statuses)


def _owner_key(owner: str) -> str:
    return owner.strip().lstrip("@").casefold()


def included(article: Article, *, drafts: bool = False, archived: bool = False) -> bool:
    """Published articles always; archived ones and drafts (any other status) when asked."""
    if article.is_published:
        return True
    if article.status == "archived":
        return archived
    return drafts


def review_corpus(
    corpus: Corpus,
    *,
    as_of: dt.date,
    drafts: bool = False,
    archived: bool = False,
    only: Collection[Path] | None = None,
) -> ReviewReport:
    """The review report of a loaded knowledge base (published articles unless asked).

    `only` limits it to these files (absolute paths), e.g. the ones a pull request
    changed. Owners fall back to the CODEOWNERS file when there is one.
    """
    config = corpus.config
    codeowners = None
    found = find_codeowners(config.root, config.review.codeowners)
    if found is not None:
        try:
            codeowners = load_codeowners(found)
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", path=found) from None
    wanted = None if only is None else {_real(p) for p in only}
    articles = [
        a
        for a in corpus.articles
        if included(a, drafts=drafts, archived=archived)
        and (wanted is None or _real(a.path) in wanted)
    ]
    history = corpus.history

    def commits() -> frozenset[str]:
        return review_commits(history, REVIEW_TRAILER) if history is not None else frozenset()

    return build_report(
        articles,
        as_of=as_of,
        policy=ReviewPolicy.from_config(config),
        codeowners=codeowners,
        review_commits=commits,
    )


def _real(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path.absolute()


# --------------------------------------------------------------------------- recording reviews


@dataclass(frozen=True)
class MarkChange:
    """The front-matter edit that records a review of one article."""

    article: Article
    old: bytes
    new: bytes
    updates: Mapping[str, str]

    @property
    def path(self) -> Path:
        return self.article.path

    @property
    def changed(self) -> bool:
        return self.new != self.old


def _present_key(article: Article, keys: tuple[str, ...]) -> str:
    """The mapped key the article already has (even empty), else the preferred one."""
    return next((k for k in keys if k in article.meta), keys[0])


def prepare_marks(
    articles: Sequence[Article],
    *,
    config: Config,
    date: dt.date,
    by: str | None,
) -> list[MarkChange]:
    """The edits recording a review on `date` (and by `by`) of each article.

    Writes the date with the repository's mapped key and its first date format;
    `by` goes to the mapped `reviewed_by` key when given. Raises ConflictError
    when a file changed since it was loaded, InputError when its front matter
    cannot be edited safely or the written date would not read back.
    """
    fmt = config.fields.date_formats[0] if config.fields.date_formats else "%Y-%m-%d"
    text = date.strftime(fmt)
    changes = []
    for article in articles:
        try:
            old = article.path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", path=article.path) from None
        if content_hash(old) != article.content_hash:
            raise ConflictError("changed on disk since it was read; not marked", path=article.path)
        updates = {_present_key(article, config.field_keys("last_reviewed")): text}
        if by:
            updates[_present_key(article, config.field_keys("reviewed_by"))] = by
        new = edit_front_matter(old, updates, path=article.path)
        _check_reads_back(new, article, config, updates, date)
        changes.append(MarkChange(article, old, new, MappingProxyType(updates)))
    return changes


def _check_reads_back(
    new: bytes, article: Article, config: Config, updates: Mapping[str, str], date: dt.date
) -> None:
    """Refuse an edit whose review date would not read back as `date` (never write one)."""
    parsed = parse_bytes(article.path, new, max_size=len(new) + 1)
    key = next(iter(updates))
    try:
        ok = parse_date(parsed.meta.get(key), config.fields.date_formats) == date
    except ValueError:
        ok = False
    if not ok:
        raise InputError(
            f"the review date would not read back as {date.isoformat()} "
            f"with the date format {config.fields.date_formats[0]!r}; not marked",
            path=article.path,
        )


def mark_commit_message(
    changes: Sequence[MarkChange], *, root: Path, date: dt.date, by: str | None
) -> str:
    """A commit message listing the reviewed articles, with the `Kbtool-Review` trailer."""
    n = len(changes)
    subject = (
        f"Review {changes[0].article.id} ({date.isoformat()})"
        if n == 1
        else f"Review {n} articles ({date.isoformat()})"
    )
    lines = [
        subject,
        "",
        f"Recorded with `kbtool review mark`: reviewed on {date.isoformat()}"
        + (f" by {by}." if by else "."),
        "",
    ]
    for change in changes:
        a = change.article
        try:
            where = a.path.relative_to(root).as_posix()
        except ValueError:
            where = a.path.as_posix()
        lines.append(f"- {where}: {a.title}")
    lines += ["", f"{REVIEW_TRAILER}: {date.isoformat()}"]
    return "\n".join(lines) + "\n"


def apply_marks(changes: Sequence[MarkChange], *, commit_message: str | None = None) -> str | None:
    """Write the changed files atomically; with `commit_message`, commit exactly them.

    Before writing anything, a commit that would sweep in other changes is
    refused (see `check_committable`), and every file is checked unchanged since
    it was read. Returns the new commit's sha, if one was made.
    """
    todo = [c for c in changes if c.changed]
    if commit_message is not None:
        check_committable([c.path for c in todo])
    for change in todo:
        if content_hash(change.path.read_bytes()) != change.article.content_hash:
            raise ConflictError(
                "changed on disk since it was read; nothing written", path=change.path
            )
    for change in todo:
        write_atomic(change.path, change.new, expected_hash=change.article.content_hash)
    if commit_message is not None and todo:
        return commit_files([c.path for c in todo], commit_message)
    return None
