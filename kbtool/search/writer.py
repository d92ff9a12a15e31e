"""Writing Whoosh segments fast: a full build on every core, one segment per process.

Whoosh's own writer sends every posting through a sorted, spillable pool and,
when it writes them out, reads each posting's field length back from disk;
for 10,000 articles that is most of the build. `SegmentBuilder` writes the
same segment (the same codec, the same terms, weights, positions and field
lengths) from postings gathered in memory per field and term, in document
order, so nothing needs sorting but the terms of each field.

A full build (`IndexStore._full`) splits the documents between worker
processes with `parallel_map` (fork: they inherit the loaded articles instead
of receiving them pickled); each writes its own segment per locale, and the
parent lists them all in the index's table of contents with
`commit_segments`: Whoosh's multi-segment layout, without merging.

Parts of Whoosh 3's codec are used below their public surface (the postings
writer's block buffer, the field writer's postings writer); whoosh-ng is pinned
below 6, and `tests/test_search_writer.py` compares every posting, weight,
position and length with what Whoosh's own writer writes.
"""

from __future__ import annotations

import functools
import os
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from whoosh.codec.whoosh3 import W3PostingsWriter
from whoosh.index import TOC, clean_files
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from kbtool.corpus.loader import can_fork
from kbtool.search.schema import Positions, encode_positions

if TYPE_CHECKING:
    from whoosh.index import Index

__all__ = ["SegmentBuilder", "commit_segments", "parallel_map", "workers"]

# Below this many documents in all one process is faster than forking another.
_PARALLEL_MIN_DOCS = 1000
_MAX_WORKERS = 4
_MEMO_MAX = 50_000

_T = TypeVar("_T")
_R = TypeVar("_R")


class SegmentBuilder(SegmentWriter):  # type: ignore[misc]
    """A writer of one new segment from documents added in order; nothing to merge.

    Used without the index lock (`lock=False`) by worker processes, whose
    segments the parent then commits with `commit_segments()`.
    """

    docnum: int  # the next document's number (SegmentWriter's)

    def __init__(self, ix: Index, *, lock: bool = True):
        super().__init__(ix, _lk=lock, limitmb=32)
        # field -> term -> postings [(docnum, weight, value), ...] in docnum order
        self._postings: dict[str, defaultdict[str, list[tuple[int, float, bytes]]]] = {}
        # field -> the field's length in each document as Whoosh stores it (a byte,
        # decoded), None where it is empty
        self._lengths: dict[str, list[int | None]] = {}
        # field -> value -> its word values (fields other than text)
        self._memo: dict[str, dict[str, list[tuple[str, int, float, bytes]]]] = {}

    def add_document(self, **fields: Any) -> None:
        self._check_state()
        docnum = self.docnum
        schema = self.schema
        perdoc = self.perdocwriter
        postings = self._postings
        perdoc.start_doc(docnum)
        for name in sorted(fields):
            value = fields[name]
            if value is None or name.startswith("_"):
                continue
            field = schema[name]
            length = 0
            if field.indexed:
                terms = postings.get(name)
                if terms is None:
                    terms = postings[name] = defaultdict(list)
                fmt = field.format
                if isinstance(fmt, Positions):
                    # kbtool's text fields: the analyzer's positions, no token objects
                    boost = fmt.field_boost
                    single = _single_positions()
                    for term, found in field.analyzer.positions(value).items():
                        count = len(found)
                        length += count
                        if count == 1 and found[0] < _SINGLE_MAX:
                            # most postings: one position, its encoding looked up
                            terms[term].append((docnum, boost, single[found[0]]))
                        else:
                            terms[term].append((docnum, count * boost, encode_positions(found)))
                else:
                    # ids and keywords: the format's word values (unsorted: `field.index()`
                    # sorts them), once per distinct value (types, sections, owners repeat)
                    memo = self._memo.setdefault(name, {})
                    values = memo.get(value)
                    if values is None:
                        values = list(fmt.word_values(value, field.analyzer, mode="index"))
                        if len(memo) < _MEMO_MAX:
                            memo[value] = values
                    for term, freq, weight, value_bytes in values:
                        length += freq
                        terms[term].append((docnum, weight, value_bytes))
                if field.scorable and length:
                    lengths = self._lengths.get(name)
                    if lengths is None:
                        lengths = self._lengths[name] = []
                    lengths.extend([None] * (docnum - len(lengths)))
                    stored = length_to_byte(length)  # what the reader gets back
                    lengths.append(byte_to_length(stored) if stored else None)
                else:
                    length = 0
            perdoc.add_field(name, field, value if field.stored else None, length)
        perdoc.finish_doc()
        self._added = True
        self.docnum = docnum + 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        writer = self.fieldwriter
        codec = self.codec
        for name in sorted(self._postings):
            terms = self._postings[name]
            lengths = self._lengths.get(name)
            if lengths is not None:
                lengths.extend([None] * (self.docnum - len(lengths)))
            writer.start_field(name, self.schema[name])
            # the codec's postings writer, with a method that adds a term's postings
            # block by block instead of one call per posting
            bulk = writer._postwriter = _BulkPostingsWriter(
                writer._postfile,
                blocklimit=codec._blocklimit,
                compression=codec._compression,
                inlinelimit=codec._inlinelimit,
            )
            # str order is code point order, which is UTF-8 byte order
            for term in sorted(terms):
                writer.start_term(term.encode("utf-8"))
                ids, weights, values = zip(*terms[term], strict=True)
                bulk.add_all(ids, weights, values, lengths)
                writer.finish_term()
            writer.finish_field()
        writer.close()
        self._postings.clear()

    def segment(self) -> Any:
        """Write the segment's files and return it (for `commit_segments`); None when
        no document was added."""
        if not self._added:
            self.cancel()
            return None
        segment = self._finalize_segment()
        self._finish()
        return segment


