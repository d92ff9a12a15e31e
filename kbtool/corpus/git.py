"""Per-file git history from one `git log` pass, and the files changed since a revision.

Dates and authors are a fallback for articles whose front matter lacks them, so
history that cannot be had (no git binary, not a repository, no commits yet) is
an empty history with a reason, never an error. `changed_since` is different:
the user asked for it explicitly, so a bad revision is an `InputError`.

Choices that shape the results:

- One `git log --name-only` over the articles folder gives every file's history
  at once; running git once per file would take minutes on a large help center.
- `--no-renames`: a renamed file's history starts at the rename, under its new
  path. Following renames is a per-file walk (`git log --follow`) and guesses by
  content similarity, so a heavily edited move would give different answers on
  different machines. The old path's history ends at the rename.
- Dates are committer dates, in UTC: when the change landed on this history (a
  rebase, cherry-pick or squash merge moves it), which is what "last updated"
  means to a reader. The author date can be months older for a long-lived
  branch.
- Authors go through `.mailmap` (`%aN`/`%aE`), so one person with two addresses
  counts once.
- Merge commits list no files (git's default for `log`), so a file's commits are
  the ones that changed it, not the merges that brought the change in.
- In a shallow clone the oldest commit available stands for the file's first
  commit: git shows the boundary commit as adding every file it has.
"""

from __future__ import annotations

import bisect
import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kbtool.corpus.model import Commit
from kbtool.errors import ConflictError, InputError

if TYPE_CHECKING:
    import git

__all__ = [
    "ChangedFiles",
    "Commit",
    "GitHistory",
    "check_committable",
    "commit_files",
    "review_commits",
    "user_name",
]

# Field and record separators for `--format`. Paths come NUL-separated (`-z`), so a
# record separator right after a NUL can only start a commit header.
_RS = "\x1e"
_US = "\x1f"
_LOG_FORMAT = f"--format={_RS}%H{_US}%ct{_US}%aN{_US}%aE"

# Options that pin down output a user's or repository's git config could change
# (log.showSignature, color.ui=always, i18n.logOutputEncoding, diff.renames, an
# external diff driver). With `-z` paths are never quoted, whatever core.quotepath
# says.
_STABLE_OUTPUT = ("--no-color", "--no-renames", "--no-ext-diff", "-z")
_STABLE_LOG = (*_STABLE_OUTPUT, "--no-show-signature", "--encoding=UTF-8")


@dataclass(frozen=True)
class ChangedFiles:
    """Files that differ between a revision and the working tree, as absolute paths.

    `changed` holds files added, modified or renamed-to; `deleted` files deleted
    or renamed-from. A path is in at most one of them.
    """

    changed: frozenset[Path]
    deleted: frozenset[Path]


