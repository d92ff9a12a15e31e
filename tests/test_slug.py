"""Heading anchors as GitHub makes them, explicit `{#id}` anchors, and file-name slugs."""

from __future__ import annotations

import pytest

from kbtool.slug import explicit_anchor, file_slug, slugify, unique_slug

# What github.com (and github-slugger, which copies it) gives for these headings.
GITHUB_ANCHORS = [
    ("Use a backup code!", "use-a-backup-code"),
    ("What's new in 2.0?", "whats-new-in-20"),
    ("Reset your password", "reset-your-password"),
    ("Hello, World!", "hello-world"),
    ("Version 1.2.3", "version-123"),
    ("C++ tips & tricks", "c-tips--tricks"),
    ("Q&A", "qa"),
    ("100% done", "100-done"),
    ("foo_bar baz", "foo_bar-baz"),
    ("Dash-separated words", "dash-separated-words"),
    ("a -- b", "a----b"),
    ("I ♥ unicode", "i--unicode"),
    ("😄 emoji", "-emoji"),
    ("Привет non-latin 你好", "привет-non-latin-你好"),
    ("重置密码", "重置密码"),
    ("如何重置密码？", "如何重置密码"),
    ("パスワードをリセットする", "パスワードをリセットする"),
    ("Über uns", "über-uns"),
    ("हिन्दी में मदद", "हिन्दी-में-मदद"),  # combining vowel signs are marks: kept
    ("Step ² and ½", "step--and-"),  # other numbers (No) go, as on GitHub
    ("Chapter Ⅻ", "chapter-ⅻ"),  # letter numbers (Nl) stay
    ("  Trimmed heading  ", "trimmed-heading"),
    ("Tabs\tand\u00a0spaces", "tabsandspaces"),
]


@pytest.mark.parametrize(("heading", "anchor"), GITHUB_ANCHORS)
def test_slugify_matches_github(heading: str, anchor: str) -> None:
    assert slugify(heading) == anchor


def test_slugify_normalises_to_nfc() -> None:
    decomposed = "Cafe\u0301 menu"  # e + combining acute
    assert slugify(decomposed) == "caf\u00e9-menu"
    assert slugify(decomposed) == slugify("Caf\u00e9 menu")


def test_repeated_headings_get_numbered_like_github() -> None:
    seen: dict[str, int] = {}
    got = [unique_slug(h, seen) for h in ["Steps", "Notes", "Steps", "Steps!", "Notes"]]
    assert got == ["steps", "notes", "steps-1", "steps-2", "notes-1"]


def test_numbered_slug_never_collides_with_a_heading_that_looks_numbered() -> None:
    seen: dict[str, int] = {}
    got = [unique_slug(h, seen) for h in ["Foo", "Foo 1", "Foo", "Foo"]]
    assert got == ["foo", "foo-1", "foo-2", "foo-3"]
    assert len(set(got)) == len(got)


def test_unique_slug_state_is_per_document() -> None:
    first: dict[str, int] = {}
    second: dict[str, int] = {}
    assert unique_slug("Intro", first) == "intro"
    assert unique_slug("Intro", second) == "intro"
    assert unique_slug("Intro", first) == "intro-1"


@pytest.mark.parametrize(
    ("heading", "text", "anchor"),
    [
        ("Billing FAQ {#billing-faq}", "Billing FAQ", "billing-faq"),
        ("Réglages {#settings}  ", "Réglages", "settings"),
        ("Ids may have dots {#v1.2_x:y}", "Ids may have dots", "v1.2_x:y"),
        ("No explicit anchor", "No explicit anchor", None),
        ("Braces {not an id}", "Braces {not an id}", None),
        ("Space inside {#two words}", "Space inside {#two words}", None),
        ("{#id} at the start is text", "{#id} at the start is text", None),
    ],
)
def test_explicit_anchor(heading: str, text: str, anchor: str | None) -> None:
    assert explicit_anchor(heading) == (text, anchor)


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Reset your password!", "reset-your-password"),
        ("Why was I charged twice?", "why-was-i-charged-twice"),
        ("  -- Leading and trailing --  ", "leading-and-trailing"),
        ("snake_case and  double  spaces", "snake-case-and-double-spaces"),
        ("😄 Emoji first", "emoji-first"),
        ("如何重置密码", "如何重置密码"),
        ("!!!", ""),
    ],
)
def test_file_slug(title: str, slug: str) -> None:
    assert file_slug(title) == slug


def test_file_slug_cuts_long_titles_at_a_word_boundary() -> None:
    title = "Configure single sign-on with your identity provider for every workspace you own"
    slug = file_slug(title)
    assert slug == "configure-single-sign-on-with-your-identity-provider-for"
    assert len(slug) <= 60
    assert file_slug("x" * 80) == "x" * 60  # one long word: cut, not emptied
    assert file_slug(title, max_length=20) == "configure-single"
