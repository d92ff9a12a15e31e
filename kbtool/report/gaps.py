"""Content gaps: what customers search for or ask that no article answers.

The pipeline of `kbtool gaps LOG`:

1. read a search log (CSV, JSON or JSON Lines: one row per query with a count,
   or one row per search) or a ticket export (CSV, the columns of `suggest
   --tickets`), detecting the columns of common exports by name;
2. fold identical queries (letter case, spaces) into one with their volume;
3. ask the answer bot (`SearchEngine.suggest`, the same ranking and the same
   `[search] suggest_threshold` as `kbtool suggest`) whether an article answers
   each query confidently;
4. group the unanswered queries into topics: the query's index terms (stop words
   dropped, stemmed, misspellings corrected as the answer bot corrected them),
   then near-duplicate topics merged with rapidfuzz;
5. rank topics by volume and say for each the nearest article and what to do:
   write a new article, add the customers' words as labels (or synonyms) to the
   nearest article, or retitle it.

Everything returns frozen data; `kbtool.cli.report` prints it and
`kbtool.report.model` puts the top topics in the report's search section.
"""

from __future__ import annotations

import csv
import enum
import io
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from kbtool.errors import InputError, UsageError

if TYPE_CHECKING:
    from kbtool.config import Config
    from kbtool.corpus import Article, Corpus
    from kbtool.search import SearchEngine, SuggestHit, Suggestion

__all__ = [
    "LOG_ROLES",
    "TICKET_ROLES",
    "Action",
    "ActionKind",
    "GapsReport",
    "LogKind",
    "Nearest",
    "Query",
    "QueryLog",
    "Topic",
    "find_gaps",
    "read_log",
]

SCHEMA = "kbtool.gaps/1"

# The roles a column can play, in the order `--columns` names them.
LOG_ROLES = ("query", "count", "results", "clicks", "locale")
TICKET_ROLES = ("subject", "body", "locale")

# Column names of common exports (lower case, spaces and underscores alike), best first.
_NAMES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "query": (
            "query", "search query", "search term", "search terms", "search string",
            "search phrase", "searchterm", "search", "term", "keyword", "keywords", "q",
            "question", "phrase", "text",
        ),
        "count": (
            "count", "searches", "total searches", "search count", "number of searches",
            "volume", "frequency", "hits", "occurrences", "n", "total",
        ),
        "results": (
            "results", "result count", "results count", "number of results", "num results",
            "search results", "avg results", "average results",
        ),
        "clicks": (
            "clicks", "total clicks", "click count", "clicked", "clickthroughs",
            "click throughs", "result clicks",
        ),
        "locale": ("locale", "language", "lang", "language code", "ticket language"),
        "subject": ("subject", "title", "ticket subject", "summary", "topic"),
        "body": (
            "body", "description", "ticket description", "message", "content", "comment",
            "first message", "preview", "details",
        ),
    }
)  # fmt: skip

MAX_LOG_BYTES = 200_000_000  # a search log larger than this is refused, not read into memory
# A topic whose best article has less than this share of the threshold gets "write a new
# article": what little matched is incidental (a common word in a title).
NEW_ARTICLE_SHARE = 0.5
# Topics whose term keys are at least this similar (rapidfuzz token sort ratio) are one.
MERGE_SIMILARITY = 85.0
# A shorter topic whose terms all appear in a longer one joins it at this similarity
# (token set ratio) when it has at least two terms: "cancel subscription" and
# "cancel subscription refund", but not "account" and "delete account".
SUBSET_SIMILARITY = 100.0
# An unanswered query this similar (rapidfuzz ratio) to an answered one is a misspelling.
TYPO_SIMILARITY = 85.0


class LogKind(enum.Enum):
    SEARCH_LOG = "search-log"
    TICKETS = "tickets"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Query:
    """One distinct query (or ticket) and how often it was asked."""

    text: str  # the query, or the ticket subject
    count: int = 1
    body: str = ""  # ticket body
    locale: str | None = None
    results: int | None = None  # what the live search returned, when the log says
    clicks: int | None = None
    line: int = 0  # first line in the file


@dataclass(frozen=True)
class QueryLog:
    """The queries of one file, with the columns that were used."""

    path: Path
    kind: LogKind
    queries: tuple[Query, ...]
    columns: Mapping[str, str]  # role -> column name in the file
    rows: int  # rows read (searches or tickets before folding)

    @property
    def volume(self) -> int:
        return sum(q.count for q in self.queries)


