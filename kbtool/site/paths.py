"""Where a page lands: URL paths that never leave the output folder.

Every output path of the site goes through `UrlRegistry.claim` (which makes
each path segment safe and unique) and `output_file` (which checks the final
file is inside the output folder), so no id, slug, file name or locale can
write outside it or over another page.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from pathlib import Path

from kbtool.errors import InputError

__all__ = ["UrlRegistry", "href", "output_file", "safe_segment"]

# Kept in URL segments: letters and digits of every script, `-`, `_`, `.`, `~`.
_UNSAFE = re.compile(r"[^\w.~-]+", re.UNICODE)
_MAX_SEGMENT = 120


def safe_segment(text: str, *, fallback: str = "page") -> str:
    """`text` as one URL path segment: no slash, no control or space, never `.` or `..`."""
    text = unicodedata.normalize("NFC", text)
    segment = _UNSAFE.sub("-", text).strip("-.")[:_MAX_SEGMENT].strip("-.")
    return segment or fallback


def safe_path(text: str, *, fallback: str = "page") -> str:
    """A relative path (`a/b/c`) made of safe segments; `..` and empty parts dropped."""
    parts = [p for p in re.split(r"[/\\]+", text) if p not in ("", ".", "..")]
    return "/".join(safe_segment(p, fallback=fallback) for p in parts) or fallback


class UrlRegistry:
    """Hands out unique directory URLs (`en/account/reset-password/`) for pages.

    A URL is a site-root-relative path ending in `/` (a page is its
    `index.html`) or naming a file (`sitemap.xml`). A path that is taken, or
    that is a prefix folder of a taken file, gets `-2`, `-3`... appended.
    """

    def __init__(self, reserved: tuple[str, ...] = ()) -> None:
        self._taken: set[str] = set()
        for url in reserved:
            self._taken.add(url.strip("/").lower())

    def claim(self, wanted: str) -> str:
        base = safe_path(wanted)
        candidate = base
        n = 1
        while candidate.lower() in self._taken:
            n += 1
            candidate = f"{base}-{n}"
        self._taken.add(candidate.lower())
        return candidate + "/"


def output_file(out: Path, url: str, *, no_links: bool = False) -> Path:
    """The file of site URL `url` under `out` (`x/` -> `x/index.html`); never outside `out`.

    `no_links`: `out` is a folder this build created and filled itself, so it
    holds no symbolic links and the path's text alone decides where it lands
    (resolving every folder of every page costs a system call per folder).
    """
    rel = url + "index.html" if url.endswith("/") or not url else url
    normal = posixpath.normpath(rel)
    if normal.startswith(("../", "/")) or normal == ".." or "\x00" in normal:
        raise InputError(f"refusing to write outside the site folder: {url!r}", path=out)
    path = out / normal
    if no_links:
        return path
    root = out.resolve()
    if not path.resolve().is_relative_to(root):
        raise InputError(f"refusing to write outside the site folder: {url!r}", path=out)
    return path


def href(from_url: str, to_url: str) -> str:
    """A relative link from the page at `from_url` to `to_url` (both site-root-relative)."""
    return "../" * from_url.count("/") + to_url or "./"
