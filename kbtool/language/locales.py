"""Locales as the language rules see them: a base language, written with or without spaces."""

from __future__ import annotations

from functools import lru_cache

__all__ = ["CJK_LANGUAGES", "base_language", "is_cjk"]

# Written without spaces between words: sentences are measured in characters.
# Korean separates words with spaces, so it is measured in words like the rest.
CJK_LANGUAGES = frozenset({"zh", "ja"})

# Norwegian has two written standards and a macro code; they share one rule set.
_ALIASES = {"no": "nb", "nn": "nb"}


@lru_cache(maxsize=256)
def base_language(locale: str | None) -> str:
    """`de-DE` -> `de`, `zh_Hans_CN` -> `zh`, `nn-NO` -> `nb`; empty for no locale."""
    if not locale:
        return ""
    base = locale.replace("_", "-").split("-", 1)[0].lower()
    return _ALIASES.get(base, base)


def is_cjk(language: str) -> bool:
    """True for languages written without spaces between words (`zh`, `ja`)."""
    return language in CJK_LANGUAGES
