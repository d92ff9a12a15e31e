"""SEO rules (KB5xx): what search engines show of an article.

Lengths are measured the way a results page shows text: on the plain text
(`[!DNL Adobe Commerce]` counts as `Adobe Commerce`, `**bold**` as `bold`, a
Markdown link as its text) and in display width, where a wide CJK character
counts two, since it takes the room of two Latin letters. The limits are
per-locale options (`title_min = { default = 10, ja = 8 }`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from functools import lru_cache

from kbtool.corpus import Article, Corpus
from kbtool.corpus.model import Severity
from kbtool.lint.context import CorpusContext, RuleContext
from kbtool.lint.diagnostic import Diagnostic
from kbtool.lint.registry import Option, rule
from kbtool.lint.rules.frontmatter import front_matter_usable, option_list, others_in_group
from kbtool.markdown import Document, strip_markup

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`+)(?=\S)(.+?)(?<=\S)\1")


_MARKUP = re.compile(r"[\[*_`<>]")


def plain(text: str) -> str:
    """Text as a reader sees it: markup resolved, spacing collapsed."""
    if not _MARKUP.search(text):
        return " ".join(text.split())
    text = strip_markup(text)
    text = _LINK.sub(r"\1", text)
    text = _EMPHASIS.sub(r"\2", text)
    return " ".join(text.split())


@lru_cache(maxsize=8192)
def _char_width(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Characters, with wide (CJK) characters counted twice."""
    if text.isascii():
        return len(text)
    return sum(_char_width(c) for c in text)


