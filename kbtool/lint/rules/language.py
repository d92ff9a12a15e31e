"""Language and style rules (KB4xx): how the prose reads, per locale.

The rules read the article's prose as `kbtool.markdown` gives it: plain text of
paragraphs, list items, table cells and callouts, without markup and without
code. Measures that need sentences (readability, sentence length) work on that
text. Checks that point at a column (placeholders, terms, repeated words)
first look for their words among the prose's tokens, one set intersection per
article; only where that finds something do they search the raw body, and keep
a match only if a reader sees it as text (not code, a comment, a URL, a link
target or an HTML tag).

Every rule depends on the article's locale through its base language
(`de-de` -> `de`, `zh-cn` -> `zh`); options marked per locale take a value or
a table by locale (`sentence_max_words = { default = 35, de = 25 }`).
Language data (phrase lists, abbreviations, syllables, formulas) lives in
`kbtool.language`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import pairwise
from operator import eq
from typing import TYPE_CHECKING, Any

from kbtool.corpus import Article
from kbtool.corpus.model import Severity
from kbtool.language import base_language, count_units, is_cjk
from kbtool.language.data import (
    DISCOURAGED_TERMS,
    JARGON,
    LEAVE_OUT,
    PASSIVE,
    PLACEHOLDER_MARKERS,
    PLACEHOLDER_PHRASES,
    REPEATED_PARTICLES,
    REPEATED_WORD_EXCEPTIONS,
    Term,
)
from kbtool.language.readability import TextStats, flesch_reading_ease, lix, long_words
from kbtool.language.sentences import sentence_pattern
from kbtool.language.syllables import total_syllables
from kbtool.lint.context import RuleContext
from kbtool.lint.diagnostic import Diagnostic, Fix, TextEdit
from kbtool.lint.registry import Option, rule

if TYPE_CHECKING:
    from kbtool.markdown import Document, Paragraph

__all__: list[str] = []

# --------------------------------------------------------------------------- options


def _pick(value: Any, locale: str) -> Any:
    """A per-locale option's value for `locale`: the value itself, or its table's entry."""
    if not isinstance(value, Mapping):
        return value
    raw_base = locale.replace("_", "-").split("-", 1)[0].lower()
    for key in (locale, locale.lower(), raw_base, base_language(locale), "default"):
        if key in value:
            return value[key]
    return None


def _locale_option(ctx: RuleContext, name: str) -> Any:
    """Option `name` for the article's locale; a configured table falls back to the default."""
    locale = ctx.article.locale or ""
    found = _pick(getattr(ctx.options, name), locale)
    if found is None:
        default = next((o.default for o in ctx.rule.options if o.name == name), None)
        found = _pick(default, locale)
    return found


# --------------------------------------------------------------------------- the article

# Spans on one line that readers do not see as prose.
_LINE_MASKS = re.compile(
    r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)"  # inline code
    r"|\]\([^)\s]*(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)"  # link targets
    r"|^[ \t]*(?::::.*|\[[^\]]+\]:[ \t]*\S.*)$"  # ::: blocks, link definitions
    r"|<?\b(?:https?|ftp|mailto):[^\s<>)\]]*>?|\bwww\.[^\s<>)\]]+"  # URLs
    r"|</?[A-Za-z][^>]*>"  # HTML tags
    r"|\{#[^}]*\}"  # heading ids
)
# Names of things in the product's interface, which the text must quote as they
# are: bold (the convention for UI labels) and Adobe's UI and do-not-translate markup.
_UI_MASKS = re.compile(r"\*\*[^*]+?\*\*|__[^_]+?__|\[!(?:UICONTROL|DNL)\s[^\]]*\]", re.IGNORECASE)
_PUNCTUATION = "\"'’‘“”()[]{}<>,.;:!?…*_`~|/\\#@%^&=+–—•·«»"
_TERMINAL = frozenset(".!?:;…。！？：；")
_CLOSERS = "\"'’”)]»」』） \t"
_FRAGMENT_WORDS = 8  # a block this long without a full stop is still prose


