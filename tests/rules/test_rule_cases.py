"""Every rule case in `cases/`: lint it with its rule and compare with the inline expectations.

A case is one Markdown file `KB104-what-it-shows.md`, or a folder
`KB301-what-it-shows/` holding a small knowledge base (`articles/...` and an
optional `kbtool.toml`). A single file is linted as `articles/en/cases/<file>`;
a `<case>.toml` beside it is its configuration.

Expectations sit on the line the diagnostic must point at:

- Markdown lines: `<!-- expect: KB104 -->` (several codes: `KB104, KB105`)
- YAML front-matter lines: `# expect: KB104`
- anywhere, for a line that cannot hold a comment: `<!-- expect-line 1: KB101 -->`

The rule named by the case's code must report exactly these lines, no more and
no fewer. A case without expectations is a passing example.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from kbtool.config import load_config
from kbtool.corpus import load_corpus
from kbtool.lint.engine import lint, settings_from_config
from kbtool.lint.registry import all_rules

CASES = Path(__file__).parent / "cases"
_EXPECT = re.compile(r"(?:<!--|#)\s*expect:\s*(KB\d{3}(?:\s*,\s*KB\d{3})*)")
_EXPECT_LINE = re.compile(r"<!--\s*expect-line\s+(\d+):\s*(KB\d{3}(?:\s*,\s*KB\d{3})*)\s*-->")
_CODE = re.compile(r"^(KB\d{3})-")


def _cases() -> list[Path]:
    return sorted(
        p for p in CASES.iterdir() if _CODE.match(p.name) and (p.is_dir() or p.suffix == ".md")
    )


def _codes(text: str) -> list[str]:
    return [c.strip() for c in text.split(",")]


def expectations(path: Path, rel: str) -> Counter[tuple[str, int, str]]:
    expected: Counter[tuple[str, int, str]] = Counter()
    text = path.read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff")
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _EXPECT.finditer(line):
            for code in _codes(match.group(1)):
                expected[(rel, number, code)] += 1
        for match in _EXPECT_LINE.finditer(line):
            for code in _codes(match.group(2)):
                expected[(rel, int(match.group(1)), code)] += 1
    return expected


def build_case(case: Path, tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    if case.is_dir():
        shutil.copytree(case, root)
    else:
        target = root / "articles" / "en" / "cases" / case.name
        target.parent.mkdir(parents=True)
        shutil.copyfile(case, target)
        sidecar = case.with_suffix(".toml")
        if sidecar.is_file():
            shutil.copyfile(sidecar, root / "kbtool.toml")
    return root


@pytest.mark.parametrize("case", _cases(), ids=lambda p: p.name)
def test_rule_case(case: Path, tmp_path: Path) -> None:
    code = _CODE.match(case.name).group(1)  # type: ignore[union-attr]
    assert code in all_rules(), f"case {case.name} names unknown rule {code}"
    root = build_case(case, tmp_path)
    config, problems = load_config(root)
    assert not [p for p in problems if p.severity == "error"], problems
    corpus = load_corpus(config, with_git=False)
    result = lint(corpus, settings_from_config(config, select=[code]))
    found = Counter((d.path, d.line, d.code) for d in result.diagnostics if d.code == code)
    expected: Counter[tuple[str, int, str]] = Counter()
    for path in sorted((root / "articles").rglob("*.md")):
        rel = path.relative_to(root).as_posix()
        expected.update(k for k in expectations(path, rel).elements() if k[2] == code)
    messages = "\n".join(str(d) for d in result.diagnostics if d.code == code)
    assert found == expected, f"diagnostics differ from the expectations:\n{messages}"


def test_every_rule_has_a_failing_and_a_passing_case() -> None:
    failing: set[str] = set()
    passing: set[str] = set()
    for case in _cases():
        code = _CODE.match(case.name).group(1)  # type: ignore[union-attr]
        files = sorted(case.rglob("*.md")) if case.is_dir() else [case]
        has = any(k[2] == code for f in files for k in expectations(f, f.name))
        (failing if has else passing).add(code)
    rules = set(all_rules())
    assert not rules - failing, f"rules without a failing case: {sorted(rules - failing)}"
    assert not rules - passing, f"rules without a passing case: {sorted(rules - passing)}"