class _BulkPostingsWriter(W3PostingsWriter):  # type: ignore[misc]
    """Whoosh 3's postings writer with `add_all`: what `add_posting` does for each
    posting of a term, done for a block of them at a time."""

    def add_all(
        self,
        ids: Sequence[int],
        weights: Sequence[float],
        values: Sequence[bytes],
        lengths: Sequence[int | None] | None,
    ) -> None:
        limit = self._blocklimit
        for start in range(0, len(ids), limit):
            if start:
                self._write_block()  # the block before is full
            block = ids[start : start + limit]
            self._ids = array("I", block)
            chunk = weights[start : start + limit]
            self._weights = array("f", chunk)
            self._maxweight = max(0, *chunk)
            self._values = [v for v in values[start : start + limit] if v]
            if lengths is not None:
                found = [n for n in map(lengths.__getitem__, block) if n]
                self._minlength = min(found) if found else None
                self._maxlength = max(found) if found else 0


_SINGLE_MAX = 16384


@functools.cache
def _single_positions() -> list[bytes]:
    """`encode_positions([p])` for every position below `_SINGLE_MAX`."""
    return [encode_positions([p]) for p in range(_SINGLE_MAX)]


def commit_segments(ix: Index, segments: Iterable[Any]) -> None:
    """Make `segments` (written by `SegmentBuilder`s of this index) the index's content."""
    lock = ix.lock("WRITELOCK")
    if not lock.acquire():
        raise RuntimeError("the index is locked by another writer")
    try:
        info = ix._read_toc()
        found = [s for s in segments if s is not None]
        generation = info.generation + 1
        TOC(info.schema, [*info.segments, *found], generation).write(ix.storage, ix.indexname)
        clean_files(ix.storage, ix.indexname, generation, [*info.segments, *found])
    finally:
        lock.release()


def workers(documents: int) -> int:
    """How many processes a build of `documents` documents should use."""
    cores = min(os.cpu_count() or 1, _MAX_WORKERS)
    if documents < _PARALLEL_MIN_DOCS or cores < 2 or not can_fork():
        return 1
    return cores


def parallel_map(func: Callable[[_T], _R], jobs: Sequence[_T]) -> list[_R]:
    """`[func(job) for job in jobs]`, the first job in this process and each other one in
    a forked child. The children inherit `func` and `jobs` (a closure over loaded
    articles and open indexes is fine): only the results are pickled."""
    global _WORK
    if len(jobs) < 2 or not can_fork():
        return [func(job) for job in jobs]
    import concurrent.futures
    import multiprocessing

    context = multiprocessing.get_context("fork")
    _WORK = (func, jobs)
    try:
        with concurrent.futures.ProcessPoolExecutor(len(jobs) - 1, mp_context=context) as pool:
            futures = [pool.submit(_run_job, i) for i in range(1, len(jobs))]
            first = func(jobs[0])
            return [first, *(future.result() for future in futures)]
    finally:
        _WORK = None


# What `parallel_map`'s children run: set before they fork, so they inherit it.
_WORK: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def _run_job(index: int) -> Any:
    if _WORK is None:
        raise RuntimeError("parallel_map: no work (not a forked child)")
    func, jobs = _WORK
    return func(jobs[index])
