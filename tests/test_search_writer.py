"""The fast segment writer writes what Whoosh's own writer writes."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from kbtool.search.analysis import language_for
from kbtool.search.schema import make_schema
from kbtool.search.writer import SegmentBuilder, commit_segments, parallel_map

WORDS = [
    "password",
    "reset",
    "sign",
    "in",
    "account",
    "invoice",
    "payment",
    "download",
    "export",
    "report",
    "ledger",
    "customer",
    "vendor",
    "posting",
    "journal",
    "approve",
    "workflow",
    "dimension",
    "currency",
    "setup",
    "email",
]


def _docs(count: int) -> list[dict[str, Any]]:
    rng = random.Random(3)
    docs = []
    for n in range(count):
        # a long body now and then: positions past 127 and 16383, blocks of 128 postings
        words = 17_000 if n == 7 else rng.choice((3, 30, 100))
        body = " ".join(rng.choice(WORDS) for _ in range(words))
        doc = {
            "path": f"en/s/a{n}.md",
            "id": f"a{n}",
            "locale": "en",
            "title": " ".join(rng.sample(WORDS, 3)),
            "body": body,
            "type": rng.choice(("how-to", "faq")),
            "stages": "new,experienced" if n % 2 else "new",
            "text": body[:50].encode(),
        }
        if n % 3:
            doc["labels"] = "\x1f".join(rng.sample(WORDS, 2))
        docs.append(doc)
    return docs


def _dump(folder: Path) -> dict[str, Any]:
    ix = whoosh_index.open_dir(str(folder))
    out: dict[str, Any] = {}
    with ix.reader() as reader:
        out["stored"] = sorted(
            (sorted(fields.items()) for fields in reader.all_stored_fields()), key=repr
        )
        for name in reader.indexed_field_names():
            out[f"length {name}"] = reader.field_length(name)
            for text in reader.lexicon(name):
                info = reader.term_info(name, text)
                out[f"{name}:{text!r} info"] = (
                    info.doc_frequency(),
                    round(info.weight(), 3),
                    info.min_length(),
                    info.max_length(),
                    round(info.max_weight(), 3),
                )
                postings = []
                matcher = reader.postings(name, text)
                while matcher.is_active():
                    docnum = matcher.id()
                    stored_id = reader.stored_fields(docnum)["id"]
                    postings.append(
                        (
                            stored_id,
                            round(matcher.weight(), 3),
                            matcher.value(),
                            reader.doc_field_length(docnum, name),
                        )
                    )
                    matcher.next()
                out[f"{name}:{text!r} postings"] = sorted(postings)
    return out


def test_segment_builder_writes_what_whoosh_writes(tmp_path: Path) -> None:
    schema = make_schema(language_for("en"))
    docs = _docs(200)
    whoosh_dir, fast_dir = tmp_path / "whoosh", tmp_path / "fast"
    whoosh_dir.mkdir()
    fast_dir.mkdir()
    writer = whoosh_index.create_in(str(whoosh_dir), schema).writer()
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    ix = whoosh_index.create_in(str(fast_dir), schema)
    # two segments, as two worker processes write them
    segments = []
    for part in (docs[:120], docs[120:]):
        builder = SegmentBuilder(ix, lock=False)
        for doc in part:
            builder.add_document(**doc)
        segments.append(builder.segment())
    commit_segments(ix, segments)
    assert whoosh_index.open_dir(str(fast_dir)).doc_count() == 200
    # the same stored fields, terms, postings and statistics, segment boundaries aside
    expected, found = _dump(whoosh_dir), _dump(fast_dir)
    assert found.keys() == expected.keys()
    assert [k for k in expected if found[k] != expected[k] and k != "stored"] == []
    assert found["stored"] == expected["stored"]
    lengths = [key for key in expected if key.startswith("length ")]
    assert [found[k] for k in lengths] == [expected[k] for k in lengths]


def test_segment_builder_without_documents_writes_nothing(tmp_path: Path) -> None:
    ix = whoosh_index.create_in(str(tmp_path), make_schema(language_for("en")))
    builder = SegmentBuilder(ix, lock=False)
    assert builder.segment() is None
    commit_segments(ix, [None])
    assert whoosh_index.open_dir(str(tmp_path)).doc_count() == 0


def test_parallel_map_keeps_the_order_of_the_jobs() -> None:
    offset = 10  # a closure: the children inherit it rather than receive it pickled
    assert parallel_map(lambda n: n + offset, [1, 2, 3]) == [11, 12, 13]
