"""load_corpus: articles, sections, field mapping, load problems and git dates."""

from __future__ import annotations

import datetime as dt
import os
import re
import tracemalloc
from pathlib import Path

import pytest
from conftest import FIXTURE_AUTHOR, FIXTURES, KbFactory
from gitutil import commit_all

from kbtool.config import Config, load_config, parse_config
from kbtool.corpus import Article, Corpus, Severity, load_corpus
from kbtool.errors import InputError

UTC = dt.UTC


def load(root: Path, *, with_git: bool = False, paths: tuple[Path, ...] = ()) -> Corpus:
    config, problems = load_config(root)
    assert problems == []
    return load_corpus(config, with_git=with_git, paths=paths)


def configured(root: Path, toml: str) -> Config:
    config, problems = parse_config(toml, root=root)
    assert problems == []
    return config


def by_path(corpus: Corpus) -> dict[str, Article]:
    return {a.rel_path: a for a in corpus}


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------- the basic fixture


def test_basic_loads_every_article_in_both_locales() -> None:
    corpus = load(FIXTURES / "basic")
    assert corpus.problems == ()
    assert corpus.locales == ("en", "sv")
    assert corpus.layout.localized
    assert sorted(by_path(corpus)) == [
        "en/account/delete-your-account.md",
        "en/account/reset-password.md",
        "en/billing/payment-methods-faq.md",
        "en/billing/refund-policy.md",
        "en/getting-started/create-account.md",
        "en/getting-started/send-your-first-parcel.md",
        "en/troubleshooting/label-will-not-print.md",
        "sv/account/reset-password.md",
        "sv/billing/aterbetalningar.md",
        "sv/getting-started/create-account.md",
    ]
    assert len(corpus) == 10
    assert [a.rel_path for a in corpus] == sorted(a.rel_path for a in corpus)


def test_basic_article_fields() -> None:
    corpus = load(FIXTURES / "basic")
    article = corpus.get("en", "send-your-first-parcel")
    assert article is not None
    assert article.path == FIXTURES / "basic/articles/en/getting-started/send-your-first-parcel.md"
    assert article.locale == "en"
    assert article.section == "getting-started"
    assert article.title == "Send your first parcel"
    assert article.type == "how-to"
    assert article.stages == ("new",)
    assert article.channels == ("search", "in-product", "answer-bot")
    assert article.labels == ("send parcel", "book pickup", "shipping label")
    assert article.owner == "onboarding-team"
    assert article.status == "published"
    assert article.is_published
    assert article.last_reviewed == dt.date(2025, 11, 20)
    assert article.review_every == "6 months"
    assert article.product_area == "shipping/booking"
    assert article.translation_of is None
    assert article.slug == "send-your-first-parcel"
    assert article.has_front_matter
    assert article.problems == ()
    # line numbers are lines of the file, front matter included
    lines = article.path.read_text(encoding="utf-8").split("\n")
    for key, line in article.key_lines.items():
        assert lines[line - 1].startswith(f"{key}:"), key
    assert article.field_line("review_every") == 12
    assert article.field_key("last_reviewed") == "last_reviewed"
    assert article.body_line == 15
    assert lines[article.body_line - 1] == ""
    assert lines[article.body_line] == "Sending a parcel takes three steps: book, print, hand over."
    assert article.body.startswith("\nSending a parcel")


def test_basic_defaults_and_translations() -> None:
    corpus = load(FIXTURES / "basic")
    draft = corpus.get("en", "delete-your-account")
    assert draft is not None
    assert draft.status == "draft"
    assert not draft.is_published
    assert draft.last_reviewed is None
    assert draft.field_line("last_reviewed") == 1  # absent: line 1
    sv = corpus.get("sv", "reset-password")
    en = corpus.get("en", "reset-password")
    assert sv is not None and en is not None and sv is not en
    assert sv.title == "Återställ ditt lösenord"
    linked = corpus.get("sv", "aterbetalningar")
    assert linked is not None
    assert linked.translation_of == "refund-policy"
    assert linked.is_translation
    assert corpus.get("sv", "refund-policy") is None


