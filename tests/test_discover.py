"""Discovery: which files are articles, which are section metadata, which locale they are in."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kbtool.corpus.discover import Layout, detect_locales, discover, glob_match, is_locale_code


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\ntitle: x\n---\n", encoding="utf-8")


def rels(found: list[tuple[str, Path]]) -> list[str]:
    return [rel for rel, _ in found]


@pytest.mark.parametrize(
    "name", ["en", "sv", "de-de", "zh-cn", "pt_BR", "ja-jp", "zh-Hant-TW", "es-419", "fil", "EN"]
)
def test_locale_codes(name: str) -> None:
    assert is_locale_code(name)


@pytest.mark.parametrize(
    "name",
    [
        "faq",
        "help",
        "billing",
        "includes",
        "SRB",
        "UBB",
        "media",
        "en-",
        "e",
        "english",
        "xx",
        "de-deutsch",
        "reports",
    ],
)
def test_not_locale_codes(name: str) -> None:
    assert not is_locale_code(name)


@pytest.mark.parametrize(
    ("path", "pattern"),
    [
        ("includes/x.md", "includes/**"),
        ("includes/deep/x.md", "includes/**"),
        ("includes/x.md", "includes/"),
        ("includes/x.md", "/includes/**"),
        ("includes/x.md", "**/includes/**"),
        ("Local/includes/x.md", "**/includes/**"),
        ("TOC.md", "**/TOC.md"),
        ("a/b/TOC.md", "**/TOC.md"),
        ("a/b/TOC.md", "TOC.md"),  # no slash: matches the file name anywhere
        ("a/b/draft-x.md", "draft-*.md"),
        ("a/x.md", "a/*.md"),
        ("a/x1.md", "a/x?.md"),
        ("a/xb.md", "a/x[abc].md"),
        ("a/xz.md", "a/x[!abc].md"),
        ("legal/terms.md", "legal/**/*.md"),
        ("legal/old/terms.md", "legal/**/*.md"),
        ("a+b/(x).md", "a+b/(x).md"),
    ],
)
def test_glob_matches(path: str, pattern: str) -> None:
    assert glob_match(path, pattern)


@pytest.mark.parametrize(
    ("path", "pattern"),
    [
        ("a/includes/x.md", "includes/**"),  # anchored at the top
        ("includes.md", "includes/**"),
        ("a/b/x.md", "a/*.md"),  # `*` stays inside one folder
        ("a/x12.md", "a/x?.md"),
        ("a/xa.md", "a/x[!abc].md"),
        ("a/x.md", "b/**"),
        ("a/TOC.md.bak", "TOC.md"),
        ("a/xtoc.md", "**/toc.md"),
        ("aXb/x.md", "a.b/x.md"),  # `.` is literal
    ],
)
def test_glob_does_not_match(path: str, pattern: str) -> None:
    assert not glob_match(path, pattern)


def test_localized_layout(tmp_path: Path) -> None:
    touch(
        tmp_path,
        "en/account/reset-password.md",
        "en/account/_index.md",
        "en/welcome.md",
        "en/includes/snippet.md",
        "en/account/notes.txt",
        "sv/account/reset-password.md",
        "sv/includes/snippet.md",
        "sv/_index.md",
        ".kbtool/cache.md",
        "en/.drafts/secret.md",
    )
    articles, sections = discover(
        tmp_path, include=["**/*.md"], exclude=["includes/**"], locales=("en", "sv")
    )
    # excludes apply relative to each locale folder; hidden folders are skipped
    assert rels(articles) == [
        "en/account/reset-password.md",
        "en/welcome.md",
        "sv/account/reset-password.md",
    ]
    assert rels(sections) == ["en/account/_index.md", "sv/_index.md"]
    assert all(path == tmp_path / rel for rel, path in articles + sections)


def test_globs_also_match_the_path_with_the_locale(tmp_path: Path) -> None:
    touch(tmp_path, "en/a/x.md", "sv/a/x.md")
    articles, _ = discover(tmp_path, include=["**/*.md"], exclude=["sv/**"], locales=("en", "sv"))
    assert rels(articles) == ["en/a/x.md"]


def test_include_limits_articles_and_never_section_files(tmp_path: Path) -> None:
    touch(
        tmp_path,
        "en/help/a/x.md",
        "en/help/a/_index.md",
        "en/metadata.md",
        "en/license.md",
        "en/help/TOC.md",
    )
    articles, sections = discover(
        tmp_path, include=["help/**/*.md"], exclude=["**/TOC.md"], locales=("en",)
    )
    assert rels(articles) == ["en/help/a/x.md"]
    assert rels(sections) == ["en/help/a/_index.md"]


def test_single_language_layout(tmp_path: Path) -> None:
    touch(
        tmp_path, "account/x.md", "account/_index.md", "top.md", "includes/part.md", "en-notes/y.md"
    )
    articles, sections = discover(tmp_path, include=["**/*.md"], exclude=["includes/**"])
    assert rels(articles) == ["account/x.md", "en-notes/y.md", "top.md"]
    assert rels(sections) == ["account/_index.md"]


def test_markdown_extension_needs_an_include(tmp_path: Path) -> None:
    touch(tmp_path, "a/x.markdown", "a/y.MD", "a/z.md")
    default, _ = discover(tmp_path, include=["**/*.md"], exclude=[])
    assert rels(default) == ["a/z.md"]
    both, _ = discover(tmp_path, include=["**/*.md", "**/*.markdown", "**/*.MD"], exclude=[])
    assert rels(both) == ["a/x.markdown", "a/y.MD", "a/z.md"]


def test_empty_include_means_every_markdown_file(tmp_path: Path) -> None:
    touch(tmp_path, "a/x.markdown", "a/z.md")
    articles, _ = discover(tmp_path, include=[], exclude=[])
    assert rels(articles) == ["a/x.markdown", "a/z.md"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlinks_never_reach_outside(tmp_path: Path) -> None:
    kb = tmp_path / "articles"
    outside = tmp_path / "outside"
    touch(outside, "secret.md", "folder/inner.md")
    touch(kb, "en/a/real.md")
    (kb / "en/a/linked-outside.md").symlink_to(outside / "secret.md")
    (kb / "en/a/linked-inside.md").symlink_to(kb / "en/a/real.md")
    (kb / "en/a/dangling.md").symlink_to(tmp_path / "missing.md")
    (kb / "en/folder").symlink_to(outside / "folder", target_is_directory=True)
    articles, _ = discover(kb, include=["**/*.md"], exclude=[], locales=("en",))
    assert rels(articles) == ["en/a/linked-inside.md", "en/a/real.md"]


def test_missing_folder_finds_nothing(tmp_path: Path) -> None:
    assert discover(tmp_path / "nope", include=["**/*.md"], exclude=[]) == ([], [])


def test_detect_locales(tmp_path: Path) -> None:
    for name in ("en", "sv", "de-de", "assets", "faq", "includes"):
        (tmp_path / name).mkdir()
    (tmp_path / "fr").write_text("a file, not a folder")
    assert detect_locales(tmp_path, ()) == ("de-de", "en", "sv")
    assert detect_locales(tmp_path, ["sv", "en"]) == ("sv", "en")  # configured wins, in order
    assert detect_locales(tmp_path / "missing", ()) == ()


def test_detect_no_locales_in_a_single_language_base(tmp_path: Path) -> None:
    for name in ("account", "billing", "SRB", "UBB", "LocalFunctionality"):
        (tmp_path / name).mkdir()
    assert detect_locales(tmp_path, ()) == ()


def test_layout_split() -> None:
    localized = Layout(locales=("en", "sv"), default_locale="en")
    assert localized.localized
    assert localized.split("sv/account/x.md") == ("sv", "account/x.md")
    assert localized.split("en/x.md") == ("en", "x.md")
    # not under a locale folder: the default locale, path unchanged
    assert localized.split("assets/x.md") == ("en", "assets/x.md")
    assert localized.split("sv") == ("en", "sv")
    single = Layout(locales=(), default_locale="de")
    assert not single.localized
    assert single.split("sv/account/x.md") == ("de", "sv/account/x.md")
