"""Where a link goes: the one link-resolution function of kbtool.

`LinkIndex.resolve(article, target)` says what a link target in an article
points at: another article, a file that is not an article (an include, an
image, a folder), a missing file (with a suggested correction), an anchor in
the same article, an external URL, or a site path kbtool cannot check. The
linter, the site exporter and `lint --changed-since` all use it, so they agree
on what a link means. Nothing is fetched: external URLs are only classified.

How a target is read:

- `other.md`, `../section/other.md`, `./other.md`: relative to the article's folder.
- `/help/other.md`: relative to the article's locale folder (the root of a
  one-language repository such as Adobe's knowledge bases), or to the articles
  folder; a root-absolute path whose first folder exists in neither, and that
  does not name a Markdown file, is a path of another site
  (`/dynamics365/...` on Microsoft Learn) and is not checked.
- `~/x.md` (DocFX): relative to the locale folder; a path leaving it
  (`~/../shared-content/...`) belongs to another repository and is not checked.
- A path that leaves the knowledge-base root is not checked either.
- `other` without an extension also finds `other.md` (the site's URL form).
- `%20` and other percent-escapes are decoded; `?query` is ignored;
  `#fragment` is the anchor.

Files are matched with their exact letter case, as a web server does, also on
case-insensitive file systems; a link that only matches in another letter case
is missing, with the correctly spelled target as its suggestion.
"""

from __future__ import annotations

import difflib
import enum
import html
import os
import posixpath
import re
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

if TYPE_CHECKING:
    from kbtool.corpus import Article, Corpus
    from kbtool.markdown import Document

__all__ = [
    "MARKDOWN_SUFFIXES",
    "LinkIndex",
    "LinkKind",
    "Resolved",
    "find_anchor",
    "link_index",
    "unsafe_scheme",
]

MARKDOWN_SUFFIXES = (".md", ".markdown")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")
# data: URLs of raster images cannot run script; SVG (scriptable) and every other data: can
_SAFE_DATA_IMAGE = re.compile(r"^data:image/(?:png|gif|jpeg|jpg|webp|avif|bmp)[;,]", re.IGNORECASE)
_UNSAFE_SCHEMES = frozenset({"javascript", "vbscript", "data", "file", "livescript", "mocha"})


class LinkKind(enum.Enum):
    ANCHOR = "anchor"  # `#x`: a place in the same article (fragment may be empty)
    ARTICLE = "article"  # another article of the corpus (or the same one by path)
    FILE = "file"  # an existing file or folder that is not an article
    MISSING = "missing"  # a local path that does not exist
    EXTERNAL = "external"  # a URL with a scheme (`https:`, `mailto:`...) or `//host/...`
    SITE = "site"  # a path outside the knowledge base (another site or repository)
    EMPTY = "empty"  # `[text]()`: no target at all


@dataclass(frozen=True)
class Resolved:
    """What a link target points at."""

    kind: LinkKind
    target: str  # the target as written
    path: Path | None = None  # ARTICLE, FILE, MISSING: the file or folder meant
    article: Article | None = None  # ARTICLE
    fragment: str = ""  # the anchor (percent-decoded, without `#`)
    scheme: str = ""  # EXTERNAL: the lower-case scheme, "" for `//host/...`
    suggestion: str = ""  # MISSING: the target as it probably should be written
    case_only: bool = False  # MISSING: the suggestion differs from the target only in letter case

    @property
    def local(self) -> bool:
        """Does the target name a file of this knowledge base (found or not)?"""
        return self.kind in (LinkKind.ARTICLE, LinkKind.FILE, LinkKind.MISSING)

    @property
    def is_markdown(self) -> bool:
        return self.path is not None and self.path.suffix.lower() in MARKDOWN_SUFFIXES


def unsafe_scheme(target: str, *, image: bool = False) -> str | None:
    """The scheme of `target` if a browser could run it or it leaks local files, else None.

    `javascript:`, `vbscript:`, `data:` and `file:` are unsafe, however they are
    spelled (`JaVa&#115;cript:`, tabs inside the scheme). Images may use
    `data:image/png`, `gif`, `jpeg`, `webp`, `avif` or `bmp`: raster images
    cannot run script (SVG can, so `data:image/svg+xml` is unsafe).
    """
    text = _INVISIBLE.sub("", html.unescape(target) if "&" in target else target)
    match = _SCHEME.match(text)
    if not match:
        return None
    scheme = match.group(1).lower()
    if scheme not in _UNSAFE_SCHEMES:
        return None
    if scheme == "data" and image and _SAFE_DATA_IMAGE.match(text):
        return None
    return scheme