def test_sections_from_index_files_with_fallbacks() -> None:
    corpus = load(FIXTURES / "basic")
    assert sorted(corpus.sections) == [
        ("en", "account"), ("en", "billing"), ("en", "getting-started"), ("sv", "getting-started"),
    ]  # fmt: skip
    account = corpus.section("en", "account")
    assert (account.title, account.position) == ("Account and sign-in", 2)
    assert account.description == "Sign in, keep your account secure and manage your details."
    assert corpus.section("sv", "getting-started").title == "Kom igång"
    # sv has no billing/_index.md: the source locale's metadata stands in
    assert corpus.section("sv", "billing").title == "Billing and payments"
    # no _index.md anywhere: the folder name, humanized
    troubleshooting = corpus.section("en", "troubleshooting")
    assert (troubleshooting.title, troubleshooting.position, troubleshooting.path) == (
        "Troubleshooting",
        1000,
        None,
    )


def test_paths_limit_loading(tmp_path: Path) -> None:
    corpus = load(FIXTURES / "basic", paths=(FIXTURES / "basic/articles/sv",))
    assert [a.rel_path for a in corpus] == [
        "sv/account/reset-password.md",
        "sv/billing/aterbetalningar.md",
        "sv/getting-started/create-account.md",
    ]
    one = FIXTURES / "basic/articles/en/billing/refund-policy.md"
    assert [a.rel_path for a in load(FIXTURES / "basic", paths=(one,))] == [
        "en/billing/refund-policy.md"
    ]
    with pytest.raises(InputError):
        load(FIXTURES / "basic", paths=(tmp_path / "missing",))


def test_missing_articles_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="articles folder not found"):
        load_corpus(Config(root=tmp_path), with_git=False)


def test_single_language_base(tmp_path: Path) -> None:
    write(tmp_path / "articles/account/reset.md", "---\ntitle: Reset\n---\nText\n")
    write(tmp_path / "articles/welcome.md", "# Welcome aboard\n\nText\n")
    write(tmp_path / "articles/account/_index.md", "---\ntitle: Your account\n---\n")
    corpus = load_corpus(configured(tmp_path, '[kb]\ndefault_locale = "de"\n'), with_git=False)
    assert corpus.problems == ()
    assert not corpus.layout.localized
    assert corpus.locales == ("de",)
    articles = by_path(corpus)
    assert (articles["account/reset.md"].locale, articles["account/reset.md"].section) == (
        "de",
        "account",
    )
    welcome = articles["welcome.md"]
    assert welcome.section == "general"  # kb.default_section
    assert welcome.title == "Welcome aboard"  # from the first heading
    assert welcome.id == "welcome"  # from the file stem
    assert not welcome.has_front_matter
    assert corpus.section("de", "account").title == "Your account"


# --------------------------------------------------------------------------- field mapping


MAPPED = """\
[fields]
last_reviewed = ["reviewed", "ms.date"]
type = "ms.topic"
labels = "keywords"
owner = ["owner", "ms.author"]
date_formats = ["%m/%d/%Y", "%d.%m.%Y"]
list_separator = ";"
status_default = "draft"

[fields.values.type]
article = "concept"
"""


