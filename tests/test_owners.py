"""CODEOWNERS parsing and matching: GitHub and GitLab syntax, gitignore-style patterns."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbtool.owners import base_folder, find_codeowners, load_codeowners, parse_codeowners

GITHUB_EXAMPLE = """\
# The example from GitHub's documentation, trimmed.
*       @global-owner1 @global-owner2
*.js    @js-owner #This is an inline comment.
*.go docs@example.com
/build/logs/ @doctocat
docs/*  docs@example.com
apps/ @octocat
/docs/ @doctocat
/scripts/ @doctocat @octocat
**/logs @octocat
/apps/ @octocat
/apps/github
"""


@pytest.mark.parametrize(
    ("path", "owners"),
    [
        ("README.md", ("@global-owner1", "@global-owner2")),
        ("src/app.js", ("@js-owner",)),
        ("main.go", ("docs@example.com",)),
        # `/build/logs/` matches, but the later `**/logs` wins
        ("build/logs/x.txt", ("@octocat",)),
        ("build/logs/deep/x.txt", ("@octocat",)),
        # `docs/*` then `/docs/`: the later rule wins for files directly in docs/
        ("docs/getting-started.md", ("@doctocat",)),
        ("docs/build-app/troubleshooting.md", ("@doctocat",)),
        ("sub/apps/x.txt", ("@octocat",)),
        ("scripts/run.sh", ("@doctocat", "@octocat")),
        ("deeply/nested/logs/x.txt", ("@octocat",)),
        ("apps/web/x.txt", ("@octocat",)),
        # a rule without owners leaves the path unowned
        ("apps/github/x.txt", ()),
        ("apps/github", ()),
    ],
)
def test_github_example(path: str, owners: tuple[str, ...]) -> None:
    assert parse_codeowners(GITHUB_EXAMPLE).owners_of(path) == owners


def test_last_matching_rule_wins() -> None:
    owners = parse_codeowners("/articles/ @docs\n/articles/en/billing/ @billing\n*.md @md\n")
    assert owners.owners_of("articles/en/billing/refund.md") == ("@md",)
    owners = parse_codeowners("*.md @md\n/articles/ @docs\n/articles/en/billing/ @billing\n")
    assert owners.owners_of("articles/en/billing/refund.md") == ("@billing",)
    assert owners.owners_of("articles/en/account/x.md") == ("@docs",)
    assert owners.owners_of("README.md") == ("@md",)
    assert owners.owners_of("kbtool.toml") is None


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("*.md", "a/b/c.md", True),
        ("*.md", "c.mdx", False),
        ("/*.md", "c.md", True),
        ("/*.md", "a/c.md", False),
        ("docs", "docs/a.md", True),  # a folder name matches everything in it
        ("docs", "x/docs/a.md", True),
        ("docs", "docsx/a.md", False),
        ("docs/", "docs", False),  # trailing slash: folders only
        ("docs/", "a/docs/b.md", True),
        ("/docs/", "a/docs/b.md", False),
        ("docs/*", "docs/a.md", True),
        ("docs/*", "docs/a/b.md", False),  # direct children only
        ("docs/*", "x/docs/a.md", False),  # a middle slash anchors (GitHub)
        ("docs/**", "docs/a/b/c.md", True),
        ("docs/**/*.md", "docs/a.md", True),  # /**/ matches zero folders
        ("docs/**/*.md", "docs/a/b/c.md", True),
        ("docs/**/*.md", "docs/a/b/c.txt", False),
        ("**/logs", "a/b/logs/x", True),
        ("**/logs", "logs/x", True),
        ("a?c.md", "abc.md", True),
        ("a?c.md", "a/c.md", False),  # ? never matches /
        ("*.[mt]d", "x.md", True),
        ("*.[mt]d", "x.td", True),
        ("*.[!m]d", "x.md", False),
        ("*", "any/thing.md", True),
        ("/", "any/thing.md", True),
        ("my\\ file.md", "docs/my file.md", True),
        ("\\#notes.md", "#notes.md", True),
        ("a.b", "axb", False),  # regex characters are literal
    ],
)
def test_patterns(pattern: str, path: str, matches: bool) -> None:
    owners = parse_codeowners(f"{pattern} @x\n", flavor="github")
    assert (owners.owners_of(path) == ("@x",)) is matches


def test_comments_blank_lines_and_inline_comments() -> None:
    text = "\n# a comment\n   \n*.md @a @b # trailing comment @c\n"
    owners = parse_codeowners(text)
    assert owners.owners_of("x.md") == ("@a", "@b")
    assert len(owners.rules) == 1
    assert owners.rules[0].line == 4


def test_negation_is_a_problem_not_a_rule() -> None:
    owners = parse_codeowners("*.md @a\n!secret.md @b\n")
    assert owners.owners_of("secret.md") == ("@a",)
    assert owners.problems and owners.problems[0][0] == 2
    assert "negation" in owners.problems[0][1]


def test_gitlab_sections_combine_and_default_owners() -> None:
    text = """\
