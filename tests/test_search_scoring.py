"""QueryScorer gives the scores Whoosh's own matchers give, a posting list at a time."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh import query as wq

from kbtool.search.analysis import language_for
from kbtool.search.schema import make_schema
from kbtool.search.scoring import QueryScorer, top

WORDS = [
    "reset",
    "password",
    "sign",
    "in",
    "invoice",
    "payment",
    "export",
    "ledger",
    "vendor",
    "email",
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("scoring")
    rng = random.Random(5)
    ix = whoosh_index.create_in(str(folder), make_schema(language_for("en")))
    # two commits: two segments, and a deleted document in the first
    for part in range(2):
        writer = ix.writer()
        for n in range(part * 60, part * 60 + 60):
            writer.add_document(
                path=f"a{n}.md",
                id=f"a{n}",
                title=" ".join(rng.sample(WORDS, 2)),
                body=" ".join(rng.choice(WORDS) for _ in range(rng.choice((2, 20, 80)))),
                type=rng.choice(("faq", "how-to")),
            )
        if part:
            writer.delete_by_term("path", "a3.md")
        writer.commit(merge=False)
    return folder


QUERIES = [
    wq.Term("body", "password"),
    wq.Term("title", "invoic", boost=3.0),
    wq.Or([wq.Term("title", "reset", boost=3.0), wq.Term("body", "reset")]),
    wq.And(
        [
            wq.Or([wq.Term("title", "export", boost=3.0), wq.Term("body", "export")]),
            wq.Or([wq.Term("title", "ledger", boost=3.0), wq.Term("body", "ledger")]),
        ]
    ),
    wq.Phrase("body", ["sign", "in"], boost=2.0),
    wq.Or([wq.Phrase("title", ["reset", "password"]), wq.Term("body", "vendor")]),
    wq.AndNot(wq.Term("body", "email"), wq.Term("type", "faq")),
]


@pytest.mark.parametrize("q", QUERIES, ids=str)
def test_scores_are_whooshs_scores(folder: Path, q: wq.Query) -> None:
    ix = whoosh_index.open_dir(str(folder))
    with ix.searcher() as searcher:
        assert len(list(searcher.leaf_searchers())) == 2
        expected = {hit.docnum: hit.score for hit in searcher.search(q, limit=None)}
        found = QueryScorer(searcher).scores(q)
        assert expected  # each query matches something
        assert found.keys() == expected.keys()
        for docnum, score in expected.items():
            assert found[docnum] == pytest.approx(score, rel=1e-5)
        # the best scores, in order (compared with Whoosh's unlimited search: its top-N
        # search skips blocks by estimated quality and can miss the best document)
        best = sorted((round(score, 4) for score in expected.values()), reverse=True)[:5]
        assert [round(score, 4) for _, score in top(found, 5)] == best


def test_coordination_ranks_documents_with_more_parts_first(folder: Path) -> None:
    ix = whoosh_index.open_dir(str(folder))
    with ix.searcher() as searcher:
        scorer = QueryScorer(searcher)
        parts = [scorer.scores(wq.Term("body", w)) for w in ("export", "ledger", "vendor")]
        plain, coordinated = scorer.union(parts), scorer.union(parts, scale=0.9)
        assert plain.keys() == coordinated.keys()
        for docnum, score in plain.items():
            matched = sum(docnum in part for part in parts)
            assert coordinated[docnum] == pytest.approx(score * (1 + 0.3 * (matched - 1)))
        everything = scorer.intersection(parts)
        assert set(everything) == set(parts[0]) & set(parts[1]) & set(parts[2])


def test_deleted_documents_never_match(folder: Path) -> None:
    ix = whoosh_index.open_dir(str(folder))
    with ix.searcher() as searcher:
        scorer = QueryScorer(searcher)
        deleted = {
            offset + d
            for sub, offset in searcher.leaf_searchers()
            for d in sub.reader().deleted_docs_set
        }
        assert len(deleted) == 1
        assert not deleted & scorer.live()
        assert not deleted & scorer.matches(wq.Every())
        for word in WORDS:
            assert not deleted & scorer.matches(wq.Term("body", word))
