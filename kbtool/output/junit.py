"""JUnit XML for CI systems that show test reports (GitLab, Jenkins, Azure Pipelines).

One `<testsuite>` per file with findings, one `<testcase>` per finding with a
`<failure>` (type = rule code) that says where and what. A clean run is one
passing test case, so a report is never empty.
"""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from kbtool.output.text import one_line

if TYPE_CHECKING:
    from kbtool.lint.diagnostic import Diagnostic
    from kbtool.output import Parts, Report

__all__ = ["parts"]


_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def parts(report: Report) -> Parts:
    from kbtool.output import Parts

    problems = report.tally.problems
    suites = ET.Element(
        "testsuites",
        name="kbtool lint",
        tests=str(max(problems, 1)),
        failures=str(problems),
        errors="0",
    )
    if not problems:
        suite = ET.SubElement(
            suites,
            "testsuite",
            name="kbtool lint",
            tests="1",
            failures="0",
            errors="0",
            skipped="0",
        )
        ET.SubElement(
            suite,
            "testcase",
            classname="kbtool lint",
            name=f"{report.files} file(s) without problems",
        )
        ET.indent(suites)
        return Parts(_DECLARATION + ET.tostring(suites, encoding="unicode") + "\n", [])
    opening = ET.tostring(suites, encoding="unicode").removesuffix(" />") + ">\n"
    files = [
        (path, "  " + _suite(report, path, list(group)) + "\n")
        for path, group in groupby(report.diagnostics, key=lambda d: d.path)
    ]
    return Parts(_DECLARATION + opening, files, "</testsuites>\n")


def _suite(report: Report, path: str, items: list[Diagnostic]) -> str:
    """One file's `<testsuite>`, indented as the second level of the document."""
    suite = ET.Element(
        "testsuite",
        name=path,
        tests=str(len(items)),
        failures=str(len(items)),
        errors="0",
        skipped="0",
    )
    for d in items:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=path,
            name=f"{d.code} {d.name} at line {d.line}, column {d.column}",
            file=path,
            line=str(d.line),
        )
        failure = ET.SubElement(case, "failure", message=d.message, type=d.code)
        url = report.rule_url(d.code, d.name)
        failure.text = f"{one_line(d)}\nseverity: {d.severity}\nrule: {url}"
    ET.indent(suite, level=1)
    return ET.tostring(suite, encoding="unicode")
