"""`kbtool translations` and `kbtool translations mark`: wiring, formats, exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from cliutil import run
from gitutil import git

from kbtool.cli.translations_output import CSV_COLUMNS


def test_table_lists_what_needs_work_and_the_coverage(kb_repo) -> None:
    repo = kb_repo("translations-basic")
    result = run("-C", str(repo), "translations")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "stale     sv      articles/sv/billing/refunds.md" in out
    assert "orphaned  de      articles/de/billing/zoll.md" in out
    assert "missing   de      articles/en/billing/vat.md" in out
    assert "up to date" not in out.split("locale  sources")[0]  # hidden without --all
    coverage = out.split("locale  sources")[1].splitlines()
    assert coverage[2].split() == ["sv", "4", "3", "75%", "2", "1", "1", "1", "0"]
    assert coverage[3].split() == ["de", "4", "1", "25%", "1", "0", "3", "1", "0"]


def test_all_and_filters(kb_repo) -> None:
    repo = kb_repo("translations-basic")
    result = run("-C", str(repo), "translations", "--all", "--locale", "sv", "-s", "account")
    assert result.exit_code == 0, result.output
    assert "up to date  sv      articles/sv/account/reset-password.md" in result.stdout
    assert "articles/de/" not in result.stdout
    assert "refunds" not in result.stdout


def test_json_document(kb_repo) -> None:
    repo = kb_repo("translations-basic")
    result = run("-C", str(repo), "translations", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["schema"] == "kbtool.translations/1"
    assert doc["source_locale"] == "en" and doc["locales"] == ["sv", "de"]
    assert doc["git"] == "available"
    assert [c["locale"] for c in doc["coverage"]] == ["sv", "de"]
    assert doc["coverage"][0] == {
        "locale": "sv",
        "sources": 4,
        "translated": 3,
        "current": 2,
        "coverage_pct": 75.0,
        "current_pct": 50.0,
        "up_to_date": 2,
        "stale": 1,
        "missing": 1,
        "orphaned": 1,
        "unverified": 0,
    }
    assert len(doc["items"]) == 10  # JSON lists up-to-date rows too
    stale = next(i for i in doc["items"] if i["status"] == "stale")
    assert stale["path"] == "articles/sv/billing/refunds.md"
    assert stale["source_path"] == "articles/en/billing/refunds.md"
    assert stale["recorded"] == "0123456789ab"
    assert stale["source_hash"] == "49e530200e7f"
    assert stale["source_commit"] == git(repo, "rev-parse", "HEAD").strip()
    assert stale["basis"] == "source-hash" and stale["link"] == "path"
    assert stale["owner"] == "billing-team" and stale["owners"] == ["billing-team"]
    missing = next(i for i in doc["items"] if i["status"] == "missing")
    assert missing["path"] is None and missing["source_path"].startswith("articles/en/")
    orphan = next(i for i in doc["items"] if i["path"] == "articles/de/billing/zoll.md")
    assert orphan["source_path"] is None and orphan["owner"] == "unassigned"


def test_csv_and_markdown(kb_repo, tmp_path: Path) -> None:
    repo = kb_repo("translations-basic")
    result = run("-C", str(repo), "translations", "-f", "csv", "--status", "orphaned")
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(table[0]) == list(CSV_COLUMNS)
    assert [(r["locale"], r["path"]) for r in table] == [
        ("de", "articles/de/billing/zoll.md"),
        ("sv", "articles/sv/billing/customs.md"),
    ]
    out = tmp_path / "t.md"
    result = run("-C", str(repo), "translations", "-f", "markdown", "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Translations: Parcelly Help\n")
    assert "| sv | 4 | 3 | 75% | 2 | 1 | 1 | 1 | 0 |" in text
    assert "| stale | sv | `articles/sv/billing/refunds.md` |" in text
    assert "sv: 3 of 4 translated (75%)" in result.stderr


def test_fail_on_is_a_ci_gate(kb_repo) -> None:
    repo = kb_repo("translations-basic")
    result = run("-C", str(repo), "translations", "--fail-on", "stale", "-f", "csv")
    assert result.exit_code == 1
    assert "kbtool: translations: 1 translation(s) stale (--fail-on stale):" in result.stderr
    assert "stale: sv: articles/sv/billing/refunds.md: the source changed" in result.stderr
    result = run(
        "-q", "-C", str(repo), "translations", "--fail-on", "missing", "--fail-on", "orphaned"
    )
    assert result.exit_code == 1
    assert "6 translation(s) missing or orphaned" in result.stderr
    # the filters narrow the gate: German has nothing stale
    result = run("-C", str(repo), "translations", "--fail-on", "stale", "--locale", "de")
    assert result.exit_code == 0, result.output
    result = run("-C", str(repo), "translations", "--fail-on", "unverified")
    assert result.exit_code == 0, result.output


def test_usage_errors_are_one_line(kb_repo) -> None:
    repo = kb_repo("translations-basic")
    for args, message in [
        (("--locale", "fr"), "--locale fr: not a translation locale (there are: sv, de)"),
        (
            ("--locale", "en"),
            "--locale en: not a translation locale (the source locale has no translations)",
        ),
        (("--status", "old"), "unknown translation status 'old'"),
    ]:
        result = run("-C", str(repo), "translations", *args)
        assert result.exit_code == 2, args
        assert message in result.stderr
        assert "Traceback" not in result.output
    result = run("-C", str(repo), "translations", "--fail-on", "late")
    assert result.exit_code == 2


def test_mark_a_path_then_it_is_up_to_date(kb_repo) -> None:
    repo = kb_repo("translations-basic")
    path = repo / "articles/sv/billing/refunds.md"
    before = path.read_bytes()
    result = run("-C", str(repo), "translations", "mark", "articles/sv/billing/refunds.md")
    assert result.exit_code == 0, result.output
    assert "Marked 1 translation(s) up to date:" in result.stdout
    assert "source_hash 49e530200e7f (of articles/en/billing/refunds.md)" in result.stdout
    assert path.read_bytes() == before.replace(b"0123456789ab", b"49e530200e7f")
    result = run("-C", str(repo), "translations", "--fail-on", "stale", "--locale", "sv")
    assert result.exit_code == 0, result.output
    # marking again changes nothing
    result = run("-C", str(repo), "translations", "mark", "refunds", "--locale", "sv")
    assert result.exit_code == 0, result.output
    assert "already up to date" in result.stderr
    assert path.read_bytes() == before.replace(b"0123456789ab", b"49e530200e7f")


def test_mark_dry_run_writes_nothing(kb_repo) -> None:
    repo = kb_repo("translations-basic")
    path = repo / "articles/sv/billing/invoices.md"
    before = path.read_bytes()
    result = run("-C", str(repo), "translations", "mark", str(path), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "+source_hash: e2070869928f" in result.stdout
    assert "Dry run: would mark 1 translation(s)" in result.stderr
    assert path.read_bytes() == before


def test_mark_a_batch_needs_yes_and_commits(kb_repo) -> None:
    repo = kb_repo("translations-basic")
    args = ("-C", str(repo), "translations", "mark", "--locale", "sv", "--status", "stale")
    result = run(*args)
    assert result.exit_code == 2
    assert "1 translation(s) selected; pass --yes" in result.stderr
    git(repo, "config", "user.name", "Tove Translator")
    git(repo, "config", "user.email", "tove@example.com")
    result = run(*args, "--yes", "--commit")
    assert result.exit_code == 0, result.output
    assert "Committed " in result.stdout
    message = git(repo, "log", "-1", "--format=%B")
    assert message.startswith("Update translation sv/refunds\n")
    assert "Kbtool-Translation: sv" in message
    assert git(repo, "status", "--porcelain").strip() == ""


def test_mark_refusals(kb_repo) -> None:
    repo = kb_repo("translations-basic")
    result = run("-C", str(repo), "translations", "mark")
    assert result.exit_code == 2
    assert "say which translations to mark" in result.stderr
    result = run("-C", str(repo), "translations", "mark", "articles/en/billing/refunds.md")
    assert result.exit_code == 2
    assert "not a translation (it is in the source locale 'en')" in result.stderr
    result = run("-C", str(repo), "translations", "mark", "articles/sv/billing/customs.md")
    assert result.exit_code == 2
    assert "no source to mark against" in result.stderr
    assert "sv/billing/customs.md" in result.stderr
    for r in (result,):
        assert "Traceback" not in r.output and len(r.stderr.strip().splitlines()) == 1


def test_mark_broken_front_matter_is_one_line_and_writes_nothing(kb_repo) -> None:
    repo = kb_repo("translations-basic")
    path = repo / "articles/sv/billing/refunds.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("title: Å", "title: [Å"), encoding="utf-8"
    )
    before = path.read_bytes()
    result = run("-C", str(repo), "translations", "mark", str(path))
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1 and "refunds.md" in line
    assert "cannot be edited safely" in line
    assert path.read_bytes() == before
    assert not list(path.parent.glob(".*.tmp"))


def test_help_has_examples() -> None:
    for args in (("translations", "--help"), ("translations", "mark", "--help")):
        result = run(*args)
        assert result.exit_code == 0
        assert "Examples:" in result.stdout
