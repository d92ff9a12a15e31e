"""The knowledge base's cache: files as loaded, Markdown analyses, and what uses them.

A second run over 10,000 unchanged articles should not parse 10,000 YAML
blocks again. Every command that loads the corpus (`load_corpus` with a cache)
keeps each file as loaded here, and the linter keeps its results beside them
(`kbtool/lint/cache.py` extends this class). Layout, in `ROOT/.kbtool/cache/kb/<code>/`
(`<code>`: a fingerprint of kbtool's own code; under the user's cache folder when
the knowledge base is read-only):

- `files.bin`: content hash of every file by path, with the file's size,
  mtime, ctime and inode, so an unchanged file is not even read (git's index
  does the same; a file modified within two seconds of being recorded is
  re-hashed, as its mtime cannot tell such a change apart).
- `generation.bin`: a run counter; entries unused for a few runs are dropped.
- `history-<key>.bin`: the git history of the articles at the last HEAD seen
  (see `loader.GitReader`).
- `parsed-<00-ff>.bin`: each file as loaded (front matter parsed and mapped, no
  git data), by path and content hash; `links-<00-ff>.bin` the files its links
  may point at; `docs-<00-ff>.bin` the Markdown analysis of each body. Each in
  256 shards (`-00` to `-ff`): one change rewrites one small shard, and a run
  that needs a few entries reads a few small files.

Every key includes a fingerprint of kbtool's own code (version and source
files) and whatever else shapes the value (the configuration). Writes are
atomic (temporary file, then rename). Each file is signed with an HMAC whose
key lives in the user's cache folder, so a cache that was committed to a
repository or tampered with is ignored rather than unpickled, and so is a
corrupt one.
"""

from __future__ import annotations

import contextlib
import copyreg
import hashlib
import hmac
import os
import pickle
import secrets
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Self

import kbtool

if TYPE_CHECKING:
    from kbtool.corpus.git import GitHistory
    from kbtool.corpus.loader import Found
    from kbtool.corpus.model import Article, LoadProblem
    from kbtool.markdown import Document

__all__ = ["CorpusCache", "code_fingerprint", "digest", "head_revision", "rev_parse"]

FORMAT = b"KBTLC3"
_RACY_NS = 2_000_000_000  # mtimes this close to the recording time are not trusted
_KEEP_GENERATIONS = 4  # entries unused for this many runs are dropped
CACHE_FOLDER = ("cache", "kb")  # under ROOT/.kbtool
_SHARD = 2  # hex digits of a key that name its shard


def _proxy(mapping: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(mapping)


# Articles keep their front matter in read-only mappings, which pickle cannot
# handle by itself: store them as the dict they wrap.
copyreg.pickle(MappingProxyType, lambda m: (_proxy, (dict(m),)))


def digest(*parts: object) -> str:
    """A short stable hash of `parts` (their repr)."""
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


_CODE_FP: str | None = None


def code_fingerprint() -> str:
    """kbtool's version plus a hash of every source file of the package.

    A developer editing a rule (or a user upgrading) invalidates every cached
    result; a fresh clone of the same code (new mtimes) does not.
    """
    global _CODE_FP
    if _CODE_FP is None:
        package = Path(kbtool.__file__).parent
        hasher = hashlib.blake2b(kbtool.__version__.encode(), digest_size=16)
        for folder, dirs, files in os.walk(package):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith(".py"):
                    path = Path(folder) / name
                    hasher.update(str(path.relative_to(package)).encode())
                    hasher.update(path.read_bytes())
        _CODE_FP = hasher.hexdigest()
    return _CODE_FP


def _user_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "kbtool"


def _secret() -> bytes | None:
    """The HMAC key that signs cache files; created on first use, readable by the user only."""
    path = _user_cache_dir() / "cache.key"
    try:
        data = path.read_bytes()
        if len(data) >= 32:
            return data
    except OSError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        try:
            data = path.read_bytes()
        except OSError:
            return None
        return data if len(data) >= 32 else None
    except OSError:
        return None
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


def _writable(folder: Path, *, within: Path | None = None) -> bool:
    """Can cache files be written in `folder` (created if need be)?

    `within` is a folder that must look writable by its permission bits: a
    knowledge base checked out read-only is left alone even by root, who could
    write anyway.
    """
    if within is not None:
        try:
            if not within.stat().st_mode & 0o222:
                return False
        except OSError:
            return False
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".probe-", dir=folder)
        os.close(fd)
        Path(name).unlink()
    except OSError:
        return False
    return True


