"""Search and the answer bot over the index: `SearchEngine.search()` and `.suggest()`.

Ranking is Whoosh's BM25F over the text fields with the `[search.boosts]`
weights (title 3, labels 2.8, section title 1.5, body 1 by default). A query
is a list of *concepts*: a word (with its synonyms, its spelling correction and,
in compounding languages, its compound parts) or a phrase. `search` wants every
concept and falls back to any of them when that finds nothing; `suggest`
weighs every content word of a ticket and reports how confident it is.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh import query as wq

from kbtool.search.analysis import (
    Language,
    compound_splits,
    query_stop_words,
    script_of,
    spell_words,
    term_spans,
    terms,
    tokens,
)
from kbtool.search.query import parse_query
from kbtool.search.schema import KEYWORD_FIELDS, TEXT_FIELDS, split_list, stored_text
from kbtool.search.scoring import QueryScorer, Scores, top
from kbtool.search.store import IndexCorrupt, IndexStore, UpdateReport
from kbtool.search.vocabulary import read_vocabulary

if TYPE_CHECKING:
    from whoosh.index import Index
    from whoosh.searching import Searcher

    from kbtool.config import Config

__all__ = [
    "Filters",
    "SearchEngine",
    "SearchHit",
    "SearchResults",
    "Snippet",
    "SuggestHit",
    "Suggestion",
    "open_engine",
]

DEFAULT_BOOSTS = {
    "title": 3.0,
    "labels": 2.8,
    "section_title": 1.5,
    "headings": 1.5,
    "description": 1.5,
    "body": 1.0,
}
# Fields whose match makes a suggestion convincing: the article is *about* it.
_STRONG_FIELDS = ("title", "labels", "headings", "description")
_BODY_WEIGHT = 0.4  # a ticket body word counts this much next to a subject word
_SNIPPET_CHARS = 180
_SNIPPET_PIECE = 3000  # characters of an article's text analysed at a time for its snippet


@dataclass(frozen=True)
class Filters:
    """Exact-match filters (values are OR'ed within a field, AND'ed across fields)."""

    stages: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()

    def fields(self) -> dict[str, tuple[str, ...]]:
        return {
            "stages": self.stages,
            "channels": self.channels,
            "type": self.types,
            "section": self.sections,
            "owner": self.owners,
            "status": self.statuses,
        }


@dataclass(frozen=True)
class Snippet:
    """A piece of the article's text with the matched words marked."""

    text: str
    highlights: tuple[tuple[int, int], ...]  # (start, end) offsets in `text`


@dataclass(frozen=True)
class SearchHit:
    rank: int
    id: str
    locale: str
    path: str  # relative to the articles folder
    title: str
    description: str
    section: str
    section_title: str
    type: str
    labels: tuple[str, ...]
    score: float
    snippet: Snippet


@dataclass(frozen=True)
class SearchResults:
    query: str
    locale: str
    locale_detected: bool
    total: int
    hits: tuple[SearchHit, ...]
    corrected: str | None = None  # "did you mean": the query with misspellings corrected
    relaxed: bool = False  # no article had every word: these have some of them
    synonyms: tuple[str, ...] = ()  # the synonym groups that applied


@dataclass(frozen=True)
class SuggestHit:
    rank: int
    id: str
    locale: str
    path: str
    title: str
    score: float
    confidence: float  # 0..1: how much of the ticket the article covers, and how centrally
    reason: str  # one line: the matched words and where
    matched: tuple[str, ...]


@dataclass(frozen=True)
class Suggestion:
    text: str
    locale: str
    locale_detected: bool
    threshold: float
    hits: tuple[SuggestHit, ...]  # the confident ones first; never below the threshold
    best_confidence: float
    corrected: str | None = None
    considered: tuple[SuggestHit, ...] = ()  # every ranked article, confident or not

    @property
    def confident(self) -> bool:
        return bool(self.hits)


