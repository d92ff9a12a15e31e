"""Locale-aware everywhere: lint and review treat the sample's Swedish and Chinese
translations in their own language, not as English.

Each test copies real articles of the sample help center (`articles/` of this
repository) into a small knowledge base, sets a limit that the article's own
language rule must trip, and checks that the English rule does not apply.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kbtool.config import load_config
from kbtool.corpus import Corpus, load_corpus
from kbtool.lint.engine import lint, settings_from_config
from kbtool.review import ReviewPolicy

SAMPLE = Path(__file__).resolve().parents[1] / "articles"
ARTICLE = "billing/refund-policy.md"


def make_kb(tmp_path: Path, toml: str, extra: dict[str, str] | None = None) -> Path:
    """A knowledge base with the sample's refund policy in en, sv and zh-cn."""
    root = tmp_path / "kb"
    for locale in ("en", "sv", "zh-cn"):
        target = root / "articles" / locale / ARTICLE
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SAMPLE / locale / ARTICLE, target)
    for rel, text in (extra or {}).items():
        path = root / "articles" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "kbtool.toml").write_text(
        '[kb]\nlocales = ["en", "sv", "zh-cn"]\n' + toml, encoding="utf-8"
    )
    return root


def findings(root: Path, code: str) -> dict[str, list[str]]:
    config, problems = load_config(root)
    assert not [p for p in problems if p.severity == "error"]
    corpus = load_corpus(config, with_git=False)
    result = lint(corpus, settings_from_config(config, select=[code]))
    out: dict[str, list[str]] = {}
    for d in result.diagnostics:
        locale = Path(d.path).parts[1]
        out.setdefault(locale, []).append(d.message)
    return out


@pytest.fixture(autouse=True)
def _sample_present() -> None:
    if not (SAMPLE / "sv" / ARTICLE).is_file() or not (SAMPLE / "zh-cn" / ARTICLE).is_file():
        pytest.skip("the sample help center's translations are not there")


def test_readability_scores_swedish_with_lix_and_english_with_flesch(tmp_path: Path) -> None:
    # limits no real text meets, so each locale's own formula must report
    root = make_kb(
        tmp_path,
        "[lint.options]\nreadability_min = { en = 100 }\nlix_max = { sv = 1 }\n"
        "readability_min_words = 10\n",
    )
    found = findings(root, "KB401")
    assert len(found["en"]) == 1 and "Flesch reading ease" in found["en"][0]
    assert len(found["sv"]) == 1 and "LIX" in found["sv"][0]
    # Chinese has neither formula: no score, no finding
    assert "zh-cn" not in found


def test_sentence_length_counts_chinese_characters_and_swedish_words(tmp_path: Path) -> None:
    root = make_kb(
        tmp_path,
        "[lint.options]\nsentence_max_words = { default = 35, sv = 8 }\n"
        "sentence_max_chars = { zh = 12 }\n",
    )
    found = findings(root, "KB402")
    assert found["sv"] and all(" words; keep it to 8" in m for m in found["sv"])
    assert found["zh-cn"] and all(" characters; keep it to 12" in m for m in found["zh-cn"])
    # English keeps the default 35 words: the per-locale limits do not leak into it
    assert all("keep it to 35" in m for m in found.get("en", []))


def test_link_text_is_judged_in_the_articles_language(tmp_path: Path) -> None:
    def page(text: str) -> str:
        return f"---\ntitle: Links\ndescription: A page of links.\n---\n\n{text}\n"

    root = make_kb(
        tmp_path,
        "",
        {
            "sv/billing/links.md": page("Läs om [klicka här](refund-policy.md)."),
            "zh-cn/billing/links.md": page("请[点击这里](refund-policy.md)。"),
            # the Swedish and Chinese phrases are ordinary words in an English article
            "en/billing/links.md": page(
                "See [här](refund-policy.md) and [这里](refund-policy.md)."
            ),
        },
    )
    found = findings(root, "KB307")
    assert found["sv"] == [
        "link text 'klicka här' does not say where the link goes; use the target's title or task"
    ]
    assert found["zh-cn"] == [
        "link text '点击这里' does not say where the link goes; use the target's title or task"
    ]
    assert "en" not in found


def test_review_interval_per_locale(tmp_path: Path) -> None:
    root = make_kb(tmp_path, '[review.intervals.locale]\nsv = "monthly"\nzh-cn = "6 months"\n')
    config, _ = load_config(root)
    corpus: Corpus = load_corpus(config, with_git=False)
    policy = ReviewPolicy.from_config(config)
    got = {}
    for article in corpus:
        interval, source, _ = policy.interval_for(article)
        got[article.locale] = (str(interval), source)
    assert got["sv"] == ("monthly", "locale sv")
    assert got["zh-cn"] == ("half-yearly", "locale zh-cn")
    # English has no interval of its own: the default
    assert got["en"][1] == "default"
