"""The language layer under the KB4xx rules: sentences, syllables, formulas, and KB405's fix.

The rules' behaviour on whole articles is in the case files (`cases/KB4*`);
these tests pin the pieces a case file cannot show exactly.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kbtool.config import load_config
from kbtool.corpus import load_corpus
from kbtool.language import (
    base_language,
    count_units,
    flesch_reading_ease,
    lix,
    split_sentences,
    syllables,
    total_syllables,
)
from kbtool.lint.engine import lint, settings_from_config
from kbtool.lint.fix import apply_fixes

CASES = Path(__file__).parent / "cases"


@pytest.mark.parametrize(
    ("locale", "base"),
    [
        ("en", "en"),
        ("de-de", "de"),
        ("zh-CN", "zh"),
        ("ja_JP", "ja"),
        ("nn-NO", "nb"),
        ("no", "nb"),
        ("", ""),
    ],
)
def test_base_language(locale: str, base: str) -> None:
    assert base_language(locale) == base


def test_english_sentences_respect_abbreviations_numbers_and_lower_case() -> None:
    text = (
        "Select No. Series, e.g. the first one. Version 3.5 is in config.json! "
        'Is it? yes, it is. "Quoted." Next'
    )
    assert split_sentences(text, "en") == [
        "Select No. Series, e.g. the first one",
        "Version 3.5 is in config.json",
        "Is it? yes, it is",
        '"Quoted',
        "Next",
    ]


def test_a_line_break_always_ends_a_sentence() -> None:
    assert split_sentences("A list item without a stop\nnext item", "en") == [
        "A list item without a stop",
        "next item",
    ]


def test_german_and_swedish_abbreviations() -> None:
    assert split_sentences("Das ist z. B. ein Test. Nr. 5 ist gut.", "de") == [
        "Das ist z. B. ein Test",
        "Nr. 5 ist gut.",
    ]
    assert split_sentences("Se t.ex. Det här. Slut", "sv") == ["Se t.ex. Det här", "Slut"]


def test_cjk_sentences_end_at_full_width_marks_without_spaces() -> None:
    text = "如果您忘记了密码，可以设置新密码。整个过程只需几分钟！需要帮助吗？好"
    assert split_sentences(text, "zh") == [
        "如果您忘记了密码，可以设置新密码",
        "整个过程只需几分钟",
        "需要帮助吗",
        "好",
    ]
    assert split_sentences("ログインします。次へ", "ja") == ["ログインします", "次へ"]


def test_cjk_length_counts_a_latin_word_as_one_character() -> None:
    assert count_units("打开Rateflow登录页面") == 7
    assert count_units("版本 2.4.6 已发布。") == 7  # 版 本 2.4.6 已 发 布 。


@pytest.mark.parametrize(
    ("word", "count"),
    [
        ("the", 1),
        ("table", 2),
        ("create", 2),
        ("created", 3),
        ("posted", 2),
        ("sales", 1),
        ("entries", 2),
        ("value", 2),
        ("layout", 2),
        ("automatically", 5),
        ("isn't", 2),
        ("don't", 1),
        ("API", 3),
        ("UI", 2),
        ("period", 3),
        ("business", 2),
        ("2024", 1),
    ],
)
def test_english_syllables(word: str, count: int) -> None:
    assert syllables(word) == count


def test_tokens_without_a_word_are_not_words() -> None:
    assert total_syllables(["Select", "-", "(settings),", "—"]) == (2, 4)


def test_formulas() -> None:
    assert flesch_reading_ease(100, 10, 150) == pytest.approx(206.835 - 10.15 - 126.9)
    assert lix(100, 10, 30) == pytest.approx(40.0)
    assert flesch_reading_ease(0, 0, 0) == 0.0
    assert lix(0, 0, 0) == 0.0


def _lint_case(tmp_path: Path, name: str, code: str) -> tuple[Path, list]:  # type: ignore[type-arg]
    root = tmp_path / "kb"
    target = root / "articles" / "en" / "cases" / name
    target.parent.mkdir(parents=True)
    shutil.copyfile(CASES / name, target)
    config, _ = load_config(root)
    result = lint(load_corpus(config, with_git=False), settings_from_config(config, select=[code]))
    return target, [d for d in result.diagnostics if d.code == code]


def test_repeated_word_fix_removes_only_the_second_word(tmp_path: Path) -> None:
    path, found = _lint_case(tmp_path, "KB405-repeated-words.md", "KB405")
    assert len(found) == 3 and all(d.fix for d in found)
    before = path.read_text(encoding="utf-8")
    after, applied, skipped = apply_fixes(before, [d.fix for d in found if d.fix])
    assert len(applied) == 3 and not skipped
    assert "Select the review you want to answer." in after
    # across a line break the break stays: the word moves out of the second line
    assert "Write a short reply and select\n**Publish**." in after
    assert "The reply is public." in after
    assert (
        before.replace("the the", "the")
        .replace("select\nselect ", "select\n")
        .replace("The the", "The")
        == after
    )


def test_long_sentence_points_at_the_line_where_it_starts(tmp_path: Path) -> None:
    _, found = _lint_case(tmp_path, "KB402-long-sentences.md", "KB402")
    second = [d for d in found if "The next sentence" in d.message]
    assert second and second[0].column == 1
    assert found[0].line == 6 and found[0].column == 24  # after "Open the billing page. "


def test_placeholders_in_front_matter_point_at_the_value(tmp_path: Path) -> None:
    _, found = _lint_case(tmp_path, "KB403-template-not-filled-in.md", "KB403")
    title = next(d for d in found if "`title`" in d.message)
    assert (title.line, title.column, title.end_column) == (3, 8, 12)