def _limit(ctx: RuleContext, name: str, fallback: int) -> int:
    """A per-locale length option; a table without the locale falls back to the default."""
    value = ctx.option(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else fallback


_TITLE_MIN = {"default": 10, "ja": 8, "zh": 8, "ko": 8}


@rule(
    "KB501",
    "title-length",
    severity=Severity.WARNING,
    options=(
        Option(
            "title_min", _TITLE_MIN, "Narrowest title (display width; per locale).", per_locale=True
        ),
        Option("title_max", 60, "Widest title (display width; per locale).", per_locale=True),
    ),
)
def title_length(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """The title is too short or too long for a search-result headline.

    Why: search engines show about 50-60 characters of a title and cut the rest;
    a very short title rarely says enough to be chosen from a results page.
    Width counts a CJK character as two, so 60 allows about 30 Chinese or
    Japanese characters, which is what results pages show; four-character CJK
    titles (`退款政策`) are normal, hence the lower minimum for ja, ko and zh.
    Example: `title: Password`
    Use instead: `title: Reset your password`
    Options: `title_min` (default 10; 8 for ja, ko, zh), `title_max` (default 60),
    both per locale.
    """
    if article.field_key("title") is None:
        return
    lo = _limit(ctx, "title_min", 10)
    hi = _limit(ctx, "title_max", 60)
    width = display_width(plain(article.title))
    if not lo <= width <= hi:
        yield ctx.report(
            article.field_line("title"), f"title is {width} characters wide; keep it {lo}-{hi}"
        )


@rule(
    "KB502",
    "description-length",
    severity=Severity.WARNING,
    options=(
        Option(
            "description_min",
            50,
            "Narrowest description (display width; per locale).",
            per_locale=True,
        ),
        Option(
            "description_max",
            160,
            "Widest description (display width; per locale).",
            per_locale=True,
        ),
    ),
)
def description_length(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """The description is too short or too long for a search-result snippet.

    Why: search engines show about 50-160 characters of the meta description;
    a longer one is cut mid-sentence, a shorter one is often replaced with text
    the engine picks from the page. Width counts a CJK character as two.
    Example: `description: Reset your password.`
    Use instead: `description: Forgot your password? Reset it from the sign-in page in
    two minutes, or ask your admin if you sign in with SSO.`
    Options: `description_min` (default 50), `description_max` (default 160),
    both per locale. An empty description is KB504's finding.
    """
    text = plain(article.description or "")
    if not text:
        return
    lo = _limit(ctx, "description_min", 50)
    hi = _limit(ctx, "description_max", 160)
    width = display_width(text)
    if not lo <= width <= hi:
        yield ctx.report(
            article.field_line("description"),
            f"description is {width} characters wide; keep it {lo}-{hi}",
        )


def _same(a: str, b: str) -> bool:
    def norm(text: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", plain(text)).casefold().split()).rstrip(
            ".!?。！？"
        )

    return norm(a) == norm(b)


@rule("KB503", "description-equals-title", severity=Severity.WARNING)
def description_equals_title(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """The description repeats the title.

    Why: the results page shows both, one under the other; a repeated title
    wastes the snippet that should tell the reader what the article gives them.
    Letter case, spacing and a final full stop are ignored in the comparison.
    Example: `title: Export reviews` with `description: Export reviews.`
    Use instead: `description: Download all your reviews as a CSV file to analyse
    them in a spreadsheet or import them elsewhere.`
    Options: none.
    """
    if article.field_key("title") is None or not (article.description or "").strip():
        return
    if _same(article.title, article.description or ""):
        yield ctx.report(article.field_line("description"), "description repeats the title")


@rule("KB504", "missing-description", severity=Severity.WARNING)
def missing_description(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """The article has no description.

    Why: the description is the snippet under the title on a results page, the
    text of link previews and of the help widget; without one, search engines
    pick a sentence from the page, often the wrong one.
    Not reported when `description` is in `required_keys`: KB104 reports it
    then, as an error. Articles without usable front matter are KB101's and
    KB102's findings.
    Example: front matter with a title and no `description:`.
    Use instead: `description: Forgot your password? Reset it from the sign-in page.`
    Options: none (see `required_keys`).
    """
    if "description" in option_list(ctx.options.required_keys):
        return
    if not front_matter_usable(article):
        return
    if (article.description or "").strip():
        return
    keys = ctx.config.field_keys("description")
    key = next((k for k in keys if k in article.meta), None)
    if key is not None:
        value = article.meta[key]
        if value is None or isinstance(value, str):  # another type is KB106's finding
            yield ctx.report(article.key_line(key), f"description ('{key}') is empty")
    else:
        yield ctx.report(1, f"no description ('{keys[0]}')" if keys else "no description")


# --------------------------------------------------------------------------- title keywords


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words too common to be a title's keyword. Languages without a list still get
# their words compared; words of one or two letters never count.
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": _wordset("""
        a about above after again all also am an and any are as at be because been before
        being below between both but by can cannot could did do does doing down during each
        few for from further get gets getting had has have having he her here hers how i if
        in into is it its itself just me more most my new no nor not now of off on once only
        or other our ours out over own same she should so some such than that the their them
        then there these they this those through to too under until up use used using very
        via was we were what when where which while who whom why will with without you your
        yours faq guide overview learn about how-to introduction
        """),
    "sv": _wordset("""
        alla allt att av blev bli blir de dem den denna deras dess det detta dig din dina
        ditt du där efter ej eller en er era ert ett från för ha hade han hans har hennes
        hon honom hur här i icke ingen inom inte jag ju kan kunde man med mellan men mig min
        mina mitt mot mycket ni nu när någon något några och om oss på samma sedan sig sin
        sina sitta själv skulle som så sådan till under upp ut utan vad var vara varför
        varit vars vem vi vid vilka vilken vilket våra vårt än är åt över
        """),
    "de": _wordset("""
        aber alle als also am an auch auf aus bei bin bis bist da dann das dass dem den der
        des die dies diese dieser dieses du durch ein eine einem einen einer eines er es für
        hat haben ich ihr ihre im in ist ja kann kein keine mit nach nicht noch nur oder
        sich sie sind so über um und uns unter vom von vor war was wenn werden wie wir wird
        zu zum zur sie ihre ihren ihrem wird werden beim
        """),
    "fr": _wordset("""
        au aux avec ce ces dans de des du elle en et eux il je la le les leur lui ma mais me
        même mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur
        ta te tes toi ton tu un une vos votre vous comment
        """),
    "es": _wordset("""
        a al algo como con de del el ella en es esta este esto la las le lo los mas me mi
        no nos o para pero por que se si sin su sus te tu un una uno y cómo
        """),
}
_WORD = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?")
_HYPHENS = re.compile(r"[-'’]")
_CJK_RUN = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u30a0-\u30ff\uac00-\ud7af"
    r"\u3005\u30fc]+"
)


def _words(text: str) -> set[str]:
    """Words, casefolded; a hyphenated word also gives its parts (`Cloud-Site`: `cloud`)."""
    out: set[str] = set()
    ascii_only = text.isascii()
    for word in _WORD.findall(text):
        if not ascii_only and _CJK_RUN.match(word):
            continue
        word = word.casefold()
        out.add(word)
        if "-" in word or "'" in word or "’" in word:
            out.update(part for part in _HYPHENS.split(word) if part)
    return out


def _cjk_bigrams(text: str) -> set[str]:
    """Two-character pieces of each run of Han, katakana or hangul (hiragana splits runs)."""
    grams: set[str] = set()
    for run in _CJK_RUN.findall(text):
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return grams


def title_keywords(title: str, locale: str) -> tuple[set[str], set[str]]:
    """(words, CJK bigrams) of a title that could be its keywords."""
    stop = _STOPWORDS.get(locale.split("-", 1)[0].lower(), frozenset())
    text = plain(title)
    words = {w for w in _words(_CJK_RUN.sub(" ", text)) if len(w) >= 3 and w not in stop}
    return words, _cjk_bigrams(text)


def _shared_start(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _related(a: str, b: str) -> bool:
    """Same word but for an ending: a shared start of 4+ letters that leaves at most
    three letters of the shorter word (`trace`/`tracing`, `install`/`installation`)."""
    shorter = min(len(a), len(b))
    if shorter < 4:
        return False
    shared = _shared_start(a, b)
    return shared >= 4 and shared >= shorter - 3


def _mentions(words: set[str], grams: set[str], text: str) -> bool:
    """Does `text` hold one of the keywords, give or take an ending? No stemmer needed."""
    if grams and any(g in text for g in grams):
        return True
    found = _words(text)
    if words & found:
        return True
    return any(_related(word, other) for word in words for other in found)


def _opening(doc: Document) -> str:
    """The first paragraph of prose; a paragraph that is only an include directive is skipped."""
    includes: dict[int, list[str]] = {}
    for link in doc.links:
        if link.include:
            includes.setdefault(link.line, []).append(link.text.replace("_", " "))
    for paragraph in doc.paragraphs:
        if paragraph.kind != "paragraph":
            continue
        text = paragraph.text
        for name in includes.get(paragraph.line, ()):
            text = text.replace(name, "", 1)
        if text.strip(" .,;:"):
            return paragraph.text
    return ""


@rule("KB505", "title-keyword-missing", severity=Severity.WARNING)
def title_keyword_missing(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """No word of the title appears in the description or in the first paragraph.

    Why: search engines and readers look for the words they searched for in
    the snippet and in the opening lines; when neither the description nor the
    first paragraph repeats a word of the title, both read as being about
    something else.
    Words are compared without stemming: words that differ only in an ending
    of up to three letters match (`refund`/`refunds`, `trace`/`tracing`) and
    the parts of hyphenated words count (`Cloud-Site`). Stop words (English,
    Swedish, German, French, Spanish) and words under three letters are not
    keywords; Chinese, Japanese and Korean titles are compared by
    two-character pieces. A paragraph that is only a DocFX `[!INCLUDE]` is not
    the first paragraph.
    Example: `title: Refund policy` with `description: When we give money back.`
    and a first paragraph that does not say "refund" either.
    Use instead: `description: When we refund a payment, and how to ask for a refund.`
    Options: none.
    """
    if article.field_key("title") is None:
        return
    words, grams = title_keywords(article.title, article.locale)
    if not words and not grams:
        return
    if _mentions(words, grams, plain(article.description or "").casefold()):
        return  # decided without parsing the body
    opening = _opening(ctx.doc)
    if _mentions(words, grams, opening.casefold()):
        return
    where = "description or first paragraph" if opening else "description"
    yield ctx.report(article.field_line("title"), f"no word of the title appears in the {where}")


# --------------------------------------------------------------------------- corpus


def _description_key(article: Article) -> str:
    return " ".join(plain(article.description or "").casefold().split())


def _same_description(article: Article) -> tuple[tuple[str, str], ...]:
    text = _description_key(article)
    return ((article.locale, text),) if text else ()


@rule(
    "KB506",
    "duplicate-description",
    severity=Severity.WARNING,
    scope="corpus",
    related=_same_description,
)
def duplicate_description(corpus: Corpus, ctx: CorpusContext) -> Iterator[Diagnostic]:
    """Two published articles of one locale have the same description.

    Why: the description is each article's pitch on the results page; two
    identical ones give the reader no way to choose, and search engines treat
    the pages as near duplicates. Compared ignoring letter case and spacing;
    drafts and archived articles are left out.
    Example: `description: Learn how to set up the integration.` on every
    integration article.
    Use instead: a description that names what this article, and no other, covers.
    Options: none.
    """
    groups: dict[tuple[str, str], list[Article]] = defaultdict(list)
    for article in corpus.articles:
        text = _description_key(article)
        if article.is_published and text:
            groups[(article.locale, text)].append(article)
    root = ctx.config.root
    for group in groups.values():
        if len(group) < 2:
            continue
        for article, others in others_in_group(group, root):
            yield ctx.report(
                article,
                article.field_line("description"),
                f"description is also the description of {others}",
            )