@dataclass
class _Concept:
    """One thing the query asks for, in every form that counts as a match."""

    label: str  # as the person wrote it (after spelling correction)
    alternatives: list[tuple[str, ...]]  # term sequences: one term, or a phrase
    weight: float = 1.0
    splits: list[tuple[str, str]] = field(default_factory=list)  # compound parts
    prefix: str | None = None  # compounds beginning with this term also match
    known: bool = True

    @property
    def terms(self) -> set[str]:
        out = {t for alt in self.alternatives for t in alt}
        out.update(t for pair in self.splits for t in pair)
        return out


class _LocaleIndex:
    """One locale's open index with what queries need from it, loaded on first use."""

    def __init__(self, locale: str, index: Index, language: Language):
        self.locale = locale
        self.index = index
        self.language = language
        self.searcher: Searcher = index.searcher()
        self.docs = self.searcher.doc_count()
        self.scorer = QueryScorer(self.searcher)

    def df(self, term: str, fields: Iterable[str] = TEXT_FIELDS) -> int:
        return max((self.searcher.doc_frequency(f, term) for f in fields), default=0)

    def known(self, term: str) -> bool:
        reader = self.searcher.reader()
        return any((f, term) in reader for f in TEXT_FIELDS)

    @cached_property
    def vocabulary(self) -> dict[str, int]:
        """Words of the prominent fields as written, with their document frequency."""
        folder = getattr(self.index.storage, "folder", None)
        return read_vocabulary(Path(folder)) if folder else {}

    @cached_property
    def words(self) -> list[str]:
        return list(self.vocabulary)

    def close(self) -> None:
        self.searcher.close()