def test_field_mapping_and_date_formats(tmp_path: Path) -> None:
    write(
        tmp_path / "articles/a/us.md",
        """\
---
title: US date
ms.date: "04/01/2021"
ms.topic: article
keywords: one; two ;; three
ms.author: jdoe
---
""",
    )
    write(
        tmp_path / "articles/a/eu.md",
        """\
---
title: EU date
reviewed: 14.09.2026
ms.date: 01/01/2020
ms.topic: how-to
owner: team
ms.author: jdoe
keywords: [a, b]
---
""",
    )
    write(tmp_path / "articles/a/iso.md", "---\nms.date: 2026-09-14\nstatus: published\n---\n")
    corpus = load_corpus(configured(tmp_path, MAPPED), with_git=False)
    assert corpus.problems == ()
    us, eu, iso = (by_path(corpus)[f"a/{n}.md"] for n in ("us", "eu", "iso"))
    assert us.last_reviewed == dt.date(2021, 4, 1)
    assert us.field_key("last_reviewed") == "ms.date"
    assert us.field_line("last_reviewed") == 3
    assert us.type == "concept"  # value map
    assert us.field_key("type") == "ms.topic"
    assert us.labels == ("one", "two", "three")
    assert us.owner == "jdoe"
    assert us.status == "draft"  # status_default
    assert us.meta["ms.date"] == "04/01/2021"  # the raw value stays as written
    # the first key present wins
    assert eu.last_reviewed == dt.date(2026, 9, 14)
    assert eu.field_key("last_reviewed") == "reviewed"
    assert eu.owner == "team"
    assert eu.type == "how-to"  # not in the value map: unchanged
    assert eu.labels == ("a", "b")
    # ISO 8601 is always accepted; a YAML date needs no format
    assert iso.last_reviewed == dt.date(2026, 9, 14)
    assert iso.status == "published"


def test_unusable_field_values_are_warnings_on_their_line(tmp_path: Path) -> None:
    write(
        tmp_path / "articles/a/x.md",
        """\
---
title: Fine
last_reviewed: next week
labels:
  - ok
  - [nested]
stages:
  -
  - new
owner: {team: a}
description: 2026-01-05
---
""",
    )
    corpus = load_corpus(Config(root=tmp_path), with_git=False)
    article = by_path(corpus)["a/x.md"]
    assert [(p.line, p.code, p.severity, p.message) for p in corpus.problems] == [
        (3, "field", Severity.WARNING,
         "'last_reviewed': not a date in the configured formats (%Y-%m-%d): 'next week'"),
        (4, "field", Severity.WARNING, "'labels' should be a list of text; one item is a list"),
        (10, "field", Severity.WARNING, "'owner' should be text, not a mapping"),
    ]  # fmt: skip
    assert sorted(article.problems) == list(corpus.problems)
    assert article.last_reviewed is None
    assert article.labels == ()
    assert article.stages == ("new",)  # an empty item is skipped, not an error
    assert article.owner is None
    assert article.description == "2026-01-05"
    assert article.title == "Fine"


def test_misspelled_keys_stay_in_meta() -> None:
    corpus = load(FIXTURES / "broken")
    article = by_path(corpus)["fields/misspelled-keys.md"]
    assert dict(article.meta) == {
        "titel": "Return a parcel",
        "descripton": "Send a parcel back to the sender with a prepaid return label.",
        "lables": ["return", "send back"],
        "owner": "returns-team",
    }
    assert article.title == "Return a parcel"  # from the heading
    assert article.description is None
    assert article.labels == ()
    assert article.key_line("lables") == 4
    assert article.problems == ()


# --------------------------------------------------------------------------- bad input

_EXPECT = re.compile(
    r"<!-- expect-load: (?P<code>\S+) (?P<line>\d+):(?P<column>\d+) (?P<severity>\w+) "
    r'"(?P<message>[^"]*)" -->'
)
BROKEN = sorted((FIXTURES / "broken/articles").rglob("*.md"))


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_broken_fixture_reports_what_each_file_expects(path: Path) -> None:
    corpus = load(FIXTURES / "broken")
    expected = [
        (m["code"], int(m["line"]), int(m["column"]), Severity.parse(m["severity"]), m["message"])
        for m in _EXPECT.finditer(path.read_text(encoding="utf-8"))
    ]
    problems = [p for p in corpus.problems if p.path == path]
    assert len(problems) == len(expected), problems
    for problem, (code, line, column, severity, message) in zip(problems, expected, strict=True):
        assert (problem.code, problem.line, problem.column, problem.severity) == (
            code,
            line,
            column,
            severity,
        )
        assert message in problem.message
        assert "\n" not in problem.message
    # every one of these still loads as an article
    article = next(a for a in corpus if a.path == path)
    assert sorted(article.problems) == problems


