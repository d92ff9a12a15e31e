"""Rendered article bodies kept between builds: a full rebuild renders only what changed.

Every change of settings or templates rebuilds the whole site, and rendering
Markdown is most of a full build (markdown-it-py: about 10 ms per article).
The bodies of the last build are kept, keyed by the article's path and bytes,
kbtool's code and the renderer's dependencies; one is used again only when
each of its links and images still resolves as it did (`still_resolves`).

The cache lives in the user's cache folder (`$XDG_CACHE_HOME/kbtool/site-bodies/`),
never in the knowledge base: a body goes into the site without being sanitised
again, so a repository must not be able to supply one. It is split into 256
JSON shards by key, each replaced atomically; a full build rewrites them with
only the bodies it used, so old versions do not pile up.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from kbtool.site.render import LinkCheck, LinkTarget, RenderedBody, TocEntry

__all__ = ["BodyCache", "body_key"]

FORMAT = 1
_SHARDS = 256


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "kbtool" / "site-bodies"


def _renderer_versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in ("markdown-it-py", "mdit-py-plugins", "nh3"):
        try:
            found.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            found.append(f"{name}=?")
    return ",".join(found)


def body_key(salt: str, rel_path: str, content: str) -> str:
    """The key of an article's body: `salt` (see `BodyCache.salt`), its path and its bytes' hash."""
    return hashlib.blake2b(f"{salt}\0{rel_path}\0{content}".encode(), digest_size=16).hexdigest()


class BodyCache:
    """Rendered bodies of one knowledge base, loaded shard by shard as keys are asked for."""

    def __init__(self, folder: Path, salt: str) -> None:
        self.folder = folder
        self.salt = salt
        self._shards: dict[str, dict[str, Any]] = {}
        self._dirty: set[str] = set()
        self._used: set[str] = set()

    @classmethod
    def open(cls, articles_root: Path, root: Path) -> BodyCache | None:
        """The cache for the knowledge base at `root`; None where no cache folder can be made."""
        from kbtool.corpus.cache import code_fingerprint

        base = _cache_root()
        place = hashlib.blake2b(str(articles_root.absolute()).encode(), digest_size=8).hexdigest()
        folder = base / place
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError:
            return None
        salt = f"{FORMAT}|{code_fingerprint()}|{_renderer_versions()}|{articles_root}|{root}"
        return cls(folder, salt)

    def key(self, rel_path: str, content: str) -> str:
        return body_key(self.salt, rel_path, content)

    def _shard(self, key: str) -> dict[str, Any]:
        return self._shard_named(key[:2])

    def _shard_named(self, name: str) -> dict[str, Any]:
        shard = self._shards.get(name)
        if shard is None:
            try:
                data = orjson.loads((self.folder / f"{name}.json").read_bytes())
                shard = data if isinstance(data, dict) else {}
            except (OSError, ValueError):
                shard = {}
            self._shards[name] = shard
        return shard

    def get(self, key: str) -> RenderedBody | None:
        """The body kept under `key`, or None (also for an entry that does not parse)."""
        data = self._shard(key).get(key)
        if data is None:
            return None
        try:
            body = _body_from(data)
        except (TypeError, ValueError, IndexError):
            return None
        self._used.add(key)
        return body

    def put(self, key: str, body: RenderedBody) -> None:
        self._shard(key)[key] = _body_data(body)
        self._used.add(key)
        self._dirty.add(key[:2])

    def save(self, *, prune: bool = False) -> None:
        """Write the shards that changed; `prune`: keep only the bodies used by this run
        (a full build, which asked for every article), in every shard."""
        names: Iterable[str] = (
            [f"{n:02x}" for n in range(_SHARDS)] if prune else sorted(self._dirty)
        )
        for name in names:
            shard = self._shard_named(name)
            if prune:
                kept = {k: v for k, v in shard.items() if k in self._used}
                if len(kept) == len(shard) and name not in self._dirty:
                    continue
                shard = self._shards[name] = kept
            self._write(name, shard)
        self._dirty.clear()

    def _write(self, name: str, shard: dict[str, Any]) -> None:
        path = self.folder / f"{name}.json"
        if not shard:
            path.unlink(missing_ok=True)
            return
        from kbtool.corpus.edit import write_atomic

        with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
            write_atomic(path, orjson.dumps(shard))


def _target(data: Any) -> LinkTarget | None:
    return None if data is None else LinkTarget(data[0], data[1], data[2])


def _body_data(body: RenderedBody) -> list[Any]:
    return [
        body.html,
        [[t.kind, t.path, t.fragment] for t in body.links],
        [[e.level, e.text, e.anchor] for e in body.toc],
        [list(pair) for pair in body.faq],
        body.first_h1,
        [
            [
                target,
                image,
                kept,
                None if found is None else [found.kind, found.path, found.fragment],
            ]
            for target, image, kept, found in body.checks
        ],
    ]


def _body_from(data: list[Any]) -> RenderedBody:
    html, links, toc, faq, first_h1, checks = data
    found: list[LinkCheck] = [
        (str(target), bool(image), kept, _target(link)) for target, image, kept, link in checks
    ]
    return RenderedBody(
        html=str(html),
        links=tuple(LinkTarget(kind, path, fragment) for kind, path, fragment in links),
        toc=tuple(TocEntry(level, text, anchor) for level, text, anchor in toc),
        faq=tuple((question, answer) for question, answer in faq),
        first_h1=str(first_h1),
        checks=tuple(found),
    )
