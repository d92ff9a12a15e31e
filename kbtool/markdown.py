"""One Markdown parse per article, shared by the linter, search and the site.

`analyze(article)` parses the body with markdown-it-py (CommonMark, GitHub
tables, strikethrough, footnotes, task lists) and returns the parts other
modules need, each with the line and column it has in the *file* (front matter
included): headings with their anchors, links and images, code blocks, lists,
the top-level blocks, and the prose as plain text without markup.

Markup that hosts add on top of CommonMark is understood rather than reported:
callouts (`> [!NOTE]`), DocFX includes (`[!INCLUDE[name](path)]`), Adobe's
`[!DNL ...]` and `[!UICONTROL ...]`, `:::image ...:::` blocks and explicit
heading ids (`## Title {#id}`).

Links are recorded as written, whatever their scheme: the analysis parser
accepts `javascript:` and `data:` URLs (the linter must see them to report
them), while `markdown_parser()`, the one a renderer uses, keeps markdown-it's
safe-URL check.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import unquote

from kbtool.slug import explicit_anchor, unique_slug

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

    from kbtool.corpus.model import Article

__all__ = [
    "CALLOUT",
    "DOCFX_TAB",
    "Block",
    "CodeBlock",
    "Document",
    "Heading",
    "Link",
    "ListBlock",
    "ListItem",
    "Paragraph",
    "analyze",
    "analyze_text",
    "heading_anchors",
    "markdown_parser",
    "md_inline_plain",
    "split_lines",
    "strip_markup",
]

CALLOUT = re.compile(
    r"^\s*\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION|INFO|SUCCESS|ERROR)\]\s*", re.IGNORECASE
)
_INCLUDE = re.compile(r"\[!INCLUDE\s*\[([^\]]*)\]\(([^)]*)\)\]", re.IGNORECASE)
# what is left of an include in the text of an inline token once its link is parsed
_INCLUDE_TEXT = re.compile(r"\[!INCLUDE\s*([^\]\[]*)\]", re.IGNORECASE)
_ADOBE = re.compile(r"\[!(?:DNL|UICONTROL|BADGE)\s+([^\]]*)\]", re.IGNORECASE)
_TRIPLE_COLON = re.compile(r"^\s*:::")
# DocFX tabs: a heading that is only a link to `#tab/<id>` starts a tab, not a section
DOCFX_TAB = re.compile(r"^\s*\[[^\]]*\]\(#tab/[^)]*\)\s*$")
_IMAGE_DIRECTIVE = re.compile(r":::image\b(.*?):::", re.IGNORECASE | re.DOTALL)
_ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")
_HTML_TAG = re.compile(r"<[^>]+>")
_PLACEHOLDER = 0xE000  # private-use characters standing for code spans while marks are dropped
_PLACEHOLDERS = re.compile("[\ue000-\uf8ff]")
# emphasis delimiters left in text by the analysis parser: a `*` or `~~` run
# touching a non-space (CommonMark lets `*` emphasise inside words); a `_` run
# after a space or opening punctuation, or before a space or closing
# punctuation. `snake_case`, `a_-_b` and `2 * 3` keep theirs.
_EMPHASIS = re.compile(
    r"\*+(?=\S)|(?<=\S)\*+|~~+(?=\S)|(?<=\S)~~+"
    r"""|(?<![^\s(\["'“„«])_+(?=[^\s_])|(?<=[^\s_])_+(?![^\s.,;:!?)\]"'”“»])"""
)
# what comes right before a link target in the source: `](x` `](<x` / `="x` `='x` `=x`
_BRACKETED = ("(", "(<")
_QUOTED = ('"', "'", "=")
_HTML_ELEMENT = re.compile(r"<(a|img)\b([^>]*)>", re.IGNORECASE)
_HTML_ID = re.compile(
    r"""<[A-Za-z][\w-]*\b[^>]*?\s(?:id|name)\s*=\s*(?:"([^"]+)"|'([^']+)'|([^\s"'=<>`]+))""",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Heading:
    level: int
    text: str  # plain text, explicit id removed
    line: int
    anchor: str  # explicit `{#id}` if given, else the GitHub-style slug (deduplicated)
    raw: str  # the heading's inline source, as written
    setext: bool = False
    end_line: int = 0  # last line (the underline of a setext heading); 0: same as line
    nested: bool = False  # inside a list item or block quote


@dataclass(frozen=True)
class Link:
    target: str
    text: str  # link text (for an image: its alt text)
    line: int
    column: int
    image: bool = False
    html: bool = False  # from raw HTML (`<a href>`, `<img src>`)
    include: bool = False  # a DocFX `[!INCLUDE[...](...)]` directive
    directive: bool = False  # a `:::image source="..." alt-text="...":::` block
    decorative: bool = False  # `<img alt="">` or a DocFX `:::image type="icon"`: decorative


@dataclass(frozen=True)
class CodeBlock:
    line: int
    end_line: int
    info: str  # the fence's info string ("" when none)
    fenced: bool
    closed: bool = True
    column: int = 1  # column of the opening fence

    @property
    def language(self) -> str:
        return self.info.split(maxsplit=1)[0] if self.info.strip() else ""


@dataclass(frozen=True)
class Paragraph:
    """A block of prose (paragraph, list item text, table cell row) as plain text."""

    text: str
    line: int
    end_line: int
    kind: str = "paragraph"  # paragraph | list | table | quote


@dataclass(frozen=True)
class Block:
    """A top-level block of the body: what sits between headings."""

    kind: str  # paragraph heading list table code html comment quote hr footnote directive tab
    line: int
    end_line: int  # last line of the block


@dataclass(frozen=True)
class ListItem:
    line: int
    column: int  # column of the marker
    number: str = ""  # an ordered item's number as written (`01` in `01.`); "" for bullets


@dataclass(frozen=True)
class ListBlock:
    """One list: CommonMark starts a new list when the bullet character changes."""

    line: int
    end_line: int
    ordered: bool
    marker: str  # `-`, `*` or `+`; `.` or `)` for ordered lists
    items: tuple[ListItem, ...]
    depth: int = 0  # 0: top level; lists inside list items or quotes are deeper
    before: str = ""  # marker of a list that ends right before this one ("" when none)
    after: str = ""  # marker of a list that starts right after this one


@dataclass(frozen=True)
class Document:
    """What the rest of kbtool needs from an article body."""

    headings: tuple[Heading, ...]
    links: tuple[Link, ...]
    code_blocks: tuple[CodeBlock, ...]
    paragraphs: tuple[Paragraph, ...]
    html_blocks: tuple[tuple[int, str], ...]  # (line, raw html)
    comments: tuple[tuple[int, str], ...] = field(default=())  # (line, text of <!-- -->)
    line_offset: int = 0  # file line of body line 1, minus 1
    blocks: tuple[Block, ...] = ()
    lists: tuple[ListBlock, ...] = ()
    ids: tuple[str, ...] = ()  # HTML `id`/`name` attributes: anchors besides headings
    tabs: tuple[Heading, ...] = ()  # DocFX tab headings `## [Label](#tab/id)`: not in headings
    tables: tuple[Block, ...] = ()  # every table, nested ones too (kind "table")
    bare_urls: tuple[Link, ...] = ()  # URLs in prose that are not links (text = the URL)
    reversed_links: tuple[Link, ...] = ()  # `(text)[target]`: link syntax the wrong way round
    html_tags: tuple[tuple[int, str], ...] = ()  # inline raw HTML tags (line, tag), no comments

    @property
    def anchors(self) -> frozenset[str]:
        return frozenset(h.anchor for h in self.headings).union(self.ids)

    @property
    def plain_text(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs)

    @property
    def images(self) -> tuple[Link, ...]:
        return tuple(link for link in self.links if link.image)

    @property
    def first_paragraph(self) -> Paragraph | None:
        for p in self.paragraphs:
            if p.kind == "paragraph":
                return p
        return None


@lru_cache(maxsize=1)
def markdown_parser() -> MarkdownIt:
    """The shared parser: CommonMark with raw HTML, tables, strikethrough, footnotes, tasks."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.tasklists import tasklists_plugin

    md = MarkdownIt("commonmark", {"html": True})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin).use(tasklists_plugin)
    return md


def _accept_any_url(url: str) -> bool:
    return True


@lru_cache(maxsize=2)
def _analysis_parser(*, emphasis: bool = False) -> MarkdownIt:
    """`markdown_parser()` for analysis: links with any scheme stay links (the linter
    must see `javascript:` to report it), and by default no emphasis.

    Emphasis only adds `<em>`/`<strong>` around text the analysis keeps anyway;
    its delimiters are dropped from plain text by `_EMPHASIS` instead, which
    makes the parse about a quarter faster. Headings, whose exact text makes
    their anchors, are re-read with emphasis when they contain a delimiter.
    Task-list checkboxes change no text or link, so that plugin is left out.
    """
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": True})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    if not emphasis:
        md.disable(["emphasis", "strikethrough"])
    md.validateLink = _accept_any_url  # type: ignore[method-assign]
    return md


@lru_cache(maxsize=1)
def _block_parser() -> MarkdownIt:
    """Block structure only (no inline parsing): enough to find headings fast."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": True})
    md.enable(["table"])
    md.use(footnote_plugin)
    md.disable(["inline", "text_join", "footnote_tail"])
    return md


def analyze(article: Article) -> Document:
    """Analyse an article's body; lines are lines of the file."""
    return analyze_text(article.body, line_offset=article.body_line - 1)


def analyze_text(body: str, *, line_offset: int = 0) -> Document:
    """Analyse Markdown text whose first line is file line `line_offset + 1`."""
    tokens = _analysis_parser().parse(body)
    lines = split_lines(body)
    walker = _Walker(lines, line_offset)
    walker.walk(tokens)
    return Document(
        headings=tuple(walker.headings),
        links=tuple(walker.links),
        code_blocks=tuple(walker.code_blocks),
        paragraphs=tuple(walker.paragraphs),
        html_blocks=tuple(walker.html_blocks),
        comments=tuple(walker.comments),
        line_offset=line_offset,
        blocks=tuple(walker.blocks),
        lists=tuple(sorted(walker.lists, key=lambda item: (item.line, item.depth))),
        ids=_html_ids(body),
        tabs=tuple(walker.tabs),
        tables=tuple(walker.tables),
        bare_urls=tuple(walker.bare_urls),
        reversed_links=tuple(walker.reversed_links),
        html_tags=tuple(walker.html_tags),
    )


def heading_anchors(article: Article) -> frozenset[str]:
    """The anchors of an article (`analyze(article).anchors`) without a full parse.

    For links into other articles: only block structure is parsed, and only the
    headings' own text inline, which is several times faster than `analyze`.
    """
    tokens = _block_parser().parse(article.body)
    seen: dict[str, int] = {}
    anchors = set(_html_ids(article.body))
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and index + 1 < len(tokens):
            content = tokens[index + 1].content
            if "#tab/" in content and DOCFX_TAB.match(content):
                continue
            text, explicit = explicit_anchor(content)
            if explicit is not None:
                anchors.add(explicit)
            else:
                anchors.add(unique_slug(md_inline_plain(text), seen))
    return frozenset(anchors)


def strip_markup(text: str) -> str:
    """Plain words of inline Markdown source: DocFX/Adobe directives resolved, tags dropped."""
    if ":::" in text:
        text = _IMAGE_DIRECTIVE.sub("", text)
    if "[!" in text:
        text = _INCLUDE.sub(lambda m: m.group(1).replace("_", " "), text)
        text = _ADOBE.sub(lambda m: m.group(1), text)
        text = _INCLUDE_TEXT.sub(lambda m: m.group(1).replace("_", " "), text)
        text = CALLOUT.sub("", text)
    if "<" in text:
        text = _HTML_TAG.sub("", text)
    return text


def split_lines(body: str) -> list[str]:
    """Lines as git and editors count them (by LF), without their line ends."""
    lines = body.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if "\r" in body:
        lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    return lines


def _html_ids(body: str) -> tuple[str, ...]:
    if "<" not in body:
        return ()
    return tuple(
        dict.fromkeys(m.group(1) or m.group(2) or m.group(3) for m in _HTML_ID.finditer(body))
    )


def _attributes(text: str) -> dict[str, str]:
    return {
        m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None)
        for m in _ATTRIBUTE.finditer(text)
    }


_BLOCK_KINDS = {
    "paragraph_open": "paragraph",
    "heading_open": "heading",
    "bullet_list_open": "list",
    "ordered_list_open": "list",
    "table_open": "table",
    "fence": "code",
    "code_block": "code",
    "html_block": "html",
    "blockquote_open": "quote",
    "hr": "hr",
    "footnote_block_open": "footnote",
    "footnote_open": "footnote",
}
_CONTEXTS = {"table": "table", "bullet_list": "list", "ordered_list": "list", "blockquote": "quote"}


class _Walker:
    def __init__(self, lines: list[str], offset: int):
        self.lines = lines
        self.offset = offset
        self.headings: list[Heading] = []
        self.links: list[Link] = []
        self.code_blocks: list[CodeBlock] = []
        self.paragraphs: list[Paragraph] = []
        self.html_blocks: list[tuple[int, str]] = []
        self.comments: list[tuple[int, str]] = []
        self.blocks: list[Block] = []
        self.lists: list[ListBlock] = []
        self.tabs: list[Heading] = []
        self.tables: list[Block] = []
        self.bare_urls: list[Link] = []
        self.reversed_links: list[Link] = []
        self.html_tags: list[tuple[int, str]] = []
        self._slugs: dict[str, int] = {}
        self._context: list[str] = []  # enclosing containers, innermost last
        self._open_lists: list[tuple[Token, list[ListItem], str, int]] = []
        self._marker_cursor: dict[int, int] = {}  # body line index -> column searched up to

    def walk(self, tokens: list[Token]) -> None:
        i = 0
        count = len(tokens)
        while i < count:
            token = tokens[i]
            kind = token.type
            if token.level == 0 and token.nesting != -1 and token.map:
                self._block(token)
            if kind == "heading_open" and i + 1 < count:
                self._heading(token, tokens[i + 1])
                i += 3
                continue
            if kind == "inline":
                self._inline(token)
            elif token.nesting == 1:
                if kind == "bullet_list_open" or kind == "ordered_list_open":
                    self._open_list(token, tokens[i - 1] if i else None)
                elif kind == "list_item_open":
                    self._list_item(token)
                elif kind == "table_open" and token.map:
                    first, last = self._span(token)
                    self.tables.append(Block("table", first + 1 + self.offset, last + self.offset))
                self._context.append(kind[:-5])
            elif token.nesting == -1:
                if self._context:
                    self._context.pop()
                if kind == "bullet_list_close" or kind == "ordered_list_close":
                    self._close_list(tokens[i + 1] if i + 1 < count else None)
            elif kind in ("fence", "code_block"):
                self._code(token)
            elif kind == "html_block":
                self._html_block(token)
            i += 1

    def _line(self, token: Token) -> int:
        return (token.map[0] if token.map else 0) + 1 + self.offset

    def _block(self, token: Token) -> None:
        assert token.map is not None
        kind = _BLOCK_KINDS.get(token.type)
        if kind is None:
            return
        if kind == "html" and token.content.lstrip().startswith("<!--"):
            kind = "comment"
        line = token.map[0] + 1 + self.offset
        end = max(token.map[1] + self.offset, line)
        if kind == "paragraph" and _TRIPLE_COLON.match(
            self.lines[token.map[0]] if token.map[0] < len(self.lines) else ""
        ):
            kind = "directive"
        self.blocks.append(Block(kind, line, end))

    # ------------------------------------------------------------------ lists

    def _list_item(self, token: Token) -> None:
        if not self._open_lists or not token.map:
            return
        index = token.map[0]
        text = self.lines[index] if index < len(self.lines) else ""
        ordered = token.markup in ".)"
        column = self._marker_column(text, index, token.markup, ordered=ordered)
        number = token.info if ordered else ""
        self._open_lists[-1][1].append(ListItem(index + 1 + self.offset, column, number))

    def _marker_column(self, text: str, index: int, marker: str, *, ordered: bool) -> int:
        """Column of the list marker in `text`, after markers found earlier on the line."""
        position = self._marker_cursor.get(index, 0)
        while position < len(text) and text[position] in " \t>":
            position += 1
        start = position
        if ordered:
            while position < len(text) and text[position].isdigit():
                position += 1
        if position < len(text) and text[position] == marker:
            self._marker_cursor[index] = position + 1
            return start + 1
        stripped = len(text) - len(text.lstrip(" \t>"))
        return stripped + 1

    def _open_list(self, token: Token, previous: Token | None) -> None:
        before = ""
        if previous is not None and previous.type in ("bullet_list_close", "ordered_list_close"):
            before = previous.markup
        depth = sum(1 for c in self._context if c in ("bullet_list", "ordered_list", "blockquote"))
        self._open_lists.append((token, [], before, depth))

    def _close_list(self, following: Token | None) -> None:
        if not self._open_lists:
            return
        open_token, items, before, depth = self._open_lists.pop()
        after = ""
        if following is not None and following.type in ("bullet_list_open", "ordered_list_open"):
            after = following.markup
        first, last = self._span(open_token)
        ordered = open_token.type == "ordered_list_open"
        self.lists.append(
            ListBlock(
                line=first + 1 + self.offset,
                end_line=last + self.offset,
                ordered=ordered,
                marker=open_token.markup or ("." if ordered else "-"),
                items=tuple(items),
                depth=depth,
                before=before,
                after=after,
            )
        )

    # --------------------------------------------------------------- headings

    def _heading(self, open_token: Token, inline: Token) -> None:
        raw = inline.content
        if "#tab/" in raw and DOCFX_TAB.match(raw):
            line = self._line(open_token)
            if self.blocks and self.blocks[-1].kind == "heading" and self.blocks[-1].line == line:
                self.blocks[-1] = replace(self.blocks[-1], kind="tab")
            self.tabs.append(
                Heading(
                    int(open_token.tag[1]),
                    _inline_text(inline),
                    line,
                    "",
                    raw,
                    nested=bool(self._context),
                )
            )
            return
        text, explicit = explicit_anchor(raw)
        if explicit is None and not any(c in raw for c in "*_~"):
            plain = _inline_text(inline)
        else:  # the exact text (with emphasis resolved as CommonMark does) makes the anchor
            plain = md_inline_plain(text)
        anchor = explicit or unique_slug(plain, self._slugs)
        line = self._line(open_token)
        end = (open_token.map[1] if open_token.map else 1) + self.offset
        setext = bool(open_token.markup and open_token.markup[0] in "=-")
        self.headings.append(
            Heading(
                int(open_token.tag[1]),
                plain,
                line,
                anchor,
                raw,
                setext,
                max(end, line),
                bool(self._context),
            )
        )
        self._links(inline)

    # ----------------------------------------------------------------- inline

    def _inline(self, token: Token) -> None:
        line = self._line(token)
        end = (token.map[1] if token.map else 1) + self.offset
        content = token.content
        directive = ":::" in content
        if not (directive and _TRIPLE_COLON.match(content)):
            text = _inline_text(token)
            if text:
                kind = "paragraph"
                for context in reversed(self._context):
                    if context in _CONTEXTS:
                        kind = _CONTEXTS[context]
                        break
                self.paragraphs.append(Paragraph(text, line, end, kind))
        if directive:
            self._directives(token)
        self._links(token)

    def _directives(self, token: Token) -> None:
        first, last = self._span(token)
        content = token.content
        for match in _IMAGE_DIRECTIVE.finditer(content):
            # a paragraph's content has one line per source line: start at the directive's
            cursor = [first + content.count("\n", 0, match.start()), 0]
            attributes = _attributes(match.group(1))
            source = attributes.get("source", "")
            if not source:
                continue
            alt = attributes.get("alt-text", "")
            # DocFX icons are decorative: they take no alt text
            icon = attributes.get("type", "").lower() == "icon"
            self.links.append(
                self._locate(
                    source,
                    alt,
                    first,
                    last,
                    cursor,
                    _QUOTED,
                    image=True,
                    directive=True,
                    decorative=icon,
                )
            )
            lightbox = attributes.get("lightbox", "")
            if lightbox and lightbox != source:
                self.links.append(
                    self._locate(lightbox, alt, first, last, cursor, _QUOTED, directive=True)
                )

    def _span(self, token: Token) -> tuple[int, int]:
        """Body line indexes [first, last) of a block-level token."""
        if token.map:
            return token.map[0], max(token.map[1], token.map[0] + 1)
        return 0, len(self.lines)

    def _links(self, inline: Token) -> None:
        children = inline.children
        if not children:
            return
        first, last = self._span(inline)
        cursor = [first, 0]
        content = inline.content
        include_targets: set[str] = set()
        if "[!" in content:
            # DocFX includes look like a link inside brackets: record them as includes
            for match in _INCLUDE.finditer(content):
                include_targets.add(match.group(2))
        # bare URLs and reversed links are looked for in text outside links
        prose = "://" in content or ")[" in content
        depth = 0  # inside a Markdown link or an HTML `<a>`
        for index, child in enumerate(children):
            kind = child.type
            if kind == "text":
                if prose and depth <= 0:
                    self._prose(child.content, first, last, cursor)
            elif kind == "link_open":
                depth += 1
                target = str(child.attrs.get("href", ""))
                text = _link_text(children, index)
                include = target in include_targets and _after_include(children, index)
                self.links.append(
                    self._locate(target, text, first, last, cursor, _BRACKETED, include=include)
                )
            elif kind == "image":
                target = str(child.attrs.get("src", ""))
                self.links.append(
                    self._locate(target, child.content, first, last, cursor, _BRACKETED, image=True)
                )
            elif kind == "link_close":
                depth -= 1
            elif kind == "html_inline":
                html = child.content
                if not html.startswith("<!--"):
                    found = self._find([(html, 0)], first, last, list(cursor))
                    line = (found[0] if found else first) + 1 + self.offset
                    self.html_tags.append((line, html))
                    if prose and _HTML_A_OPEN.match(html):
                        depth += 1
                    elif prose and html[:3].lower() == "</a":
                        depth -= 1
                self._html(html, first, last, cursor)

    def _prose(self, text: str, first: int, last: int, cursor: list[int]) -> None:
        """Record the bare URLs and reversed links `(text)[url]` in a text run of prose."""
        taken: list[tuple[int, int]] = []
        if ")[" in text:
            for match in _REVERSED_LINK.finditer(text):
                target = match.group(2)
                if not _looks_like_target(target):
                    continue
                taken.append(match.span())
                found = self._find([(match.group(), 0)], first, last, cursor)
                if found is not None:
                    line, column = found[0] + 1 + self.offset, found[1] + 1
                    self.reversed_links.append(Link(target, match.group(1), line, column))
        if "://" not in text:
            return
        for match in _BARE_URL.finditer(text):
            url = _trim_url(match.group())
            start = match.start()
            if any(a <= start < b for a, b in taken) or not _is_bare_url(url):
                continue
            if _OPEN_DIRECTIVE.search(text, 0, start):
                continue  # `[!VIDEO https://...]`: a DocFX directive's argument
            found = self._find([(url, 0)], first, last, cursor)
            if found is not None:
                line, column = found[0] + 1 + self.offset, found[1] + 1
                self.bare_urls.append(Link(url, url, line, column))

    def _locate(
        self,
        target: str,
        text: str,
        first: int,
        last: int,
        cursor: list[int],
        prefixes: tuple[str, ...],
        *,
        image: bool = False,
        include: bool = False,
        html: bool = False,
        directive: bool = False,
        decorative: bool = False,
    ) -> Link:
        """The link, with the line and column of its target in the source lines [first, last).

        Links are found in order from `cursor` (the line index and column after
        the previous one), preferring the target right after `(` or a quote
        (not the same words in link text); a target markdown-it rewrote
        (entities) is found by the `](` of its link.
        """
        bare = target.split("#", 1)[0] if not target.startswith("#") else target
        needles = [bare] if bare else []
        if "%" in bare:
            decoded = unquote(bare)
            if decoded != bare:
                needles.append(decoded)
        found = self._find(
            [(p + n, len(p)) for n in needles for p in prefixes], first, last, cursor
        )
        if found is None and needles:
            found = self._find([(n, 0) for n in needles], first, last, cursor)
        if found is None and not html and not directive:
            found = self._find([("](", 2)], first, last, cursor)
        if found is None:
            found = (max(cursor[0], first), cursor[1] if cursor[0] >= first else 0)
        index, column = found
        return Link(
            target,
            text,
            index + 1 + self.offset,
            column + 1,
            image,
            html,
            include,
            directive,
            decorative,
        )

    def _find(
        self, needles: list[tuple[str, int]], first: int, last: int, cursor: list[int]
    ) -> tuple[int, int] | None:
        """(line index, column) of the earliest needle at or after `cursor`; moves the cursor.

        Each needle comes with how many of its characters to skip (a prefix).
        """
        lines = self.lines
        for index in range(max(first, cursor[0]), min(last, len(lines))):
            start = cursor[1] if index == cursor[0] else 0
            text = lines[index]
            best = -1
            length = skip = 0
            for needle, prefix in needles:
                column = text.find(needle, start)
                if column >= 0 and (best < 0 or column < best):
                    best, length, skip = column, len(needle), prefix
            if best >= 0:
                cursor[0], cursor[1] = index, best + length
                return index, best + skip
        return None

    def _html(self, html: str, first: int, last: int, cursor: list[int]) -> None:
        if html.lstrip().startswith("<!--"):
            self.comments.append((first + 1 + self.offset, html))
            return
        if "<a" not in html and "<A" not in html and "<i" not in html and "<I" not in html:
            return
        for match in _HTML_ELEMENT.finditer(html):
            tag = match.group(1).lower()
            attributes = _attributes(match.group(2))
            target = attributes.get("href" if tag == "a" else "src")
            if target is None:
                continue
            alt = attributes.get("alt") if tag == "img" else None
            self.links.append(
                self._locate(
                    target,
                    alt or "",
                    first,
                    last,
                    cursor,
                    _QUOTED,
                    image=tag == "img",
                    html=True,
                    decorative=alt is not None and not alt.strip(),
                )
            )

    # ------------------------------------------------------------ code, html

    def _code(self, token: Token) -> None:
        first, last = self._span(token)
        line = first + 1 + self.offset
        end = last + self.offset
        fenced = token.type == "fence"
        closed = True
        column = 1
        if fenced and first < len(self.lines):
            opening = self.lines[first]
            column = opening.find(token.markup) + 1 if token.markup in opening else 1
            closed = last - first >= 2 and _is_closing_fence(
                self.lines[last - 1] if last - 1 < len(self.lines) else "", token.markup
            )
        self.code_blocks.append(CodeBlock(line, end, token.info.strip(), fenced, closed, column))

    def _html_block(self, token: Token) -> None:
        line = self._line(token)
        content = token.content
        if content.lstrip().startswith("<!--"):
            self.comments.append((line, content))
            return
        self.html_blocks.append((line, content))
        first, last = self._span(token)
        self._html(content, first, last, [first, 0])


_BARE_URL = re.compile(r"(?<![\w/<@.\\-])(?:https?|ftp)://[^\s<>\"'`]+", re.IGNORECASE)
_URL_TRAILING = "?!.,:;*_~'\""
_PLACEHOLDER_URL = re.compile(r"[{}\[\]<>|]|\.\.\.|\u2026")
_OPEN_DIRECTIVE = re.compile(r"\[![A-Za-z]+\b[^\]]*$")
_REVERSED_LINK = re.compile(r"\(([^()\n]*[^()\s][^()\n]*)\)\[([^\[\]\s]+)\]")
_HTML_A_OPEN = re.compile(r"<a[\s>]", re.IGNORECASE)


def _trim_url(url: str) -> str:
    """A URL found in text without the punctuation after it (GFM's autolink rules)."""
    while url:
        last = url[-1]
        if last in _URL_TRAILING or (last == ")" and url.count(")") > url.count("(")):
            url = url[:-1]
        else:
            break
    return url


def _is_bare_url(url: str) -> bool:
    """A whole URL with a host, not a placeholder (`https://<server>/...`, `https://{tenant}`)."""
    host = url.split("://", 1)[1].split("/", 1)[0]
    return bool(host) and "." in host and not _PLACEHOLDER_URL.search(url)


def _looks_like_target(text: str) -> bool:
    """Is `text` (in `(words)[text]`) a link target rather than, say, a footnote number?"""
    return (
        "://" in text
        or text.startswith(("/", "./", "../", "#", "mailto:"))
        or (text.lower().endswith((".md", ".html", ".htm")))
    )


def _is_closing_fence(line: str, markup: str) -> bool:
    """Is `line` (inside any quote or list container) a fence closing one opened by `markup`?"""
    text = line.lstrip(" \t>").rstrip()
    char = markup[0]
    return len(text) >= len(markup) and text == char * len(text)


def _after_include(children: Sequence[Token], index: int) -> bool:
    """Is the link at `index` the one inside `[!INCLUDE[...](...)]`?"""
    if index == 0:
        return False
    before = children[index - 1]
    return before.type == "text" and before.content.rstrip().upper().endswith("[!INCLUDE")


def _inline_text(token: Token, *, marks: bool = True) -> str:
    """Plain text of an inline token: link text kept, images' alt dropped, markup resolved.

    `marks`: the token comes from the analysis parser, whose text still holds
    emphasis delimiters (`**`), to be dropped.
    """
    return _join(((c.type, c.content) for c in token.children or ()), marks=marks)


def _join(pieces: Iterable[tuple[str, str]], *, marks: bool) -> str:
    """Plain text of inline tokens given as (type, content)."""
    parts: list[str] = []
    codes: list[str] = []
    for kind, content in pieces:
        if kind == "text":
            parts.append(content)
        elif kind == "code_inline":
            if marks:  # kept out of reach of `_EMPHASIS` behind a placeholder character
                parts.append(chr(_PLACEHOLDER + len(codes)))
                codes.append(content)
            else:
                parts.append(content)
        elif kind == "softbreak" or kind == "hardbreak":
            parts.append(" ")
    text = "".join(parts)
    if marks and ("*" in text or "_" in text or "~" in text):
        text = _EMPHASIS.sub("", text)
    if codes:
        text = _PLACEHOLDERS.sub(
            lambda m: codes[i] if (i := ord(m.group()) - _PLACEHOLDER) < len(codes) else m.group(),
            text,
        )
    return strip_markup(text).strip()


@lru_cache(maxsize=4096)
def md_inline_plain(text: str) -> str:
    """Plain text of inline Markdown, parsed with emphasis (as a heading's anchor needs)."""
    tokens = _analysis_parser(emphasis=True).parseInline(text)
    return _inline_text(tokens[0], marks=False) if tokens else text


def _link_text(children: Sequence[Token], index: int) -> str:
    """Plain text of the link opened at `children[index]` (an image inside counts by its alt)."""
    depth = 0
    inside: list[tuple[str, str]] = []
    for child in children[index:]:
        if child.type == "link_open":
            depth += 1
        elif child.type == "link_close":
            depth -= 1
            if depth == 0:
                break
        elif child.type == "image":
            inside.append(("text", child.content))
        else:
            inside.append((child.type, child.content))
    return _join(inside, marks=True)
