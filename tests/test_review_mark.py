"""`kbtool review mark`: recording a review changes the review keys and nothing else."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from cliutil import article, run
from conftest import KbFactory
from gitutil import commit_all, git
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbtool.config import load_config, parse_config
from kbtool.corpus import load_corpus, read_article
from kbtool.corpus.discover import Layout
from kbtool.errors import ConflictError
from kbtool.review import REVIEW_TRAILER, apply_marks, prepare_marks, review_corpus

DAY = "2026-11-23"
BOM = b"\xef\xbb\xbf"


def mark(kb: Path, *args: str, input_text: str | None = None) -> Any:
    return run("-C", str(kb), "review", "mark", "--date", DAY, *args, input=input_text)


@pytest.fixture
def states(kb_repo: KbFactory) -> Path:
    return kb_repo("review-states")


def account(kb: Path, name: str) -> Path:
    return kb / "articles" / "en" / "account" / name


def test_marks_one_file_changing_only_the_date(states: Path) -> None:
    path = account(states, "overdue.md")
    before = path.read_bytes()
    result = mark(states, str(path), "--no-by")
    assert result.exit_code == 0, result.stderr
    assert path.read_bytes() == before.replace(
        b"last_reviewed: 2026-07-01", b"last_reviewed: 2026-11-23"
    )
    assert "Marked 1 article(s) reviewed on 2026-11-23:" in result.stdout
    assert "  articles/en/account/overdue.md" in result.stdout


def test_reviewer_from_by_or_git_config(states: Path) -> None:
    path = account(states, "ok.md")
    result = mark(states, str(path), "--by", "Rita Reviewer")
    assert result.exit_code == 0, result.stderr
    assert path.read_text().startswith(
        "---\ntitle: Reviewed recently\nowner: account-team\nlast_reviewed: 2026-11-23\n"
        "reviewed_by: Rita Reviewer\n---\n"
    )
    git(states, "config", "user.name", "Gus Gitconfig")
    other = account(states, "due-soon.md")
    result = mark(states, str(other))
    assert result.exit_code == 0, result.stderr
    assert "reviewed_by: Gus Gitconfig\n" in other.read_text()
    assert "by Gus Gitconfig" in result.stdout


def test_without_a_reviewer_name_it_warns_and_marks(states: Path) -> None:
    path = account(states, "ok.md")
    result = mark(states, str(path))
    assert result.exit_code == 0, result.stderr
    assert "the reviewer is not recorded" in result.stderr
    assert "reviewed_by" not in path.read_text()
    assert "last_reviewed: 2026-11-23" in path.read_text()


def test_ids_and_locales(states: Path) -> None:
    result = mark(states, "overdue", "--no-by")
    assert result.exit_code == 2
    assert "id 'overdue' is in several locales (en, sv); give --locale or the path" in result.stderr
    result = mark(states, "overdue", "--locale", "sv", "--no-by")
    assert result.exit_code == 0, result.stderr
    assert "last_reviewed: 2026-11-23" in (states / "articles/sv/account/overdue.md").read_text()
    assert "last_reviewed: 2026-07-01" in account(states, "overdue.md").read_text()
    result = mark(states, "no-such-id")
    assert result.exit_code == 2
    assert "'no-such-id': no such file, folder, glob or article id" in result.stderr


def test_a_batch_needs_yes_when_nobody_can_be_asked(states: Path) -> None:
    before = account(states, "overdue.md").read_bytes()
    result = mark(states, "--status", "overdue", "--owner", "billing-team", "--no-by")
    assert result.exit_code == 2
    assert "2 article(s) selected; pass --yes" in result.stderr
    assert account(states, "overdue.md").read_bytes() == before
    result = mark(
        states, "--status", "overdue", "--owner", "billing-team", "--no-by", "--yes", "--as-of", DAY
    )
    assert result.exit_code == 0, result.stderr
    billing = states / "articles" / "en" / "billing"
    assert "last_reviewed: 2026-11-23" in (billing / "invoices.md").read_text()
    assert "last_reviewed: 2026-11-23" in (billing / "price-change.md").read_text()
    assert account(states, "overdue.md").read_bytes() == before


def test_a_folder_is_a_batch_and_asks_on_a_terminal(
    states: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kbtool.cli import edits

    monkeypatch.setattr(edits, "interactive", lambda: True)
    folder = states / "articles" / "en" / "billing"
    before = (folder / "invoices.md").read_bytes()
    result = run("-C", str(states), "review", "mark", str(folder), "--no-by", input="n\n")
    assert result.exit_code == 1  # aborted
    assert "Mark these 2 article(s) reviewed on" in result.stderr
    assert (folder / "invoices.md").read_bytes() == before
    result = mark(states, str(folder), "--no-by", input_text="y\n")
    assert result.exit_code == 0, result.stderr
    assert (folder / "invoices.md").read_bytes() != before


def test_dry_run_shows_a_diff_and_writes_nothing(states: Path) -> None:
    path = account(states, "overdue.md")
    before = path.read_bytes()
    result = mark(states, str(path), "--by", "Rita", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert path.read_bytes() == before
    assert "-last_reviewed: 2026-07-01\n+last_reviewed: 2026-11-23\n+reviewed_by: Rita\n" in (
        result.stdout
    )
    assert "Dry run: would mark 1 article(s)" in result.stderr


def test_nothing_selected_and_nothing_said(states: Path) -> None:
    result = mark(states)
    assert result.exit_code == 2
    assert "say which articles to mark" in result.stderr
    result = mark(states, "--status", "overdue", "--owner", "nobody", "--yes")
    assert result.exit_code == 0
    assert "Nothing to mark" in result.stderr


def test_not_an_article(states: Path) -> None:
    result = mark(states, str(states / "kbtool.toml"))
    assert result.exit_code == 2
    assert "not an article of this knowledge base" in result.stderr


def test_mapped_key_format_quotes_crlf_and_bom(kb_repo: KbFactory) -> None:
    kb = kb_repo("review-mapped")
    cadence = kb / "docs" / "cadence.md"
    crlf = kb / "docs" / "setup" / "install.md"
    crlf.write_bytes(BOM + crlf.read_bytes().replace(b"\n", b"\r\n"))
    commit_all(kb, "CRLF and a BOM, as some files have")
    before_cadence, before_crlf = cadence.read_bytes(), crlf.read_bytes()
    result = mark(kb, str(cadence), str(crlf), "--by", "Rita")
    assert result.exit_code == 0, result.stderr
    # the date in the repository's own key and format, its quotes and comment kept
    assert cadence.read_bytes() == before_cadence.replace(
        b'ms.date: "10/01/2026"   # quoted', b'ms.date: "11/23/2026"   # quoted'
    ).replace(b"ms.update-cycle: 180-days\n", b"ms.update-cycle: 180-days\nms.reviewed-by: Rita\n")
    assert crlf.read_bytes() == before_crlf.replace(
        b"ms.date: 09/01/2026\r\n", b"ms.date: 11/23/2026\r\nms.reviewed-by: Rita\r\n"
    )
    data = run("-C", str(kb), "review", "--as-of", DAY, "--format", "json")
    assert '"status": "ok"' in data.stdout


def test_refuses_a_file_changed_since_it_was_read(states: Path) -> None:
    config, _ = load_config(states)
    corpus = load_corpus(config)
    target = next(a for a in corpus.articles if a.id == "ok")
    target.path.write_text(target.path.read_text() + "\nA late edit.\n")
    with pytest.raises(ConflictError, match="changed on disk since it was read"):
        prepare_marks([target], config=config, date=dt.date(2026, 11, 23), by=None)
    # changed between preparing and writing: nothing is written, not even the other files
    corpus = load_corpus(config)
    chosen = [a for a in corpus.articles if a.id in ("ok", "due-soon")]
    changes = prepare_marks(chosen, config=config, date=dt.date(2026, 11, 23), by=None)
    late = chosen[0].path
    late.write_text(late.read_text() + "\nAnother edit.\n")
    other = chosen[1].path.read_bytes()
    with pytest.raises(ConflictError):
        apply_marks(changes)
    assert chosen[1].path.read_bytes() == other


# --------------------------------------------------------------------------- --commit


def identity(repo: Path) -> None:
    git(repo, "config", "user.name", "Rita Reviewer")
    git(repo, "config", "user.email", "rita@example.com")


def test_commit_makes_one_commit_listing_the_articles(states: Path) -> None:
    identity(states)
    head = git(states, "rev-parse", "HEAD").strip()
    result = mark(
        states,
        str(account(states, "overdue.md")),
        str(account(states, "never.md")),
        "--by",
        "Rita Reviewer",
        "--commit",
    )
    assert result.exit_code == 0, result.stderr
    assert git(states, "rev-parse", "HEAD~1").strip() == head
    message = git(states, "log", "-1", "--format=%B")
    assert message.startswith("Review 2 articles (2026-11-23)\n")
    assert "- articles/en/account/overdue.md: Overdue article\n" in message
    assert "- articles/en/account/never.md: Never reviewed\n" in message
    assert f"\n{REVIEW_TRAILER}: 2026-11-23\n" in message
    files = git(states, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(files) == ["articles/en/account/never.md", "articles/en/account/overdue.md"]
    assert git(states, "status", "--porcelain") == ""
    assert "Committed " in result.stdout


def test_commit_refuses_to_sweep_in_other_staged_changes(states: Path) -> None:
    identity(states)
    other = states / "kbtool.toml"
    other.write_text(other.read_text() + "\n# staged\n")
    git(states, "add", "kbtool.toml")
    path = account(states, "overdue.md")
    before = path.read_bytes()
    result = mark(states, str(path), "--no-by", "--commit")
    assert result.exit_code == 2
    assert "other changes are staged for commit (kbtool.toml)" in result.stderr
    assert path.read_bytes() == before  # refused before writing anything


def test_commit_refuses_a_file_with_uncommitted_edits(states: Path) -> None:
    path = account(states, "overdue.md")
    path.write_text(path.read_text() + "\nUnreviewed edit.\n")
    result = mark(states, str(path), "--no-by", "--commit")
    assert result.exit_code == 2
    assert "has uncommitted changes that --commit would sweep into" in result.stderr
    assert "last_reviewed: 2026-07-01" in path.read_text()


def test_a_back_dated_review_commit_is_not_an_edit_after_review(states: Path) -> None:
    path = account(states, "overdue.md")
    path.write_text(path.read_text() + "\nRewritten.\n")
    commit_all(states, "Rewrite", date="2026-11-01T10:00:00+00:00")
    config, _ = load_config(states)
    before = review_corpus(load_corpus(config), as_of=dt.date(2026, 11, 23))
    flagged = {i.article.id for i in before.items if i.changed_since_review}
    assert flagged == {"overdue"}  # reviewed 2026-07-01, rewritten 2026-11-01
    identity(states)
    result = mark(states, str(path), "--date", "2026-11-10", "--no-by", "--commit")
    assert result.exit_code == 0, result.stderr
    after = review_corpus(load_corpus(config), as_of=dt.date(2026, 11, 23))
    assert not any(i.changed_since_review for i in after.items)


# --------------------------------------------------------------------------- the byte guarantee

_KEY = st.from_regex(r"[a-z][a-z0-9_.-]{0,11}", fullmatch=True).filter(
    lambda k: k not in ("last_reviewed", "reviewed_by") and not k.endswith((".", "-"))
)
_WORD = st.from_regex(r"[A-Za-z][A-Za-z0-9 ]{0,10}[A-Za-z0-9]", fullmatch=True)
_VALUE = st.one_of(
    _WORD,
    _WORD.map(lambda w: f'"{w}: quoted"'),
    _WORD.map(lambda w: f"'{w}'"),
    st.integers(-999, 999).map(str),
    st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)).map(dt.date.isoformat),
    st.lists(_WORD, max_size=3).map(lambda ws: "[" + ", ".join(ws) + "]"),
    st.lists(_WORD, min_size=1, max_size=3).map(lambda ws: "".join(f"\n  - {w}" for w in ws)),
    _WORD.map(lambda w: f"|\n  {w}\n  second line"),
    st.just(""),
)
_OLD_REVIEW = st.sampled_from(
    ["2025-01-31", '"2025-01-31"', "'2025-01-31'", "", "null", "2025-01-31T10:00:00"]
)


@st.composite
def front_matter(draw: st.DrawFn) -> tuple[list[str], int | None, str, bool]:
    """Lines of random front matter; where `last_reviewed` is (or None); eol; BOM."""
    keys = draw(st.lists(_KEY, min_size=0, max_size=6, unique=True))
    lines = []
    for key in keys:
        comment = draw(st.sampled_from(["", "  # note", " #x"]))
        value = draw(_VALUE)
        # a comment after a multi-line value would belong to its last line
        lines.append(
            f"{key}:{' ' if value and not value.startswith(chr(10)) else ''}"
            f"{value}{comment if chr(10) not in value else ''}"
        )
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(["# a comment line", "", "#"])))
    at = None
    if draw(st.booleans()):
        at = draw(st.integers(0, len(lines)))
        old = draw(_OLD_REVIEW)
        comment = draw(st.sampled_from(["", "  # reviewed"]))
        lines.insert(at, f"last_reviewed:{' ' if old else ''}{old}{comment}")
    return lines, at, draw(st.sampled_from(["\n", "\r\n"])), draw(st.booleans())


def _expected(lines: list[str], at: int | None, eol: str, new: str) -> list[str]:
    if at is None:
        return [*lines, f"last_reviewed: {new}"]
    out = list(lines)
    after_colon = out[at].removeprefix("last_reviewed:")
    match = re.fullmatch(r" (?P<old>[^\s#]+)(?P<rest>.*)", after_colon)
    if match is None:  # no value: the new one goes right after the colon
        out[at] = f"last_reviewed: {new}{after_colon}"
        return out
    old = match.group("old")
    value = f'"{new}"' if old.startswith('"') else f"'{new}'" if old.startswith("'") else new
    out[at] = f"last_reviewed: {value}{match.group('rest')}"
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    front_matter(),
    st.sampled_from(["Body.\n", "", "# Title\n\n---\nlast_reviewed: x\n"]),
    st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)),
)
def test_mark_preserves_every_other_byte(
    fm: tuple[list[str], int | None, str, bool], body: str, day: dt.date
) -> None:
    lines, at, eol, bom = fm
    config, problems = parse_config("")
    assert not problems

    def render(fm_lines: list[str]) -> bytes:
        text = eol.join(["---", *fm_lines, "---", body.replace("\n", eol)])
        return (BOM if bom else b"") + text.encode("utf-8")

    raw = render(lines)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a.md"
        path.write_bytes(raw)
        loaded, _ = read_article(
            path, "a.md", config=config, layout=Layout(locales=(), default_locale="en")
        )
        assert loaded is not None
        (change,) = prepare_marks([loaded], config=config, date=day, by=None)
        apply_marks([change])
        written = path.read_bytes()
    assert written == render(_expected(lines, at, eol, day.isoformat()))


def test_mark_reads_back_in_the_configured_format(tmp_path: Path) -> None:
    config, _ = parse_config(
        '[fields]\nlast_reviewed = "updated"\ndate_formats = ["%d %B %Y", "%Y-%m-%d"]\n'
    )
    path = tmp_path / "a.md"
    path.write_text(article(title="A", updated="'1 January 2026'"))
    loaded, _ = read_article(
        path, "a.md", config=config, layout=Layout(locales=(), default_locale="en")
    )
    assert loaded is not None and loaded.last_reviewed == dt.date(2026, 1, 1)
    (change,) = prepare_marks([loaded], config=config, date=dt.date(2026, 11, 23), by=None)
    apply_marks([change])
    assert "updated: '23 November 2026'\n" in path.read_text()
    reread, _ = read_article(
        path, "a.md", config=config, layout=Layout(locales=(), default_locale="en")
    )
    assert reread is not None and reread.last_reviewed == dt.date(2026, 11, 23)


def test_a_glob_chooses_articles_as_tags_set_does(states: Path) -> None:
    result = mark(states, "articles/en/account/*.md", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "overdue.md" in result.stdout and "never.md" in result.stdout
