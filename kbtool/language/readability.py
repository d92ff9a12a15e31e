"""Readability formulas: Flesch reading ease and LIX.

- Flesch reading ease (English): 206.835 - 1.015 x words per sentence -
  84.6 x syllables per word. Higher is easier; 60-70 is plain English, under 50
  is hard (college level), under 30 very hard.
- LIX (Björnsson's läsbarhetsindex; used for Swedish, Danish and Norwegian, and
  for German too): words per sentence + 100 x share of words longer than six
  letters. Lower is easier; under 40 is easy, 40-50 medium (newspapers), over
  50 hard, over 60 very hard (legal and academic text). It needs no syllables,
  so it works for any language written with spaces.

Which locale is scored with which is the readability rule's business (KB401:
English with Flesch, the locales in its `lix_max` option with LIX); languages
without a validated formula (Chinese, Japanese and the rest) get no score:
guessing one would give writers numbers that mean nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["TextStats", "flesch_reading_ease", "lix", "long_words"]

_PUNCTUATION = "\"'’‘“”()[]{}<>,.;:!?…*_`~|/\\#@%^&=+-–—•·«»"

_long: dict[str, int] = {}


def _is_long(token: str) -> int:
    found = _long.get(token)
    if found is None:
        found = int(sum(c.isalpha() for c in token.strip(_PUNCTUATION)) > 6)
        if len(_long) < 500_000:
            _long[token] = found
    return found


def long_words(tokens: Sequence[str]) -> int:
    """How many tokens are words of more than six letters (LIX's long words)."""
    counts = list(map(_long.get, tokens))  # one lookup per token, in C
    if None in counts:
        return sum(map(_is_long, tokens))
    return sum(counts)  # type: ignore[arg-type]


@dataclass
class TextStats:
    """Counts over some text: what the formulas need."""

    words: int = 0
    sentences: int = 0
    syllables: int = 0
    long_words: int = 0  # words of more than six letters (for LIX)

    @property
    def flesch(self) -> float:
        return flesch_reading_ease(self.words, self.sentences, self.syllables)

    @property
    def lix(self) -> float:
        return lix(self.words, self.sentences, self.long_words)


def flesch_reading_ease(words: int, sentences: int, syllables: int) -> float:
    """Flesch reading ease; higher is easier (0 for no words)."""
    if not words or not sentences:
        return 0.0
    return 206.835 - 1.015 * (words / sentences) - 84.6 * (syllables / words)


def lix(words: int, sentences: int, long_words: int) -> float:
    """LIX readability index; lower is easier (0 for no words)."""
    if not words or not sentences:
        return 0.0
    return words / sentences + 100.0 * long_words / words
