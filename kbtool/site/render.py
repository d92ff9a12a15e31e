"""An article body as safe HTML: markdown-it-py, heading anchors, callouts, nh3.

The body is rendered once per article. Links to other articles and to files
(images) are left as numbered placeholders (`#kbtool-link-3`), because where
they point depends on the page that shows the body: the article's own page or
a fallback copy in another language tree. `RenderedBody.html_for` fills them in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from kbtool.links import LinkKind, unsafe_scheme

# The linter's own heading-anchor rules, so the site's anchors are the ones it checks.
from kbtool.markdown import CALLOUT, DOCFX_TAB, analyze, md_inline_plain
from kbtool.slug import explicit_anchor, unique_slug

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

    from kbtool.corpus import Article
    from kbtool.links import LinkIndex
    from kbtool.markdown import Document

__all__ = ["LinkCheck", "LinkTarget", "RenderedBody", "TocEntry", "render_body", "still_resolves"]

_PLACEHOLDER = re.compile(r'(href|src)="#kbtool-link-(\d+)"')
_ADOBE = re.compile(r"\[!(?:DNL|UICONTROL|BADGE)\s+([^\]]*)\]", re.IGNORECASE)
_INCLUDE = re.compile(r"\[!INCLUDE\s*\[([^\]]*)\]\([^)]*\)\]", re.IGNORECASE)
_DIRECTIVE = re.compile(r"^\s*:::[^\n]*:::\s*$|^\s*:::.*$", re.MULTILINE)
_SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div",
    "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "input", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "section", "small",
    "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "u", "ul", "var",
}  # fmt: skip
_ATTRIBUTES = {
    "*": {"class", "id", "lang", "dir", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "input": {"type", "checked", "disabled"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "scope", "style"},
    "ol": {"start", "type"},
    "li": {"value"},
}
_CALLOUT_TITLES = {
    "note": "Note", "tip": "Tip", "important": "Important", "warning": "Warning",
    "caution": "Caution", "info": "Info", "success": "Success", "error": "Error",
}  # fmt: skip


@dataclass(frozen=True)
class LinkTarget:
    """Where placeholder N points: an article file, another file, with an anchor."""

    kind: str  # "article" | "file" | "missing"
    path: str  # article/missing: POSIX path relative to the articles folder; file: to the root
    fragment: str = ""


@dataclass(frozen=True)
class TocEntry:
    level: int
    text: str
    anchor: str


# A link or image target as written, whether it is an image, and what it became:
# the URL kept as written, or a placeholder's target, or neither (dropped).
LinkCheck = tuple[str, bool, str | None, LinkTarget | None]


@dataclass(frozen=True)
class RenderedBody:
    html: str  # sanitised, with `#kbtool-link-N` placeholders
    links: tuple[LinkTarget, ...]
    toc: tuple[TocEntry, ...]
    faq: tuple[tuple[str, str], ...]  # (question, answer) pairs for FAQPage JSON-LD
    first_h1: str = ""  # text of a leading H1 (dropped: the page shows the title)
    # every target of the body with its outcome: the only inputs besides the article's own
    # text (the files other articles and images are), so a kept body can be checked
    checks: tuple[LinkCheck, ...] = ()

    def html_for(self, resolve: Callable[[LinkTarget], str | None]) -> str:
        """The HTML with each placeholder replaced by `resolve(target)`; None unlinks it."""
        if not self.links:
            return self.html

        def swap(match: re.Match[str]) -> str:
            target = self.links[int(match.group(2))]
            url = resolve(target)
            if url is None:
                return f'{match.group(1)}=""' if match.group(1) == "src" else "data-broken"
            return f'{match.group(1)}="{_attr(url)}"'

        return _PLACEHOLDER.sub(swap, self.html)


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.tasklists import tasklists_plugin

    md = MarkdownIt("commonmark", {"html": True, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin).use(tasklists_plugin, enabled=False)
    # every URL reaches our link rewriting, which drops unsafe ones itself
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


def render_body(
    article: Article,
    index: LinkIndex,
    *,
    articles_root: Path,
    root: Path,
    doc: Document | None = None,
) -> RenderedBody:
    """Render `article`'s body to sanitised HTML with link placeholders, TOC and FAQ pairs."""
    import nh3

    md = _parser()
    body = article.body
    if ":::" in body:
        body = _DIRECTIVE.sub("", body)
    tokens = md.parse(body)
    links: list[LinkTarget] = []
    checks: list[LinkCheck] = []
    toc: list[TocEntry] = []
    first_h1 = ""
    seen: dict[str, int] = {}
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and i + 1 < len(tokens):
            anchor = _anchor(tokens[i + 1], seen)
            text = tokens[i + 1].content
            if token.tag == "h1" and not toc and not first_h1 and i == _first_block(tokens):
                first_h1 = _plain(tokens[i + 1])
                token.attrSet("data-drop", "1")
                continue
            if anchor:
                token.attrSet("id", anchor)
                if token.tag in ("h2", "h3") and token.level == 0:
                    toc.append(TocEntry(int(token.tag[1]), _plain(tokens[i + 1]) or text, anchor))
        elif token.type == "blockquote_open":
            _callout(tokens, i)
        elif token.type == "inline" and token.children:
            _inline(token.children, article, index, articles_root, root, links, checks)
    html = md.renderer.render(tokens, md.options, {})
    if first_h1:
        html = re.sub(r'<h1 data-drop="1">.*?</h1>\n?', "", html, count=1, flags=re.DOTALL)
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=set(_SAFE_SCHEMES),
        link_rel=None,
        strip_comments=True,
        filter_style_properties={"text-align"},
    )
    clean = clean.replace("<table>", '<div class="table-wrap"><table>').replace(
        "</table>", "</table></div>"
    )
    clean = clean.replace("<img ", '<img loading="lazy" decoding="async" ')
    faq = _faq(doc or analyze(article)) if article.type == "faq" else ()
    return RenderedBody(clean, tuple(links), tuple(toc), faq, first_h1, tuple(checks))


