"""Translations on real content: the Adobe Commerce knowledge base (en, de-de, ja-jp)
and the sample help center's Swedish and Chinese translations."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from cliutil import run
from conftest import CONFIGS
from gitutil import commit_all, init_repo, isolate_git

from kbtool.config import load_config
from kbtool.corpus import load_corpus
from kbtool.translations import Basis, TranslationReport, TranslationStatus, translation_report

pytestmark = pytest.mark.corpora

REPO = Path(__file__).resolve().parents[1]
COMMERCE_CONFIG = CONFIGS / "commerce-kb.toml"
# An English article with a German and a Japanese translation.
THEME = "help/how-to/general/reset-a-theme-to-defaults.md"


def commerce_report(root: Path) -> TranslationReport:
    config, problems = load_config(root, COMMERCE_CONFIG)
    assert not [p for p in problems if p.severity == "error"]
    return translation_report(load_corpus(config))


def counts(report: TranslationReport) -> Counter[tuple[str, str]]:
    return Counter((i.locale, i.status.value) for i in report.items)


def test_commerce_leftover_german_translations_are_orphaned(corpora: Path) -> None:
    report = commerce_report(corpora / "commerce-kb")
    assert report.locales == ("de-de", "ja-jp")
    orphans = [i for i in report.items if i.status is TranslationStatus.ORPHANED]
    assert len(orphans) == 18
    assert {i.locale for i in orphans} == {"de-de"}
    assert all(
        i.article.rel_path.startswith("de-de/help/troubleshooting/miscellaneous/") for i in orphans
    )
    assert all("the source was deleted or moved" in i.reason for i in orphans)
    # no git here and the recorded source-git-commit is the upstream repository's:
    # every linked translation is unverified, none is guessed up to date
    assert report.history == "not a git repository"
    assert counts(report) == {
        ("de-de", "orphaned"): 18,
        ("de-de", "unverified"): 210,
        ("ja-jp", "unverified"): 210,
    }
    de, ja = report.coverage
    assert (de.sources, de.translated, de.coverage_pct) == (210, 210, 100.0)
    assert (ja.sources, ja.translated, ja.current) == (210, 210, 0)
    # the three Japanese articles without exl-id are linked by path
    assert Counter(i.link for i in report.items if i.locale == "ja-jp") == {"path": 210}


def test_commerce_cli_lists_the_orphans(corpora: Path) -> None:
    result = run(
        "--config",
        str(COMMERCE_CONFIG),
        "-C",
        str(corpora / "commerce-kb"),
        "translations",
        "--status",
        "orphaned",
        "--format",
        "csv",
        "--fail-on",
        "orphaned",
    )
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 + 18
    assert "18 translation(s) orphaned" in result.stderr


@pytest.fixture
def commerce_repo(corpora: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The Commerce knowledge base committed to a fresh repository on one day."""
    isolate_git(monkeypatch)
    root = tmp_path / "commerce"
    shutil.copytree(corpora / "commerce-kb", root)
    init_repo(root)
    commit_all(root, "Import the Commerce knowledge base")
    return root


def test_commerce_in_git_an_english_edit_makes_its_translations_stale(commerce_repo: Path) -> None:
    report = commerce_report(commerce_repo)
    assert counts(report) == {
        ("de-de", "orphaned"): 18,
        ("de-de", "up-to-date"): 210,
        ("ja-jp", "up-to-date"): 210,
    }
    item = next(i for i in report.items if i.article.rel_path == f"de-de/{THEME}")
    assert item.basis is Basis.GIT
    assert item.notes and "is not a commit of this repository" in item.notes[0]

    source = commerce_repo / "en" / THEME
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("Luma theme", "Luma theme (Adobe's)", 1), encoding="utf-8")
    commit_all(commerce_repo, "Edit one English article", date="2026-06-01T09:00:00+00:00")
    report = commerce_report(commerce_repo)
    stale = sorted(i.article.rel_path for i in report.items if i.status.value == "stale")
    assert stale == [f"de-de/{THEME}", f"ja-jp/{THEME}"]


def test_commerce_mark_records_the_commit_in_source_git_commit(commerce_repo: Path) -> None:
    source = commerce_repo / "en" / THEME
    source.write_text(source.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    sha = commit_all(commerce_repo, "Edit", date="2026-06-01T09:00:00+00:00")
    german = commerce_repo / "de-de" / THEME
    before = german.read_bytes()
    result = run(
        "--config",
        str(COMMERCE_CONFIG),
        "-C",
        str(commerce_repo),
        "translations",
        "mark",
        str(german),
    )
    assert result.exit_code == 0, result.output
    after = german.read_bytes()
    old = b"source-git-commit: 2aeb2355b74d1cdfc62b5e7c5aa04fcd0a654733"
    assert old in before
    assert after == before.replace(old, b"source-git-commit: " + sha.encode())
    report = commerce_report(commerce_repo)
    item = next(i for i in report.items if i.article.rel_path == f"de-de/{THEME}")
    assert (item.status, item.basis) == (TranslationStatus.UP_TO_DATE, Basis.SOURCE_COMMIT)


def test_sample_help_center_has_the_stale_refund_policy_pair() -> None:
    config, _ = load_config(REPO)
    report = translation_report(load_corpus(config))
    assert report.locales == ("sv", "zh-cn")
    stale = [(i.locale, i.article.rel_path) for i in report.items if i.status.value == "stale"]
    assert stale == [
        ("sv", "sv/billing/refund-policy.md"),
        ("zh-cn", "zh-cn/billing/refund-policy.md"),
    ]
    for item in report.items:
        if item.status.value == "stale":
            assert item.basis is Basis.SOURCE_HASH
            assert "f16e72f2b02f" in item.reason
    assert not any(i.status.value == "orphaned" for i in report.items)
    for cov in report.coverage:
        assert cov.translated >= 17 and cov.stale == 1 and cov.orphaned == 0