def test_broken_fixture_loads_every_file() -> None:
    corpus = load(FIXTURES / "broken")
    assert len(corpus) == len(BROKEN) == 11
    good = by_path(corpus)["good/track-your-parcel.md"]
    assert good.problems == ()
    assert good.last_reviewed == dt.date(2026, 1, 20)
    assert [(str(p.path), p.line, p.column) for p in corpus.problems] == sorted(
        (str(p.path), p.line, p.column) for p in corpus.problems
    )


GOOD = "---\ntitle: Good\nowner: team\n---\n\nBody\n"


def test_bad_bytes_never_stop_loading(tmp_path: Path) -> None:
    folder = tmp_path / "articles/en/bad"
    files = {
        "binary.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "latin1.md": "---\ntitle: Café\n---\nText\n".encode("latin-1"),
        "bom.md": b"\xef\xbb\xbf" + GOOD.encode(),
        "crlf.md": GOOD.replace("\n", "\r\n").encode(),
        "empty.md": b"",
        "blank.md": b"\n \n",
        "huge.md": b"---\ntitle: Huge\n---\n" + b"word " * 300,
        "tabs.md": b"---\ntitle: Tabs\nlabels:\n\t- a\n---\nText\n",
        "control.md": b"---\ntitle: Bell\x07\n---\nText\n",
        "good.md": GOOD.encode(),
    }
    for name, data in files.items():
        write(folder / name, data)
    corpus = load_corpus(configured(tmp_path, "[kb]\nmax_file_size = 1000\n"), with_git=False)
    problems = {(p.path.name, p.code, p.line, p.column, p.severity) for p in corpus.problems}
    assert problems == {
        ("binary.md", "binary", 3, 1, Severity.ERROR),
        ("latin1.md", "encoding", 2, 11, Severity.ERROR),
        ("bom.md", "bom", 1, 1, Severity.WARNING),
        ("crlf.md", "line-endings", 1, 1, Severity.INFO),
        ("empty.md", "empty", 1, 1, Severity.ERROR),
        ("blank.md", "empty", 1, 1, Severity.ERROR),
        ("huge.md", "too-large", 1, 1, Severity.ERROR),
        ("tabs.md", "yaml", 4, 1, Severity.ERROR),
        ("control.md", "yaml", 2, 12, Severity.ERROR),
    }
    # unreadable files are left out; the rest load, with their problems attached
    loaded = {a.path.name: a for a in corpus}
    assert sorted(loaded) == ["bom.md", "control.md", "crlf.md", "good.md", "tabs.md"]
    for name in ("bom.md", "crlf.md", "good.md"):
        article = loaded[name]
        assert (article.title, article.owner, article.body_line) == ("Good", "team", 5), name
        assert article.key_lines == {"title": 2, "owner": 3}
        assert article.body_hash == loaded["good.md"].body_hash
    assert loaded["bom.md"].bom
    assert loaded["crlf.md"].line_ending == "\r\n"
    assert loaded["tabs.md"].meta == {}
    assert loaded["tabs.md"].title == "Tabs"  # falls back to the file stem, humanized
    too_large = next(p for p in corpus.problems if p.code == "too-large")
    assert too_large.message == (
        "file is 1,520 bytes, over the 1,000-byte limit (kb.max_file_size)"
    )


def test_a_huge_file_is_not_read_into_memory(tmp_path: Path) -> None:
    big = write(tmp_path / "articles/en/a/big.md", b"")
    with big.open("wb") as handle:  # sparse: 64 MiB on disk costs nothing
        handle.truncate(64 * 1024**2)
    write(tmp_path / "articles/en/a/ok.md", GOOD)
    tracemalloc.start()
    try:
        corpus = load_corpus(Config(root=tmp_path), with_git=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024**2  # about kb.max_file_size (1 MB), not the file's 64 MiB
    assert [a.path.name for a in corpus] == ["ok.md"]
    (problem,) = corpus.problems
    assert problem.code == "too-large"
    assert problem.message == (
        "file is 67,108,864 bytes, over the 1,000,000-byte limit (kb.max_file_size)"
    )


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path: Path) -> None:
    locked = write(tmp_path / "articles/en/a/locked.md", GOOD)
    write(tmp_path / "articles/en/a/ok.md", GOOD)
    locked.chmod(0)
    try:
        corpus = load_corpus(Config(root=tmp_path), with_git=False)
    finally:
        locked.chmod(0o644)
    assert [a.path.name for a in corpus] == ["ok.md"]
    assert [(p.path.name, p.code, p.line) for p in corpus.problems] == [("locked.md", "io", 1)]


