"""The index on disk: incremental updates, concurrency, interruptions, corruption."""

from __future__ import annotations

import json
import multiprocessing
import shutil
from pathlib import Path

import pytest
from cliutil import article, write_kb

from kbtool.config import load_config
from kbtool.search import IndexStore, open_engine
from kbtool.search import store as store_module

CONFIG = '[kb]\nlocales = ["en", "sv"]\n\n[search.synonyms]\nlogin = ["sign in"]\n'


def _kb(tmp_path: Path) -> Path:
    return write_kb(
        tmp_path / "kb",
        {
            "kbtool.toml": CONFIG,
            "articles/en/account/reset-password.md": article(
                "Forgot your password? Select **Forgot password** on the sign in page.\n",
                title="Reset your password",
                labels=["password", "sign in"],
            ),
            "articles/en/billing/download-invoices.md": article(
                "Every payment comes with an invoice you can download.\n",
                title="Download invoices",
            ),
            "articles/en/billing/draft-plan.md": article(
                "Not ready yet: invoice plans.\n", title="Draft plans", status="draft"
            ),
            "articles/sv/account/reset-password.md": article(
                "Har du glömt lösenordet? Välj Glömt lösenord på inloggningssidan.\n",
                title="Återställ ditt lösenord",
            ),
        },
    )


def _store(kb: Path) -> IndexStore:
    config, problems = load_config(kb)
    assert not problems
    return IndexStore(config)


def _ids(kb: Path, query: str, locale: str = "en") -> list[str]:
    config, _ = load_config(kb)
    with open_engine(config) as engine:
        return [hit.id for hit in engine.search(query, locale=locale).hits]


