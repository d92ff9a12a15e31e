"""`kbtool report`: every section's numbers on a repository with known history
(tests/fixtures/report-history/README.md), the golden Markdown, the HTML file, the CLI.

    KBTOOL_UPDATE_GOLDEN=1 python -m pytest tests/test_report.py   # rewrite the golden file

The numbers, as of 2026-11-23 (quarterly reviews, due soon within 14 days):

- published: reset-password (reviewed 06-01, due 09-01), sign-in (01-10, due 04-10),
  refunds (10-20, due 2027-01-20), invoices (08-01, due 11-01), sv reset-password
  (08-10, due 11-10), two-factor (never reviewed); the draft welcome is not counted.
- overdue: sign-in 227 days, reset 83, invoices 22, sv reset 13 -> 4; account-team 3,
  billing-team 1; never reviewed 1; ok 1 (refunds).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest
from cliutil import run
from conftest import FIXTURES
from gitutil import commit_all, init_repo, isolate_git

from kbtool.config import load_config
from kbtool.corpus import load_corpus
from kbtool.report import make_report
from kbtool.report.model import Report
from kbtool.report.render import report_html, report_markdown, report_payload

GOLDEN = Path(__file__).parent / "golden"
AS_OF = dt.date(2026, 11, 23)
STAGES = ("1-2026-06-10", "2-2026-08-15", "3-2026-11-01")


def build_history(dest: Path) -> Path:
    """Commit each stage of the fixture over the previous one, on the date in its name."""
    repo = init_repo(dest)
    for stage in STAGES:
        for child in repo.iterdir():
            if child.name != ".git":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        shutil.copytree(FIXTURES / "report-history" / stage, repo, dirs_exist_ok=True)
        commit_all(repo, f"Stage {stage}", date=f"{stage[2:]}T12:00:00+00:00")
    return repo


@pytest.fixture
def history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate_git(monkeypatch)
    return build_history(tmp_path / "kb")


@pytest.fixture
def report(history: Path) -> Report:
    config, problems = load_config(history)
    assert not problems
    return make_report(load_corpus(config), as_of=AS_OF, since="6m")


def test_inventory(report: Report) -> None:
    inv = report.inventory
    assert (inv.articles, inv.published, inv.load_problems) == (7, 6, 0)
    assert dict(inv.by_locale) == {"en": 6, "sv": 1}
    assert dict(inv.by_section) == {"account": 4, "billing": 2, "getting-started": 1}
    assert dict(inv.by_type) == {"how-to": 5, "faq": 1, "concept": 1}
    assert dict(inv.by_status) == {"published": 6, "draft": 1}


def test_review_health(report: Report) -> None:
    rev = report.review
    s = rev.summary
    assert (s.overdue, s.due_soon, s.never_reviewed, s.ok) == (4, 0, 1, 1)
    assert rev.overdue_by_owner == (("account-team", 3), ("billing-team", 1))
    assert dict(rev.age) == {
        "under 3 months": 1,
        "3-6 months": 3,
        "6-12 months": 1,
        "1-2 years": 0,
        "over 2 years": 0,
        "never reviewed": 1,
    }
    assert rev.due_within == ((30, 0), (90, 1))
    assert [(d.path, d.days) for d in rev.most_overdue] == [
        ("articles/en/account/sign-in.md", 227),
        ("articles/en/account/reset-password.md", 83),
        ("articles/en/billing/invoices.md", 22),
        ("articles/sv/account/reset-password.md", 13),
    ]
    assert rev.due_next == ()


def test_coverage(report: Report) -> None:
    cov = report.coverage
    m = cov.matrix
    assert m.articles == 6 and m.untagged == 0
    assert m.count("new", "search") == 3  # reset en + sv, sign-in
    assert m.count("experienced", "search") == 4  # reset en + sv, invoices, two-factor
    assert m.count("experienced", "agent") == 1  # refunds: thin (thin = 2)
    assert m.count("prospective", "search") == 0  # the only prospective article is a draft
    empty = {(g.stage, g.channel) for g in cov.gaps if g.count == 0}
    assert ("prospective", "search") in empty and ("new", "in-product") in empty
    assert len(empty) == 9
    thin = {(g.stage, g.channel) for g in cov.gaps if g.count > 0}
    assert thin == {("experienced", "agent")}


def test_translations(report: Report) -> None:
    assert report.translations is not None
    (sv,) = report.translations.locales
    assert sv.locale == "sv"
    assert (sv.sources, sv.translated, sv.missing, sv.stale, sv.orphaned) == (5, 1, 4, 0, 0)
    assert sv.up_to_date == 1


def test_quality(report: Report) -> None:
    q = report.quality
    assert q is not None
    assert q.files == 7
    assert q.errors == 0  # stage 3 fixed the broken link
    rules = {r.code: r.count for r in q.by_rule}
    assert rules.get("KB601") == 1  # two-factor has no review date
    assert sum(r.count for r in q.by_rule) == q.errors + q.warnings + q.infos
    assert sum(s.errors + s.warnings + s.infos for s in q.by_section) == sum(rules.values())
    worst = {w.path for w in q.worst}
    assert "articles/en/account/two-factor.md" in worst


def test_trend_from_history(report: Report) -> None:
    assert report.trend is not None and not report.trend.note
    points = [
        (p.date.isoformat(), p.articles, p.overdue, p.lint_errors) for p in report.trend.points
    ]
    assert points == [
        ("2026-05-31", None, None, None),  # before the first commit
        ("2026-06-30", 3, 1, 1),  # sign-in overdue; the broken link in refunds
        ("2026-07-31", 3, 1, 1),
        ("2026-08-31", 5, 2, 1),  # + refunds (due 08-20)
        ("2026-09-30", 5, 3, 1),  # + reset-password (due 09-01)
        ("2026-10-31", 5, 3, 1),  # stage 3 lands on 11-01
        ("2026-11-23", 6, 4, 0),  # the link fixed; invoices and sv reset overdue too
    ]
    commits = [p.commit for p in report.trend.points]
    assert commits[1] == commits[2] and commits[4] == commits[5] and commits[5] != commits[6]


def test_trend_without_git(kb_dir) -> None:  # type: ignore[no-untyped-def]
    root = kb_dir("report-history/3-2026-11-01")
    config, _ = load_config(root)
    report = make_report(load_corpus(config), as_of=AS_OF, since="3m", lint=False)
    assert report.trend is not None and report.trend.points == ()
    assert "no trend" in report.trend.note
    assert report.quality is None


def _normalised(text: str, report: Report) -> str:
    return text.replace(f"kbtool {report.version}", "kbtool VERSION")


def test_markdown_golden(report: Report) -> None:
    text = _normalised(report_markdown(report), report)
    path = GOLDEN / "report.md"
    if os.environ.get("KBTOOL_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"{path} is missing: run with KBTOOL_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def test_json_has_the_same_numbers(report: Report) -> None:
    data = json.loads(json.dumps(report_payload(report)))
    assert data["schema"] == "kbtool.report/1"
    assert data["as_of"] == "2026-11-23"
    assert data["review"]["overdue"] == 4 and data["review"]["overdue_by_owner"] == {
        "account-team": 3,
        "billing-team": 1,
    }
    assert data["coverage"]["cells"]["experienced"]["search"] == 4
    assert data["translations"]["locales"][0]["missing"] == 4
    assert data["quality"]["errors"] == 0
    assert [p["overdue"] for p in data["trend"]["points"]] == [None, 1, 1, 2, 3, 3, 4]
    assert data["search"] is None


def test_html_is_self_contained_and_accessible(report: Report) -> None:
    page = report_html(report)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<script" not in page.lower()
    assert "<link" not in page.lower()
    # the only URL is the SVG namespace: nothing is fetched
    urls = {part.split('"')[0] for part in page.split('="http')[1:]}
    assert urls == {"://www.w3.org/2000/svg"}
    assert page.count('role="img"') == page.count("<svg") >= 5
    assert page.count("<title id=") == page.count("<desc id=") == page.count("<svg")
    assert "Overdue reviews by owner" in page and "0 · gap" in page
    assert "@media print" in page


def test_html_escapes_article_titles(history: Path) -> None:
    path = history / "articles/en/account/sign-in.md"
    path.write_text(
        path.read_text().replace("title: Sign in to Quill", 'title: "<script>alert(1)</script>"')
    )
    config, _ = load_config(history)
    page = report_html(make_report(load_corpus(config), as_of=AS_OF, lint=False))
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_html_renders_in_chromium(report: Report, tmp_path: Path) -> None:
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("chromium is not installed")
    playwright = pytest.importorskip("playwright.sync_api")
    page_file = tmp_path / "report.html"
    page_file.write_text(report_html(report), encoding="utf-8")
    problems: list[str] = []
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
            "--disable-background-networking", "--disable-component-update"]  # fmt: skip
    with playwright.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(chromium), args=args
        )
        try:
            page = context.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on(
                "request",
                lambda r: None if r.url.startswith(("file:", "data:")) else problems.append(r.url),
            )
            page.goto(page_file.as_uri())
            headings = page.locator("h2").all_inner_texts()
            widths = page.evaluate(
                "[...document.querySelectorAll('svg.chart')]"
                ".map(s => s.getBoundingClientRect().width)"
            )
            png = page.screenshot(full_page=True)
        finally:
            context.close()
    assert problems == []
    assert headings[:5] == [
        "Inventory",
        "Review health",
        "Tagging coverage",
        "Translations",
        "Quality",
    ]
    assert all(w > 100 for w in widths)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


# --------------------------------------------------------------------------- CLI


def test_cli_writes_html_by_suffix(history: Path) -> None:
    out = history / "out" / "report.html"
    out.parent.mkdir()
    result = run("-C", str(history), "report", "--as-of", "2026-11-23", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_cli_markdown_and_json(history: Path) -> None:
    md = run("-C", str(history), "report", "--as-of", "2026-11-23", "--no-lint")
    assert md.exit_code == 0, md.stderr
    assert md.stdout.startswith("# Content health: Quill Help")
    assert "## Quality" not in md.stdout
    js = run("-C", str(history), "report", "--as-of", "2026-11-23", "-f", "json", "--since", "3m")
    assert js.exit_code == 0, js.stderr
    data = json.loads(js.stdout)
    assert data["schema"] == "kbtool.report/1" and data["schema_version"] == 1
    assert [p["articles"] for p in data["trend"]["points"]] == [5, 5, 5, 6]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "23/11/2026"], "--as-of: not a date"),
        (["--since", "soon"], "--since: not a period or date"),
        (["--since", "60m"], "at most 36 months"),
        (["--search-log", "nope.csv"], "nope.csv: file not found"),
        (["--search-log", "a.csv", "--tickets", "b.csv"], "not both"),
    ],
)
def test_cli_bad_input_is_one_line_exit_2(history: Path, args: list[str], message: str) -> None:
    result = run("-C", str(history), "report", "--no-lint", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.corpora
@pytest.mark.parametrize(
    ("corpus", "config"),
    [("business-central-en", "business-central"), ("commerce-kb", "commerce-kb")],
)
def test_report_on_real_corpora(corpus: str, config: str) -> None:
    from conftest import CONFIGS, CORPORA

    root = CORPORA / corpus
    if not root.is_dir():
        pytest.skip(f"{root} not found")
    cfg, _ = load_config(root, CONFIGS / f"{config}.toml")
    loaded = load_corpus(cfg)
    report = make_report(loaded, as_of=AS_OF, lint=False)
    assert report.inventory.articles == len(loaded.articles) > 100
    assert sum(n for _, n in report.inventory.by_locale) == report.inventory.articles
    s = report.review.summary
    assert s.total == sum(1 for a in loaded.articles if a.is_published)
    assert sum(n for _, n in report.review.overdue_by_owner) == s.overdue
    assert sum(n for _, n in report.review.age) == s.total
    page = report_html(report)
    assert "<script" not in page.lower()
    if len(loaded.locales) > 1:
        assert report.translations is not None
    assert report_markdown(report).startswith("# Content health:")
