"""Structure rules (KB2xx): headings, sections, code blocks and the shape of the Markdown.

They read the one Markdown analysis of the article (`ctx.doc`), so DocFX and
Adobe markup (`[!INCLUDE]`, callouts, `:::image`, `{#id}` heading ids, DocFX
tab headings `# [Tab](#tab/id)`) is understood rather than reported. Three
rules come with safe fixes (`kbtool lint --fix`): trailing whitespace, heading
spacing and list markers; each fix keeps the rendered article the same (or,
for `##Heading`, makes it render as the writer meant) and touches no other byte.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

from kbtool.corpus import Article
from kbtool.corpus.model import Severity
from kbtool.lint.context import RuleContext
from kbtool.lint.diagnostic import Diagnostic, Fix, TextEdit
from kbtool.lint.registry import Option, rule
from kbtool.markdown import Document, Heading, split_lines, strip_markup
from kbtool.slug import explicit_anchor, slugify

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


# ---------------------------------------------------------------------------- source text


class _Source:
    """An article's body lines and the file lines passed through as written."""

    def __init__(self, article: Article, doc: Document):
        self.article = article
        self.doc = doc
        self.lines = _body_lines(article)
        self.offset = article.body_line  # file line of body line index 0
        self._literal: set[int] | None = None

    @property
    def literal(self) -> set[int]:
        if self._literal is None:
            self._literal = _literal_lines(self.doc, self.article)
        return self._literal

    def text(self, line: int) -> str:
        index = line - self.offset
        return self.lines[index] if 0 <= index < len(self.lines) else ""


_LAST_SOURCE: list[_Source] = []


def _source(article: Article, ctx: RuleContext) -> _Source:
    """The `_Source` of the article, shared by the rules that run on it one after another."""
    doc = ctx.doc
    last = _LAST_SOURCE[0] if _LAST_SOURCE else None
    if last is not None and last.article is article and last.doc is doc:
        return last
    source = _Source(article, doc)
    _LAST_SOURCE[:] = [source]
    return source


def _is_blank(text: str) -> bool:
    return not text.strip()


# ---------------------------------------------------------------------------- whitespace


_BLANK_RUN = re.compile(r"^(?:[ \t]*\r?\n){2,}", re.MULTILINE)