class _Analysis:
    """What the KB4 rules share about one article, each part computed when first asked for.

    The cheap parts (prose text, its tokens) serve as quick tests; the costly
    ones (line offsets, what is code) are computed only for an article where a
    quick test found something.
    """

    def __init__(self, article: Article, doc: Document):
        self.article = article
        self.doc = doc
        self.language = base_language(article.locale)
        self.cjk = is_cjk(self.language)  # no spaces between words: tokens are no words
        self.body = article.body

    # -- prose

    @cached_property
    def texts(self) -> list[str]:
        return [p.text for p in self.doc.paragraphs]

    @cached_property
    def prose(self) -> list[str]:
        """The blocks that read as prose: they end like a sentence, or run long on one line.

        A block of several lines without a full stop is a list written as lines
        (one link per line, say), not a sentence.
        """
        return [
            p.text
            for p in self.doc.paragraphs
            if p.text.rstrip(_CLOSERS)[-1:] in _TERMINAL
            or (p.line == p.end_line and p.text.count(" ") >= _FRAGMENT_WORDS - 1)
        ]

    @cached_property
    def prose_sentences(self) -> list[str]:
        """The sentences of the prose blocks, in order (a block never runs into the next)."""
        return list(filter(None, sentence_pattern(self.language).split("\n".join(self.prose))))

    @cached_property
    def stats(self) -> TextStats:
        """Readability counts over the prose blocks (not labels, link lists or headings)."""
        stats = TextStats(sentences=len(self.prose_sentences))
        tokens = "\n".join(self.prose).split()
        if self.language == "en":
            stats.words, stats.syllables = total_syllables(tokens)
        else:
            stats.words = len(tokens)
            stats.long_words = long_words(tokens)
        return stats

    @cached_property
    def joined(self) -> str:
        """All text a reader sees: prose, headings and image alt text.

        A NUL line stands between blocks, so that no pair of words spans two.
        """
        return "\n\0\n".join(
            [
                *self.texts,
                *(h.text for h in self.doc.headings),
                *(i.text for i in self.doc.images if i.text),
            ]
        )

    @cached_property
    def lowered(self) -> str:
        return self.joined.lower()

    @cached_property
    def lower_tokens(self) -> list[str]:
        """The prose and headings in lower case, split at white space."""
        return self.lowered.split()

    @cached_property
    def token_set(self) -> frozenset[str]:
        """The lower-case tokens, punctuation and all (`"settings,"`): see `_variants`."""
        return frozenset(self.lower_tokens)

    # -- the source

    @cached_property
    def starts(self) -> list[int]:
        """Offsets in the body where each line starts."""
        body = self.body
        starts = [0]
        find = body.find
        index = find("\n")
        while index >= 0:
            starts.append(index + 1)
            index = find("\n", index + 1)
        return starts

    def position(self, offset: int) -> tuple[int, int]:
        """(file line, column) of a body offset; both 1-based."""
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + self.article.body_line, offset - self.starts[index] + 1

    def line_start(self, file_line: int) -> int:
        index = file_line - self.article.body_line
        if index <= 0:
            return 0
        return self.starts[index] if index < len(self.starts) else len(self.body)

    def line_end(self, file_line: int) -> int:
        """Offset of the end of `file_line`'s text (before its line break)."""
        start, end = self.line_start(file_line), self.line_start(file_line + 1)
        while end > start and self.body[end - 1] in "\r\n":
            end -= 1
        return end

    def is_hidden(self, offset: int, *, html: bool = False, ui: bool = False) -> bool:
        """Is the body text at `offset` something other than prose a reader sees?

        Code (blocks and inline), HTML comments and tags, URLs, link targets
        and `:::` blocks are hidden; so are raw HTML blocks
        unless `html` is true, and with `ui` also names of UI elements (bold
        text, `[!UICONTROL ...]`, `[!DNL ...]`), which must be quoted as they are.
        """
        line, column = self.position(offset)
        if line not in self.prose_lines and not (html and line in self.html_lines):
            return True
        opened = self.body.rfind("<!--", 0, offset)
        if opened >= 0 and self.body.find("-->", opened, offset) < 0:
            return True
        start = self.line_start(line)
        text = self.body[start : self.line_end(line)]
        if any(m.start() < column <= m.end() for m in _LINE_MASKS.finditer(text)):
            return True
        return ui and any(m.start() < column <= m.end() for m in _UI_MASKS.finditer(text))

    @cached_property
    def html_lines(self) -> frozenset[int]:
        return frozenset(
            n
            for line, html in self.doc.html_blocks
            for n in range(line, line + html.count("\n") + 1)
        )

    @cached_property
    def prose_lines(self) -> frozenset[int]:
        """File lines that hold text: paragraphs, list items, table rows, headings, images."""
        lines: set[int] = {h.line for h in self.doc.headings}
        lines.update(i.line for i in self.doc.images)
        for p in self.doc.paragraphs:
            lines.update(range(p.line, p.end_line + 1))
        return frozenset(lines)


# All rules see one article after another: keep the analysis of the last one.
_last: list[_Analysis] = []


def _analysis(article: Article, ctx: RuleContext) -> _Analysis:
    cached = _last[0] if _last else None
    if cached is not None and cached.article is article:
        return cached
    found = _Analysis(article, ctx.doc)
    _last[:] = [found]
    return found


