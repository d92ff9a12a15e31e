"""The tags core: rule matching, plans, the coverage matrix and suggestions.

Most tests use `tests/fixtures/tags-basic`, a two-language base whose
`kbtool.toml` has one rule per criterion (type, path, words, meta, labels with
title words, locale with a removal, type with section).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from kbtool.config import Config, TagRuleConfig, TagsConfig, load_config, parse_config
from kbtool.corpus import Article, Corpus, load_corpus
from kbtool.errors import UsageError
from kbtool.tags import (
    CellState,
    compile_rules,
    coverage_matrix,
    plan_tags,
    suggest_tags,
)
from kbtool.tags.rules import phrase_pattern


def _corpus(root: Path) -> Corpus:
    config, problems = load_config(root)
    assert not problems
    return load_corpus(config, with_git=False)


def _article(corpus: Corpus, rel: str) -> Article:
    return next(a for a in corpus.articles if a.rel_path == rel)


def _with_rules(corpus: Corpus, *rules: TagRuleConfig) -> Config:
    return dataclasses.replace(corpus.config, tags=TagsConfig(rules=rules))


@pytest.fixture
def corpus(kb_dir) -> Corpus:  # type: ignore[no-untyped-def]
    return _corpus(kb_dir("tags-basic"))


# --------------------------------------------------------------------------- phrases


@pytest.mark.parametrize(
    ("phrases", "text", "found"),
    [
        (["trial"], "start a free trial today", "trial"),
        (["trial"], "trials are long", None),  # whole words only
        (["trial"], "a pretrial hearing", None),
        (["free trial"], "your free\n  trial starts", "free\n  trial"),  # any white space
        (["sign up"], "sign-up page", None),
        (["api"], "the api.", "api"),
        (["密码"], "重置密码的步骤", "密码"),  # no spaces between words in Chinese
        (["c++"], "write c++ code", "c++"),  # regex characters are literal
        (["pricing", "pricing plans"], "see pricing plans", "pricing plans"),  # longest first
    ],
)
def test_phrase_pattern_finds_whole_words_and_phrases(
    phrases: list[str], text: str, found: str | None
) -> None:
    pattern = phrase_pattern(phrases)
    assert pattern is not None
    match = pattern.search(text)
    assert (match.group(0) if match else None) == found


def test_phrase_pattern_of_nothing_is_none() -> None:
    assert phrase_pattern(["", "  "]) is None


# --------------------------------------------------------------------------- rules


def test_each_criterion_of_the_fixture_rules_matches_where_it_should(corpus: Corpus) -> None:
    plans = {p.article.rel_path: p for p in plan_tags(corpus.articles, corpus.config)}
    hits = {rel: [h.rule for h in p.hits] for rel, p in plans.items()}
    assert hits == {
        "en/help/api-keys.md": ["widget-areas", "api-docs"],
        "en/help/cant-sign-in.md": ["bot-answers-problems"],
        "en/help/export-data.md": [],
        "en/help/old-editor.md": ["bot-answers-problems"],
        "en/help/slow-pages.md": ["bot-answers-problems"],
        "en/news/new-widget.md": ["news-by-email"],
        "en/start/create-account.md": ["start-here-is-new", "buying-words"],
        "en/start/pricing.md": ["start-here-is-new", "buying-words"],
        "sv/start/create-account.md": ["start-here-is-new", "swedish-is-not-searched"],
        "sv/start/invite-team.md": ["start-here-is-new", "swedish-is-not-searched"],
    }


def test_reasons_say_which_value_matched(corpus: Corpus) -> None:
    plans = {p.article.rel_path: p for p in plan_tags(corpus.articles, corpus.config)}
    reasons = {h.rule: h.reasons for h in plans["en/help/api-keys.md"].hits}
    assert reasons == {
        "widget-areas": ("product_area: developers/api",),
        "api-docs": ("label 'API'", "title has 'keys'"),
    }
    create = {h.rule: h.reasons for h in plans["en/start/create-account.md"].hits}
    # "Free  Trial" in the body: letter case and spacing as written, reported normalised
    assert create["buying-words"] == ("text has 'free trial'",)
    assert create["start-here-is-new"] == ("path start/**",)
    pricing = {h.rule: h.reasons for h in plans["en/start/pricing.md"].hits}
    assert pricing["buying-words"] == ("title has 'pricing'",)


def test_plans_add_what_rules_imply_and_keep_hand_set_values(corpus: Corpus) -> None:
    plans = {p.article.rel_path: p for p in plan_tags(corpus.articles, corpus.config)}
    api = plans["en/help/api-keys.md"]
    assert api.before == {"stages": (), "channels": ()}
    assert api.after == {"stages": ("experienced",), "channels": ("in-product",)}
    assert api.decided_by[("stages", "experienced")] == "api-docs"
    pricing = plans["en/start/pricing.md"]
    # the hand-set "agent" stays although no rule adds it
    assert pricing.after == {"stages": ("prospective", "new"), "channels": ("search", "agent")}
    assert pricing.added("stages") == ("new",)
    widget = plans["en/news/new-widget.md"]
    assert not widget.changed and widget.hits


def test_a_rule_removes_only_what_it_names(corpus: Corpus) -> None:
    plans = {p.article.rel_path: p for p in plan_tags(corpus.articles, corpus.config)}
    sv = plans["sv/start/create-account.md"]
    assert sv.removed("channels") == ("search",)
    assert sv.after["channels"] == ("in-product",)
    assert sv.after["stages"] == ("new",)


def test_later_rules_win_and_applying_twice_changes_nothing(corpus: Corpus) -> None:
    config = _with_rules(
        corpus,
        TagRuleConfig(name="add", type=("how-to",), channels=("agent",)),
        TagRuleConfig(name="take", section=("start",), remove_channels=("agent",)),
    )
    (plan,) = plan_tags([_article(corpus, "en/start/create-account.md")], config)
    assert plan.after["channels"] == ("search",)
    assert plan.decided_by[("channels", "agent")] == "take"
    (other,) = plan_tags([_article(corpus, "en/help/api-keys.md")], config)
    assert other.after["channels"] == ("agent",)
    # idempotent: the plan of an article that already has the result changes nothing
    done = dataclasses.replace(other.article, channels=other.after["channels"])
    (again,) = plan_tags([done], config)
    assert not again.changed


def test_a_rule_without_criteria_matches_every_article(corpus: Corpus) -> None:
    config = _with_rules(corpus, TagRuleConfig(channels=("search",)))
    plans = plan_tags(corpus.articles, config)
    assert all(p.hits and p.hits[0].reasons == ("every article",) for p in plans)
    assert all(p.hits[0].rule == "rule 1" for p in plans)  # the default name


def test_every_criterion_must_match(corpus: Corpus) -> None:
    config = _with_rules(
        corpus, TagRuleConfig(name="both", type=("how-to",), locale=("sv",), stages=("new",))
    )
    matched = [p.article.rel_path for p in plan_tags(corpus.articles, config) if p.hits]
    assert matched == ["sv/start/create-account.md", "sv/start/invite-team.md"]


def test_meta_globs_match_raw_values_and_list_items(corpus: Corpus) -> None:
    config = _with_rules(
        corpus,
        TagRuleConfig(name="dev", meta={"product_area": ("developers/*",)}, stages=("new",)),
        TagRuleConfig(name="lbl", meta={"labels": ("tok*",)}, channels=("agent",)),
        TagRuleConfig(name="none", meta={"missing_key": ("*",)}, channels=("email",)),
    )
    (plan,) = plan_tags([_article(corpus, "en/help/api-keys.md")], config)
    assert [(h.rule, h.reasons) for h in plan.hits] == [
        ("dev", ("product_area: developers/api",)),
        ("lbl", ("labels: tokens",)),
    ]


def test_compiled_rules_keep_config_order_and_indexes(corpus: Corpus) -> None:
    rules = compile_rules(corpus.config)
    assert [(r.index, r.name) for r in rules][:2] == [
        (1, "bot-answers-problems"),
        (2, "start-here-is-new"),
    ]


def test_rule_config_problems_name_the_line() -> None:
    text = (
        "[[tags.rules]]\n"  # 1
        'words = ["trial", " "]\n'  # 2
        'stages = ["new"]\n'  # 3
        "[tags.stage_words]\n"  # 4
        'prospektive = ["pricing"]\n'  # 5
    )
    _config, problems = parse_config(text)
    assert [(p.line, p.message) for p in problems] == [
        (2, "'words' has an empty value"),
        (5, "stage 'prospektive' is not in the taxonomy (did you mean 'prospective'?)"),
    ]


# --------------------------------------------------------------------------- matrix


def test_matrix_counts_published_articles_per_stage_and_channel(corpus: Corpus) -> None:
    coverage = coverage_matrix(corpus)
    (m,) = coverage.matrices
    assert coverage.articles == 8  # the draft and the archived article are not counted
    counts = {(s, c): m.count(s, c) for s in m.stages for c in m.channels if m.count(s, c)}
    assert counts == {
        ("prospective", "search"): 1,  # pricing
        ("prospective", "agent"): 1,  # pricing (channels as a "search, agent" string)
        ("new", "search"): 2,  # create-account en and sv
        ("new", "in-product"): 1,  # sv create-account
        ("experienced", "search"): 1,  # cant-sign-in (a block list)
        ("experienced", "email"): 1,  # new-widget
    }
    assert m.untagged == 3  # api-keys, export-data (no front matter), sv invite-team
    assert m.stage_totals == {"prospective": 1, "new": 2, "experienced": 2}
    assert m.channel_totals["search"] == 4
    assert m.cells[("new", "search")] == (
        "en/start/create-account.md",
        "sv/start/create-account.md",
    )


def test_matrix_states_and_gaps(corpus: Corpus) -> None:
    coverage = coverage_matrix(corpus)
    assert coverage.thin == 2  # from the fixture's [tags] thin
    assert coverage.state(0) is CellState.EMPTY
    assert coverage.state(1) is CellState.THIN
    assert coverage.state(2) is CellState.OK
    gaps = coverage.gaps()
    assert len(gaps) == 15 - 1  # every cell but new × search
    assert [g for g in coverage.gaps(1) if g.count] == []
    assert len(coverage.gaps(1)) == 15 - 6
    assert coverage_matrix(corpus, thin=5).gaps()[0].state is CellState.THIN


def test_matrix_by_locale_has_every_locale(corpus: Corpus) -> None:
    coverage = coverage_matrix(corpus, by="locale")
    assert [(m.group, m.articles) for m in coverage.matrices] == [("en", 6), ("sv", 2)]
    sv = coverage.matrices[1]
    assert sv.count("new", "in-product") == 1 and sv.untagged == 1


def test_matrix_by_type_and_section(corpus: Corpus) -> None:
    by_type = coverage_matrix(corpus, by="type")
    assert [m.group for m in by_type.matrices] == [
        "(none)",
        "announcement",
        "how-to",
        "reference",
        "troubleshooting",
    ]
    by_section = coverage_matrix(corpus, by="section")
    assert [m.group for m in by_section.matrices] == ["help", "news", "start"]


def test_matrix_with_rules_counts_implied_tags(corpus: Corpus) -> None:
    coverage = coverage_matrix(corpus, implied=True)
    (m,) = coverage.matrices
    assert coverage.implied
    assert m.count("experienced", "in-product") == 1  # api-keys, from two rules
    assert m.count("experienced", "answer-bot") == 1  # cant-sign-in
    assert m.count("new", "search") == 2  # en create-account and pricing; sv loses search
    assert m.count("prospective", "search") == 2


def test_matrix_counts_drafts_on_request_never_archived(corpus: Corpus) -> None:
    assert coverage_matrix(corpus, include_drafts=True).articles == 9


def test_matrix_leaves_out_values_outside_the_taxonomy(kb_dir) -> None:  # type: ignore[no-untyped-def]
    root = kb_dir("tags-basic")
    path = root / "articles/en/news/new-widget.md"
    path.write_text(path.read_text().replace("[email]", "[email, fax]"))
    coverage = coverage_matrix(_corpus(root))
    assert coverage.outside_taxonomy == 1
    assert "fax" not in coverage.channels
    assert coverage.matrices[0].count("experienced", "email") == 1


def test_matrix_refuses_an_unknown_grouping(corpus: Corpus) -> None:
    with pytest.raises(UsageError, match="cannot group"):
        coverage_matrix(corpus, by="owner")


# --------------------------------------------------------------------------- suggest


def test_suggest_only_untagged_articles_and_only_missing_fields(corpus: Corpus) -> None:
    suggestions = suggest_tags(corpus, corpus.articles)
    assert [s.article.rel_path for s in suggestions] == [
        "en/help/api-keys.md",
        "en/help/export-data.md",
        "en/help/old-editor.md",
        "en/help/slow-pages.md",
        "sv/start/invite-team.md",
    ]
    slow = next(s for s in suggestions if s.article.rel_path == "en/help/slow-pages.md")
    assert slow.missing == ("stages", "channels")


def test_suggest_ranks_rule_evidence_highest(corpus: Corpus) -> None:
    (api,) = suggest_tags(corpus, [_article(corpus, "en/help/api-keys.md")])
    top = api.for_field("stages")[0]
    assert (top.value, top.evidence[0].kind) == ("experienced", "rule")
    assert top.confidence > 0.9
    assert "api-docs" in top.evidence[0].detail
    kinds = {e.kind for e in top.evidence}
    assert "words" in kinds  # "api" is a word typical of experienced customers
    channel = api.for_field("channels")[0]
    assert (channel.value, channel.evidence[0].kind) == ("in-product", "rule")


def test_suggest_uses_links_and_never_proposes_what_a_rule_removes(corpus: Corpus) -> None:
    (invite,) = suggest_tags(corpus, [_article(corpus, "sv/start/invite-team.md")])
    values = {(p.field, p.value): p for p in invite.proposals}
    assert ("channels", "search") not in values  # the sv rule removes search
    in_product = values[("channels", "in-product")]
    assert any(e.kind == "links" for e in in_product.evidence)


def test_suggest_takes_tags_of_the_source_of_a_translation(kb_dir) -> None:  # type: ignore[no-untyped-def]
    root = kb_dir("tags-basic")
    path = root / "articles/sv/start/create-account.md"
    path.write_text(path.read_text().replace("stages: [new]\n", ""))
    corpus = _corpus(root)
    (s,) = suggest_tags(corpus, [_article(corpus, "sv/start/create-account.md")])
    assert s.missing == ("stages",)
    new = s.for_field("stages")[0]
    assert new.value == "new"
    assert any(
        e.kind == "translation" and "en/start/create-account.md" in e.detail for e in new.evidence
    )


def test_suggest_min_confidence_and_all(corpus: Corpus) -> None:
    strict = suggest_tags(corpus, corpus.articles, min_confidence=0.99)
    assert all(not s.proposals for s in strict)
    everything = suggest_tags(corpus, corpus.articles, every=True)
    assert len(everything) == len(corpus.articles)
    create = next(s for s in everything if s.article.rel_path == "en/start/create-account.md")
    assert ("stages", "prospective") in {(p.field, p.value) for p in create.proposals}
    assert all(p.value not in create.article.stages for p in create.for_field("stages"))