def find_anchor(anchors: Iterable[str], fragment: str) -> tuple[bool, str, bool]:
    """Does `fragment` name one of `anchors`? (found, suggestion, suggestion differs only in case).

    An empty fragment and `top` (HTML's name for the top of the page) always exist.
    """
    if not fragment or fragment.lower() == "top":
        return True, "", False
    names = anchors if isinstance(anchors, (set, frozenset)) else frozenset(anchors)
    if fragment in names:
        return True, "", False
    lowered = fragment.lower()
    for name in sorted(names):
        if name.lower() == lowered:
            return False, name, True
    close = difflib.get_close_matches(lowered, sorted(names), n=1, cutoff=0.75)
    return False, (close[0] if close else ""), False


class _Listing:
    """Directory entries, read once: exact-case existence and case-insensitive lookup."""

    def __init__(self) -> None:
        self._entries: dict[str, dict[str, bool]] = {}
        self._lowered: dict[str, dict[str, str]] = {}
        self._exact: dict[str, str | None] = {}

    def entries(self, folder: str) -> dict[str, bool]:
        found = self._entries.get(folder)
        if found is None:
            found = {}
            try:
                with os.scandir(folder) as scan:
                    for entry in scan:
                        try:
                            found[entry.name] = entry.is_dir()
                        except OSError:
                            found[entry.name] = False
            except OSError:
                pass
            self._entries[folder] = found
        return found

    def exists_exactly(self, path: str, root: str) -> str | None:
        """ "dir", "file", or None: does `path` exist, every name below `root` in its exact case?"""
        if path in self._exact:
            return self._exact[path]
        if path == root:
            kind: str | None = "dir"
        else:
            folder, name = posixpath.split(path)
            kind = None
            if name and (folder == root or self.exists_exactly(folder, root) == "dir"):
                entries = self.entries(folder)
                if name in entries:
                    kind = "dir" if entries[name] else "file"
        self._exact[path] = kind
        return kind

    def match_case(self, folder: str, name: str) -> str | None:
        """The entry of `folder` spelled like `name` but for letter case (None: none)."""
        lowered = self._lowered.get(folder)
        if lowered is None:
            lowered = {}
            for entry in sorted(self.entries(folder)):
                lowered.setdefault(entry.lower(), entry)
            self._lowered[folder] = lowered
        return lowered.get(name.lower())