class ActionKind(enum.Enum):
    """What to do about a topic, from the most to the least work."""

    NEW_ARTICLE = "new-article"
    PUBLISH_DRAFT = "publish-draft"
    RETITLE = "retitle"
    ADD_LABELS = "add-labels"
    ADD_SYNONYMS = "add-synonyms"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Nearest:
    """The article the answer bot ranked first for a topic, though not confidently."""

    id: str
    locale: str
    path: str  # relative to the articles folder
    title: str
    confidence: float
    matched: tuple[str, ...]  # the topic's words the article has


@dataclass(frozen=True)
class Action:
    kind: ActionKind
    text: str  # one sentence for the editor
    article: str | None = None  # path of the article to change
    # labels to add; words for the title; for synonyms "misspelt=word" pairs
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Topic:
    """Unanswered queries that ask for the same thing, with their volume."""

    label: str  # the most asked wording
    locale: str
    terms: tuple[str, ...]  # the index terms the topic is grouped by
    volume: int
    queries: tuple[tuple[str, int], ...]  # (wording, count), most asked first
    best_confidence: float
    nearest: Nearest | None
    action: Action
    lines: tuple[int, ...] = ()  # lines in the file, of the first few wordings

    @property
    def wordings(self) -> int:
        return len(self.queries)


@dataclass(frozen=True)
class GapsReport:
    """What a log asks that no article answers, grouped into topics by volume."""

    source: str
    kind: LogKind
    threshold: float
    columns: Mapping[str, str]
    rows: int
    queries: int  # distinct queries
    volume: int  # searches or tickets
    answered_queries: int
    answered_volume: int
    topics: tuple[Topic, ...]  # the unanswered topics, most asked first
    # answered queries whose log says searchers found nothing to click: the
    # article exists but its title or snippet does not look like the answer
    unclicked: tuple[tuple[Query, Nearest], ...] = ()
    # unanswered queries with no word to search for ("help", "hi"): not a content gap
    vague: tuple[Query, ...] = ()
    locales: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def unanswered_volume(self) -> int:
        return self.volume - self.answered_volume

    @property
    def vague_volume(self) -> int:
        return sum(q.count for q in self.vague)

    @property
    def answered_pct(self) -> float:
        return round(100.0 * self.answered_volume / self.volume, 1) if self.volume else 100.0

    def action_counts(self) -> dict[str, int]:
        counts = Counter(t.action.kind.value for t in self.topics)
        return {kind.value: counts.get(kind.value, 0) for kind in ActionKind}


# --------------------------------------------------------------------------- reading


