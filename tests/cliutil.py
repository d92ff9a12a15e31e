"""Run the CLI in-process and make small knowledge bases for CLI tests.

`run("-C", str(kb), "articles")` invokes kbtool with a clean environment (no
colour or debug variables from the caller) and returns typer's Result, whose
`stdout` and `stderr` are kept apart. `write_kb(tmp_path, {...})` writes files;
`article(...)` makes the text of one article.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from kbtool.cli import app

# Variables that change kbtool's output; each run starts without them.
_CLEAN_ENV: dict[str, str | None] = {
    "NO_COLOR": None,
    "FORCE_COLOR": None,
    "KBTOOL_DEBUG": None,
    "CI": None,
    "TERM": None,
    "COLUMNS": "200",
}


def run(
    *args: str, env: Mapping[str, str | None] | None = None, input: str | None = None
) -> Result:
    """Invoke `kbtool ARGS...`; exceptions that escape kbtool are kept in `result.exception`."""
    runner = CliRunner()
    return runner.invoke(
        app, list(args), env={**_CLEAN_ENV, **(env or {})}, input=input, prog_name="kbtool"
    )


def write_kb(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write `files` (POSIX paths relative to `root` -> text or bytes) and return `root`."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return root


def article(body: str = "Some text.\n", **fields: Any) -> str:
    """The text of an article with `fields` as front matter (lists in flow style)."""
    lines = ["---"]
    for key, value in fields.items():
        if isinstance(value, (list, tuple)):
            value = "[" + ", ".join(str(v) for v in value) + "]"
        lines.append(f"{key}: {value}")
    lines.append("---")
    return "\n".join(lines) + "\n\n" + body


def lines(text: str) -> list[str]:
    """Non-empty lines, right-stripped: for comparing printed output line by line."""
    return [line.rstrip() for line in text.splitlines() if line.strip()]
