"""Delta runs (`kbtool/lint/delta.py`): after a few edits, the linter redoes only
what they affect, and its report is byte for byte the report of a complete run.

Each test lints a copy of the sample help center (a git repository) with the
cache, edits it, lints again, and compares with a run without any cache.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from gitutil import commit_all, init_repo, isolate_git

from kbtool.config import Config, load_config
from kbtool.corpus.git import GitHistory
from kbtool.lint.delivery import Renderer
from kbtool.lint.engine import LintResult, lint_tree, settings_from_config
from kbtool.output import Parts, Report, encode, splitter

REPO = Path(__file__).resolve().parent.parent

DELTA = "re-judged"  # the start of the note a delta run leaves


@pytest.fixture
def kb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate_git(monkeypatch)
    root = init_repo(tmp_path / "kb")
    shutil.copytree(REPO / "articles", root / "articles")
    shutil.copy(REPO / "kbtool.toml", root / "kbtool.toml")
    commit_all(root, "The sample help center")
    return root


def _config(root: Path) -> Config:
    loaded = load_config(root)
    return loaded[0] if isinstance(loaded, tuple) else loaded


def renderer(fmt: str, output: Path | None = None) -> Renderer:
    split = splitter(fmt)

    def parts(result: LintResult) -> Parts:
        return split(
            Report(
                result.diagnostics,
                result.rules,
                result.files,
                problems=result.problems,
                totals=result.totals,
            )
        )

    return Renderer(fmt, parts, output)


def cached(root: Path, fmt: str = "json", **kwargs: object) -> tuple[LintResult, bytes]:
    """A run with the cache, its report written to a file (as `--output` does)."""
    config = _config(root)
    output = root.parent / f"report.{fmt}"
    result = lint_tree(config, settings_from_config(config), render=renderer(fmt, output), **kwargs)  # type: ignore[arg-type]
    assert result.written == output
    return result, output.read_bytes()


def complete(root: Path, fmt: str = "json") -> bytes:
    """The report of a run without any cache."""
    config = _config(root)
    result = lint_tree(config, settings_from_config(config), use_cache=False)
    return b"".join(encode(renderer(fmt).parts(result))[0])


def edit(root: Path, rel: str, change: Callable[[str], str]) -> None:
    path = root / "articles" / rel
    text = path.read_text(encoding="utf-8")
    changed = change(text)
    assert changed != text, f"the edit changed nothing in {rel}"
    path.write_text(changed, encoding="utf-8")


def front(key: str, value: str) -> Callable[[str], str]:
    """Set front-matter `key` to `value` (which must be there already)."""

    def change(text: str) -> str:
        return re.sub(rf"(?m)^{re.escape(key)}:.*$", f"{key}: {value}", text, count=1)

    return change


def _value(root: Path, rel: str, key: str) -> str:
    text = (root / "articles" / rel).read_text(encoding="utf-8")
    found = re.search(rf"(?m)^{key}:\s*(.+)$", text)
    assert found is not None
    return found.group(1)


def title_of(root: Path, rel: str) -> str:
    return _value(root, rel, "title")


def description_of(root: Path, rel: str) -> str:
    return _value(root, rel, "description")


def assert_same(root: Path, *, delta: bool, fmt: str = "json") -> LintResult:
    result, report = cached(root, fmt)
    assert report == complete(root, fmt)
    assert any(n.startswith(DELTA) for n in result.notes) == delta, result.notes
    return result


EN = "en/getting-started/start-free-trial.md"


def test_edits_relinted_by_delta_runs_report_as_a_complete_run(kb: Path) -> None:
    cached(kb)  # complete: fills the cache
    edit(kb, EN, lambda t: t + "\nOne more sentence, TODO: finish it.\n")
    assert_same(kb, delta=True)
    # a title another article has (KB111, on both)
    other = "en/getting-started/invite-team-members.md"
    edit(kb, EN, front("title", title_of(kb, other)))
    assert_same(kb, delta=True)
    # and back: the other article loses its finding too
    edit(kb, EN, front("title", "Start a free trial"))
    assert_same(kb, delta=True)
    # a description another article has (KB506)
    edit(kb, EN, front("description", description_of(kb, other)))
    assert_same(kb, delta=True)
    # a suppression that silences something, and one that silences nothing (KB001)
    edit(kb, EN, lambda t: t + "\n<!-- kbtool-disable-next-line KB403 -->\nTBD here.\n")
    edit(kb, EN, lambda t: t + "\n<!-- kbtool-disable-next-line KB301 -->\nNothing to hide.\n")
    assert_same(kb, delta=True)
    for fmt in ("text", "sarif", "github", "junit", "gitlab"):
        assert_same(kb, delta=False, fmt=fmt)  # the same tree: answered from the cache


def test_a_changed_heading_relints_the_articles_that_link_to_it(kb: Path) -> None:
    linking = [
        (path, m.group(1), m.group(2))
        for path in sorted((kb / "articles").rglob("*.md"))
        for m in re.finditer(r"\]\(([^)#\s]+\.md)#([^)\s]+)\)", path.read_text(encoding="utf-8"))
    ]
    source, target, anchor = next(
        (s, t, a) for s, t, a in linking if (s.parent / t).resolve().is_file()
    )
    rel = (source.parent / target).resolve().relative_to((kb / "articles").resolve()).as_posix()
    cached(kb)
    heading = re.compile(r"(?m)^(#+ .*)$")

    def rename_headings(text: str) -> str:
        return heading.sub(lambda m: m.group(1) + " renamed", text)

    edit(kb, rel, rename_headings)
    assert_same(kb, delta=True)
    shown = f"articles/{source.relative_to(kb / 'articles').as_posix()}"
    report = json.loads(complete(kb))
    assert any(
        d["path"] == shown and d["code"] == "KB302" and f"#{anchor}" in d["message"]
        for d in report["diagnostics"]
    )


def test_translations_are_judged_again_when_their_source_or_link_changes(kb: Path) -> None:
    sv = next(
        p
        for p in sorted((kb / "articles" / "sv").rglob("*.md"))
        if "\ntranslation_of:" in p.read_text(encoding="utf-8")
    )
    rel = sv.relative_to(kb / "articles").as_posix()
    cached(kb)
    edit(kb, rel, front("translation_of", "no-such-article"))  # KB602
    assert_same(kb, delta=True)
    # the source (the English article at the same path) changes
    source = "en/" + rel.split("/", 1)[1]
    if (kb / "articles" / source).is_file():
        edit(kb, source, lambda t: t + "\nThe source changed.\n")
        assert_same(kb, delta=True)


def test_what_a_delta_run_cannot_tell_makes_a_complete_run(kb: Path) -> None:
    cached(kb)
    # a new front-matter key changes what KB105 counts as known
    edit(kb, EN, lambda t: t.replace("---\n", "---\nbrand_new_key: 1\n", 1))
    assert_same(kb, delta=False)
    # a new article: the files changed
    new = kb / "articles" / "en" / "getting-started" / "brand-new.md"
    new.write_text("---\ntitle: A brand new article\n---\n\nSee [here](nowhere.md).\n")
    assert_same(kb, delta=False)
    edit(kb, EN, lambda t: t + "\nAnd then.\n")
    assert_same(kb, delta=True)
    # a file that no longer loads (KB002)
    (kb / "articles" / EN).write_bytes(b"---\ntitle: x\n---\n\xff\xfe broken\n")
    assert_same(kb, delta=False)
    # a commit: every article's dates may have changed
    commit_all(kb, "More")
    assert_same(kb, delta=False)


def test_a_report_file_changed_by_hand_is_not_used_again(kb: Path) -> None:
    _, report = cached(kb)
    output = kb.parent / "report.json"
    output.write_bytes(report.replace(b'"error"', b'"bogus"'))
    edit(kb, EN, lambda t: t + "\nOne more sentence.\n")
    assert_same(kb, delta=True)


def test_a_delta_run_limited_to_paths_reports_those_files(kb: Path) -> None:
    config = _config(kb)
    cached(kb)
    edit(kb, EN, lambda t: t + "\nTODO: one more.\n")
    one = kb / "articles" / EN
    part = lint_tree(config, settings_from_config(config), paths=[one])
    whole = lint_tree(config, settings_from_config(config), paths=[one], use_cache=False)
    assert part.diagnostics == whole.diagnostics and part.diagnostics
    assert {d.path for d in part.diagnostics} == {f"articles/{EN}"}


def test_git_history_is_read_once_per_commit(kb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kbtool.corpus import load_corpus
    from kbtool.lint.cache import LintCache

    calls: list[Path] = []
    load = GitHistory.load

    def counting(path: Path) -> GitHistory:
        calls.append(path)
        return load(path)

    monkeypatch.setattr(GitHistory, "load", counting)
    config = _config(kb)
    first = load_corpus(config, cache=LintCache.open(kb))
    second = load_corpus(config, cache=LintCache.open(kb))
    assert len(calls) == 1
    dates = {a.rel_path: a.last_commit for a in second.articles}
    assert dates == {a.rel_path: a.last_commit for a in first.articles}
    edit(kb, EN, lambda t: t + "\nCommitted.\n")
    sha = commit_all(kb, "Edit", date="2026-03-01T09:00:00+00:00")
    third = load_corpus(config, cache=LintCache.open(kb))
    assert len(calls) == 2
    changed = next(a for a in third.articles if a.rel_path == EN)
    assert changed.last_commit is not None and changed.last_commit.sha == sha
    assert second.history is not None and second.history._repo is not None  # opened again


def test_an_editor_that_saves_by_renaming_still_gets_a_delta_run(kb: Path) -> None:
    cached(kb)
    path = kb / "articles" / EN
    fresh = path.with_name(".save.tmp")
    fresh.write_text(path.read_text(encoding="utf-8") + "\nSaved by rename.\n")
    fresh.replace(path)  # the folder's modification time changes
    assert_same(kb, delta=True)