*.md @everyone-md

[Documentation] @docs-team
docs/
/docs/api/ @api-writer

^[Optional review][2] @reviewers
/docs/ @optional-owner

[documentation]
docs/legal/ @legal
"""
    owners = parse_codeowners(text)
    assert owners.flavor == "gitlab"
    # default section, then Documentation's last match, then the optional section
    assert owners.owners_of("docs/guide.md") == ("@everyone-md", "@docs-team", "@optional-owner")
    assert owners.owners_of("docs/api/ref.md") == ("@everyone-md", "@api-writer", "@optional-owner")
    # same-named sections (any case) are one: the later rule in it wins
    assert owners.owners_of("docs/legal/terms.md") == ("@everyone-md", "@legal", "@optional-owner")
    assert owners.owners_of("src/x.py") is None


def test_gitlab_unanchored_paths_match_at_any_depth() -> None:
    text = "[Docs]\ndocs/index.md @docs\n"
    assert parse_codeowners(text).owners_of("sub/docs/index.md") == ("@docs",)
    # GitHub anchors a pattern with a slash in the middle
    assert parse_codeowners("docs/index.md @docs\n").owners_of("sub/docs/index.md") is None


def test_character_class_line_is_not_a_section() -> None:
    owners = parse_codeowners("[Dd]ocs/ @docs\n")
    assert owners.flavor == "github"
    assert owners.owners_of("Docs/x.md") == ("@docs",)
    assert owners.owners_of("docs/x.md") == ("@docs",)


def test_find_codeowners_locations(tmp_path: Path) -> None:
    assert find_codeowners(tmp_path) is None
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "CODEOWNERS").write_text("* @docs\n")
    assert find_codeowners(tmp_path) == tmp_path / "docs" / "CODEOWNERS"
    (tmp_path / ".gitlab").mkdir()
    (tmp_path / ".gitlab" / "CODEOWNERS").write_text("* @gitlab\n")
    assert find_codeowners(tmp_path) == tmp_path / ".gitlab" / "CODEOWNERS"
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "CODEOWNERS").write_text("* @github\n")
    assert find_codeowners(tmp_path) == tmp_path / ".github" / "CODEOWNERS"
    (tmp_path / "CODEOWNERS").write_text("* @root\n")
    assert find_codeowners(tmp_path) == tmp_path / "CODEOWNERS"
    (tmp_path / "meta").mkdir()
    (tmp_path / "meta" / "OWNERS").write_text("* @configured\n")
    assert find_codeowners(tmp_path, "meta/OWNERS") == tmp_path / "meta" / "OWNERS"
    assert find_codeowners(tmp_path, "missing/OWNERS") is None


def test_patterns_are_relative_to_the_repository_root(tmp_path: Path) -> None:
    assert base_folder(tmp_path / ".github" / "CODEOWNERS") == tmp_path
    assert base_folder(tmp_path / "docs" / "CODEOWNERS") == tmp_path
    assert base_folder(tmp_path / "CODEOWNERS") == tmp_path
    (tmp_path / ".gitlab").mkdir()
    path = tmp_path / ".gitlab" / "CODEOWNERS"
    path.write_text("/articles/en/ @english\n")
    owners = load_codeowners(path)
    assert owners.flavor == "gitlab"  # read with GitLab's rules because of where it is
    assert owners.owners_of_file(tmp_path / "articles" / "en" / "a.md") == ("@english",)
    assert owners.owners_of_file(tmp_path / "articles" / "sv" / "a.md") is None
    assert owners.owners_of_file(tmp_path.parent / "elsewhere.md") is None


def test_unreadable_bytes_do_not_stop_parsing(tmp_path: Path) -> None:
    path = tmp_path / "CODEOWNERS"
    path.write_bytes(b"\xef\xbb\xbf*.md @docs\n/bad\xff/ @x\n")
    owners = load_codeowners(path)
    assert owners.owners_of("a.md") == ("@docs",)
