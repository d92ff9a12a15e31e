"""Make git repositories with fixed authors and dates, whatever the user's git config says.

`init_repo(tmp_path / "kb")` makes a repository; write files into it, then
`commit_all(repo, "Add A", date="2026-02-01T09:00:00+00:00", author="Ben Editor")`
commits them all. Tests that run kbtool's own git calls use `isolate_git(monkeypatch)`.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

DEFAULT_DATE = "2026-01-15T10:00:00+00:00"
DEFAULT_AUTHOR = "Ada Writer"


def git_env(*, date: str = DEFAULT_DATE, author: str = DEFAULT_AUTHOR) -> dict[str, str]:
    """An environment for git without global or system config, with a fixed author and date.

    `GIT_*` variables inherited from the caller (a hook sets GIT_DIR and
    GIT_INDEX_FILE) are dropped so they cannot point git at another repository.
    """
    env = {key: value for key, value in os.environ.items() if not _inherited_git(key)}
    email = author.lower().replace(" ", ".") + "@example.com"
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_AUTHOR_NAME=author,
        GIT_AUTHOR_EMAIL=email,
        GIT_AUTHOR_DATE=date,
        GIT_COMMITTER_NAME=author,
        GIT_COMMITTER_EMAIL=email,
        GIT_COMMITTER_DATE=date,
    )
    return env


def git(repo: Path, *args: str, date: str = DEFAULT_DATE, author: str = DEFAULT_AUTHOR) -> str:
    """Run `git -C repo ARGS...` and return its output; a failure raises CalledProcessError."""
    result = subprocess.run(
        ["git", "-C", str(repo), "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", *args],
        env=git_env(date=date, author=author),
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def init_repo(path: Path) -> Path:
    """Create (if needed) and `git init` the folder `path`, on branch `main`."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "--quiet", "--initial-branch=main")
    return path


def commit_all(
    repo: Path, message: str, date: str = DEFAULT_DATE, author: str = DEFAULT_AUTHOR
) -> str:
    """Stage every change in `repo` (deletions too), commit it, and return the commit's sha."""
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--allow-empty", "-m", message, date=date, author=author)
    return git(repo, "rev-parse", "HEAD").strip()


def isolate_git(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make git run by the code under test ignore global/system config and inherited GIT_*."""
    for key in [key for key in os.environ if _inherited_git(key)]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)


def _inherited_git(key: str) -> bool:
    # GIT_PYTHON_* configure GitPython itself, not the repository.
    return key.startswith("GIT_") and not key.startswith("GIT_PYTHON_")
