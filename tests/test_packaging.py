"""The release artefacts: `python -m build` makes an sdist and a wheel that hold everything
the commands need, `twine check` accepts them, and the wheel installed into a fresh venv
outside the source tree runs kbtool on a copy of the sample help center.

Slow (it builds, and pip installs the dependencies from the package index):
`-m "not slow"` skips it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import venv
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

import kbtool

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.slow


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sdist and wheel; the wheel is built from the sdist, so the sdist must be complete."""
    out = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "build", "--outdir", out, ROOT, cwd=out)
    return out


def _package_files() -> set[str]:
    """Every file of the kbtool package in the source tree, as the wheel names it."""
    files = set()
    for path in (ROOT / "kbtool").rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            files.add(path.relative_to(ROOT).as_posix())
    return files


def test_sdist_and_wheel_hold_everything_the_commands_need(dist: Path) -> None:
    wheels = list(dist.glob("kbtool-*.whl"))
    sdists = list(dist.glob("kbtool-*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1
    assert wheels[0].name.startswith(f"kbtool-{kbtool.__version__}-py3-none-any")
    with zipfile.ZipFile(wheels[0]) as wheel:
        names = set(wheel.namelist())
        missing = _package_files() - names
        assert not missing, f"not in the wheel: {sorted(missing)[:10]}"
        assert "kbtool/scaffold/kbtool.toml" in names and "kbtool/py.typed" in names
        assert any(n.startswith("kbtool/site/theme/") for n in names)
        assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
        info = f"kbtool-{kbtool.__version__}.dist-info"
        meta = Parser().parsestr(wheel.read(f"{info}/METADATA").decode("utf-8"))
        entry_points = wheel.read(f"{info}/entry_points.txt").decode("utf-8")
    assert meta["Version"] == kbtool.__version__  # one version, from kbtool/__init__.py
    assert f"Project-URL: Homepage, {kbtool.PROJECT_URL}" in str(meta)
    assert "kbtool = kbtool.cli:main" in entry_points
    with tarfile.open(sdists[0]) as sdist:
        top = f"kbtool-{kbtool.__version__}/"
        names = {n.removeprefix(top) for n in sdist.getnames()}
    for name in (
        "CHANGELOG.md",
        "LICENSE",
        "README.md",
        "pyproject.toml",
        "docs/cli.md",
        ".pre-commit-hooks.yaml",
        "action.yml",
        "ci-templates/gitlab-ci.yml",
    ):
        assert name in names, f"{name} is not in the sdist"
    assert _package_files() <= names


def test_twine_check_passes(dist: Path) -> None:
    twine = BIN / "twine"
    if not twine.exists():
        pytest.skip("twine is not installed")
    out = _run(twine, "check", "--strict", *sorted(dist.iterdir()), cwd=dist)
    assert out.count("PASSED") == 2


def test_the_changelog_has_the_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{kbtool.__version__}] - " in changelog
    assert f"[{kbtool.__version__}]: {kbtool.PROJECT_URL}/" in changelog


def test_the_installed_wheel_runs_on_a_copy_of_the_sample(dist: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    wheel = next(dist.glob("kbtool-*.whl"))
    # the package index for the dependencies: a missing runtime dependency fails here
    _run(python, "-m", "pip", "install", "--quiet", wheel, cwd=tmp_path)
    kb = tmp_path / "sample"
    kb.mkdir()
    for name in ("articles", "templates"):
        shutil.copytree(ROOT / name, kb / name)
    shutil.copy2(ROOT / "kbtool.toml", kb / "kbtool.toml")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(PATH=f"{env_dir / 'bin'}{os.pathsep}{env['PATH']}", CI="true")
    exe = env_dir / "bin" / "kbtool"

    where = _run(python, "-c", "import kbtool; print(kbtool.__file__)", cwd=kb, env=env)
    assert Path(where.strip()).is_relative_to(env_dir), where  # not the source tree
    assert _run(exe, "--version", cwd=kb, env=env).strip() == f"kbtool {kbtool.__version__}"

    lint = subprocess.run(
        [exe, "lint", "--format", "json"], cwd=kb, env=env, capture_output=True, text=True
    )
    assert lint.returncode in (0, 1), lint.stderr
    assert json.loads(lint.stdout)["summary"]["files"] > 50

    review = _run(exe, "review", "--as-of", "2026-11-23", "--format", "json", cwd=kb, env=env)
    assert json.loads(review)["summary"]["total"] > 0

    _run(exe, "build", cwd=kb, env=env)  # the theme and templates come from the wheel
    pages = list((kb / "site").rglob("*.html"))
    assert len(pages) > 50 and (kb / "site" / "index.html").is_file()

    _run(exe, "init", "new-kb", cwd=tmp_path, env=env)  # the scaffold is package data
    assert (tmp_path / "new-kb" / "kbtool.toml").is_file()
    created = _run(exe, "new", "First article", cwd=tmp_path / "new-kb", env=env).strip()
    assert (tmp_path / "new-kb" / created).is_file()
