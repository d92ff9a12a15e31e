"""Where a lint report goes, and where the next run finds it again.

A report of 10,000 articles can be 70 MB of JSON. The next run on the same
tree hands the same report out again, and a run after a few edits copies
every unchanged file's part of it (`output.splice`); both need the last
report's bytes. They come from one of two places:

- the file the last report was written to (`--output`), when it is as
  kbtool left it: its size, modification and change times and inode are
  recorded (`Receipt`), as git trusts a file whose stat is unchanged;
- otherwise a copy kept in the cache, which a report to standard output
  leaves (signed, like every cache file).

So a report written to a file is written once per run, not twice.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from kbtool.lint.cache import LintCache, Snapshot
    from kbtool.lint.engine import LintResult
    from kbtool.output import Index, Parts

__all__ = ["Receipt", "Renderer", "Shelf", "deliver"]


class Renderer(NamedTuple):
    """How a run's report is made (`parts`), under which name it is kept (the
    format and what else shapes it), and the file it goes to (None: returned)."""

    name: str
    parts: Callable[[LintResult], Parts]
    output: Path | None = None


@dataclass(frozen=True)
class Receipt:
    """A report written to a file: which, the file's stat then, where each file's
    findings lie in it."""

    path: str
    stat: tuple[int, ...]
    index: Index

    def intact(self) -> memoryview | None:
        """The file's bytes, when its stat is still the recorded one."""
        try:
            with open(self.path, "rb") as handle:  # noqa: PTH123
                if _stat(os.fstat(handle.fileno())) != self.stat:
                    return None
                return memoryview(handle.read())
        except OSError:
            return None


def _stat(st: os.stat_result) -> tuple[int, ...]:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


@dataclass(frozen=True)
class Shelf:
    """Where the report of one snapshot, in one rendering (`name`), is kept for the
    runs after it."""

    cache: LintCache
    settings_key: str
    snapshot: Snapshot
    name: str

    def previous(self) -> tuple[memoryview, Index | None, Receipt | None] | None:
        """The report's bytes, where each file's part lies in them, and the receipt of
        the file they were read from (None: from the cache's copy); None: not kept."""
        receipt = self.cache.receipt(self.settings_key, self.snapshot, self.name)
        if isinstance(receipt, Receipt):
            data = receipt.intact()
            if data is not None:
                return data, receipt.index, receipt
        kept = self.cache.rendered(self.settings_key, self.snapshot, self.name)
        if kept is None:
            return None
        return kept[0], kept[1], None


def deliver(
    renderer: Renderer,
    chunks: Sequence[bytes | memoryview],
    index: Index | None,
    shelf: Shelf | None,
) -> tuple[bytes | None, Path | None]:
    """Hand a report out: written to `renderer.output` (atomically), else returned as
    bytes. With a `shelf` (a report of every file), the next run can find it again.
    Returns (the bytes, or None; the file written, or None)."""
    from kbtool.corpus.edit import write_atomic

    output = renderer.output
    if output is None:
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        data = data if isinstance(data, bytes) else data.tobytes()
        if shelf is not None:
            shelf.cache.save_rendered(shelf.settings_key, shelf.snapshot, shelf.name, data, index)
        return data, None
    if output.is_dir():
        from kbtool.errors import KbError

        raise KbError("is a folder; give a file name for --output", path=output)
    write_atomic(output, chunks, durable=False)  # a report: made again by running again
    if shelf is not None and index is not None:
        try:
            written = _stat(output.stat())
        except OSError:
            return None, output
        receipt = Receipt(str(output.resolve()), written, index)
        shelf.cache.save_receipt(shelf.settings_key, shelf.snapshot, shelf.name, receipt)
    return None, output