def still_resolves(
    body: RenderedBody, article: Article, index: LinkIndex, *, articles_root: Path, root: Path
) -> bool:
    """Would `article` render to `body` today, as far as its links and images go?

    (Its own text is the caller's to compare.) A link to an article that was
    missing then, or a file since deleted, makes a body rendered earlier stale.
    """
    return all(
        link_outcome(target, article, index, articles_root, root, image=image) == (kept, found)
        for target, image, kept, found in body.checks
    )


def _anchor(inline: Token, seen: dict[str, int]) -> str:
    """The heading's anchor, as `kbtool.markdown` computes it; an explicit `{#id}` is removed."""
    content = inline.content
    if "#tab/" in content and DOCFX_TAB.match(content):
        return ""
    text, explicit = explicit_anchor(content)
    if explicit is not None:
        children = inline.children or []
        if children and children[-1].type == "text":
            children[-1].content = explicit_anchor(children[-1].content)[0]
        return explicit
    return unique_slug(md_inline_plain(text), seen)


def _first_block(tokens: Sequence[Token]) -> int:
    for i, token in enumerate(tokens):
        if token.type not in ("html_block",):
            return i
    return -1


def _plain(inline: Token) -> str:
    parts: list[str] = []
    for child in inline.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return _ADOBE.sub(lambda m: m.group(1), "".join(parts)).strip()


def _callout(tokens: list[Token], i: int) -> None:
    """`> [!NOTE]` blockquote -> `<blockquote class="callout callout-note">` with a title."""
    if i + 2 >= len(tokens) or tokens[i + 1].type != "paragraph_open":
        return
    inline = tokens[i + 2]
    match = CALLOUT.match(inline.content)
    if not match or not inline.children:
        return
    kind = match.group(1).lower()
    tokens[i].attrSet("class", f"callout callout-{kind}")
    first = inline.children[0]
    if first.type == "text":
        first.content = CALLOUT.sub("", first.content, count=1)
        if (
            not first.content
            and len(inline.children) > 1
            and inline.children[1].type
            in (
                "softbreak",
                "hardbreak",
            )
        ):
            inline.children.pop(1)
    from markdown_it.token import Token as _Token

    title = _Token("html_inline", "", 0)
    title.content = f'<strong class="callout-title">{_CALLOUT_TITLES.get(kind, kind)}</strong> '
    inline.children.insert(0, title)


