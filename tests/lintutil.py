"""Test-only lint rules that do not change while the real rules evolve.

`with fixed_rules():` registers, for the duration of the block:

- KB991 `test-bad-word` (article rule, error, fixable): every `BAD` in the body,
  with a fix that replaces it with `GOOD` (option `bad_word`);
- KB992 `test-shared-title` (corpus rule, warning): articles whose title another
  article of the corpus has too;
- KB994 `test-missing-target` (article rule that reads `ctx.corpus`): `[[id]]`
  naming no article of the corpus, `{{file}}` naming no file beside the article;
- KB399 `test-link-title` (a links rule, KB3xx, that reads `ctx.corpus`): each
  Markdown link to an article, with that article's title, or "missing".

The registry is global, so the rules are removed again when the block ends.
Tests select them explicitly (`[lint] select = ["KB991", ...]`) so that the
real rules, which other people are still writing, cannot change the results.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kbtool.corpus import Article, Corpus
from kbtool.corpus.model import Severity
from kbtool.lint.context import CorpusContext, RuleContext
from kbtool.lint.diagnostic import Diagnostic, Fix, TextEdit
from kbtool.lint.registry import RULES, Option, rule

TEST_CODES = ("KB991", "KB992", "KB994", "KB399")
# How often KB991 ran on each article (by rel_path): tells a cache hit from a re-run.
CALLS: Counter[str] = Counter()

CONFIG = """\
[kb]
locales = ["en"]

[lint]
select = ["KB991", "KB992", "KB001", "KB002"]
"""


@contextmanager
def fixed_rules() -> Iterator[None]:
    @rule(
        "KB991",
        "test-bad-word",
        severity=Severity.ERROR,
        fixable=True,
        options=(Option("bad_word", "BAD", "The word to report."),),
    )
    def bad_word(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
        """Test rule: the word BAD in the body.

        Why: engine and CLI tests need a rule that does not change.
        """
        CALLS[article.rel_path] += 1
        word = ctx.options.bad_word
        for offset, text in enumerate(article.body.split("\n")):
            start = text.find(word)
            while start >= 0:
                line = article.body_line + offset
                edit = TextEdit(line, start + 1, line, start + 1 + len(word), "GOOD")
                yield ctx.report(
                    line,
                    f"'{word}' found",
                    column=start + 1,
                    end_line=line,
                    end_column=start + 1 + len(word),
                    fix=Fix(f"replace {word} with GOOD", (edit,)),
                )
                start = text.find(word, start + 1)

    @rule("KB992", "test-shared-title", severity=Severity.WARNING, scope="corpus")
    def shared_title(corpus: Corpus, ctx: CorpusContext) -> Iterator[Diagnostic]:
        """Test rule: two articles with one title.

        Why: engine tests need a corpus rule that does not change.
        """
        titles = Counter(a.title for a in corpus.articles)
        for article in corpus.articles:
            if titles[article.title] > 1:
                yield ctx.report(
                    article,
                    article.field_line("title"),
                    f"title '{article.title}' is shared with another article",
                )

    CALLS.clear()

    @rule("KB994", "test-missing-target", severity=Severity.ERROR)
    def missing_target(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
        """Test rule: `[[id]]` of a missing article, `{{file}}` of a missing file.

        Why: an article rule that depends on other files, as link checks do.
        """
        CALLS[f"KB994:{article.rel_path}"] += 1
        corpus = ctx.corpus
        if corpus is None:
            return
        ids = {a.id for a in corpus.articles}
        for offset, text in enumerate(article.body.split("\n")):
            line = article.body_line + offset
            for name in re.findall(r"\[\[([\w-]+)\]\]", text):
                if name not in ids:
                    yield ctx.report(line, f"no article '{name}'")
            for name in re.findall(r"\{\{([\w.-]+)\}\}", text):
                if not (article.path.parent / name).exists():
                    yield ctx.report(line, f"no file '{name}'")

    @rule("KB399", "test-link-title", severity=Severity.INFO)
    def link_title(article: Article, ctx: RuleContext) -> Iterator[Diagnostic]:
        """Test rule: the title of each linked article.

        Why: a links rule whose findings depend on the articles linked to.
        """
        CALLS[f"KB399:{article.rel_path}"] += 1
        corpus = ctx.corpus
        if corpus is None:
            return
        by_path = {a.path: a for a in corpus.articles}
        for offset, text in enumerate(article.body.split("\n")):
            for target in re.findall(r"\]\(([\w./-]+)\)", text):
                linked = by_path.get((article.path.parent / target).resolve())
                title = linked.title if linked else "missing"
                yield ctx.report(article.body_line + offset, f"{target}: {title}")

    try:
        yield
    finally:
        for code in TEST_CODES:
            RULES.pop(code, None)


def md(title: str, body: str = "Some text.\n", **fields: str) -> str:
    """An article with a title (and more front matter)."""
    front = "".join(f"{k}: {v}\n" for k, v in fields.items())
    return f"---\ntitle: {title}\n{front}---\n\n{body}"


def make_kb(root: Path, files: dict[str, str | bytes], config: str = CONFIG) -> Path:
    """A knowledge base in `root`: `kbtool.toml` plus `files` (paths relative to root)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "kbtool.toml").write_text(config, encoding="utf-8")
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
    return root