def _snippet(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --------------------------------------------------------------------------- KB401


@rule(
    "KB401",
    "readability",
    severity=Severity.WARNING,
    options=(
        Option(
            "readability_min",
            {"en": 40},
            "Lowest Flesch reading ease (English; higher is easier).",
            per_locale=True,
        ),
        Option(
            "lix_max",
            {"sv": 50, "da": 50, "nb": 50, "de": 60},
            "Highest LIX (the locales listed are scored with LIX; lower is easier).",
            per_locale=True,
        ),
        Option(
            "readability_min_words",
            100,
            "Articles with fewer words of prose are not scored.",
            per_locale=True,
        ),
    ),
)
def readability(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """The article's prose is hard to read for its language.

    The article's prose is scored as a whole: paragraphs, list items, callouts
    and table cells that read as sentences (they end with a full stop, or run
    to eight words or more on one line; not headings, labels, link lists or
    code). English is scored with Flesch reading ease; Swedish, Danish,
    Norwegian and German (and any other locale given a `lix_max`) with LIX.
    Languages without a formula, such as Chinese and Japanese, are not scored,
    and neither are short articles, whose score swings with a single sentence.
    The finding sits on the first paragraph and gives the score with its two
    parts: words per sentence and syllables per word (or the share of long
    words).

    Why: people come to a help center with a problem and little patience; long
    sentences and long words are what make text slow to read. Flesch 60-70 and
    LIX under 40 are plain language; Flesch under 30 and LIX over 60 read like
    contracts.
    Example: "Prior to the utilization of the synchronization functionality,
    administrators are required to ascertain that the configuration of the
    integration has been finalized."
    Use instead: "Before you turn on synchronization, check that the integration
    is set up."
    Options: `readability_min` (Flesch, per locale, default `{ en = 40 }`),
    `lix_max` (per locale, default `{ sv = 50, da = 50, nb = 50, de = 60 }`),
    `readability_min_words` (per locale, default 100).
    """
    language = base_language(article.locale)
    if is_cjk(language):
        return
    minimum = _locale_option(ctx, "readability_min") if language == "en" else None
    maximum = _locale_option(ctx, "lix_max") if language != "en" else None
    if minimum is None and maximum is None:
        return
    found = _analysis(article, ctx)
    stats = found.stats
    if not stats.sentences or stats.words < int(_locale_option(ctx, "readability_min_words") or 0):
        return
    per_sentence = stats.words / stats.sentences
    first = ctx.doc.first_paragraph or (ctx.doc.paragraphs[0] if ctx.doc.paragraphs else None)
    line = first.line if first else article.body_line
    if minimum is not None:
        score = flesch_reading_ease(stats.words, stats.sentences, stats.syllables)
        if score < float(minimum):
            yield ctx.report(
                line,
                f"hard to read: Flesch reading ease {score:.0f}, below {minimum} "
                f"({per_sentence:.1f} words per sentence, "
                f"{stats.syllables / stats.words:.2f} syllables per word); "
                "use shorter sentences and plainer words",
            )
    elif maximum is not None:
        score = lix(stats.words, stats.sentences, stats.long_words)
        if score > float(maximum):
            yield ctx.report(
                line,
                f"hard to read: LIX {score:.0f}, above {maximum} "
                f"({per_sentence:.1f} words per sentence, "
                f"{100 * stats.long_words / stats.words:.0f}% long words); "
                "use shorter sentences and plainer words",
            )


# --------------------------------------------------------------------------- KB402


@rule(
    "KB402",
    "long-sentence",
    severity=Severity.WARNING,
    options=(
        Option("sentence_max_words", 35, "Most words in a sentence.", per_locale=True),
        Option(
            "sentence_max_chars",
            90,
            "Most characters in a Chinese or Japanese sentence (a Latin word counts as one).",
            per_locale=True,
        ),
    ),
)
def long_sentence(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A sentence is too long to take in at one reading.

    Sentences are counted in words; Chinese and Japanese sentences, written
    without spaces, in characters (a run of Latin letters or digits counts as
    one). Each paragraph, list item, table cell and callout is split on its
    own, so a list item or a cell is never joined to the text around it. The
    finding points at the line and column where the sentence starts.

    Why: readers scan help articles for the step they need; a sentence that
    runs past 30 words hides that step in clauses, and machine translation
    handles it worse too.
    Example: "If you have set up a payment method and your invoice has not
    arrived after the billing date, which can happen when your bank declines
    the charge, check the billing page, where you can retry the payment or
    change the method that we charge, or contact us."
    Use instead: "Your invoice may be late if your bank declined the charge.
    Check the billing page: retry the payment there, or change the payment
    method."
    Options: `sentence_max_words` (per locale, default 35), `sentence_max_chars`
    (Chinese and Japanese, per locale, default 90).
    """
    language = base_language(article.locale)
    cjk = is_cjk(language)
    limit = int(_locale_option(ctx, "sentence_max_chars" if cjk else "sentence_max_words") or 0)
    if limit <= 0:
        return
    # a sentence of more than `limit` words has at least 2 * limit characters
    shortest = limit if cjk else 2 * limit
    found = _analysis(article, ctx)
    unit = "characters" if cjk else "words"
    sentences = (
        found.prose_sentences
        if not cjk and limit >= _FRAGMENT_WORDS
        else [
            s
            for text in found.texts
            if len(text) > shortest
            for s in sentence_pattern(language).split(text)
        ]
    )
    paragraphs = iter(ctx.doc.paragraphs)
    paragraph: Paragraph | None = None
    cursor = plain_cursor = 0
    for sentence in sentences:
        if len(sentence) <= shortest:
            continue
        length = count_units(sentence) if cjk else len(sentence.split())
        if length <= limit:
            continue
        sentence = sentence.strip()
        plain = paragraph.text.find(sentence, plain_cursor) if paragraph else -1
        while paragraph is None or plain < 0:
            previous_line = paragraph.line if paragraph else 0
            paragraph = next(paragraphs, None)
            if paragraph is None:
                return
            plain = paragraph.text.find(sentence)
            if paragraph.line != previous_line:  # cells of a table row share their line
                cursor = 0
        plain_cursor = plain + len(sentence)
        # markup only adds characters: the sentence starts no earlier in the source
        cursor = max(cursor, found.line_start(paragraph.line) + plain)
        offset = _locate(found, paragraph, sentence, cursor)
        if offset is None:
            line, column = paragraph.line, 1
        else:
            line, column = found.position(offset)
            cursor = offset + len(sentence)
        yield ctx.report(
            line,
            f'sentence has {length} {unit}; keep it to {limit}: "{_snippet(sentence)}"',
            column=column,
        )


def _locate(found: _Analysis, paragraph: Paragraph, sentence: str, cursor: int) -> int | None:
    """Body offset where `sentence` starts, searching the paragraph's lines from `cursor`.

    The first word of the sentence whose next word follows within a few
    characters (markup may stand between them); else the first word's first
    occurrence.
    """
    end = found.line_start(paragraph.end_line + 1)
    if is_cjk(found.language):
        # no spaces: the first few letters, up to any markup, then the next few
        words = re.findall(r"[^\W_]{1,2}", sentence)[:2]
    else:
        words = [w.strip(_PUNCTUATION) or w for w in sentence.split()[:2]]
    if not words:
        return None
    body, first = found.body, words[0]
    position = body.find(first, cursor, end)
    fallback = position if position >= 0 else None
    for _ in range(20):
        if position < 0:
            break
        after = position + len(first)
        if len(words) < 2 or 0 <= body.find(words[1], after, after + 80) < after + 80:
            return position
        position = body.find(first, after, end)
    return fallback


# --------------------------------------------------------------------------- phrase lists


def _phrase_regex(phrases: Iterable[str]) -> str:
    """Alternatives for phrases: whole words, any white space between the words."""
    return "|".join(
        r"\s+".join(re.escape(word).replace("'", "['’]") for word in phrase.split())
        for phrase in sorted(phrases, key=len, reverse=True)
    )


_OPENERS = ("", "(", "[", '"', "“", "„", "'", "‘", "«", "*", "_", "¿", "¡")
_ENDINGS = (
    "",
    ",",
    ".",
    ":",
    ";",
    "!",
    "?",
    ")",
    "]",
    '"',
    "”",
    "'",
    "’",
    "»",
    "…",
    "*",
    "_",
    "),",
    ").",
    '",',
    '".',
    "”,",
    "”.",
    "',",
    "'.",
    "’,",
    "’.",
    "'s",
    "’s",
)


def _variants(word: str) -> set[str]:
    """A word as a white-space token may show it: with punctuation before and after."""
    spellings = {word, word.replace("'", "’")}
    return {f"{before}{w}{after}" for w in spellings for before in _OPENERS for after in _ENDINGS}


def _normal(phrase: str) -> str:
    return " ".join(phrase.lower().replace("’", "'").split())


@dataclass(frozen=True)
class _PhraseList:
    """Phrases with their advice, and the tokens that show one may be in an article.

    A phrase in lower case matches in any case; one written with a capital
    letter (a product name, `"Wordpress" = "WordPress"`) matches only as written.
    """

    entries: Mapping[str, tuple[str, str]]  # normalised phrase -> (suggestion, why)
    keys: Mapping[str, tuple[str, ...]]  # a token of each phrase -> phrases with that word
    key_set: frozenset[str] = frozenset()
    exact: Mapping[str, str] = field(default_factory=dict)  # normalised -> as written

    @classmethod
    def build(cls, terms: Iterable[Term], configured: Mapping[str, str]) -> _PhraseList:
        entries: dict[str, tuple[str, str]] = {}
        exact: dict[str, str] = {}
        pairs = [(p, t.suggestion, t.why) for t in terms for p in t.phrases]
        pairs += [(p, suggestion, "") for p, suggestion in configured.items() if p.strip()]
        for phrase, suggestion, why in pairs:
            normal = _normal(phrase)
            entries[normal] = (suggestion, why)
            if phrase != phrase.lower():
                exact[normal] = " ".join(phrase.split())
            else:
                exact.pop(normal, None)
        if not entries:
            return cls({}, {})
        keys: dict[str, list[str]] = {}
        for phrase in entries:
            # the longest word is the rarest, as a rule: the quick test looks it up
            key = max((w.strip(_PUNCTUATION) or w for w in phrase.split()), key=len)
            for variant in _variants(key):
                keys.setdefault(variant, []).append(phrase)
        return cls(entries, {k: tuple(v) for k, v in keys.items()}, frozenset(keys), exact)

    def present(self, found: _Analysis) -> frozenset[str]:
        """The phrases that the article's prose (probably) holds.

        One set intersection with the article's tokens, then a substring test
        for the phrases whose word is there: cheap enough for every article.
        """
        lowered = found.lowered
        if found.cjk:
            return frozenset(
                p for p in self.entries if p in lowered or p.replace("'", "’") in lowered
            )
        hits = found.token_set & self.key_set  # iterates over the smaller set
        if not hits:
            return frozenset()
        return frozenset(
            p
            for key in hits
            for p in self.keys[key]
            if p in lowered or p.replace("'", "’") in lowered
        )

    def finditer(
        self, text: str, phrases: frozenset[str], *, cjk: bool = False
    ) -> list[re.Match[str]]:
        """Matches in `text` of `phrases` (from `present`), in order.

        Whole words, except in Chinese and Japanese, where words have no spaces
        to tell where they end.
        """
        exact = frozenset(self.exact[p] for p in phrases if p in self.exact)
        loose = frozenset(p for p in phrases if p not in self.exact)
        matches = [
            *(_pattern(loose, True, cjk).finditer(text) if loose else ()),
            *(_pattern(exact, False, cjk).finditer(text) if exact else ()),
        ]
        return sorted(matches, key=lambda m: m.start())

    def advice(self, matched: str) -> tuple[str, str, bool]:
        """(suggestion, why, matched in any case) for the text of a match."""
        normal = _normal(matched)
        suggestion, why = self.entries.get(normal, ("", ""))
        return suggestion, why, normal not in self.exact


@lru_cache(maxsize=64)
def _phrase_list(
    kind: str, language: str, builtin: bool, configured: tuple[tuple[str, str], ...]
) -> _PhraseList:
    source = DISCOURAGED_TERMS if kind == "terms" else JARGON
    return _PhraseList.build(source.get(language, ()) if builtin else (), dict(configured))


@lru_cache(maxsize=256)
def _pattern(phrases: frozenset[str], ignore_case: bool, cjk: bool = False) -> re.Pattern[str]:
    alternatives = _phrase_regex(phrases)
    regex = rf"(?:{alternatives})" if cjk else rf"(?<![\w'’-])(?:{alternatives})(?![\w'’-])"
    return re.compile(regex, re.IGNORECASE if ignore_case else 0)


# --------------------------------------------------------------------------- KB403


# Boundaries are Latin letters and digits only: in Chinese and Japanese a marker
# stands right next to the text ("确认TODO").
_MARKERS = re.compile(
    r"(?<![A-Za-z0-9_-])(?P<hit>" + "|".join(PLACEHOLDER_MARKERS) + r")s?(?![A-Za-z0-9_-])"
    r"|(?m:^[ \t>*+\-]*(?:\d+[.)][ \t]+)?)(?P<xxx>XXX)(?![A-Za-z0-9_-])"
    r"|(?<![A-Za-z0-9_-])(?P<xxx2>XXX)(?=[ \t]*:)"
)
_MARKER_WORDS = (*PLACEHOLDER_MARKERS, "XXX")
_MARKER_TOKENS = frozenset(
    v for m in _MARKER_WORDS for v in _variants(m.lower()) | _variants(m.lower() + "s")
)


@lru_cache(maxsize=32)
def _placeholder_phrases(extra: tuple[str, ...]) -> tuple[re.Pattern[str], _PhraseList]:
    """The phrases' pattern, and the phrase list for the quick test."""
    phrases = [*PLACEHOLDER_PHRASES, *(p for p in extra if p.strip())]
    pattern = re.compile(rf"(?<![\w-])(?:{_phrase_regex(phrases)})(?![\w-])", re.IGNORECASE)
    return pattern, _PhraseList.build((Term(tuple(phrases), LEAVE_OUT),), {})


def _placeholder_hits(text: str, phrases: re.Pattern[str]) -> list[tuple[int, int]]:
    hits: list[tuple[int, int]] = []
    for match in _MARKERS.finditer(text):
        group = next(g for g in ("hit", "xxx", "xxx2") if match.group(g))
        hits.append(match.span(group))
    hits.extend(match.span() for match in phrases.finditer(text))
    return sorted(set(hits))


def _has_placeholder(text: str, phrases: re.Pattern[str]) -> bool:
    return bool(_MARKERS.search(text) or phrases.search(text))


@rule(
    "KB403",
    "placeholder-text",
    severity=Severity.ERROR,
    options=(
        Option(
            "placeholders", [], "More placeholder phrases (matched in any case, as whole words)."
        ),
    ),
)
def placeholder_text(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """The article still holds placeholder text: TODO, TBD, FIXME, lorem ipsum.

    Searched in the body and in front-matter values (a `description: TODO ...`
    from a template counts). `TODO`, `TBD`, `FIXME` and `TK` count in capitals
    only; `XXX` only as a marker (`XXX:` or at the start of a line), since prose
    also uses it for an example value ("cluster XXX"); phrases such as "lorem
    ipsum" and "insert link here" in any case. Code blocks, inline code, HTML
    comments and URLs are not searched: a `TODO` there is not shown to readers.

    Why: a published "TODO" tells customers the answer is not there yet. The
    article templates start with `TODO` on purpose, so that a new article fails
    the lint until it is written.
    Example: `TODO: add a screenshot of the billing page.`
    Use instead: the finished text, or nothing.
    Options: `placeholders` (more phrases, e.g. `["to be written"]`).
    """
    extra = tuple(str(p) for p in ctx.options.placeholders or ())
    phrases, quick = _placeholder_phrases(extra)
    found = _analysis(article, ctx)
    if found.cjk:
        candidate = any(m in found.joined for m in _MARKER_WORDS)
    else:
        candidate = not found.token_set.isdisjoint(_MARKER_TOKENS)
    candidate = candidate or bool(quick.present(found))
    if not candidate:
        candidate = any(_has_placeholder(html, phrases) for _, html in ctx.doc.html_blocks)
    if candidate:
        for start, end in _placeholder_hits(found.body, phrases):
            if found.is_hidden(start, html=True):
                continue
            line, column = found.position(start)
            yield ctx.report(
                line,
                f'placeholder text "{_snippet(found.body[start:end])}": '
                "finish the text or remove it",
                column=column,
                end_line=line,
                end_column=column + end - start,
            )
    yield from _front_matter_placeholders(article, ctx, phrases)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _front_matter_placeholders(
    article: Article, ctx: RuleContext, phrases: re.Pattern[str]
) -> Iterator[Diagnostic]:
    keys = [
        key
        for key, value in article.meta.items()
        if any(_has_placeholder(s, phrases) for s in _strings(value))
    ]
    if not keys:
        return
    try:
        text = article.path.read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff")
    except OSError:
        text = ""
    lines = text.split("\n")
    closing = min(article.body_line - 1, len(lines))  # the front matter's closing `---`
    key_starts = sorted(set(article.key_lines.values()))
    for key in keys:
        first = article.key_line(key)
        stop = next((n for n in key_starts if n > first), closing)
        reported = False
        for number in range(first, max(min(stop, closing), first + 1)):
            line_text = lines[number - 1].rstrip("\r") if number <= len(lines) else ""
            if number == first:
                # the value only: the key's own name may be any word
                colon = line_text.find(":")
                line_text = " " * (colon + 1) + line_text[colon + 1 :]
            for start, end in _placeholder_hits(line_text, phrases):
                reported = True
                yield ctx.report(
                    number,
                    f'placeholder text "{_snippet(line_text[start:end])}" '
                    f"in `{key}`: write the real value",
                    column=start + 1,
                    end_line=number,
                    end_column=end + 1,
                )
        if not reported:
            yield ctx.report(first, f"placeholder text in `{key}`: write the real value")


# --------------------------------------------------------------------------- KB404 / KB407


def _configured_terms(value: Any, locale: str) -> tuple[tuple[str, str], ...]:
    """`{ "e-mail" = "email" }` for every locale, `{ de = { ... } }` for one, or both."""
    if not isinstance(value, Mapping):
        return ()
    terms = {
        str(k): "" if v is None else str(v) for k, v in value.items() if not isinstance(v, Mapping)
    }
    tables = {str(k): v for k, v in value.items() if isinstance(v, Mapping)}
    chosen = _pick(tables, locale) if tables else None
    if isinstance(chosen, Mapping):
        terms.update({str(k): "" if v is None else str(v) for k, v in chosen.items()})
    return tuple(sorted(terms.items()))


def _is_title_case(text: str) -> bool:
    words = [w for w in re.split(r"[\s\-]+", text) if w]
    return all(w[:1].isupper() for w in words)


def _phrase_findings(
    article: Article, ctx: RuleContext, phrases: _PhraseList, label: str
) -> Iterator[Diagnostic]:
    if not phrases.entries:
        return
    found = _analysis(article, ctx)
    present = phrases.present(found)
    if not present:
        return
    for match in phrases.finditer(found.body, present, cjk=found.cjk):
        suggestion, why, any_case = phrases.advice(match.group())
        if (
            any_case
            and _is_title_case(match.group())
            and not _sentence_start(found.body, match.start())
        ):
            continue  # a name ("the E-Mail field"), not the discouraged word
        if found.is_hidden(match.start(), ui=True):
            continue
        line, column = found.position(match.start())
        advice = "leave it out" if suggestion == LEAVE_OUT else f'use "{suggestion}"'
        reason = f" ({why})" if why else ""
        end_line, end_column = found.position(match.end())
        yield ctx.report(
            line,
            f'{label} "{" ".join(match.group().split())}": {advice}{reason}',
            column=column,
            end_line=end_line,
            end_column=end_column,
        )


@rule(
    "KB404",
    "discouraged-term",
    severity=Severity.WARNING,
    options=(
        Option(
            "terms",
            {},
            'Terms to avoid and what to write instead: `{ "e-mail" = "email" }`, or a '
            'table per locale (`{ de = { "E-Mail-Adresse" = "E-Mail" } }`); an empty '
            "replacement means: leave it out.",
            per_locale=True,
        ),
        Option("builtin_terms", True, "Also check the built-in plain-language list."),
    ),
)
def discouraged_term(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A discouraged or banned term is used; the message says what to write instead.

    Terms come from the `terms` option plus a short built-in list of
    plain-language replacements for the article's language (English:
    "utilize", "in order to", "prior to", "please note", "simply", "just need
    to", "e-mail"; Swedish: "erhålla", "i syfte att", "vänligen"; German:
    "zwecks", "seitens", "mittels"). A term in lower case matches in any case;
    one written with a capital letter matches only as written, so
    `"Wordpress" = "WordPress"` leaves "WordPress" alone. Matches are whole
    words in prose and headings, not in code, URLs or comments, and not in the
    names of UI elements the text quotes (bold text, `[!UICONTROL ...]`, or a
    capitalised "E-Mail" in the middle of a sentence), which must match the
    product. There is no automatic fix: a replacement often needs the words
    around it to change too.

    Why: plain words are faster to read and easier to translate, and a team's
    terminology (product names, "sign in" not "log in") stays consistent only
    if something checks it. Words like "simply" and "just" tell a reader who is
    stuck that the problem is them.
    Example: "In order to utilize exports, simply select Export."
    Use instead: "To use exports, select Export."
    Options: `terms` (table of term = replacement, or tables per locale),
    `builtin_terms` (default true).
    """
    configured = _configured_terms(ctx.options.terms, article.locale or "")
    language = base_language(article.locale)
    phrases = _phrase_list("terms", language, bool(ctx.options.builtin_terms), configured)
    yield from _phrase_findings(article, ctx, phrases, "discouraged term")


@rule(
    "KB407",
    "jargon",
    severity=Severity.INFO,
    options=(
        Option(
            "jargon",
            {},
            'More jargon and its plain replacement: `{ "synergize" = "work together" }` '
            "(or a table per locale).",
            per_locale=True,
        ),
    ),
)
def jargon(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """Business or legal jargon that a plain word says better.

    A built-in list per language (English: "leverage", "going forward",
    "seamless", "aforementioned", "whereby", "in lieu of", "pursuant to", "with
    regard to"...) plus the `jargon` option. Matched as whole words in any
    case, in prose and headings; not in code, URLs or comments. Languages
    without a built-in list are checked against the option only.

    Why: jargon reads like marketing or a contract to a customer with a
    problem, and it translates badly.
    Example: "Leverage the API to seamlessly sync orders, as per the
    aforementioned steps."
    Use instead: "Use the API to sync orders, as the steps above show."
    Options: `jargon` (more terms = replacements, or tables per locale).
    """
    configured = _configured_terms(ctx.options.jargon, article.locale or "")
    language = base_language(article.locale)
    phrases = _phrase_list("jargon", language, True, configured)
    yield from _phrase_findings(article, ctx, phrases, "jargon")


# --------------------------------------------------------------------------- KB405


@lru_cache(maxsize=256)
def _repeated_pattern(word: str) -> re.Pattern[str]:
    escaped = re.escape(word)
    return re.compile(
        rf"(?<![\w'’.-])({escaped})([ \t]+|[ \t]*\r?\n[ \t]*)({escaped})(?![\w'’-])", re.IGNORECASE
    )


def _word_before(body: str, offset: int) -> str:
    match = re.search(r"([^\W\d_]+)[^\w]*$", body[max(0, offset - 60) : offset])
    return match.group(1).lower() if match else ""


_BLOCK_START = re.compile(r"[ \t]*(?:[>#]+|[-*+]|\d+[.)])?[ \t>]*[*_\"“(]*")


def _sentence_start(body: str, offset: int) -> bool:
    """Does a sentence start at `offset`: after `.`, `!`, `?`, `:` or at the start of a block?"""
    lines = body[max(0, offset - 300) : offset].split("\n")
    prefix = lines[-1]
    if _BLOCK_START.fullmatch(prefix):
        if prefix.strip() or len(lines) < 2:
            return True  # after a list, quote or heading marker
        previous = lines[-2].rstrip()
        return not previous or previous.endswith((".", "!", "?", ":"))
    return prefix.rstrip(' \t*_"“(').endswith((".", "!", "?", ":"))


@rule(
    "KB405",
    "repeated-word",
    severity=Severity.WARNING,
    fixable=True,
    options=(
        Option(
            "repeated_word_exceptions",
            {k: list(v) for k, v in REPEATED_WORD_EXCEPTIONS.items()},
            'Words that may stand twice in a row ("that that"; German "die die").',
            per_locale=True,
        ),
    ),
)
def repeated_word(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """The same word twice in a row ("the the"), also across a line break.

    Letters only (numbers such as "2 2" are left alone), any case, within one
    paragraph; code, URLs and comments are not searched. Words that are
    grammatical when doubled are allowed through `repeated_word_exceptions`, and
    so is a particle after its verb ("the toggle is turned on on the card",
    "sign in in the browser"). Names are left alone: two capitalised words
    ("Project Project Manager" in a table of fields), or a capitalised word
    before the same word in lower case except at the start of a sentence
    ("set to Fixed fixed" in translated UI text, but "The the" is reported).

    Why: a doubled word is almost always an editing slip, and readers take it
    for carelessness.
    Example: "Select the the Save button."
    Use instead: "Select the Save button."
    Fix: removes the second word and the space before it (on the next line: the
    word and the space after it, so the line break stays).
    Options: `repeated_word_exceptions` (per locale; default English `["that",
    "had"]`, German `["der", "die", "das", "den", "dem", "des", "sie"]`, French
    `["nous", "vous"]`, Dutch `["die", "dat"]`).
    """
    found = _analysis(article, ctx)
    tokens = found.lower_tokens
    if True not in map(eq, tokens, tokens[1:]):
        return
    allowed = {str(w).lower() for w in _locale_option(ctx, "repeated_word_exceptions") or ()}
    particles = REPEATED_PARTICLES.get(found.language, {})
    doubled = sorted(
        {a for a, b in pairwise(tokens) if a == b and a.isalpha() and a not in allowed}
    )
    matches = sorted(
        (m for w in doubled for m in _repeated_pattern(w).finditer(found.body)),
        key=lambda m: m.start(),
    )
    for match in matches:
        if found.is_hidden(match.start(1)) or found.is_hidden(match.start(3)):
            continue
        first, second = match.group(1), match.group(3)
        if second[:1].isupper():
            continue  # "Project Project Manager": a name, or two
        if first != second and not _sentence_start(found.body, match.start(1)):
            continue  # "set to Fixed fixed": a value's name, then the word
        verbs = particles.get(first.lower())
        if verbs and _word_before(found.body, match.start(1)) in verbs:
            continue  # "turned on on the card"
        line, column = found.position(match.start(1))
        end_line, end_column = found.position(match.end(3))
        second_line, second_column = found.position(match.start(3))
        rest = found.body[match.end(3) : found.line_end(second_line)]
        if line != second_line and rest.strip():
            # keep the line break: remove the second word and the space after it
            gap = len(rest) - len(rest.lstrip())
            edit = TextEdit(
                second_line,
                second_column,
                second_line,
                second_column + len(match.group(3)) + gap,
                "",
            )
        else:
            first_line, first_end = found.position(match.end(1))
            edit = TextEdit(first_line, first_end, end_line, end_column, "")
        yield ctx.report(
            line,
            f'repeated word "{match.group(1)} {match.group(3)}"',
            column=column,
            end_line=end_line,
            end_column=end_column,
            fix=Fix(f'remove the repeated "{match.group(3)}"', (edit,)),
        )


# --------------------------------------------------------------------------- KB406


@lru_cache(maxsize=8)
def _passive_pattern(language: str) -> re.Pattern[str] | None:
    data = PASSIVE.get(language)
    if data is None:
        return None
    auxiliaries = "|".join(re.escape(a).replace("'", "['’]") for a in data.auxiliaries)
    between = "|".join(map(re.escape, data.between))
    suffixes = "|".join(map(re.escape, data.participle_suffixes))
    irregular = "|".join(sorted(data.irregular, key=len, reverse=True))
    return re.compile(
        rf"\b(?:{auxiliaries})(?:\s+(?:{between}|[a-z]+ly))?"
        rf"\s+(?P<participle>[a-z]{{2,}}(?:{suffixes})|{irregular})(?![\w'’-])",
        re.IGNORECASE,
    )


@rule("KB406", "passive-voice", severity=Severity.INFO, enabled=False)
def passive_voice(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A verb in the passive voice ("is created", "was sent").

    A heuristic: a form of "be", optionally "not" or an adverb, then a past
    participle (a word in -ed or a known irregular one). English only; other
    languages are not checked. Off by default: reference and procedure text
    uses the passive for good reasons ("the invoice is posted"), so turn it on
    (`select = ["KB406"]`) when editing for tone.

    Why: the active voice says who does what ("you", "Rateflow"), which is
    what a reader following steps needs to know.
    Example: "The reset link is sent to your email address."
    Use instead: "We send the reset link to your email address."
    Options: none.
    """
    language = base_language(article.locale)
    pattern = _passive_pattern(language)
    data = PASSIVE.get(language)
    if pattern is None or data is None:
        return
    found = _analysis(article, ctx)
    if found.token_set.isdisjoint(data.auxiliaries):
        return
    for match in pattern.finditer(found.body):
        participle = match.group("participle")
        if participle.lower() in data.not_participles or found.is_hidden(match.start()):
            continue
        line, column = found.position(match.start())
        end_line, end_column = found.position(match.end())
        yield ctx.report(
            line,
            f'passive voice "{" ".join(match.group().split())}": say who does it',
            column=column,
            end_line=end_line,
            end_column=end_column,
        )
