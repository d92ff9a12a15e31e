"""Language data and text statistics for the style rules (KB4xx) and anything else that reads prose.

- `locales`: the base language of a locale (`de-de` -> `de`) and which languages
  are written without spaces (Chinese, Japanese).
- `sentences`: sentence splitting per language (CJK `。！？` included), word and
  character counts.
- `syllables`: an English syllable estimate (for Flesch reading ease).
- `readability`: Flesch reading ease and LIX.
- `data`: the phrase lists (placeholders, discouraged terms, jargon, passive
  participles, abbreviations), kept as plain data per language.

Everything here is pure Python on plain text: no Markdown, no I/O.
"""

from __future__ import annotations

from kbtool.language.locales import base_language, is_cjk
from kbtool.language.readability import TextStats, flesch_reading_ease, lix, long_words
from kbtool.language.sentences import count_units, count_words, split_sentences
from kbtool.language.syllables import syllables, total_syllables

__all__ = [
    "TextStats",
    "base_language",
    "count_units",
    "count_words",
    "flesch_reading_ease",
    "is_cjk",
    "lix",
    "long_words",
    "split_sentences",
    "syllables",
    "total_syllables",
]