class SearchEngine:
    """The open index of a knowledge base: search, suggest, spelling, locale detection.

    Open it with `open_engine(config)`; one engine answers any number of queries
    (the report and gap commands reuse one for thousands of tickets).
    """

    def __init__(
        self, config: Config, indexes: Mapping[str, Index], languages: Mapping[str, Language]
    ):
        self.config = config
        self._indexes = {loc: _LocaleIndex(loc, ix, languages[loc]) for loc, ix in indexes.items()}
        for name in config.search.boosts:
            if name not in DEFAULT_BOOSTS:
                import difflib

                from kbtool.config import key_line
                from kbtool.errors import ConfigError

                close = difflib.get_close_matches(name, list(DEFAULT_BOOSTS), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise ConfigError(
                    f"search.boosts: unknown field '{name}'{hint}; fields: "
                    + ", ".join(DEFAULT_BOOSTS),
                    path=config.source,
                    line=key_line(config.source, ("search", "boosts", name)),
                )
        self.boosts = {**DEFAULT_BOOSTS, **config.search.boosts}
        self._synonyms = synonym_groups(config.search.synonyms)

    @property
    def locales(self) -> tuple[str, ...]:
        return tuple(self._indexes)

    def article_ids(self) -> frozenset[tuple[str, str]]:
        """(locale, id) of every indexed article."""
        return frozenset(
            (locale, str(stored.get("id", "")))
            for locale, index in self._indexes.items()
            for stored in index.searcher.all_stored_fields()
        )

    def documents(self, locale: str) -> int:
        """How many articles the locale's index holds."""
        index = self._indexes.get(locale)
        return index.docs if index is not None else 0

    def close(self) -> None:
        for index in self._indexes.values():
            index.close()

    def __enter__(self) -> SearchEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ locale

    def detect_locale(self, text: str) -> str:
        """The locale whose articles the text's words best match (`default_locale` on a tie)."""
        default = self.config.kb.default_locale
        if not self._indexes:
            return default
        script = script_of(text)
        if script != "latin":
            for locale, index in self._indexes.items():
                if index.language.code == script:
                    return locale
            if script == "ja":  # kana-less Japanese looks like Chinese: try both ways
                pass
        best, best_score = (default if default in self._indexes else self.locales[0]), 0.0
        scores: dict[str, float] = {}
        for locale, index in self._indexes.items():
            if index.language.segmentation != "words":
                continue
            stops = query_stop_words(index.language)
            score = 0.0
            for word in spell_words(text, index.language) | _short_words(text):
                if word in stops:
                    score += 1.0
            for term in set(terms(text, index.language)):
                score += math.log1p(index.df(term)) / 2
            scores[locale] = score
        for locale, score in scores.items():
            if score > best_score + 1e-9:
                best, best_score = locale, score
        if best_score > 0 and scores.get(default, -1) >= best_score - 1e-9:
            return default
        return best

    def _index_for(self, locale: str | None, text: str) -> tuple[_LocaleIndex, bool]:
        if locale:
            index = self._indexes.get(locale)
            if index is None:
                from kbtool.errors import UsageError

                raise UsageError(
                    f"no index for locale '{locale}' (locales: {', '.join(self.locales) or 'none'})"
                )
            return index, False
        if not self._indexes:
            from kbtool.errors import InputError

            raise InputError("the knowledge base has no articles to search")
        return self._indexes[self.detect_locale(text)], True

    # ------------------------------------------------------------------ concepts

    def _correct(self, index: _LocaleIndex, word: str) -> str | None:
        """The closest word of the index to a word that is not in it, if one is close."""
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        lowered = word.lower()
        if len(lowered) < 4 or not lowered.isalpha() or script_of(lowered) != "latin":
            return None
        # one edit for most words, two for long ones; misspellings keep their first letter
        limit = 1 if len(lowered) < 8 else 2
        found = [
            item
            for item in process.extract(
                lowered, index.words, scorer=Levenshtein.distance, score_cutoff=limit, limit=8
            )
            if item[0][:1] == lowered[:1]
        ]
        if not found:
            return None
        vocabulary = index.vocabulary
        best = min(found, key=lambda item: (item[1], -vocabulary.get(item[0], 0), item[0]))
        return str(best[0])

    def _concepts(
        self,
        index: _LocaleIndex,
        words: Sequence[str],
        *,
        weight: float,
        drop_stops: bool,
        corrections: dict[str, str],
    ) -> list[_Concept]:
        """Concepts of a run of plain words: corrected, grouped by synonyms, split."""
        language = index.language
        stops = query_stop_words(language) if drop_stops else frozenset()
        # 1. words -> (label, term) pairs, misspellings corrected
        items: list[tuple[str, str]] = []
        for word in words:
            for tok in tokens(word, language):
                if tok.part:
                    continue
                if tok.word in stops:
                    continue
                label, term = tok.word, tok.term
                if not index.known(term):
                    fixed = self._correct(index, tok.word)
                    if fixed and fixed != tok.word:
                        fixed_terms = terms(fixed, language)
                        if fixed_terms and index.known(fixed_terms[0]):
                            corrections[tok.word] = fixed
                            label, term = fixed, fixed_terms[0]
                items.append((label, term))
        # 2. synonyms: the longest group member that starts here
        concepts: list[_Concept] = []
        groups = self._synonym_terms(language)
        i = 0
        while i < len(items):
            matched = None
            for members, group_label in groups:
                for member in members:
                    n = len(member)
                    here = tuple(t for _, t in items[i : i + n])
                    if n and here == member and (matched is None or n > matched[0]):
                        matched = (n, members, group_label)
            if matched is not None:
                n, members, _ = matched
                label = " ".join(lbl for lbl, _ in items[i : i + n])
                concepts.append(_Concept(label, list(members), weight))
                i += n
                continue
            label, term = items[i]
            concepts.append(_Concept(label, [(term,)], weight))
            i += 1
        # 3. compounds and unknown words
        for concept in concepts:
            if len(concept.alternatives) == 1 and len(concept.alternatives[0]) == 1:
                term = concept.alternatives[0][0]
                known = index.known(term)
                if language.compounds:
                    if not known:
                        concept.splits = [
                            (h, t)
                            for h, t in compound_splits(concept.label, language)
                            if index.known(h) and index.known(t)
                        ][:3]
                    if len(term) >= 5:
                        concept.prefix = term
                concept.known = (
                    known
                    or bool(concept.splits)
                    or (concept.prefix is not None and self._prefix_known(index, concept.prefix))
                )
            else:
                concept.known = any(
                    all(index.known(t) for t in alt) for alt in concept.alternatives
                )
        return _merge(concepts)

    def _prefix_known(self, index: _LocaleIndex, prefix: str) -> bool:
        reader = index.searcher.reader()
        for name in ("title", "labels", "body"):
            for _ in reader.expand_prefix(name, prefix):
                return True
        return False

    def _synonym_terms(self, language: Language) -> list[tuple[list[tuple[str, ...]], str]]:
        cache_key = language
        cached = self._synonym_cache.get(cache_key)
        if cached is not None:
            return cached
        out = []
        for group in self._synonyms:
            members = []
            for member in group:
                seq = tuple(terms(member, language))
                if seq and seq not in members:
                    members.append(seq)
            if len(members) > 1:
                out.append((members, group[0]))
        self._synonym_cache[cache_key] = out
        return out

    @cached_property
    def _synonym_cache(self) -> dict[Language, list[tuple[list[tuple[str, ...]], str]]]:
        return {}

    def _concept_query(self, concept: _Concept, fields: Sequence[str] | None = None) -> wq.Query:
        names = fields or tuple(self.boosts)
        parts: list[wq.Query] = []
        for name in names:
            boost = self.boosts.get(name, 1.0) * concept.weight
            for alt in concept.alternatives:
                if len(alt) == 1:
                    parts.append(wq.Term(name, alt[0], boost=boost))
                else:
                    parts.append(wq.Phrase(name, list(alt), boost=boost))
            for head, tail in concept.splits:
                parts.append(wq.And([wq.Term(name, head), wq.Term(name, tail)], boost=boost * 0.8))
            if concept.prefix and name in ("title", "labels", "headings", "body"):
                parts.append(wq.Prefix(name, concept.prefix, boost=boost * 0.5))
        return wq.Or(parts)

    # ------------------------------------------------------------------ search

    def search(
        self,
        query: str,
        *,
        locale: str | None = None,
        filters: Filters | None = None,
        limit: int = 10,
        snippets: bool = True,
    ) -> SearchResults:
        """Articles for a query in the search syntax (words, "phrases", -word, field:value)."""
        clauses = parse_query(query)
        for clause in clauses:
            if clause.field == "locale" and not clause.negated and locale is None:
                locale = clause.text
        text_for_locale = " ".join(c.text for c in clauses if c.field is None)
        index, detected = self._index_for(locale, text_for_locale or query)
        corrections: dict[str, str] = {}
        plain = [c.text for c in clauses if c.field is None and not c.phrase and not c.negated]
        # function words ("how do I") only narrow an all-words search; unless they are all
        # there is, they are left out
        stops = query_stop_words(index.language)
        content = [w for w in plain if w.lower() not in stops]
        concepts = self._concepts(
            index, content or plain, weight=1.0, drop_stops=bool(content), corrections=corrections
        )
        required: list[wq.Query] = []
        optional_unknown = 0
        for concept in concepts:
            if concept.known:
                required.append(self._concept_query(concept))
            else:
                optional_unknown += 1
        negated: list[wq.Query] = []
        keyword: list[wq.Query] = []
        for clause in clauses:
            if clause.field is None and not clause.phrase and not clause.negated:
                continue
            if clause.field == "locale":
                continue
            if clause.field in KEYWORD_FIELDS or clause.field == "id":
                term = clause.text if clause.field == "id" else clause.text.lower()
                target = keyword if not clause.negated else negated
                target.append(wq.Term(clause.field, term))
                continue
            seq = tuple(terms(clause.text, index.language))
            if not seq:
                continue
            concept = _Concept(clause.text, [seq])
            fields = (clause.field,) if clause.field else None
            q = self._concept_query(concept, fields)
            (negated if clause.negated else required).append(q)
        scorer = index.scorer
        flt = self._filter(filters, keyword)
        allowed = set(_evaluate(scorer, flt)) if flt is not None else None
        excluded = set().union(*(_evaluate(scorer, q) for q in negated))

        def keep(scores: Scores) -> Scores:
            return {
                d: s
                for d, s in scores.items()
                if d not in excluded and (allowed is None or d in allowed)
            }

        if not required:
            everything = (keyword or filters) and not plain
            matching = keep(dict.fromkeys(scorer.live(), 1.0)) if everything else {}
            found = top(matching, limit)
            total = len(matching)
            relaxed = False
        else:
            # articles with every word first; then, to fill the page, those with most of them
            parts = [keep(_evaluate(scorer, q)) for q in required]
            strict = scorer.intersection(parts)
            found = top(strict, limit)
            strict_total = total = len(strict)
            if len(found) < limit and len(required) > 1:
                seen = {docnum for docnum, _ in found}
                loose = scorer.union(parts, scale=0.9)
                extra = [item for item in top(loose, limit * 2) if item[0] not in seen]
                found.extend(extra[: limit - len(found)])
                total = len(loose)
            relaxed = bool(found) and strict_total == 0
        highlight = set().union(*(c.terms for c in concepts)) if concepts else set()
        for clause in clauses:
            if not clause.negated and clause.field not in KEYWORD_FIELDS:
                highlight.update(terms(clause.text, index.language))
        hits = tuple(
            self._hit(index, rank, docnum, score, highlight if snippets else None)
            for rank, (docnum, score) in enumerate(found, 1)
        )
        corrected = _apply(query, corrections) if corrections else None
        return SearchResults(
            query=query,
            locale=index.locale,
            locale_detected=detected,
            total=max(total, len(hits)),
            hits=hits,
            corrected=corrected,
            relaxed=relaxed,
            synonyms=tuple(c.label for c in concepts if len(c.alternatives) > 1),
        )

    def _filter(self, filters: Filters | None, extra: list[wq.Query]) -> wq.Query | None:
        parts = list(extra)
        if filters is not None:
            for name, values in filters.fields().items():
                if values:
                    parts.append(wq.Or([wq.Term(name, v.lower()) for v in values]))
        if not parts:
            return None
        return wq.And(parts) if len(parts) > 1 else parts[0]

    def _hit(
        self,
        index: _LocaleIndex,
        rank: int,
        docnum: int,
        score: float,
        highlight: set[str] | None,
    ) -> SearchHit:
        stored = index.searcher.stored_fields(docnum)
        description = stored.get("description", "")
        snippet = Snippet(description, ())
        if highlight is not None:
            snippet = self._snippet(index, docnum, stored_text(stored), highlight) or _mark(
                description, highlight, index.language
            )
        return SearchHit(
            rank=rank,
            id=stored.get("id", ""),
            locale=stored.get("locale", index.locale),
            path=stored["path"],
            title=stored.get("title", ""),
            description=description,
            section=stored.get("section", ""),
            section_title=stored.get("section_title", ""),
            type=stored.get("type", ""),
            labels=split_list(stored.get("labels", "")),
            score=round(float(score), 4),
            snippet=snippet,
        )

    def _snippet(
        self, index: _LocaleIndex, docnum: int, text: str, highlight: set[str]
    ) -> Snippet | None:
        """The best window of the article's text (as stored in the index) around the
        query's words: the one with the most distinct words of the query.

        The text is read a piece at a time, and only until a window has every query
        term the article's body has (the index knows which): a long article is not
        analysed to its end when its first screen already has the words.
        """
        if not highlight or not text:
            return None
        present = {t for t in highlight if docnum in index.scorer.term_scores("body", t)}
        if not present:
            return None
        hits: list[tuple[int, int, str]] = []
        best = (0, 0)
        start = 0
        while start < len(text) and best[0] < len(present):
            end = len(text) if start + _SNIPPET_PIECE >= len(text) else start + _SNIPPET_PIECE
            if end < len(text):
                space = text.rfind(" ", start, end)
                end = space if space > start else end
            hits.extend(
                (s + start, e + start, t)
                for s, e, t in term_spans(text[start:end], index.language, present)
            )
            best = _best_window(hits)
            start = end
        if not hits:
            return None
        first = hits[best[1]][0]
        begin = max(0, first - 40)
        space = text.rfind(" ", 0, begin + 1)
        if begin and space > 0:
            begin = space + 1
        end = min(len(text), begin + _SNIPPET_CHARS)
        space = text.find(" ", end)
        end = space if 0 < space < end + 20 else end
        if end > start:  # the window reaches past what was read: mark its words there too
            hits.extend(
                (s + start, e + start, t)
                for s, e, t in term_spans(text[start:end], index.language, present)
            )
        window = text[begin:end]
        marks = tuple((s - begin, e - begin) for s, e, _ in hits if s >= begin and e <= end)
        prefix = "…" if begin else ""
        suffix = "…" if end < len(text) else ""
        shift = len(prefix)
        return Snippet(prefix + window + suffix, tuple((s + shift, e + shift) for s, e in marks))

    # ------------------------------------------------------------------ suggest

    def suggest(
        self,
        subject: str,
        *,
        body: str = "",
        locale: str | None = None,
        limit: int = 3,
        threshold: float | None = None,
    ) -> Suggestion:
        """The articles that answer a ticket, each with a confidence and a reason.

        Only articles at or above `threshold` (`[search] suggest_threshold`) are
        returned as `hits`; `considered` has the ranking regardless.
        """
        bar = self.config.search.suggest_threshold if threshold is None else threshold
        text = f"{subject}\n{body}" if body else subject
        index, detected = self._index_for(locale, text)
        corrections: dict[str, str] = {}
        concepts = self._concepts(
            index, _words(subject), weight=1.0, drop_stops=True, corrections=corrections
        )
        if body:
            concepts = _merge(
                concepts
                + self._concepts(
                    index,
                    _words(body),
                    weight=_BODY_WEIGHT,
                    drop_stops=True,
                    corrections=corrections,
                )
            )
        known = [c for c in concepts if c.known]
        corrected = _apply(subject, corrections) if corrections else None
        if not known:
            return Suggestion(text, index.locale, detected, bar, (), 0.0, corrected)
        searcher = index.searcher
        q = wq.Or([self._concept_query(c) for c in known])
        results = top(_evaluate(index.scorer, q), max(limit, 10))
        # which query terms each ranked article has, and in which fields: looked up for
        # these few articles only
        found_terms = _matched_terms(searcher, q, [docnum for docnum, _ in results])
        idf = {id(c): self._idf(index, c) for c in known}
        # a word no article has is as specific as a word can be: the ticket asks for
        # something the articles do not cover, and that lowers every article's coverage
        unseen = math.log(1 + (index.docs + 1) / 0.5)
        total_weight = sum(c.weight * idf[id(c)] for c in known) + sum(
            c.weight * unseen for c in concepts if not c.known
        )
        considered: list[SuggestHit] = []
        for rank, (docnum, score) in enumerate(results, 1):
            matched_terms = found_terms.get(docnum, {})
            covered = strong = 0.0
            reasons: dict[str, list[str]] = {}
            matched_labels = []
            for concept in known:
                where: set[str] = set()
                for term in concept.terms:
                    where |= matched_terms.get(term, set())
                if not where and concept.prefix:
                    where = {
                        n
                        for t, ns in matched_terms.items()
                        if t.startswith(concept.prefix)
                        for n in ns
                    }
                if not where:
                    continue
                w = concept.weight * idf[id(concept)]
                covered += w
                if where & set(_STRONG_FIELDS):
                    strong += w
                place = _place(where)
                reasons.setdefault(place, []).append(concept.label)
                matched_labels.append(concept.label)
            coverage = covered / total_weight if total_weight else 0.0
            centrality = strong / total_weight if total_weight else 0.0
            confidence = coverage * (0.45 + 0.55 * centrality)
            stored = searcher.stored_fields(docnum)
            considered.append(
                SuggestHit(
                    rank=rank,
                    id=stored.get("id", ""),
                    locale=stored.get("locale", index.locale),
                    path=stored["path"],
                    title=stored.get("title", ""),
                    score=round(float(score), 4),
                    confidence=round(min(confidence, 1.0), 3),
                    reason=_reason(reasons),
                    matched=tuple(matched_labels),
                )
            )
        best = max((h.confidence for h in considered), default=0.0)
        confident = tuple(
            dataclasses.replace(h, rank=rank)
            for rank, h in enumerate((h for h in considered if h.confidence >= bar), 1)
            if rank <= limit
        )
        return Suggestion(
            text=text,
            locale=index.locale,
            locale_detected=detected,
            threshold=bar,
            hits=confident,
            best_confidence=best,
            corrected=corrected,
            considered=tuple(considered),
        )

    def _idf(self, index: _LocaleIndex, concept: _Concept) -> float:
        df = max((index.df(t) for t in concept.terms), default=0)
        if df == 0 and concept.prefix:
            df = 1
        return math.log(1 + (index.docs + 1) / (df + 0.5))


# --------------------------------------------------------------------------- helpers


def open_engine(
    config: Config,
    *,
    update: bool = True,
    progress: Any = None,
    on_update: Any = None,
) -> SearchEngine:
    """Open the index of `config`'s knowledge base, building or updating it first when
    it is missing, stale or unusable (`update=False`: use it as it is, building only
    when there is none). `on_update(report)` hears about any build or update."""
    store = IndexStore(config)
    for attempt in (1, 2):
        report: UpdateReport | None = (
            store.refresh(update=update, progress=progress)
            if attempt == 1
            else store.update(progress=progress, rebuild=True)
        )
        if report is not None and on_update is not None:
            on_update(report)
        try:
            indexes, manifest = store.open()
        except IndexCorrupt:
            if attempt == 2:
                raise
            continue
        return SearchEngine(config, indexes, manifest.locales)
    raise AssertionError("unreachable")


def _evaluate(scorer: QueryScorer, q: wq.Query) -> Scores:
    """`scorer.scores(q)`; an index that cannot be read is IndexCorrupt (rebuilt with a
    message, never a traceback)."""
    try:
        return scorer.scores(q)
    except Exception as exc:
        raise IndexCorrupt(f"{type(exc).__name__}: {exc}") from exc


def _matched_terms(
    searcher: Searcher, q: wq.Query, docnums: Sequence[int]
) -> dict[int, dict[str, set[str]]]:
    """For each of `docnums`: the terms of `q` it matches (prefixes expanded; a phrase's
    words only where the phrase is), with the fields that hold them. One skip through
    each term's postings, segment by segment."""
    out: dict[int, dict[str, set[str]]] = {d: {} for d in docnums}
    if not out:
        return out
    # (not `Query.existing_terms`: whoosh-ng's filters every leaf after the first by
    # the first leaf's field)
    leaves = list(dict.fromkeys(q.leaves()))
    for sub, offset in searcher.leaf_searchers():
        local = sorted(d - offset for d in out if 0 <= d - offset < sub.doc_count_all())
        if not local:
            continue
        reader = sub.reader()
        for leaf in leaves:
            if isinstance(leaf, wq.Phrase):
                words = [(leaf.fieldname, w) for w in leaf.words]
                matchers = [leaf.matcher(sub)]
            else:
                words = []
                matchers = []
                for name, text in leaf.expanded_terms(reader, phrases=False):
                    if (name, text) in reader:
                        words.append((name, text))
                        matchers.append(reader.postings(name, text))
            for i, matcher in enumerate(matchers):
                found = words if isinstance(leaf, wq.Phrase) else [words[i]]
                for docnum in _skip_through(matcher, local):
                    held = out[docnum + offset]
                    for name, text in found:
                        word = text.decode("utf-8") if isinstance(text, bytes) else text
                        held.setdefault(word, set()).add(name)
    return out


def _skip_through(matcher: Any, docnums: list[int]) -> Iterator[int]:
    """Those of the sorted `docnums` that `matcher` matches."""
    for docnum in docnums:
        if not matcher.is_active():
            return
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
            if not matcher.is_active():
                return
        if matcher.id() == docnum:
            yield docnum


def synonym_groups(synonyms: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """`[search.synonyms]` as groups of equivalent phrases (key first); groups that
    share a phrase are joined."""
    groups: list[list[str]] = []
    for key, values in synonyms.items():
        members = [key, *values]
        lowered = {m.lower() for m in members}
        for group in groups:
            if lowered & {m.lower() for m in group}:
                group.extend(m for m in members if m.lower() not in {g.lower() for g in group})
                break
        else:
            groups.append(list(dict.fromkeys(members)))
    return groups


def _merge(concepts: list[_Concept]) -> list[_Concept]:
    """One concept per distinct set of alternatives, keeping the higher weight."""
    out: dict[tuple[tuple[str, ...], ...], _Concept] = {}
    for concept in concepts:
        key = tuple(sorted(concept.alternatives))
        kept = out.get(key)
        if kept is None or concept.weight > kept.weight:
            out[key] = concept
    return list(out.values())


def _words(text: str) -> list[str]:
    return text.split()


def _short_words(text: str) -> set[str]:
    import re

    return {w for w in re.findall(r"[^\W\d_]+", text.lower()) if len(w) <= 3}


def _apply(query: str, corrections: Mapping[str, str]) -> str:
    import re

    def fix(match: re.Match[str]) -> str:
        word = match.group()
        return corrections.get(word.lower(), word)

    return re.sub(r"[^\W_]+", fix, query)


def _place(fields: set[str]) -> str:
    for name in ("title", "labels", "headings", "description", "section_title"):
        if name in fields:
            return {"section_title": "section", "headings": "headings"}.get(name, name)
    return "body"


def _reason(reasons: Mapping[str, list[str]]) -> str:
    order = ("title", "labels", "headings", "description", "section", "body")
    parts = [
        f"{', '.join(dict.fromkeys(reasons[place]))} ({place})"
        for place in order
        if place in reasons
    ]
    return "matched " + "; ".join(parts) if parts else ""


def _best_window(hits: Sequence[tuple[int, int, str]]) -> tuple[int, int]:
    """(distinct terms, index of the first hit) of the window of `_SNIPPET_CHARS` with
    the most distinct terms: a window sliding over the hits, counting each term in it."""
    best = (0, 0)
    inside: dict[str, int] = {}
    j = 0
    for i, (start, _, term) in enumerate(hits):
        while j < len(hits) and hits[j][1] - start <= _SNIPPET_CHARS:
            inside[hits[j][2]] = inside.get(hits[j][2], 0) + 1
            j += 1
        if len(inside) > best[0]:
            best = (len(inside), i)
        if j > i:
            inside[term] -= 1
            if not inside[term]:
                del inside[term]
        else:
            j = i + 1
    return best


def _mark(text: str, highlight: set[str], language: Language) -> Snippet:
    marks = tuple((tok.start, tok.end) for tok in tokens(text, language) if tok.term in highlight)
    return Snippet(text, marks)


def articles_path(config: Config) -> Path:
    return config.articles_path
