"""The lint cache: a re-run on an unchanged tree reads one file instead of linting.

Extends the knowledge base's cache (`kbtool/corpus/cache.py`: files as loaded,
Markdown analyses, content hashes; same folder, same signing) with:

- `snapshot-<settings>.bin`: the final report of the last complete run with
  these settings, keyed by every file's content hash and the git HEAD. When
  the key matches, the run is over: no Markdown is parsed, no YAML read, git
  log not run. Beside it, sharing its key: `.state.bin` (`State`: each file's
  findings, each article's link targets, and what else a delta run needs, see
  `delta.py`) and reports rendered from it (`.render-<format>.bin`, with
  `.index-<format>.bin`: where each file's part lies in the report).
- `entries-<00-ff>.bin`: what article rules found in each article, keyed by
  settings, path, content hash and the article's commits; `results-<00-ff>.bin`
  what corpus-dependent rules found, keyed by what they depend on (see
  `engine._Run._dependency_key`). After a change only the changed articles are
  linted again, and corpus rules re-run once.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from kbtool.corpus.cache import (
    FORMAT,
    CorpusCache,
    code_fingerprint,
    digest,
    head_revision,
)
from kbtool.lint.diagnostic import Diagnostic, Fix, TextEdit

if TYPE_CHECKING:
    from kbtool.output import Index, Tally

__all__ = [
    "FORMAT",
    "Findings",
    "KeyIndex",
    "Links",
    "LintCache",
    "Snapshot",
    "State",
    "code_fingerprint",
    "digest",
    "head_revision",
    "pack",
    "pack_all",
    "stable_hash",
    "unpack",
]

_MAX_SNAPSHOTS = 8

DiagTuple = tuple[Any, ...]


def pack(diagnostic: Diagnostic) -> DiagTuple:
    """A Diagnostic as a plain tuple (its fix, if any, as tuples too): pickle handles
    these in C, while a named tuple costs a Python call each. The severity stays an
    enum member: pickle writes each member once per file."""
    fix = diagnostic[9]
    if fix is None:
        return tuple(diagnostic)
    return (*diagnostic[:9], (fix[0], tuple(map(tuple, fix[1]))))


def pack_all(diagnostics: Iterable[Diagnostic]) -> tuple[DiagTuple, ...]:
    """`pack` of each (most have no fix: those are copied without a call)."""
    return tuple(tuple(d) if d[9] is None else pack(d) for d in diagnostics)


_new = tuple.__new__


def unpack(packed: DiagTuple) -> Diagnostic:
    """The Diagnostic of `pack`."""
    fix = packed[9]
    if fix is None:
        return _new(Diagnostic, packed)
    edits = tuple([_new(TextEdit, e) for e in fix[1]])
    return _new(Diagnostic, (*packed[:9], _new(Fix, (fix[0], edits))))


@dataclass
class Snapshot:
    """The outcome of a complete run, enough to answer the next one without linting.

    Kept in several files that share its key, each read only when needed:
    the summary (this), the `State`, the link targets (for `--changed-since`
    and delta runs) and reports already rendered in some format.
    """

    key: str
    files: int  # articles linted
    paths: tuple[str, ...]  # the articles (root-relative)
    counts: dict[str, int]  # diagnostics by severity name


def stable_hash(value: Hashable) -> int:
    """A 64-bit hash of `value`'s repr that is the same in every process (Python's
    `hash` of text is not, nor is the order of a set: sets are hashed sorted).
    Stored in place of long keys; two keys that collide only make a delta run
    look at a few more articles."""
    if isinstance(value, (set, frozenset)):
        value = ("set", sorted(map(repr, value)))
    data = repr(value).encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


@dataclass
class Links:
    """Each article's link targets (`engine.link_targets`), kept compactly: every
    target once in `names`, each article's as indexes into it."""

    names: list[str]
    of: dict[str, tuple[int, ...]]  # article path -> its targets

    @classmethod
    def of_map(cls, links: Mapping[str, Iterable[str]]) -> Links:
        table = cls([], {})
        for path, targets in links.items():
            table.put(path, targets)
        return table

    @cached_property
    def _index(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.names)}

    def put(self, path: str, targets: Iterable[str]) -> None:
        index = self._index
        ids = []
        for target in targets:
            found = index.get(target)
            if found is None:
                found = index[target] = len(self.names)
                self.names.append(target)
            ids.append(found)
        self.of[path] = tuple(ids)

    def targets(self, path: str) -> tuple[str, ...]:
        names = self.names
        return tuple(names[i] for i in self.of.get(path, ()))

    def linking(self, paths: Iterable[str]) -> set[str]:
        """The articles with a link that may point at one of `paths`."""
        index = self._index
        wanted = {index[p] for p in paths if p in index}
        return {path for path, ids in self.of.items() if not wanted.isdisjoint(ids)}

    def __getstate__(self) -> dict[str, Any]:
        return {"names": self.names, "of": self.of}  # not the index made from them


