#!/usr/bin/env python3
"""Developer tasks that need nothing but Python 3.11+ and git.

    python3 dev.py demo    # set up .venv, then run kbtool on the sample help center
    python3 dev.py test    # set up .venv, then run the test suite
    python3 dev.py check   # ruff (lint and format) and mypy, as CI runs them

The first run creates `.venv/` and installs kbtool with its test extras into it;
later runs reuse it (and reinstall when pyproject.toml changed).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("KBTOOL_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".kbtool-installed"


def run(*args: str | Path, check: bool = True) -> int:
    print("+", " ".join(str(a) for a in args), flush=True)
    return subprocess.run([str(a) for a in args], cwd=ROOT, check=check).returncode


def setup() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036  (dev.py runs under any python3)
        sys.exit(f"kbtool needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.is_file() and STAMP.read_text().strip() == wanted:
        return
    if not (BIN / "python").exists():
        print(f"Creating {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    run(
        BIN / "python",
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "-e",
        ".[test]",
    )
    STAMP.write_text(wanted + "\n")


def demo() -> int:
    """kbtool's main job on the sample help center: configuration, lint, review, the site."""
    kbtool = BIN / "kbtool"
    banner("Configuration")
    run(kbtool, "config", "--output", VENV / "effective-config.toml")
    banner("Lint: every article checked by every rule")
    lint = run(kbtool, "lint", check=False)
    banner("Review: what needs a review now")
    review = run(
        kbtool,
        "review",
        "--status",
        "overdue",
        "--status",
        "due-soon",
        "--status",
        "never-reviewed",
        "--group-by",
        "status",
        check=False,
    )
    banner("Site: the static help center")
    site = run(kbtool, "build", check=False)
    if site == 0:
        print(
            f"\nThe help site is in {ROOT / 'site'}/ (open index.html, or upload the folder to"
            " any static host).\nPreview it with live reload: `.venv/bin/kbtool serve`, then"
            " open http://127.0.0.1:8000/"
        )
    print(
        "\nNext: `.venv/bin/kbtool articles` lists every article; "
        "`.venv/bin/kbtool review plan` shows the reviews due next quarter."
    )
    return lint or review or site


def banner(title: str) -> None:
    print(f"\n== {title} ==", flush=True)


def test(extra: list[str]) -> int:
    workers = ["-n", "auto"] if not any(a.startswith("-n") for a in extra) else []
    return run(BIN / "python", "-m", "pytest", *workers, *extra, check=False)


def check() -> int:
    failed = 0
    for args in (
        ("ruff", "check", "kbtool", "tests", "benchmarks", "dev.py"),
        ("ruff", "format", "--check", "kbtool", "tests", "benchmarks", "dev.py"),
        ("mypy", "kbtool"),
    ):
        failed |= run(BIN / args[0], *args[1:], check=False)
    return failed


def main(argv: list[str]) -> int:
    task = argv[0] if argv else "help"
    if task not in {"demo", "test", "check"}:
        print(__doc__)
        return 0 if task in {"help", "-h", "--help"} else 2
    setup()
    if task == "demo":
        return demo()
    if task == "test":
        return test(argv[1:])
    return check()


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except subprocess.CalledProcessError as exc:
        sys.exit(exc.returncode or 1)
