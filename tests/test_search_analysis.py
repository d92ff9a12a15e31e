"""Analysis per language: what article text and queries become in the index."""

from __future__ import annotations

import pytest

from kbtool.search.analysis import compound_splits, language_for, script_of, terms, tokens
from kbtool.search.query import Clause, parse_query


def test_english_stems_and_folds_accents() -> None:
    en = language_for("en")
    assert terms("Resetting passwords", en) == terms("reset password", en)
    assert terms("café naïve", en) == ["cafe", "naiv"]


def test_english_keeps_phrasal_particles_for_phrases() -> None:
    # "sign in" must not collapse to "sign": phrase queries and synonyms depend on it
    assert terms("sign in", language_for("en")) == ["sign", "in"]


@pytest.mark.parametrize(
    ("inflected", "base"),
    [
        ("lösenordet", "lösenord"),  # definite form
        ("fakturan", "faktura"),
        ("fakturor", "faktura"),  # plural
        ("återställning", "återställa"),  # -ning noun of the verb
        ("inloggningen", "inloggning"),
    ],
)
def test_swedish_inflections_meet(inflected: str, base: str) -> None:
    sv = language_for("sv")
    assert terms(inflected, sv) == terms(base, sv)


def test_swedish_keeps_its_letters() -> None:
    sv = language_for("sv")
    assert not sv.fold
    assert terms("får", sv) != terms("far", sv)


def test_swedish_compound_splits_into_known_parts() -> None:
    sv = language_for("sv")
    splits = compound_splits("lösenordsåterställning", sv)
    assert (terms("lösenord", sv)[0], terms("återställning", sv)[0]) in splits
    assert compound_splits("lösenord", language_for("en")) == []


def test_chinese_words_are_segmented() -> None:
    zh = language_for("zh-cn")
    assert zh.segmentation == "jieba"
    got = terms("我无法登录我的账户", zh)
    assert "登录" in got and "账户" in got and "无法" in got
    assert "的" not in got  # stop word
    # a long word also yields its dictionary words at the same position
    parts = list(tokens("密码重置问题", zh))
    assert {t.term for t in parts} >= {"密码", "重置"}


def test_japanese_uses_bigrams_and_latin_words() -> None:
    ja = language_for("ja-jp")
    assert terms("パスワード API", ja) == ["パス", "スワ", "ワー", "ード", "api"]


def test_korean_uses_bigrams() -> None:
    assert terms("비밀번호", language_for("ko")) == ["비밀", "밀번", "번호"]


def test_override_and_unknown_analyzer() -> None:
    assert language_for("xx", "simple").stem is False
    assert language_for("de-de").compounds
    with pytest.raises(ValueError, match="unknown analyzer"):
        language_for("en", "klingon")


def test_script_detection() -> None:
    assert script_of("忘记密码") == "zh"
    assert script_of("パスワード") == "ja"
    assert script_of("비밀번호") == "ko"
    assert script_of("reset password") == "latin"


def test_query_syntax() -> None:
    assert parse_query('reset "sign in" -google type:how-to error:404') == (
        Clause("reset"),
        Clause("sign in", phrase=True),
        Clause("google", negated=True),
        Clause("how-to", field="type"),
        Clause("error:404"),
    )
    assert parse_query('"unclosed phrase') == (Clause("unclosed phrase", phrase=True),)
    assert parse_query("  -  ") == ()


# The index's own fast paths (`KbAnalyzer.positions`, the positions encoder) must
# write exactly the postings Whoosh's generic token pipeline would.
_SAMPLES = {
    "en": "Reset your password: sign in, then select Forgot password. Café résumé 2024 x",
    "sv": "Lösenordet återställs från inloggningssidan; återställning av lösenord",
    "de": "Das Passwort zurücksetzen über die Anmeldeseite, Kennwortänderung",
    "zh-cn": "忘记密码怎么办？在登录页面选择忘记密码重置 API 密钥",
    "ja": "パスワードをリセットするにはログインページで選択 reset API键 ログインpage2 a字b",
    "ko": "비밀번호를 재설정하려면 로그인 페이지에서 선택 reset 키",
}


@pytest.mark.parametrize("locale", sorted(_SAMPLES))
def test_fast_postings_equal_whoosh_postings(locale: str) -> None:
    from whoosh import formats

    from kbtool.search.analysis import KbAnalyzer
    from kbtool.search.schema import Positions

    analyzer = KbAnalyzer(language_for(locale))
    text = (_SAMPLES[locale] + "\n") * 3 + " ".join(["filler"] * 300) + " password"
    expected = sorted(formats.Positions().word_values(text, analyzer))
    assert sorted(Positions().word_values(text, analyzer)) == expected


@pytest.mark.parametrize("locale", ["ja", "ko"])
def test_fast_bigram_words_equal_token_words(locale: str) -> None:
    from kbtool.search.analysis import spell_words, tokens

    language = language_for(locale)
    text = _SAMPLES[locale] + " Reset 字"
    expected = {t.word for t in tokens(text, language, stops=frozenset()) if not t.part}
    assert spell_words(text, language) == expected


def test_positions_encoding_is_whoosh_encoding() -> None:
    from whoosh import formats

    from kbtool.search.schema import Positions

    whoosh, ours = formats.Positions(), Positions()
    for poslist in ([0], [5], [127], [128], [16383], [16384], [3, 3], [1, 200, 70_000], [9] * 4):
        assert ours.encode(poslist) == whoosh.encode(poslist)
        assert ours.decode_positions(ours.encode(poslist)) == poslist
