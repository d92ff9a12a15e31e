"""Every output format against its golden file, and each format's own rules.

The report is built here from fixed rules and diagnostics (not the registry),
so the golden files change only when a formatter does. Regenerate them with

    KBTOOL_UPDATE_GOLDEN=1 python -m pytest tests/test_formatters.py

and read the diff before committing it.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from kbtool.config import ConfigProblem
from kbtool.corpus.model import Severity
from kbtool.lint.diagnostic import Diagnostic, Fix, TextEdit
from kbtool.lint.registry import Option, Rule
from kbtool.output import FORMATTERS, SPLITTERS, Report, Tally, encode, splice
from kbtool.output.github import escape_data, escape_property

GOLDEN = Path(__file__).parent / "golden"
SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"


def _broken_link(*_: Any) -> Any:
    """A link points at an article that does not exist.

    Why: readers who follow it land on a "page not found".
    Example: `[Billing](../billing/invoices.md)` when the file is `invoice.md`.
    Use instead: `[Billing](../billing/invoice.md)`
    """


def _trailing(*_: Any) -> Any:
    """A line ends in spaces or tabs.

    Why: invisible, and two trailing spaces make a hard line break.
    """


def _readability(*_: Any) -> Any:
    """The prose is hard to read.

    Why: readers skim help articles.
    Options: `readability_min` per locale.
    """


RULES = (
    Rule("KB301", "broken-link", Severity.ERROR, _broken_link, "corpus"),
    Rule("KB205", "trailing-whitespace", Severity.INFO, _trailing, fixable=True),
    Rule(
        "KB401",
        "readability",
        Severity.WARNING,
        _readability,
        options=(Option("readability_min", {"en": 50}, "Lowest score.", per_locale=True),),
    ),
)

DIAGNOSTICS = (
    Diagnostic(
        "articles/en/billing/refunds.md",
        3,
        1,
        "KB401",
        "Flesch reading ease 31 is below 50",
        "readability",
        Severity.WARNING,
    ),
    Diagnostic(
        "articles/en/billing/refunds.md",
        12,
        5,
        "KB301",
        "link to missing article '../account/pasword.md' (did you mean 'password.md'?)",
        "broken-link",
        Severity.ERROR,
        12,
        30,
    ),
    Diagnostic(
        "articles/en/billing/refunds.md",
        14,
        9,
        "KB205",
        "trailing whitespace",
        "trailing-whitespace",
        Severity.INFO,
        14,
        11,
        Fix("remove trailing whitespace", (TextEdit(14, 9, 14, 11, ""),)),
    ),
    Diagnostic(
        "articles/sv/konto/lösenord, 100%.md",
        1,
        1,
        "KB301",
        "a message with: colons, commas, 100% and\nnewline\r",
        "broken-link",
        Severity.ERROR,
    ),
)


def report() -> Report:
    return Report(
        diagnostics=tuple(sorted(DIAGNOSTICS)),
        rules=RULES,
        files=12,
        version="9.9.9",
        problems=(
            ConfigProblem(
                Path("kbtool.toml"), 7, "unknown lint rule 'KB999' in lint.ignore", "warning"
            ),
        ),
    )


@pytest.mark.parametrize("name", sorted(FORMATTERS))
def test_golden(name: str) -> None:
    text = FORMATTERS[name](report())
    path = GOLDEN / f"lint.{name}"
    if os.environ.get("KBTOOL_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
    assert path.is_file(), f"{path} is missing: run with KBTOOL_UPDATE_GOLDEN=1"
    assert text == path.read_bytes().decode("utf-8"), (
        f"{name} output differs from {path}; if the change is intended, regenerate with "
        "KBTOOL_UPDATE_GOLDEN=1"
    )


def test_every_format_handles_an_empty_report() -> None:
    empty = Report(diagnostics=(), rules=RULES, files=3)
    for name, render in FORMATTERS.items():
        assert render(empty) is not None, name
    assert FORMATTERS["text"](empty) == "No problems found in 3 files.\n"
    assert FORMATTERS["github"](empty) == ""
    assert json.loads(FORMATTERS["json"](empty))["summary"]["problems"] == 0
    suites = ET.fromstring(FORMATTERS["junit"](empty))
    assert suites.get("failures") == "0" and len(suites.findall(".//testcase")) == 1


def test_text_lines_and_summary() -> None:
    text = FORMATTERS["text"](report())
    lines = text.splitlines()
    assert lines[0] == (
        "articles/en/billing/refunds.md:3:1: KB401 Flesch reading ease 31 is below 50 (readability)"
    )
    assert (
        "Found 4 problems (2 errors, 1 warning, 1 info) in 2 of 12 files; 1 fixable with "
        "--fix." in lines
    )
    assert lines[-3].split() == [
        "KB301",
        "broken-link",
        "2",
        "error",
        "https://github.com/kbtool/kbtool/blob/main/docs/rules/KB301.md",
    ]


def test_json_follows_the_documented_schema() -> None:
    data = json.loads(FORMATTERS["json"](report()))
    assert data["schema"] == "kbtool.lint/1"
    assert set(data) == {"schema", "tool", "summary", "rules", "diagnostics", "config_problems"}
    assert data["summary"]["by_severity"] == {"error": 2, "warning": 1, "info": 1}
    first = data["diagnostics"][0]
    assert set(first) == {
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "code",
        "name",
        "severity",
        "message",
        "url",
        "fix",
    }
    assert first["url"] == "https://github.com/kbtool/kbtool/blob/main/docs/rules/KB401.md"
    assert data["rules"][0]["url"].endswith("/docs/rules/KB301.md")
    fixed = next(d for d in data["diagnostics"] if d["fix"])
    assert fixed["fix"]["edits"] == [
        {"line": 14, "column": 9, "end_line": 14, "end_column": 11, "new_text": ""}
    ]
    # every field the documentation lists is there
    doc = (Path(__file__).parents[1] / "docs" / "json-schemas.md").read_text(encoding="utf-8")
    for key in (*data, *data["summary"], *first, "description", "edits", "new_text"):
        assert f"`{key}`" in doc, f"{key} is not documented in docs/json-schemas.md"


def test_github_annotations_escape_per_githubs_rules() -> None:
    assert escape_data("100% a\r\nb") == "100%25 a%0D%0Ab"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    lines = FORMATTERS["github"](report()).splitlines()
    assert lines[1] == (
        "::error file=articles/en/billing/refunds.md,line=12,col=5,endLine=12,"
        "endColumn=30,title=KB301 broken-link::link to missing article "
        "'../account/pasword.md' (did you mean 'password.md'?)"
        "%0ASee https://github.com/kbtool/kbtool/blob/main/docs/rules/KB301.md"
    )
    assert lines[2].startswith("::notice file=")
    assert lines[3] == (
        "::error file=articles/sv/konto/lösenord%2C 100%25.md,line=1,col=1,"
        "title=KB301 broken-link::a message with: colons, commas, 100%25 and"
        "%0Anewline%0D%0ASee https://github.com/kbtool/kbtool/blob/main/docs/rules/KB301.md"
    )
    assert all("\n" not in line and "\r" not in line for line in lines)


def test_sarif_is_valid_against_the_sarif_2_1_0_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    data = json.loads(FORMATTERS["sarif"](report()))
    jsonschema.validate(data, schema, cls=jsonschema.Draft4Validator)
    # a broken document is caught by the same check (the test can fail)
    broken = json.loads(json.dumps(data))
    broken["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema, cls=jsonschema.Draft4Validator)


def test_sarif_rules_and_results() -> None:
    data = json.loads(FORMATTERS["sarif"](report()))
    assert data["version"] == "2.1.0"
    run = data["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["KB301", "KB205", "KB401"]
    link = rules[0]
    assert link["name"] == "broken-link"
    assert link["shortDescription"]["text"] == "A link points at an article that does not exist."
    assert "Why" in link["help"]["markdown"] and "pasword" not in link["help"]["text"]
    assert link["helpUri"].endswith("/docs/rules/KB301.md")
    assert "readability_min" in rules[2]["help"]["markdown"]
    results = run["results"]
    assert [r["ruleId"] for r in results] == ["KB401", "KB301", "KB205", "KB301"]
    assert [r["level"] for r in results] == ["warning", "error", "note", "error"]
    location = results[1]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {
        "uri": "articles/en/billing/refunds.md",
        "uriBaseId": "%SRCROOT%",
    }
    assert location["region"] == {"startLine": 12, "startColumn": 5, "endLine": 12, "endColumn": 30}
    assert results[1]["ruleIndex"] == 0
    assert "fixes" in results[2]


def test_junit_is_valid_xml_with_a_failure_per_finding() -> None:
    suites = ET.fromstring(FORMATTERS["junit"](report()))
    assert suites.tag == "testsuites"
    assert suites.get("failures") == "4"
    names = [s.get("name") for s in suites.findall("testsuite")]
    assert names == ["articles/en/billing/refunds.md", "articles/sv/konto/lösenord, 100%.md"]
    failures = suites.findall(".//testcase/failure")
    assert [f.get("type") for f in failures] == ["KB401", "KB301", "KB205", "KB301"]
    assert failures[3].get("message") == "a message with: colons, commas, 100% and\nnewline\r"
    first_suite = suites.find("testsuite")
    assert first_suite is not None and first_suite.get("tests") == "3"


REFUNDS = "articles/en/billing/refunds.md"
LÖSENORD = "articles/sv/konto/lösenord, 100%.md"
CHANGES: dict[str, tuple[set[str], tuple[Diagnostic, ...]]] = {
    # what changed: (the files re-judged, their new findings)
    "edit one file": ({REFUNDS}, DIAGNOSTICS[:1]),
    "a file loses its findings": ({LÖSENORD}, ()),
    "a new file with findings": (
        {"articles/en/a.md"},
        (Diagnostic("articles/en/a.md", 2, 1, "KB205", "trailing whitespace", "x"),),
    ),
    "all gone": ({REFUNDS, LÖSENORD}, ()),
}


@pytest.mark.parametrize("name", sorted(SPLITTERS))
@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_spliced_report_is_the_report_rendered_whole(name: str, change: str) -> None:
    """Rebuilding a report from the last one's parts and the changed files' new parts
    gives, byte for byte, what rendering the new findings whole gives."""
    split = SPLITTERS[name]
    before = report()
    old, index = encode(split(before))
    touched, fresh = CHANGES[change]
    after = tuple(sorted((*(d for d in before.diagnostics if d.path not in touched), *fresh)))
    whole = b"".join(encode(split(replace(before, diagnostics=after)))[0])
    parts = split(replace(before, diagnostics=fresh, totals=Tally.of(after)))
    chunks, _ = splice(parts, b"".join(old), index, touched)
    assert b"".join(chunks) == whole
