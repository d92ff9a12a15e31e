"""Search quality on a labelled query file (`kbtool eval`) and bulk ticket suggestions.

A labelled file is CSV: `query,expected_id[,locale]`, an optional header row,
`#` comment lines; several acceptable ids are separated by `|`. The measures
are those of the information-retrieval literature: the mean reciprocal rank
(MRR: 1 for the expected article first, 1/2 second... 0 when it is not in the
first `DEPTH`) and recall@k (the share of queries with an expected article in
the first k).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kbtool.errors import InputError

if TYPE_CHECKING:
    from kbtool.search.engine import SearchEngine, Suggestion

__all__ = [
    "DEPTH",
    "Case",
    "EvalReport",
    "Metrics",
    "Miss",
    "Ticket",
    "TicketReport",
    "evaluate",
    "read_cases",
    "read_tickets",
    "suggest_tickets",
]

DEPTH = 20  # ranks looked at; an expected article below this counts as not found
_KS = (1, 3, 10)


@dataclass(frozen=True)
class Case:
    line: int
    query: str
    expected: tuple[str, ...]
    locale: str | None


@dataclass(frozen=True)
class Miss:
    """A query whose expected article was not ranked first."""

    line: int
    query: str
    locale: str
    expected: tuple[str, ...]
    rank: int | None  # None: not in the first DEPTH
    got: str | None  # the id ranked first


@dataclass(frozen=True)
class Metrics:
    queries: int
    mrr: float
    recall: dict[int, float]  # k -> share


@dataclass(frozen=True)
class ModeReport:
    mode: str  # search | suggest
    overall: Metrics
    by_locale: dict[str, Metrics]
    misses: tuple[Miss, ...]


@dataclass(frozen=True)
class EvalReport:
    source: str
    modes: tuple[ModeReport, ...]
    unknown_ids: tuple[tuple[int, str], ...]  # (line, id) of expected ids not in the index

    def mode(self, name: str) -> ModeReport:
        for report in self.modes:
            if report.mode == name:
                return report
        raise KeyError(name)


def _rows(path: Path) -> list[tuple[int, list[str]]]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=path) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError("not valid UTF-8", path=path, line=line) from None
    if "\0" in text:
        raise InputError("binary file, not CSV", path=path)
    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise InputError(f"bad CSV: {exc}", path=path, line=reader.line_num) from None
    return rows


def read_cases(path: Path) -> list[Case]:
    """The labelled queries of a CSV file; InputError (with the line) for a bad row."""
    cases: list[Case] = []
    for line, row in _rows(path):
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        if len(cases) == 0 and [c.strip().lower() for c in row[:2]] == ["query", "expected_id"]:
            continue
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise InputError(
                "expected 'query,expected_id[,locale]' with a query and an id", path=path, line=line
            )
        if len(row) > 3:
            raise InputError(
                f"{len(row)} columns; expected 'query,expected_id[,locale]' "
                "(quote a query that has commas; separate several ids with |)",
                path=path,
                line=line,
            )
        expected = tuple(part.strip() for part in row[1].split("|") if part.strip())
        locale = row[2].strip() if len(row) > 2 and row[2].strip() else None
        cases.append(Case(line, row[0].strip(), expected, locale))
    if not cases:
        raise InputError("no labelled queries in the file", path=path)
    return cases


def evaluate(
    engine: SearchEngine,
    cases: Sequence[Case],
    *,
    modes: Iterable[str] = ("search", "suggest"),
    source: str = "",
) -> EvalReport:
    """Rank every case with `search` and/or `suggest` and measure the ranks."""
    known = engine.article_ids()
    unknown = tuple(
        (case.line, i)
        for case in cases
        for i in case.expected
        if not any((loc, i) in known for loc in ((case.locale,) if case.locale else engine.locales))
    )
    reports = []
    for mode in modes:
        ranked: list[tuple[Case, str, list[str]]] = []
        for case in cases:
            if mode == "search":
                results = engine.search(case.query, locale=case.locale, limit=DEPTH, snippets=False)
                ranked.append((case, results.locale, [h.id for h in results.hits]))
            else:
                suggestion = engine.suggest(case.query, locale=case.locale, limit=DEPTH)
                ranked.append((case, suggestion.locale, [h.id for h in suggestion.considered]))
        reports.append(_measure(mode, ranked))
    return EvalReport(source, tuple(reports), unknown)


def _measure(mode: str, ranked: list[tuple[Case, str, list[str]]]) -> ModeReport:
    by_locale: dict[str, list[int | None]] = {}
    everything: list[int | None] = []
    misses = []
    for case, locale, ids in ranked:
        rank = next((i for i, found in enumerate(ids, 1) if found in case.expected), None)
        everything.append(rank)
        by_locale.setdefault(case.locale or locale, []).append(rank)
        if rank != 1:
            misses.append(
                Miss(case.line, case.query, case.locale or locale, case.expected, rank,
                     ids[0] if ids else None)
            )  # fmt: skip
    return ModeReport(
        mode,
        _metrics(everything),
        {loc: _metrics(ranks) for loc, ranks in sorted(by_locale.items())},
        tuple(misses),
    )


def _metrics(ranks: list[int | None]) -> Metrics:
    n = len(ranks)
    if not n:
        return Metrics(0, 0.0, dict.fromkeys(_KS, 0.0))
    mrr = sum(1 / r for r in ranks if r is not None) / n
    recall = {k: sum(1 for r in ranks if r is not None and r <= k) / n for k in _KS}
    return Metrics(n, round(mrr, 4), {k: round(v, 4) for k, v in recall.items()})


# --------------------------------------------------------------------------- tickets


@dataclass(frozen=True)
class Ticket:
    line: int
    subject: str
    body: str
    locale: str | None


@dataclass(frozen=True)
class TicketReport:
    tickets: tuple[tuple[Ticket, Suggestion], ...]

    @property
    def total(self) -> int:
        return len(self.tickets)

    @property
    def matched(self) -> int:
        return sum(1 for _, s in self.tickets if s.confident)

    @property
    def share(self) -> float:
        return self.matched / self.total if self.total else 0.0

    @property
    def unmatched(self) -> tuple[tuple[Ticket, Suggestion], ...]:
        return tuple((t, s) for t, s in self.tickets if not s.confident)


def read_tickets(
    path: Path, columns: Sequence[str] = ("subject", "body", "locale")
) -> list[Ticket]:
    """Tickets from a CSV export with a header row; `columns` names the subject, body and
    locale columns (body and locale may be missing from the file)."""
    rows = _rows(path)
    rows = [(line, row) for line, row in rows if row and "".join(row).strip()]
    if not rows:
        raise InputError("no tickets in the file", path=path)
    header_line, header = rows[0]
    names = [h.strip().lower() for h in header]
    subject, body, locale = [*columns, "", "", ""][:3]
    if subject.lower() not in names:
        raise InputError(
            f"no '{subject}' column (columns: {', '.join(names)}); name it with --columns",
            path=path,
            line=header_line,
        )
    at = {
        name: names.index(name.lower())
        for name in (subject, body, locale)
        if name and name.lower() in names
    }
    out = []
    for line, row in rows[1:]:
        text, detail, lang = (_cell(row, at.get(name)) for name in (subject, body, locale))
        if text or detail:
            out.append(Ticket(line, text, detail, lang or None))
    return out


def _cell(row: list[str], index: int | None) -> str:
    return row[index].strip() if index is not None and index < len(row) else ""


def suggest_tickets(
    engine: SearchEngine,
    tickets: Sequence[Ticket],
    *,
    limit: int = 3,
    locale: str | None = None,
    threshold: float | None = None,
) -> TicketReport:
    """Suggest articles for every ticket with one open index."""
    locales = set(engine.locales)
    results = []
    for ticket in tickets:
        wanted = locale or (ticket.locale if ticket.locale in locales else None)
        if wanted is None and ticket.locale:
            # `en-US` in a ticket export for an `en` help center
            base = ticket.locale.lower().split("-")[0].split("_")[0]
            wanted = next((loc for loc in engine.locales if loc.split("-")[0] == base), None)
        results.append(
            (
                ticket,
                engine.suggest(
                    ticket.subject,
                    body=ticket.body,
                    locale=wanted,
                    limit=limit,
                    threshold=threshold,
                ),
            )
        )
    return TicketReport(tuple(results))
