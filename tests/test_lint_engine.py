"""The lint engine: settings, suppressions, per-path ignores, selection, cache, parallel runs.

Written against the test-only rules of `lintutil` (KB991 article rule with a
fix, KB992 corpus rule) plus the engine's own KB001/KB002, so the real rules
changing cannot change these results.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterator
from itertools import groupby
from pathlib import Path

import pytest
from lintutil import CALLS, fixed_rules, make_kb, md

from kbtool.config import load_config
from kbtool.corpus import load_corpus
from kbtool.corpus.model import Severity
from kbtool.lint import parallel
from kbtool.lint.cache import FORMAT, LintCache
from kbtool.lint.engine import (
    LintResult,
    exit_code,
    link_targets,
    lint,
    lint_tree,
    settings_from_config,
)
from kbtool.lint.registry import RULES, resolve, rule
from kbtool.lint.suppress import ALL, parse_suppressions
from kbtool.output import Parts


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # the cache's signing key goes to the user's cache folder: keep it in tmp
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("KBTOOL_DEBUG", raising=False)


@pytest.fixture
def rules() -> Iterator[None]:
    with fixed_rules():
        yield


def found(result: LintResult) -> list[tuple[str, int, str]]:
    return [(d.path, d.line, d.code) for d in result.diagnostics]


def run(root: Path, **kwargs: object) -> LintResult:
    config, problems = load_config(root)
    assert not [p for p in problems if p.severity == "error"], problems
    corpus = load_corpus(config, with_git=False)
    return lint(corpus, settings_from_config(config), **kwargs)  # type: ignore[arg-type]


def tree(root: Path, **kwargs: object) -> LintResult:
    config, _ = load_config(root)
    return lint_tree(config, settings_from_config(config), **kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- settings


def test_unknown_codes_and_options_in_the_config_are_reported_with_their_line(
    tmp_path: Path, rules: None
) -> None:
    config_text = """\
[lint]
select = ["KB991", "KB9999"]
ignore = ["test-bad-wrod"]

[lint.severity]
KB777 = "error"

[lint.per_path_ignores]
"legal/**" = ["KB991", "KB778"]

[lint.options]
bad_wrd = "WORSE"
"""
    root = make_kb(tmp_path / "kb", {"articles/en/a.md": md("Alpha")}, config_text)
    config, _ = load_config(root)
    settings = settings_from_config(config)
    shown = [(p.line, p.severity, p.message) for p in settings.problems]
    assert shown == [
        (2, "warning", "unknown lint rule 'KB9999' in lint.select"),
        (
            3,
            "warning",
            "unknown lint rule 'test-bad-wrod' in lint.ignore (did you mean 'test-bad-word'?)",
        ),
        (6, "warning", "unknown lint rule 'KB777' in lint.severity"),
        (9, "warning", "unknown lint rule 'KB778' in lint.per_path_ignores.\"legal/**\""),
        (12, "warning", "unknown lint option 'bad_wrd' (did you mean 'bad_word'?)"),
    ]
    assert all(p.path == root / "kbtool.toml" for p in settings.problems)
    assert "KB9999" in settings.unknown
    assert [r.code for r in settings.rules] == ["KB991"]
    assert settings.per_path_ignores == (("legal/**", frozenset({"KB991"})),)


def test_select_ignore_and_severity_overrides(tmp_path: Path, rules: None) -> None:
    config_text = """\
[lint]
select = ["KB991", "test-shared-title"]
ignore = ["test-shared-title"]

