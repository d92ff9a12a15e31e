"""Checks on a built site shared by the site tests: internal links and anchors resolve."""

from __future__ import annotations

import posixpath
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str]] = []  # (attribute, value)
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        for name in ("href", "src", "action"):
            if values.get(name) is not None:
                self.refs.append((name, str(values[name])))
        self._in_script = tag == "script"

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False


def parse(path: Path) -> _Collector:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector


def broken_links(site: Path) -> list[str]:
    """Every relative href/src of every page that names no file, or an anchor not on it."""
    pages = {p: parse(p) for p in site.rglob("*.html") if "pagefind" not in p.parts}
    problems: list[str] = []
    for page, found in pages.items():
        for attribute, value in found.refs:
            parts = urlsplit(value)
            if parts.scheme or value.startswith("//") or not value:
                continue
            if attribute == "action" and value.startswith("mailto:"):
                continue
            if parts.path:
                target = Path(posixpath.normpath((page.parent / unquote(parts.path)).as_posix()))
                if target.is_dir():
                    target = target / "index.html"
            else:
                target = page
            if not target.is_file() or not target.resolve().is_relative_to(site.resolve()):
                problems.append(f"{page.relative_to(site)}: {value} -> no such file")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = (pages.get(target) or parse(target)).ids
                if unquote(parts.fragment) not in ids:
                    problems.append(f"{page.relative_to(site)}: {value} -> no such anchor")
    return problems
