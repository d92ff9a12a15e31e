"""Text analysis per language: how article text and queries become index terms.

One `Language` per locale decides the analysis:

- **Stemming languages** (English, Swedish, German, Danish, Norwegian, Dutch,
  Finnish, French, Spanish, Italian, Portuguese, Romanian, Russian, Hungarian,
  Turkish, Arabic): words, lower-cased, a few function words dropped, the
  language's Snowball stemmer (Porter2 for English), and accent folding where
  accents do not tell words apart (English and the Romance languages; not
  Swedish, where `å ä ö` are letters of their own).
- **Compounding languages** (Swedish, German, Danish, Norwegian, Dutch): a long
  query word is also tried as a head and a tail of at least four letters whose
  stems are both in the index (`lösenordsåterställning` finds `återställa
  lösenordet`), and a query word also matches the compounds it begins
  (`lösenord` finds `lösenordsbyte`); see `engine.py`.
- **Chinese**: jieba word segmentation in search mode (`密码重置` gives
  `密码重置`, `密码`, `重置`), offline.
- **Japanese and Korean**: overlapping character bigrams of each run of CJK
  characters, the usual approach of search engines without a morphological
  dictionary.

Latin words inside CJK text are analysed as words. `KbAnalyzer` is the Whoosh
analyzer (stored, pickled, in the index schema, so it holds only the language
code); `terms()` and `tokens()` are the same analysis for queries and snippets.
Changing anything here that changes terms must bump `ANALYSIS_VERSION`: the
index is rebuilt when it changes.
"""

from __future__ import annotations

import contextlib
import operator
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from whoosh.analysis import Analyzer, Token

__all__ = [
    "ANALYSIS_VERSION",
    "QUERY_STOP_WORDS",
    "KbAnalyzer",
    "Language",
    "compound_splits",
    "language_for",
    "query_stop_words",
    "script_of",
    "stop_words",
    "term_spans",
    "terms",
    "tokens",
]

ANALYSIS_VERSION = 4

