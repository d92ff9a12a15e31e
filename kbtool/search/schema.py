"""The index schema and the documents it holds: one per article, Markdown stripped."""

from __future__ import annotations

import hashlib
import json
import operator
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from whoosh import fields, formats

from kbtool.markdown import strip_markup
from kbtool.search.analysis import ANALYSIS_VERSION, KbAnalyzer, Language, spell_words

if TYPE_CHECKING:
    from kbtool.config import Config
    from kbtool.corpus import Article

__all__ = [
    "KEYWORD_FIELDS",
    "SCHEMA_VERSION",
    "TEXT_FIELDS",
    "ArticleDoc",
    "article_doc",
    "doc_hash",
    "encode_positions",
    "fingerprint",
    "make_schema",
    "plain_text",
]

SCHEMA_VERSION = 4

# The start of each article's plain text, stored (zlib) for snippets: a search
# must not re-read and re-strip every hit's file.
SNIPPET_SCAN = 40_000

# Searchable text fields, in the order snippets prefer them.
TEXT_FIELDS = ("title", "labels", "section_title", "headings", "description", "body")
# Exact-match fields for filters (`--type how-to`, `stage:new`); lower-cased.
KEYWORD_FIELDS = ("type", "section", "stages", "channels", "status", "owner", "product_area")
_LIST_SEPARATOR = "\x1f"  # labels, stages and channels in stored fields


class Positions(formats.Positions):  # type: ignore[misc]
    """Whoosh's positions format without its legacy-format guess.

    whoosh-ng decodes a positions value that ends in the byte `.` as the old
    pickle format, but a varint position delta of 46 ends in that byte too, so
    phrase queries crash on such postings. kbtool never wrote the old format.
    """

    def word_values(
        self, value: str, analyzer: Any, **kwargs: Any
    ) -> Iterator[tuple[str, int, float, bytes]]:
        """(term, frequency, weight, encoded positions) of each term of `value`.

        The same postings as Whoosh's own method, from `KbAnalyzer.positions()`
        rather than a Token object per word: indexing spends most of its time here.
        """
        positions = getattr(analyzer, "positions", None)
        if positions is None:
            yield from super().word_values(value, analyzer, **kwargs)
            return
        boost = self.field_boost
        for term, poslist in positions(value).items():
            yield term, len(poslist), len(poslist) * boost, encode_positions(poslist)

    def encode(self, poslist: list[int]) -> bytes:
        return encode_positions(poslist)

    def decode_positions(self, valuestring: bytes) -> list[int]:
        count = int.from_bytes(valuestring[:4], "big")
        positions: list[int] = []
        offset, position = 4, 0
        for _ in range(count):
            delta, shift = 0, 0
            while True:
                byte = valuestring[offset]
                offset += 1
                delta |= (byte & 0x7F) << shift
                shift += 7
                if not byte & 0x80:
                    break
            position += delta
            positions.append(position)
        return positions


def encode_positions(poslist: list[int]) -> bytes:
    """Whoosh's positions encoding (a 4-byte count, then varint deltas), byte for byte."""
    first = poslist[0]
    if first < 128:
        head = len(poslist).to_bytes(4, "big") + bytes((first,))
    elif first < 16384:
        head = len(poslist).to_bytes(4, "big") + bytes(((first & 0x7F) | 0x80, first >> 7))
    else:
        head = len(poslist).to_bytes(4, "big") + _varints([first])
    if len(poslist) == 1:
        return head
    # the later deltas are mostly small: one byte each
    deltas = list(map(operator.sub, poslist[1:], poslist))
    return head + (bytes(deltas) if max(deltas) < 128 else _varints(deltas))


def _varints(numbers: list[int]) -> bytes:
    buf = bytearray()
    for n in numbers:
        while n & ~0x7F:
            buf.append((n & 0x7F) | 0x80)
            n >>= 7
        buf.append(n)
    return bytes(buf)


def _text(analyzer: object, *, stored: bool = False) -> fields.TEXT:
    field = fields.TEXT(analyzer=analyzer, stored=stored)
    field.format = Positions(field_boost=field.format.field_boost)
    return field


def make_schema(language: Language) -> fields.Schema:
    """The schema of one locale's index."""
    text = KbAnalyzer(language)

    # filters; stored only where search results show them
    def keyword(*, stored: bool = False) -> fields.KEYWORD:
        return fields.KEYWORD(stored=stored, lowercase=True, commas=True, scorable=False)

    return fields.Schema(
        path=fields.ID(stored=True, unique=True),
        id=fields.ID(stored=True),
        locale=fields.ID(stored=True),
        title=_text(text, stored=True),
        description=_text(text, stored=True),
        labels=_text(text, stored=True),
        section_title=_text(text, stored=True),
        headings=_text(text),
        body=_text(text),
        type=keyword(stored=True),
        section=keyword(stored=True),
        stages=keyword(),
        channels=keyword(),
        status=keyword(),
        owner=keyword(),
        product_area=keyword(),
        last_reviewed=fields.ID(),
        text=fields.STORED(),
        # the "did you mean" words of the article (see `ArticleDoc.words`), for updates
        words=fields.STORED(),
    )


