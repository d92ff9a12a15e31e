"""kbtool: lint, search, review and publish a help center kept as Markdown in Git."""

from __future__ import annotations

__version__ = "0.1.0"
