"""Render translation reports: plain-column tables, Markdown, CSV and JSON.

Each renderer takes the core's frozen data (`kbtool.translations`) and returns
text or prints lines; nothing here decides a status. The column layout is
review's (`review_output.columns`), which writes 30,000 rows in well under a
second where Rich's Table would take minutes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbtool.cli.review_output import Painter, columns, rel_path, write_lines
from kbtool.translations import (
    LocaleCoverage,
    TranslationItem,
    TranslationReport,
    TranslationStatus,
)

if TYPE_CHECKING:
    from rich.console import Console

REPORT_SCHEMA = "kbtool.translations/1"
_STYLE = {
    TranslationStatus.ORPHANED: "red",
    TranslationStatus.STALE: "yellow",
    TranslationStatus.MISSING: "magenta",
    TranslationStatus.UNVERIFIED: "cyan",
    TranslationStatus.UP_TO_DATE: "green",
}


def _date(day: Any) -> str | None:
    return day.isoformat() if day is not None else None


def _path(article: Any, root: Path) -> str | None:
    return rel_path(article.path, root) if article is not None else None


def item_record(item: TranslationItem, root: Path) -> dict[str, Any]:
    """One row of the JSON report (`items[]` of kbtool.translations/1)."""
    source, translation = item.source, item.translation
    return {
        "locale": item.locale,
        "status": item.status.value,
        "section": item.section,
        "id": item.article.id,
        "title": item.article.title,
        "path": _path(translation, root),
        "source_path": _path(source, root),
        "source_id": source.id if source is not None else None,
        "link": item.link,
        "basis": item.basis.value,
        "reason": item.reason,
        "recorded": item.recorded,
        "source_hash": source.body_hash if source is not None else None,
        "source_commit": source.last_commit.sha
        if source is not None and source.last_commit is not None
        else None,
        "source_changed": _date(item.source_changed),
        "translation_changed": _date(item.translation_changed),
        "owner": item.owner,
        "owners": list(item.owners),
        "counted": item.counted,
        "notes": list(item.notes),
    }


def coverage_record(cov: LocaleCoverage) -> dict[str, Any]:
    return {
        "locale": cov.locale,
        "sources": cov.sources,
        "translated": cov.translated,
        "current": cov.current,
        "coverage_pct": cov.coverage_pct,
        "current_pct": cov.current_pct,
        "up_to_date": cov.up_to_date,
        "stale": cov.stale,
        "missing": cov.missing,
        "orphaned": cov.orphaned,
        "unverified": cov.unverified,
    }


def report_json(
    report: TranslationReport,
    coverage: Sequence[LocaleCoverage],
    items: Sequence[TranslationItem],
    *,
    root: Path,
    filters: dict[str, Any],
) -> dict[str, Any]:
    """The whole `kbtool translations --format json` document (schema kbtool.translations/1)."""
    return {
        "schema": REPORT_SCHEMA,
        "root": str(root),
        "source_locale": report.source_locale,
        "locales": list(report.locales),
        "git": report.history or "available",
        "filters": filters,
        "coverage": [coverage_record(c) for c in coverage],
        "items": [item_record(i, root) for i in items],
    }


CSV_COLUMNS = (
    "locale", "status", "section", "path", "source_path", "title", "owner", "link", "basis",
    "reason", "recorded", "source_hash", "source_commit", "source_changed",
    "translation_changed", "notes",
)  # fmt: skip


def report_csv(items: Iterable[TranslationItem], root: Path) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for item in items:
        record = item_record(item, root)
        record["notes"] = "; ".join(item.notes)
        writer.writerow(["" if record[c] is None else record[c] for c in CSV_COLUMNS])
    return buffer.getvalue()


def _md(text: object) -> str:
    """A Markdown table cell: pipes escaped, one line."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


_COVERAGE_HEADERS = (
    "locale", "sources", "translated", "coverage", "up to date", "stale", "missing",
    "orphaned", "unverified",
)  # fmt: skip


def _coverage_row(cov: LocaleCoverage) -> list[str]:
    pct = f"{cov.coverage_pct:.1f}".removesuffix(".0") + "%"
    return [
        cov.locale,
        str(cov.sources),
        str(cov.translated),
        pct,
        str(cov.up_to_date),
        str(cov.stale),
        str(cov.missing),
        str(cov.orphaned),
        str(cov.unverified),
    ]


def _item_row(item: TranslationItem, root: Path) -> list[str]:
    source = item.source
    return [
        item.status.label,
        item.locale,
        rel_path(item.article.path, root),
        rel_path(source.path, root) if source is not None and item.translation else "",
        item.owner,
        "; ".join((item.reason, *item.notes)),
    ]


_ITEM_HEADERS = ("status", "locale", "article", "source", "owner", "why")


def report_markdown(
    report: TranslationReport,
    coverage: Sequence[LocaleCoverage],
    items: Sequence[TranslationItem],
    *,
    root: Path,
    title: str,
) -> str:
    lines = [
        f"# Translations: {title}",
        "",
        f"Source locale `{report.source_locale}`."
        + (f" No git history ({report.history})." if report.history else ""),
        "",
        "| " + " | ".join(_COVERAGE_HEADERS) + " |",
        "|---|" + "---:|" * (len(_COVERAGE_HEADERS) - 1),
    ]
    lines += ["| " + " | ".join(_md(c) for c in _coverage_row(cov)) + " |" for cov in coverage]
    lines.append("")
    if items:
        lines += ["| " + " | ".join(_ITEM_HEADERS) + " |", "|" + "---|" * len(_ITEM_HEADERS)]
        for item in items:
            cells = _item_row(item, root)
            cells[2] = f"`{cells[2]}`"
            if cells[3]:
                cells[3] = f"`{cells[3]}`"
            lines.append("| " + " | ".join(_md(c) for c in cells) + " |")
    else:
        lines.append("No translations match.")
    lines.append("")
    return "\n".join(lines)


def summary_line(coverage: Sequence[LocaleCoverage]) -> str:
    if not coverage:
        return "no translation locales (a single-language knowledge base)"
    return "; ".join(str(c) for c in coverage)


def print_report(
    console: Console,
    report: TranslationReport,
    coverage: Sequence[LocaleCoverage],
    items: Sequence[TranslationItem],
    *,
    root: Path,
) -> None:
    """The rows, then the coverage per locale."""
    if not report.locales:
        write_lines(console, [summary_line(coverage)])
        return
    paint = Painter.for_console(console)
    width = console.width if console.is_terminal else None
    out: list[str] = []
    if items:
        out += columns(
            _ITEM_HEADERS,
            [_item_row(i, root) for i in items],
            paint=paint,
            caps={5: 90},
            first_styles=[_STYLE[i.status] for i in items],
            max_width=width,
            shrink=5,
        )
    else:
        out.append("No translations match.")
    out.append("")
    if coverage:
        out += columns(
            _COVERAGE_HEADERS,
            [_coverage_row(c) for c in coverage],
            paint=paint,
            right=frozenset(range(1, len(_COVERAGE_HEADERS))),
        )
    else:
        out.append(summary_line(coverage))
    if report.history:
        out += [
            "",
            f"No git history ({report.history}): only recorded hashes and review dates count.",
        ]
    write_lines(console, out)