def fingerprint(config: Config, analyzers: dict[str, Language]) -> str:
    """What the index's content depends on besides the articles: a change rebuilds it."""
    data = {
        "schema": SCHEMA_VERSION,
        "analysis": ANALYSIS_VERSION,
        "analyzers": {k: v.name for k, v in sorted(analyzers.items())},
        "include_drafts": config.search.include_drafts,
        "fields": config.to_dict()["fields"],
        "kb": {k: v for k, v in config.to_dict()["kb"].items() if k not in ("name", "base_url")},
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ArticleDoc:
    """What the index stores about one article."""

    fields: dict[str, Any]
    hash: str
    # the words of its prominent fields as written (title, description, labels,
    # headings): the vocabulary of "did you mean", kept beside the index (`words.py`)
    words: frozenset[str]


def article_doc(article: Article, section_title: str, language: Language) -> ArticleDoc:
    """The index document of `article` (its section's title given by the caller)."""
    body, headings = plain_text(article.body)
    digest = doc_hash(article, section_title)
    doc = {
        "path": article.rel_path,
        "id": article.id,
        "locale": article.locale,
        "title": article.title,
        "description": article.description or "",
        "labels": _LIST_SEPARATOR.join(article.labels),
        "section_title": section_title,
        "headings": "\n".join(headings),
        "body": body,
        "type": article.type or "",
        "section": article.section,
        "stages": ",".join(article.stages),
        "channels": ",".join(article.channels),
        "status": article.status,
        "owner": article.owner or "",
        "product_area": article.product_area or "",
        "last_reviewed": article.last_reviewed.isoformat() if article.last_reviewed else "",
        "text": zlib.compress(" ".join(body[:SNIPPET_SCAN].split()).encode("utf-8"), 1),
    }
    words = frozenset(
        spell_words(
            "\n".join(
                (article.title, article.description or "", " ".join(article.labels), *headings)
            ),
            language,
        )
    )
    doc["words"] = " ".join(sorted(words))
    # whoosh rejects empty strings in KEYWORD/ID fields only by indexing nothing: drop them
    return ArticleDoc({k: v for k, v in doc.items() if v != ""}, digest, words)


def doc_hash(article: Article, section_title: str) -> str:
    """What decides an article's index document: a change re-indexes the article."""
    key = f"{article.content_hash}\0{section_title}\0{article.rel_path}"
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def stored_text(stored: dict[str, Any]) -> str:
    """The article's plain text as stored for snippets ("" when missing or damaged)."""
    raw = stored.get("text")
    if not isinstance(raw, bytes):
        return ""
    try:
        return zlib.decompress(raw).decode("utf-8", "replace")
    except zlib.error:
        return ""


def split_list(stored: str) -> tuple[str, ...]:
    """A stored list field (labels) back as a tuple."""
    return tuple(part for part in stored.split(_LIST_SEPARATOR) if part)


# --------------------------------------------------------------------------- Markdown

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_EXPLICIT_ID = re.compile(r"\s*\{#[^}]*\}\s*$")
# inline patterns never cross a line: `plain_text` applies them to many lines at once
_IMAGE = re.compile(r"!\[([^\]\n]*)\]\([^)\n]*\)")
_LINK = re.compile(r"\[([^\]\n]*)\]\((?:[^()\n]|\([^)\n]*\))*\)")
_REF_LINK = re.compile(r"\[([^\]\n]+)\]\[[^\]\n]*\]")
_REF_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s+\S+.*$")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_MARKS = "*_~`|>#"
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")
_URL = re.compile(r"https?://\S+")


def plain_text(body: str) -> tuple[str, list[str]]:
    """The words of a Markdown body, and its headings, without markup or code blocks.

    A fast line scanner rather than a full CommonMark parse: indexing 10,000
    articles must not spend its time in the Markdown parser, and search only
    needs the words (code blocks are left out: they are not what readers search).
    The lines are sorted out one by one (fences, headings, link definitions,
    table rules), then their inline markup is removed in one pass over all of them.
    """
    if "<!--" in body:
        body = _COMMENT.sub(" ", body)
    kept: list[str] = []
    headings: list[str] = []
    fence: str | None = None
    for line in body.splitlines():
        # cheap substring tests first: most lines are prose
        if fence is not None:
            if "`" in line or "~" in line:
                match = _FENCE.match(line)
                if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                    fence = None
            continue
        if "`" in line or "~" in line:
            match = _FENCE.match(line)
            if match:
                fence = match.group(1)
                continue
        if ("]:" in line and _REF_DEF.match(line)) or ("---" in line and _TABLE_RULE.match(line)):
            continue
        if "#" in line:
            heading = _HEADING.match(line)
            if heading:
                text = _inline(_EXPLICIT_ID.sub("", heading.group(2)))
                if text:
                    headings.append(text)
                    kept.append(text + ".")
                continue
        kept.append(line)
    text = "\n".join(kept)
    if "[!" in text or "<" in text or ":::" in text:
        text = "\n".join(
            strip_markup(line) if ("[!" in line or "<" in line or ":::" in line) else line
            for line in kept
        )
    lines = _inline_marks(text).split("\n")
    return "\n".join(line for line in lines if line), headings


def _inline(line: str) -> str:
    text = strip_markup(line) if ("[!" in line or "<" in line or ":::" in line) else line
    return _inline_marks(text)


def _inline_marks(text: str) -> str:
    """Links, images, URLs and emphasis marks out of `text` (lines), spaces squeezed."""
    if "](" in text:
        text = _IMAGE.sub(r"\1", text)
        text = _LINK.sub(r"\1", text)
    if "][" in text:
        text = _REF_LINK.sub(r"\1", text)
    if "://" in text:
        text = _URL.sub(" ", text)
    # emphasis and table marks become spaces, runs of spaces one: str methods, several
    # times faster than a regex (or str.translate) on 10,000 bodies
    for mark in _MARKS:
        if mark in text:
            text = text.replace(mark, " ")
    if "\n" not in text:
        return " ".join(text.split())
    return "\n".join(" ".join(line.split()) for line in text.split("\n"))
