"""The "did you mean" vocabulary of a locale's index: words as written, with the number
of articles that have each in a prominent field (title, description, labels, headings).

It is one small JSON file in the locale's index folder rather than an indexed field:
an indexed field cost the build a posting per word and article, and the first
correction of a process a walk through every term of that field. Each document
stores its own words (the `words` field), so an update can take a changed or
deleted article's words out again.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from kbtool.corpus.edit import write_atomic

__all__ = ["FILE", "count", "read_vocabulary", "stored_words", "write_vocabulary"]

FILE = "kbtool-words.json"


def read_vocabulary(folder: Path) -> dict[str, int]:
    """The vocabulary kept in a locale's index folder (empty when missing or damaged:
    spelling suggestions are then off, searching is not affected)."""
    try:
        data = json.loads((folder / FILE).read_bytes())
        words = data["words"]
        return {str(k): int(v) for k, v in words.items() if int(v) > 0}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def write_vocabulary(folder: Path, counts: Mapping[str, int]) -> None:
    """Write the vocabulary (atomically: an update's folder starts as hard links to the
    previous index's files, which must not change)."""
    words = {k: v for k, v in sorted(counts.items()) if v > 0}
    payload = json.dumps({"words": words}, ensure_ascii=False, separators=(",", ":"))
    write_atomic(folder / FILE, payload.encode("utf-8"))


def stored_words(stored: Mapping[str, Any]) -> list[str]:
    """The words a document stored (see `schema.article_doc`)."""
    raw = stored.get("words", "")
    return raw.split() if isinstance(raw, str) else []


def count(documents: Iterable[Iterable[str]]) -> Counter[str]:
    """How many documents have each word."""
    out: Counter[str] = Counter()
    for words in documents:
        out.update(words)
    return out
