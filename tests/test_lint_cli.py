"""`kbtool lint` and `kbtool rules` end to end: exit codes, formats, --fix, --changed-since.

Uses the test-only rules of `lintutil` (KB991 error with a fix, KB992 corpus
warning) and the engine's KB001/KB002, selected in each knowledge base's
kbtool.toml, so the real rules changing cannot change these results.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cliutil import run
from gitutil import commit_all, git, init_repo, isolate_git
from lintutil import CONFIG, fixed_rules, make_kb, md


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    with fixed_rules():
        yield


def lint(root: Path, *args: str) -> tuple[int, str, str]:
    result = run("-C", str(root), "lint", *args)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def codes(stdout: str) -> list[tuple[str, str]]:
    """(path:line, code) of each finding line of text output."""
    out = []
    for line in stdout.splitlines():
        if line.startswith("articles/") and ": KB" in line:
            where, rest = line.split(": ", 1)
            out.append((where.rsplit(":", 1)[0], rest.split()[0]))
    return out


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    return make_kb(
        tmp_path / "kb",
        {
            "articles/en/a.md": md("Same title", "BAD start\n"),
            "articles/en/b.md": md("Same title", "fine\n"),
            "articles/en/c.md": md("Another title", "fine\n"),
        },
    )


# --------------------------------------------------------------------------- exit codes


def test_text_report_and_exit_1_for_errors(kb: Path) -> None:
    code, out, err = lint(kb)
    assert code == 1
    assert out.splitlines()[:4] == [
        "articles/en/a.md:2:1: KB992 title 'Same title' is shared with another article "
        "(test-shared-title)",
        "articles/en/a.md:5:1: KB991 'BAD' found (test-bad-word)",
        "",
        "articles/en/b.md:2:1: KB992 title 'Same title' is shared with another article "
        "(test-shared-title)",
    ]
    assert "Found 3 problems (1 error, 2 warnings) in 2 of 3 files; 1 fixable with --fix." in out
    assert "\x1b[" not in out  # not a terminal: no colour codes
    assert err == ""


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), 1),
        (("--fail-on", "error"), 1),
        (("--fail-on", "never"), 0),
        (("--ignore", "KB991"), 0),  # only warnings left
        (("--ignore", "KB991", "--fail-on", "warning"), 1),
        (("--ignore", "KB991,KB992", "--fail-on", "info"), 0),
    ],
)
def test_fail_on(kb: Path, args: tuple[str, ...], expected: int) -> None:
    assert lint(kb, *args)[0] == expected


def test_fail_on_from_the_config(kb: Path) -> None:
    (kb / "kbtool.toml").write_text(CONFIG.replace("[lint]\n", '[lint]\nfail_on = "warning"\n'))
    assert lint(kb, "--ignore", "KB991")[0] == 1
    assert lint(kb, "--ignore", "KB991", "--fail-on", "error")[0] == 0


def test_usage_and_configuration_errors_exit_2(kb: Path) -> None:
    code, _, err = lint(kb, "--select", "test-bad-wrod")
    assert code == 2
    assert "unknown lint rule 'test-bad-wrod' (did you mean 'test-bad-word'?)" in err
    assert lint(kb, "--fail-on", "sometimes")[0] == 2
    assert lint(kb, "--format", "xml")[0] == 2
    assert lint(kb, str(kb / "articles/en/missing.md"))[0] == 2
    (kb / "kbtool.toml").write_text('[lint]\nfail_on = "always"\n')
    code, _, err = lint(kb)
    assert code == 2 and "kbtool.toml:2" in err


def test_unknown_codes_in_the_config_are_warnings_with_file_and_line(kb: Path) -> None:
    (kb / "kbtool.toml").write_text(CONFIG + 'ignore = ["KB9999"]\n\n[lint.options]\nbad_wrd = 1\n')
    code, _, err = lint(kb, "--fail-on", "never")
    assert code == 0
    config = kb / "kbtool.toml"
    assert err.splitlines() == [
        f"kbtool: warning: {config}:6: unknown lint rule 'KB9999' in lint.ignore",
        f"kbtool: warning: {config}:9: unknown lint option 'bad_wrd' (did you mean 'bad_word'?)",
    ]


# --------------------------------------------------------------------------- formats


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif", "junit"])
def test_every_format_writes_to_output(kb: Path, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"out.{fmt}"
    code, out, err = lint(kb, "--format", fmt, "--output", str(target))
    assert code == 1
    assert out == ""
    text = target.read_text(encoding="utf-8")
    assert "KB991" in text
    assert f"Wrote {target}" in err


def test_json_report(kb: Path) -> None:
    code, out, _ = lint(kb, "-f", "json")
    assert code == 1
    data = json.loads(out)
    assert data["schema"] == "kbtool.lint/1"
    assert data["summary"]["files"] == 3
    assert [(d["path"], d["code"]) for d in data["diagnostics"]] == [
        ("articles/en/a.md", "KB992"),
        ("articles/en/a.md", "KB991"),
        ("articles/en/b.md", "KB992"),
    ]
    assert {r["code"] for r in data["rules"]} == {"KB001", "KB002", "KB991", "KB992"}


def test_github_annotations(kb: Path) -> None:
    _, out, _ = lint(kb, "--format", "github")
    assert (
        "::error file=articles/en/a.md,line=5,col=1,endLine=5,endColumn=4,"
        "title=KB991 test-bad-word::'BAD' found"
        "%0ASee https://github.com/kbtool/kbtool/blob/main/docs/rules/KB991.md" in out.splitlines()
    )


# --------------------------------------------------------------------------- selection


def test_paths_limit_the_report(kb: Path) -> None:
    code, out, _ = lint(kb, str(kb / "articles/en/b.md"))
    assert code == 0  # b has only a warning
    assert codes(out) == [("articles/en/b.md:2", "KB992")]  # corpus rules still see a.md
    assert "in 1 of 1 file" in out


def test_suppressions_and_per_path_ignores(tmp_path: Path) -> None:
    config = CONFIG + '\n[lint.per_path_ignores]\n"legal/**" = ["KB991"]\n'
    root = make_kb(
        tmp_path / "kb",
        {
            "articles/en/a.md": md("One", "<!-- kbtool-disable-next-line KB991 -->\nBAD\n"),
            "articles/en/legal/b.md": md("Two", "BAD\n"),
            "articles/en/c.md": md("Three", "<!-- kbtool-disable-next-line KB991 -->\nfine\n"),
        },
        config,
    )
    code, out, _ = lint(root)
    assert codes(out) == [("articles/en/c.md:5", "KB001")]
    assert code == 0


def test_unreadable_files_are_reported(tmp_path: Path) -> None:
    root = make_kb(
        tmp_path / "kb", {"articles/en/a.md": md("Fine title"), "articles/en/bin.md": b"abc\x00def"}
    )
    code, out, _ = lint(root)
    assert code == 1
    assert codes(out) == [("articles/en/bin.md:1", "KB002")]


# --------------------------------------------------------------------------- --fix, --diff


CRLF_ARTICLE = (
    b"\xef\xbb\xbf---\r\ntitle: Fix me   \r\n# a comment BAD\r\n---\r\n\r\n"
    b"BAD and BAD\r\n\tindented  BAD\r\n<!-- kbtool-disable-next-line KB991 -->\r\nBAD kept\r\n"
    b"no newline at the end BAD"
)
CRLF_FIXED = (
    CRLF_ARTICLE[:-3]
    .replace(b"BAD and BAD", b"GOOD and GOOD")
    .replace(b"indented  BAD", b"indented  GOOD")
    + b"GOOD"
)


def test_fix_changes_only_the_fixed_spans(tmp_path: Path) -> None:
    root = make_kb(
        tmp_path / "kb",
        {"articles/en/a.md": CRLF_ARTICLE, "articles/en/b.md": md("Other", "BAD\n")},
    )
    other = (root / "articles/en/b.md").read_bytes()
    code, out, _ = lint(root, "--fix", str(root / "articles/en/a.md"))
    assert (root / "articles/en/a.md").read_bytes() == CRLF_FIXED
    assert (root / "articles/en/b.md").read_bytes() == other  # not selected
    assert code == 0
    assert "Fixed 4 problems." in out
    assert "No problems found in 1 file." in out
    # a second run has nothing left to do
    assert lint(root, "--fix", str(root / "articles/en/a.md"))[0] == 0
    assert (root / "articles/en/a.md").read_bytes() == CRLF_FIXED


def test_diff_shows_the_fix_and_writes_nothing(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", {"articles/en/a.md": md("One", "keep\nBAD line\n")})
    before = (root / "articles/en/a.md").read_bytes()
    code, out, _ = lint(root, "--diff")
    assert code == 1
    assert out.splitlines() == [
        "--- a/articles/en/a.md",
        "+++ b/articles/en/a.md",
        "@@ -3,4 +3,4 @@",
        " ---",
        " ",
        " keep",
        "-BAD line",
        "+GOOD line",
    ]
    assert (root / "articles/en/a.md").read_bytes() == before
    (root / "articles/en/a.md").write_text(md("One", "fine\n"))
    code, out, err = lint(root, "--diff")
    assert (code, out) == (0, "")
    assert "Nothing to fix." in err


# --------------------------------------------------------------------------- --changed-since


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate_git(monkeypatch)
    root = make_kb(
        tmp_path / "repo",
        {
            "articles/en/a.md": md("Alpha", "BAD see [b](b.md)\n"),
            "articles/en/b.md": md("Beta", "BAD\n"),
            "articles/en/c.md": md("Gamma", "BAD\n"),
            "articles/en/d.md": md("Delta", "BAD see [c](./c.md#part)\n"),
            "articles/en/e.md": md("Epsilon", "BAD see [a](/en/a.md)\n"),
        },
    )
    init_repo(root)
    commit_all(root, "Add articles")
    return root


def test_changed_since_lints_changed_articles_and_those_linking_to_them(repo: Path) -> None:
    (repo / "articles/en/b.md").write_text(md("Beta", "BAD edited\n"))
    (repo / "articles/en/c.md").unlink()
    (repo / "articles/en/new.md").write_text(md("New one", "BAD\n"))
    code, out, _ = lint(repo, "--changed-since", "HEAD")
    assert code == 1
    assert sorted({where.split(":")[0] for where, _ in codes(out)}) == [
        "articles/en/a.md",  # links to b
        "articles/en/b.md",  # changed
        "articles/en/d.md",  # links to c, deleted
        "articles/en/new.md",  # untracked
    ]
    # from the cache, the same answer
    lint(repo)
    assert lint(repo, "--changed-since", "HEAD")[1] == out
    # committed on a branch: compared with the merge base
    commit_all(repo, "Edit")
    git(repo, "checkout", "--quiet", "-b", "topic")
    (repo / "articles/en/e.md").write_text(md("Epsilon", "BAD changed\n"))
    commit_all(repo, "Edit e")
    _, out, _ = lint(repo, "--changed-since", "main")
    assert sorted({w.split(":")[0] for w, _ in codes(out)}) == ["articles/en/e.md"]


def test_changed_since_errors(repo: Path, tmp_path: Path) -> None:
    code, _, err = lint(repo, "--changed-since", "no-such-ref")
    assert code == 2 and "unknown git revision 'no-such-ref'" in err
    plain = make_kb(tmp_path / "plain", {"articles/en/a.md": md("Alpha")})
    code, _, err = lint(plain, "--changed-since", "HEAD")
    assert code == 2 and "not a git repository" in err


# --------------------------------------------------------------------------- cache


def test_cache_hit_and_miss(kb: Path) -> None:
    first = run("-C", str(kb), "-v", "lint")
    assert "linted" in first.stderr
    second = run("-C", str(kb), "-v", "lint")
    assert "answered from the lint cache" in second.stderr
    assert second.stdout == first.stdout
    assert (kb / ".kbtool" / "cache" / "kb").is_dir()
    (kb / "articles/en/c.md").write_text(md("Another title", "BAD\n"))
    third = run("-C", str(kb), "-v", "lint")
    assert "linted" in third.stderr
    assert "articles/en/c.md:5:1: KB991" in third.stdout
    uncached = run("-C", str(kb), "-v", "lint", "--no-cache")
    assert "linted" in uncached.stderr and uncached.stdout == third.stdout


# --------------------------------------------------------------------------- rules


def test_rules_lists_every_rule_by_family() -> None:
    result = run("rules")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "KB0xx Lint run"
    assert any(line.split()[:3] == ["KB001", "unused-suppression", "warning"] for line in lines)
    assert any(line.split()[:4] == ["KB991", "test-bad-word", "error", "fix"] for line in lines)


def test_rules_explains_one_rule() -> None:
    for name in ("KB991", "kb991", "test-bad-word"):
        result = run("rules", name)
        assert result.exit_code == 0
        assert result.stdout.startswith("# KB991 test-bad-word\n\nTest rule: the word BAD")
        assert "## Why" in result.stdout
        assert '| `bad_word` | `"BAD"` | The word to report. |' in result.stdout
    missing = run("rules", "test-bad-wrd")
    assert missing.exit_code == 2
    assert "no lint rule 'test-bad-wrd' (did you mean 'test-bad-word'?)" in missing.stderr


def test_rules_json() -> None:
    data = json.loads(run("rules", "--format", "json").stdout)
    assert data["schema"] == "kbtool.rules/1"
    rule = next(r for r in data["rules"] if r["code"] == "KB991")
    assert rule["options"] == [
        {"name": "bad_word", "default": "BAD", "doc": "The word to report.", "per_locale": False}
    ]
    assert rule["fixable"] is True and rule["documentation"]["why"]


def test_help() -> None:
    for command in ("lint", "rules"):
        result = run(command, "--help")
        assert result.exit_code == 0
        assert "Examples:" in result.stdout
