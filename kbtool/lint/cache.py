"""The lint cache: a re-run on an unchanged tree reads one file instead of linting.

Extends the knowledge base's cache (`kbtool/corpus/cache.py`: files as loaded,
Markdown analyses, content hashes; same folder, same signing) with:

- `snapshot-<settings>.bin`: the final report of the last complete run with
  these settings, keyed by every file's content hash and the git HEAD. When
  the key matches, the run is over: no Markdown is parsed, no YAML read, git
  log not run.
- `results.bin`: what article rules found in each article, keyed by settings,
  path, content hash and the article's commits; and what corpus rules found,
  keyed by all of those at once. After a change only the changed articles are
  linted again, and corpus rules re-run once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbtool.corpus.cache import (
    _KEEP_GENERATIONS,
    FORMAT,
    CorpusCache,
    code_fingerprint,
    digest,
    head_revision,
)
from kbtool.corpus.model import Severity
from kbtool.lint.diagnostic import Diagnostic, Fix, TextEdit

__all__ = [
    "FORMAT",
    "LintCache",
    "Snapshot",
    "code_fingerprint",
    "digest",
    "head_revision",
    "pack",
    "unpack",
]

_MAX_SNAPSHOTS = 8

DiagTuple = tuple[Any, ...]


def pack(diagnostic: Diagnostic) -> DiagTuple:
    """A Diagnostic as plain tuples: smaller and several times faster to (un)pickle."""
    fix = diagnostic.fix
    packed_fix = None
    if fix is not None:
        packed_fix = (
            fix.description,
            tuple((e.line, e.column, e.end_line, e.end_column, e.new_text) for e in fix.edits),
        )
    return (
        diagnostic.path,
        diagnostic.line,
        diagnostic.column,
        diagnostic.code,
        diagnostic.message,
        diagnostic.name,
        int(diagnostic.severity),
        diagnostic.end_line,
        diagnostic.end_column,
        packed_fix,
    )


_SEVERITIES = {int(s): s for s in Severity}
_FIELDS = (
    "path",
    "line",
    "column",
    "code",
    "message",
    "name",
    "severity",
    "end_line",
    "end_column",
    "fix",
)


def unpack(packed: DiagTuple) -> Diagnostic:
    """The Diagnostic of `pack`; built without the frozen dataclass's slow __init__."""
    fix = packed[9]
    values = dict(zip(_FIELDS, packed, strict=True))
    values["severity"] = _SEVERITIES[packed[6]]
    if fix is not None:
        values["fix"] = Fix(fix[0], tuple(TextEdit(*e) for e in fix[1]))
    diagnostic = object.__new__(Diagnostic)
    diagnostic.__dict__.update(values)
    return diagnostic


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

    def __init__(self, folder: Path, secret: bytes, *, note: str = ""):
        super().__init__(folder, secret, note=note)
        self._results: dict[str, Any] | None = None
        self._results_dirty = False

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
            (snapshot.key, tuple(pack(d) for d in diagnostics)),
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

    def _load_results(self) -> dict[str, Any]:
        if self._results is None:
            loaded = self._read("results.bin")
            if not isinstance(loaded, dict) or not isinstance(loaded.get("entries"), dict):
                loaded = {"generation": 0, "entries": {}}
            self._results = loaded
            self._results_dirty = True  # the new generation must be recorded
        return self._results

    def results(self, key: str) -> list[Diagnostic] | None:
        entries = self._load_results()["entries"]
        found = entries.get(key)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        if found[0] != self.generation:
            entries[key] = (self.generation, found[1])
            self._results_dirty = True
        return [unpack(d) for d in found[1]]

    def put_results(self, key: str, diagnostics: Iterable[Diagnostic]) -> None:
        entries = self._load_results()["entries"]
        entries[key] = (self.generation, tuple(pack(d) for d in diagnostics))
        self._results_dirty = True

    def entry(self, key: str) -> tuple[list[Diagnostic], frozenset[str]] | None:
        """An article's own findings and the codes of its corpus-dependent rules."""
        entries = self._load_results()["entries"]
        found = entries.get(key)
        if found is None or len(found) != 3:
            self.misses += 1
            return None
        self.hits += 1
        if found[0] != self.generation:
            entries[key] = (self.generation, found[1], found[2])
            self._results_dirty = True
        return [unpack(d) for d in found[1]], found[2]

    def put_entry(
        self, key: str, diagnostics: Iterable[Diagnostic], dependent: frozenset[str]
    ) -> None:
        entries = self._load_results()["entries"]
        entries[key] = (self.generation, tuple(pack(d) for d in diagnostics), dependent)
        self._results_dirty = True

    # ------------------------------------------------------------------ saving

    def save(self) -> None:
        """Write what changed; drop entries no run has used for a few runs."""
        oldest = self.generation - _KEEP_GENERATIONS
        if self._results is not None and self._results_dirty:
            entries = {k: v for k, v in self._results["entries"].items() if v[0] > oldest}
            self._write("results.bin", {"generation": self.generation, "entries": entries})
            self._results_dirty = False
            self._write("generation.bin", self.generation)
        super().save()
