"""Articles: discovery, parsing, git history, safe edits.

The only package that reads article files or talks to git.
"""

from __future__ import annotations

from kbtool.corpus.loader import Corpus, humanize, load_corpus, read_article
from kbtool.corpus.model import Article, Commit, LoadProblem, Section, Severity

__all__ = [
    "Article",
    "Commit",
    "Corpus",
    "LoadProblem",
    "Section",
    "Severity",
    "humanize",
    "load_corpus",
    "read_article",
]
