"""Link and media rules (KB3xx): does every link and image lead somewhere, safely and clearly?

Targets are resolved by `kbtool.links` (the same resolution the site exporter
uses): relative paths from the article's folder, root-absolute paths such as
`/help/x.md` from the locale folder, DocFX `~/` paths, includes. Paths of other
sites (`/dynamics365/...`) and external URLs are never fetched or checked.
Files are matched in their exact letter case, as a web server matches them.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from pathlib import Path

from kbtool.corpus import Article, Corpus
from kbtool.corpus.model import Severity
from kbtool.links import (
    MARKDOWN_SUFFIXES,
    LinkIndex,
    LinkKind,
    Resolved,
    find_anchor,
    link_index,
    unsafe_scheme,
)
from kbtool.lint.context import CorpusContext, RuleContext
from kbtool.lint.diagnostic import Diagnostic, Fix, TextEdit
from kbtool.lint.registry import Option, rule
from kbtool.markdown import Document, Link, analyze_text

_IMAGE_NAME = re.compile(
    r"^[\w .\-()]+\.(?:png|jpe?g|gif|svg|webp|avif|bmp|ico|tiff?)$", re.IGNORECASE
)


# ---------------------------------------------------------------------------- shared


class _Resolutions:
    """Each article's links resolved once, shared by the rules that run on it."""

    def __init__(self) -> None:
        self._recent: OrderedDict[
            tuple[int, Path, str], tuple[LinkIndex, list[tuple[Link, Resolved]]]
        ] = OrderedDict()

    def of(self, index: LinkIndex, article: Article, doc: Document) -> list[tuple[Link, Resolved]]:
        key = (id(index), article.path, article.content_hash)
        found = self._recent.get(key)
        if found is not None and found[0] is index:
            return found[1]
        index.remember(article, doc)
        resolved = [(link, index.resolve(article, link.target)) for link in doc.links]
        self._recent[key] = (index, resolved)
        if len(self._recent) > 8:
            self._recent.popitem(last=False)
        return resolved


_RESOLUTIONS = _Resolutions()


def _resolved(article: Article, ctx: RuleContext) -> list[tuple[Link, Resolved]]:
    if ctx.corpus is None:
        return []
    return _RESOLUTIONS.of(link_index(ctx.corpus), article, ctx.doc)


def _is_media(link: Link, resolved: Resolved) -> bool:
    """Images and linked files other than pages (PDF, ZIP, `.yml`...): KB303, not KB301."""
    if link.image:
        return True
    if resolved.path is None:
        return False
    suffix = resolved.path.suffix.lower()
    return bool(suffix) and suffix not in MARKDOWN_SUFFIXES


def _end(link: Link) -> int:
    return link.column + max(len(link.target), 1)


def _hint(resolved: Resolved) -> str:
    if not resolved.suggestion:
        return ""
    why = " (letter case differs)" if resolved.case_only else ""
    return f"; did you mean '{resolved.suggestion}'{why}?"


# ---------------------------------------------------------------------------- rules