def read_log(
    path: Path,
    *,
    kind: LogKind = LogKind.SEARCH_LOG,
    columns: Sequence[str] = (),
) -> QueryLog:
    """Read a search log or ticket export; `columns` names the columns by role, in the
    order of `LOG_ROLES` or `TICKET_ROLES` (empty entries: detect that one)."""
    raw = _read_bytes(path)
    text = _decode(raw, path)
    roles = TICKET_ROLES if kind is LogKind.TICKETS else LOG_ROLES
    given = _given_columns(columns, roles)
    stripped = text.lstrip()
    if kind is LogKind.SEARCH_LOG and stripped[:1] in ("[", "{"):
        records = _json_records(text, path)
    else:
        records = _csv_records(text, path)
    if not records:
        what = "tickets" if kind is LogKind.TICKETS else "queries"
        raise InputError(f"no {what} in the file", path=path)
    header_line, header = records[0]
    chosen = _choose_columns(header, roles, given, path, header_line)
    if kind is LogKind.TICKETS:
        queries = _ticket_queries(records[1:], chosen)
    else:
        queries = _log_queries(records[1:], chosen, path)
    rows = sum(1 for _, row in records[1:] if any(v.strip() for v in row.values()))
    folded = _fold(queries)
    if not folded:
        raise InputError(f"no rows with a {roles[0]} in the file", path=path)
    return QueryLog(
        path=path,
        kind=kind,
        queries=tuple(folded),
        columns=MappingProxyType(dict(chosen)),
        rows=rows,
    )


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_LOG_BYTES:
            raise InputError(
                f"too large ({size:,} bytes; the limit is {MAX_LOG_BYTES:,})", path=path
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", path=path) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=path) from None


def _decode(raw: bytes, path: Path) -> str:
    if b"\0" in raw[:8192]:
        raise InputError("binary file, not CSV or JSON", path=path)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError("not valid UTF-8", path=path, line=line) from None


def _given_columns(columns: Sequence[str], roles: tuple[str, ...]) -> dict[str, str]:
    if len(columns) > len(roles):
        raise UsageError(
            f"--columns: at most {len(roles)} names ({','.join(roles)}), got {len(columns)}"
        )
    return {role: name.strip() for role, name in zip(roles, columns, strict=False) if name.strip()}


Record = tuple[int, dict[str, str]]  # (line, column -> value); the first is the header


def _csv_records(text: str, path: Path) -> list[Record]:
    sample = text[:4096]
    delimiter = ","
    first = sample.split("\n", 1)[0]
    if first.count("\t") > first.count(","):
        delimiter = "\t"
    elif first.count(";") > first.count(","):
        delimiter = ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out: list[Record] = []
    header: list[str] | None = None
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [cell.strip() for cell in row]
                out.append((reader.line_num, {name: name for name in header}))
                continue
            out.append(
                (
                    reader.line_num,
                    {name: (row[i] if i < len(row) else "") for i, name in enumerate(header)},
                )
            )
    except csv.Error as exc:
        raise InputError(f"bad CSV: {exc}", path=path, line=reader.line_num) from None
    return out


def _json_records(text: str, path: Path) -> list[Record]:
    """A JSON array of objects, an object holding one, or JSON Lines."""
    items: list[tuple[int, Any]] = []
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        lines = [ln for ln in text.splitlines() if ln.strip()]
        if len(lines) < 2 or not lines[0].lstrip().startswith("{"):
            raise InputError(f"bad JSON: {exc.msg}", path=path, line=exc.lineno) from None
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                items.append((number, json.loads(line)))
            except json.JSONDecodeError as err:
                raise InputError(f"bad JSON Lines: {err.msg}", path=path, line=number) from None
    else:
        if isinstance(data, dict):
            lists = [v for v in data.values() if isinstance(v, list)]
            if len(lists) != 1:
                raise InputError(
                    'JSON object without one list of queries (expected e.g. {"queries": [...]})',
                    path=path,
                    line=1,
                )
            data = lists[0]
        if not isinstance(data, list):
            raise InputError("JSON is not a list of queries", path=path, line=1)
        # a JSON document has no line per item: number the items instead
        items = list(enumerate(data, 1))
    names: dict[str, None] = {}
    records: list[Record] = []
    for number, item in items:
        if isinstance(item, str):
            item = {"query": item}
        if not isinstance(item, dict):
            raise InputError(f"item {number} is not an object", path=path, line=number)
        row = {str(k): "" if v is None else str(v) for k, v in item.items()}
        names.update(dict.fromkeys(row))
        records.append((number, row))
    return [(1, {name: name for name in names}), *records]


def _norm_name(name: str) -> str:
    return re.sub(r"[\s_\-.]+", " ", name.strip().lower())


def _choose_columns(
    header: Mapping[str, str],
    roles: tuple[str, ...],
    given: Mapping[str, str],
    path: Path,
    line: int,
) -> dict[str, str]:
    by_norm = {_norm_name(name): name for name in header}
    chosen: dict[str, str] = {}
    for role in roles:
        if role in given:
            name = given[role]
            found = by_norm.get(_norm_name(name))
            if found is None:
                raise InputError(
                    f"no '{name}' column for the {role} (columns: {', '.join(header)})",
                    path=path,
                    line=line,
                )
            chosen[role] = found
            continue
        taken = set(chosen.values())
        for candidate in _NAMES[role]:
            found = by_norm.get(candidate)
            if found is not None and found not in taken:
                chosen[role] = found
                break
    main = roles[0]
    if main not in chosen:
        raise InputError(
            f"no {main} column (columns: {', '.join(header)}); "
            f'name it with --columns, e.g. --columns "{next(iter(header), main)}"',
            path=path,
            line=line,
        )
    return chosen


def _number(value: str, role: str, path: Path, line: int) -> int | None:
    text = value.strip().replace(",", "").replace("_", "")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise InputError(
            f"{role} is not a number: {value.strip()!r}", path=path, line=line
        ) from None
    if number < 0 or number != number or number in (float("inf"), float("-inf")):
        raise InputError(f"{role} must be zero or more: {value.strip()!r}", path=path, line=line)
    return round(number)


def _log_queries(records: Iterable[Record], columns: Mapping[str, str], path: Path) -> list[Query]:
    out = []
    for line, row in records:
        text = _clean(row.get(columns["query"], ""))
        if not text:
            continue
        count = 1
        if "count" in columns:
            found = _number(row.get(columns["count"], ""), "count", path, line)
            count = 1 if found is None else found
        if count == 0:
            continue
        results = (
            _number(row.get(columns["results"], ""), "results", path, line)
            if "results" in columns
            else None
        )
        clicks = (
            _number(row.get(columns["clicks"], ""), "clicks", path, line)
            if "clicks" in columns
            else None
        )
        locale = row.get(columns["locale"], "").strip() if "locale" in columns else ""
        out.append(Query(text, count, "", locale or None, results, clicks, line))
    return out


def _ticket_queries(records: Iterable[Record], columns: Mapping[str, str]) -> list[Query]:
    out = []
    for line, row in records:
        subject = _clean(row.get(columns["subject"], ""))
        body = _clean(row.get(columns["body"], "")) if "body" in columns else ""
        if not subject and not body:
            continue
        locale = row.get(columns["locale"], "").strip() if "locale" in columns else ""
        out.append(Query(subject or body[:120], 1, body, locale or None, line=line))
    return out


_SPACE = re.compile(r"\s+")


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _fold(queries: Iterable[Query]) -> list[Query]:
    """One query per wording (letter case and spacing aside) and locale, counts summed."""
    folded: dict[tuple[str, str, str | None], Query] = {}
    for q in queries:
        key = (q.text.casefold(), q.body.casefold(), q.locale.lower() if q.locale else None)
        kept = folded.get(key)
        if kept is None:
            folded[key] = q
            continue
        folded[key] = Query(
            kept.text,
            kept.count + q.count,
            kept.body,
            kept.locale,
            _add(kept.results, q.results, kept.count, q.count, mean=True),
            _add(kept.clicks, q.clicks, kept.count, q.count, mean=False),
            kept.line,
        )
    return list(folded.values())


def _add(a: int | None, b: int | None, na: int, nb: int, *, mean: bool) -> int | None:
    if a is None or b is None:
        return a if b is None else b
    if mean:  # results shown: the same query returns about as many each time
        return round((a * na + b * nb) / (na + nb))
    return a + b


# --------------------------------------------------------------------------- deciding


@dataclass(frozen=True)
class _Asked:
    query: Query
    suggestion: Suggestion
    terms: tuple[str, ...]
    words: tuple[str, ...]  # content words as asked (corrected), for labels


def find_gaps(
    engine: SearchEngine,
    corpus: Corpus,
    log: QueryLog,
    *,
    locale: str | None = None,
    threshold: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> GapsReport:
    """Decide for every query of `log` whether an article answers it; group the rest."""
    from kbtool.search import Ticket, suggest_tickets

    config = corpus.config
    bar = config.search.suggest_threshold if threshold is None else threshold
    asked: list[_Asked] = []
    queries = log.queries
    step = max(1, len(queries) // 100)
    for start in range(0, len(queries), step):
        chunk = queries[start : start + step]
        tickets = [Ticket(q.line, q.text, q.body, q.locale) for q in chunk]
        report = suggest_tickets(engine, tickets, limit=3, locale=locale, threshold=bar)
        for q, (_, suggestion) in zip(chunk, report.tickets, strict=True):
            terms, words = _terms(suggestion, config)
            asked.append(_Asked(q, suggestion, terms, words))
        if progress is not None:
            progress(min(start + step, len(queries)), len(queries))
    answered = [a for a in asked if a.suggestion.confident]
    # "Help", "urgent!!!": nothing to search for, so no gap either
    vague = [a for a in asked if not a.suggestion.confident and not a.terms]
    unanswered = [a for a in asked if not a.suggestion.confident and a.terms]
    topics = _topics(unanswered, answered, corpus, bar)
    unclicked = tuple(
        (a.query, _nearest(a.suggestion.hits[0], a))
        for a in sorted(answered, key=lambda a: -a.query.count)
        if a.query.clicks == 0 and (a.query.results is None or a.query.results > 0)
    )
    locales: Counter[str] = Counter()
    for a in asked:
        locales[a.suggestion.locale] += a.query.count
    return GapsReport(
        source=str(log.path),
        kind=log.kind,
        threshold=bar,
        columns=log.columns,
        rows=log.rows,
        queries=len(asked),
        volume=sum(a.query.count for a in asked),
        answered_queries=len(answered),
        answered_volume=sum(a.query.count for a in answered),
        topics=tuple(topics),
        unclicked=unclicked,
        vague=tuple(a.query for a in sorted(vague, key=lambda a: (-a.query.count, a.query.line))),
        locales=MappingProxyType(dict(sorted(locales.items()))),
    )


def _terms(suggestion: Suggestion, config: Config) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The query's index terms (stems, no stop words) and its content words as asked."""
    from kbtool.search import language_for, query_stop_words, terms

    language = language_for(suggestion.locale, config.search.analyzers.get(suggestion.locale))
    stops = query_stop_words(language)
    subject = (suggestion.corrected or suggestion.text.split("\n", 1)[0]).strip()
    found = terms(subject, language, stops=stops)
    words = []
    if language.segmentation == "words":
        for word in re.findall(r"[^\W_]+(?:['’][^\W_]+)?", subject.lower()):
            if terms(word, language, stops=stops):
                words.append(word)
    else:
        words = [t for t in found if len(t) > 1]
    return tuple(dict.fromkeys(found)), tuple(dict.fromkeys(words))


def _nearest(hit: Any, asked: _Asked) -> Nearest:
    return Nearest(
        id=hit.id,
        locale=hit.locale,
        path=hit.path,
        title=hit.title,
        confidence=hit.confidence,
        matched=tuple(hit.matched),
    )


# --------------------------------------------------------------------------- grouping


@dataclass
class _Group:
    locale: str
    key: str
    members: list[_Asked]

    @property
    def volume(self) -> int:
        return sum(a.query.count for a in self.members)


def _topics(
    unanswered: Sequence[_Asked],
    answered: Sequence[_Asked],
    corpus: Corpus,
    threshold: float,
) -> list[Topic]:
    from rapidfuzz import fuzz, process

    exact: dict[tuple[str, str], _Group] = {}
    for asked in unanswered:
        key = " ".join(sorted(asked.terms)) or asked.query.text.casefold()
        locale = asked.suggestion.locale
        group = exact.setdefault((locale, key), _Group(locale, key, []))
        group.members.append(asked)
    # most asked first, so a rare misspelling joins the common wording and not the reverse
    ordered = sorted(exact.values(), key=lambda g: (-g.volume, g.key))
    merged: list[_Group] = []
    keys: dict[str, list[str]] = defaultdict(list)  # locale -> keys of merged groups
    index: dict[tuple[str, str], _Group] = {}
    for group in ordered:
        choices = keys[group.locale]
        target = None
        if choices:
            found = process.extractOne(
                group.key, choices, scorer=fuzz.token_sort_ratio, score_cutoff=MERGE_SIMILARITY
            )
            if found is None and len(group.key.split()) >= 2:
                found = process.extractOne(
                    group.key, choices, scorer=fuzz.token_set_ratio, score_cutoff=SUBSET_SIMILARITY
                )
            if found is not None:
                target = index[(group.locale, found[0])]
        if target is None:
            merged.append(group)
            choices.append(group.key)
            index[(group.locale, group.key)] = group
        else:
            target.members.extend(group.members)
    context = _Context(corpus, answered, threshold)
    topics = [_topic(g, context) for g in merged]
    topics.sort(key=lambda t: (-t.volume, t.label.casefold()))
    return topics


class _Context:
    """What deciding a topic's action looks at besides the topic: the articles, the
    drafts, and the queries the answer bot did answer (spelt right)."""

    def __init__(self, corpus: Corpus, answered: Sequence[_Asked], threshold: float):
        self.corpus = corpus
        self.threshold = threshold
        self.articles = {(a.locale, a.rel_path): a for a in corpus.articles}
        self.answered: dict[str, list[_Asked]] = defaultdict(list)
        for asked in sorted(answered, key=lambda a: -a.query.count):
            self.answered[asked.suggestion.locale].append(asked)
        self._answered_texts = {
            loc: [a.query.text.casefold() for a in items] for loc, items in self.answered.items()
        }
        self._draft_terms: dict[str, list[tuple[Article, frozenset[str]]]] = {}

    def spelt_right(self, group: _Group) -> _Asked | None:
        """An answered query that is the topic's wording with a letter or two changed."""
        from rapidfuzz import fuzz, process

        texts = self._answered_texts.get(group.locale)
        if not texts:
            return None
        for asked in group.members:
            text = asked.query.text.casefold()
            found = process.extractOne(text, texts, scorer=fuzz.ratio, score_cutoff=TYPO_SIMILARITY)
            if found is not None and found[0] != text:
                return self.answered[group.locale][found[2]]
        return None

    def draft_for(self, group: _Group) -> Article | None:
        """A draft in the topic's locale whose title, labels or description have all its terms."""
        if not group.members[0].terms:
            return None
        terms = set(group.key.split())
        for article, have in self._drafts(group.locale, group.members[0]):
            if terms <= have:
                return article
        return None

    def _drafts(self, locale: str, asked: _Asked) -> list[tuple[Article, frozenset[str]]]:
        found = self._draft_terms.get(locale)
        if found is None:
            from kbtool.search import language_for, terms

            config = self.corpus.config
            language = language_for(locale, config.search.analyzers.get(locale))
            found = [
                (a, frozenset(terms(" ".join([a.title, *a.labels, a.description or ""]), language)))
                for a in self.corpus.articles
                if a.locale == locale and not a.is_published and a.status != "archived"
            ]
            self._draft_terms[locale] = found
        return found


def _topic(group: _Group, context: _Context) -> Topic:
    wordings: Counter[str] = Counter()
    first: dict[str, int] = {}
    for a in group.members:
        wordings[a.query.text] += a.query.count
        first.setdefault(a.query.text, a.query.line)
    ranked = sorted(wordings.items(), key=lambda kv: (-kv[1], kv[0].casefold()))
    label = ranked[0][0]
    # the nearest article: the one the answer bot ranks first for most of the volume
    weight: Counter[tuple[str, str]] = Counter()
    hits: dict[tuple[str, str], list[SuggestHit]] = defaultdict(list)
    best = 0.0
    for a in group.members:
        best = max(best, a.suggestion.best_confidence)
        for hit in a.suggestion.considered:
            hits[(hit.locale, hit.path)].append(hit)
        if a.suggestion.considered:
            top = a.suggestion.considered[0]
            weight[(top.locale, top.path)] += a.query.count
    nearest = None
    if weight:
        key = max(weight, key=lambda k: (weight[k], max(h.confidence for h in hits[k])))
        found = hits[key]
        nearest = Nearest(
            id=found[0].id,
            locale=found[0].locale,
            path=found[0].path,
            title=found[0].title,
            confidence=max(h.confidence for h in found),
            matched=tuple(sorted({m.casefold() for h in found for m in h.matched})),
        )
    words: Counter[str] = Counter()
    for a in group.members:
        for word in a.words:
            words[word] += a.query.count
    action = _action(group, label, nearest, words, context)
    return Topic(
        label=label,
        locale=group.locale,
        terms=tuple(group.key.split()),
        volume=group.volume,
        queries=tuple(ranked),
        best_confidence=round(best, 3),
        nearest=nearest,
        action=action,
        lines=tuple(first[w] for w, _ in ranked[:5]),
    )


def _action(
    group: _Group,
    label: str,
    nearest: Nearest | None,
    words: Counter[str],
    context: _Context,
) -> Action:
    right = context.spelt_right(group)
    if right is not None and right.suggestion.hits:
        hit = right.suggestion.hits[0]
        pairs = _misspellings(label, right.query.text)
        shown = ", ".join(f"“{wrong}” for “{word}”" for wrong, word in pairs) or f"“{label}”"
        return Action(
            ActionKind.ADD_SYNONYMS,
            f"Customers misspell {shown}; “{right.query.text}” finds {hit.title} ({hit.path}). "
            f"Add the misspellings to [search.synonyms].",
            article=hit.path,
            words=tuple(f"{wrong}={word}" for wrong, word in pairs),
        )
    draft = context.draft_for(group)
    if draft is not None:
        return Action(
            ActionKind.PUBLISH_DRAFT,
            f"Publish the draft {draft.title} ({draft.rel_path}): it is about “{label}” "
            f"but only published articles are searched.",
            article=draft.rel_path,
        )
    if (
        nearest is None
        or nearest.confidence < NEW_ARTICLE_SHARE * context.threshold
        or not nearest.matched
    ):
        closest = f" (closest today: {nearest.title})" if nearest is not None else ""
        return Action(
            ActionKind.NEW_ARTICLE, f"Write a new article that answers “{label}”{closest}."
        )
    matched = set(nearest.matched)
    missing = tuple(w for w in _distinct(words) if w.casefold() not in matched)[:4]
    article = context.articles.get((nearest.locale, nearest.path))
    where = f"{nearest.title} ({nearest.path})"
    if article is not None and not _in_strong_fields(article, matched):
        asked = ", ".join(f"“{w}”" for w in _distinct(words)[:3])
        return Action(
            ActionKind.RETITLE,
            f"Retitle {where}: it mentions “{label}” only in its text; "
            f"say {asked} in the title or description if it is the answer.",
            article=nearest.path,
            words=tuple(_distinct(words)[:3]),
        )
    if not missing:
        missing = tuple(_distinct(words)[:3])
    shown = ", ".join(f"“{w}”" for w in missing)
    return Action(
        ActionKind.ADD_LABELS,
        f"Add the labels {shown} to {where} if it answers “{label}”; otherwise write an article.",
        article=nearest.path,
        words=missing,
    )


def _distinct(words: Counter[str]) -> list[str]:
    """The words, most asked first, without the misspellings of a more asked one."""
    from rapidfuzz import fuzz

    kept: list[str] = []
    for word, _ in words.most_common():
        if not any(fuzz.ratio(word, k) >= TYPO_SIMILARITY - 5 for k in kept):
            kept.append(word)
    return kept


def _misspellings(wrong: str, right: str) -> list[tuple[str, str]]:
    """(misspelt, correct) word pairs between two wordings of one query."""
    from rapidfuzz import fuzz

    good = re.findall(r"[^\W_]+", right.casefold())
    pairs = []
    for word in re.findall(r"[^\W_]+", wrong.casefold()):
        if word in good:
            continue
        best = max(good, key=lambda g: fuzz.ratio(word, g), default=None)
        if best is not None and fuzz.ratio(word, best) >= TYPO_SIMILARITY - 15:
            pairs.append((word, best))
    return pairs


def _in_strong_fields(article: Article, matched: set[str]) -> bool:
    """Does any matched word appear in the title, labels or description?"""
    text = " ".join([article.title, *article.labels, article.description or ""]).casefold()
    return any(re.search(rf"(?<!\w){re.escape(word)}", text) for word in matched)


# --------------------------------------------------------------------------- plain records


def gaps_payload(report: GapsReport, *, limit: int | None = None) -> dict[str, Any]:
    """The `kbtool gaps --format json` document (`kbtool.gaps/1`)."""
    topics = report.topics if limit is None else report.topics[:limit]
    return {
        "schema": SCHEMA,
        "source": report.source,
        "kind": report.kind.value,
        "threshold": report.threshold,
        "columns": dict(report.columns),
        "summary": {
            "rows": report.rows,
            "queries": report.queries,
            "volume": report.volume,
            "answered_queries": report.answered_queries,
            "answered_volume": report.answered_volume,
            "unanswered_volume": report.unanswered_volume,
            "answered_pct": report.answered_pct,
            "vague_volume": report.vague_volume,
            "topics": len(report.topics),
            "actions": report.action_counts(),
            "by_locale": dict(report.locales),
        },
        "topics": [topic_record(t, report.volume) for t in topics],
        "vague": [{"query": q.text, "count": q.count, "line": q.line} for q in report.vague],
        "unclicked": [
            {"query": q.text, "count": q.count, "results": q.results, **_nearest_record(n)}
            for q, n in report.unclicked
        ],
    }


def topic_record(topic: Topic, total: int) -> dict[str, Any]:
    return {
        "label": topic.label,
        "locale": topic.locale,
        "volume": topic.volume,
        "share_pct": round(100.0 * topic.volume / total, 2) if total else 0.0,
        "terms": list(topic.terms),
        "best_confidence": topic.best_confidence,
        "queries": [{"text": text, "count": count} for text, count in topic.queries],
        "lines": list(topic.lines),
        "nearest": _nearest_record(topic.nearest) if topic.nearest else None,
        "action": {
            "kind": topic.action.kind.value,
            "text": topic.action.text,
            "article": topic.action.article,
            "words": list(topic.action.words),
        },
    }


def _nearest_record(n: Nearest) -> dict[str, Any]:
    return {
        "id": n.id,
        "locale": n.locale,
        "path": n.path,
        "title": n.title,
        "confidence": n.confidence,
        "matched": list(n.matched),
    }