[lint.severity]
KB991 = "info"
"""
    root = make_kb(tmp_path / "kb", {"articles/en/a.md": md("Alpha", "BAD\n")}, config_text)
    config, _ = load_config(root)
    settings = settings_from_config(config)
    assert [r.code for r in settings.rules] == ["KB991"]
    result = lint(load_corpus(config, with_git=False), settings)
    assert [(d.code, d.severity) for d in result.diagnostics] == [("KB991", Severity.INFO)]
    # the command line replaces [lint] select, and adds to [lint] ignore
    cli = settings_from_config(config, select=["KB992", "KB991"])
    assert [r.code for r in cli.rules] == ["KB991"]
    cli = settings_from_config(config, select=["KB991"], ignore=["KB991"])
    assert cli.rules == ()
    off = settings_from_config(config, select=["KB991"])
    assert off.severities == {"KB991": Severity.INFO}


def test_severity_off_drops_a_rule(tmp_path: Path, rules: None) -> None:
    config_text = (
        '[lint]\nselect = ["KB991", "KB992"]\n\n[lint.severity]\n"test-bad-word" = "off"\n'
    )
    root = make_kb(tmp_path / "kb", {"articles/en/a.md": md("Alpha")}, config_text)
    config, _ = load_config(root)
    assert [r.code for r in settings_from_config(config).rules] == ["KB992"]


def test_exit_code_follows_fail_on(tmp_path: Path, rules: None) -> None:
    root = make_kb(
        tmp_path / "kb",
        {
            "articles/en/a.md": md("Same"),
            "articles/en/b.md": md("Same"),
        },
    )
    result = run(root)
    assert {d.severity for d in result.diagnostics} == {Severity.WARNING}
    assert exit_code(result, "error") == 0
    assert exit_code(result, "warning") == 1
    assert exit_code(result, "info") == 1
    assert exit_code(result, "never") == 0


# --------------------------------------------------------------------------- suppressions


SUPPRESSED = """\
BAD one <!-- kbtool-disable-line KB991 -->
<!-- kbtool-disable-next-line KB991 -->
BAD two
BAD three
<!-- kbtool-disable test-bad-word -->
BAD four

BAD five
<!-- kbtool-enable KB991 -->
BAD six
<!-- kbtool-disable-next-line KB992 -->
nothing to silence here
<!-- kbtool-disable-next-line KB998, KB991 -->
BAD seven

```markdown
<!-- kbtool-disable-file KB991 -->
```
"""


def test_inline_suppressions(tmp_path: Path, rules: None) -> None:
    root = make_kb(tmp_path / "kb", {"articles/en/a.md": md("Alpha", SUPPRESSED)})
    # front matter: 3 lines, a blank line: the body starts on line 5
    result = run(root)
    path = "articles/en/a.md"
    assert found(result) == [
        (path, 8, "KB991"),  # BAD three
        (path, 14, "KB991"),  # BAD six
        (path, 15, "KB001"),  # KB992 silenced nothing
        (path, 17, "KB001"),  # KB998 is no rule
    ]
    messages = {d.line: d.message for d in result.diagnostics if d.code == "KB001"}
    assert messages[15] == "kbtool-disable-next-line KB992 suppresses nothing"
    assert messages[17] == "'KB998' in kbtool-disable-next-line names no rule"
    unused = next(d for d in result.diagnostics if d.line == 15)
    assert (unused.column, unused.end_line, unused.name) == (1, 15, "unused-suppression")


def test_file_level_suppression_and_blanket_disable(tmp_path: Path, rules: None) -> None:
    root = make_kb(
        tmp_path / "kb",
        {
            "articles/en/a.md": md("Same", "<!-- kbtool-disable-file KB991 KB992 -->\nBAD\n"),
            "articles/en/b.md": md("Same", "<!-- kbtool-disable -->\nBAD\n"),
            "articles/en/c.md": md("Other", "<!-- kbtool-disable-file -->\nfine\n"),
        },
    )
    result = run(root)
    # b's title is on line 2, before the blanket disable on line 5: it stays
    assert found(result) == [
        ("articles/en/b.md", 2, "KB992"),
        ("articles/en/c.md", 5, "KB001"),
    ]


def test_suppressions_of_rules_that_did_not_run_are_not_judged(tmp_path: Path, rules: None) -> None:
    config_text = '[lint]\nselect = ["KB991", "KB001"]\n'
    body = "<!-- kbtool-disable-next-line KB992 -->\ntext\n"
    root = make_kb(tmp_path / "kb", {"articles/en/a.md": md("A title", body)}, config_text)
    assert found(run(root)) == []


def test_unused_suppression_can_itself_be_ignored(tmp_path: Path, rules: None) -> None:
    config_text = '[lint]\nselect = ["KB991", "KB992"]\n'
    body = "<!-- kbtool-disable-next-line KB992 -->\ntext\n"
    root = make_kb(tmp_path / "kb", {"articles/en/a.md": md("A title", body)}, config_text)
    assert found(run(root)) == []


def test_parse_suppressions_ranges() -> None:
    text = "\n".join(
        [
            "<!-- kbtool-disable KB4, KB991 -->",  # 10
            "x",
            "<!-- kbtool-enable KB401 -->",  # 12: closes the KB4/KB991 disable
            "<!--kbtool-disable-->",  # 13
            "<!-- kbtool-enable KB991 -->",  # 14: does not close a disable of everything
            "~~~",
            "<!-- kbtool-disable-next-line -->",  # 16: in a code block: an example
            "~~~",
            "<!-- kbtool-enable -->",  # 18
        ]
    )
    with fixed_rules():
        parsed = parse_suppressions(text, resolve, first_line=10)
        codes = set(resolve(["KB4"])[0])
    directives = parsed.directives
    assert [(d.kind, d.line, d.first, d.last) for d in directives] == [
        ("disable", 10, 10, 12),
        ("enable", 12, 0, 0),
        ("disable", 13, 13, 18),
        ("enable", 14, 0, 0),
        ("enable", 18, 0, 0),
    ]
    assert directives[0].codes == frozenset({*codes, "KB991"})
    assert directives[2].codes == frozenset({ALL})


# --------------------------------------------------------------------------- per-path ignores


def test_per_path_ignores_match_paths_relative_to_articles_locale_and_root(
    tmp_path: Path, rules: None
) -> None:
    config_text = """\
