"""kbtool: lint, search, review and publish a help center kept as Markdown in Git."""

from __future__ import annotations

# The one place the version is set: packaging reads it (pyproject's dynamic version),
# `kbtool --version` prints it and every report names it. CHANGELOG.md has a section for it.
__version__ = "0.1.0"

# The project's home; pyproject's [project.urls] says the same (a test checks they agree).
PROJECT_URL = "https://github.com/kbtool/kbtool"
# Where the documentation (docs/ of the repository) is published.
DOCS_URL = f"{PROJECT_URL}/blob/main/docs"