def test_build_then_nothing_to_do(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    store = _store(kb)
    report = store.update()
    assert report.action == "built"
    assert report.documents == {"en": 2, "sv": 1}  # the draft is left out
    assert store.status() == ("fresh", "")
    assert store.update().action == "unchanged"
    assert (kb / ".kbtool" / "index" / "current.json").is_file()


def test_edit_delete_rename_and_new_locale(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    store = _store(kb)
    store.update()
    assert _ids(kb, "invoice") == ["download-invoices"]

    # edit: only that article is re-indexed
    path = kb / "articles/en/billing/download-invoices.md"
    path.write_text(path.read_text().replace("invoice", "receipt"), encoding="utf-8")
    report = store.update()
    assert (report.action, report.added, report.updated, report.removed) == ("updated", 0, 1, 0)
    assert _ids(kb, "receipt") == ["download-invoices"]
    assert _ids(kb, "invoice") == []

    # a touched but unchanged file costs no index write
    (kb / "articles/en/account/reset-password.md").touch()
    assert store.update().action == "unchanged"
    assert store.status()[0] == "fresh"

    # rename: the old path disappears, the new one appears
    shutil.move(path, kb / "articles/en/billing/get-receipts.md")
    report = store.update()
    assert (report.added, report.removed) == (1, 1)
    assert _ids(kb, "receipt") == ["get-receipts"]

    # delete
    (kb / "articles/en/billing/get-receipts.md").unlink()
    report = store.update()
    assert report.removed == 1 and report.documents["en"] == 1
    assert _ids(kb, "receipt") == []

    # a locale added later gets its own index with its own analysis
    config = kb / "kbtool.toml"
    config.write_text(config.read_text().replace('["en", "sv"]', '["en", "sv", "zh-cn"]'))
    write_kb(
        kb,
        {
            "articles/zh-cn/account/reset-password.md": article(
                "如果您忘记了密码，可以在登录页面设置新密码。\n", title="重置您的密码"
            )
        },
    )
    report = _store(kb).update()
    assert report.documents["zh-cn"] == 1
    assert _ids(kb, "忘记密码", locale="zh-cn") == ["reset-password"]


def test_publishing_a_draft_adds_it(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    store = _store(kb)
    store.update()
    draft = kb / "articles/en/billing/draft-plan.md"
    draft.write_text(draft.read_text().replace("status: draft", "status: published"))
    assert store.update().added == 1
    assert "draft-plan" in _ids(kb, "plans")


def test_analysis_change_rebuilds_by_itself(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    _store(kb).update()
    config = kb / "kbtool.toml"
    config.write_text(config.read_text() + '\n[search.analyzers]\nsv = "simple"\n')
    report = _store(kb).update()
    assert report.action == "built"
    assert "changed" in report.reason


def _update(root: str) -> str:
    config, _ = load_config(Path(root))
    return IndexStore(config).update().action


def test_concurrent_index_runs(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    context = multiprocessing.get_context("spawn")
    with context.Pool(3) as pool:
        actions = pool.map(_update, [str(kb)] * 3)
    # one builds; the others wait for the lock and find it up to date
    assert sorted(actions) == ["built", "unchanged", "unchanged"]
    assert _ids(kb, "invoice") == ["download-invoices"]
    generations = [p for p in (kb / ".kbtool/index").iterdir() if p.name.startswith("gen-")]
    assert len(generations) == 1


def test_interrupted_build_keeps_the_old_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb = _kb(tmp_path)
    store = _store(kb)
    store.update()
    pointer = (kb / ".kbtool/index/current.json").read_bytes()

    def crash(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(store_module, "_write_share", crash)
    with pytest.raises(KeyboardInterrupt):
        store.update(rebuild=True)
    assert (kb / ".kbtool/index/current.json").read_bytes() == pointer
    generations = [p for p in (kb / ".kbtool/index").iterdir() if p.name.startswith("gen-")]
    assert len(generations) == 1  # the half-built one was removed
    monkeypatch.undo()
    assert store.status() == ("fresh", "")
    assert _ids(kb, "invoice") == ["download-invoices"]


@pytest.mark.parametrize(
    "damage",
    ["garbage pointer", "foreign pointer", "missing generation", "bad manifest", "broken segment"],
)
def test_corrupt_index_is_rebuilt(tmp_path: Path, damage: str) -> None:
    kb = _kb(tmp_path)
    _store(kb).update()
    folder = kb / ".kbtool/index"
    pointer = folder / "current.json"
    generation = folder / json.loads(pointer.read_text())["generation"]
    if damage == "garbage pointer":
        pointer.write_bytes(b"\x00\xffnot json")
    elif damage == "foreign pointer":
        pointer.write_text('{"format": "other-tool", "generation": "x"}')
    elif damage == "missing generation":
        shutil.rmtree(generation)
    elif damage == "bad manifest":
        (generation / "manifest.json").write_text("{")
    else:
        for segment in (generation / "en").glob("*.seg"):
            segment.write_bytes(b"garbage")
        for toc in (generation / "en").glob("*.toc"):
            toc.write_bytes(b"garbage")
    store = _store(kb)
    assert store.status()[0] in ("corrupt", "fresh")
    # the search commands recover by themselves
    assert _ids(kb, "invoice") == ["download-invoices"]
    assert store.status() == ("fresh", "")


def test_index_folder_that_is_a_file(tmp_path: Path) -> None:
    from kbtool.errors import InputError

    kb = _kb(tmp_path)
    (kb / ".kbtool").mkdir()
    (kb / ".kbtool/index").write_text("not a folder")
    with pytest.raises(InputError, match="not a folder"):
        _store(kb).update()


def test_phrase_on_positions_ending_in_a_dot_byte(tmp_path: Path) -> None:
    # "zeta" at positions 0 and 46: its last varint delta is 46, the byte b"." that
    # whoosh-ng mistakes for its legacy pickle format unless kbtool's format is used
    filler = " ".join(f"word{i}" for i in range(45))
    kb = write_kb(
        tmp_path / "kb",
        {"articles/en/x/dot.md": article(f"zeta {filler} zeta omega\n", title="Dot")},
    )
    config, _ = load_config(kb)
    with open_engine(config) as engine:
        assert [h.id for h in engine.search('"zeta omega"').hits] == ["dot"]
        assert [h.id for h in engine.search('"zeta word0"').hits] == ["dot"]


def test_snippets_and_totals_come_from_the_index(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    config, _ = load_config(kb)
    with open_engine(config) as engine:
        pass
    # a search answers from the index alone: the files are not read again for snippets
    (kb / "articles/en/account/reset-password.md").unlink()
    with open_engine(config, update=False) as engine:
        hit = engine.search("forgot password", locale="en").hits[0]
        assert hit.id == "reset-password"
        assert "Forgot password" in hit.snippet.text and hit.snippet.highlights
        start, end = hit.snippet.highlights[0]
        assert hit.snippet.text[start:end].lower() in ("forgot", "password")
        # a full page is counted; one that is not full holds every match
        everything = engine.search("invoice password", locale="en", limit=10)
        first = engine.search("invoice password", locale="en", limit=1)
        assert everything.total == len(everything.hits) == 2 and everything.relaxed
        assert first.total == 2 and len(first.hits) == 1


def test_refresh_walks_the_articles_once(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    store = _store(kb)
    store.update()
    scans = []
    real = store._scan
    store._scan = lambda *a: scans.append(1) or real(*a)  # type: ignore[method-assign]
    assert store.refresh() is None and scans == [1]  # fresh: nothing to do
    page = kb / "articles/en/billing/download-invoices.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nRefunds too.\n", encoding="utf-8")
    assert store.refresh(update=False) is None  # stale is fine without updates
    report = store.refresh()
    assert report is not None and report.updated == 1
    assert scans == [1, 1, 1]  # one walk for the check and the update
    assert store.status() == ("fresh", "")


def _vocabulary(kb: Path, locale: str) -> dict[str, int]:
    from kbtool.search.vocabulary import read_vocabulary

    generation = json.loads((kb / ".kbtool/index/current.json").read_text())["generation"]
    return read_vocabulary(kb / ".kbtool/index" / generation / locale)


def test_did_you_mean_words_follow_updates(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    store = _store(kb)
    store.update()
    words = _vocabulary(kb, "en")
    assert words["password"] == 1 and words["invoices"] == 1 and "draft" not in words
    # an edited title: its old words leave, the new ones come
    path = kb / "articles/en/billing/download-invoices.md"
    path.write_text(path.read_text().replace("Download invoices", "Fetch receipts"))
    store.update()
    words = _vocabulary(kb, "en")
    assert "invoices" not in words and "download" not in words
    assert words["receipts"] == words["fetch"] == 1
    config, _ = load_config(kb)
    with open_engine(config) as engine:
        assert engine.search("reciepts", locale="en").corrected == "receipts"
    # a deleted article takes its words along; a rebuild counts the same
    (kb / "articles/en/account/reset-password.md").unlink()
    store.update()
    words = _vocabulary(kb, "en")
    assert "password" not in words
    assert store.update(rebuild=True).action == "built"
    assert _vocabulary(kb, "en") == words


def test_long_article_snippet_shows_a_late_match(tmp_path: Path) -> None:
    filler = "Lorem ipsum dolor sit amet consectetur. " * 400  # 16,000 characters
    kb = write_kb(
        tmp_path / "kb",
        {
            "articles/en/s/long.md": article(
                filler + "Rotate the signing certificate every year.\n", title="Long"
            )
        },
    )
    config, _ = load_config(kb)
    with open_engine(config) as engine:
        hit = engine.search("certificate rotate", locale="en").hits[0]
        marked = {hit.snippet.text[s:e].lower() for s, e in hit.snippet.highlights}
        assert marked == {"rotate", "certificate"}


def test_unchanged_folders_are_not_walked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    kb = _kb(tmp_path)
    # folders last changed long ago (a scan does not trust a folder changed just before it)
    for folder in [kb / "articles", *(p for p in (kb / "articles").rglob("*") if p.is_dir())]:
        os.utime(folder, ns=(1_000_000_000, 1_000_000_000))
    store = _store(kb)
    store.update()
    walks = []
    real = store_module.discover_text
    monkeypatch.setattr(
        store_module, "discover_text", lambda *a, **k: walks.append(1) or real(*a, **k)
    )
    page = kb / "articles/en/billing/download-invoices.md"
    page.write_text(page.read_text().replace("invoice", "receipt"), encoding="utf-8")
    assert store.status()[0] == "stale" and walks == []
    assert store.update().updated == 1 and walks == []
    assert _ids(kb, "receipt") == ["download-invoices"]
    # a new file changes its folder: that folder's listing is read again
    write_kb(kb, {"articles/en/billing/refunds.md": article("Refund a receipt.\n", title="R")})
    assert store.status()[0] == "stale" and walks == [1]
    assert store.update().added == 1
    assert sorted(_ids(kb, "receipt")) == ["download-invoices", "refunds"]


def test_build_shares_cover_every_article_once_and_balance_the_text() -> None:
    from types import SimpleNamespace

    from kbtool.search.analysis import language_for

    def articles(count: int, size: int) -> list[tuple[object, str]]:
        return [(SimpleNamespace(body="x" * size, n=i), "t") for i in range(count)]

    docs = {"en": articles(900, 3000), "de": articles(90, 3000), "ja": articles(80, 2000)}
    analyzers = {locale: language_for(locale) for locale in docs}
    for processes in (1, 2, 3):
        shares = store_module._shares(docs, processes, analyzers)
        assert len(shares) == processes
        for locale, items in docs.items():
            given = [
                id(a) for share in shares for loc, part in share if loc == locale for a in part
            ]
            assert sorted(given) == sorted(id(a) for a in items)  # each article once
        # the small locales stay whole: one segment each
        assert sum(loc == "ja" for share in shares for loc, _ in share) == 1
        loads = [
            sum(
                len(a.body) * (3 if loc == "ja" else 1) + 1000
                for loc, part in share
                for a, _ in part
            )
            for share in shares
        ]
        assert max(loads) - min(loads) <= 3000 * 2 + 1000
