"""Evaluating queries over a Whoosh index without Whoosh's matcher tree.

A customer's query becomes many Whoosh leaves: every word in every text field
with its boost, synonyms and compound parts besides. Whoosh evaluates such a
query document by document through a tree of union and intersection matchers,
a few Python calls per node and document: hundreds of milliseconds for a
ten-word title over 10,000 articles. `QueryScorer` computes the same BM25F
scores (Whoosh's own weighting model: its idf, average field lengths, `B`
and `K1`, the stored term weights and field lengths) a posting list at a
time: each leaf's postings are read once, block by block, and scored in one
comprehension, and the tree combines score maps (sum for `Or` and `And`,
intersection for `And`, difference for `AndNot`). Phrases fall back to
Whoosh's own matchers, which need positions.

Postings and field lengths are cached per open searcher (the index files do
not change under it: a new index is a new generation). Posting blocks are
read through Whoosh 3's leaf matcher below its public surface (whoosh-ng is
pinned below 6); `tests/test_search_scoring.py` checks every score against
Whoosh's own search.
"""

from __future__ import annotations

import heapq
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound

if TYPE_CHECKING:
    from whoosh.searching import Searcher

__all__ = ["QueryScorer", "Scores", "top"]

Scores = dict[int, float]  # global document number -> score

_POSTINGS_CACHE = 8192  # (field, term) posting lists kept per searcher
_VALUES_CACHE = 256  # position lists of phrase words
_PREFIX_TERMS = 64  # at most this many index terms per prefix


