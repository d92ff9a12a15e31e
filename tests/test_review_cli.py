"""`kbtool review` and `kbtool review plan` on the command line: wiring, formats, exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from cliutil import article, run, write_kb
from conftest import KbFactory
from gitutil import commit_all, init_repo, isolate_git

AS_OF = "2026-11-23"


def review(kb: Path, *args: str, env: dict[str, str | None] | None = None) -> Any:
    return run("-C", str(kb), "review", "--as-of", AS_OF, *args, env=env)


def review_json(kb: Path, *args: str) -> dict[str, Any]:
    result = review(kb, "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.fixture
def states(kb_repo: KbFactory) -> Path:
    return kb_repo("review-states")


def test_table_grouped_by_owner_with_summary(states: Path) -> None:
    result = review(states)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "account-team (10: 4 overdue, 3 due soon, 3 ok; 60% on schedule)" in out
    assert "unassigned (1: 1 never reviewed; 0% on schedule)" in out
    assert "\x1b[" not in out  # not a terminal: no colour codes
    lines = out.splitlines()
    assert lines[-1] == (
        "As of 2026-11-23: 6 overdue, 4 due soon, 2 never reviewed, 4 ok: 50% on schedule (8 of 16)"
    )
    # the most overdue first within a group
    month_end = out.index("articles/en/account/month-end.md")
    assert month_end < out.index("articles/en/account/overdue.md")
    assert "268 days overdue" in out
    assert "never (last edited 2026-01-15)" in out
    # groups in name order, unassigned last
    assert out.index("@acme/account-team") < out.index("account-team (") < out.index("unassigned (")


@pytest.mark.parametrize("by", ["section", "locale", "status", "type", "none"])
def test_group_by(states: Path, by: str) -> None:
    result = review(states, "--group-by", by)
    assert result.exit_code == 0, result.stderr
    heading = {
        "section": "billing (2: 2 overdue; 0% on schedule)",
        "locale": "sv (1: 1 due soon; 100% on schedule)",
        "status": "never reviewed (2)",
        "type": "announcement (2: 1 overdue, 1 ok; 50% on schedule)",
        "none": "status",
    }[by]
    assert heading in result.stdout
    if by != "owner":
        assert "owner" in result.stdout.splitlines()[2 if by != "none" else 0]


def test_json_schema_and_filters(states: Path) -> None:
    data = review_json(states)
    assert data["schema"] == "kbtool.review/1"
    assert data["as_of"] == AS_OF
    assert data["summary"] == {
        "total": 16,
        "overdue": 6,
        "due_soon": 4,
        "never_reviewed": 2,
        "ok": 4,
        "on_schedule": 8,
        "on_schedule_pct": 50.0,
    }
    assert data["policy"]["default_interval"] == "quarterly"
    assert data["policy"]["due_soon"] == "14d"
    assert data["policy"]["intervals"]["locale"] == {"sv": "half-yearly"}
    assert data["codeowners"] == ".github/CODEOWNERS"
    first = data["articles"][0]
    assert first == {
        "path": "articles/en/account/month-end.md",
        "id": "month-end",
        "locale": "en",
        "title": "Reviewed on 30 November",
        "section": "account",
        "type": None,
        "article_status": "published",
        "status": "overdue",
        "last_reviewed": "2025-11-30",
        "reviewed_by": None,
        "due": "2026-02-28",
        "days_overdue": 268,
        "interval": "quarterly",
        "interval_months": 3,
        "interval_days": 0,
        "interval_source": "default",
        "owner": "account-team",
        "owners": ["account-team"],
        "owner_source": "front-matter",
        "last_edited": "2026-01-15",
        "changed_since_review": False,
        "notes": [],
    }
    # --status narrows the list; the summary still describes the whole scope
    overdue = review_json(states, "--status", "overdue")
    assert [a["status"] for a in overdue["articles"]] == ["overdue"] * 6
    assert overdue["summary"]["total"] == 16
    assert overdue["filters"]["status"] == ["overdue"]
    # the other filters narrow the scope, summary included
    billing = review_json(states, "--section", "billing")
    assert billing["summary"]["total"] == 2
    sv = review_json(states, "--locale", "sv", "--owner", "@acme/swedish")
    assert [a["path"] for a in sv["articles"]] == ["articles/sv/account/overdue.md"]
    news = review_json(states, "--type", "announcement", "--status", "ok,due-soon")
    assert [a["id"] for a in news["articles"]] == ["launch"]
    unowned = review_json(states, "--owner", "unassigned")
    assert [a["id"] for a in unowned["articles"]] == ["bad-date"]
    drafts = review_json(states, "--include-drafts", "--include-archived")
    assert drafts["summary"]["total"] == 18


def test_csv(states: Path) -> None:
    result = review(states, "--format", "csv", "--status", "never-reviewed")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["path"] for r in rows] == [
        "articles/en/account/bad-date.md",
        "articles/en/account/never.md",
    ]
    assert rows[1]["owner"] == "@acme/account-team"
    assert rows[1]["owner_source"] == "codeowners"
    assert rows[1]["last_edited"] == "2026-01-15"
    assert rows[1]["due"] == ""
    assert "not a date" in rows[0]["notes"]
    assert "6 overdue, 4 due soon" in result.stderr  # the summary goes to stderr


def test_markdown(states: Path) -> None:
    result = review(states, "--format", "markdown", "--group-by", "status")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith("# Review status: Review fixture\n")
    assert "## overdue (6)" in out
    assert (
        "| overdue | 268 days overdue | `articles/en/account/month-end.md` | "
        "Reviewed on 30 November | 2025-11-30 | 2026-02-28 | quarterly | account-team |" in out
    )


def test_output_file_is_plain_text(states: Path, tmp_path: Path) -> None:
    target = tmp_path / "review.txt"
    result = review(states, "-o", str(target), env={"FORCE_COLOR": "1"})
    assert result.exit_code == 0, result.stderr
    text = target.read_text(encoding="utf-8")
    assert "\x1b[" not in text
    assert "month-end.md" in text
    assert result.stdout == ""


def test_html_is_self_contained_and_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git(monkeypatch)
    kb = write_kb(
        init_repo(tmp_path / "kb"),
        {
            "articles/en/x/evil.md": article(
                title='"<script>alert(1)</script> & co"',
                owner="'<b>bold</b>'",
                last_reviewed="2026-01-01",
            ),
        },
    )
    commit_all(kb, "Add")
    out = tmp_path / "review.html"
    result = review(kb, "--format", "html", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    assert "http://" not in page and "https://" not in page  # nothing fetched at run time


def test_markdown_cells_escape_pipes(tmp_path: Path) -> None:
    kb = write_kb(
        tmp_path / "kb",
        {
            "articles/en/x/pipe.md": article(title='"A | B"', last_reviewed="2026-01-01"),
        },
    )
    result = review(kb, "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    assert "| A \\| B |" in result.stdout


# --------------------------------------------------------------------------- --fail-on


def test_fail_on_overdue_exits_1_with_a_short_list(states: Path) -> None:
    result = review(states, "--fail-on", "overdue", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["summary"]["overdue"] == 6  # the report still printed
    err = result.stderr.splitlines()
    assert "kbtool: review: 6 article(s) overdue (--fail-on overdue):" in err
    assert "  articles/en/account/month-end.md: 268 days overdue (account-team)" in err


def test_fail_on_includes_the_more_urgent_statuses(states: Path) -> None:
    result = review(states, "--fail-on", "never-reviewed", "--section", "account", "--locale", "en")
    assert result.exit_code == 1
    assert "6 article(s) overdue or never reviewed (--fail-on never-reviewed)" in result.stderr
    assert (
        "  articles/en/account/never.md: never reviewed, last edited 2026-01-15 "
        "(@acme/account-team)"
    ) in result.stderr


def test_fail_on_passes_when_nothing_is_that_bad(states: Path) -> None:
    result = review(states, "--fail-on", "overdue", "--section", "news")
    assert result.exit_code == 0, result.stderr
    result = review(states, "--fail-on", "due-soon", "--section", "news")
    assert result.exit_code == 0, result.stderr


def test_fail_on_list_is_capped(tmp_path: Path) -> None:
    kb = write_kb(
        tmp_path / "kb",
        {f"articles/en/x/a{n:02d}.md": article(last_reviewed="2025-01-01") for n in range(25)},
    )
    result = review(kb, "--fail-on", "overdue")
    assert result.exit_code == 1
    assert "  ... and 5 more" in result.stderr
    assert len([ln for ln in result.stderr.splitlines() if ln.startswith("  articles/")]) == 20


def test_changed_since_checks_only_what_a_pull_request_touches(states: Path) -> None:
    base = states / "articles" / "en" / "account" / "overdue.md"
    base.write_text(base.read_text(encoding="utf-8") + "\nMore text.\n", encoding="utf-8")
    (states / "articles" / "en" / "news" / "new.md").write_text(
        article(last_reviewed="2026-11-20", owner="marketing"), encoding="utf-8"
    )
    data = review_json(states, "--changed-since", "HEAD")
    assert sorted(a["id"] for a in data["articles"]) == ["new", "overdue"]
    assert data["filters"]["changed_since"] == "HEAD"
    gate = review(states, "--changed-since", "HEAD", "--fail-on", "overdue")
    assert gate.exit_code == 1
    assert "1 article(s) overdue" in gate.stderr
    assert "articles/en/account/overdue.md: 53 days overdue" in gate.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "23/11/2026"], "--as-of: not a date: '23/11/2026'"),
        (["--status", "late"], "unknown review status 'late'"),
        (["--changed-since", "no-such-ref"], "unknown git revision 'no-such-ref'"),
    ],
)
def test_usage_errors_exit_2(states: Path, args: list[str], message: str) -> None:
    result = run("-C", str(states), "review", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_format_choice_is_checked(states: Path) -> None:
    result = review(states, "--format", "xml")
    assert result.exit_code == 2


def test_missing_configured_codeowners_is_a_warning(tmp_path: Path) -> None:
    kb = write_kb(
        tmp_path / "kb",
        {
            "kbtool.toml": '[review]\ncodeowners = "OWNERS"\n',
            "articles/en/x/a.md": article(last_reviewed="2026-11-01"),
        },
    )
    result = review(kb)
    assert result.exit_code == 0
    assert "kbtool: warning: review.codeowners: OWNERS: file not found" in result.stderr


def test_codeowners_problems_are_warnings(tmp_path: Path) -> None:
    kb = write_kb(
        tmp_path / "kb",
        {
            "CODEOWNERS": "*.md @docs\n!secret.md @x\n",
            "articles/en/x/a.md": article(last_reviewed="2026-11-01"),
        },
    )
    data = review_json(kb)
    assert data["articles"][0]["owner"] == "@docs"
    result = review(kb)
    assert "CODEOWNERS:2: '!secret.md': negation (!) is not supported" in result.stderr


def test_mapped_keys_formats_and_gitlab_sections(kb_repo: KbFactory) -> None:
    kb = kb_repo("review-mapped")
    data = review_json(kb)
    got = {a["path"]: (a["status"], a["due"], a["interval"], a["owner"]) for a in data["articles"]}
    team = "@docs-team, @setup-owner, @docs-lead"
    assert got == {
        "docs/stale-cadence.md": ("overdue", "2026-10-28", "180d", "asmith"),
        "docs/overview.md": ("overdue", "2026-11-15", "quarterly", "jdoe"),
        "docs/setup/no-date.md": ("never-reviewed", None, "quarterly", team),
        "docs/setup/install.md": ("due-soon", "2026-12-01", "quarterly", team),
        "docs/cadence.md": ("ok", "2027-03-30", "180d", "jdoe"),
    }
    # one of several owners is enough for --owner
    setup = review_json(kb, "--owner", "setup-owner")
    assert len(setup["articles"]) == 2


def test_empty_selection(states: Path) -> None:
    result = review(states, "--owner", "nobody")
    assert result.exit_code == 0
    assert "No articles match." in result.stdout
    assert "no published articles to review" in result.stdout


# --------------------------------------------------------------------------- review plan


def plan(kb: Path, *args: str) -> Any:
    return run("-C", str(kb), "review", "plan", "--as-of", AS_OF, *args)


def test_plan_table(states: Path) -> None:
    result = plan(states)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith("Review plan, 13 weeks from 2026-11-23\n")
    assert "2026-11-23 to 2027-02-21 (13 weeks)" in out
    assert "backlog of 8 overdue or never reviewed" in out
    assert "Weekly load per owner" in out
    assert "Due in the period" in out
    brief = plan(states, "--brief")
    assert "Due in the period" not in brief.stdout


def test_plan_json_for_a_quarter(states: Path) -> None:
    result = plan(states, "--quarter", "2027Q1", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["schema"] == "kbtool.review-plan/1"
    assert data["period"] == {"label": "2027Q1", "start": "2027-01-01", "end": "2027-03-31"}
    assert data["weeks"][0] == {"week": "2026-W53", "start": "2026-12-28"}
    due = [(e["path"], e["due"]) for e in data["entries"]]
    assert ("articles/en/account/ok.md", "2027-01-01") in due
    assert ("articles/en/news/launch.md", "2027-01-10") in due
    # due 2026-11-30, so again 2027-02-28 (and 30 Nov + a quarter ends in February)
    assert ("articles/en/account/due-soon.md", "2027-02-28") in due
    assert len(data["backlog"]) == 8
    owners = {o["owner"]: o for o in data["owners"]}
    assert owners["account-team"]["backlog"] == 4
    assert sum(owners["account-team"]["weekly"]) == owners["account-team"]["scheduled"]


@pytest.mark.parametrize("fmt", ["markdown", "csv", "html"])
def test_plan_formats(states: Path, fmt: str) -> None:
    result = plan(states, "--weeks", "4", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    if fmt == "markdown":
        assert out.startswith("# Review plan: Review fixture, 4 weeks from 2026-11-23")
        assert "## Weekly load per owner" in out
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert rows[0]["backlog"] == "overdue"
        assert any(r["id"] == "due-today" and r["due"] == "2026-11-23" for r in rows)
    else:
        assert out.startswith("<!DOCTYPE html>") and "</html>" in out


def test_plan_usage_errors(states: Path) -> None:
    both = plan(states, "--quarter", "2027Q1", "--weeks", "3")
    assert both.exit_code == 2
    assert "give --quarter or --weeks, not both" in both.stderr
    bad = plan(states, "--quarter", "next")
    assert bad.exit_code == 2
    assert "not a quarter: 'next'" in bad.stderr


def test_plan_warning_goes_to_stderr(tmp_path: Path) -> None:
    files = {
        f"articles/en/x/busy{n}.md": article(owner="busy", last_reviewed="2026-10-01")
        for n in range(12)
    }
    files.update(
        {
            f"articles/en/x/{o}.md": article(owner=o, last_reviewed="2026-10-01")
            for o in ("a", "b", "c")
        }
    )
    kb = write_kb(tmp_path / "kb", files)
    result = plan(kb, "--format", "json")
    assert result.exit_code == 0
    assert "kbtool: warning: busy has 12 reviews in the period" in result.stderr
    assert json.loads(result.stdout)["warnings"][0].startswith("busy has 12 reviews")


def test_help_of_every_review_command() -> None:
    for args in (["review", "--help"], ["review", "mark", "--help"], ["review", "plan", "--help"]):
        result = run(*args)
        assert result.exit_code == 0
        assert "Examples:" in result.stdout
    top = run("--help")
    assert "review" in top.stdout


def test_plain_columns_line_up_cjk_and_fit_a_terminal() -> None:
    from rich.cells import cell_len

    from kbtool.cli.review_output import Painter, columns

    rows = [
        ["x" * 10, "A long title that goes on and on " * 2, "end"],
        ["y", "短い标题标题标题标题标题标题标题", "e"],
    ]
    lines = columns(["a", "title", "z"], rows, paint=Painter(), max_width=40, shrink=1)
    assert lines[0].startswith("a           title")
    assert lines[1] == "─" * 40
    assert [cell_len(line) for line in lines[2:]] == [40, 38]
    assert lines[2].endswith("…  end") and lines[3].endswith("…  e")
    assert cell_len(lines[2][: lines[2].index("…")]) == cell_len(lines[3][: lines[3].index("…")])
    # no terminal: nothing is cut
    wide = columns(["a", "title", "z"], rows, paint=Painter())
    assert "A long title that goes on and on A long title that goes on and on" in wide[2]