def _ignore_in_git(folder: Path) -> None:
    """Keep git from listing `.kbtool/` (caches, the search index) as untracked files.

    Like `.pytest_cache` and `.ruff_cache`, the folder ignores itself, so a
    repository need not add it to its own `.gitignore`.
    """
    marker = folder / ".gitignore"
    if marker.exists():
        return
    with contextlib.suppress(OSError):
        marker.write_text("# Created by kbtool: caches and the search index.\n*\n", "utf-8")


def _prune_versions(folder: Path, current: str, keep: int = 1) -> None:
    """Delete the cache folders of other kbtool versions under `folder`, but for the
    `keep` used most recently (switching between two versions stays fast)."""
    try:
        entries = [p for p in folder.iterdir() if p.name != current]
    except OSError:
        return
    for loose in entries:
        if not loose.is_dir():  # the layout before version folders
            with contextlib.suppress(OSError):
                loose.unlink()
    others = [p for p in entries if p.is_dir()]
    if len(others) <= keep:
        return

    def used(path: Path) -> float:
        try:
            return (path / "files.bin").stat().st_mtime
        except OSError:
            return 0.0

    import shutil

    for old in sorted(others, key=used, reverse=True)[keep:]:
        shutil.rmtree(old, ignore_errors=True)


def head_revision(folder: Path) -> str:
    """The commit HEAD points at in the repository holding `folder`; "" without one.

    One `git rev-parse` (a few milliseconds): the articles' commit history (last
    and first commit per file) is a function of HEAD, so HEAD stands for it in
    cache keys without running `git log`.
    """
    found = rev_parse(folder, "--verify", "--quiet", "HEAD")
    return found[0] if found else ""


