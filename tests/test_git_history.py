"""GitHistory: per-file dates and authors from one `git log`, and `changed_since`."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import pytest
from gitutil import commit_all, git, init_repo, isolate_git

from kbtool.corpus.git import ChangedFiles, GitHistory
from kbtool.errors import InputError

JAN = "2026-01-15T10:00:00+00:00"
FEB = "2026-02-20T09:30:00+01:00"
MAR = "2026-03-03T23:15:00-05:00"


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git(monkeypatch)


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)


def write(path: Path, text: str = "text\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """A repository whose articles have three commits by two authors."""
    repo = init_repo(tmp_path / "kb")
    write(repo / "README.md")
    write(repo / "articles/en/account/reset-password.md", "v1\n")
    write(repo / "articles/en/account/sign-in.md")
    commit_all(repo, "Start", date=JAN, author="Ada Writer")
    write(repo / "articles/en/account/reset-password.md", "v2\n")
    write(repo / "articles/en/billing/invoices.md")
    commit_all(repo, "Edit", date=FEB, author="Ben Editor")
    write(repo / "README.md", "changed\n")
    commit_all(repo, "Readme only", date=MAR, author="Cy Dev")
    return repo


def test_last_and_first_commit_per_file(kb: Path) -> None:
    history = GitHistory.load(kb / "articles")
    assert history.available
    assert history.reason == ""
    assert history.toplevel == kb
    assert not history.shallow

    reset = kb / "articles/en/account/reset-password.md"
    last, first = history.last(reset), history.first(reset)
    assert last is not None and first is not None
    assert (last.date, last.author, last.email) == (
        utc(FEB),
        "Ben Editor",
        "ben.editor@example.com",
    )
    assert (first.date, first.author) == (utc(JAN), "Ada Writer")
    assert last.date.tzinfo is not None
    assert last.sha == git(kb, "rev-parse", "HEAD~1").strip()
    assert first.sha == git(kb, "rev-parse", "HEAD~2").strip()

    sign_in = kb / "articles/en/account/sign-in.md"
    assert history.last(sign_in) == history.first(sign_in) == first

    invoices = kb / "articles/en/billing/invoices.md"
    assert history.last(invoices) == history.first(invoices) == last


def test_history_is_limited_to_the_folder_it_was_loaded_for(kb: Path) -> None:
    assert GitHistory.load(kb / "articles").last(kb / "README.md") is None

    whole = GitHistory.load(kb)
    readme = whole.last(kb / "README.md")
    assert readme is not None and readme.author == "Cy Dev"
    assert whole.first(kb / "README.md") is not None


def test_unknown_and_uncommitted_files_have_no_history(kb: Path) -> None:
    draft = write(kb / "articles/en/account/draft.md")
    history = GitHistory.load(kb / "articles")
    assert history.last(draft) is None
    assert history.first(draft) is None
    assert history.last(kb.parent / "elsewhere.md") is None


def test_names_with_spaces_unicode_and_pattern_characters(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "kb")
    names = [
        "articles/fr/compte/réinitialiser le mot de passe.md",
        "articles/ja/アカウント/パスワード.md",
        "articles/en/faq/what is [beta]*?.md",
        'articles/en/faq/"quoted" name.md',
    ]
    for name in names:
        write(repo / name)
    commit_all(repo, "Unicode", date=FEB, author="Zoë Écrivain")

    history = GitHistory.load(repo / "articles")
    for name in names:
        commit = history.last(repo / name)
        assert commit is not None, name
        assert commit.author == "Zoë Écrivain"
        assert commit.date == utc(FEB)


@pytest.mark.skipif(sys.platform == "win32", reason="newlines are not allowed in Windows names")
def test_name_with_a_newline(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "kb")
    odd = write(repo / "articles/\nstarts with newline.md")
    plain = write(repo / "articles/plain.md")
    commit_all(repo, "Odd")
    history = GitHistory.load(repo / "articles")
    assert history.last(odd) is not None
    assert history.last(plain) is not None


def test_folder_with_pattern_characters_is_taken_literally(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "kb")
    write(repo / "help*/a.md")
    write(repo / "helpers/b.md")
    commit_all(repo, "Both")
    history = GitHistory.load(repo / "help*")
    assert history.last(repo / "help*/a.md") is not None
    assert history.last(repo / "helpers/b.md") is None


def test_rename_starts_a_new_history(kb: Path) -> None:
    git(kb, "mv", "articles/en/account/sign-in.md", "articles/en/account/log-in.md")
    commit_all(kb, "Rename", date=MAR, author="Cy Dev")
    history = GitHistory.load(kb / "articles")

    new = history.first(kb / "articles/en/account/log-in.md")
    assert new is not None and (new.date, new.author) == (utc(MAR), "Cy Dev")
    # The old path's history ends with the commit that moved it away.
    old = history.last(kb / "articles/en/account/sign-in.md")
    assert old == new


def test_follows_mailmap(kb: Path) -> None:
    write(kb / ".mailmap", "Ben Editor <ben@example.org> <ben.editor@example.com>\n")
    history = GitHistory.load(kb / "articles")
    commit = history.last(kb / "articles/en/billing/invoices.md")
    assert commit is not None and commit.email == "ben@example.org"


def test_repository_config_does_not_change_the_output(kb: Path) -> None:
    write(kb / "articles/fr/à propos.md")
    commit_all(kb, "Accents", date=MAR, author="Zoë Écrivain")
    for key, value in [
        ("core.quotepath", "true"),
        ("color.ui", "always"),
        ("diff.renames", "copies"),
        ("diff.relative", "true"),
        ("i18n.logOutputEncoding", "ISO-8859-1"),
        ("log.showSignature", "true"),
        ("log.decorate", "full"),
        ("format.pretty", "fuller"),
    ]:
        git(kb, "config", key, value)

    history = GitHistory.load(kb / "articles")
    commit = history.last(kb / "articles/fr/à propos.md")
    assert commit is not None and commit.author == "Zoë Écrivain"
    first = history.first(kb / "articles/en/account/reset-password.md")
    assert first is not None and first.date == utc(JAN)

    write(kb / "articles/en/account/sign-in.md", "edited\n")
    changes = history.changed_since("HEAD", kb / "articles")
    assert changes.changed == {kb / "articles/en/account/sign-in.md"}


def test_not_a_repository_is_an_empty_history(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    article = write(folder / "articles/a.md")
    history = GitHistory.load(folder / "articles")
    assert not history.available
    assert history.reason == "not a git repository"
    assert history.toplevel is None
    assert history.last(article) is None
    assert history.first(article) is None
    with pytest.raises(InputError, match="not a git repository"):
        history.changed_since("main", folder / "articles")


def test_missing_folder_is_an_empty_history(tmp_path: Path) -> None:
    history = GitHistory.load(tmp_path / "nowhere")
    assert not history.available


def test_without_a_git_binary_is_an_empty_history(
    kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GitPython raises ImportError on import when it cannot run git.
    monkeypatch.setitem(sys.modules, "git", None)
    history = GitHistory.load(kb / "articles")
    assert not history.available
    assert history.reason == "git not found"


def test_broken_repository_is_an_empty_history_with_the_reason(kb: Path) -> None:
    tip = git(kb, "rev-parse", "HEAD:articles").strip()
    (kb / ".git/objects" / tip[:2] / tip[2:]).unlink()
    history = GitHistory.load(kb / "articles")
    assert not history.available
    assert history.reason.startswith("git log failed: ")
    assert "stderr" not in history.reason


def test_repository_without_commits(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "kb")
    article = write(repo / "articles/a.md")
    history = GitHistory.load(repo / "articles")
    assert not history.available
    assert history.reason == "no commits yet"
    assert history.last(article) is None
    with pytest.raises(InputError):
        history.changed_since("main", repo / "articles")


def test_shallow_clone_gives_the_oldest_available_commit(kb: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", "--depth", "1", kb.as_uri(), str(clone))
    history = GitHistory.load(clone / "articles")
    assert history.available
    assert history.shallow

    tip = git(clone, "rev-parse", "HEAD").strip()
    reset = clone / "articles/en/account/reset-password.md"
    first, last = history.first(reset), history.last(reset)
    assert first is not None and last is not None
    # The only commit in the clone stands for the whole history.
    assert first.sha == last.sha == tip
    assert first.author == "Cy Dev"


def test_symlinked_path_into_the_repository(kb: Path, tmp_path: Path) -> None:
    link = tmp_path / "link"
    try:
        link.symlink_to(kb, target_is_directory=True)
    except OSError:
        pytest.skip("symlinks not available")
    history = GitHistory.load(link / "articles")
    assert history.toplevel == link
    article = "articles/en/billing/invoices.md"
    assert history.last(link / article) is not None
    assert history.last(kb / article) == history.last(link / article)

    write(link / "articles/new.md")
    assert history.changed_since("HEAD", link / "articles").changed == {link / "articles/new.md"}


@pytest.fixture
def branch(kb: Path) -> Path:
    """`main` moves on after `feature` branched off; `feature` commits, then edits more."""
    git(kb, "branch", "feature")
    write(kb / "articles/en/main-only.md")
    commit_all(kb, "On main after the branch point", date=MAR)
    git(kb, "switch", "--quiet", "feature")

    a = kb / "articles/en"
    write(a / "billing/refunds.md")  # added
    write(a / "account/reset-password.md", "v3\n")  # modified
    (a / "billing/invoices.md").unlink()  # deleted
    git(kb, "mv", "articles/en/account/sign-in.md", "articles/en/account/log-in.md")  # renamed
    commit_all(kb, "Feature work", date=MAR)

    write(kb / "articles/en/account/sign-in.md.orig")  # untracked, ignored below
    write(kb / ".gitignore", "*.orig\n")
    write(a / "account/two-factor.md")  # untracked
    write(a / "billing/staged.md")
    git(kb, "add", "articles/en/billing/staged.md")  # staged, not committed
    write(a / "account/log-in.md", "edited after the rename\n")  # unstaged
    write(kb / "README.md", "outside the articles folder\n")
    return kb


def test_changed_since_compares_with_the_merge_base(branch: Path) -> None:
    history = GitHistory.load(branch / "articles")
    changes = history.changed_since("main", branch / "articles")
    a = branch / "articles/en"
    assert changes == ChangedFiles(
        changed=frozenset(
            {
                a / "billing/refunds.md",
                a / "account/reset-password.md",
                a / "account/log-in.md",
                a / "account/two-factor.md",
                a / "billing/staged.md",
            }
        ),
        deleted=frozenset({a / "billing/invoices.md", a / "account/sign-in.md"}),
    )
    # main's own later commit is not a change of this branch.
    assert a / "main-only.md" not in changes.changed | changes.deleted


def test_changed_since_covers_the_folder_asked_for(branch: Path) -> None:
    history = GitHistory.load(branch / "articles")
    billing = history.changed_since("main", branch / "articles/en/billing")
    a = branch / "articles/en"
    assert billing.changed == {a / "billing/refunds.md", a / "billing/staged.md"}
    assert billing.deleted == {a / "billing/invoices.md"}

    whole = history.changed_since("main", branch)
    assert branch / "README.md" in whole.changed
    assert branch / ".gitignore" in whole.changed


def test_changed_since_head_is_only_the_working_tree(kb: Path) -> None:
    article = kb / "articles/en/account/sign-in.md"
    os.utime(article, (0, 0))  # touched but not changed: not a change
    history = GitHistory.load(kb / "articles")
    assert history.changed_since("HEAD", kb / "articles") == ChangedFiles(frozenset(), frozenset())

    write(article, "edited\n")
    assert history.changed_since("HEAD", kb / "articles").changed == {article}

    # Dropped from the index but still on disk: it exists, so it is changed, not deleted.
    invoices = kb / "articles/en/billing/invoices.md"
    git(kb, "rm", "--quiet", "--cached", "articles/en/billing/invoices.md")
    changes = history.changed_since("HEAD", kb / "articles")
    assert changes == ChangedFiles(frozenset({article, invoices}), frozenset())


def test_changed_since_unrelated_history_compares_with_the_ref(kb: Path) -> None:
    git(kb, "switch", "--quiet", "--orphan", "other")
    write(kb / "articles/en/account/sign-in.md")  # same content as on main
    write(kb / "articles/other.md")
    commit_all(kb, "Unrelated root", date=MAR)
    history = GitHistory.load(kb / "articles")
    changes = history.changed_since("main", kb / "articles")
    a = kb / "articles"
    assert changes.changed == {a / "other.md"}
    assert changes.deleted == {a / "en/account/reset-password.md", a / "en/billing/invoices.md"}


def test_changed_since_in_a_shallow_ci_checkout(kb: Path, tmp_path: Path) -> None:
    # CI checks out the pull request and main one commit deep: no merge base in reach.
    git(kb, "switch", "--quiet", "-c", "feature")
    write(kb / "articles/en/account/sign-in.md", "edited on the branch\n")
    commit_all(kb, "Branch work", date=MAR)
    clone = tmp_path / "ci"
    git(
        tmp_path, "clone", "--quiet", "--depth", "1", "--branch", "feature", kb.as_uri(), str(clone)
    )
    git(clone, "fetch", "--quiet", "--depth", "1", "origin", "main:refs/remotes/origin/main")

    history = GitHistory.load(clone / "articles")
    assert history.shallow
    changes = history.changed_since("origin/main", clone / "articles")
    assert changes.changed == {clone / "articles/en/account/sign-in.md"}
    assert changes.deleted == set()


@pytest.mark.parametrize("ref", ["no-such-branch", "HEAD~99", "--output=x", ""])
def test_changed_since_bad_revision(kb: Path, ref: str) -> None:
    history = GitHistory.load(kb / "articles")
    with pytest.raises(InputError, match=f"unknown git revision '{ref}'"):
        history.changed_since(ref, kb / "articles")
    assert not (kb / "x").exists()


def test_changed_since_folder_outside_the_work_tree(kb: Path, tmp_path: Path) -> None:
    history = GitHistory.load(kb / "articles")
    with pytest.raises(InputError, match="outside the git work tree"):
        history.changed_since("HEAD", tmp_path)