def test_bad_section_file_is_reported_and_the_section_kept(tmp_path: Path) -> None:
    write(tmp_path / "articles/en/billing/_index.md", "---\ntitle: [Billing\n---\n")
    write(tmp_path / "articles/en/billing/x.md", GOOD)
    corpus = load_corpus(Config(root=tmp_path), with_git=False)
    assert [(p.path.name, p.code, p.line) for p in corpus.problems] == [("_index.md", "yaml", 3)]
    assert len(corpus) == 1
    assert corpus.section("en", "billing").title == "Billing"


# --------------------------------------------------------------------------- git dates


def test_git_dates_from_the_fixture_commit(kb_repo: KbFactory) -> None:
    repo = kb_repo("basic")
    corpus = load(repo, with_git=True)
    assert corpus.history is not None and corpus.history.available
    commit_time = dt.datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
    for article in corpus:
        assert article.last_commit is not None, article.rel_path
        assert article.last_commit.date == commit_time
        assert article.last_commit.author == FIXTURE_AUTHOR
        assert article.last_commit.email == "ada.writer@example.com"
        assert article.first_commit == article.last_commit
        assert article.last_edited == dt.date(2026, 1, 15)


def test_git_dates_follow_later_commits(kb_repo: KbFactory) -> None:
    repo = kb_repo("basic")
    refund = repo / "articles/en/billing/refund-policy.md"
    refund.write_text(refund.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    commit_all(repo, "Edit refunds", date="2026-03-02T08:00:00+01:00", author="Ben Editor")
    write(repo / "articles/en/billing/new-untracked.md", GOOD)
    corpus = load(repo, with_git=True)
    articles = by_path(corpus)
    edited = articles["en/billing/refund-policy.md"]
    assert edited.last_commit is not None and edited.first_commit is not None
    assert edited.last_commit.date == dt.datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    assert edited.last_commit.author == "Ben Editor"
    assert edited.first_commit.date == dt.datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
    assert edited.first_commit.author == FIXTURE_AUTHOR
    assert edited.last_edited == dt.date(2026, 3, 2)
    untouched = articles["en/billing/payment-methods-faq.md"]
    assert untouched.last_commit == untouched.first_commit == edited.first_commit
    new = articles["en/billing/new-untracked.md"]
    assert new.last_commit is None and new.first_commit is None
    assert new.last_edited is None


def test_no_git_dates_outside_a_repository(kb_dir: KbFactory) -> None:
    root = kb_dir("basic")
    corpus = load(root, with_git=True)
    assert corpus.history is not None
    assert not corpus.history.available
    assert corpus.history.reason == "not a git repository"
    assert len(corpus) == 10
    assert all(a.last_commit is None and a.first_commit is None for a in corpus)


def test_with_git_false_skips_history(kb_repo: KbFactory) -> None:
    corpus = load(kb_repo("basic"), with_git=False)
    assert corpus.history is None
    assert all(a.last_commit is None for a in corpus)


def test_kb_repo_makes_a_clean_repository(kb_repo: KbFactory) -> None:
    from gitutil import git

    repo = kb_repo("basic")
    assert (repo / "kbtool.toml").is_file()
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "log", "--format=%an|%cI").strip() == "Ada Writer|2026-01-15T10:00:00+00:00"
    other = kb_repo("broken", date="2025-06-01T12:00:00+00:00", author="Cy Dev")
    assert other != repo
    assert git(other, "log", "--format=%an|%cI").strip() == "Cy Dev|2025-06-01T12:00:00+00:00"


# --------------------------------------------------------------------------- the cache


