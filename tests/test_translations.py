"""The translations core: linking, status, coverage and marks (kbtool.translations).

The `translations-basic` fixture has English sources and Swedish and German
translations in every state; see the comments in its files.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from gitutil import commit_all, git

from kbtool.config import load_config, parse_config
from kbtool.corpus import Corpus, load_corpus
from kbtool.errors import ConflictError, InputError
from kbtool.review import apply_marks
from kbtool.translations import (
    Basis,
    RecordKind,
    TranslationFilter,
    TranslationItem,
    TranslationLinker,
    TranslationReport,
    TranslationStatus,
    prepare_translation_marks,
    translation_report,
)

S = TranslationStatus
LATER = "2026-03-02T09:00:00+00:00"
LATEST = "2026-05-04T09:00:00+00:00"


def load(root: Path) -> Corpus:
    config, problems = load_config(root)
    assert not problems
    return load_corpus(config)


def rows(report: TranslationReport) -> dict[tuple[str, str], TranslationItem]:
    """Rows by (locale, path inside the articles folder of the row's file)."""
    return {(i.locale, i.article.rel_path): i for i in report.items}


def statuses(report: TranslationReport) -> dict[tuple[str, str], str]:
    return {key: item.status.value for key, item in rows(report).items()}


def edit_body(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_every_state_in_one_commit(kb_repo) -> None:
    report = translation_report(load(kb_repo("translations-basic")))
    assert report.source_locale == "en"
    assert report.locales == ("sv", "de")
    assert statuses(report) == {
        ("sv", "sv/account/reset-password.md"): "up-to-date",
        ("sv", "sv/billing/refunds.md"): "stale",
        ("sv", "sv/billing/invoices.md"): "up-to-date",
        ("sv", "sv/billing/customs.md"): "orphaned",
        ("sv", "en/billing/vat.md"): "missing",
        ("de", "de/billing/rechnungen.md"): "up-to-date",
        ("de", "de/billing/zoll.md"): "orphaned",
        ("de", "en/account/reset-password.md"): "missing",
        ("de", "en/billing/refunds.md"): "missing",
        ("de", "en/billing/vat.md"): "missing",
    }
    by = rows(report)
    assert by[("sv", "sv/account/reset-password.md")].basis is Basis.SOURCE_HASH
    stale = by[("sv", "sv/billing/refunds.md")]
    assert stale.basis is Basis.SOURCE_HASH
    assert "0123456789ab" in stale.reason and "49e530200e7f" in stale.reason
    assert by[("sv", "sv/billing/invoices.md")].basis is Basis.GIT
    assert by[("de", "de/billing/rechnungen.md")].link == "translation_of"
    assert by[("sv", "sv/billing/invoices.md")].link == "path"
    zoll = by[("de", "de/billing/zoll.md")]
    assert "translation_of names 'customs'" in zoll.reason
    assert "en/billing/customs.md" in by[("sv", "sv/billing/customs.md")].reason
    # the draft source is neither missing nor counted
    assert not any(i.source is not None and i.source.id == "new-plans" for i in report.items)
    # most urgent first
    assert [i.status for i in report.items] == sorted(
        (i.status for i in report.items), key=lambda s: s.rank
    )


def test_coverage_per_locale(kb_repo) -> None:
    report = translation_report(load(kb_repo("translations-basic")))
    sv, de = report.coverage
    assert (sv.locale, sv.sources, sv.translated, sv.current) == ("sv", 4, 3, 2)
    assert (sv.up_to_date, sv.stale, sv.missing, sv.orphaned, sv.unverified) == (2, 1, 1, 1, 0)
    assert sv.coverage_pct == 75.0 and sv.current_pct == 50.0
    assert (de.sources, de.translated, de.current, de.missing, de.orphaned) == (4, 1, 1, 3, 1)
    assert de.coverage_pct == 25.0
    assert str(sv) == "sv: 3 of 4 translated (75%): 2 up to date, 1 stale, 1 missing, 1 orphaned"


def test_source_changed_later_in_git_makes_translations_stale(kb_repo) -> None:
    repo = kb_repo("translations-basic")
    edit_body(repo / "articles/en/billing/invoices.md", "then select", "then choose")
    commit_all(repo, "Reword the invoices article", date=LATER)
    by = rows(translation_report(load(repo)))
    for key in (("sv", "sv/billing/invoices.md"), ("de", "de/billing/rechnungen.md")):
        assert by[key].status is S.STALE, key
        assert by[key].basis is Basis.GIT
        assert "2026-03-02" in by[key].reason and "2026-01-15" in by[key].reason
    # a recorded hash outranks git: the Swedish reset-password is untouched by git dates
    assert by[("sv", "sv/account/reset-password.md")].status is S.UP_TO_DATE


def test_translation_committed_after_source_is_up_to_date(kb_repo) -> None:
    repo = kb_repo("translations-basic")
    edit_body(repo / "articles/en/billing/invoices.md", "then select", "then choose")
    commit_all(repo, "Reword the invoices article", date=LATER)
    edit_body(repo / "articles/sv/billing/invoices.md", "Välj sedan", "Välj därefter")
    commit_all(repo, "Update the Swedish invoices article", date=LATEST)
    by = rows(translation_report(load(repo)))
    assert by[("sv", "sv/billing/invoices.md")].status is S.UP_TO_DATE
    assert by[("de", "de/billing/rechnungen.md")].status is S.STALE


def test_a_hash_mark_makes_a_stale_translation_up_to_date(kb_repo) -> None:
    repo = kb_repo("translations-basic")
    corpus = load(repo)
    target = corpus.get("sv", "refunds")
    assert target is not None
    before = target.path.read_bytes()
    (mark,) = prepare_translation_marks(corpus, [target])
    assert mark.kind is RecordKind.HASH
    assert (mark.key, mark.value) == ("source_hash", "49e530200e7f")
    # only the value changed: the trailing comment and every other byte stay
    assert mark.change.new == before.replace(b"0123456789ab", b"49e530200e7f")
    apply_marks([mark.change])
    assert rows(translation_report(load(repo)))[("sv", "sv/billing/refunds.md")].status is (
        S.UP_TO_DATE
    )


def test_a_mark_adds_the_key_to_a_translation_without_one(kb_repo) -> None:
    repo = kb_repo("translations-basic")
    corpus = load(repo)
    target = corpus.get("sv", "invoices")
    assert target is not None
    (mark,) = prepare_translation_marks(corpus, [target])
    text = mark.change.new.decode()
    assert "last_reviewed: 2026-01-12\nsource_hash: e2070869928f\n---\n" in text
    assert mark.change.old.decode() in text.replace("source_hash: e2070869928f\n", "")


def test_a_commit_mark_and_a_later_source_change(kb_repo) -> None:
    repo = kb_repo("translations-basic")
    corpus = load(repo)
    target = corpus.get("de", "rechnungen")
    assert target is not None
    head = git(repo, "rev-parse", "HEAD").strip()
    (mark,) = prepare_translation_marks(corpus, [target], record=RecordKind.COMMIT)
    assert (mark.key, mark.value, mark.kind) == ("source_hash", head, RecordKind.COMMIT)
    apply_marks([mark.change])
    commit_all(repo, "Mark the German invoices article", date=LATER)
    item = rows(translation_report(load(repo)))[("de", "de/billing/rechnungen.md")]
    assert (item.status, item.basis) == (S.UP_TO_DATE, Basis.SOURCE_COMMIT)

    # later the source changes: the recorded commit is older than the source's last
    edit_body(repo / "articles/en/billing/invoices.md", "then select", "then choose")
    commit_all(repo, "Reword the invoices article", date=LATEST)
    corpus = load(repo)
    item = rows(translation_report(corpus))[("de", "de/billing/rechnungen.md")]
    assert (item.status, item.basis) == (S.STALE, Basis.SOURCE_COMMIT)
    assert head[:12] in item.reason
    # auto records a commit again, since the translation records a full sha already
    target = corpus.get("de", "rechnungen")
    assert target is not None
    (again,) = prepare_translation_marks(corpus, [target])
    assert again.kind is RecordKind.COMMIT
    assert again.value == git(repo, "rev-parse", "HEAD").strip()


def test_an_abbreviated_commit_counts(kb_repo) -> None:
    repo = kb_repo("translations-basic")
    head = git(repo, "rev-parse", "HEAD").strip()
    path = repo / "articles/de/billing/rechnungen.md"
    edit_body(
        path, "translation_of: invoices\n", f"translation_of: invoices\nsource_hash: {head[:9]}\n"
    )
    item = rows(translation_report(load(repo)))[("de", "de/billing/rechnungen.md")]
    assert (item.status, item.basis) == (S.UP_TO_DATE, Basis.SOURCE_COMMIT)


def test_an_unknown_commit_falls_back_to_git(kb_repo) -> None:
    # as in the Adobe corpus: the commit is the upstream English repository's
    repo = kb_repo("translations-basic")
    path = repo / "articles/de/billing/rechnungen.md"
    sha = "be3af16156719ed47daf3fdaec1113663885a1a3"
    edit_body(path, "translation_of: invoices\n", f"translation_of: invoices\nsource_hash: {sha}\n")
    commit_all(repo, "Record the upstream commit", date=LATER)
    item = rows(translation_report(load(repo)))[("de", "de/billing/rechnungen.md")]
    assert (item.status, item.basis) == (S.UP_TO_DATE, Basis.GIT)
    assert item.notes == ("source_hash be3af1615671 is not a commit of this repository",)


def test_without_git_hashes_then_review_dates_then_unverified(kb_dir) -> None:
    report = translation_report(load(kb_dir("translations-basic")))
    by = rows(report)
    assert report.history == "not a git repository"
    assert by[("sv", "sv/account/reset-password.md")].status is S.UP_TO_DATE
    assert by[("sv", "sv/billing/refunds.md")].status is S.STALE
    invoices = by[("sv", "sv/billing/invoices.md")]
    assert (invoices.status, invoices.basis) == (S.UP_TO_DATE, Basis.REVIEW_DATES)
    german = by[("de", "de/billing/rechnungen.md")]
    assert (german.status, german.basis) == (S.UNVERIFIED, Basis.NONE)
    assert "no git history" in german.reason
    assert report.coverage[1].unverified == 1


def test_translation_reviewed_before_its_source_without_git_is_stale(kb_dir) -> None:
    root = kb_dir("translations-basic")
    edit_body(root / "articles/sv/billing/invoices.md", "2026-01-12", "2026-01-02")
    item = rows(translation_report(load(root)))[("sv", "sv/billing/invoices.md")]
    assert (item.status, item.basis) == (S.STALE, Basis.REVIEW_DATES)


def test_link_methods_are_configurable(kb_repo) -> None:
    repo = kb_repo("translations-basic")
    config, _ = load_config(repo)
    # path only: translation_of is not read, so the German translations have no source
    config = dataclasses.replace(
        config, kb=dataclasses.replace(config.kb, translation_links=("path",))
    )
    by = rows(translation_report(load_corpus(config)))
    assert by[("de", "de/billing/rechnungen.md")].status is S.ORPHANED
    assert by[("de", "en/billing/invoices.md")].status is S.MISSING
    assert by[("sv", "sv/billing/invoices.md")].link == "path"


def test_link_by_id_when_paths_differ(kb_repo) -> None:
    repo = kb_repo("translations-basic")
    old = repo / "articles/sv/billing/invoices.md"
    new = repo / "articles/sv/billing/fakturor.md"
    old.rename(new)  # the id stays `invoices`
    by = rows(translation_report(load(repo)))
    assert by[("sv", "sv/billing/fakturor.md")].link == "id"
    assert by[("sv", "sv/billing/fakturor.md")].status is not S.ORPHANED


def test_unknown_link_method_is_a_config_error() -> None:
    _, problems = parse_config('[kb]\ntranslation_links = ["path", "slug"]\n')
    assert [(p.line, p.message) for p in problems] == [
        (2, "unknown translation link 'slug' (use translation_of, path, id)")
    ]


def test_a_single_language_base_has_no_translation_locales(kb_repo) -> None:
    report = translation_report(load(kb_repo("broken")))
    assert report.locales == () and report.items == () and report.coverage == ()


def test_drafts_on_request(kb_repo) -> None:
    corpus = load(kb_repo("translations-basic"))
    report = translation_report(corpus, drafts=True)
    assert ("sv", "en/billing/new-plans.md") in rows(report)
    assert report.coverage[0].sources == 5


def test_two_translations_of_one_source_count_once(kb_repo) -> None:
    repo = kb_repo("translations-basic")
    (repo / "articles/sv/billing/fakturor.md").write_text(
        "---\ntitle: Fakturor\ntranslation_of: invoices\n---\n\nText.\n", encoding="utf-8"
    )
    report = translation_report(load(repo))
    sv = report.coverage[0]
    assert (sv.sources, sv.translated) == (4, 3)
    noted = [
        i.article.rel_path
        for i in report.items
        if "another translation in this locale has the same source" in i.notes
    ]
    assert len(noted) == 1 and noted[0] in {"sv/billing/fakturor.md", "sv/billing/invoices.md"}


def test_filter_by_locale_section_owner_and_status(kb_repo) -> None:
    report = translation_report(load(kb_repo("translations-basic")))
    flt = TranslationFilter(locales=("sv",), sections=("billing",))
    assert {i.article.rel_path for i in report.items if flt.matches(i)} == {
        "sv/billing/refunds.md",
        "sv/billing/invoices.md",
        "sv/billing/customs.md",
        "en/billing/vat.md",
    }
    # owner: the translation's, else the source's (sv refunds has none: billing-team)
    flt = TranslationFilter(owners=("@Account-Team",))
    assert {(i.locale, i.article.rel_path) for i in report.items if flt.matches(i)} == {
        ("sv", "sv/account/reset-password.md"),
        ("de", "en/account/reset-password.md"),
    }
    orphan = rows(report)[("de", "de/billing/zoll.md")]
    assert orphan.owners == ()
    assert TranslationFilter(owners=("unassigned",)).matches(orphan)
    flt = TranslationFilter(statuses=(S.STALE,))
    assert [i.article.rel_path for i in report.items if flt.matches(i)] == ["sv/billing/refunds.md"]


def test_marking_refuses_sources_orphans_and_changed_files(kb_repo) -> None:
    corpus = load(kb_repo("translations-basic"))
    source = corpus.get("en", "refunds")
    orphan = corpus.get("sv", "customs")
    target = corpus.get("sv", "refunds")
    assert source is not None and orphan is not None and target is not None
    with pytest.raises(InputError, match="not a translation"):
        prepare_translation_marks(corpus, [source])
    with pytest.raises(InputError, match="no source to mark against"):
        prepare_translation_marks(corpus, [orphan])
    target.path.write_text(target.path.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    with pytest.raises(ConflictError, match="changed on disk"):
        prepare_translation_marks(corpus, [target])


def test_commit_mark_needs_a_committed_source(kb_dir) -> None:
    corpus = load(kb_dir("translations-basic"))
    target = corpus.get("sv", "refunds")
    assert target is not None
    with pytest.raises(InputError, match="no git commit to record"):
        prepare_translation_marks(corpus, [target], record=RecordKind.COMMIT)


def test_marking_broken_front_matter_is_refused(kb_repo) -> None:
    repo = kb_repo("translations-basic")
    path = repo / "articles/sv/billing/refunds.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("title: Å", "title: [Å"), encoding="utf-8"
    )
    corpus = load(repo)
    target = next(a for a in corpus if a.path == path)
    before = path.read_bytes()
    with pytest.raises(InputError, match="cannot be edited safely"):
        prepare_translation_marks(corpus, [target])
    assert path.read_bytes() == before


def test_mapped_key_is_written(kb_repo) -> None:
    repo = kb_repo("translations-basic")
    toml = repo / "kbtool.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8")
        + '\n[fields]\nsource_hash = ["source-git-commit", "source_hash"]\n',
        encoding="utf-8",
    )
    corpus = load(repo)
    invoices = corpus.get("sv", "invoices")
    refunds = corpus.get("sv", "refunds")
    assert invoices is not None and refunds is not None
    marks = prepare_translation_marks(corpus, [invoices, refunds])
    # a translation without the key gets the preferred mapped key; one with a key keeps it
    assert [m.key for m in marks] == ["source-git-commit", "source_hash"]


def test_linker_inner_paths(kb_repo) -> None:
    corpus = load(kb_repo("translations-basic"))
    linker = TranslationLinker(corpus)
    sv = corpus.get("sv", "invoices")
    assert sv is not None
    assert linker.inner(sv) == "billing/invoices.md"
    link = linker.find(sv)
    assert link.source is not None and link.source.rel_path == "en/billing/invoices.md"


def test_git_history_finds_commits_by_sha_and_abbreviation(kb_repo) -> None:
    repo = kb_repo("translations-basic")
    edit_body(repo / "articles/en/billing/vat.md", "standard rate", "standard rate of 25%")
    second = commit_all(repo, "Say the rate", date=LATER)
    first = git(repo, "rev-parse", "HEAD~1").strip()
    history = load(repo).history
    assert history is not None and history.available
    found = history.commit(second)
    assert found is not None and found.sha == second
    assert found.date.isoformat() == LATER
    abbreviated = history.commit(first[:8].upper())
    assert abbreviated is not None and abbreviated.sha == first
    assert history.commit(first[:6]) is None  # shorter than git's shortest abbreviation
    assert history.commit("0" * 40) is None
