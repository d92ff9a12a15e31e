"""Shared fixtures: knowledge bases copied from `tests/fixtures/<scenario>/`.

`kb_repo("basic")` copies a scenario to `tmp_path`, runs `git init` and commits
everything with a fixed author and date, so ages and git dates are the same on
every machine. `kb_dir("basic")` copies it without git.

Scenarios:

- `basic`: the Parcelly help center, a realistic small knowledge base with a
  `kbtool.toml`, locales `en` (7 articles, one a draft) and `sv` (3 articles,
  one linked by `translation_of` instead of by path), sections with and
  without `_index.md`, and `templates/how-to.md`.
- `broken`: a single-language base with one file per kind of bad input that
  can be committed as text; each file states what loading it must report.

Corpus tests read `../shared/corpora` (beside the repository) and are marked
`corpora`; they are skipped when it is absent.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from gitutil import DEFAULT_AUTHOR, DEFAULT_DATE, commit_all, init_repo, isolate_git

FIXTURES = Path(__file__).parent / "fixtures"
CONFIGS = Path(__file__).parent / "configs"
CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"

# The date and author of the commit `kb_repo` makes.
FIXTURE_DATE = DEFAULT_DATE  # 2026-01-15T10:00:00+00:00
FIXTURE_AUTHOR = DEFAULT_AUTHOR  # Ada Writer

KbFactory = Callable[..., Path]


def copy_fixture(name: str, dest: Path) -> Path:
    """Copy `tests/fixtures/<name>` to `dest` (which must not exist) and return `dest`."""
    source = FIXTURES / name
    if not source.is_dir():
        known = ", ".join(sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()))
        raise ValueError(f"no fixture {name!r} in {FIXTURES} (there are: {known})")
    shutil.copytree(source, dest)
    return dest


@pytest.fixture
def kb_dir(tmp_path: Path) -> KbFactory:
    """Factory: `kb_dir("basic")` copies a fixture to a fresh folder (no git) and returns it."""
    count = 0

    def make(name: str = "basic") -> Path:
        nonlocal count
        count += 1
        return copy_fixture(name, tmp_path / f"{name}-{count}")

    return make


@pytest.fixture
def kb_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> KbFactory:
    """Factory: `kb_repo("basic")` copies a fixture, commits it, and returns the repository.

    The one commit has author and committer `FIXTURE_AUTHOR` and date
    `FIXTURE_DATE` (override with `date=` and `author=`). git run by the code
    under test ignores the user's global and system config.
    """
    isolate_git(monkeypatch)
    count = 0

    def make(
        name: str = "basic", *, date: str = FIXTURE_DATE, author: str = FIXTURE_AUTHOR
    ) -> Path:
        nonlocal count
        count += 1
        repo = copy_fixture(name, tmp_path / f"{name}-repo-{count}")
        init_repo(repo)
        commit_all(repo, f"Add the {name} knowledge base", date=date, author=author)
        return repo

    return make


@pytest.fixture
def corpora() -> Path:
    """The real corpora folder; skips the test when it is not there."""
    if not CORPORA.is_dir():
        pytest.skip(f"corpora not found at {CORPORA}")
    return CORPORA