def _inline(
    children: list[Token],
    article: Article,
    index: LinkIndex,
    articles_root: Path,
    root: Path,
    links: list[LinkTarget],
    checks: list[LinkCheck],
) -> None:
    _drop_includes(children)
    for child in children:
        if child.type == "text" and "[!" in child.content:
            text = _INCLUDE.sub("", child.content)
            child.content = _ADOBE.sub(lambda m: m.group(1), text)
        elif child.type in ("link_open", "image"):
            attr = "href" if child.type == "link_open" else "src"
            target = str(child.attrGet(attr) or "")
            kept, found = link_outcome(
                target, article, index, articles_root, root, image=attr == "src"
            )
            checks.append((target, attr == "src", kept, found))
            new = kept
            if found is not None:
                links.append(found)
                new = f"#kbtool-link-{len(links) - 1}"
            if new is None:
                if attr == "src":
                    child.attrSet("src", "")
                else:
                    child.attrs.pop("href", None)
            else:
                child.attrSet(attr, new)


_INCLUDE_OPEN = re.compile(r"\[!INCLUDE\s*$", re.IGNORECASE)


def _drop_includes(children: list[Token]) -> None:
    """Remove DocFX `[!INCLUDE[name](path)]`, which the parser splits around a link."""
    i = 0
    while i < len(children):
        child = children[i]
        if (
            child.type == "text"
            and i + 1 < len(children)
            and children[i + 1].type == "link_open"
            and _INCLUDE_OPEN.search(child.content)
        ):
            end = i + 1
            while end < len(children) and children[end].type != "link_close":
                end += 1
            after = children[end + 1] if end + 1 < len(children) else None
            if after is not None and after.type == "text" and after.content.startswith("]"):
                child.content = _INCLUDE_OPEN.sub("", child.content)
                after.content = after.content[1:]
                del children[i + 1 : end + 1]
        i += 1


def link_outcome(
    target: str,
    article: Article,
    index: LinkIndex,
    articles_root: Path,
    root: Path,
    *,
    image: bool,
) -> tuple[str | None, LinkTarget | None]:
    """What a link (or image) target of `article` becomes on the site.

    (target, None): kept as written (external, anchor, another site's path);
    (None, LinkTarget): a placeholder, filled in per page; (None, None): dropped.
    """
    if unsafe_scheme(target, image=image):
        return None, None
    resolved = index.resolve(article, target)
    kind = resolved.kind
    if kind in (LinkKind.EXTERNAL, LinkKind.ANCHOR, LinkKind.SITE):
        if kind == LinkKind.EXTERNAL and resolved.scheme not in _SAFE_SCHEMES and resolved.scheme:
            return None, None
        return target, None
    if kind == LinkKind.EMPTY or resolved.path is None:
        return None, None
    path = resolved.path
    rel = _relative(path, articles_root)
    if kind == LinkKind.ARTICLE:
        return None, LinkTarget("article", rel, resolved.fragment)
    if kind == LinkKind.FILE and path.is_file():
        return None, LinkTarget("file", _relative(path, root), "")
    if resolved.is_markdown or kind == LinkKind.MISSING:
        return None, LinkTarget("missing", rel, resolved.fragment)
    return None, None  # a folder: nothing on the site corresponds to it


def _relative(path: Path, articles_root: Path) -> str:
    try:
        return path.relative_to(articles_root).as_posix()
    except ValueError:
        return path.as_posix()


def _faq(doc: Document) -> tuple[tuple[str, str], ...]:
    """Question headings (H2/H3) with the prose below each as the answer."""
    headings = [h for h in doc.headings if h.level in (2, 3) and not h.nested]
    pairs: list[tuple[str, str]] = []
    for n, heading in enumerate(headings):
        end = headings[n + 1].line if n + 1 < len(headings) else 1 << 30
        answer = " ".join(p.text for p in doc.paragraphs if heading.line < p.line < end)
        if heading.text and answer:
            pairs.append((heading.text, answer[:1000]))
    return tuple(pairs)