def test_the_cache_gives_the_corpus_the_parser_gives_and_parses_only_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kbtool.corpus.loader as loader
    from kbtool.corpus.cache import CorpusCache

    root = tmp_path / "kb"
    write(root / "articles/en/a.md", "---\ntitle: Alpha\nlabels: [x, y]\n---\nBody\n")
    write(root / "articles/en/b.md", b"\xef\xbb\xbf---\r\ntitle: Beta\r\n---\r\ntext\r\n")
    write(root / "articles/en/bad.md", b"\xff\xfe")
    config, _ = load_config(root)
    expected = load_corpus(config, with_git=False)
    parsed: list[str] = []
    real = loader._read

    def counting(path: Path, rel: str, *args: object) -> object:
        parsed.append(rel)
        return real(path, rel, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(loader, "_read", counting)

    def cached() -> Corpus:
        parsed.clear()
        cache = CorpusCache.open(root)
        assert cache is not None
        return load_corpus(config, with_git=False, cache=cache)

    first = cached()
    assert sorted(parsed) == ["en/a.md", "en/b.md", "en/bad.md"]
    second = cached()
    assert parsed == ["en/bad.md"]  # an unreadable file is never cached
    for corpus in (first, second):
        assert corpus.articles == expected.articles
        assert corpus.problems == expected.problems
    # an edit (same size, so only the content hash tells) is parsed again
    path = root / "articles/en/a.md"
    os.utime(path, ns=(0, 0))  # an old mtime: not "racy", the recorded stamp must not match
    path.write_text("---\ntitle: Alpha\nlabels: [x, z]\n---\nBody\n", encoding="utf-8")
    third = cached()
    assert sorted(parsed) == ["en/a.md", "en/bad.md"]
    assert by_path(third)["en/a.md"].labels == ("x", "z")
    assert (root / ".kbtool/.gitignore").read_text("utf-8").endswith("*\n")


def test_an_article_pickles_to_an_equal_article_without_computed_values(tmp_path: Path) -> None:
    import pickle

    root = tmp_path / "kb"
    write(root / "articles/en/a.md", "---\ntitle: Alpha\nlabels: [x, y]\n---\nBody\n")
    article = load(root).articles[0]
    assert article.body_hash  # computed and kept on the object
    copy = pickle.loads(pickle.dumps(article))
    assert copy == article and copy.path == article.path and copy.meta == article.meta
    assert "body_hash" not in copy.__dict__ and copy.body_hash == article.body_hash


def test_each_kbtool_version_keeps_its_own_cache_and_old_ones_are_deleted(tmp_path: Path) -> None:
    from kbtool.corpus.cache import CorpusCache, code_fingerprint

    root = tmp_path / "kb"
    write(root / "articles/en/a.md", "---\ntitle: Alpha\n---\nBody\n")
    config, _ = load_config(root)
    versions = root / ".kbtool/cache/kb"
    for n, old in enumerate(("0" * 16, "1" * 16, "2" * 16)):
        (versions / old).mkdir(parents=True)
        (versions / old / "files.bin").write_bytes(b"x")
        os.utime(versions / old / "files.bin", (1_000_000 + n, 1_000_000 + n))
    (versions / "files.bin").write_bytes(b"the layout before version folders")
    cache = CorpusCache.open(root)
    assert cache is not None
    load_corpus(config, with_git=False, cache=cache)
    assert cache.folder == versions / code_fingerprint()[:16]
    assert (cache.folder / "files.bin").is_file()
    # the version used last before this one stays, older ones and loose files go
    assert sorted(p.name for p in versions.iterdir()) == sorted([cache.folder.name, "2" * 16])


def test_workers_are_forked_beside_a_spinner_but_not_beside_other_threads() -> None:
    import io
    import threading

    from rich.console import Console

    from kbtool.corpus.loader import can_fork

    if not can_fork():
        pytest.skip("this test runner runs threads of its own")
    console = Console(file=io.StringIO(), force_terminal=True)
    with console.status("Loading articles"):  # Rich's refresh thread: workers never print
        assert can_fork()
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert not can_fork()  # another thread may hold a lock the child would need
    finally:
        stop.set()
        other.join()
