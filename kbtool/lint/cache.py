"""The lint cache: a re-run on an unchanged tree reads one file instead of linting.

Extends the knowledge base's cache (`kbtool/corpus/cache.py`: files as loaded,
Markdown analyses, content hashes; same folder, same signing) with:

- `snapshot-<settings>.bin`: the final report of the last complete run with
  these settings, keyed by every file's content hash and the git HEAD. When
  the key matches, the run is over: no Markdown is parsed, no YAML read, git
  log not run.
- `entries-<0-f>.bin`: what article rules found in each article, keyed by
  settings, path, content hash and the article's commits; `results-<0-f>.bin`
  what corpus-dependent rules found, keyed by what they depend on (see
  `engine._Run._dependency_key`). After a change only the changed articles are
  linted again, and corpus rules re-run once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kbtool.corpus.cache import (
    FORMAT,
    CorpusCache,
    code_fingerprint,
    digest,
    head_revision,
)
from kbtool.lint.diagnostic import Diagnostic, Fix, TextEdit

__all__ = [
    "FORMAT",
    "LintCache",
    "Snapshot",
    "code_fingerprint",
    "digest",
    "head_revision",
    "pack",
    "pack_all",
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
    the summary (this), the diagnostics, the link targets (for
    `--changed-since`) and reports already rendered in some format.
    """

    key: str
    files: int  # articles linted
    paths: tuple[str, ...]  # the articles (root-relative)
    counts: dict[str, int]  # diagnostics by severity name


class LintCache(CorpusCache):
    """Cached lint results of one knowledge base; see the module docstring."""

    # ------------------------------------------------------------------ snapshots

    def snapshot(self, settings_key: str, key: str) -> Snapshot | None:
        found = self._read(f"snapshot-{settings_key}.bin")
        if isinstance(found, Snapshot) and found.key == key:
            return found
        return None

    def _part(self, settings_key: str, snapshot: Snapshot, part: str) -> Any:
        found = self._read(f"snapshot-{settings_key}.{part}.bin")
        if isinstance(found, tuple) and len(found) == 2 and found[0] == snapshot.key:
            return found[1]
        return None

    def snapshot_diagnostics(
        self, settings_key: str, snapshot: Snapshot
    ) -> tuple[DiagTuple, ...] | None:
        found = self._part(settings_key, snapshot, "diags")
        return found if isinstance(found, tuple) else None

    def snapshot_links(
        self, settings_key: str, snapshot: Snapshot
    ) -> dict[str, tuple[str, ...]] | None:
        found = self._part(settings_key, snapshot, "links")
        return found if isinstance(found, dict) else None

    def rendered(self, settings_key: str, snapshot: Snapshot, name: str) -> bytes | None:
        """A report of the snapshot rendered before (`name`: format and what else shaped it),
        as the UTF-8 bytes to write: kept unpickled, a 50 MB report is read back in a blink."""
        found = self._read_bytes(f"snapshot-{settings_key}.render-{digest(name)}.bin")
        head = snapshot.key.encode() + b"\n"
        if found is None or found[: len(head)] != head:
            return None
        return found[len(head) :].tobytes()

    def save_rendered(
        self, settings_key: str, snapshot: Snapshot, name: str, text: str | bytes
    ) -> None:
        data = text.encode("utf-8") if isinstance(text, str) else text
        name = f"snapshot-{settings_key}.render-{digest(name)}.bin"
        self._write_bytes(name, snapshot.key.encode() + b"\n" + data)

    def save_snapshot(
        self,
        settings_key: str,
        snapshot: Snapshot,
        diagnostics: Iterable[Diagnostic],
        links: Mapping[str, tuple[str, ...]],
    ) -> None:
        for old in self.folder.glob(f"snapshot-{settings_key}.*.bin"):
            with contextlib.suppress(OSError):
                old.unlink()  # reports rendered from the previous snapshot
        self._write(
            f"snapshot-{settings_key}.diags.bin",
            (snapshot.key, pack_all(diagnostics)),
        )
        self._write(f"snapshot-{settings_key}.links.bin", (snapshot.key, dict(links)))
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