@rule("KB212", "multiple-blank-lines", severity=Severity.INFO, fixable=True)
def multiple_blank_lines(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """Two or more blank lines in a row.

    Why: one blank line separates Markdown blocks; more add nothing to the
    page (it renders the same) but make the source look like something is
    missing there, and they pile up in diffs. Blank lines inside code blocks,
    raw HTML and comments are left alone; blank lines at the end of the file
    are KB213's.
    Example: a paragraph, three empty lines, then the next paragraph.
    Use instead: one empty line between the paragraphs.
    Fix: removes the extra blank lines (keeps one).
    Options: none.
    """
    body = article.body
    if (
        "\n\n\n" not in body
        and " \n" not in body
        and "\t\n" not in body
        and "\r\n\r\n\r\n" not in body
        and not body.startswith(("\n\n", "\r\n\r\n"))
    ):
        return  # no two blank lines in a row
    content_end = len(body.rstrip())
    literal: set[int] | None = None
    line = article.body_line
    position = 0
    for match in _BLANK_RUN.finditer(body):
        if match.end() >= content_end:
            break  # blank lines at the end of the file are KB213's
        line += body.count("\n", position, match.start())
        position = match.start()
        count = match.group().count("\n")
        if literal is None:
            literal = _source(article, ctx).literal
        if any(n in literal for n in range(line, line + count)):
            continue
        yield ctx.report(
            line + 1,
            f"{count} blank lines in a row; one is enough",
            end_line=line + count - 1,
            fix=Fix(
                "remove the extra blank lines",
                (TextEdit(line + 1, 1, line + count, 1, ""),),
            ),
        )


@rule("KB213", "final-newline", severity=Severity.INFO, fixable=True)
def final_newline(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """The file does not end with exactly one line break.

    Why: a last line without a line break is not a complete line to Git and
    most tools (`\\ No newline at end of file` in every diff that touches it,
    files that run together when concatenated); blank lines at the end are
    invisible noise. Markdown renders the article the same either way.
    Example: a file whose last line, `Contact support.`, has no line break
    after it, or that ends in two empty lines.
    Use instead: end the last line with one line break.
    Fix: adds the line break, or removes the blank lines at the end. Not
    offered when the file ends inside an unclosed code block, where the blank
    lines are part of the code.
    Options: none.
    """
    body = article.body
    content = body.rstrip(" \t\r\n")
    if not content:
        return
    last = article.body_line + body.count("\n") - (1 if body.endswith("\n") else 0)
    if not body.endswith("\n"):
        column = len(body) - body.rfind("\n")
        yield ctx.report(
            last,
            "the file does not end with a line break",
            column=column,
            fix=Fix(
                "end the file with a line break",
                (TextEdit(last, column, last, column, article.line_ending),),
            ),
        )
        return
    extra = body.count("\n", len(content)) - 1
    if extra <= 0:
        return
    first_blank = last - extra + 1
    in_code = any(
        block.fenced and not block.closed and block.end_line >= first_blank - 1
        for block in ctx.doc.code_blocks
    )
    fix = None
    if not in_code:
        fix = Fix(
            "remove the blank lines at the end of the file",
            (TextEdit(first_blank, 1, last + 1, 1, ""),),
        )
    what = "blank line" if extra == 1 else "blank lines"
    yield ctx.report(
        first_blank,
        f"{extra} {what} at the end of the file; end it with one line break",
        end_line=last,
        fix=fix,
    )


_TAB_WIDTH = 4  # CommonMark's tab stop


@rule("KB214", "hard-tab", severity=Severity.INFO, fixable=True)
def hard_tab(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A tab character in the article's text.

    Why: editors show tabs at different widths, so indentation that lines up
    for the writer is off for the next editor; and in Markdown indentation is
    meaning: a tab can turn a list item's continuation into a code block or
    move text out of the list. Code blocks, raw HTML and comments are not
    checked (tabs can matter there), nor trailing tabs (KB208).
    Example: a list item's second paragraph indented with a tab.
    Use instead: spaces.
    Fix: replaces each tab with spaces up to the next multiple of four
    columns, which is how CommonMark reads a tab, so the article renders the
    same. Not offered on a line with inline code, where the tab may be part
    of the code.
    Options: none.
    """
    if "\t" not in article.body:
        return
    source = _source(article, ctx)
    for index, text in enumerate(source.lines):
        if "\t" not in text:
            continue
        line = index + source.offset
        content = text.rstrip(" \t")
        if "\t" not in content or line in source.literal:
            continue
        edits: list[TextEdit] = []
        width = 0
        for column, char in enumerate(content, start=1):
            if char == "\t":
                spaces = _TAB_WIDTH - width % _TAB_WIDTH
                edits.append(TextEdit(line, column, line, column + 1, " " * spaces))
                width += spaces
            else:
                width += 1
        count = len(edits)
        fix = None
        if "`" not in content:
            fix = Fix("replace tabs with spaces", tuple(edits))
        yield ctx.report(
            line,
            "tab character; indent and align with spaces"
            if count == 1
            else f"{count} tab characters; indent and align with spaces",
            column=edits[0].column,
            fix=fix,
        )


# ---------------------------------------------------------------------------- emphasis

_HEADING_PUNCTUATION = ".,;:!?。，；：！？"
_HEADING_WORDS = 12  # more words than this make a sentence, not a heading
_EMPHASIS_LINE = re.compile(r"^(\*\*|__|\*|_)(?=\S)([^*_`\[\]<>]+?)(?<=\S)\1$")


@rule("KB215", "emphasis-as-heading", severity=Severity.INFO)
def emphasis_as_heading(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A line of bold or italic text stands alone where a heading belongs.

    Why: `**Troubleshooting**` on a line of its own looks like a heading but
    is not one: it is missing from the table of contents and the outline that
    screen readers navigate by, and it has no anchor to link to. A line that
    ends in punctuation (`**Note:**`, `*Updated in May.*`) is a sentence or a
    label and is fine, and so are formulas (`**Total = Price x Quantity**`),
    lines of more than twelve words and emphasis inside lists, tables and
    quotes.
    Example: `**Before you begin**` as a paragraph of its own.
    Use instead: `## Before you begin` (at the level the outline needs).
    Options: none.
    """
    source = _source(article, ctx)
    for block in ctx.doc.blocks:
        if block.kind != "paragraph" or block.end_line != block.line:
            continue
        text = source.text(block.line).strip()
        if len(text) < 3 or text[0] not in "*_":
            continue
        match = _EMPHASIS_LINE.match(text)
        if match is None:
            continue
        inner = match.group(2).strip()
        if inner[-1] in _HEADING_PUNCTUATION or not any(c.isalpha() for c in inner):
            continue
        if "=" in inner or len(inner.split()) > _HEADING_WORDS:
            continue  # a formula or a sentence set in bold, not a heading
        yield ctx.report(
            block.line,
            f"'{inner}' is emphasised text on a line of its own; if it names a "
            "section, make it a heading",
            column=source.text(block.line).find(text[0]) + 1,
        )


_CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)")
_NOT_PROSE = re.compile(r"\]\([^)]*\)|<[^>\n]*>|\b\w+://[^\s*]+|\\.")
# an opening marker follows a space, the start of the line or opening punctuation
_DOUBLE_EMPHASIS = re.compile(r"(?<![^\s(\[{\"'“‘«])(\*\*|__)([^*_|\n]+?)\1(?![\w*_])")
_SINGLE_EMPHASIS = re.compile(r"(?<![^\s(\[{\"'“‘«])([*_])([^*_|\n]+?)\1(?![\w*_])")
_CLOSERS = {
    marker: re.compile(rf"(?<=[^\s*_]){re.escape(marker)}(?![\w*_])")
    for marker in ("*", "_", "**", "__")
}
# what any finding needs: an opening `**`/`__` before a space, or a space before a closing
# marker; most lines with bold text have neither, and are skipped before the real work
# (written to start with the marker, which makes the scan several times faster)
_SPACED_MARKER = re.compile(
    r"[*_](?:(?<![\w*_\\][*_])[*_][ \t]|(?<=[ \t][*_])(?![\w*_])|(?<=[ \t][*_][*_])(?![\w*_]))"
)
# a thematic break (`***`) or a bullet (`* item`) at the start of a line
_MARKERS_AT_START = re.compile(r"^[ \t>]*(?:[*_-][ \t]*){3,}$|^[ \t>]*[*+-][ \t]")


def _mask(text: str) -> str:
    """`text` with code spans, link targets, tags, URLs and escapes masked (same length).

    The mask is a character that is neither a space nor a letter: `**`x`**`
    keeps its markers touching text, and masked words do not count as words.
    """
    if "`" in text:
        text = _CODE_SPAN.sub(_masked, text)
    return _NOT_PROSE.sub(_masked, text)


def _masked(match: re.Match[str]) -> str:
    return "\x00" * len(match.group())


@rule("KB216", "emphasis-spacing", severity=Severity.WARNING)
def emphasis_spacing(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """Spaces just inside emphasis markers (`** Save**`, `*Cancel *`): the text is not emphasised.

    Why: CommonMark only sees `**` as bold when it touches the words it
    encloses, so `** Save **` is shown with its asterisks, as written. In a
    step that says what to select this is the most visible typo a help
    article can have. A single `*` or `_` followed by a space is not
    reported (`2 * 3 * 4`, a bullet after `<br>` in a table), only one with
    a space before its closing marker (`*Cancel *`); code, link targets, URLs
    and raw HTML are not checked.
    Example: `Select ** Save ** to keep the changes.`
    Use instead: `Select **Save** to keep the changes.`
    Options: none.
    """
    body = article.body
    if "*" not in body and "_" not in body:
        return
    candidates: list[int] = []  # body line indexes with a marker next to a space
    line_index = position = 0
    for match in _SPACED_MARKER.finditer(body):
        line_index += body.count("\n", position, match.start())
        position = match.start()
        if not candidates or candidates[-1] != line_index:
            candidates.append(line_index)
    if not candidates:
        return
    source = _source(article, ctx)
    for index in candidates:
        text = source.lines[index] if index < len(source.lines) else ""
        line = index + source.offset
        if line in source.literal:
            continue
        masked = _mask(text)
        # bullets and thematic breaks are list markers, not emphasis
        masked = _MARKERS_AT_START.sub(_blank, masked)
        found: list[tuple[int, str]] = []
        for pattern, single in ((_DOUBLE_EMPHASIS, False), (_SINGLE_EMPHASIS, True)):
            for match in pattern.finditer(masked):
                inner = match.group(2)
                opening, closing = inner[0].isspace(), inner[-1].isspace()
                if not (opening or closing) or not any(c.isalpha() for c in inner):
                    continue
                if single and opening:
                    continue  # `a * b * c`, `<br>* item`: arithmetic or a bullet, not emphasis
                if closing and _CLOSERS[match.group(1)].search(masked, match.end()):
                    continue  # `*Setup time * capacity*`: a later marker closes it
                if any(start <= match.start() < start + 4 for start, _ in found):
                    continue
                found.append((match.start(), match.group(1)))
        for start, marker in sorted(found):
            yield ctx.report(
                line,
                f"space inside '{marker}' emphasis: the markers are shown as written; "
                f"remove the space so '{marker}' touches the text",
                column=start + 1,
            )


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())


# ---------------------------------------------------------------------------- lists, tables


@rule("KB217", "ordered-list-numbers", severity=Severity.WARNING)
def ordered_list_numbers(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """The numbers of an ordered list are not 1, 2, 3... (or all the same).

    Why: Markdown ignores every number but the first and counts on from it,
    so a list written `1.`, `2.`, `2.`, `4.` shows 1, 2, 3, 4: the steps the
    source refers to ("repeat step 4") are not the steps readers see. Write
    the numbers in order, or the same number on every item (`1.`) and let the
    site count. A list may start at any number (a list that goes on after a
    code block or image often starts at 3 or 4).
    Example: steps numbered `1.`, `2.`, `2.`, `3.`
    Use instead: `1.`, `2.`, `3.`, `4.` (or `1.` on every step).
    Options: none.
    """
    for block in ctx.doc.lists:
        if not block.ordered or len(block.items) < 2:
            continue
        numbers: list[int] = []
        for item in block.items:
            if not item.number.isdigit():
                break
            numbers.append(int(item.number))
        if len(numbers) != len(block.items):
            continue
        start = numbers[0]
        if all(n == start for n in numbers):
            continue
        for position, (item, number) in enumerate(zip(block.items, numbers, strict=True)):
            shown = start + position
            if number != shown:
                yield ctx.report(
                    item.line,
                    f"item numbered {number} is shown as {shown}: lists count on from "
                    f"their first number; number the items {start}, {start + 1}, "
                    f"{start + 2}... or write {start}. on every item",
                    column=item.column,
                )
                break


_CONTAINER = re.compile(r"^[ \t>]*")


def _table_cells(text: str) -> list[str]:
    """The cells markdown-it reads in a table row (the site's parser; `|` splits code too)."""
    from markdown_it.rules_block.table import escapedSplit  # the parser's own split

    row = text.strip()
    cells = escapedSplit(row) if "\\" in row else row.split("|")
    if cells and cells[0] == "":
        cells.pop(0)
    if cells and cells[-1] == "":
        cells.pop()
    return cells


@rule("KB218", "table-column-count", severity=Severity.WARNING)
def table_column_count(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A table row has more or fewer cells than the table's header.

    Why: the header decides how many columns a table has: the site drops the
    cells of a longer row (their text is lost) and pads a shorter one with
    empty cells, so the row's values end up under the wrong headings. The
    usual cause is a `|` inside a cell, which splits it even inside `code`;
    write it `\\|`.
    Example: a header `| Setting | Value |` and a row `| Mode | `a|b` |`.
    Use instead: `| Mode | `a\\|b` |`.
    Options: none.
    """
    source = _source(article, ctx)
    for table in ctx.doc.tables:
        header = _CONTAINER.sub("", source.text(table.line))
        columns = len(_table_cells(header))
        for line in range(table.line + 2, table.end_line + 1):
            row = _CONTAINER.sub("", source.text(line))
            if not row.strip():
                break
            cells = len(_table_cells(row))
            if cells == columns:
                continue
            if cells > columns:
                hint = " (a '|' in the text splits a cell: write it as '\\|')" if "`" in row else ""
                message = (
                    f"row has {cells} cells but the header has {columns}: the last "
                    f"{cells - columns} are not shown{hint}"
                )
            else:
                message = (
                    f"row has {cells} cells but the header has {columns}: it is padded "
                    "with empty cells, so its values may sit under the wrong headings"
                )
            yield ctx.report(line, message)


# ---------------------------------------------------------------------------- headings, callouts


def _numbered(anchor: str, anchors: set[str]) -> bool:
    """Is `anchor` another one with a number added (`install-1` beside `install`)?"""
    base, dash, number = anchor.rpartition("-")
    return bool(dash) and number.isdigit() and base in anchors


@lru_cache(maxsize=8192)
def _slug(text: str) -> str:
    """`slugify`, remembered: the same headings ("See also") recur in article after article."""
    return slugify(text)


@rule("KB219", "duplicate-heading", severity=Severity.WARNING)
def duplicate_heading(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """Two sections under the same parent have the same heading.

    Why: readers scanning the table of contents cannot tell the two apart,
    and links cannot either: the second heading's anchor gets a number
    (`#install-1`), computed from the order of the sections, so a link to it
    breaks silently when a section is added or moved. The same heading under
    different parents (an `### Example` in every section) is fine, and so are
    headings with explicit ids (`{#id}`) and headings under different DocFX
    tabs.
    Example: two `## Install the app` headings in one article.
    Use instead: say what differs: `## Install the app on Windows`,
    `## Install the app on macOS`.
    Options: none.
    """
    doc = ctx.doc
    anchors = {h.anchor for h in doc.headings}
    if not any(_numbered(anchor, anchors) for anchor in anchors):
        return  # no anchor got a number, so no two headings share a slug
    headings = doc.headings
    if doc.tabs:
        headings = tuple(sorted([*doc.headings, *doc.tabs], key=lambda h: h.line))
    # parents[level]: the line of the nearest heading above at a lower level (0: the top)
    parents: dict[int, int] = {}
    seen: dict[tuple[int, int, str], Heading] = {}
    for heading in headings:
        parent = max((line for level, line in parents.items() if level < heading.level), default=0)
        parents = {level: line for level, line in parents.items() if level < heading.level}
        parents[heading.level] = heading.line
        if not heading.anchor:  # a DocFX tab: a new parent for what follows
            continue
        key = (parent, heading.level, _slug(heading.text))
        first = seen.get(key)
        if first is None:
            seen[key] = heading
            continue
        if explicit_anchor(heading.raw)[1] or explicit_anchor(first.raw)[1]:
            continue  # an explicit `{#id}` tells the two apart
        yield ctx.report(
            heading.line,
            f"heading '{heading.text}' repeats the one on line {first.line} under the same "
            f"parent; its anchor is '#{heading.anchor}', not '#{first.anchor}': say what "
            "differs",
        )


_BRACKET_WORD = re.compile(r"\[!([A-Za-z][\w-]*)\]")
_QUOTE_PREFIX = re.compile(r"[ \t]*(?:>[ \t]*)+")
CALLOUT_TYPES = ("NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION")
# what else kbtool reads in `[!...]` at the start of a quote: Adobe's callouts and the
# directives of DocFX and Adobe Experience League
_OTHER_BRACKETS = (
    "INFO",
    "SUCCESS",
    "ERROR",
    "INCLUDE",
    "VIDEO",
    "DIV",
    "DNL",
    "UICONTROL",
    "BADGE",
    "MORELIKETHIS",
    "ADMINISTRATION",
    "AVAILABILITY",
    "PREREQUISITES",
)


@rule(
    "KB220",
    "callout-type",
    severity=Severity.WARNING,
    options=(
        Option(
            "callout_types",
            [],
            "More callout types to accept in `> [!TYPE]` besides NOTE, TIP, IMPORTANT, "
            "WARNING, CAUTION (and INFO, SUCCESS, ERROR and the DocFX/Adobe directives).",
        ),
    ),
)
def callout_type(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A callout (`> [!NOTE]`) of a type that does not exist, such as `[!NOTES]` or `[!WARN]`.

    Why: only known types are shown as callouts (a coloured box with an icon);
    any other `[!WORD]` is shown as written, in brackets, at the top of a
    plain quote, and the warning it was meant to carry looks like ordinary
    text. The types are NOTE, TIP, IMPORTANT, WARNING and CAUTION (GitHub and
    DocFX), Adobe's INFO, SUCCESS and ERROR, and the DocFX and Adobe Experience
    League directives (`[!INCLUDE]`, `[!VIDEO]`, `[!div]`, `[!DNL]`...);
    letter case does not matter.
    Example: `> [!NOTES]`
    Use instead: `> [!NOTE]`
    Options: `callout_types` (default none): more types your site renders.
    """
    body = article.body
    if "[!" not in body:
        return
    extra = ctx.option("callout_types") or []
    if isinstance(extra, str):
        extra = [extra]
    known = {t.upper() for t in (*CALLOUT_TYPES, *_OTHER_BRACKETS, *map(str, extra))}
    line = article.body_line
    position = 0
    for match in _BRACKET_WORD.finditer(body):
        word = match.group(1)
        if word.upper() in known:
            continue
        line_start = body.rfind("\n", 0, match.start()) + 1
        if not _QUOTE_PREFIX.fullmatch(body, line_start, match.start()):
            continue  # not at the start of a quote
        line += body.count("\n", position, match.start())
        position = match.start()
        if line in _source(article, ctx).literal:
            continue
        close = difflib.get_close_matches(word.upper(), CALLOUT_TYPES, n=1, cutoff=0.5)
        hint = (
            f"; did you mean [!{close[0]}]?"
            if close
            else f"; use one of {', '.join(CALLOUT_TYPES)}"
        )
        yield ctx.report(
            line,
            f"unknown callout type [!{word}]: it is shown as plain text{hint}",
            column=match.start(1) - line_start - 1,
        )


# ---------------------------------------------------------------------------- blank lines


@rule("KB221", "blank-lines-around-blocks", severity=Severity.INFO, fixable=True)
def blank_lines_around_blocks(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A code block or list has no blank line before or after it.

    Why: CommonMark lets a fence or a list start right after a paragraph, but
    many other Markdown tools (and the people editing the source) do not see
    the block there; a blank line makes the structure plain and keeps the
    article portable. Only blocks at the top level are checked: inside list
    items a blank line would change how the list is spaced. A heading or a
    comment next to the block is fine here (KB211 covers headings).
    Example: `Run this command:` directly followed by a fenced code block.
    Use instead: a blank line between the sentence and the fence.
    Fix: inserts the blank line (the article renders the same).
    Options: none.
    """
    doc = ctx.doc
    source = _source(article, ctx)
    fences = {block.line for block in doc.code_blocks if block.fenced}
    quiet = {h.line for h in doc.headings} | {h.line for h in doc.tabs}
    for block in doc.blocks:
        if block.kind in ("comment", "html"):
            quiet.update(range(block.line, block.end_line + 1))
    eol = article.line_ending
    first_line = source.offset
    last_line = source.offset + len(source.lines) - 1
    reported: set[int] = set()  # lines after a gap already reported (two blocks, one gap)
    for block in doc.blocks:
        if block.kind == "list":
            what = "list"
        elif block.kind == "code" and block.line in fences:
            what = "code block"
        else:
            continue
        before = block.line - 1
        if (
            before >= first_line
            and not _is_blank(source.text(before))
            and before not in quiet
            and block.line not in reported
        ):
            yield ctx.report(
                block.line,
                f"no blank line before the {what}",
                fix=Fix(
                    f"insert a blank line before the {what}",
                    (TextEdit(block.line, 1, block.line, 1, eol),),
                ),
            )
        end = block.end_line
        if _is_blank(source.text(end)):
            continue
        after = end + 1
        if after <= last_line and not _is_blank(source.text(after)) and after not in quiet:
            reported.add(after)
            column = len(source.text(end)) + 1
            yield ctx.report(
                end,
                f"no blank line after the {what}",
                column=column,
                fix=Fix(
                    f"insert a blank line after the {what}",
                    (TextEdit(end, column, end, column, eol),),
                ),
            )