def rev_parse(folder: Path, *args: str) -> list[str]:
    """The lines `git rev-parse ARGS` prints in `folder` (the repository holding it,
    whatever GIT_DIR says); [] when git fails or is missing."""
    env = {k: v for k, v in os.environ.items() if k not in ("GIT_DIR", "GIT_WORK_TREE")}
    try:
        result = subprocess.run(
            ["git", "rev-parse", *args],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return result.stdout.splitlines() if result.returncode == 0 else []


class CorpusCache:
    """Files as loaded and their analyses, for one knowledge base; see the module docstring."""

    def __init__(self, folder: Path, secret: bytes, *, note: str = ""):
        self.folder = folder
        self.note = note  # why the cache is not where it usually is
        self._secret = secret
        self._stat: dict[str, tuple[int, int, int, int, str]] | None = None
        self._stat_dirty = False
        # pickled values by key, in shards `docs-0` ... `parsed-f`
        self._shards: dict[str, dict[str, tuple[int, bytes]]] = {}
        self._dirty_shards: set[str] = set()
        self._read_keys: set[str] = set()  # used this run: kept when their shard is written
        self._generation: int | None = None
        self.hits = 0
        self.misses = 0
        self._hashed: dict[str, str] = {}  # content hashes of this run, by key

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, root: Path) -> Self | None:
        """The cache of the knowledge base at `root`: `ROOT/.kbtool/cache/kb/<code>/`.

        `<code>` is the fingerprint of kbtool's code (`code_fingerprint`): another
        version of kbtool (an upgrade, a pre-commit hook's own copy) keeps its
        entries apart instead of doubling the files every run reads. The folders of
        other versions are deleted, but for the one used last before this one.
        When `ROOT/.kbtool` cannot be written (a read-only checkout) the cache
        lives in the user's cache folder instead, one folder per root; None when
        neither works.
        """
        secret = _secret()
        if secret is None:
            return None
        local = root.joinpath(".kbtool", *CACHE_FOLDER)
        version = code_fingerprint()[:16]
        within = local.parent.parent if local.parent.parent.is_dir() else root
        if _writable(local / version, within=within):
            _ignore_in_git(root / ".kbtool")
            _prune_versions(local, version)
            return cls(local / version, secret)
        fallback = _user_cache_dir() / "kb" / digest(str(root.resolve()))
        if _writable(fallback / version):
            _prune_versions(fallback, version)
            note = f"{root} is read-only; cache kept in {fallback}"
            return cls(fallback / version, secret, note=note)
        return None

    # ------------------------------------------------------------------ signed files

    def _read_bytes(self, name: str) -> memoryview | None:
        """The payload of signed file `name`; None when missing, forged or corrupt."""
        path = self.folder / name
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if not data.startswith(FORMAT) or len(data) < len(FORMAT) + 32:
            return None
        mac = data[len(FORMAT) : len(FORMAT) + 32]
        payload = memoryview(data)[len(FORMAT) + 32 :]  # no copy of a large file
        if not hmac.compare_digest(mac, hmac.new(self._secret, payload, "sha256").digest()):
            return None
        return payload

    def _read(self, name: str) -> Any:
        payload = self._read_bytes(name)
        if payload is None:
            return None
        try:
            return pickle.loads(payload)
        except Exception:  # a corrupt cache is no cache
            return None

    def _write(self, name: str, value: Any, *, in_place: bool = False) -> None:
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        self._write_bytes(name, payload, in_place=in_place)

    def _write_bytes(self, name: str, *payload: bytes, in_place: bool = False) -> None:
        """Sign and write `payload` (its parts one after the other, not joined first:
        they may be large) as file `name`, atomically.

        `in_place`: overwrite the file if it exists, for large files rewritten on
        every run: a new file costs its blocks twice (allocated, and the old
        ones freed, which a disk mounted with `discard` makes slow). A reader
        that meets a half-written file finds the signature wrong and takes it
        for a missing one, as it does after a crash.
        """
        signer = hmac.new(self._secret, digestmod="sha256")
        for part in payload:
            signer.update(part)
        mac = signer.digest()
        if in_place:
            try:
                with (self.folder / name).open("r+b") as handle:
                    handle.write(FORMAT + mac)
                    for part in payload:
                        handle.write(part)
                    handle.truncate()
                return
            except OSError:
                pass  # not there yet: written anew
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.folder)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(FORMAT + mac)
                    for part in payload:
                        handle.write(part)
                Path(tmp).replace(self.folder / name)
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)  # noqa: PTH108
        except OSError:
            pass  # a cache that cannot be written is a slower next run, not an error

    # ------------------------------------------------------------------ content hashes

    def content_hashes(self, files: Sequence[tuple[str, str | Path]]) -> dict[str, str]:
        """Content hash (sha256, as the loader computes it) of each file, by its key.

        A file whose size, mtime, ctime and inode are as recorded is not read;
        one already hashed in this run is not even stat'ed again.
        """
        if len(files) and all(key in self._hashed for key, _ in files):
            return {key: self._hashed[key] for key, _ in files}
        if self._stat is None:
            loaded = self._read("files.bin")
            self._stat = loaded if isinstance(loaded, dict) else {}
        known = self._stat
        now = time.time_ns()
        out: dict[str, str] = {}
        fresh: dict[str, tuple[int, int, int, int, str]] = {}
        for key, path in files:
            try:
                st = os.stat(path)  # noqa: PTH116 (Path.stat costs twice as much, 10,000 times)
            except OSError:
                continue
            stamp = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
            entry = known.get(key)
            if entry is not None and entry[:4] == stamp:
                out[key] = entry[4]
                fresh[key] = entry
                continue
            try:
                with open(path, "rb") as handle:  # noqa: PTH123 (a str or a Path)
                    data = handle.read()
            except OSError:
                continue
            out[key] = hashlib.sha256(data).hexdigest()
            if now - max(st.st_mtime_ns, st.st_ctime_ns) > _RACY_NS:
                fresh[key] = (*stamp, out[key])
            self._stat_dirty = True
        if set(fresh) != set(known):
            self._stat_dirty = True
        self._stat = fresh
        self._hashed.update(out)
        return out

    # ------------------------------------------------------------------ generations

    @property
    def generation(self) -> int:
        """This run's number: one more than the last run that wrote to the cache."""
        if self._generation is None:
            found = self._read("generation.bin")
            self._generation = (found if isinstance(found, int) else 0) + 1
        return self._generation

    # ------------------------------------------------------------------ sharded stores

    def _shard(self, store: str, key: str) -> dict[str, tuple[int, bytes]]:
        """The shard (one of 256 files per store) holding entries whose key starts like `key`."""
        name = f"{store}-{key[:_SHARD]}"
        found = self._shards.get(name)
        if found is None:
            loaded = self._read(f"{name}.bin")
            found = self._shards[name] = loaded if isinstance(loaded, dict) else {}
        return found

    def _get(self, store: str, key: str) -> Any:
        found = self._shard(store, key).get(key)
        if found is None:
            return None
        try:
            value = pickle.loads(found[1])
        except Exception:
            return None
        self._read_keys.add(key)
        return value

    def _put(self, store: str, key: str, value: Any) -> None:
        shard = self._shard(store, key)
        shard[key] = (self.generation, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        self._dirty_shards.add(f"{store}-{key[:_SHARD]}")

    def preload_docs(self) -> None:
        """Read every shard of analyses now (before forking workers that all want them)."""
        for shard in range(16**_SHARD):
            self._shard("docs", f"{shard:0{_SHARD}x}")

    def doc(self, key: str) -> Document | None:
        """A Markdown analysis, by a key of the article's content."""
        found: Document | None = self._get("docs", key)
        return found

    def put_doc(self, key: str, doc: Document) -> None:
        self._put("docs", key, doc)

    def put_doc_bytes(self, key: str, blob: bytes) -> None:
        """An analysis already pickled (by a worker process)."""
        self._shard("docs", key)[key] = (self.generation, blob)
        self._dirty_shards.add(f"docs-{key[:_SHARD]}")

    def parsed(self, key: str, path: Path) -> tuple[Article, list[LoadProblem]] | None:
        """A loaded article (without git data) at `path`, and its load problems."""
        found = self._get("parsed", key)
        if not isinstance(found, tuple) or len(found) != 2:
            return None
        from kbtool.corpus.model import article_at

        return article_at(path, found[0]), found[1]

    def put_parsed(self, key: str, article: Article, problems: list[LoadProblem]) -> None:
        from kbtool.corpus.model import article_fields

        # stored without its path, which the reader has at hand (see `article_at`)
        self._put("parsed", key, (article_fields(article), problems))

    def links(self, key: str) -> tuple[str, ...] | None:
        """The files an article's links may point at (see `lint.engine.link_targets`)."""
        found = self._get("links", key)
        return found if isinstance(found, tuple) else None

    def put_links(self, key: str, links: tuple[str, ...]) -> None:
        self._put("links", key, links)

    # ------------------------------------------------------------------ the files

    def found(self, key: str) -> tuple[str, Found] | None:
        """The files found by the last discovery under `key`, with the stamp of the
        tree they were found in (see `lint.engine._Tree`)."""
        from kbtool.corpus.loader import Found

        kept = self._read(f"found-{key}.bin")
        if isinstance(kept, tuple) and len(kept) == 2 and isinstance(kept[1], Found):
            return kept[0], kept[1]
        return None

    def put_found(self, key: str, found: tuple[str, Found]) -> None:
        self._write(f"found-{key}.bin", found)

    # ------------------------------------------------------------------ git history

    def history(self, key: str) -> GitHistory | None:
        """The git history kept under `key` (see `loader.GitReader`)."""
        from kbtool.corpus.git import GitHistory

        found = self._read(f"history-{key}.bin")
        return found if isinstance(found, GitHistory) else None

    def put_history(self, key: str, history: GitHistory) -> None:
        """Keep `history` under `key`, in place of the one kept before."""
        for old in self.folder.glob("history-*.bin"):
            with contextlib.suppress(OSError):
                old.unlink()
        self._write(f"history-{key}.bin", history)

    # ------------------------------------------------------------------ saving

    def flush(self, store: str) -> None:
        """Write the changed shards of `store` now and let go of all of them (memory)."""
        oldest = self.generation - _KEEP_GENERATIONS
        for name in [n for n in self._shards if n.startswith(f"{store}-")]:
            if name in self._dirty_shards:
                self._write_shard(name, oldest)
                self._dirty_shards.discard(name)
            del self._shards[name]

    def _write_shard(self, name: str, oldest: int) -> None:
        current = self._shards[name]
        for key in self._read_keys & current.keys():
            current[key] = (self.generation, current[key][1])
        self._write(f"{name}.bin", {k: v for k, v in current.items() if v[0] > oldest})

    def save(self) -> None:
        """Write what changed; drop entries no run has used for a few runs."""
        if self._stat_dirty and self._stat is not None:
            self._write("files.bin", self._stat)
            self._stat_dirty = False
        oldest = self.generation - _KEEP_GENERATIONS
        if self._dirty_shards:
            self._write("generation.bin", self.generation)
        for name in sorted(self._dirty_shards):
            self._write_shard(name, oldest)
        self._dirty_shards.clear()
