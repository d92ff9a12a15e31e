"""docs/rules/ is generated from the rules' docstrings and must be current; every rule says why."""

from __future__ import annotations

from pathlib import Path

from kbtool.lint.docs import expected_files, render_rule, write_docs
from kbtool.lint.registry import all_rules

DOCS = Path(__file__).resolve().parents[1] / "docs" / "rules"


def test_docs_rules_is_up_to_date() -> None:
    differ = write_docs(DOCS, check=True)
    assert not differ, (
        f"docs/rules is out of date for {', '.join(differ)}: run `python -m kbtool.lint.docs`"
    )


def test_every_rule_says_what_and_why() -> None:
    for rule in all_rules().values():
        sections = rule.doc_sections()
        assert sections.get("summary"), f"{rule.code} has no one-line summary"
        assert sections.get("why"), f"{rule.code} does not say why (a 'Why:' paragraph)"
        page = render_rule(rule)
        assert page.startswith(f"# {rule.code} {rule.name}\n")
        for option in rule.options:
            assert f"`{option.name}`" in page, f"{rule.code} option {option.name} undocumented"


def test_write_docs_writes_checks_and_removes_retired_pages(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    written = write_docs(folder)
    assert set(written) == set(expected_files(list(all_rules().values())))
    assert write_docs(folder, check=True) == []
    (folder / "KB999.md").write_text("a retired rule\n")
    (folder / "KB001.md").write_text("edited by hand\n")
    assert sorted(write_docs(folder, check=True)) == ["KB001.md", "KB999.md"]
    assert (folder / "KB999.md").exists()  # --check writes nothing
    write_docs(folder)
    assert not (folder / "KB999.md").exists()
    assert write_docs(folder, check=True) == []