@dataclass
class KeyIndex:
    """A corpus rule's `related` keys of each article (`stable_hash`es), and the
    articles of each key."""

    of: dict[str, tuple[int, ...]]

    @cached_property
    def sharing(self) -> dict[int, list[str]]:
        """The articles of each key (made when first needed, not kept)."""
        out: dict[int, list[str]] = {}
        for path, own in self.of.items():
            for key in own:
                out.setdefault(key, []).append(path)
        return out

    def __getstate__(self) -> dict[str, Any]:
        return {"of": self.of}

    def put(self, path: str, keys: tuple[int, ...]) -> None:
        for key in self.of.get(path, ()):
            paths = self.sharing.get(key, [])
            if path in paths:
                paths.remove(path)
        self.of[path] = keys
        for key in keys:
            self.sharing.setdefault(key, []).append(path)

    def with_any(self, keys: Iterable[int]) -> set[str]:
        """The articles with one of `keys`."""
        out: set[str] = set()
        for key in keys:
            out.update(self.sharing.get(key, ()))
        return out


class Findings:
    """Each file's findings, pickled file by file (`State.blob`), kept as one buffer
    and the span of each file in it: pickle reads and writes one large bytes object
    much faster than ten thousand small ones."""

    def __init__(self, blobs: Mapping[str, bytes | memoryview]):
        self._data: bytes | memoryview = b""
        self._spans: dict[str, tuple[int, int]] = {}
        self._fresh: dict[str, bytes | memoryview] = dict(blobs)

    def get(self, path: str) -> bytes | memoryview | None:
        found = self._fresh.get(path)
        if found is None and path in self._spans:
            start, end = self._spans[path]
            found = memoryview(self._data)[start:end]
        return found

    def put(self, path: str, blob: bytes | None) -> None:
        """`blob` for the file at `path` (None: it has no findings)."""
        self._spans.pop(path, None)
        if blob is None:
            self._fresh.pop(path, None)
        else:
            self._fresh[path] = blob

    def paths(self) -> list[str]:
        """The files with findings, in order."""
        return sorted({*self._spans, *self._fresh})

    def __getstate__(self) -> dict[str, Any]:
        """One buffer again: the kept files' spans are runs of the old buffer, copied
        a run at a time between the fresh files."""
        view = memoryview(self._data)
        parts: list[bytes | memoryview] = []
        spans: dict[str, tuple[int, int]] = {}
        at = 0
        run: tuple[int, int] | None = None  # (start, end) in the old buffer
        for path in self.paths():
            kept = self._spans.get(path)
            if kept is not None and path not in self._fresh:
                if run is not None and run[1] == kept[0]:
                    run = (run[0], kept[1])
                else:
                    if run is not None:
                        parts.append(view[run[0] : run[1]])
                    run = kept
                spans[path] = (at, at + kept[1] - kept[0])
                at += kept[1] - kept[0]
                continue
            if run is not None:
                parts.append(view[run[0] : run[1]])
                run = None
            blob = self._fresh[path]
            spans[path] = (at, at + len(blob))
            parts.append(blob)
            at += len(blob)
        if run is not None:
            parts.append(view[run[0] : run[1]])
        return {"_data": b"".join(parts), "_spans": spans, "_fresh": {}}


@dataclass
class State:
    """Each file's findings in a complete run, and what a later run needs to redo
    only what a few changed files affect (see `delta.py`)."""

    frame: str  # what must be as it was for a delta run (see `delta.frame`)
    hashes: dict[str, str]  # content hash of each article, by path
    # each file's findings, pickled: (raw, final), packed; final None when the same as
    # raw (no suppression or per-path ignore touched it); files without findings left out
    files: Findings
    links: Links
    names: dict[str, list[str]]  # the articles by file name (lower case)
    related: dict[str, KeyIndex]  # each corpus rule's `related` keys
    # corpus rule -> (its census of the knowledge base, path -> `stable_hash` of its part)
    census: dict[str, tuple[Counter[Hashable], dict[str, int]]]
    tally: Tally  # the report's totals

    def findings(self, path: str) -> tuple[list[Diagnostic], list[Diagnostic]]:
        """(raw, final) findings of one file."""
        blob = self.files.get(path)
        if blob is None:
            return [], []
        raw, final = pickle.loads(blob)
        unpacked = [unpack(d) for d in raw]
        return unpacked, unpacked if final is None else [unpack(d) for d in final]

    def final(self) -> list[Diagnostic]:
        """Every file's final findings, in report order."""
        out: list[Diagnostic] = []
        for path in self.files.paths():
            out.extend(self.findings(path)[1])
        return out

    @staticmethod
    def blob(raw: Iterable[Diagnostic], final: list[Diagnostic]) -> bytes:
        packed = pack_all(raw)
        kept = pack_all(final)
        return pickle.dumps((packed, None if kept == packed else kept), pickle.HIGHEST_PROTOCOL)


