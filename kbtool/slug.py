"""The one slug function: heading anchors (linter and site) and file names (`new`).

Anchors follow GitHub's rule, which most Markdown hosts share: lower-case, drop
punctuation, spaces to hyphens, keep letters of every script (so Chinese and
Japanese headings get anchors too). An explicit `{#id}` heading attribute wins.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["explicit_anchor", "file_slug", "slugify", "unique_slug"]

_PUNCTUATION = re.compile(r"[^\w\- ]", re.UNICODE)
_EXPLICIT = re.compile(r"\s*\{#([A-Za-z0-9_:.\-]+)\}\s*$")


def slugify(text: str) -> str:
    """GitHub-style anchor of a heading: `Use a backup code!` -> `use-a-backup-code`."""
    text = unicodedata.normalize("NFC", text).strip().lower()
    text = _PUNCTUATION.sub("", text)
    return text.replace(" ", "-")


def explicit_anchor(heading: str) -> tuple[str, str | None]:
    """Split `Title {#custom-id}` into (`Title`, `custom-id`); (heading, None) without one."""
    match = _EXPLICIT.search(heading)
    if not match:
        return heading, None
    return heading[: match.start()].rstrip(), match.group(1)


def unique_slug(text: str, seen: dict[str, int]) -> str:
    """The slug of `text`, with `-1`, `-2`... appended for repeats, as GitHub does."""
    base = slugify(text)
    count = seen.get(base, 0)
    seen[base] = count + 1
    return base if count == 0 else f"{base}-{count}"


def file_slug(title: str, *, max_length: int = 60) -> str:
    """A file-name slug for an article titled `title`: no leading/trailing or double hyphens."""
    slug = re.sub(r"[\s_]+", "-", slugify(title))
    slug = re.sub(r"-{2,}", "-", slug).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug
