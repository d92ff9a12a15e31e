"""The lint cache: a re-run on an unchanged tree reads one file instead of linting.

Layout (in `ROOT/.kbtool/cache/lint/`, or under the user's cache folder when
the knowledge base is read-only):

- `files.bin`: content hash of every file by path, with the file's size,
  mtime, ctime and inode, so an unchanged file is not even read (git's index
  does the same; a file modified within two seconds of being recorded is
  re-hashed, as its mtime cannot tell such a change apart).
- `snapshot-<settings>.bin`: the final report of the last complete run with
  these settings, keyed by every file's content hash and the git HEAD. When
  the key matches, the run is over: no Markdown is parsed, no YAML read, git
  log not run.
- `results.bin`: what article rules found in each article, keyed by settings,
  path, content hash and the article's commits; and what corpus rules found,
  keyed by all of those at once. After a change only the changed articles are
  linted again, and corpus rules re-run once.
- `parsed-<0-f>.bin`: each file as loaded (front matter parsed and mapped),
  by path and content hash, so a run after a change does not parse the YAML
  of 10,000 unchanged files again.
- `docs-<0-f>.bin`: the Markdown analysis of each article body, so rules that
  look across articles (links, anchors) need not parse 10,000 unchanged
  articles after one changed. Both are in 16 shards: one change rewrites one.

Every key includes a fingerprint of kbtool's own code (version and source
files), the rule set and the whole configuration. Writes are atomic (temporary
file, then rename). Each file is signed with an HMAC whose key lives in the
user's cache folder, so a cache that was committed to a repository or
tampered with is ignored rather than unpickled, and so is a corrupt one.
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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import kbtool
from kbtool.corpus.model import Severity
from kbtool.lint.diagnostic import Diagnostic, Fix, TextEdit

if TYPE_CHECKING:
    from kbtool.corpus.model import Article, LoadProblem
    from kbtool.markdown import Document

__all__ = ["LintCache", "Snapshot", "code_fingerprint", "digest", "pack", "unpack"]

FORMAT = b"KBTLC2"
_RACY_NS = 2_000_000_000  # mtimes this close to the recording time are not trusted
_KEEP_GENERATIONS = 4  # entries unused for this many runs are dropped
_MAX_SNAPSHOTS = 8

DiagTuple = tuple[Any, ...]


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


def pack(diagnostic: Diagnostic) -> DiagTuple:
    """A Diagnostic as plain tuples: smaller and several times faster to (un)pickle."""
    fix = diagnostic.fix
    packed_fix = None
    if fix is not None:
        packed_fix = (
            fix.description,
            tuple((e.line, e.column, e.end_line, e.end_column, e.new_text) for e in fix.edits),
        )
    return (
        diagnostic.path,
        diagnostic.line,
        diagnostic.column,
        diagnostic.code,
        diagnostic.message,
        diagnostic.name,
        int(diagnostic.severity),
        diagnostic.end_line,
        diagnostic.end_column,
        packed_fix,
    )


_SEVERITIES = {int(s): s for s in Severity}
_FIELDS = (
    "path",
    "line",
    "column",
    "code",
    "message",
    "name",
    "severity",
    "end_line",
    "end_column",
    "fix",
)


def unpack(packed: DiagTuple) -> Diagnostic:
    """The Diagnostic of `pack`; built without the frozen dataclass's slow __init__."""
    fix = packed[9]
    values = dict(zip(_FIELDS, packed, strict=True))
    values["severity"] = _SEVERITIES[packed[6]]
    if fix is not None:
        values["fix"] = Fix(fix[0], tuple(TextEdit(*e) for e in fix[1]))
    diagnostic = object.__new__(Diagnostic)
    diagnostic.__dict__.update(values)
    return diagnostic


@dataclass
class Snapshot:
    """The outcome of a complete run, enough to answer the next one without linting.

    Kept in several files that share its key, each read only when needed:
    the summary (this), the diagnostics, the link targets (for
    `--changed-since`) and reports already rendered in some format.
    """

    key: str
    files: int  # articles linted
    paths: tuple[str, ...]  # the articles (root-relative)
    counts: dict[str, int]  # diagnostics by severity name


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


def head_revision(folder: Path) -> str:
    """The commit HEAD points at in the repository holding `folder`; "" without one.

    One `git rev-parse` (a few milliseconds): the articles' commit history (last
    and first commit per file) is a function of HEAD, so HEAD stands for it in
    cache keys without running `git log`.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("GIT_DIR", "GIT_WORK_TREE")}
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", "HEAD"],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


class LintCache:
    """Cached lint results of one knowledge base; see the module docstring."""

    def __init__(self, folder: Path, secret: bytes, *, note: str = ""):
        self.folder = folder
        self.note = note  # why the cache is not where it usually is
        self._secret = secret
        self._stat: dict[str, tuple[int, int, int, int, str]] | None = None
        self._stat_dirty = False
        self._results: dict[str, Any] | None = None
        self._results_dirty = False
        # pickled values by key, in shards `docs-0` ... `parsed-f`
        self._shards: dict[str, dict[str, tuple[int, bytes]]] = {}
        self._dirty_shards: set[str] = set()
        self._read_keys: set[str] = set()  # used this run: kept when their shard is written
        self._generation = 0
        self.hits = 0
        self.misses = 0

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, root: Path) -> LintCache | None:
        """The cache of the knowledge base at `root`: `ROOT/.kbtool/cache/lint`.

        When that cannot be written (a read-only checkout) the cache lives in the
        user's cache folder instead, one folder per root; None when neither works.
        """
        secret = _secret()
        if secret is None:
            return None
        local = root / ".kbtool" / "cache" / "lint"
        if _writable(local, within=local.parent.parent if local.parent.parent.is_dir() else root):
            return cls(local, secret)
        fallback = _user_cache_dir() / "lint" / digest(str(root.resolve()))
        if _writable(fallback):
            return cls(fallback, secret, note=f"{root} is read-only; cache kept in {fallback}")
        return None

    # ------------------------------------------------------------------ signed files

    def _read(self, name: str) -> Any:
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
        try:
            return pickle.loads(payload)
        except Exception:  # a corrupt cache is no cache
            return None

    def _write(self, name: str, value: Any) -> None:
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        mac = hmac.new(self._secret, payload, "sha256").digest()
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.folder)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(FORMAT + mac)
                    handle.write(payload)  # not joined first: it may be large
                Path(tmp).replace(self.folder / name)
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)  # noqa: PTH108
        except OSError:
            pass  # a cache that cannot be written is a slower next run, not an error

    # ------------------------------------------------------------------ content hashes

    def content_hashes(self, files: Sequence[tuple[str, Path]]) -> dict[str, str]:
        """Content hash (sha256, as the loader computes it) of each file, by its key.

        A file whose size, mtime, ctime and inode are as recorded is not read.
        """
        if self._stat is None:
            loaded = self._read("files.bin")
            self._stat = loaded if isinstance(loaded, dict) else {}
        known = self._stat
        now = time.time_ns()
        out: dict[str, str] = {}
        fresh: dict[str, tuple[int, int, int, int, str]] = {}
        for key, path in files:
            try:
                st = path.stat()
            except OSError:
                continue
            stamp = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
            entry = known.get(key)
            if entry is not None and entry[:4] == stamp:
                out[key] = entry[4]
                fresh[key] = entry
                continue
            try:
                data = path.read_bytes()
            except OSError:
                continue
            out[key] = hashlib.sha256(data).hexdigest()
            if now - max(st.st_mtime_ns, st.st_ctime_ns) > _RACY_NS:
                fresh[key] = (*stamp, out[key])
            self._stat_dirty = True
        if set(fresh) != set(known):
            self._stat_dirty = True
        self._stat = fresh
        return out

    # ------------------------------------------------------------------ snapshots

    def snapshot(self, settings_key: str, key: str) -> Snapshot | None:
        found = self._read(f"snapshot-{settings_key}.bin")
        if isinstance(found, Snapshot) and found.key == key:
            return found
        return None

    def _part(self, settings_key: str, snapshot: Snapshot, part: str) -> Any:
        found = self._read(f"snapshot-{settings_key}.{part}.bin")
        if isinstance(found, tuple) and len(found) == 2 and found[0] == snapshot.key:
            return found[1]
        return None

    def snapshot_diagnostics(
        self, settings_key: str, snapshot: Snapshot
    ) -> tuple[DiagTuple, ...] | None:
        found = self._part(settings_key, snapshot, "diags")
        return found if isinstance(found, tuple) else None

    def snapshot_links(
        self, settings_key: str, snapshot: Snapshot
    ) -> dict[str, tuple[str, ...]] | None:
        found = self._part(settings_key, snapshot, "links")
        return found if isinstance(found, dict) else None

    def rendered(self, settings_key: str, snapshot: Snapshot, name: str) -> str | None:
        """A report of the snapshot rendered before (`name`: format and what else shaped it)."""
        found = self._part(settings_key, snapshot, f"render-{digest(name)}")
        return found if isinstance(found, str) else None

    def save_rendered(self, settings_key: str, snapshot: Snapshot, name: str, text: str) -> None:
        self._write(f"snapshot-{settings_key}.render-{digest(name)}.bin", (snapshot.key, text))

    def save_snapshot(
        self,
        settings_key: str,
        snapshot: Snapshot,
        diagnostics: Iterable[Diagnostic],
        links: Mapping[str, tuple[str, ...]],
    ) -> None:
        for old in self.folder.glob(f"snapshot-{settings_key}.*.bin"):
            with contextlib.suppress(OSError):
                old.unlink()  # reports rendered from the previous snapshot
        self._write(
            f"snapshot-{settings_key}.diags.bin",
            (snapshot.key, tuple(pack(d) for d in diagnostics)),
        )
        self._write(f"snapshot-{settings_key}.links.bin", (snapshot.key, dict(links)))
        self._write(f"snapshot-{settings_key}.bin", snapshot)
        try:
            mains = sorted(
                (p for p in self.folder.glob("snapshot-*.bin") if p.name.count(".") == 1),
                key=lambda p: p.stat().st_mtime,
            )
        except OSError:
            return
        for old in mains[:-_MAX_SNAPSHOTS]:
            stem = old.name.removesuffix(".bin")
            for each in self.folder.glob(f"{stem}*.bin"):
                with contextlib.suppress(OSError):
                    each.unlink()

    # ------------------------------------------------------------------ per-article results

    def _load_results(self) -> dict[str, Any]:
        if self._results is None:
            loaded = self._read("results.bin")
            if not isinstance(loaded, dict) or not isinstance(loaded.get("entries"), dict):
                loaded = {"generation": 0, "entries": {}}
            self._results = loaded
            self._generation = int(loaded.get("generation", 0)) + 1
            self._results_dirty = True  # the new generation must be recorded
        return self._results

    def results(self, key: str) -> list[Diagnostic] | None:
        entries = self._load_results()["entries"]
        found = entries.get(key)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        if found[0] != self._generation:
            entries[key] = (self._generation, found[1])
            self._results_dirty = True
        return [unpack(d) for d in found[1]]

    def put_results(self, key: str, diagnostics: Iterable[Diagnostic]) -> None:
        entries = self._load_results()["entries"]
        entries[key] = (self._generation, tuple(pack(d) for d in diagnostics))
        self._results_dirty = True

    def entry(self, key: str) -> tuple[list[Diagnostic], frozenset[str]] | None:
        """An article's own findings and the codes of its corpus-dependent rules."""
        entries = self._load_results()["entries"]
        found = entries.get(key)
        if found is None or len(found) != 3:
            self.misses += 1
            return None
        self.hits += 1
        if found[0] != self._generation:
            entries[key] = (self._generation, found[1], found[2])
            self._results_dirty = True
        return [unpack(d) for d in found[1]], found[2]

    def put_entry(
        self, key: str, diagnostics: Iterable[Diagnostic], dependent: frozenset[str]
    ) -> None:
        entries = self._load_results()["entries"]
        entries[key] = (self._generation, tuple(pack(d) for d in diagnostics), dependent)
        self._results_dirty = True

    # ------------------------------------------------------------------ sharded stores

    def _shard(self, store: str, key: str) -> dict[str, tuple[int, bytes]]:
        """The shard (one of 16 files per store) holding entries whose key starts like `key`."""
        self._load_results()  # for the generation
        name = f"{store}-{key[0]}"
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
        shard[key] = (self._generation, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        self._dirty_shards.add(f"{store}-{key[0]}")

    def preload_docs(self) -> None:
        """Read every shard of analyses now (before forking workers that all want them)."""
        for shard in "0123456789abcdef":
            self._shard("docs", shard)

    def doc(self, key: str) -> Document | None:
        """A Markdown analysis, by a key of the article's content."""
        found: Document | None = self._get("docs", key)
        return found

    def put_doc(self, key: str, doc: Document) -> None:
        self._put("docs", key, doc)

    def put_doc_bytes(self, key: str, blob: bytes) -> None:
        """An analysis already pickled (by a worker process)."""
        self._shard("docs", key)[key] = (self._generation, blob)
        self._dirty_shards.add(f"docs-{key[0]}")

    def parsed(self, key: str) -> tuple[Article, list[LoadProblem], tuple[str, ...]] | None:
        """A loaded article (without git data), its load problems and link targets."""
        found = self._get("parsed", key)
        return found if isinstance(found, tuple) and len(found) == 3 else None

    def put_parsed(
        self, key: str, article: Article, problems: list[LoadProblem], links: tuple[str, ...]
    ) -> None:
        self._put("parsed", key, (article, problems, links))

    # ------------------------------------------------------------------ saving

    def flush(self, store: str) -> None:
        """Write the changed shards of `store` now and let go of all of them (memory)."""
        oldest = self._generation - _KEEP_GENERATIONS
        for name in [n for n in self._shards if n.startswith(f"{store}-")]:
            if name in self._dirty_shards:
                self._write_shard(name, oldest)
                self._dirty_shards.discard(name)
            del self._shards[name]

    def _write_shard(self, name: str, oldest: int) -> None:
        current = self._shards[name]
        for key in self._read_keys & current.keys():
            current[key] = (self._generation, current[key][1])
        self._write(f"{name}.bin", {k: v for k, v in current.items() if v[0] > oldest})

    def save(self) -> None:
        """Write what changed; drop entries no run has used for a few runs."""
        if self._stat_dirty and self._stat is not None:
            self._write("files.bin", self._stat)
            self._stat_dirty = False
        oldest = self._generation - _KEEP_GENERATIONS
        if self._results is not None and self._results_dirty:
            entries = {k: v for k, v in self._results["entries"].items() if v[0] > oldest}
            self._write("results.bin", {"generation": self._generation, "entries": entries})
            self._results_dirty = False
        for name in sorted(self._dirty_shards):
            self._write_shard(name, oldest)
        self._dirty_shards.clear()