class LintCache(CorpusCache):
    """Cached lint results of one knowledge base; see the module docstring."""

    # ------------------------------------------------------------------ snapshots

    def snapshot(self, settings_key: str, key: str | None) -> Snapshot | None:
        """The snapshot with `key` (None: the last one, whatever its key)."""
        found = self._read(f"snapshot-{settings_key}.bin")
        if isinstance(found, Snapshot) and (key is None or found.key == key):
            return found
        return None

    def _part(self, settings_key: str, snapshot: Snapshot, part: str) -> Any:
        found = self._read(f"snapshot-{settings_key}.{part}.bin")
        if isinstance(found, tuple) and len(found) == 2 and found[0] == snapshot.key:
            return found[1]
        return None

    def state(self, settings_key: str, snapshot: Snapshot) -> State | None:
        found = self._part(settings_key, snapshot, "state")
        return found if isinstance(found, State) else None

    def rendered(
        self, settings_key: str, snapshot: Snapshot, name: str
    ) -> tuple[memoryview, Index | None] | None:
        """A report of the snapshot rendered before (`name`: format and what else shaped it),
        as the UTF-8 bytes to write (kept unpickled: a 50 MB report is read back in a
        blink), and where each file's part lies in it (None when not known)."""
        found = self._read_bytes(f"snapshot-{settings_key}.render-{digest(name)}.bin")
        head = snapshot.key.encode() + b"\n"
        if found is None or found[: len(head)] != head:
            return None
        index = self._part(settings_key, snapshot, f"index-{digest(name)}")
        return found[len(head) :], index if isinstance(index, tuple) else None

    def save_rendered(
        self,
        settings_key: str,
        snapshot: Snapshot,
        name: str,
        data: bytes,
        index: Index | None = None,
    ) -> None:
        if index is not None:
            self._write(f"snapshot-{settings_key}.index-{digest(name)}.bin", (snapshot.key, index))
        name = f"snapshot-{settings_key}.render-{digest(name)}.bin"
        self._write_bytes(name, snapshot.key.encode() + b"\n", data, in_place=True)

    def receipt(self, settings_key: str, snapshot: Snapshot, name: str) -> object:
        """The `delivery.Receipt` of the report named `name` of `snapshot` written to a
        file, if any."""
        return self._part(settings_key, snapshot, f"output-{digest(name)}")

    def save_receipt(
        self, settings_key: str, snapshot: Snapshot, name: str, receipt: object
    ) -> None:
        self._write(f"snapshot-{settings_key}.output-{digest(name)}.bin", (snapshot.key, receipt))

    def save_snapshot(
        self, settings_key: str, snapshot: Snapshot, state: State, *, rendering: str = ""
    ) -> None:
        """Keep `snapshot` and its `state`; reports rendered from the one before are
        dropped, but for the one named `rendering` (about to be written again)."""
        parts = ["state"]
        if rendering:
            parts += [f"{kind}-{digest(rendering)}" for kind in ("render", "index", "output")]
        keep = {f"snapshot-{settings_key}.{part}.bin" for part in parts}  # rewritten in place
        for old in self.folder.glob(f"snapshot-{settings_key}.*.bin"):
            if old.name not in keep:
                with contextlib.suppress(OSError):
                    old.unlink()
        self._write(f"snapshot-{settings_key}.state.bin", (snapshot.key, state), in_place=True)
        self._write(f"snapshot-{settings_key}.bin", snapshot)
        try:
            mains = sorted(
                (p for p in self.folder.glob("snapshot-*.bin") if p.name.count(".") == 1),
                key=lambda p: p.stat().st_mtime,
            )
        except OSError:
            return
        for old in mains[:-_MAX_SNAPSHOTS]:
            stem = old.name.removesuffix(".bin")
            for each in self.folder.glob(f"{stem}*.bin"):
                with contextlib.suppress(OSError):
                    each.unlink()

    # ------------------------------------------------------------------ per-article results
    # In the sharded store "results" (see CorpusCache): after one edit, only the
    # shards holding what changed are written again.

    def results(self, key: str) -> list[Diagnostic] | None:
        found = self._get("results", key)
        if not isinstance(found, tuple):
            self.misses += 1
            return None
        self.hits += 1
        return [unpack(d) for d in found]

    def put_results(self, key: str, diagnostics: Iterable[Diagnostic]) -> None:
        self._put("results", key, pack_all(diagnostics))

    def entry(self, key: str) -> tuple[list[Diagnostic], frozenset[str]] | None:
        """An article's own findings and the codes of its corpus-dependent rules."""
        found = self._get("entries", key)
        if not isinstance(found, tuple) or len(found) != 2:
            self.misses += 1
            return None
        self.hits += 1
        return [unpack(d) for d in found[0]], found[1]

    def put_entry(
        self, key: str, diagnostics: Iterable[Diagnostic], dependent: frozenset[str]
    ) -> None:
        self._put("entries", key, (pack_all(diagnostics), dependent))
