"""Safe fixes of the real rules, case by case: the fixed text, byte for byte, and what it renders.

A rule case `cases/KB212-what.md` may have a sibling `cases/KB212-what.md.fixed`:
the file as `kbtool lint --fix` must leave it when only that rule runs (fixes
are applied pass after pass, as `--fix` does, until none is left). Then:

- the fixed text equals the `.fixed` file exactly (line endings included);
- linting the fixed text again finds nothing the rule can fix;
- for rules whose documentation promises that the article renders the same,
  the body renders to the same HTML before and after (runs of white space
  compared as one space, since a tab and spaces in text render alike).

A meta-test checks that every fixable rule has at least one such case.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from kbtool.config import load_config
from kbtool.corpus import load_corpus
from kbtool.lint.engine import lint, settings_from_config
from kbtool.lint.fix import apply_fixes
from kbtool.lint.registry import all_rules
from kbtool.markdown import markdown_parser

sys.path.insert(0, str(Path(__file__).parent / "rules"))
from test_rule_cases import CASES, build_case

_CODE = re.compile(r"^(KB\d{3})-")
# fixable rules whose fix must not change the rendered article
RENDERS_THE_SAME = frozenset({"KB208", "KB210", "KB211", "KB212", "KB213", "KB214", "KB221"})
MAX_PASSES = 5


def _fix_cases() -> list[Path]:
    return sorted(p for p in CASES.glob("KB*.md.fixed") if _CODE.match(p.name))


def _lint_file(root: Path, code: str) -> tuple[str, list]:  # type: ignore[type-arg]
    config, _ = load_config(root)
    corpus = load_corpus(config, with_git=False)
    result = lint(corpus, settings_from_config(config, select=[code]))
    (article,) = corpus.articles
    return article.body, [d for d in result.diagnostics if d.code == code]


def _html(body: str) -> str:
    return " ".join(markdown_parser().render(body).split())


@pytest.mark.parametrize("expected_file", _fix_cases(), ids=lambda p: p.name)
def test_fix_case(expected_file: Path, tmp_path: Path) -> None:
    case = expected_file.with_name(expected_file.name.removesuffix(".fixed"))
    code = _CODE.match(case.name).group(1)  # type: ignore[union-attr]
    assert case.is_file(), f"{expected_file.name} has no case {case.name}"
    assert all_rules()[code].fixable, f"{code} is not fixable"
    root = build_case(case, tmp_path)
    path = root / "articles" / "en" / "cases" / case.name
    first_body, found = _lint_file(root, code)
    assert any(d.fix for d in found), f"{case.name}: {code} offers no fix"
    body = first_body
    for _ in range(MAX_PASSES):
        fixes = [d.fix for d in found if d.fix is not None]
        if not fixes:
            break
        text = path.read_bytes().decode("utf-8")
        new_text, applied, _ = apply_fixes(text, fixes)
        assert applied, f"{case.name}: fixes offered but none applies"
        path.write_bytes(new_text.encode("utf-8"))
        body, found = _lint_file(root, code)
    assert not [d for d in found if d.fix], f"{case.name}: still fixable after {MAX_PASSES} passes"
    assert path.read_bytes() == expected_file.read_bytes()
    if code in RENDERS_THE_SAME:
        assert _html(body) == _html(first_body), f"{code}'s fix changed the rendered article"


def test_every_fixable_rule_has_a_fix_case() -> None:
    fixable = {code for code, rule in all_rules().items() if rule.fixable}
    covered = {_CODE.match(p.name).group(1) for p in _fix_cases()}  # type: ignore[union-attr]
    assert not fixable - covered, (
        f"fixable rules without a .fixed case: {sorted(fixable - covered)}"
    )
