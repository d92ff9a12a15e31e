"""Find article files: locale folders, section folders, include/exclude globs."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["Layout", "detect_locales", "discover", "glob_match", "is_locale_code"]

SECTION_FILE = "_index.md"

# ISO 639-1 language codes: a folder named like one (optionally with a region,
# `de-de`, `zh-cn`, `pt_BR`) directly under the articles folder is a locale.
_LANGUAGES = frozenset(
    """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu
    cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi
    ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks
    ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl
    nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl
    sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve
    vi vo wa wo xh yi yo za zh zu fil haw yue
    """.split()  # noqa: SIM905 - a word list reads better than 190 quoted strings
)
_LOCALE_RE = re.compile(
    r"^([a-z]{2,3})(?:[-_]([a-z]{2}|[a-z]{4}|\d{3})(?:[-_][a-z]{2})?)?$", re.IGNORECASE
)


def is_locale_code(name: str) -> bool:
    """True for `en`, `sv`, `de-de`, `zh-cn`, `pt_BR`, `zh-Hant-TW`; False for `faq`, `help`."""
    match = _LOCALE_RE.match(name)
    return bool(match and match.group(1).lower() in _LANGUAGES)


@dataclass(frozen=True)
class Layout:
    """How a knowledge base is laid out: with locale folders or without."""

    locales: tuple[str, ...]  # empty: single language, no locale level
    default_locale: str

    @property
    def localized(self) -> bool:
        return bool(self.locales)

    def split(self, rel_path: str) -> tuple[str, str]:
        """(locale, path inside the locale) of a path relative to the articles folder."""
        if self.locales:
            head, _, rest = rel_path.partition("/")
            if rest and head in self.locales:
                return head, rest
        return self.default_locale, rel_path


def detect_locales(articles: Path, configured: Sequence[str]) -> tuple[str, ...]:
    """The locale folders: as configured, else first-level folders named like languages."""
    if configured:
        return tuple(configured)
    try:
        entries = sorted(e.name for e in os.scandir(articles) if e.is_dir())
    except OSError:
        return ()
    return tuple(name for name in entries if is_locale_code(name))


@lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """Translate a glob with `**` (any number of folders) into a regex on POSIX paths."""
    pattern = pattern.strip().lstrip("/")
    if pattern.endswith("/"):
        pattern += "**"
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1 : end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end + 1
                continue
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out) + r"\Z")


def glob_match(rel_path: str, pattern: str) -> bool:
    """Does POSIX `rel_path` match `pattern`? A pattern without `/` matches the file name too."""
    if _glob_regex(pattern).match(rel_path):
        return True
    name = rel_path.rsplit("/", 1)[-1]
    return "/" not in pattern.strip("/") and bool(_glob_regex(pattern).match(name))


def _walk(folder: str, prefix: str, out: list[tuple[str, str]], top: Path) -> None:
    # Text, not Path: making a Path per folder and file was most of discovering 10,000.
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        rel = f"{prefix}{entry.name}"
        try:
            if entry.is_dir(follow_symlinks=False):
                _walk(entry.path, rel + "/", out, top)
            elif entry.is_file() and entry.name.lower().endswith((".md", ".markdown")):
                if entry.is_symlink() and not _inside(Path(entry.path), top):
                    continue
                out.append((rel, entry.path))
        except OSError:
            continue


def _inside(link: Path, top: Path) -> bool:
    """Does the symlinked file `link` point at a file inside the folder `top`?"""
    try:
        return link.resolve(strict=True).is_relative_to(top)
    except (OSError, RuntimeError):  # dangling link, or a loop
        return False


def discover(
    articles: Path,
    *,
    include: Iterable[str],
    exclude: Iterable[str],
    locales: Sequence[str] = (),
) -> tuple[list[tuple[str, Path]], list[tuple[str, Path]]]:
    """(articles, section files) under `articles`, each as (POSIX relative path, path).

    Globs match the path relative to the articles folder or, in a localized base,
    relative to the locale folder (so `includes/**` excludes `en/includes/x.md`).
    Hidden folders (`.git`, `.kbtool`) are skipped; symlinked folders are not followed,
    and a symlinked file counts only when it points inside the articles folder, so a
    link can never pull files from outside the knowledge base.
    """
    files, sections = discover_text(articles, include=include, exclude=exclude, locales=locales)
    return [(r, Path(p)) for r, p in files], [(r, Path(p)) for r, p in sections]


def discover_text(
    articles: Path,
    *,
    include: Iterable[str],
    exclude: Iterable[str],
    locales: Sequence[str] = (),
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """`discover`, with each path as text: for callers that need no Path of most files."""
    found: list[tuple[str, str]] = []
    _walk(str(articles), "", found, articles.resolve())
    includes = tuple(include)
    excludes = tuple(exclude)
    files: list[tuple[str, str]] = []
    sections: list[tuple[str, str]] = []
    for rel, path in found:
        if rel.rpartition("/")[2] == SECTION_FILE:
            sections.append((rel, path))
            continue
        head, _, rest = rel.partition("/")
        candidates = (rel, rest) if rest and head in locales else (rel,)
        if includes and not any(glob_match(c, p) for c in candidates for p in includes):
            continue
        if any(glob_match(c, p) for c in candidates for p in excludes):
            continue
        files.append((rel, path))
    return files, sections


def relative_path(path: Path, root: Path) -> str:
    """`path` relative to `root`, POSIX; `path` itself when it is not under `root`."""
    # String prefix first: called for every diagnostic, and pathlib's relative_to is slow.
    text, base = str(path), str(root)
    if base not in ("", ".") and text.startswith(base + os.sep) and ".." not in text:
        return text[len(base) + 1 :].replace(os.sep, "/")
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
