"""The static help site: `kbtool build` and `kbtool serve`.

`build_site(config)` renders the knowledge base into a folder any static host
can serve: per-locale trees of home, section, article, search and contact
pages, a 404 page, sitemap, robots.txt, widget data and a Pagefind search
index. The built-in theme is in `theme/`; files in `templates/site/` override
it by name.
"""

from __future__ import annotations

from kbtool.site.build import MARKER, BuildResult, build_site

__all__ = ["MARKER", "BuildResult", "build_site"]