class LinkIndex:
    """Everything link resolution needs about a corpus, built once.

    Maps every article's path to the article, lists folders as they are needed
    (exact-case existence, case-insensitive suggestions), and caches the anchors
    of link targets.
    """

    def __init__(self, corpus: Corpus, *, suggest: bool = True):
        """`suggest=False` leaves `Resolved.suggestion` of missing targets empty (cheaper)."""
        config = corpus.config
        self._suggesting = suggest
        self.root = _posix(config.root)
        self.articles_root = _posix(config.articles_path)
        self._localized = corpus.layout.localized
        self._locale_roots: dict[tuple[bool, str], str] = {}
        self._by_path: dict[str, Article] = {}
        self._keys: dict[Path, str] = {}
        self._by_name: dict[tuple[str, str], list[Article]] = {}
        for article in corpus.articles:
            key = self._keys[article.path] = _posix(article.path)
            self._by_path[key] = article
            if suggest:  # moved files are found by name only to suggest their new path
                base = self.locale_root(article)
                self._by_name.setdefault((base, article.path.name.lower()), []).append(article)
        self._listing = _Listing()
        self._anchors: dict[str, frozenset[str]] = {}
        self._resolved: dict[tuple[Path, str], Resolved] = {}
        self._similar_names: dict[tuple[str, str], str] = {}

    # ------------------------------------------------------------- articles

    def article_at(self, path: Path | str) -> Article | None:
        return self._by_path.get(_posix(path))

    def _key(self, article: Article) -> str:
        found = self._keys.get(article.path)
        if found is None:
            found = self._keys[article.path] = _posix(article.path)
        return found

    def locale_root(self, article: Article) -> str:
        """The folder root-absolute links (`/help/x.md`) of `article` start from."""
        localized = self._localized and article.rel_path.startswith(article.locale + "/")
        key = (localized, article.locale)
        found = self._locale_roots.get(key)
        if found is None:
            found = (
                posixpath.join(self.articles_root, article.locale)
                if localized
                else self.articles_root
            )
            self._locale_roots[key] = found
        return found

    def anchors(self, article: Article) -> frozenset[str]:
        """The anchors of `article` (headings, `{#id}`s, HTML ids), computed once."""
        key = self._key(article)
        found = self._anchors.get(key)
        if found is None:
            from kbtool.markdown import heading_anchors

            found = self._anchors[key] = heading_anchors(article)
        return found

    def remember(self, article: Article, doc: Document) -> None:
        """Record the anchors of an article that is already analysed (saves a parse later)."""
        key = self._key(article)
        if key not in self._anchors:
            self._anchors[key] = doc.anchors

    # ------------------------------------------------------------ resolving

    def resolve(self, article: Article, target: str) -> Resolved:
        """What `target`, written in `article`, points at."""
        key = (article.path, target)
        found = self._resolved.get(key)
        if found is None:
            found = self._resolve(self._key(article), self.locale_root(article), target)
            if len(self._resolved) < 200_000:
                self._resolved[key] = found
        return found

    def resolve_from(self, source: Path, locale_root: Path | str, target: str) -> Resolved:
        """What `target`, written in file `source`, points at (also for non-article files).

        `locale_root` is the folder root-absolute paths start from (see `locale_root`).
        """
        return self._resolve(_posix(source), _posix(locale_root), target)

    def _resolve(self, source: str, locale_root: str, target: str) -> Resolved:
        raw = target
        text = target.strip()
        if "&" in text:
            text = html.unescape(text)
        if not text:
            return Resolved(LinkKind.EMPTY, raw)
        if text.startswith("//"):
            return Resolved(LinkKind.EXTERNAL, raw)
        scheme = _SCHEME.match(_INVISIBLE.sub("", text))
        if scheme and len(scheme.group(1)) > 1:
            return Resolved(LinkKind.EXTERNAL, raw, scheme=scheme.group(1).lower())
        path_part, _, fragment = text.partition("#")
        path_part = path_part.split("?", 1)[0]
        fragment = unquote(fragment)
        if not path_part:
            return Resolved(LinkKind.ANCHOR, raw, fragment=fragment)
        written = unquote(path_part)
        source_dir = posixpath.dirname(source)
        base = self._base(written, source_dir, locale_root)
        if base is None:
            return Resolved(LinkKind.SITE, raw, fragment=fragment)
        relative = written[2:] if written.startswith("~/") else written.lstrip("/")
        full = posixpath.normpath(posixpath.join(base, relative))
        if not _within(full, self.root) or (
            written.startswith("~/") and not _within(full, locale_root)
        ):
            return Resolved(LinkKind.SITE, raw, fragment=fragment)
        kind = self._listing.exists_exactly(full, self.root)
        if kind is None and not posixpath.splitext(full)[1]:
            for suffix in MARKDOWN_SUFFIXES:
                if self._listing.exists_exactly(full + suffix, self.root) == "file":
                    full, kind = full + suffix, "file"
                    break
        if kind is not None:
            article = self._by_path.get(full) if kind == "file" else None
            if article is not None:
                return Resolved(LinkKind.ARTICLE, raw, Path(full), article, fragment)
            return Resolved(LinkKind.FILE, raw, Path(full), fragment=fragment)
        suggestion, case_only = (
            self._suggest(written, base, relative, full, source_dir, locale_root)
            if self._suggesting
            else ("", False)
        )
        return Resolved(
            LinkKind.MISSING,
            raw,
            Path(full),
            fragment=fragment,
            suggestion=suggestion,
            case_only=case_only,
        )

    def _base(self, written: str, source_dir: str, locale_root: str) -> str | None:
        """The folder a path is relative to; None for a path of another site."""
        if written.startswith("~/"):
            return locale_root
        if not written.startswith("/"):
            return source_dir
        first = written.lstrip("/").split("/", 1)[0]
        for root in (locale_root, self.articles_root, self.root):
            if first and self._listing.match_case(root, first) is not None:
                return root
        if written.lower().endswith(MARKDOWN_SUFFIXES):
            return locale_root
        return None

    # ----------------------------------------------------------- suggesting

    def _suggest(
        self, written: str, base: str, relative: str, full: str, source_dir: str, locale_root: str
    ) -> tuple[str, bool]:
        """A corrected spelling of `written`: letter case, a moved file, a near-miss name."""
        fixed = self._fix_case(base, relative)
        if fixed is not None:
            prefix = written[: len(written) - len(relative)]
            return prefix + fixed, True
        parent, name = posixpath.split(full)
        if not posixpath.splitext(name)[1]:
            name += ".md"
        moved = self._by_name.get((locale_root, name.lower()), [])
        if len(moved) == 1:
            return self._spell(written, self._key(moved[0]), source_dir, locale_root), False
        close = self._similar(parent, name)
        if close:
            return self._spell(
                written, posixpath.join(parent, close), source_dir, locale_root
            ), False
        return "", False

    def _similar(self, parent: str, name: str) -> str:
        """A file of `parent` named almost like `name` (same extension), or ""; once per name."""
        key = (parent, name)
        found = self._similar_names.get(key)
        if found is None:
            found = ""
            if self._listing.exists_exactly(parent, self.root) == "dir":
                suffix = posixpath.splitext(name)[1].lower()
                candidates = [
                    n
                    for n in self._listing.entries(parent)
                    if posixpath.splitext(n)[1].lower() == suffix
                ]
                close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.8)
                found = close[0] if close else ""
            self._similar_names[key] = found
        return found

    def _fix_case(self, base: str, relative: str) -> str | None:
        """`relative` (from `base`) with every name respelled as it exists, if only case differs."""
        current = base
        parts = relative.split("/")
        out: list[str] = []
        for index, part in enumerate(parts):
            if part in ("", "."):
                out.append(part)
                continue
            if part == "..":
                current = posixpath.dirname(current)
                out.append(part)
                continue
            actual = self._listing.match_case(current, part)
            if actual is None and index == len(parts) - 1 and not posixpath.splitext(part)[1]:
                actual = self._listing.match_case(current, part + ".md")
                if actual is not None:
                    actual = actual[: -len(".md")]
            if actual is None:
                return None
            out.append(actual)
            current = posixpath.join(current, actual)
        fixed = "/".join(out)
        return fixed if fixed != relative else None

    def _spell(self, written: str, path: str, source_dir: str, locale_root: str) -> str:
        """How a link to `path` is written in the style of `written` (root-absolute or relative)."""
        if written.startswith("/"):
            return "/" + posixpath.relpath(path, locale_root)
        if written.startswith("~/"):
            return "~/" + posixpath.relpath(path, locale_root)
        return posixpath.relpath(path, source_dir)


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _posix(path: Path | str) -> str:
    """An absolute, normalised POSIX path string: link resolution works on these (fast)."""
    text = os.fspath(path)
    if text.startswith("/") and not _ABNORMAL.search(text):  # already one (most calls)
        return text
    return posixpath.normpath(Path(path).absolute().as_posix())


# What normpath would change in an absolute POSIX path: `//`, `/./`, `/../`, a trailing
# `/`, `/.` or `/..`, and backslashes (a Windows path is never taken as it is).
_ABNORMAL = re.compile(r"//|/\.\.?(?:/|$)|/$|\\")


_INDEXES: dict[int, tuple[weakref.ref[Corpus], LinkIndex]] = {}


def link_index(corpus: Corpus) -> LinkIndex:
    """The `LinkIndex` of `corpus`, built on first use and shared by every rule."""
    key = id(corpus)
    entry = _INDEXES.get(key)
    if entry is not None and entry[0]() is corpus:
        return entry[1]
    for stale in [k for k, (ref, _) in _INDEXES.items() if ref() is None]:
        del _INDEXES[stale]
    index = LinkIndex(corpus)
    _INDEXES[key] = (weakref.ref(corpus), index)
    return index