class GitHistory:
    """Per-file history from one `git log` pass.

    Build it with `GitHistory.load`. When `available` is false, `reason` says
    why and every file simply has no history.
    """

    available: bool
    reason: str
    toplevel: Path | None
    shallow: bool

    def __init__(
        self,
        *,
        reason: str = "",
        toplevel: Path | None = None,
        shallow: bool = False,
        last: dict[str, Commit] | None = None,
        first: dict[str, Commit] | None = None,
        repo: git.Repo | None = None,
        commits: dict[str, Commit] | None = None,
    ) -> None:
        self.available = repo is not None
        self.reason = reason
        self.toplevel = toplevel
        self.shallow = shallow
        self._last = last or {}
        self._first = first or {}
        self._repo_object = repo
        # every commit the log listed, by sha: translations record the source commit
        self._commits = commits or {}
        self._sorted: list[str] | None = None  # shas, for abbreviations
        # A file may be spelled through a symlink that the top level is not
        # spelled through, or the reverse (/var vs /private/var on macOS).
        self._real_top = toplevel.resolve() if toplevel is not None else None

    @property
    def _repo(self) -> git.Repo | None:
        """The repository, opened again for a history read back from a cache."""
        if self._repo_object is None and self.available and self.toplevel is not None:
            import git

            self._repo_object = git.Repo(self.toplevel)
        return self._repo_object

    def __getstate__(self) -> dict[str, object]:
        """What a cache keeps: everything but the open repository."""
        return {**self.__dict__, "_repo_object": None}

    def __repr__(self) -> str:
        if not self.available:
            return f"GitHistory(available=False, reason={self.reason!r})"
        return f"GitHistory({self.toplevel}, files={len(self._last)}, shallow={self.shallow})"

    @classmethod
    def load(cls, path: Path) -> GitHistory:
        """Read the history of every file under `path`, a folder inside a work tree.

        Never raises for a missing git, a folder outside any repository or a
        repository without commits: the history is then empty, with a reason.
        """
        try:
            # Imported here: GitPython runs `git version` on import (slow for
            # `--help`) and raises ImportError when there is no git binary.
            import git
        except ImportError:
            return cls(reason="git not found")

        path = Path(path).absolute()
        try:
            repo = git.Repo(path, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            return cls(reason="not a git repository")
        if repo.working_tree_dir is None:
            return cls(reason="bare git repository (no work tree)")
        toplevel = _caller_spelling(path, Path(repo.working_tree_dir))
        if not repo.head.is_valid():
            return cls(reason="no commits yet", toplevel=toplevel)
        shallow = (Path(repo.common_dir) / "shallow").is_file()

        try:
            pathspec = _pathspec(path, toplevel)
        except ValueError:
            return cls(reason=f"{path} is outside the work tree {toplevel}", toplevel=toplevel)
        try:
            raw = repo.git.log(
                *_STABLE_LOG,
                "--name-only",
                _LOG_FORMAT,
                "--",
                *pathspec,
                stdout_as_string=False,
            )
        except git.GitCommandNotFound:
            return cls(reason="git not found")
        except git.GitCommandError as exc:
            # e.g. "detected dubious ownership": history is a fallback, so say
            # why it is missing rather than stop the run.
            return cls(reason=f"git log failed: {_first_line(exc.stderr)}", toplevel=toplevel)

        commits: dict[str, Commit] = {}
        last, first = _parse_log(os.fsdecode(raw), commits)
        return cls(
            toplevel=toplevel, shallow=shallow, last=last, first=first, repo=repo, commits=commits
        )

    def last(self, file: Path) -> Commit | None:
        """The newest commit that changed `file`; None when it has none (new, untracked)."""
        key = self._key(file)
        return self._last.get(key) if key is not None else None

    def first(self, file: Path) -> Commit | None:
        """The oldest commit that changed `file` (in a shallow clone, the oldest available)."""
        key = self._key(file)
        return self._first.get(key) if key is not None else None

    def changed_since(self, ref: str, under: Path) -> ChangedFiles:
        """Files under `under` that differ between `ref` and the working tree.

        Like `git diff ref...`: compared with the merge base of `ref` and HEAD,
        so commits that landed on `ref` since the branch started do not count.
        Staged, unstaged and untracked (not ignored) files count, since a writer
        checks their work before committing it. When `ref` and HEAD share no
        history that this clone holds (a shallow CI checkout), `ref` itself is
        the base: more files than needed, never fewer.

        Raises InputError for a revision git does not know, or when there is no
        repository to compare in.
        """
        if self._repo is None or self.toplevel is None:
            raise InputError(f"cannot compare with '{ref}': {self.reason}")
        import git  # importable: load() used it

        if not ref or ref.startswith("-"):
            # Would be read as an option by git.
            raise InputError(f"unknown git revision '{ref}'")
        try:
            pathspec = _pathspec(Path(under).absolute(), self.toplevel)
        except ValueError:
            raise InputError(f"{under} is outside the git work tree {self.toplevel}") from None

        repo = self._repo
        try:
            base = repo.git.merge_base(ref, "HEAD").strip()
        except git.GitCommandError as exc:
            if exc.status != 1:  # 1: both revisions exist but share no history
                raise InputError(f"unknown git revision '{ref}'") from None
            base = ref

        # `git diff <commit>` compares the commit with the working tree, which
        # covers committed, staged and unstaged changes in one call.
        diff = os.fsdecode(
            repo.git.diff(
                *_STABLE_OUTPUT,
                "--name-status",
                base,
                "--",
                *pathspec,
                stdout_as_string=False,
            )
        )
        untracked = os.fsdecode(
            repo.git.ls_files(
                "--others",
                "--exclude-standard",
                "-z",
                "--",
                *pathspec,
                stdout_as_string=False,
            )
        )

        changed: set[str] = set()
        deleted: set[str] = set()
        fields = iter(diff.split("\0"))
        for status in fields:
            if not status:
                continue
            if status[0] in "RC":  # only if --no-renames is ever dropped
                source, target = next(fields), next(fields)
                if status[0] == "R":
                    deleted.add(source)
                changed.add(target)
            elif status[0] == "D":
                deleted.add(next(fields))
            else:
                changed.add(next(fields))
        changed.update(name for name in untracked.split("\0") if name)
        # A file removed from the index but still on disk shows as deleted in
        # the diff and as untracked: it exists, so it counts as changed.
        deleted -= changed

        top = self.toplevel
        return ChangedFiles(
            changed=frozenset(top / name for name in changed),
            deleted=frozenset(top / name for name in deleted),
        )

    def prefix(self, folder: Path) -> str | None:
        """Git's spelling of `folder` as a path prefix (`"docs/articles/"`, `""` at the top).

        With it, callers holding many paths relative to `folder` look them up with
        `last_at(prefix + rel)` instead of resolving each path.
        """
        key = self._key(folder)
        if key is None:
            return None
        return "" if key in ("", ".") else key.rstrip("/") + "/"

    def last_at(self, key: str) -> Commit | None:
        """The newest commit of the path git spells `key`."""
        return self._last.get(key)

    def first_at(self, key: str) -> Commit | None:
        """The oldest commit of the path git spells `key`."""
        return self._first.get(key)

    def commit(self, sha: str) -> Commit | None:
        """The commit whose sha is or starts with `sha` (at least 7 hex digits).

        Only commits that changed a file under the loaded folder are known. None
        when there is no such commit or the abbreviation is ambiguous.
        """
        sha = sha.strip().lower()
        found = self._commits.get(sha)
        if found is not None or len(sha) >= 40 or len(sha) < 7:
            return found
        if self._sorted is None:
            self._sorted = sorted(self._commits)
        at = bisect.bisect_left(self._sorted, sha)
        hits = self._sorted[at : at + 2]
        if not hits or not hits[0].startswith(sha):
            return None
        if len(hits) == 2 and hits[1].startswith(sha):
            return None  # ambiguous
        return self._commits[hits[0]]

    def _key(self, file: Path) -> str | None:
        """`file` as git spells it: relative to the top level, with forward slashes."""
        if self.toplevel is None or self._real_top is None:
            return None
        try:
            return file.relative_to(self.toplevel).as_posix()
        except ValueError:
            pass
        try:
            return file.resolve().relative_to(self._real_top).as_posix()
        except (ValueError, OSError):
            return None


def _parse_log(
    text: str, commits: dict[str, Commit] | None = None
) -> tuple[dict[str, Commit], dict[str, Commit]]:
    """Newest and oldest commit per path from `git log -z --name-only` output.

    Each commit is `RS sha US ct US name US email NUL` followed by `NL path NUL
    path NUL ...` (no paths for a merge); `commits`, when given, receives every
    commit by sha. git lists commits newest first, so the
    first commit seen for a path is its last and the final one seen its first.
    """
    last: dict[str, Commit] = {}
    first: dict[str, Commit] = {}
    utc = dt.UTC
    for record in ("\0" + text).split("\0" + _RS):
        header, _, names = record.partition("\0")
        if not header:
            continue
        sha, timestamp, author, email = header.split(_US)
        commit = Commit(
            sha=sha,
            date=dt.datetime.fromtimestamp(int(timestamp), utc),
            author=_clean(author),
            email=_clean(email),
        )
        if commits is not None:
            commits[sha] = commit
        paths = names.removeprefix("\n").split("\0")
        for name in paths:
            if name and name not in last:
                last[name] = commit
        first.update(dict.fromkeys(paths, commit))
    first.pop("", None)
    return last, first


def _pathspec(folder: Path, toplevel: Path) -> list[str]:
    """A pathspec for `folder`, taken literally (names with `*` or `:` are not patterns)."""
    try:
        rel = folder.relative_to(toplevel)
    except ValueError:
        rel = folder.resolve().relative_to(toplevel.resolve())
    return [f":(top,literal){rel.as_posix()}"] if rel.parts else []


def _caller_spelling(path: Path, toplevel: Path) -> Path:
    """`toplevel` as the caller spells it: the ancestor of `path` that is the same folder.

    Paths handed back (`ChangedFiles`) then compare equal to the caller's own,
    even when a symlink leads into the repository.
    """
    real = toplevel.resolve()
    for candidate in (path, *path.parents):
        if candidate == toplevel or candidate.resolve() == real:
            return candidate
    return toplevel


def _clean(text: str) -> str:
    """Undo `os.fsdecode` escapes in a name or email git could not re-encode as UTF-8."""
    if text.isascii():
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _first_line(stderr: str | bytes) -> str:
    """The message in a GitCommandError's stderr, which GitPython wraps as `stderr: '...'`."""
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    text = text.strip().removeprefix("stderr:").strip().strip("'").removeprefix("fatal: ")
    return text.splitlines()[0] if text else "unknown error"


# --------------------------------------------------------------------------- reviews and commits
#
# What `kbtool review` needs from git beyond the history: the commits that
# recorded a review, the user's name, and committing the files a review changed.


def review_commits(history: GitHistory, trailer: str) -> frozenset[str]:
    """Shas of the commits whose message has the trailer `trailer:` (one `git log --grep`).

    Empty when there is no history.
    """
    repo = history._repo  # same module
    if repo is None:
        return frozenset()
    import git

    try:
        out = repo.git.log(
            "--no-color", "--format=%H", f"--grep=^{trailer}:", stdout_as_string=True
        )
    except git.GitCommandError:
        return frozenset()
    return frozenset(line.strip() for line in out.splitlines() if line.strip())


def user_name(path: Path) -> str | None:
    """`git config user.name` as seen from the folder `path`; None when unset or no git."""
    try:
        import git
    except ImportError:
        return None
    try:
        out = git.Git(str(path)).config("--get", "user.name")
    except (git.GitCommandError, git.GitCommandNotFound, OSError):
        return None
    name = str(out).strip()
    return name or None


def _open_repo(path: Path) -> git.Repo:
    """The repository holding `path`; InputError when there is none."""
    try:
        import git
    except ImportError:
        raise InputError("cannot commit: git not found") from None
    try:
        repo = git.Repo(path, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise InputError("cannot commit: not a git repository", path=path) from None
    if repo.working_tree_dir is None:
        raise InputError("cannot commit: bare git repository", path=path)
    return repo


def _literal_specs(repo: git.Repo, paths: Sequence[Path]) -> dict[str, Path]:
    top = Path(str(repo.working_tree_dir))
    specs: dict[str, Path] = {}
    for path in paths:
        try:
            rel = path.absolute().relative_to(top)
        except ValueError:
            try:
                rel = path.resolve().relative_to(top.resolve())
            except ValueError:
                raise InputError(f"outside the git work tree {top}", path=path) from None
        specs[rel.as_posix()] = path
    return specs


def check_committable(paths: Sequence[Path]) -> None:
    """Refuse (ConflictError) when committing `paths` would sweep in other changes.

    That is: a file that is not tracked or already has uncommitted changes (they
    would land in the commit too), or other files staged for commit.
    """
    if not paths:
        return
    repo = _open_repo(paths[0].parent)
    specs = _literal_specs(repo, paths)
    pathspec = [f":(top,literal){name}" for name in specs]
    tracked = set(
        os.fsdecode(repo.git.ls_files("-z", "--", *pathspec, stdout_as_string=False)).split("\0")
    )
    untracked = [name for name in specs if name not in tracked]
    if untracked:
        raise ConflictError(
            "not committed to git yet, so --commit would add the whole "
            "file; commit it first or leave out --commit",
            path=specs[untracked[0]],
        )
    status = os.fsdecode(
        repo.git.status(
            "--porcelain=v1", "-z", "--untracked-files=no", "--", *pathspec, stdout_as_string=False
        )
    )
    for record in status.split("\0"):
        if len(record) > 3 and record[3:] in specs:
            raise ConflictError(
                "has uncommitted changes that --commit would sweep into the "
                "review commit; commit or stash them first",
                path=specs[record[3:]],
            )
    staged = _staged(repo) - set(specs)
    if staged:
        shown = ", ".join(sorted(staged)[:3]) + (" ..." if len(staged) > 3 else "")
        raise ConflictError(
            f"other changes are staged for commit ({shown}); commit or "
            "unstage them first, or leave out --commit"
        )


def _staged(repo: git.Repo) -> set[str]:
    args = ["--cached", "--name-only", "--no-renames", "-z"]
    if repo.head.is_valid():
        args.insert(1, "HEAD")
    out = os.fsdecode(repo.git.diff(*args, stdout_as_string=False))
    return {name for name in out.split("\0") if name}


def commit_files(paths: Sequence[Path], message: str) -> str:
    """Commit exactly `paths` (their working-tree content) with `message`; return the sha.

    Other staged changes make it refuse rather than be swept in (see
    `check_committable`, which a caller runs before changing the files).
    Commit hooks run as usual; a failing hook is an InputError.
    """
    if not paths:
        raise InputError("nothing to commit")
    repo = _open_repo(paths[0].parent)
    specs = _literal_specs(repo, paths)
    staged = _staged(repo) - set(specs)
    if staged:
        raise ConflictError(
            f"other changes are staged for commit ({sorted(staged)[0]}); not committed"
        )
    import git

    pathspec = [f":(top,literal){name}" for name in specs]
    try:
        repo.git.commit("--quiet", "--only", "-m", message, "--", *pathspec)
    except git.GitCommandError as exc:
        raise InputError(f"git commit failed: {_first_line(exc.stderr)}") from None
    return str(repo.head.commit.hexsha)


# --------------------------------------------------------------------------- past states
#
# What `kbtool report --since` needs: the articles as they were at past dates, read
# from git objects (one `git ls-tree` per date, one `git cat-file --batch` process for
# every blob) rather than by checking out each commit.


def commits_before(history: GitHistory, moments: Sequence[dt.datetime]) -> list[Commit | None]:
    """For each moment, the newest commit of HEAD's first-parent line at or before it.

    One `git log --first-parent` pass; None for a moment before the first commit
    or when there is no history.
    """
    repo = history._repo  # same module
    if repo is None or not moments:
        return [None] * len(moments)
    import git

    try:
        out = repo.git.log(
            "--no-color", "--first-parent", "--format=%H %ct", "HEAD", stdout_as_string=True
        )
    except git.GitCommandError:
        return [None] * len(moments)
    line: list[tuple[int, str]] = []
    for row in out.splitlines():
        sha, _, stamp = row.strip().partition(" ")
        if sha and stamp.isdigit():
            line.append((int(stamp), sha))
    # newest first; a first-parent line can have committer dates out of order after a
    # rebase, so take the first commit (walking back) whose date is not after the moment
    found: list[Commit | None] = []
    for moment in moments:
        limit = moment.timestamp()
        pick = next(((s, h) for s, h in line if s <= limit), None)
        found.append(
            None
            if pick is None
            else Commit(pick[1], dt.datetime.fromtimestamp(pick[0], dt.UTC), "", "")
        )
    return found


def tree_blobs(history: GitHistory, commit: str, folder: Path) -> dict[str, str]:
    """The files under `folder` in `commit`: path relative to `folder` -> blob sha."""
    repo = history._repo
    if repo is None or history.toplevel is None:
        return {}
    import git

    try:
        spec = _pathspec(Path(folder).absolute(), history.toplevel)
    except ValueError:
        return {}
    prefix = spec[0].split(")", 1)[1] + "/" if spec else ""
    try:
        out = os.fsdecode(
            repo.git.ls_tree("-r", "-z", "--full-tree", commit, "--", *spec, stdout_as_string=False)
        )
    except git.GitCommandError:
        return {}
    blobs: dict[str, str] = {}
    for record in out.split("\0"):
        info, _, name = record.partition("\t")
        parts = info.split()
        if len(parts) != 3 or parts[1] != "blob" or parts[0] == "120000":
            continue  # submodules, and symlinks (their blob is the link target, not a file)
        if name.startswith(prefix):
            blobs[name[len(prefix) :]] = parts[2]
    return blobs


def read_blobs(history: GitHistory, shas: Sequence[str], *, limit: int) -> dict[str, bytes]:
    """The content of each blob (at most `limit + 1` bytes of a larger one), from one
    `git cat-file --batch` process."""
    repo = history._repo
    if repo is None or not shas:
        return {}
    import subprocess

    wanted = list(dict.fromkeys(shas))
    request = "".join(f"{sha}\n" for sha in wanted).encode()
    try:
        done = subprocess.run(
            ["git", "cat-file", "--batch"],
            input=request,
            capture_output=True,
            cwd=str(repo.working_tree_dir),
            check=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        raise InputError(f"cannot read past versions from git: {exc}") from None
    data = done.stdout
    out: dict[str, bytes] = {}
    at = 0
    for sha in wanted:
        end = data.index(b"\n", at)
        header = data[at:end].split()
        at = end + 1
        if len(header) < 3 or header[1] == b"missing":
            continue
        size = int(header[2])
        out[sha] = data[at : at + min(size, limit + 1)]
        at += size + 1  # the content and its newline
    return out
