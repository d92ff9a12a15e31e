"""The pre-commit hooks, the GitHub action and the GitLab template, run for real.

The action's and the template's shell steps run in bash against a fixture
knowledge base with an `origin` and a feature branch, as a pull request or
merge request pipeline would run them (without the install step: the kbtool
under test is on PATH). `pre-commit try-repo` installs kbtool from a copy of
this source tree into a fresh environment (slow: it needs the package index).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from conftest import KbFactory
from gitutil import commit_all, git

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
BROKEN_LINK = "\nSee [the missing page](../billing/no-such-article.md).\n"
CHANGED = "articles/en/account/reset-password.md"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "KBTOOL_DEBUG")}
    env.update(PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}", CI="true", **extra)
    return env


@pytest.fixture
def pull_request(kb_repo: KbFactory, tmp_path: Path) -> Path:
    """The basic fixture on branch `feature` with one changed article, `origin` holding main."""
    repo = kb_repo("basic")
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "--quiet", "--bare", str(repo), str(origin))
    git(repo, "remote", "add", "origin", str(origin))
    git(repo, "checkout", "--quiet", "-b", "feature")
    with (repo / CHANGED).open("a", encoding="utf-8") as f:
        f.write(BROKEN_LINK)
    commit_all(repo, "Link a page that does not exist")
    return repo


def _bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _outputs(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return dict(line.split("=", 1) for line in lines)


# --------------------------------------------------------------------------- GitHub action


def _steps() -> dict[str, dict[str, str]]:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    return {s.get("id", s["name"]): s for s in action["runs"]["steps"]}


def test_the_action_passes_inputs_through_the_environment_only() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    for step in action["runs"]["steps"]:
        # `${{ inputs.x }}` pasted into a script is a script-injection hole
        assert "${{" not in step.get("run", ""), step["name"]
        for value in step.get("env", {}).values():
            for name in (part.split("}}")[0].strip() for part in value.split("inputs.")[1:]):
                assert name in action["inputs"], f"{step['name']} uses undeclared input {name}"


def test_the_action_on_a_pull_request(pull_request: Path, tmp_path: Path) -> None:
    steps = _steps()
    out = tmp_path / "github-output"
    summary = tmp_path / "step-summary"
    env = _env(GITHUB_OUTPUT=str(out), GITHUB_STEP_SUMMARY=str(summary))

    base = _bash(steps["base"]["run"], pull_request, {**env, "BASE_REF": "", "PR_BASE": "main"})
    assert base.returncode == 0, base.stderr
    changed = _outputs(out)["args"]
    assert changed == "--changed-since origin/main"

    out.unlink()
    lint_env = {
        **env,
        "KBTOOL_ROOT": ".",
        "KBTOOL_CONFIG": "",
        "FAIL_ON": "error",
        "LINT_ARGS": "",
        "CHANGED": changed,
    }
    lint = _bash(steps["lint"]["run"], pull_request, lint_env)
    assert lint.returncode == 0, lint.stderr  # the step records the code; the last step fails
    assert _outputs(out)["exit-code"] == "1"
    annotations = [line for line in lint.stdout.splitlines() if line.startswith("::")]
    assert annotations, lint.stdout
    assert any(f"file={CHANGED}" in a and "KB301" in a for a in annotations)
    # only the pull request's article (and those linking to it) is linted
    assert all(f"file={CHANGED}" in a for a in annotations if a.startswith("::error"))

    out.unlink()
    review_env = {**env, "KBTOOL_ROOT": ".", "KBTOOL_CONFIG": ""}
    review_env.update(REVIEW_FAIL_ON="overdue", CHANGED=changed)
    review = _bash(steps["review"]["run"], pull_request, review_env)
    assert review.returncode == 0, review.stderr
    assert _outputs(out)["exit-code"] == "1"  # the changed article is overdue
    table = summary.read_text(encoding="utf-8")
    assert CHANGED in table and "overdue" in table
    assert "delete-your-account" not in table  # unchanged, though overdue too

    result = _bash(steps["Result"]["run"], pull_request, {**env, "LINT": "1", "REVIEW": "0"})
    assert result.returncode == 1 and "::error title=kbtool lint::" in result.stdout
    passed = _bash(steps["Result"]["run"], pull_request, {**env, "LINT": "0", "REVIEW": ""})
    assert passed.returncode == 0


def test_the_action_on_a_push_reports_reviews_without_failing(
    kb_repo: KbFactory, tmp_path: Path
) -> None:
    repo = kb_repo("basic")
    out = tmp_path / "github-output"
    env = _env(GITHUB_OUTPUT=str(out), GITHUB_STEP_SUMMARY=str(tmp_path / "summary"))
    env.update(KBTOOL_ROOT=".", KBTOOL_CONFIG="", REVIEW_FAIL_ON="overdue", CHANGED="")
    review = _bash(_steps()["review"]["run"], repo, env)
    assert review.returncode == 0, review.stderr
    assert _outputs(out)["exit-code"] == "0"
    assert "overdue" in review.stdout  # the fixture's articles are, and it says so


# --------------------------------------------------------------------------- GitLab template


def _gitlab_job(name: str) -> tuple[str, dict[str, str]]:
    template = yaml.safe_load((ROOT / "ci-templates" / "gitlab-ci.yml").read_text(encoding="utf-8"))
    job = template[name]
    base = template[job["extends"]]
    # the install step is the only one left out: the kbtool under test is on PATH
    before = [line for line in base["before_script"] if "pip install" not in line]
    script = "\n".join([*before, *job["script"]])
    return script, {k: str(v) for k, v in template["variables"].items()}


def test_the_gitlab_template_on_a_merge_request(pull_request: Path) -> None:
    script, variables = _gitlab_job("kbtool-lint")
    env = _env(**variables, CI_MERGE_REQUEST_TARGET_BRANCH_NAME="main")
    job = _bash(script, pull_request, env)
    assert job.returncode == 1, job.stdout + job.stderr  # the gate: an error in the MR
    assert f"{CHANGED}:" in job.stdout and "KB301" in job.stdout
    issues = json.loads((pull_request / "gl-code-quality-report.json").read_text("utf-8"))
    assert any(i["check_name"] == "KB301" and i["location"]["path"] == CHANGED for i in issues)
    junit = ET.parse(pull_request / "kbtool-junit.xml").getroot()
    assert junit.tag == "testsuites" and int(junit.get("failures") or 0) >= 1

    script, variables = _gitlab_job("kbtool-review")
    review = _bash(
        script, pull_request, _env(**variables, CI_MERGE_REQUEST_TARGET_BRANCH_NAME="main")
    )
    assert review.returncode == 1
    assert "1 article(s) overdue" in review.stderr and CHANGED in review.stderr
    assert "overdue" in (pull_request / "kbtool-review.md").read_text(encoding="utf-8")


def test_the_gitlab_template_on_the_default_branch(kb_repo: KbFactory) -> None:
    repo = kb_repo("basic")
    script, variables = _gitlab_job("kbtool-review")
    review = _bash(script, repo, _env(**variables))  # no merge request: report, do not gate
    assert review.returncode == 0, review.stderr
    assert (repo / "kbtool-review.md").is_file()
    script, variables = _gitlab_job("kbtool-lint")
    lint = _bash(script, repo, _env(**variables))
    assert lint.returncode == 0, lint.stdout + lint.stderr  # the fixture has no errors


# --------------------------------------------------------------------------- pre-commit


def test_the_hook_manifest_is_valid_for_pre_commit() -> None:
    clientlib = pytest.importorskip("pre_commit.clientlib")
    hooks = clientlib.load_manifest(ROOT / ".pre-commit-hooks.yaml")
    by_id = {h["id"]: h for h in hooks}
    assert set(by_id) == {"kbtool-lint", "kbtool-review"}
    lint, review = by_id["kbtool-lint"], by_id["kbtool-review"]
    assert (
        lint["pass_filenames"] and lint["types"] == ["markdown"] and lint["files"] == "^articles/"
    )
    assert not review["pass_filenames"]
    assert "--fail-on overdue" in review["entry"] and "--changed-since HEAD" in review["entry"]


def _hook_repo(dest: Path) -> Path:
    """This source tree's package, as a git repository pre-commit can install from."""
    dest.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, dest / name)
    shutil.copytree(
        ROOT / "kbtool", dest / "kbtool", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    git(dest, "init", "--quiet", "--initial-branch=main")
    commit_all(dest, "kbtool")
    return dest


@pytest.mark.slow
def test_pre_commit_try_repo(kb_repo: KbFactory, tmp_path: Path) -> None:
    pre_commit = BIN / "pre-commit"
    if not pre_commit.exists():
        pytest.skip("pre-commit is not installed")
    hooks = _hook_repo(tmp_path / "hooks")
    repo = kb_repo("basic")
    env = _env(PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"))
    env.pop("CI")

    def try_repo(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(pre_commit), "try-repo", str(hooks), *args],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )

    clean = try_repo("--all-files")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "kbtool lint" in clean.stdout and "kbtool review" in clean.stdout

    with (repo / CHANGED).open("a", encoding="utf-8") as f:
        f.write(BROKEN_LINK)
    git(repo, "add", CHANGED)
    staged = try_repo()  # the staged files, as on `git commit`
    assert staged.returncode == 1, staged.stdout + staged.stderr
    out = staged.stdout
    assert f"{CHANGED}:" in out and "KB301" in out  # the lint hook
    assert "1 article(s) overdue" in out  # the review hook: the changed article only
    assert "delete-your-account" not in out