@rule("KB301", "broken-link", severity=Severity.ERROR)
def broken_link(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A link or include points at an article or file that does not exist.

    Why: a broken link is a dead end for a reader who was about to get an
    answer, and search engines rank pages with broken links lower. Files are
    matched in their exact letter case, because the web server that publishes
    the help center does so: `Finance.md` is not `finance.md`. The message
    suggests the intended file when only the letter case differs, when an
    article of that name exists in another folder, or when a file of a very
    similar name exists. Links to other sites are never fetched; site paths
    that are not in this repository (`/dynamics365/...`) are not checked.
    This rule covers Markdown pages, folders and extension-less paths;
    missing images and other files (PDF, ZIP, `.yml`...) are KB303.
    Example: `See [Refunds](../billing/refund.md).` when the file is `refund-policy.md`.
    Use instead: `See [Refunds](../billing/refund-policy.md).`
    Options: none.
    """
    for link, resolved in _resolved(article, ctx):
        if link.image or link.directive:
            continue
        if resolved.kind is LinkKind.EMPTY:
            yield ctx.report(
                link.line, f"link '{link.text or link.target}' has no target", column=link.column
            )
        elif resolved.kind is LinkKind.MISSING and not _is_media(link, resolved):
            what = "included file" if link.include else "linked file"
            yield ctx.report(
                link.line,
                f"{what} '{link.target}' not found{_hint(resolved)}",
                column=link.column,
                end_line=link.line,
                end_column=_end(link),
            )


@rule("KB302", "broken-anchor", severity=Severity.WARNING)
def broken_anchor(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A link points at a heading anchor that does not exist in its article.

    Why: the reader lands at the top of a long page instead of the section
    promised, or the section was renamed and the link now promises something
    the article no longer has. Anchors are computed with the same slug
    function the site uses (GitHub's: `## Reset a password` is
    `#reset-a-password`); explicit ids (`## Reset {#reset}`) and HTML
    `id`/`name` attributes count too. Anchors into files that are not
    articles (includes) are not checked; `#top` is always fine.
    Example: `[Two-step sign-in](two-factor.md#set-up-2fa)` where the heading
    is `## Turn on two-step sign-in`.
    Use instead: `[Two-step sign-in](two-factor.md#turn-on-two-step-sign-in)`
    Options: none.
    """
    if ctx.corpus is None:
        return
    index = link_index(ctx.corpus)
    for link, resolved in _resolved(article, ctx):
        if link.image or link.include or not resolved.fragment:
            continue
        if resolved.kind is LinkKind.ANCHOR:
            anchors, where = ctx.doc.anchors, "this article"
        elif resolved.kind is LinkKind.ARTICLE and resolved.article is not None:
            anchors = index.anchors(resolved.article)
            where = (
                "this article"
                if resolved.article.path == article.path
                else f"'{link.target.split('#', 1)[0]}'"
            )
        else:
            continue
        found, suggestion, case_only = find_anchor(anchors, resolved.fragment)
        if found:
            continue
        hint = ""
        if suggestion:
            hint = f"; did you mean '#{suggestion}'{' (letter case differs)' if case_only else ''}?"
        yield ctx.report(
            link.line,
            f"anchor '#{resolved.fragment}' not found in {where}{hint}",
            column=link.column,
            end_line=link.line,
            end_column=_end(link),
        )


@rule("KB303", "missing-media", severity=Severity.ERROR)
def missing_media(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """An image or a linked file that is not a page (PDF, ZIP, video...) does not exist.

    Why: a missing screenshot leaves a gap exactly where the reader needed to
    see what to click; a missing download is a broken promise. Markdown images,
    HTML `<img>`, DocFX `:::image` blocks and links to any file that is not
    Markdown are checked, in their exact letter case (with a suggestion when
    only the case differs).
    Example: `![The billing page](../../assets/Billing-settings.svg)`
    Use instead: `![The billing page](../../assets/billing-settings.svg)`
    Options: none.
    """
    for link, resolved in _resolved(article, ctx):
        if resolved.kind is LinkKind.MISSING and _is_media(link, resolved):
            what = "image" if link.image else "linked file"
            yield ctx.report(
                link.line,
                f"{what} '{link.target}' not found{_hint(resolved)}",
                column=link.column,
                end_line=link.line,
                end_column=_end(link),
            )
        elif resolved.kind is LinkKind.EMPTY and link.image:
            yield ctx.report(link.line, "image has no source", column=link.column)


@rule(
    "KB304",
    "image-alt-text",
    severity=Severity.WARNING,
    options=(
        Option(
            "alt_file_name",
            True,
            "Also report alt text that is only the image's file name (`diagram.png`).",
        ),
    ),
)
def image_alt_text(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """An image has no alt text (or only its file name as alt text).

    Why: screen readers read the alt text in place of the image, search engines
    index it, and browsers show it when the image does not load. Without it a
    blind reader misses the step the screenshot shows. An HTML image marked as
    decorative on purpose (`<img src="x.png" alt="">`) is fine; Markdown has no
    such marker, so `![](x.png)` is always reported. DocFX `:::image` blocks
    need `alt-text="..."`, except icons (`type="icon"`), which are decorative.
    Example: `![](../../assets/sign-in-page.svg)` or `![sign-in-page.svg](...)`
    Use instead: `![The sign-in page, with Forgot password? below the password](sign-in.svg)`
    Options: `alt_file_name` (default true): also report alt text that is just the file name.
    """
    check_names = bool(ctx.option("alt_file_name"))
    for link in ctx.doc.links:
        if not link.image or link.decorative:
            continue
        alt = link.text.strip()
        if not alt:
            if link.html:
                message = (
                    'image has no alt attribute; describe it (or use alt="" if it is decorative)'
                )
            elif link.directive:
                message = 'image has no alt-text; add alt-text="..." describing it'
            else:
                message = "image has no alt text; describe what it shows in ![...]"
            yield ctx.report(link.line, message, column=link.column)
        elif check_names and _IMAGE_NAME.match(alt):
            target_name = link.target.split("?", 1)[0].rsplit("/", 1)[-1].lower()
            if alt.lower() == target_name or alt.lower().replace(" ", "_") == target_name:
                yield ctx.report(
                    link.line,
                    f"alt text is the file name '{alt}'; describe what the image shows",
                    column=link.column,
                )


@rule("KB305", "unsafe-url", severity=Severity.ERROR)
def unsafe_url(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A link or image uses a `javascript:`, `vbscript:`, `data:` or `file:` URL.

    Why: `javascript:` and `vbscript:` URLs run code in the reader's browser
    (the site exporter removes them, so the link would be dead anyway);
    `data:` URLs can carry scripts and HTML; `file:` URLs point at the
    writer's own disk. Raster images may use `data:image/png` (also gif,
    jpeg, webp, avif, bmp), which cannot run script; `data:image/svg+xml` can,
    and is reported. Spelling tricks (`JaVaScRiPt:`, entities, tabs) do not
    hide a scheme.
    Example: `[Open the chat](javascript:openChat())`
    Use instead: a link to a page, e.g. `[Contact support](../contact.md)`.
    Options: none.
    """
    for link in ctx.doc.links:
        scheme = unsafe_scheme(link.target, image=link.image)
        if scheme is not None:
            what = "image" if link.image else "link"
            yield ctx.report(
                link.line,
                f"{what} uses an unsafe '{scheme}:' URL",
                column=link.column,
                end_line=link.line,
                end_column=_end(link),
            )


@rule("KB306", "link-to-unpublished", severity=Severity.WARNING)
def link_to_unpublished(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A published article links to a draft or archived article.

    Why: drafts and archived articles are not on the published site, so the
    link is broken for every reader even though the file exists. Publish the
    target first, or link to a published article.
    Example: a published article with `[New widget](new-carousel-widget.md)`
    where that article has `status: draft`.
    Use instead: publish `new-carousel-widget.md` first, or remove the link.
    Options: none.
    """
    if not article.is_published:
        return
    for link, resolved in _resolved(article, ctx):
        target = resolved.article
        if link.include or resolved.kind is not LinkKind.ARTICLE or target is None:
            continue
        if not target.is_published:
            written = link.target.split("#", 1)[0]
            yield ctx.report(
                link.line,
                f"links to '{written}', which is {target.status} (not on the published site)",
                column=link.column,
                end_line=link.line,
                end_column=_end(link),
            )


# Link texts that say nothing about where the link goes, by language (matched whole).
LINK_TEXT_PHRASES: dict[str, tuple[str, ...]] = {
    "en": (
        "click here",
        "here",
        "this link",
        "read more",
        "more",
        "link",
        "click",
        "this",
        "this page",
        "go here",
        "click this link",
        "more info",
        "more information",
    ),
    "sv": (
        "klicka här",
        "här",
        "läs mer",
        "mer",
        "länk",
        "denna länk",
        "den här länken",
        "klicka",
        "mer info",
    ),
    "de": (
        "hier klicken",
        "hier",
        "mehr",
        "klicken sie hier",
        "hier klicken",
        "weiterlesen",
        "mehr lesen",
        "link",
        "dieser link",
        "diesen link",
        "klicken",
    ),
    "fr": ("cliquez ici", "ici", "en savoir plus", "plus", "lien", "ce lien", "lire la suite"),
    "es": ("haga clic aquí", "haz clic aquí", "aquí", "más", "enlace", "este enlace", "leer más"),
    "ja": ("こちら", "ここ", "ここをクリック", "こちらをクリック", "リンク", "このリンク"),
    "zh": ("点击这里", "这里", "点击此处", "此处", "点这里", "链接", "此链接", "这个链接"),
}
_TRIM = " \t\r\n.,:;!?…»«›‹→←>\"'“”‘’()[]。、，：；！？「」『』（）"


def _normal_text(text: str) -> str:
    return " ".join(text.strip(_TRIM).lower().split())


@rule(
    "KB307",
    "link-text",
    severity=Severity.WARNING,
    options=(
        Option(
            "link_text_phrases",
            {},
            "More link texts to report, as a list (every locale) or a table by locale "
            '(`{ en = ["go"], sv = ["gå"] }`); they add to the built-in phrases.',
            per_locale=True,
        ),
    ),
)
def link_text(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A link's text says nothing about where it goes ("click here", "read more").

    Why: screen-reader users jump from link to link and hear only the link
    text; search engines use it to understand the target; and a reader
    scanning the page looks for words that match the task. The text must make
    sense on its own. The phrases are matched as the whole link text, in the
    article's language and English: en "click here", "here", "this link",
    "read more", "more", "link"; sv "klicka här", "här", "läs mer"; de "hier
    klicken", "hier", "mehr"; ja "こちら", "ここ"; zh "点击这里", "这里"; fr,
    es likewise. Links without any text are reported too.
    Example: `To change your plan, [click here](change-or-cancel-plan.md).`
    Use instead: `See [Change or cancel your plan](change-or-cancel-plan.md).`
    Options: `link_text_phrases`: more phrases, a list or a table by locale.
    """
    language = article.locale.split("-", 1)[0].split("_", 1)[0].lower()
    phrases = set(LINK_TEXT_PHRASES["en"]) | set(LINK_TEXT_PHRASES.get(language, ()))
    extra = ctx.option("link_text_phrases")
    if isinstance(extra, str):
        extra = [extra]
    if isinstance(extra, Sequence):
        phrases.update(_normal_text(str(p)) for p in extra)
    for link in ctx.doc.links:
        if link.image or link.include or link.html or link.directive:
            continue
        text = _normal_text(link.text)
        if not text:
            if not link.text.strip() and not link.target.startswith("#"):
                yield ctx.report(
                    link.line, "link has no text; say where it goes", column=link.column
                )
        elif text in phrases:
            yield ctx.report(
                link.line,
                f"link text '{link.text.strip()}' does not say where the "
                "link goes; use the target's title or task",
                column=link.column,
            )


TOC_FILES = ("TOC.md", "toc.md", "_index.md")


@rule("KB308", "orphan-article", severity=Severity.INFO, scope="corpus", enabled=False)
def orphan_article(corpus: Corpus, ctx: CorpusContext) -> Iterator[Diagnostic]:
    """A published article that no other article links to and no table of contents lists.

    Why: readers find help articles by following links from related articles
    and from tables of contents; an article reachable only through search is
    easily forgotten in reviews and rarely found. An article is an orphan when
    no other article (in any locale) links to it and no table-of-contents file
    (`TOC.md`, `toc.md` or a section's `_index.md`) in its folder or a folder
    above it links to it. Off by default: every article is listed on its
    section page of the kbtool site anyway, so on most knowledge bases this is
    a hint for editors, not an error (`select = ["KB308"]` turns it on).
    Example: `billing/vat-and-tax-ids.md`, published, linked from nowhere.
    Use instead: link to it from related articles (a "Related articles" list),
    or list it in the section's table of contents.
    Options: none.
    """
    index = link_index(corpus)
    linked: set[str] = set()
    for article in corpus.articles:
        for link in ctx.doc(article).links:
            if link.image:
                continue
            resolved = index.resolve(article, link.target)
            if resolved.article is not None and resolved.article.path != article.path:
                linked.add(str(resolved.article.path))
    linked.update(_listed_in_tocs(corpus, index))
    for article in corpus.articles:
        if article.is_published and str(article.path) not in linked:
            blocks = ctx.doc(article).blocks
            yield ctx.report(
                article,
                blocks[0].line if blocks else article.body_line,
                "no other article links to this one and no table of contents lists it",
            )


def _listed_in_tocs(corpus: Corpus, index: LinkIndex) -> set[str]:
    """Paths of the articles linked from TOC files in the articles' folders and above."""
    folders: set[Path] = set()
    top = corpus.config.articles_path
    for article in corpus.articles:
        folder = article.path.parent
        while folder not in folders:
            folders.add(folder)
            if folder == top or folder.parent == folder or top not in folder.parents:
                break
            folder = folder.parent
    listed: set[str] = set()
    for folder in sorted(folders):
        for name in TOC_FILES:
            toc = folder / name
            if not toc.is_file():
                continue
            try:
                text = toc.read_text(encoding="utf-8-sig", errors="replace")
            except OSError:
                continue
            doc = analyze_text(text)
            locale_root = _locale_root(corpus, toc)
            for link in doc.links:
                resolved = index.resolve_from(toc, locale_root, link.target)
                if resolved.article is not None:
                    listed.add(str(resolved.article.path))
    return listed


def _locale_root(corpus: Corpus, path: Path) -> Path:
    articles = corpus.config.articles_path
    try:
        head = path.relative_to(articles).parts[0]
    except (ValueError, IndexError):
        return articles
    if corpus.layout.localized and head in corpus.layout.locales:
        return articles / head
    return articles


# ---------------------------------------------------------------------------- link syntax


@rule("KB309", "bare-url", severity=Severity.WARNING, fixable=True)
def bare_url(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A URL written in the text without link syntax.

    Why: the help site renders CommonMark, which shows a bare URL as plain
    text: readers have to copy it by hand, and on a phone they often cannot.
    Make it a link, ideally with words that say where it goes. URLs in code,
    in link text, in DocFX directives (`[!VIDEO https://...]`) and
    placeholders (`https://<your-store>/admin`, `https://{tenant}.example.com`)
    are not reported.
    Example: `Download the app from https://rateflow.example/download.`
    Use instead: `[Download the app](https://rateflow.example/download).`
    Fix: wraps the URL in angle brackets (`<https://...>`), which makes it a
    link showing the URL. Punctuation after the URL stays outside it.
    Options: none.
    """
    for link in ctx.doc.bare_urls:
        end = link.column + len(link.target)
        fix = None
        if link.target.lower().startswith(("http://", "https://")):
            fix = Fix(
                "make the URL a link: <URL>",
                (
                    TextEdit(link.line, link.column, link.line, link.column, "<"),
                    TextEdit(link.line, end, link.line, end, ">"),
                ),
            )
        yield ctx.report(
            link.line,
            f"bare URL '{link.target}' is shown as plain text; make it a link",
            column=link.column,
            end_line=link.line,
            end_column=end,
            fix=fix,
        )


@rule("KB310", "empty-link", severity=Severity.WARNING)
def empty_link(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A link goes nowhere: its target is only `#`.

    Why: `[text](#)` is a placeholder left while drafting; on the site it
    scrolls to the top of the page, which readers take for a broken link.
    Links without any target (`[text]()`) are KB301's.
    Example: `See [the pricing page](#) for details.`
    Use instead: `See [Plans and pricing](../billing/plans.md) for details.`
    Options: none.
    """
    for link in ctx.doc.links:
        if link.target.strip() == "#" and not link.image:
            name = f"link '{link.text}'" if link.text.strip() else "link"
            yield ctx.report(
                link.line,
                f"{name} points at '#' (the top of the page); give it its real target",
                column=link.column,
            )


@rule("KB311", "reversed-link", severity=Severity.ERROR)
def reversed_link(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """Link syntax the wrong way round: `(text)[target]`.

    Why: Markdown links are `[text](target)`; the reversed form is shown as
    written, brackets and all, and the reader gets no link. Only reported
    when the part in square brackets looks like a target (a URL, a path, a
    `.md` file or an anchor), so `(see note)[1]` is left alone.
    Example: `(Reset your password)[reset-password.md]`
    Use instead: `[Reset your password](reset-password.md)`
    Options: none.
    """
    for link in ctx.doc.reversed_links:
        yield ctx.report(
            link.line,
            f"reversed link syntax: write [{link.text}]({link.target})",
            column=link.column,
            end_line=link.line,
            end_column=link.column + len(link.text) + len(link.target) + 4,
        )


_LINK_TEXT_SPACE = re.compile(r"(?<![!\\\]])\[([ \t]+[^\[\]]*|[^\[\]]*?[ \t]+)\]\(")
_CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)")


@rule("KB312", "link-text-spaces", severity=Severity.INFO)
def link_text_spaces(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """Spaces just inside a link's brackets: `[ Reset your password ](x.md)`.

    Why: the spaces become part of the link, so the underline runs past the
    words; and the source looks as if something were missing.
    Example: `See [ Plans and pricing ](plans.md).`
    Use instead: `See [Plans and pricing](plans.md).`
    Options: none.
    """
    body = article.body
    if "[ " not in body and " ](" not in body and "\t" not in body:
        return
    offset = article.body_line
    lines = body.split("\n")
    by_line: dict[int, int] = {}
    for link in ctx.doc.links:
        if not (link.image or link.html or link.include or link.directive):
            by_line[link.line] = by_line.get(link.line, 0) + 1
    literal = {
        line for block in ctx.doc.code_blocks for line in range(block.line, block.end_line + 1)
    }
    for line in sorted(by_line):
        if line in literal:
            continue
        text = lines[line - offset] if 0 <= line - offset < len(lines) else ""
        if "`" in text:
            # masked with a character that is not a space: `[`code` text]` has no space
            text = _CODE_SPAN.sub(lambda m: "\x00" * len(m.group()), text)
        for match in _LINK_TEXT_SPACE.finditer(text):
            if match.group(1).strip():
                yield ctx.report(
                    line,
                    f"spaces inside the link text '[{match.group(1)}]'; remove them",
                    column=match.start() + 1,
                )


# ---------------------------------------------------------------------------- raw HTML

# not on the site's allow-list (kbtool/site/render.py); `<input>` is, for task-list boxes
_STRIPPED_TAGS = (
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "form",
    "button",
    "textarea",
    "select",
    "link",
    "meta",
    "base",
)
_UNSAFE_TAG = re.compile(rf"<({'|'.join(_STRIPPED_TAGS)})\b", re.IGNORECASE)
_EVENT_ATTRIBUTE = re.compile(r"""<[A-Za-z][\w-]*\b[^>]*?\s(on[a-z]+)\s*=""", re.IGNORECASE)


@rule("KB313", "unsafe-html", severity=Severity.WARNING)
def unsafe_html(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """Raw HTML that the published site removes: scripts, styles, frames, forms, event handlers.

    Why: the site sanitises raw HTML to an allow-list before publishing, so
    readers never run an article's scripts; `<script>`, `<style>`,
    `<iframe>` (embedded videos too), `<object>`, `<embed>`, `<form>`,
    `<button>`, `<select>`, `<textarea>` and `on...=` event attributes are
    removed. What the writer meant to show
    is silently missing from the page, and in a Markdown preview that does not
    sanitise, the markup runs. Code blocks and comments are not checked.
    Example: `<iframe src="https://www.youtube.com/embed/abc"></iframe>`
    Use instead: a link to the video (`[Watch: set up the widget](https://...)`),
    or the site's own markup for the content.
    Options: none.
    """
    doc = ctx.doc
    if not doc.html_blocks and not doc.html_tags:
        return
    found: list[tuple[int, str]] = []
    for line, html in (*doc.html_blocks, *doc.html_tags):
        if "<" not in html:
            continue
        for match in _UNSAFE_TAG.finditer(html):
            where = line + html.count("\n", 0, match.start())
            found.append((where, f"<{match.group(1).lower()}> is removed from the published page"))
        for match in _EVENT_ATTRIBUTE.finditer(html):
            where = line + html.count("\n", 0, match.start(1))
            found.append(
                (
                    where,
                    f"event attribute '{match.group(1).lower()}' runs script; it is removed "
                    "from the published page",
                )
            )
    for line, message in sorted(set(found)):
        yield ctx.report(line, message)


# ---------------------------------------------------------------------------- media files


def _file_size(path: Path) -> int:
    """The file's size in bytes; -1 when it cannot be read. Not remembered between
    calls: an image replaced in place must be seen in the next run of the same process."""
    try:
        return path.stat().st_size
    except OSError:
        return -1


@rule(
    "KB314",
    "image-file-size",
    severity=Severity.WARNING,
    options=(
        Option(
            "image_max_kb",
            500,
            "Largest image file, in KB (1 KB = 1,024 bytes), an article may show; 0 turns "
            "the check off.",
        ),
    ),
)
def image_file_size(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """An image file in the knowledge base is too large for the web.

    Why: a page waits for its images; a 3 MB screenshot takes seconds on a
    phone network and costs readers data, and search engines rank slow
    pages lower. Screenshots compress well: PNG with fewer colours, WebP or
    JPEG for photos, and no more pixels than the page shows. Only images in
    the repository are checked (Markdown, HTML and `:::image` images); images
    on other sites are not fetched.
    Example: `![The review form](../../assets/review-form.png)` where the
    file is 2.4 MB.
    Use instead: the same screenshot resized and compressed, under 500 KB.
    Options: `image_max_kb` (default 500); 0 turns the check off.
    """
    limit = int(ctx.option("image_max_kb") or 0)
    if limit <= 0 or not any(link.image for link in ctx.doc.links):
        return
    for link, resolved in _resolved(article, ctx):
        if not link.image or resolved.kind is not LinkKind.FILE or resolved.path is None:
            continue
        size = _file_size(resolved.path)
        if size > limit * 1024:
            yield ctx.report(
                link.line,
                f"image '{link.target}' is {size / 1024:,.0f} KB; keep images under {limit:,} KB",
                column=link.column,
                end_line=link.line,
                end_column=_end(link),
            )