# Whoosh's language codes with a Snowball stemmer.
_STEMMERS = {
    "ar", "da", "nl", "en", "fi", "fr", "de", "hu", "it", "no", "pt", "ro", "ru", "es",
    "sv", "tr",
}  # fmt: skip
_ALIASES = {"nb": "no", "nn": "no", "zh": "zh", "ja": "ja", "ko": "ko"}
_COMPOUNDING = {"sv", "de", "da", "no", "nl"}
# Accents carry no meaning a searcher relies on: fold them (after stemming).
_FOLDING = {"en", "fr", "es", "it", "pt", "ro", "nl", "ca"}

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CJK = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\uff66-\uff9f]"
)
_CJK_RUN = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\uff66-\uff9f]+"
)
_KANA = re.compile(r"[\u3040-\u30ff\uff66-\uff9f]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_MIN_LEN = 2
_MAX_LEN = 40
_COMPOUND_MIN = 9  # shortest word that is split into parts
_PART_MIN = 4  # shortest head or tail


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Index-time stop words: the commonest function words only. Particles that make
# phrasal verbs (`log in`, `sign out`, `logga in`, `melden an`) are kept so that
# phrase queries and synonyms like `sign in` stay exact.
_INDEX_STOP: dict[str, frozenset[str]] = {
    "en": _words(
        """
        a an and are as at be been but by for from has have if is it its of or that the
        their this to was were which with
        """
    ),
    "sv": _words(
        """
        att de dem den denna det detta du där då en ett eller från för har hon han och
        om som så är
        """
    ),
    "de": _words(
        """
        der die das den dem des ein eine einer eines einem einen und oder ist sind wird
        werden mit für von zu im am es
        """
    ),
    "da": _words("og i at det en den til er som på de med af for ikke der var"),
    "no": _words("og i det er som på en et til av for med de den har"),
    "nl": _words("de het een en van is dat die in te zijn"),
    "fr": _words("le la les un une des de du et est à au aux en pour par que qui"),
    "es": _words("el la los las un una unos unas de del y es en que por para"),
    "it": _words("il lo la i gli le un una di del della e è che per"),
    "pt": _words("o a os as um uma de do da dos das e é que para por"),
    "zh": _words("的 了 和 是 在 与 及 或 之 也 就 都 而 吗 呢 吧 啊"),
    "ja": frozenset(),
    "ko": frozenset(),
}

# Words a customer writes around the question that say nothing about the topic:
# left out of `suggest` queries (on top of the language's full stop-word list).
QUERY_STOP_WORDS: dict[str, frozenset[str]] = {
    "en": _words(
        """
        hi hello hey whats wheres hows whos please thanks thank help need want would
        like know tell anyone someone cant can't cannot couldnt couldn't dont don't
        doesnt doesn't isnt isn't wont won't im i'm ive i've my me mine myself our us
        how what why where when which who whom there here any some still just really get
        got getting trying try tried able unable keep keeps way since after before now
        today yesterday again also even much many lot lots thing things something
        anything everything problem issue question way ok okay pls plz asap urgent
        """
    ),
    "sv": _words(
        """
        hej hallå tack snälla hjälp behöver vill skulle kunna kan inte går funkar
        fungerar jag mig min mitt mina vi oss vår hur vad varför var när någon något
        några fortfarande bara just nu igen också problem fråga fel
        """
    ),
    "de": _words(
        """
        hallo bitte danke hilfe brauche möchte kann kein keine nicht ich mich mein meine
        wir uns wie was warum wo wann noch nur jetzt wieder auch problem frage
        """
    ),
    "zh": _words(
        """
        我 我的 我们 你 你们 您 您好 你好 请 请问 谢谢 帮忙 帮助 一下 怎么 怎么办 怎样
        如何 为什么 什么 哪里 可以 能 不能 无法 没有 不 已经
        还是 还 后 之后 时候 问题 一直
        """
    ),
}


@dataclass(frozen=True)
class Language:
    """How one locale's text is analysed."""

    code: str  # whoosh language code, or zh / ja / ko / "" (no stemmer)
    segmentation: str  # words | jieba | bigrams
    stem: bool
    fold: bool
    compounds: bool

    @property
    def name(self) -> str:
        return self.code or "simple"

    def describe(self) -> str:
        """One line for `kbtool index --verbose` and the docs."""
        if self.segmentation == "jieba":
            return "jieba word segmentation (search mode)"
        if self.segmentation == "bigrams":
            return "CJK character bigrams"
        parts = [f"{self.code} Snowball stemmer" if self.stem else "no stemming"]
        if self.compounds:
            parts.append("compound parts")
        if self.fold:
            parts.append("accent folding")
        return ", ".join(parts)


def language_for(locale: str, override: str | None = None) -> Language:
    """The analysis for `locale` (`en`, `sv`, `zh-cn`, `de-DE`...) or an explicit override.

    `override` is a language code (`sv`, `zh`, `ja`...) or `simple` (words,
    lower-cased, no stemming); unknown codes raise ValueError.
    """
    if override:
        code = override.strip().lower()
        if code == "simple":
            return Language("", "words", stem=False, fold=True, compounds=False)
        if code not in _STEMMERS and code not in _ALIASES:
            raise ValueError(f"unknown analyzer {override!r}")
        return _language(_ALIASES.get(code, code))
    base = locale.strip().lower().replace("_", "-").split("-")[0]
    return _language(_ALIASES.get(base, base))


def known_analyzers() -> tuple[str, ...]:
    return (*sorted(_STEMMERS | {"zh", "ja", "ko", "nb", "nn"}), "simple")


def _language(code: str) -> Language:
    if code == "zh":
        return Language("zh", "jieba", stem=False, fold=False, compounds=False)
    if code in ("ja", "ko"):
        return Language(code, "bigrams", stem=False, fold=False, compounds=False)
    if code in _STEMMERS:
        return Language(
            code, "words", stem=True, fold=code in _FOLDING, compounds=code in _COMPOUNDING
        )
    return Language("", "words", stem=False, fold=True, compounds=False)


def stop_words(language: Language) -> frozenset[str]:
    """The words left out of the index for `language` (few: see `_INDEX_STOP`)."""
    return _INDEX_STOP.get(language.code, frozenset())


@cache
def query_stop_words(language: Language) -> frozenset[str]:
    """Words that carry no topic in a ticket or question: the language's full stop list,
    the ticket noise words of `QUERY_STOP_WORDS`, and the index stop words."""
    words: set[str] = set(stop_words(language)) | set(QUERY_STOP_WORDS.get(language.code, ()))
    if language.code in _STEMMERS:
        from whoosh.lang import stopwords_for_language

        with contextlib.suppress(Exception):  # whoosh raises its own NoStopWords
            words |= set(stopwords_for_language(language.code))
    return frozenset(words)


# --------------------------------------------------------------------------- stemming


@cache
def _stemmer(code: str) -> Callable[[str], str]:
    from whoosh.lang import stemmer_for_language

    base: Callable[[str], str] = stemmer_for_language(code)
    if code == "sv":
        return _swedish(base)
    return base


# Snowball Swedish leaves definite forms (`lösenordet`, `fakturan`) and `-ning`
# nouns (`återställning` for `återställa`) alone; these endings are taken off
# after it, keeping at least four letters.
_SV_ENDINGS = ("ningarna", "ningen", "ningar", "ning", "arna", "erna", "orna", "et", "an")


def _swedish(base: Callable[[str], str]) -> Callable[[str], str]:
    def stem(word: str) -> str:
        out = base(word)
        for ending in _SV_ENDINGS:
            if out.endswith(ending) and len(out) - len(ending) >= _PART_MIN:
                return out[: -len(ending)]
        return out

    return stem


def _fold(text: str) -> str:
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class _TermCache(dict[str, "str | None"]):
    """word -> term, computing (and keeping, up to a bound) the terms it has not seen.

    A dict subclass so that a known word costs one C-level lookup:
    `map(cache.__getitem__, words)` analyses a body without a Python call per word.
    """

    def __init__(self, normalizer: _WordNormalizer):
        super().__init__()
        self.normalizer = normalizer

    def __missing__(self, word: str) -> str | None:
        term = self.normalizer.compute(word)
        if len(self) < _CACHE_MAX:
            self[word] = term
        return term


_CACHE_MAX = 200_000


class _WordNormalizer:
    """Lower-cased word -> index term (or None for a stop word), cached per language."""

    def __init__(self, language: Language, stops: frozenset[str]):
        self.language = language
        self.stops = stops
        self.stem = _stemmer(language.code) if language.stem else None
        self.cache = _TermCache(self)

    def __call__(self, word: str) -> str | None:
        return self.cache[word]

    def compute(self, word: str) -> str | None:
        term: str | None
        if word in self.stops or not _MIN_LEN <= len(word) <= _MAX_LEN:
            term = None
        else:
            term = self.stem(word) if self.stem is not None and not word.isdigit() else word
            if self.language.fold:
                term = _fold(term)
        return term

    def parts(self, word: str) -> list[tuple[str, str]]:
        """(head, tail) terms of each split of a compound word (see the module docs)."""
        if len(word) < _COMPOUND_MIN or not word.isalpha():
            return []
        out = []
        for i in range(_PART_MIN, len(word) - _PART_MIN + 1):
            head, tail = self(word[:i]), self(word[i:])
            if head and tail and len(head) >= 3 and len(tail) >= 3:
                out.append((head, tail))
        return out


@lru_cache(maxsize=64)
def _normalizer(language: Language, stops: frozenset[str]) -> _WordNormalizer:
    return _WordNormalizer(language, stops)


# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class TextToken:
    """One term of a text with its position and where it came from."""

    term: str
    pos: int
    start: int
    end: int
    word: str  # the word as written (lower-cased)
    part: bool = False  # a compound part, at the same position as its word


def tokens(
    text: str, language: Language, *, stops: frozenset[str] | None = None
) -> Iterator[TextToken]:
    """The index terms of `text` with positions and character offsets."""
    stoplist = stop_words(language) if stops is None else stops
    if language.segmentation == "jieba":
        yield from _jieba_tokens(text, language, stoplist)
    elif language.segmentation == "bigrams":
        yield from _bigram_tokens(text, language, stoplist)
    else:
        yield from _word_tokens(text, language, stoplist)


def terms(text: str, language: Language, *, stops: frozenset[str] | None = None) -> list[str]:
    """The index terms of `text`, in order (compound parts left out)."""
    return [t.term for t in tokens(text, language, stops=stops) if not t.part]


def _word_tokens(text: str, language: Language, stops: frozenset[str]) -> Iterator[TextToken]:
    normal = _normalizer(language, stops)
    pos = 0
    for match in _WORD.finditer(text.lower()):
        word = match.group()
        if _CJK.search(word):
            # CJK characters in a Latin-script text: bigrams, like Japanese
            for sub in _cjk_bigrams(word, match.start()):
                yield TextToken(sub[0], pos, sub[1], sub[2], sub[0])
                pos += 1
            continue
        term = normal(word)
        if term is None:
            continue
        yield TextToken(term, pos, match.start(), match.end(), word)
        pos += 1


def term_spans(text: str, language: Language, wanted: set[str]) -> list[tuple[int, int, str]]:
    """(start, end, term) of each word of `text` whose term is in `wanted`, in order:
    the same terms as `tokens()`, found without looking at every word in Python (for
    snippets: the text of a long article is tens of thousands of characters)."""
    if not wanted:
        return []
    lowered = text.lower()
    if language.segmentation == "words" and not _CJK.search(text):
        cache = _normalizer(language, stop_words(language)).cache
        words = frozenset(w for w in set(_WORD.findall(lowered)) if cache[w] in wanted)
        if not words:
            return []
        return sorted((s, e, cache[w] or "") for s, e, w in _occurrences(lowered, words))
    if language.segmentation == "bigrams":
        # a pair of CJK characters is a term wherever it occurs; Latin words as words
        spans: list[tuple[int, int, str]] = []
        latin = _normalizer(_language("en"), frozenset()).cache
        words = frozenset(
            w for w in set(_WORD.findall(lowered)) if not _CJK.search(w) and latin[w] in wanted
        )
        spans.extend((s, e, latin[w] or "") for s, e, w in _occurrences(lowered, words))
        for term in wanted:
            if len(term) == 2 and _CJK.search(term):
                start = lowered.find(term)
                while start >= 0:
                    spans.append((start, start + 2, term))
                    start = lowered.find(term, start + 1)
        return sorted(spans)
    return [(t.start, t.end, t.term) for t in tokens(text, language) if t.term in wanted]


def _occurrences(lowered: str, words: Iterable[str]) -> Iterator[tuple[int, int, str]]:
    """(start, end, word) of each occurrence of `words` in `lowered` as a whole word."""
    end_of_text = len(lowered)
    for word in words:
        start = lowered.find(word)
        while start >= 0:
            end = start + len(word)
            if (start == 0 or not _is_word_char(lowered[start - 1])) and (
                end == end_of_text or not _is_word_char(lowered[end])
            ):
                yield start, end, word
            start = lowered.find(word, start + 1)


def _is_word_char(char: str) -> bool:
    return char.isalnum() or (char != "_" and _WORD.match(char) is not None)


def compound_splits(word: str, language: Language) -> list[tuple[str, str]]:
    """(head, tail) terms of each split of a long word in a compounding language.

    For queries: the caller keeps the splits whose parts are both in the index,
    so `lösenordsåterställning` finds `återställa lösenordet`.
    """
    if not language.compounds:
        return []
    return _normalizer(language, stop_words(language)).parts(word.lower())


def _cjk_bigrams(run: str, offset: int) -> Iterator[tuple[str, int, int]]:
    if len(run) == 1:
        yield run, offset, offset + 1
        return
    for i in range(len(run) - 1):
        yield run[i : i + 2], offset + i, offset + i + 2


def _bigram_tokens(text: str, language: Language, stops: frozenset[str]) -> Iterator[TextToken]:
    normal = _normalizer(_language("en"), frozenset())  # Latin words in CJK text
    lowered = text.lower()
    pos = 0
    for match in _WORD.finditer(lowered):
        word = match.group()
        start = match.start()
        if not _CJK.search(word):
            term = normal(word)
            if term is not None:
                yield TextToken(term, pos, start, match.end(), word)
                pos += 1
            continue
        # a word may mix scripts (`API键`): split it into CJK runs and the rest
        last = 0
        for run in _CJK_RUN.finditer(word):
            if run.start() > last:
                latin = normal(word[last : run.start()])
                if latin is not None:
                    yield TextToken(latin, pos, start + last, start + run.start(), latin)
                    pos += 1
            for gram, s, e in _cjk_bigrams(run.group(), start + run.start()):
                if gram not in stops:
                    yield TextToken(gram, pos, s, e, gram)
                    pos += 1
            last = run.end()
        if last < len(word):
            latin = normal(word[last:])
            if latin is not None:
                yield TextToken(latin, pos, start + last, start + len(word), latin)
                pos += 1


def _bigram_terms(lowered: str, stops: frozenset[str], *, words: bool = False) -> list[str]:
    """The terms of `_bigram_tokens(text)` in order (`lowered` is the text lower-cased),
    or with `words` their `word`s: the same analysis with strings only."""
    latin = _normalizer(_language("en"), frozenset()).cache
    out: list[str] = []
    for word in _WORD.findall(lowered):
        if not _CJK.search(word):
            term = latin[word]
            if term is not None:
                out.append(word if words else term)
            continue
        last = 0
        for run in _CJK_RUN.finditer(word):
            if run.start() > last:
                term = latin[word[last : run.start()]]
                if term is not None:
                    out.append(term)
            chars = run.group()
            grams = [chars] if len(chars) == 1 else list(map(operator.add, chars, chars[1:]))
            out.extend([g for g in grams if g not in stops] if stops else grams)
            last = run.end()
        if last < len(word):
            term = latin[word[last:]]
            if term is not None:
                out.append(term)
    return out


@cache
def _jieba() -> Any:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def _jieba_tokens(text: str, language: Language, stops: frozenset[str]) -> Iterator[TextToken]:
    jieba = _jieba()
    known = jieba.dt.FREQ
    normal = _normalizer(_language("en"), frozenset())
    pos = 0
    for word, start, end in jieba.tokenize(text):
        lowered = word.strip().lower()
        if not lowered or not _WORD.fullmatch(lowered):
            continue
        if not _CJK.search(lowered):
            term = normal(lowered)
            if term is not None:
                yield TextToken(term, pos, start, end, lowered)
                pos += 1
            continue
        if lowered in stops:
            continue
        yield TextToken(lowered, pos, start, end, lowered)
        # search mode: the dictionary words inside a long word, at its position
        # (`密码重置` also gives `密码` and `重置`), as jieba's cut_for_search does
        if len(lowered) > 2:
            for n in (2, 3):
                for i in range(len(lowered) - n + 1):
                    gram = lowered[i : i + n]
                    if gram != lowered and known.get(gram) and gram not in stops:
                        yield TextToken(gram, pos, start + i, start + i + n, gram, part=True)
        pos += 1


def script_of(text: str) -> str:
    """`zh`, `ja` or `ko` for text with CJK characters, else `latin`."""
    if _KANA.search(text):
        return "ja"
    if _HANGUL.search(text):
        return "ko"
    if _CJK.search(text):
        return "zh"
    return "latin"


# --------------------------------------------------------------------------- whoosh


class KbAnalyzer(Analyzer):  # type: ignore[misc]
    """The Whoosh analyzer of one language: `tokens()` as Whoosh tokens.

    Pickled into the index schema: it keeps only the language, never caches.
    """

    def __init__(self, language: Language):
        self.language = language

    def __eq__(self, other: object) -> bool:
        return isinstance(other, KbAnalyzer) and other.language == self.language

    def __hash__(self) -> int:
        return hash(self.language)

    def __repr__(self) -> str:
        return f"KbAnalyzer({self.language.name})"

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        token.boost = 1.0
        token.stopped = False
        language = self.language
        if language.segmentation == "words" and not _CJK.search(value):
            # the fast path of `_word_tokens` for the common case: no objects per word
            cache = _normalizer(language, stop_words(language)).cache
            pos = start_pos
            for match in _WORD.finditer(value.lower()):
                word = match.group()
                term = cache[word]
                if term is None:
                    continue
                token.text = term
                if positions:
                    token.pos = pos
                if chars:
                    token.startchar = start_char + match.start()
                    token.endchar = start_char + match.end()
                if keeporiginal:
                    token.original = word
                pos += 1
                yield token
            return
        for item in tokens(value, language):
            token.text = item.term
            if positions:
                token.pos = start_pos + item.pos
            if chars:
                token.startchar = start_char + item.start
                token.endchar = start_char + item.end
            if keeporiginal:
                token.original = item.word
            yield token

    def positions(self, value: str) -> dict[str, list[int]]:
        """Each term of `value` with its positions: what the index stores, computed
        without a Whoosh token per word (`schema.Positions.word_values` uses it)."""
        out: dict[str, list[int]] = {}
        language = self.language
        if language.segmentation == "words" and not _CJK.search(value):
            cache = _normalizer(language, stop_words(language)).cache
            # stop words map to None: filter(None, ...) drops them without a Python call
            found = filter(None, map(cache.__getitem__, _WORD.findall(value.lower())))
            for pos, term in enumerate(found):
                seen = out.get(term)
                if seen is None:
                    out[term] = [pos]
                else:
                    seen.append(pos)
            return out
        if language.segmentation == "bigrams":
            # Japanese and Korean: the terms of `_bigram_tokens`, without a token object each
            for pos, term in enumerate(_bigram_terms(value.lower(), stop_words(language))):
                seen = out.get(term)
                if seen is None:
                    out[term] = [pos]
                else:
                    seen.append(pos)
            return out
        for item in tokens(value, language):
            seen = out.get(item.term)
            if seen is None:
                out[item.term] = [item.pos]
            else:
                seen.append(item.pos)
        return out


def spell_words(text: str, language: Language) -> set[str]:
    """The distinct words of `text` as a reader writes them (for spelling suggestions)."""
    if language.segmentation == "words":
        return {
            w
            for w in _WORD.findall(text.lower())
            if 3 <= len(w) <= _MAX_LEN and not w.isdigit() and not _CJK.search(w)
        }
    if language.segmentation == "bigrams":
        return set(_bigram_terms(text.lower(), frozenset(), words=True))
    return {t.word for t in tokens(text, language, stops=frozenset()) if not t.part}
