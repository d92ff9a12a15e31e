"""The one slug function: heading anchors (linter and site) and file names (`new`).

Anchors follow GitHub's rule, which most Markdown hosts share: lower-case, drop
every character that is not a letter, mark, decimal or letter number, connector
(`_`), hyphen or space, then spaces to hyphens. Letters of every script stay, so
Chinese and Japanese headings get anchors too. An explicit `{#id}` heading
attribute wins. Unlike GitHub, the text is NFC-normalised first, so a heading
typed with combining accents and a link typed without them agree.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["explicit_anchor", "file_slug", "slugify", "unique_slug"]

_EXPLICIT = re.compile(r"\s*\{#([A-Za-z0-9_:.\-]+)\}\s*$")


@lru_cache(maxsize=4096)
def _kept(char: str) -> bool:
    """GitHub keeps `\\p{Word}` (Ruby: L, M, Nd, Nl, Pc), hyphen and space."""
    if char in "- ":
        return True
    category = unicodedata.category(char)
    return category[0] in "LM" or category in ("Nd", "Nl", "Pc")


def slugify(text: str) -> str:
    """GitHub-style anchor of a heading: `Use a backup code!` -> `use-a-backup-code`."""
    text = unicodedata.normalize("NFC", text).strip().lower()
    return "".join(c for c in text if _kept(c)).replace(" ", "-")


def explicit_anchor(heading: str) -> tuple[str, str | None]:
    """Split `Title {#custom-id}` into (`Title`, `custom-id`); (heading, None) without one."""
    match = _EXPLICIT.search(heading)
    if not match:
        return heading, None
    return heading[: match.start()].rstrip(), match.group(1)


def unique_slug(text: str, seen: dict[str, int]) -> str:
    """The slug of `text`, with `-1`, `-2`... appended for repeats, as GitHub does.

    `seen` is the state for one document. A suffixed slug never collides with
    one already taken: `Foo`, `Foo-1`, `Foo` give `foo`, `foo-1`, `foo-2`.
    """
    base = slugify(text)
    slug = base
    while slug in seen:
        seen[base] += 1
        slug = f"{base}-{seen[base]}"
    seen[slug] = 0
    return slug


def file_slug(title: str, *, max_length: int = 60) -> str:
    """A file-name slug for an article titled `title`: no leading/trailing or double hyphens."""
    slug = re.sub(r"[\s_]+", "-", slugify(title))
    slug = re.sub(r"-{2,}", "-", slug).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug
