"""Structure rules (KB2xx): headings, sections, code blocks and the shape of the Markdown.

They read the one Markdown analysis of the article (`ctx.doc`), so DocFX and
Adobe markup (`[!INCLUDE]`, callouts, `:::image`, `{#id}` heading ids, DocFX
tab headings `# [Tab](#tab/id)`) is understood rather than reported. Three
rules come with safe fixes (`kbtool lint --fix`): trailing whitespace, heading
spacing and list markers; each fix keeps the rendered article the same (or,
for `##Heading`, makes it render as the writer meant) and touches no other byte.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from kbtool.corpus import Article
from kbtool.corpus.model import Severity
from kbtool.lint.context import RuleContext
from kbtool.lint.diagnostic import Diagnostic, Fix, TextEdit
from kbtool.lint.registry import Option, rule
from kbtool.markdown import Document, split_lines, strip_markup
from kbtool.slug import explicit_anchor

__all__: list[str] = []


def _comparable(text: str) -> str:
    """Text for comparing a heading with a title: plain words, case and punctuation ignored."""
    text = unicodedata.normalize("NFKC", strip_markup(text)).casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


def _body_lines(article: Article) -> list[str]:
    return split_lines(article.body)


_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)


def _literal_lines(doc: Document, article: Article) -> set[int]:
    """File lines passed through as written: code blocks, raw HTML blocks, inside HTML comments.

    A line counts as inside a comment when its line end is (the comment goes on
    past it), so text after a comment within a paragraph is still checked; a
    comment that starts a line is an HTML block, passed through up to the end
    of the line where it closes.
    """
    out: set[int] = set()
    for block in doc.code_blocks:
        out.update(range(block.line, block.end_line + 1))
    for line, html in doc.html_blocks:
        out.update(range(line, line + max(html.count("\n"), 1)))
    body = article.body
    if "<!--" in body:
        line = article.body_line
        position = 0
        for match in _COMMENT.finditer(body):
            line += body.count("\n", position, match.start())
            inner = match.group().count("\n")
            line_start = body.rfind("\n", 0, match.start()) + 1
            starts_line = not body[line_start : match.start()].strip(" \t>")
            out.update(range(line, line + inner + (1 if starts_line else 0)))
            line += inner
            position = match.end()
    return out


# ---------------------------------------------------------------------------- headings


@rule(
    "KB201",
    "extra-h1",
    severity=Severity.WARNING,
    options=(
        Option(
            "title_h1",
            False,
            "True when the publishing platform shows the body's first H1 as the page "
            "heading (DocFX, Experience League): that H1 is then expected, even when it "
            "repeats the title, and only a second H1 is reported.",
        ),
    ),
)
def extra_h1(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """The body has an H1 that repeats the title, or more than one H1.

    Why: the help site shows the article's title as the page's one H1. An H1 in
    the body repeats it (readers see the title twice) or adds a second H1,
    which muddles the outline that screen readers and search engines use.
    Platforms that show the body's first H1 instead of the title (DocFX,
    Adobe Experience League) need that H1: set `title_h1 = true` and only a
    second H1 is reported.
    Example: `title: Reset your password` and a body starting `# Reset your password`.
    Use instead: start the body with the first paragraph; use `##` for sections.
    Options: `title_h1` (default false): the first H1 is the page heading.
    """
    platform_h1 = bool(ctx.option("title_h1"))
    title = _comparable(article.title)
    first = True
    for heading in ctx.doc.headings:
        if heading.level != 1:
            continue
        if platform_h1:
            if not first:
                yield ctx.report(
                    heading.line,
                    f"second H1 '{heading.text}': an article has one H1; make this a ## heading",
                )
        elif first and title and _comparable(heading.text) == title:
            yield ctx.report(
                heading.line,
                f"H1 repeats the title '{article.title}', which is "
                "already the page heading; remove it",
            )
        else:
            yield ctx.report(
                heading.line,
                f"H1 '{heading.text}' in the body: the title is the "
                "page's H1; make this a ## heading",
            )
        first = False


@rule("KB202", "heading-increment", severity=Severity.WARNING)
def heading_increment(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A heading skips a level (an H2 followed by an H4).

    Why: heading levels are the article's outline. Screen-reader users move
    through an article by heading level, and a skipped level reads as a
    missing section; the site's table of contents nests by level too. The
    title counts as the H1, so the first heading of the body is an H2. A
    DocFX tab heading (`## [Windows](#tab/windows)`) counts at its level.
    Example: `## Set up the widget` followed by `#### Colours`.
    Use instead: `## Set up the widget` followed by `### Colours`.
    Options: none.
    """
    doc = ctx.doc
    headings = doc.headings
    if doc.tabs:
        headings = tuple(sorted([*doc.headings, *doc.tabs], key=lambda h: h.line))
    previous = 1
    for heading in headings:
        if heading.anchor and heading.level > previous + 1:
            yield ctx.report(
                heading.line,
                f"heading level jumps from h{previous} to h{heading.level}; use h{previous + 1}",
            )
        previous = heading.level


_CONTENTLESS = frozenset({"heading", "comment", "hr"})


@rule("KB203", "empty-section", severity=Severity.WARNING)
def empty_section(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A heading has no content: the next heading (same or higher level) follows directly.

    Why: an empty section promises an answer and gives none; it is usually a
    placeholder left from a template or content that was moved away. A heading
    followed by a deeper heading is fine (its content is in subsections);
    HTML comments and horizontal rules are not content. A heading made of a
    DocFX include (`## [!INCLUDE[...](...)]`) brings its own content.
    Example: `## Troubleshooting` followed directly by `## Related articles`.
    Use instead: write the section, or remove its heading.
    Options: none.
    """
    doc = ctx.doc
    top = [h for h in doc.headings if not h.nested]
    content = [b.line for b in doc.blocks if b.kind not in _CONTENTLESS]
    position = 0
    for index, heading in enumerate(top):
        following = top[index + 1] if index + 1 < len(top) else None
        if following is not None and following.level > heading.level:
            continue
        if "[!INCLUDE" in heading.raw.upper():
            continue
        end = following.line if following is not None else 1 << 30
        start = heading.end_line or heading.line
        while position < len(content) and content[position] <= start:
            position += 1
        if position < len(content) and content[position] < end:
            continue
        if following is None:
            message = f"section '{heading.text}' is empty: nothing follows the heading"
        else:
            message = (
                f"section '{heading.text}' is empty: the next heading "
                f"'{following.text}' follows directly"
            )
        yield ctx.report(heading.line, message)


_END_PUNCTUATION = ".:;!,。：；！，"
_TRAILING_TAGS = re.compile(r"(?:\s*<[^>]*>)+\s*$")


@rule("KB204", "heading-punctuation", severity=Severity.WARNING)
def heading_punctuation(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A heading ends in punctuation (`.`, `:`, `;`, `!`, `,`).

    Why: headings are labels, not sentences; the site's table of contents,
    search results and link previews show them alone, where a trailing colon
    or full stop looks like a mistake. Question marks are fine (FAQ headings
    are questions), and so is an ellipsis (`...`, `…`), which is usually part
    of a UI label. Full-width CJK punctuation (`。：！`) counts too.
    Example: `## Before you begin:`
    Use instead: `## Before you begin`
    Options: none.
    """
    lines = _body_lines(article)
    offset = article.body_line
    for heading in ctx.doc.headings:
        text = heading.text.rstrip()
        if not text or text[-1] not in _END_PUNCTUATION or text.endswith("..."):
            continue
        raw, _ = explicit_anchor(_TRAILING_TAGS.sub("", heading.raw))
        raw = raw.rstrip().rstrip("*_~").rstrip()
        if not raw or raw[-1] != text[-1]:
            continue  # the punctuation is inside code or a link, not the heading's own
        column = 1
        index = heading.line - offset
        if 0 <= index < len(lines) and not heading.setext:
            found = lines[index].find(raw)
            if found >= 0:
                column = found + len(raw)
        yield ctx.report(
            heading.line,
            f"heading ends with '{text[-1]}'; headings are labels, not sentences",
            column=column,
            end_line=heading.line,
            end_column=column + 1,
        )


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_SUBHEADING_WORDS = {"default": 400, "ja": 800, "zh": 800, "ko": 800}


def _word_count(text: str) -> int:
    """Words, with each CJK character counted as one (those scripts have no spaces)."""
    cjk = len(_CJK.findall(text))
    if cjk:
        text = _CJK.sub(" ", text)
    return cjk + len(text.split())


@rule(
    "KB205",
    "missing-subheadings",
    severity=Severity.INFO,
    options=(
        Option(
            "subheading_words",
            _SUBHEADING_WORDS,
            "Most words an article may have without a subheading (CJK text: characters).",
            per_locale=True,
        ),
    ),
)
def missing_subheadings(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A long article has no subheadings.

    Why: readers of help articles scan for the part that answers their
    question; a long wall of text without sections makes them read everything
    or give up, and the site cannot build a table of contents for it. Prose,
    list and table text count; code does not. Chinese, Japanese and Korean
    text is counted in characters, so those locales have a higher default.
    Example: a 600-word article with no `##` heading.
    Use instead: split it into sections with `##` headings named after the tasks.
    Options: `subheading_words` (default 400; ja, zh, ko 800), per locale.
    """
    doc = ctx.doc
    if any(h.level >= 2 for h in doc.headings):
        return
    limit = int(ctx.option("subheading_words") or 0)
    words = sum(_word_count(p.text) for p in doc.paragraphs)
    if limit and words > limit:
        line = doc.blocks[0].line if doc.blocks else article.body_line
        yield ctx.report(
            line,
            f"{words} words and no subheading; split the article into "
            f"sections with ## headings (limit {limit})",
        )


# ---------------------------------------------------------------------------- code


@rule("KB206", "unclosed-code-fence", severity=Severity.ERROR)
def unclosed_code_fence(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A fenced code block is never closed.

    Why: everything after an unclosed fence (the rest of the article, or of
    the list item or quote it is in) is shown as code: headings, links and
    steps disappear into a grey box.
    Example: a line with three backticks and no matching closing line.
    Use instead: close the block with the same fence (three or more backticks
    or tildes, at least as many as opened it).
    Options: none.
    """
    last = article.body_line + len(_body_lines(article)) - 1
    for block in ctx.doc.code_blocks:
        if block.fenced and not block.closed:
            where = "article" if block.end_line >= last else "list item or quote"
            yield ctx.report(
                block.line,
                f"code fence is never closed: the rest of the {where} is shown as code",
                column=block.column,
            )


@rule("KB207", "code-block-language", severity=Severity.WARNING)
def code_block_language(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A fenced code block does not say its language.

    Why: the language turns on syntax highlighting on the site and tells
    readers (and screen readers) what they are looking at: a shell command,
    a configuration file, or output. Use `text` for plain output. Indented
    code blocks cannot carry a language and are not reported.
    Example: a fence of three backticks with nothing after them.
    Use instead: three backticks followed by `bash`, `json`, `text`...
    Options: none.
    """
    for block in ctx.doc.code_blocks:
        if block.fenced and not block.language:
            yield ctx.report(
                block.line,
                "code block has no language; add one after the fence (`text` for plain output)",
                column=block.column,
            )


# ---------------------------------------------------------------------------- fixes


_TRAILING = re.compile(r"[ \t]+$")


@rule("KB208", "trailing-whitespace", severity=Severity.INFO, fixable=True)
def trailing_whitespace(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A line ends in spaces or tabs.

    Why: invisible trailing whitespace makes noisy diffs and merge conflicts,
    and more than two spaces at the end of a line is an accident, not a
    style. Exactly two trailing spaces before a line of the same paragraph are
    a Markdown hard line break and are left alone; three or more there are
    trimmed to two, which renders the same. Code blocks and raw HTML blocks are
    not touched (whitespace can matter there), nor are HTML comments and the
    front matter.
    Example: `Select **Save**.   ` (three trailing spaces, end of paragraph).
    Use instead: `Select **Save**.`
    Fix: removes the trailing whitespace (keeps two spaces of a hard line break).
    Options: none.
    """
    lines = _body_lines(article)
    offset = article.body_line
    literal = _literal_lines(ctx.doc, article)
    headings = {h.line for h in ctx.doc.headings if not h.setext}
    for index, text in enumerate(lines):
        if not text.endswith((" ", "\t")):
            continue
        line = index + offset
        if line in literal:
            continue
        match = _TRAILING.search(text)
        if match is None:
            continue
        blank = match.start() == 0
        following = lines[index + 1] if index + 1 < len(lines) else ""
        hard_break = (
            not blank
            and line not in headings
            and following.strip() != ""
            and set(match.group()) == {" "}
            and len(match.group()) >= 2
        )
        start = match.start() + 1
        end = len(text) + 1
        if hard_break:
            if len(match.group()) == 2:
                continue
            yield ctx.report(
                line,
                f"{len(match.group())} trailing spaces; a hard line break needs two",
                column=start,
                end_line=line,
                end_column=end,
                fix=Fix(
                    "trim to the two spaces of a hard line break",
                    (TextEdit(line, start, line, end, "  "),),
                ),
            )
            continue
        what = "whitespace-only line" if blank else "trailing whitespace"
        yield ctx.report(
            line,
            what,
            column=start,
            end_line=line,
            end_column=end,
            fix=Fix("remove trailing whitespace", (TextEdit(line, start, line, end, ""),)),
        )


_NO_SPACE = re.compile(r"^( {0,3})(#{1,6})(?=[^\s#\d])")


@rule("KB209", "heading-space", severity=Severity.WARNING, fixable=True)
def heading_space(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A line starts with `#` and no space (`##Heading`): it was meant as a heading but is not one.

    Why: CommonMark needs a space after the `#`s; without it the line is shown
    as a paragraph starting with hash signs, and the section is missing from
    the outline and the table of contents. Lines in code blocks and raw HTML are
    not checked, nor `#` followed by a digit (`#1 priority`).
    Example: `##Troubleshooting`
    Use instead: `## Troubleshooting`
    Fix: inserts the space.
    Options: none.
    """
    doc = ctx.doc
    lines = _body_lines(article)
    offset = article.body_line
    literal: set[int] | None = None
    heading_lines = {h.line for h in doc.headings}
    for index, text in enumerate(lines):
        if "#" not in text[:4]:
            continue
        match = _NO_SPACE.match(text)
        if match is None:
            continue
        line = index + offset
        if literal is None:
            literal = _literal_lines(doc, article)
        if line in literal or line in heading_lines:
            continue
        column = match.end() + 1
        hashes = match.group(2)
        yield ctx.report(
            line,
            f"no space after '{hashes}': this line is not a heading",
            column=match.start(2) + 1,
            end_line=line,
            end_column=column,
            fix=Fix(
                f"insert a space after '{hashes}'", (TextEdit(line, column, line, column, " "),)
            ),
        )


@rule("KB211", "heading-blank-lines", severity=Severity.INFO, fixable=True)
def heading_blank_lines(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A heading has no blank line before or after it.

    Why: CommonMark does not need them, but a heading squeezed between
    paragraphs is easy to miss while editing, and some other Markdown tools
    (and people reading the source) do not see it as a heading. A comment
    right above a heading (such as `<!-- kbtool-disable-next-line -->`) is
    fine. Headings inside lists and quotes, and underlined (setext)
    headings, are not checked.
    Example: a paragraph line directly followed by `## Next steps`.
    Use instead: a blank line before and after `## Next steps`.
    Fix: inserts the blank line (which renders the same).
    Options: none.
    """
    doc = ctx.doc
    lines = _body_lines(article)
    offset = article.body_line
    eol = article.line_ending
    comments = {line for line, _ in doc.comments}
    for block in doc.blocks:
        if block.kind == "comment":
            comments.update(range(block.line, block.end_line + 1))
    for heading in doc.headings:
        if heading.setext or heading.nested:
            continue
        index = heading.line - offset
        if index < 0 or index >= len(lines):
            continue
        if index > 0 and lines[index - 1].strip() and heading.line - 1 not in comments:
            yield ctx.report(
                heading.line,
                "no blank line before the heading",
                fix=Fix(
                    "insert a blank line before the heading",
                    (TextEdit(heading.line, 1, heading.line, 1, eol),),
                ),
            )
        if index + 1 < len(lines) and lines[index + 1].strip():
            end = len(lines[index]) + 1
            yield ctx.report(
                heading.line,
                "no blank line after the heading",
                column=end,
                fix=Fix(
                    "insert a blank line after the heading",
                    (TextEdit(heading.line, end, heading.line, end, eol),),
                ),
            )


_MARKERS = ("-", "*", "+")


@rule(
    "KB210",
    "list-marker-style",
    severity=Severity.WARNING,
    fixable=True,
    options=(
        Option(
            "list_marker",
            "consistent",
            "Bullet for unordered lists: `-`, `*`, `+`, or `consistent` (the first one the "
            "article uses).",
        ),
    ),
)
def list_marker_style(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """Bulleted lists in one article use different markers (`-` and `*`).

    Why: one marker per article keeps the source consistent and diffs clean.
    In CommonMark, changing the marker also starts a new list, so a mixed list
    renders as two lists with a gap between them.
    Example: one list with `- ` items and a later one with `* ` items.
    Use instead: the same marker for every list (by default, the first one
    the article uses).
    Options: `list_marker` (default `consistent`; or `-`, `*`, `+`).
    Fix: changes the markers of the list. Not offered where a list directly
    follows or precedes another list: changing its marker would merge the two.
    """
    lists = [item for item in ctx.doc.lists if not item.ordered and item.items]
    if not lists:
        return
    wanted = str(ctx.option("list_marker")).strip()
    if wanted not in _MARKERS:
        wanted = lists[0].marker
    lines = _body_lines(article)
    offset = article.body_line
    for block in lists:
        if block.marker == wanted:
            continue
        edits: list[TextEdit] = []
        for item in block.items:
            index = item.line - offset
            text = lines[index] if 0 <= index < len(lines) else ""
            if text[item.column - 1 : item.column] != block.marker:
                edits = []
                break
            edits.append(TextEdit(item.line, item.column, item.line, item.column + 1, wanted))
        fix = None
        if edits and wanted not in (block.before, block.after):
            fix = Fix(f"use '{wanted}' for this list's items", tuple(edits))
        first = block.items[0]
        yield ctx.report(
            first.line,
            f"list uses '{block.marker}' but this article's lists use '{wanted}'",
            column=first.column,
            end_line=first.line,
            end_column=first.column + 1,
            fix=fix,
        )