[kb]
locales = ["en", "sv"]

[lint]
select = ["KB991"]

[lint.per_path_ignores]
"legal/**" = ["KB991"]
"sv/notes/*.md" = ["test-bad-word"]
"articles/en/drafts/**" = ["KB9"]
"""
    files = {
        f"articles/{p}": md("Title here", "BAD\n")
        for p in (
            "en/legal/terms.md",
            "sv/legal/villkor.md",
            "sv/notes/a.md",
            "en/notes/a.md",
            "en/drafts/x.md",
            "en/guide.md",
        )
    }
    root = make_kb(tmp_path / "kb", files, config_text)
    assert sorted({d.path for d in run(root).diagnostics}) == [
        "articles/en/guide.md",
        "articles/en/notes/a.md",
    ]


# --------------------------------------------------------------------------- load problems


def test_files_that_cannot_be_loaded_are_reported(tmp_path: Path, rules: None) -> None:
    root = make_kb(
        tmp_path / "kb",
        {
            "articles/en/good.md": md("Good one"),
            "articles/en/latin1.md": b"---\ntitle: Caf\xe9\n---\n",
            "articles/en/empty.md": b"",
            "articles/en/section/_index.md": b"---\ntitle: [unclosed\n---\n",
        },
    )
    result = run(root)
    shown = [(d.path, d.line, d.code, d.severity) for d in result.diagnostics]
    assert shown == [
        ("articles/en/empty.md", 1, "KB002", Severity.ERROR),
        ("articles/en/latin1.md", 2, "KB002", Severity.ERROR),
        ("articles/en/section/_index.md", 3, "KB002", Severity.ERROR),
    ]
    assert "not valid UTF-8" in result.diagnostics[1].message


# --------------------------------------------------------------------------- selection


def test_only_limits_the_report_but_corpus_rules_see_everything(
    tmp_path: Path, rules: None
) -> None:
    root = make_kb(
        tmp_path / "kb",
        {
            "articles/en/a.md": md("Same", "BAD\n"),
            "articles/en/b.md": md("Same", "BAD\n"),
        },
    )
    CALLS.clear()
    result = run(root, only={"articles/en/a.md"})
    assert found(result) == [("articles/en/a.md", 2, "KB992"), ("articles/en/a.md", 5, "KB991")]
    assert result.files == 1
    assert dict(CALLS) == {"en/a.md": 1}  # article rules ran on the selection only


def test_paths_limit_lint_tree(tmp_path: Path, rules: None) -> None:
    root = make_kb(
        tmp_path / "kb",
        {
            "articles/en/one/a.md": md("Same", "BAD\n"),
            "articles/en/two/b.md": md("Same"),
        },
    )
    result = tree(root, paths=[root / "articles/en/two"], use_cache=False)
    assert found(result) == [("articles/en/two/b.md", 2, "KB992")]


def test_link_targets_resolve_relative_and_site_absolute_links(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", {"articles/en/a/x.md": md("X")})
    config, _ = load_config(root)
    text = (
        "[a](../b/y.md#part) ![i](img.png) [web](https://example.com/z.md) "
        "[abs](/help/z.md) <a href='w'>w</a>\n[ref]: ./r.md\n[top](#anchor)\n"
        "[docfx](~/en/t.md)\n"
    )
    targets = set(link_targets(text, "en/a/x.md", config, "en", True))
    assert {
        "articles/en/b/y.md",
        "articles/en/a/img.png",
        "articles/en/help/z.md",
        "articles/help/z.md",
        "articles/en/a/w.md",
        "articles/en/a/r.md",
        "articles/en/t.md",
    } <= targets
    assert not any("example.com" in t or "anchor" in t for t in targets)


# --------------------------------------------------------------------------- robustness


def test_a_rule_that_crashes_becomes_an_error_diagnostic(tmp_path: Path, rules: None) -> None:
    @rule("KB993", "test-crash")
    def crash(article: object, ctx: object) -> Iterator[object]:
        """Test rule that fails.

        Why: a bug in one rule must not stop the run.
        """
        raise RuntimeError("boom")

    try:
        root = make_kb(
            tmp_path / "kb",
            {"articles/en/a.md": md("Alpha title")},
            '[lint]\nselect = ["KB993", "KB991"]\n',
        )
        result = run(root)
        assert found(result) == [("articles/en/a.md", 1, "KB993")]
        assert "RuntimeError: boom" in result.diagnostics[0].message
        assert result.diagnostics[0].severity is Severity.ERROR
    finally:
        RULES.pop("KB993", None)


def test_parallel_run_gives_the_same_result(
    tmp_path: Path, rules: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    files: dict[str, str | bytes] = {
        f"articles/en/s{i % 3}/a{i}.md": md(f"Title {i % 5}", "BAD\n" * (i % 3)) for i in range(30)
    }
    root = make_kb(tmp_path / "kb", files)
    sequential = run(root, jobs=1)
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 1)
    parallel_result = run(root, jobs=2)
    assert found(parallel_result) == found(sequential)
    assert len(sequential.diagnostics) > 30
    # with the cache: analyses come back pickled from the workers and are stored as they are
    first = tree(root, jobs=2)
    assert found(first) == found(sequential)
    (root / "articles/en/s0/a0.md").write_text(md("Title 0", "BAD BAD\n"), encoding="utf-8")
    changed = tree(root, jobs=2)
    assert not changed.cached
    assert len(changed.diagnostics) == len(sequential.diagnostics) + 2
    assert found(tree(root, jobs=1, use_cache=False)) == found(changed)


# --------------------------------------------------------------------------- cache


def test_an_unchanged_tree_is_answered_from_the_cache(tmp_path: Path, rules: None) -> None:
    root = make_kb(
        tmp_path / "kb",
        {
            "articles/en/a.md": md("Same", "BAD\n"),
            "articles/en/b.md": md("Same"),
            "articles/en/c.md": md("Other", "BAD BAD\n"),
        },
    )
    first = tree(root)
    assert not first.cached
    assert CALLS == {"en/a.md": 1, "en/b.md": 1, "en/c.md": 1}
    second = tree(root)
    assert second.cached
    assert found(second) == found(first)
    assert [d.fix for d in second.diagnostics] == [d.fix for d in first.diagnostics]
    assert second.hashes == first.hashes
    assert CALLS == {"en/a.md": 1, "en/b.md": 1, "en/c.md": 1}
    # a selection is answered from the same snapshot
    selected = tree(root, paths=[root / "articles/en/c.md"])
    assert selected.cached
    assert found(selected) == [("articles/en/c.md", 5, "KB991"), ("articles/en/c.md", 5, "KB991")]


def test_after_a_change_only_the_changed_article_is_linted_again(
    tmp_path: Path, rules: None
) -> None:
    root = make_kb(
        tmp_path / "kb",
        {
            "articles/en/a.md": md("Same", "BAD\n"),
            "articles/en/b.md": md("Same"),
        },
    )
    tree(root)
    path = root / "articles/en/b.md"
    path.write_text(md("Different", "BAD\n"), encoding="utf-8")
    result = tree(root)
    assert not result.cached
    assert CALLS == {"en/a.md": 1, "en/b.md": 2}
    assert found(result) == [("articles/en/a.md", 5, "KB991"), ("articles/en/b.md", 5, "KB991")]


def test_a_change_that_keeps_size_and_mtime_is_still_seen(tmp_path: Path, rules: None) -> None:
    root = make_kb(tmp_path / "kb", {"articles/en/a.md": md("Alpha", "BAD\n")})
    path = root / "articles/en/a.md"
    old = path.stat()
    os.utime(path, ns=(old.st_atime_ns - 10**10, old.st_mtime_ns - 10**10))  # not racy
    tree(root)
    stamp = path.stat()
    path.write_text(md("Alpha", "OK!\n"), encoding="utf-8")  # same size
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert found(tree(root)) == []


def test_configuration_changes_invalidate_the_cache(tmp_path: Path, rules: None) -> None:
    root = make_kb(tmp_path / "kb", {"articles/en/a.md": md("Alpha", "BAD WORSE\n")})
    assert found(tree(root)) == [("articles/en/a.md", 5, "KB991")]
    config = (root / "kbtool.toml").read_text() + '\n[lint.options]\nbad_word = "WORSE"\n'
    (root / "kbtool.toml").write_text(config)
    result = tree(root)
    assert not result.cached
    assert [d.message for d in result.diagnostics] == ["'WORSE' found"]


def test_article_rules_that_read_the_corpus_are_rerun_when_it_changes(
    tmp_path: Path, rules: None
) -> None:
    config = '[lint]\nselect = ["KB991", "KB994"]\n'
    root = make_kb(
        tmp_path / "kb",
        {
            "articles/en/a.md": md("Alpha", "BAD see [[beta]] and {{chart.png}}\n"),
            "articles/en/c.md": md("Gamma", "BAD\n"),
        },
        config,
    )
    first = tree(root)
    assert [d.message for d in first.diagnostics if d.code == "KB994"] == [
        "no article 'beta'",
        "no file 'chart.png'",
    ]
    assert CALLS == {"en/a.md": 1, "en/c.md": 1, "KB994:en/a.md": 1, "KB994:en/c.md": 1}
    # another article appears: a.md is unchanged, but what KB994 says about it changes
    (root / "articles/en/beta.md").write_text(md("Beta", "fine\n"), encoding="utf-8")
    second = tree(root)
    assert [d.message for d in second.diagnostics if d.code == "KB994"] == ["no file 'chart.png'"]
    # only the corpus-dependent rule ran again on the unchanged articles
    assert CALLS["en/a.md"] == 1 and CALLS["en/c.md"] == 1
    assert CALLS["KB994:en/a.md"] == 2 and CALLS["en/beta.md"] == 1
    # a new image (no Markdown changed at all) is noticed too
    (root / "articles/en/chart.png").write_bytes(b"png")
    third = tree(root)
    assert not third.cached
    assert [d.code for d in third.diagnostics] == ["KB991", "KB991"]
    assert tree(root).cached


def test_loading_through_the_cache_gives_the_corpus_the_loader_gives(
    tmp_path: Path, rules: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gitutil import commit_all, init_repo, isolate_git

    from kbtool.lint.engine import _Tree

    isolate_git(monkeypatch)
    root = make_kb(
        tmp_path / "kb",
        {
            "articles/en/a.md": md("Alpha", "BAD\n", labels="[x, y]"),
            "articles/en/s/_index.md": "---\ntitle: Section\n---\n",
            "articles/en/s/b.md": b"\xef\xbb\xbf---\r\ntitle: Beta\r\n---\r\ntext\r\n",
            "articles/en/bad.md": b"\xff\xfe",
        },
    )
    init_repo(root)
    commit_all(root, "Add")
    (root / "articles/en/new.md").write_text(md("New"), encoding="utf-8")
    config, _ = load_config(root)
    expected = load_corpus(config, with_git=True)
    cache = LintCache.open(root)
    assert cache is not None
    tree_ = _Tree.discover(config)
    import kbtool.corpus.loader as loader

    reads: list[str] = []
    real = loader._read

    def counting(path: Path, rel: str, *args: object) -> object:
        reads.append(rel)
        return real(path, rel, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(loader, "_read", counting)
    for round_ in range(2):  # parsed, then from the cache
        reads.clear()
        hashes = cache.content_hashes(tree_.files)
        corpus, links = tree_.load(config, cache, hashes)
        assert links["articles/en/a.md"] == ()
        assert sorted(links) == ["articles/en/a.md", "articles/en/new.md", "articles/en/s/b.md"]
        assert corpus.articles == expected.articles
        assert corpus.problems == expected.problems
        assert dict(corpus.sections) == dict(expected.sections)
        assert corpus.layout == expected.layout
        assert corpus.articles[0].last_commit is not None
        # the second time only the unreadable file (never cached) is read
        assert sorted(reads) == (
            ["en/bad.md"] if round_ else ["en/a.md", "en/bad.md", "en/new.md", "en/s/b.md"]
        )
        cache.save()
        cache = LintCache.open(root)
        assert cache is not None


def test_a_rendered_report_is_cached_with_the_snapshot(tmp_path: Path, rules: None) -> None:
    root = make_kb(
        tmp_path / "kb",
        {
            "articles/en/a.md": md("Same", "BAD\n"),
            "articles/en/b.md": md("Same"),
        },
    )
    calls: list[int] = []

    def render(result: LintResult) -> Parts:
        calls.append(len(result.diagnostics))
        files = [
            (path, "|".join(f"{d.path}:{d.line}:{d.code}" for d in group))
            for path, group in groupby(result.diagnostics, key=lambda d: d.path)
        ]
        return Parts("", files, joiner="|")

    first = tree(root, render=("test", render))
    expected = "articles/en/a.md:2:KB992|articles/en/a.md:5:KB991|articles/en/b.md:2:KB992"
    assert first.rendered == expected.encode() and calls == [3]
    second = tree(root, render=("test", render))
    # read back from the cache as the UTF-8 bytes to write
    assert second.cached and second.rendered == expected.encode() and calls == [3]
    assert second.diagnostics == () and second.counts == {"error": 1, "warning": 2}
    assert exit_code(second, "error") == 1 and exit_code(second, "never") == 0
    # another format is rendered from the snapshot's diagnostics, once
    other = tree(root, render=("other", render))
    assert other.cached and len(other.diagnostics) == 3 and calls == [3, 3]
    assert tree(root, render=("other", render)).rendered == other.rendered
    assert calls == [3, 3]
    # a selection is never answered from a rendering of everything
    part = tree(root, paths=[root / "articles/en/b.md"], render=("test", render))
    assert part.rendered == b"articles/en/b.md:2:KB992"


def test_links_rules_rerun_only_for_articles_linking_to_what_changed(
    tmp_path: Path, rules: None
) -> None:
    config = '[lint]\nselect = ["KB991", "KB399"]\n'
    root = make_kb(
        tmp_path / "kb",
        {
            "articles/en/a.md": md("Alpha", "see [b](b.md) and [d](d.md)\n"),
            "articles/en/b.md": md("Beta", "text\n"),
            "articles/en/c.md": md("Gamma", "see [b](b.md)\n"),
            "articles/en/e.md": md("Epsilon", "no links\n"),
        },
        config,
    )
    root = root.resolve()

    def messages() -> list[str]:
        return [f"{d.path[12:]}: {d.message}" for d in tree(root).diagnostics]

    assert messages() == ["a.md: b.md: Beta", "a.md: d.md: missing", "c.md: b.md: Beta"]
    assert CALLS["KB399:en/a.md"] == 1
    # e changes: nothing links to it, so only e is linted again
    (root / "articles/en/e.md").write_text(md("Epsilon", "other text\n"), encoding="utf-8")
    assert messages() == ["a.md: b.md: Beta", "a.md: d.md: missing", "c.md: b.md: Beta"]
    assert (CALLS["KB399:en/a.md"], CALLS["KB399:en/c.md"], CALLS["KB399:en/e.md"]) == (1, 1, 2)
    # b's title changes: a and c link to it
    (root / "articles/en/b.md").write_text(md("Beta two", "text\n"), encoding="utf-8")
    assert messages() == ["a.md: b.md: Beta two", "a.md: d.md: missing", "c.md: b.md: Beta two"]
    assert (CALLS["KB399:en/a.md"], CALLS["KB399:en/c.md"], CALLS["KB399:en/e.md"]) == (2, 2, 2)
    # a new file: which files exist changed, so every links finding is checked again
    (root / "articles/en/d.md").write_text(md("Delta"), encoding="utf-8")
    assert messages() == ["a.md: b.md: Beta two", "a.md: d.md: Delta", "c.md: b.md: Beta two"]
    assert CALLS["KB399:en/e.md"] == 3
    assert CALLS["en/e.md"] == 2  # KB991 (reads only its article) did not run again


def _cache_dir(root: Path) -> Path:
    cache = LintCache.open(root)
    assert cache is not None
    return cache.folder


def test_a_corrupt_or_forged_cache_is_ignored(tmp_path: Path, rules: None) -> None:
    root = make_kb(tmp_path / "kb", {"articles/en/a.md": md("Alpha", "BAD\n")})
    expected = found(tree(root))
    folder = _cache_dir(root)
    names = sorted(p.name for p in folder.iterdir())
    assert "files.bin" in names and any(n.startswith("entries-") for n in names)
    assert any(n.startswith("snapshot-") for n in names)
    for path in folder.iterdir():
        path.write_bytes(b"garbage")
    assert found(tree(root)) == expected
    # a well-formed file signed with another key (committed by someone else) is not unpickled
    for path in folder.glob("snapshot-*.bin"):
        path.write_bytes(FORMAT + b"\0" * 32 + pickle.dumps({"evil": True}))
    again = tree(root)
    assert not again.cached
    assert found(again) == expected


def test_cache_writes_leave_no_temporary_files(tmp_path: Path, rules: None) -> None:
    root = make_kb(tmp_path / "kb", {"articles/en/a.md": md("Alpha")})
    tree(root)
    tree(root)
    assert not [p for p in _cache_dir(root).iterdir() if p.name.endswith(".tmp")]


def test_a_read_only_knowledge_base_is_cached_in_the_user_cache_folder(
    tmp_path: Path, rules: None
) -> None:
    root = make_kb(tmp_path / "kb", {"articles/en/a.md": md("Alpha", "BAD\n")})
    root.chmod(0o555)
    try:
        first = tree(root)
        second = tree(root)
    finally:
        root.chmod(0o755)
    assert not (root / ".kbtool").exists()
    assert second.cached and found(second) == found(first)
    assert "read-only" in first.notes[0]
    assert LintCache.open(root) is not None


def test_no_cache_writes_nothing(tmp_path: Path, rules: None) -> None:
    root = make_kb(tmp_path / "kb", {"articles/en/a.md": md("Alpha")})
    result = tree(root, use_cache=False)
    assert not result.cached
    assert not (root / ".kbtool").exists()


def test_an_image_replaced_in_place_is_noticed(tmp_path: Path) -> None:
    config = (
        '[kb]\nlocales = ["en"]\n\n[lint]\nselect = ["KB314"]\n\n[lint.options]\nimage_max_kb = 1\n'
    )
    root = make_kb(
        tmp_path / "kb",
        {"articles/en/a.md": md("A", "![The logo](logo.png)\n"), "articles/en/logo.png": b"x" * 10},
        config,
    )
    first = tree(root)
    assert found(first) == []
    image = root / "articles/en/logo.png"
    folder_mtime = image.parent.stat().st_mtime_ns
    image.write_bytes(b"x" * 4096)  # same name: the folder's mtime does not change
    os.utime(image.parent, ns=(folder_mtime, folder_mtime))
    second = tree(root)
    assert not second.cached
    assert [code for _, _, code in found(second)] == ["KB314"]
