"""How kbtool fits the tools around it: rule links in every format, GitLab Code Quality,
the generated command reference, shell completion, progress and --quiet, the user guide.

The CI templates and the pre-commit hooks run end to end in test_ecosystem_ci.py,
the wheel in test_packaging.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from cliutil import run
from lintutil import fixed_rules, make_kb, md

import kbtool
from kbtool.cli import app
from kbtool.cli.app import State
from kbtool.cli.docgen import commands, render
from kbtool.cli.docgen import write as write_cli_docs
from kbtool.corpus.model import Severity
from kbtool.lint.diagnostic import Diagnostic
from kbtool.lint.docs import RULE_DOCS_URL
from kbtool.output import FORMATTERS, Report
from kbtool.output.gitlab import fingerprint

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
KBTOOL = Path(sys.executable).parent / "kbtool"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    with fixed_rules():
        yield


def _kb(tmp_path: Path, extra_config: str = "") -> Path:
    config = '[kb]\nlocales = ["en"]\n\n[lint]\nselect = ["KB991", "KB992"]\n' + extra_config
    return make_kb(
        tmp_path / "kb",
        {
            "kbtool.toml": config,
            "articles/en/a.md": md("Same title", "BAD start\n"),
            "articles/en/b.md": md("Same title", "fine\n"),
        },
    )


# --------------------------------------------------------------------------- rule links


def test_the_project_url_is_one_constant_that_pyproject_states() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    urls = meta["urls"]
    assert urls["Homepage"] == kbtool.PROJECT_URL
    assert urls["Documentation"] == kbtool.DOCS_URL
    assert kbtool.DOCS_URL.startswith(kbtool.PROJECT_URL)
    assert RULE_DOCS_URL == kbtool.DOCS_URL + "/rules/{code}.md"
    # every page a link can point at exists in the repository
    for code in ("KB001", "KB301"):
        page = RULE_DOCS_URL.format(code=code).removeprefix(kbtool.DOCS_URL + "/")
        assert (DOCS / page).is_file(), page


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif", "junit", "gitlab"])
def test_every_format_links_each_finding_to_its_rule(tmp_path: Path, fmt: str) -> None:
    kb = _kb(tmp_path, 'docs_url = "https://wiki.example.com/kb/{code}-{name}"\n')
    result = run("-C", str(kb), "lint", "--format", fmt)
    assert result.exit_code == 1, result.output
    out = result.stdout
    bad = "https://wiki.example.com/kb/KB991-test-bad-word"
    shared = "https://wiki.example.com/kb/KB992-test-shared-title"
    assert bad in out and shared in out
    assert "github.com/kbtool" not in out.replace(kbtool.PROJECT_URL + '"', "")
    if fmt == "json":
        data = json.loads(out)
        assert {d["code"]: d["url"] for d in data["diagnostics"]} == {
            "KB991": bad,
            "KB992": shared,
        }
    if fmt == "sarif":
        rules = json.loads(out)["runs"][0]["tool"]["driver"]["rules"]
        assert {r["id"]: r["helpUri"] for r in rules}["KB991"] == bad
    if fmt == "github":
        lines = out.splitlines()
        assert all(line.endswith(("%0ASee " + bad, "%0ASee " + shared)) for line in lines)


def test_default_links_point_at_kbtools_rule_pages(tmp_path: Path) -> None:
    out = run("-C", str(_kb(tmp_path)), "lint", "--format", "json").stdout
    urls = {d["url"] for d in json.loads(out)["diagnostics"]}
    assert urls == {
        f"{kbtool.DOCS_URL}/rules/KB991.md",
        f"{kbtool.DOCS_URL}/rules/KB992.md",
    }


def test_rules_json_follows_docs_url(tmp_path: Path) -> None:
    kb = _kb(tmp_path, 'docs_url = "https://x.example/{name}"\n')
    data = json.loads(run("-C", str(kb), "rules", "--format", "json").stdout)
    assert {r["code"]: r["help_uri"] for r in data["rules"]}["KB991"] == (
        "https://x.example/test-bad-word"
    )


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ('"https://x.example/rules"', "must contain {code} or {name}"),
        ('"https://x.example/{rule}"', "unknown placeholder {rule}"),
        ('"https://x.example/{code"', "not a valid template"),
        ("42", "must be a string"),
    ],
)
def test_a_bad_docs_url_is_a_configuration_error(tmp_path: Path, value: str, reason: str) -> None:
    kb = _kb(tmp_path, f"docs_url = {value}\n")
    result = run("-C", str(kb), "lint")
    assert result.exit_code == 2
    assert reason in result.stderr
    assert "kbtool.toml:6: " in result.stderr  # the file and the line of the key
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------- gitlab


def _diag(line: int, message: str = "'BAD' found", code: str = "KB991") -> Diagnostic:
    return Diagnostic("articles/en/a.md", line, 1, code, message, "test-bad-word", Severity.ERROR)


def test_gitlab_code_quality_report(tmp_path: Path) -> None:
    result = run("-C", str(_kb(tmp_path)), "lint", "--format", "gitlab")
    assert result.exit_code == 1
    issues = json.loads(result.stdout)
    assert isinstance(issues, list) and len(issues) == 3
    for issue in issues:
        # what GitLab requires of each issue
        assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(issue)
        assert issue["location"]["path"].startswith("articles/en/")
        assert isinstance(issue["location"]["lines"]["begin"], int)
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
    by_code = {i["check_name"]: i for i in issues}
    assert by_code["KB991"]["severity"] == "major"  # an error
    assert by_code["KB992"]["severity"] == "minor"  # a warning
    assert by_code["KB991"]["location"]["lines"]["begin"] == 5  # the front matter counts
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_gitlab_fingerprints_survive_moved_lines_and_tell_repeats_apart() -> None:
    render = FORMATTERS["gitlab"]
    before = json.loads(render(Report(diagnostics=(_diag(5), _diag(9)), rules=(), files=1)))
    after = json.loads(render(Report(diagnostics=(_diag(7), _diag(11)), rules=(), files=1)))
    assert [i["fingerprint"] for i in before] == [i["fingerprint"] for i in after]
    assert before[0]["fingerprint"] != before[1]["fingerprint"]
    other = fingerprint(_diag(5, "'WORSE' found"), 0)
    assert other != before[0]["fingerprint"]


def test_gitlab_report_of_nothing_is_an_empty_array() -> None:
    assert json.loads(FORMATTERS["gitlab"](Report(diagnostics=(), rules=(), files=3))) == []


def test_junit_failures_carry_the_rule_link(tmp_path: Path) -> None:
    out = run("-C", str(_kb(tmp_path)), "lint", "--format", "junit").stdout
    failures = ET.fromstring(out).findall(".//failure")
    assert failures and all(f"{kbtool.DOCS_URL}/rules/" in (f.text or "") for f in failures)


# --------------------------------------------------------------------------- docs/cli.md


def test_docs_cli_md_is_up_to_date() -> None:
    assert not write_cli_docs(DOCS / "cli.md", check=True), (
        "docs/cli.md is out of date: run `python -m kbtool.cli.docgen`"
    )


def test_the_command_reference_covers_every_command_with_options_and_examples() -> None:
    page = render(app, docs_dir=DOCS)
    docs = commands(app)
    assert [d.name for d in docs][:1] == ["kbtool"]
    # (that every command has examples is test_cli's meta-test; here: they reach the page)
    for doc in docs[1:]:
        assert f"## `{doc.name}`" in page or f"### `{doc.name}`" in page
        assert all(e in page for e in doc.examples), doc.examples
        assert any(names.startswith("-h, --help") for names, _ in doc.options)
    lint = next(d for d in docs if d.path == ("lint",))
    options = dict(lint.options)
    assert "--fail-on <error|warning|info|never>" in options
    assert "[default: text]" in options["-f, --format <text|json|github|sarif|junit|gitlab>"]
    # HTML-like help text is shown, not swallowed as a comment
    assert "&lt;!-- kbtool-disable-next-line CODE -->" in page


def test_docgen_check_exits_1_when_stale(tmp_path: Path) -> None:
    from kbtool.cli.docgen import main

    page = tmp_path / "cli.md"
    assert main([str(page), "--check"]) == 1
    assert main([str(page)]) == 0
    assert main([str(page), "--check"]) == 0
    page.write_text(page.read_text(encoding="utf-8") + "edited by hand\n", encoding="utf-8")
    assert main([str(page), "--check"]) == 1


# --------------------------------------------------------------------------- completion


@pytest.mark.parametrize(
    ("shell", "words", "expected"),
    [
        ("bash", None, None),
        ("zsh", "kbtool review m", "mark"),
        ("fish", "kbtool lint --format ", "gitlab"),
    ],
)
def test_shell_completion(shell: str, words: str | None, expected: str | None) -> None:
    env = {**os.environ, "PATH": f"{KBTOOL.parent}{os.pathsep}{os.environ['PATH']}"}
    script = subprocess.run(
        [str(KBTOOL)], env={**env, "_KBTOOL_COMPLETE": f"source_{shell}"}, capture_output=True
    )
    assert script.returncode == 0 and b"kbtool" in script.stdout
    if shell == "bash":  # run the script in bash: what a user's shell does on <TAB>
        out = subprocess.run(
            [
                "bash",
                "-c",
                "source <(_KBTOOL_COMPLETE=source_bash kbtool); COMP_WORDS=(kbtool rev); "
                'COMP_CWORD=1; _kbtool_completion kbtool; echo "${COMPREPLY[@]}"',
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        assert out.stdout.split() == ["review"]
        return
    completed = subprocess.run(
        [str(KBTOOL)],
        env={
            **env,
            "_KBTOOL_COMPLETE": f"complete_{shell}",
            "_TYPER_COMPLETE_ARGS": words or "",
            "_TYPER_COMPLETE_FISH_ACTION": "get-args",
        },
        capture_output=True,
        text=True,
    )
    assert expected in completed.stdout


# --------------------------------------------------------------------------- progress, quiet


class _Tty:
    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


@pytest.mark.parametrize(
    ("ci", "quiet", "tty", "drawn"),
    [
        (None, False, True, True),
        ("true", False, True, False),
        ("false", False, True, True),
        (None, True, True, False),
        (None, False, False, False),
    ],
)
def test_progress_only_for_a_person_at_a_terminal(
    monkeypatch: pytest.MonkeyPatch, ci: str | None, quiet: bool, tty: bool, drawn: bool
) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    if tty:
        monkeypatch.setattr(sys, "stderr", _Tty())
    state = State(quiet=quiet)
    with state.progress("Linting", minimum=10) as bar:
        bar(1, 50)
        assert (bar._progress is not None) is drawn
    assert bar._progress is None  # removed when the work ends
    with state.progress("Linting", minimum=100) as small:
        small(1, 50)  # too little work for a bar
        assert small._progress is None


def test_quiet_silences_all_but_errors(tmp_path: Path) -> None:
    kb = _kb(tmp_path, 'ignore = ["KB999"]\n')  # a warning about the configuration
    loud = run("-C", str(kb), "lint", "-o", str(tmp_path / "out.txt"))
    assert "warning" in loud.stderr and "Wrote" in loud.stderr
    quiet = run("-C", str(kb), "--quiet", "lint", "-o", str(tmp_path / "out.txt"))
    assert quiet.exit_code == 1 and quiet.stderr == ""
    broken = make_kb(tmp_path / "broken", {"kbtool.toml": "[kb\n", "articles/en/a.md": md("A")})
    error = run("-C", str(broken), "--quiet", "lint")
    assert error.exit_code == 2 and "error" in error.stderr


# --------------------------------------------------------------------------- user guide

# Pages that the owners of those commands write; the guide links to them already.
PENDING_PAGES = {"tags.md", "search.md", "translations.md", "site.md"}
GUIDE = [
    "index.md",
    "getting-started.md",
    "article-format.md",
    "configuration.md",
    "cli.md",
    "ci.md",
    "migrating.md",
    "faq.md",
]


def test_the_user_guide_has_its_pages_and_every_link_resolves() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    for page in GUIDE:
        assert (DOCS / page).is_file(), page
        if page != "index.md":
            assert f"]({page})" in index, f"docs/index.md does not link {page}"
    for page in [*GUIDE, "../README.md"]:
        text = (DOCS / page).read_text(encoding="utf-8")
        text = re.sub(r"```.*?```", "", text, flags=re.S)  # links in code are examples
        text = re.sub(r"`[^`\n]*`", "", text)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            path = (DOCS / page).parent / target.split("#", 1)[0]
            if path.name in PENDING_PAGES and not path.exists():
                continue
            assert path.exists(), f"{page} links to {target}, which does not exist"


def test_the_ci_guide_shows_the_snippets_that_ship() -> None:
    guide = (DOCS / "ci.md").read_text(encoding="utf-8")
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    for hook in hooks:
        assert f"id: {hook['id']}" in guide
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    for name in action["inputs"]:
        assert f"`{name}`" in guide, f"action input {name} is not documented in docs/ci.md"
    assert "ci-templates/gitlab-ci.yml" in guide and "--format gitlab" in guide


def test_kbtool_builds_its_own_user_guide_as_a_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = run("-C", str(DOCS), "build", "--out", str(out), "--no-search")
    assert result.exit_code == 0, result.output
    for page in GUIDE:
        stem = page.removesuffix(".md")
        assert (out / "en" / stem / "index.html").is_file(), page
    ci = (out / "en" / "ci" / "index.html").read_text(encoding="utf-8")
    assert "kbtool in pre-commit and CI" in ci
    assert 'href="../../en/json-schemas/"' in ci  # links between pages become site links