class QueryScorer:
    """Scores Whoosh queries over one open searcher (see the module docstring)."""

    def __init__(self, searcher: Searcher):
        self.searcher = searcher
        self.segments: list[tuple[Any, int]] = list(searcher.leaf_searchers())
        self.weighting = searcher.weighting
        self._postings: OrderedDict[tuple[str, str], tuple[list[int], list[float]]] = OrderedDict()
        self._term_scores: dict[tuple[str, str], Scores] = {}
        self._value_cache: dict[tuple[str, str], dict[int, bytes]] = {}
        self._norms: dict[str, list[float]] = {}
        self._live: set[int] | None = None

    # ------------------------------------------------------------------ evaluation

    def scores(self, q: wq.Query) -> Scores:
        """Each matching document's score under `q`, as Whoosh's BM25F would give it."""
        if isinstance(q, wq.Term):
            return self._term(q.fieldname, q.text, q.boost)
        if isinstance(q, wq.Or):
            return self._or(q)
        if isinstance(q, wq.And):
            return self.intersection([self.scores(sub) for sub in q.subqueries], q.boost)
        if isinstance(q, wq.AndNot):
            found = self.scores(q.a)
            for docnum in self.matches(q.b):
                found.pop(docnum, None)
            return found
        if isinstance(q, wq.Prefix):
            return self._prefix(q)
        if isinstance(q, wq.Phrase) and q.slop == 1 and q.words:
            return self._phrase(q)
        if isinstance(q, wq.Every):
            return dict.fromkeys(self.live(), 1.0)
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return {}
        return self._whoosh(q)

    def matches(self, q: wq.Query) -> set[int]:
        """The documents `q` matches (unscored)."""
        return set(self.scores(q))

    def live(self) -> set[int]:
        """Every document not deleted."""
        if self._live is None:
            live: set[int] = set()
            for sub, offset in self.segments:
                reader = sub.reader()
                deleted = reader.deleted_docs_set if reader.has_deletions() else set()
                live.update(offset + d for d in range(reader.doc_count_all()) if d not in deleted)
            self._live = live
        return self._live

    def _or(self, q: wq.Or) -> Scores:
        return self.union([self.scores(sub) for sub in q.subqueries], q.scale, q.boost)

    def union(self, parts: list[Scores], scale: float | None = None, boost: float = 1.0) -> Scores:
        """Documents that match any part, with the sum of the parts' scores; with
        `scale`, a coordination bonus: the sum times `1 + scale * (matched - 1) / parts`,
        so that a document with more of the parts comes first."""
        total: Scores = {}
        if not scale:
            for found in parts:
                _add(total, found)
            return _boosted(total, boost)
        counts: dict[int, int] = {}
        for found in parts:
            _add(total, found)
            for docnum in found:
                counts[docnum] = counts.get(docnum, 0) + 1
        share = scale / (len(parts) or 1)
        return {d: s * (1 + share * (counts[d] - 1)) * boost for d, s in total.items()}

    def intersection(self, parts: list[Scores], boost: float = 1.0) -> Scores:
        """Documents that match every part, with the sum of the parts' scores."""
        if not parts:
            return {}
        ordered = sorted(parts, key=len)
        first, rest = ordered[0], ordered[1:]
        out: Scores = {}
        for docnum, score in first.items():
            for found in rest:
                other = found.get(docnum)
                if other is None:
                    break
                score += other
            else:
                out[docnum] = score * boost
        return out

    def term_scores(self, field: str, text: str) -> Scores:
        """The documents that have a term in a field, with its score there (read-only)."""
        key = (field, text)
        found = self._term_scores.get(key)
        if found is None:
            found = self._term_scores[key] = self._score_term(field, text)
            if len(self._term_scores) > _POSTINGS_CACHE:
                self._term_scores.pop(next(iter(self._term_scores)))
        return found

    def _term(self, field: str, text: str, boost: float) -> Scores:
        found = self.term_scores(field, text)
        return dict(found) if boost == 1.0 else {d: s * boost for d, s in found.items()}

    def _score_term(self, field: str, text: str) -> Scores:
        ids, weights = self.postings(field, text)
        if not ids:
            return {}
        if not self.searcher.schema[field].scorable:
            return dict(zip(ids, weights, strict=True))
        # BM25F's parameters as `BM25F.scorer()` sets them up, without the per-term
        # block-quality set-up it also does
        weighting = self.weighting
        idf = self.searcher.idf(field, text)
        k1 = weighting.K1
        b = getattr(weighting, "_field_B", {}).get(field, weighting.B)
        norms = self._norm(field, b, k1, self.searcher.avg_field_length(field) or 1)
        # bm25(idf, tf, fl, avgfl, B, K1) = idf * tf * (K1 + 1) / (tf + norm[fl])
        factor = idf * (k1 + 1)
        return {d: factor * w / (w + norms[d]) for d, w in zip(ids, weights, strict=True)}

    def _prefix(self, q: wq.Prefix) -> Scores:
        """Every index term that begins with the prefix, each scored as a term; a
        document keeps its best one (several compounds are not several matches)."""
        reader = self.searcher.reader()
        out: Scores = {}
        for i, text in enumerate(reader.expand_prefix(q.fieldname, q.text)):
            if i >= _PREFIX_TERMS:
                break
            word = text.decode("utf-8") if isinstance(text, bytes) else text
            for docnum, score in self._term(q.fieldname, word, q.boost).items():
                if score > out.get(docnum, 0.0):
                    out[docnum] = score
        return out

    def _phrase(self, q: wq.Phrase) -> Scores:
        """Whoosh's phrase score (the sum of its words' scores, times the boost) for the
        documents where the words stand next to each other, in order."""
        words = list(q.words)
        candidates = self.intersection([self._term(q.fieldname, w, 1.0) for w in words], q.boost)
        if len(words) == 1 or not candidates:
            return candidates
        decode = self.searcher.schema[q.fieldname].format.decode_positions
        values = [self._values(q.fieldname, w) for w in words]
        out: Scores = {}
        for docnum, score in candidates.items():
            starts = set(decode(values[0][docnum]))
            for offset, found in enumerate(values[1:], 1):
                starts &= {p - offset for p in decode(found[docnum])}
                if not starts:
                    break
            else:
                out[docnum] = score
        return out

    def _values(self, field: str, text: str) -> dict[int, bytes]:
        """Each document's encoded posting value (positions) for a term."""
        key = (field, text)
        found = self._value_cache.get(key)
        if found is not None:
            return found
        values: dict[int, bytes] = {}
        for sub, offset in self.segments:
            try:
                matcher = sub.reader().postings(field, text)
            except TermNotFound:
                continue
            if isinstance(matcher, FilterMatcher):
                matcher = matcher.child  # a deleted document is never a candidate
            if isinstance(matcher, W3LeafMatcher) and hasattr(matcher, "_read_values"):
                while matcher.is_active():
                    if matcher._ids is None:
                        matcher._read_ids()
                    if matcher._values is None:
                        matcher._read_values()
                    ids = [d + offset for d in matcher._ids]
                    values.update(zip(ids, matcher._values, strict=True))
                    matcher._next_block()
                continue
            while matcher.is_active():
                values[offset + matcher.id()] = matcher.value()
                matcher.next()
        self._value_cache[key] = values
        if len(self._value_cache) > _VALUES_CACHE:
            self._value_cache.pop(next(iter(self._value_cache)))
        return values

    def _whoosh(self, q: wq.Query) -> Scores:
        """Anything else (phrases): Whoosh's own matcher, every match scored."""
        out: Scores = {}
        context = self.searcher.context()
        for sub, offset in self.segments:
            matcher = q.matcher(sub, context)
            while matcher.is_active():
                out[offset + matcher.id()] = matcher.score()
                matcher.next()
        return out

    # ------------------------------------------------------------------ index data

    def postings(self, field: str, text: str) -> tuple[list[int], list[float]]:
        """(document numbers, weights) of a term's postings, deleted documents left out."""
        key = (field, text)
        found = self._postings.get(key)
        if found is not None:
            self._postings.move_to_end(key)
            return found
        ids: list[int] = []
        weights: list[float] = []
        for sub, offset in self.segments:
            reader = sub.reader()
            try:
                matcher = reader.postings(field, text)
            except TermNotFound:
                continue
            deleted: set[int] = set()
            if isinstance(matcher, FilterMatcher):
                deleted = reader.deleted_docs_set
                matcher = matcher.child
            local, local_weights = _read_postings(matcher)
            if deleted:
                pairs = [(d, w) for d, w in zip(local, local_weights, strict=True)]
                local = [d for d, _ in pairs if d not in deleted]
                local_weights = [w for d, w in pairs if d not in deleted]
            ids.extend(d + offset for d in local) if offset else ids.extend(local)
            weights.extend(local_weights)
        found = (ids, weights)
        self._postings[key] = found
        if len(self._postings) > _POSTINGS_CACHE:
            self._postings.popitem(last=False)
        return found

    def _norm(self, field: str, b: float, k1: float, avgfl: float) -> list[float]:
        """`K1 * ((1 - B) + B * length / average length)` of every document's field."""
        found = self._norms.get(field)
        if found is None:
            lengths: list[float] = []
            for sub, _ in self.segments:
                reader = sub.reader()
                lengths.extend(
                    reader.doc_field_length(d, field, 1) or 1 for d in range(reader.doc_count_all())
                )
            found = self._norms[field] = [k1 * ((1 - b) + b * n / avgfl) for n in lengths]
        return found


def top(scores: Scores, limit: int) -> list[tuple[int, float]]:
    """The `limit` best (docnum, score): highest score first, then lowest document
    number (Whoosh's order)."""
    return heapq.nsmallest(limit, scores.items(), key=lambda item: (-item[1], item[0]))


def _add(total: Scores, found: Scores) -> None:
    get = total.get
    for docnum, score in found.items():
        total[docnum] = get(docnum, 0.0) + score


def _boosted(scores: Scores, boost: float) -> Scores:
    if boost == 1.0:
        return scores
    return {d: s * boost for d, s in scores.items()}


def _read_postings(matcher: Any) -> tuple[list[int], list[float]]:
    """A leaf matcher's postings, a block at a time when it is Whoosh 3's."""
    ids: list[int] = []
    weights: list[float] = []
    if isinstance(matcher, W3LeafMatcher) and hasattr(matcher, "_read_ids"):
        while matcher.is_active():
            if matcher._ids is None:
                matcher._read_ids()
            if matcher._weights is None:
                matcher._read_weights()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            matcher._next_block()
        return ids, weights
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return ids, weights
