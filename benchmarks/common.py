"""Helpers shared by the benchmark scripts: where things are, git without user config,
and running a child process while measuring its wall time and peak memory.

Benchmarks are scripts, not part of the `kbtool` package: run them with the
interpreter of the environment kbtool is installed in, e.g.
`python benchmarks/load.py`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "BENCH_DIR",
    "CACHE_ROOT",
    "REPO_ROOT",
    "Measurement",
    "child_env",
    "corpus_folder",
    "default_corpora",
    "git",
    "git_env",
    "measure",
    "rss_floor_kib",
]

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
# Built knowledge bases are kept here between runs, one folder per size.
CACHE_ROOT = Path(tempfile.gettempdir()) / "kbtool-bench"

GIT_AUTHOR = ("KB Bench", "kb-bench@example.com")


def default_corpora() -> Path:
    """The shared real corpora: `$KBTOOL_CORPORA`, else `../shared/corpora` beside the repo."""
    configured = os.environ.get("KBTOOL_CORPORA")
    if configured:
        return Path(configured)
    return REPO_ROOT.parent / "shared" / "corpora"


def git_env(date: str | None = None) -> dict[str, str]:
    """An environment in which git ignores the user's and the system's configuration.

    `GIT_*` variables inherited from the caller (a hook sets GIT_DIR and
    GIT_INDEX_FILE) are dropped so they cannot point git at another repository.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    name, email = GIT_AUTHOR
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_AUTHOR_NAME=name,
        GIT_AUTHOR_EMAIL=email,
        GIT_COMMITTER_NAME=name,
        GIT_COMMITTER_EMAIL=email,
    )
    if date is not None:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    return env


def child_env(date: str | None = None) -> dict[str, str]:
    """`git_env`, with imports as for an installed kbtool: from cached bytecode.

    An installed kbtool has `.pyc` files (pip compiles them); where
    `PYTHONDONTWRITEBYTECODE` is set (some sandboxes and CI images) every timed
    run would otherwise compile the hundred modules it imports first, a quarter
    of a second. The bytecode goes to `CACHE_ROOT/pycache`, out of the source
    tree; a benchmark's untimed first run writes it.
    """
    env = git_env(date)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(CACHE_ROOT / "pycache")
    return env


# Settings that would otherwise come from a user's config and change what is
# stored: line-ending conversion would rewrite the corpora's CRLF files.
_GIT_SETTINGS = (
    "user.name=" + GIT_AUTHOR[0],
    "user.email=" + GIT_AUTHOR[1],
    "commit.gpgsign=false",
    "core.autocrlf=false",
    "core.safecrlf=false",
    "gc.auto=0",
    "init.defaultBranch=main",
)


def git(repo: Path, *args: str, date: str | None = None) -> str:
    """Run `git -C repo ARGS` with a fixed author (and date); raise on failure."""
    settings = [part for setting in _GIT_SETTINGS for part in ("-c", setting)]
    result = subprocess.run(
        ["git", "-C", str(repo), *settings, *args],
        env=git_env(date),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed in {repo}: {result.stderr.strip()}")
    return result.stdout


@dataclass(frozen=True)
class Measurement:
    """One run of a child process."""

    seconds: float  # wall time, from spawning the process to reaping it
    cpu_seconds: float  # user + system time of the child and the children it waited for
    max_rss_kib: int  # peak resident set size of the child (and children it waited for)
    returncode: int
    stdout: str
    stderr: str


def measure(
    command: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Measurement:
    """Run `command` to completion and measure it.

    The child is reaped with `os.wait4`, which returns that child's own resource
    usage; `resource.getrusage(RUSAGE_CHILDREN)` would give the maximum over
    every child this process has had. Caveat: Linux carries the peak RSS of the
    process that forked (or vforked) the child over into the child's, so a
    child's figure is never below this process's own peak: keep the measuring
    process small (`rss_floor_kib` tells how small it is). Output goes to
    temporary files so that a chatty child can never block on a full pipe
    while we wait for it.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=None if env is None else dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        # Tell Popen the child is gone so that it does not try to reap it again.
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    # ru_maxrss is in KiB on Linux and in bytes on macOS.
    max_rss = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
    cpu = usage.ru_utime + usage.ru_stime
    return Measurement(seconds, cpu, max_rss, process.returncode, stdout, stderr)


def rss_floor_kib() -> int:
    """The lowest peak RSS `measure` can report now: what a do-nothing child gets."""
    return measure(["true"]).max_rss_kib


def corpus_folder(n: int, *, fresh: bool = False) -> Path:
    """Build or reuse the `make_corpus.py` knowledge base of `n` articles; its folder.

    Run as a child process, not in this one: building reads the corpora into memory, and this
    process's peak RSS would show up in every measured child's (see `measure`).
    """
    command = [sys.executable, str(BENCH_DIR / "make_corpus.py"), str(n)]
    built = subprocess.run(
        [*command, "--fresh"] if fresh else command, stdout=subprocess.PIPE, text=True, check=False
    )
    if built.returncode != 0:
        raise SystemExit(f"make_corpus.py {n} failed with exit code {built.returncode}")
    return Path(built.stdout.strip().splitlines()[-1])
