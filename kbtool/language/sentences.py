"""Sentences, words and characters of plain text, per language.

A sentence ends at `.`, `!`, `?` or `…` (and closing quotes or brackets)
followed by white space and a character that is not a lower-case letter, so
`e.g. the`, `3.5` and `file.txt` do not end one, unless the word before the
full stop is a known abbreviation of the language (`No.`, `z. B.`, `t.ex.`).
In Chinese and Japanese a sentence ends at `。`, `！` or `？`, with or without a
space after it. A line break always ends a sentence: callers join separate
blocks of text (paragraphs, list items, table cells) with one, so that a
sentence never runs from one block into the next.

Splitting is one `re.split` per text, and words are counted with `str.split`:
both run in C, which keeps a whole article's prose well under a millisecond.
"""

from __future__ import annotations

import re
from functools import lru_cache

from kbtool.language.data import ABBREVIATIONS
from kbtool.language.locales import is_cjk

__all__ = ["count_units", "count_words", "sentence_pattern", "split_sentences"]

_CLOSERS = "\"'’”)\\]»」』）"
# A run of Latin letters and digits counts as one unit of CJK text.
_CJK_UNIT = re.compile(r"[A-Za-z0-9]+(?:[.\-'’][A-Za-z0-9]+)*|\S")


@lru_cache(maxsize=64)
def sentence_pattern(language: str) -> re.Pattern[str]:
    """The separator between sentences of `language`, for `re.split`."""
    # Abbreviations grouped by length: a look-behind needs a fixed width. They
    # come after the look-ahead, so they are tried only where a sentence could end.
    by_length: dict[int, list[str]] = {}
    for abbreviation in ABBREVIATIONS.get(language, ()):
        if abbreviation.endswith(".") and len(abbreviation) > 1:
            by_length.setdefault(len(abbreviation), []).append(re.escape(abbreviation[:-1]))
    not_after = "".join(
        rf"(?<!\b(?i:{'|'.join(sorted(group))})\.)" for _, group in sorted(by_length.items())
    )
    latin = rf"[.!?…]*(?=[{_CLOSERS}]*[ \t]+[^a-z\s]){not_after}[{_CLOSERS}]*[ \t]+"
    # One branch that starts with a character class: the regex engine then skips
    # to candidates in C, three times faster than an alternation at the top.
    if is_cjk(language):
        cjk = rf"(?<=[。！？])[。！？]*[{_CLOSERS}]*[ \t]*"
        return re.compile(rf"[。！？.!?…\n](?:{cjk}|(?<=\n)|(?<=[.!?…]){latin})")
    return re.compile(rf"[.!?…\n](?:(?<=\n)|{latin})")


def split_sentences(text: str, language: str) -> list[str]:
    """The sentences of `text` (surrounding white space and final punctuation removed)."""
    return list(filter(None, map(str.strip, sentence_pattern(language).split(text))))


def count_words(text: str) -> int:
    """Words of plain text: runs of characters between white space."""
    return len(text.split())


def count_units(text: str) -> int:
    """Length of CJK text: characters, a run of Latin letters or digits counting as one."""
    return len(_CJK_UNIT.findall(text))
